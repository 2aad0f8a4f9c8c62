//! Machine-readable output; the shape is versioned (`version`) so tools can rely on it.

use super::Report;
use serde_json::{Value, json};

pub fn render(report: &Report) -> String {
    let (errors, warnings) = report.counts();
    let diagnostics: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let mut v = json!({
                "code": d.code.code(),
                "name": d.code.slug(),
                "severity": d.severity.as_str(),
                "message": d.message,
                "help": d.help,
            });
            if let Some(s) = &d.span {
                v["file"] = json!(report.path(&s.file));
                v["line"] = json!(s.line);
                v["column"] = json!(s.column);
            }
            v["related"] = d
                .related
                .iter()
                .map(|r| json!({"file": report.path(&r.span.file), "line": r.span.line, "column": r.span.column, "message": r.message}))
                .collect();
            v
        })
        .collect();
    let doc = json!({
        "version": 1,
        "summary": {
            "entities": report.entities,
            "files": report.files.len(),
            "errors": errors,
            "warnings": warnings,
        },
        "diagnostics": diagnostics,
    });
    let mut doc = doc;
    if let Some(sc) = report.scorecards {
        doc["scorecards"] = json!(sc.scorecards.iter().map(|s| json!({
            "id": s.id, "title": s.title, "levels": s.levels, "enforcement": s.enforcement,
            "checks": s.checks.iter().map(|c| json!({"id": c.id, "title": c.title, "level": c.level, "weight": c.weight, "enforcement": c.enforcement})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>());
        doc["standings"] = json!(sc.standings);
        doc["waivers"] = json!(sc.waivers);
    }
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
