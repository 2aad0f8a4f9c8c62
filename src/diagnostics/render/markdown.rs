//! A Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

use super::Report;
use crate::diagnostics::Severity;
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
    } else if report.diagnostics.is_empty() {
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
    if report.diagnostics.is_empty() {
        return out;
    }
    out.push_str("| Severity | Code | Location | Problem |\n|---|---|---|---|\n");
    for d in report.diagnostics.iter().take(MAX_ROWS) {
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
    if report.diagnostics.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "\n…and {} more. Run `portolan check` locally for the full list.",
            report.diagnostics.len() - MAX_ROWS
        );
    }
    out
}
