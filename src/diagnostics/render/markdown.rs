//! A Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

use super::{Report, is_check_failure};
use crate::diagnostics::{Diagnostic, Severity};
use std::fmt::Write;

/// Rows beyond this are summarised: a PR comment has a size limit.
const MAX_ROWS: usize = 200;

/// Escapes text for a table cell: no HTML, no column breaks, no line breaks.
pub fn cell(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace('\r', "")
        .replace('\n', "<br>")
}

pub fn render(report: &Report) -> String {
    let (errors, _) = report.counts();
    let mut out = String::new();
    let icon = if errors > 0 {
        "❌"
    } else if report.fresh().next().is_none() {
        "✅"
    } else {
        "⚠️"
    };
    let _ = writeln!(
        out,
        "## {icon} Portolan catalog check: {}\n",
        report.summary()
    );
    let _ = writeln!(out, "Checked {}.\n", report.scope());
    if let Some(sc) = report.scorecards {
        out.push_str(&sc.markdown());
    }
    if report.baselined() > 0 {
        let _ = writeln!(
            out,
            "{} known problems are in `{}` and not listed.\n",
            report.baselined(),
            crate::diagnostics::baseline::FILE
        );
    }
    if let Some(note) = report.fixed_note() {
        let _ = writeln!(out, "🎉 {}.\n", cell(&note));
    }
    // The catalog's own problems first: failing scorecard checks can
    // number in the thousands and would push them past the row limit.
    let mut rows: Vec<&Diagnostic> = report.fresh().collect();
    rows.sort_by_key(|d| is_check_failure(d));
    if rows.is_empty() {
        return out;
    }
    out.push_str("| Severity | Code | Location | Problem |\n|---|---|---|---|\n");
    for d in rows.iter().take(MAX_ROWS) {
        let sev = match d.severity {
            Severity::Error => "❌ error",
            Severity::Warning => "⚠️ warning",
        };
        let loc = d.span.as_ref().map_or_else(String::new, |s| {
            format!("`{}:{}:{}`", cell(&report.path(&s.file)), s.line, s.column)
        });
        let mut problem = cell(&d.message);
        if let Some(h) = &d.help {
            let _ = write!(problem, "<br>*help:* {}", cell(h));
        }
        let _ = writeln!(
            out,
            "| {sev} | `{}` {} | {loc} | {problem} |",
            d.code.code(),
            d.code.slug()
        );
    }
    if rows.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "\n…and {} more. Run `portolan check --format json` for the full list.",
            rows.len() - MAX_ROWS
        );
    }
    out
}
