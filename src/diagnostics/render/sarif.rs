//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

use super::Report;
use crate::diagnostics::{Code, Severity};
use serde_json::{Value, json};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// SARIF wants a URI reference; a relative path is one once reserved
/// characters are percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn location(report: &Report, span: &crate::diagnostics::Span) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&report.path(&span.file)) },
            "region": { "startLine": span.line, "startColumn": span.column }
        }
    })
}

pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.code(),
                "name": c.slug(),
                "shortDescription": { "text": c.summary() },
                "defaultConfiguration": { "level": level(c.default_severity()) },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let mut r = json!({
                "ruleId": d.code.code(),
                "ruleIndex": index,
                "level": level(d.severity),
                "message": { "text": text },
            });
            if let Some(s) = super::repo_span(d) {
                r["locations"] = json!([location(report, s)]);
            }
            // With a baseline, SARIF's own field says which results are
            // known ("unchanged") and which are "new".
            if report.baseline.is_some() {
                r["baselineState"] = json!(if report.is_baselined(i) {
                    "unchanged"
                } else {
                    "new"
                });
            }
            if !d.related.is_empty() {
                r["relatedLocations"] = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, rel)| {
                        let mut l = location(report, &rel.span);
                        l["id"] = json!(i);
                        l["message"] = json!({ "text": rel.message });
                        l
                    })
                    .collect();
            }
            r
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "portolan",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
