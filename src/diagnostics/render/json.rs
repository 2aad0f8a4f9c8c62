//! Machine-readable output; the shape is versioned (`version`) so tools can rely on it.
//!
//! Serialized straight from borrowed structs rather than through a
//! `serde_json::Value` tree: a 100k-entity catalog yields hundreds of
//! thousands of diagnostics and standings, and the tree doubled the memory.

use super::Report;
use crate::diagnostics::Diagnostic;
use crate::diagnostics::baseline::{self, Entry};
use serde::Serialize;

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    summary: Summary,
    diagnostics: Vec<Diag<'a>>,
    /// Only when the catalog has a baseline: its file and the recorded
    /// problems that no longer occur.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<Baseline<'a>>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    section: Option<Box<dyn erased_serde::Serialize + 'a>>,
}

#[derive(Serialize)]
struct Summary {
    entities: usize,
    files: usize,
    /// Errors and warnings not in the baseline: what the exit code counts.
    errors: usize,
    warnings: usize,
    /// Diagnostics the baseline knows (present only with a baseline).
    #[serde(skip_serializing_if = "Option::is_none")]
    baselined: Option<usize>,
}

#[derive(Serialize)]
struct Baseline<'a> {
    file: &'static str,
    baselined: usize,
    fixed: &'a [Entry],
}

#[derive(Serialize)]
struct Diag<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<u32>,
    related: Vec<Related<'a>>,
    /// True when the baseline knows it (then it does not fail the run).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    baselined: bool,
}

#[derive(Serialize)]
struct Related<'a> {
    file: String,
    line: u32,
    column: u32,
    message: &'a str,
}

fn diag<'a>(report: &Report, d: &'a Diagnostic, baselined: bool) -> Diag<'a> {
    Diag {
        code: d.code.code(),
        name: d.code.slug(),
        severity: d.severity.as_str(),
        message: &d.message,
        help: d.help.as_deref(),
        file: d.span.as_ref().map(|s| report.path(&s.file)),
        line: d.span.as_ref().map(|s| s.line),
        column: d.span.as_ref().map(|s| s.column),
        related: d
            .related
            .iter()
            .map(|r| Related {
                file: report.path(&r.span.file),
                line: r.span.line,
                column: r.span.column,
                message: &r.message,
            })
            .collect(),
        baselined,
    }
}

pub fn render(report: &Report) -> String {
    let (errors, warnings) = report.counts();
    let doc = Doc {
        version: 1,
        summary: Summary {
            entities: report.entities,
            files: report.files.len(),
            errors,
            warnings,
            baselined: report.baseline.map(|_| report.baselined()),
        },
        diagnostics: report
            .diagnostics
            .iter()
            .enumerate()
            .map(|(i, d)| diag(report, d, report.is_baselined(i)))
            .collect(),
        baseline: report.baseline.map(|m| Baseline {
            file: baseline::FILE,
            baselined: m.baselined(),
            fixed: &m.fixed,
        }),
        section: report.scorecards.map(|s| s.json()),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
