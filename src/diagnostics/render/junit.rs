//! JUnit XML: one test case per catalog file, failing when the file has
//! errors. CI systems that understand JUnit then show failures per file.

use super::Report;
use crate::diagnostics::{Diagnostic, Severity};
use std::collections::BTreeMap;
use std::fmt::Write;

use crate::escape::{terminal, xml as xml_escape};

/// One diagnostic as text. Catalog text in it (paths, messages, help)
/// goes through [`terminal`], so a value never starts a line of its own
/// when a CI log prints the report; the newlines between parts are ours.
fn describe(report: &Report, d: &Diagnostic) -> String {
    let mut s = String::new();
    if let Some(span) = &d.span {
        let _ = write!(
            s,
            "{}:{}:{}: ",
            terminal(&report.path(&span.file)),
            span.line,
            span.column
        );
    }
    let _ = write!(
        s,
        "{} [{} {}]",
        terminal(&d.message),
        d.code.code(),
        d.code.slug()
    );
    if let Some(h) = &d.help {
        let _ = write!(s, "\nhelp: {}", terminal(h));
    }
    s
}

pub fn render(report: &Report) -> String {
    // Each diagnostic with whether the baseline knows it: a known error
    // does not fail its test case, but it is still listed.
    let mut by_file: BTreeMap<String, Vec<(&Diagnostic, bool)>> = report
        .files
        .iter()
        .map(|f| (f.clone(), Vec::new()))
        .collect();
    for (i, d) in report.diagnostics.iter().enumerate() {
        let file = super::repo_span(d).map_or_else(|| "portolan".to_owned(), |s| s.file.clone());
        by_file
            .entry(file)
            .or_default()
            .push((d, report.is_baselined(i)));
    }
    let failures = by_file
        .values()
        .filter(|ds| {
            ds.iter()
                .any(|(d, known)| !known && d.severity == Severity::Error)
        })
        .count();
    let tests = by_file.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"portolan check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"catalog\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">"
    );
    for (file, ds) in &by_file {
        let name = xml_escape(&terminal(&report.path(file)));
        let errors: Vec<&Diagnostic> = ds
            .iter()
            .filter(|(d, known)| !known && d.severity == Severity::Error)
            .map(|(d, _)| *d)
            .collect();
        let others: Vec<String> = ds
            .iter()
            .filter(|(d, known)| *known || d.severity == Severity::Warning)
            .map(|(d, known)| {
                let label = if *known { "baselined " } else { "" };
                format!("{label}{}: {}", d.severity.as_str(), describe(report, d))
            })
            .collect();
        if errors.is_empty() && others.is_empty() {
            let _ = writeln!(
                out,
                "    <testcase classname=\"portolan.catalog\" name=\"{name}\"/>"
            );
            continue;
        }
        let _ = writeln!(
            out,
            "    <testcase classname=\"portolan.catalog\" name=\"{name}\">"
        );
        if let Some(first) = errors.first() {
            let body: Vec<String> = errors.iter().map(|d| describe(report, d)).collect();
            let _ = writeln!(
                out,
                "      <failure type=\"{} {}\" message=\"{}\">{}</failure>",
                first.code.code(),
                first.code.slug(),
                xml_escape(&format!(
                    "{} error(s); first: {}",
                    errors.len(),
                    terminal(&first.message)
                )),
                xml_escape(&body.join("\n\n"))
            );
        }
        if !others.is_empty() {
            let _ = writeln!(
                out,
                "      <system-out>{}</system-out>",
                xml_escape(&others.join("\n\n"))
            );
        }
        let _ = writeln!(out, "    </testcase>");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
