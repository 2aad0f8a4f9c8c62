//! A Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

use super::Report;
use crate::diagnostics::Severity;
use std::fmt::Write;

/// Rows beyond this are summarised: a PR comment has a size limit.
const MAX_ROWS: usize = 200;

/// Escapes text for a table cell: no HTML, no column breaks, no line breaks.
fn cell(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace('\r', "")
        .replace('\n', "<br>")
}

/// One row per entity, one column per scorecard: level and score.
fn levels_table(sc: &crate::scorecard::Scorecards) -> String {
    use std::collections::BTreeMap;
    if sc.standings.is_empty() {
        return String::new();
    }
    let mut rows: BTreeMap<String, BTreeMap<&str, String>> = BTreeMap::new();
    for s in &sc.standings {
        let cell = format!("{} ({:.0}%)", s.level.as_deref().unwrap_or("—"), s.score);
        rows.entry(s.entity.to_string())
            .or_default()
            .insert(s.scorecard.as_str(), cell);
    }
    let cards: Vec<_> = sc
        .scorecards
        .iter()
        .filter(|c| sc.standings.iter().any(|s| s.scorecard == c.id))
        .collect();
    let mut out = String::from("### Scorecard levels\n\n| Entity |");
    for c in &cards {
        let _ = write!(out, " {} |", cell(&c.title));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(cards.len()));
    out.push('\n');
    for (entity, cells) in rows.iter().take(MAX_ROWS) {
        let _ = write!(out, "| `{}` |", cell(entity));
        for c in &cards {
            let _ = write!(
                out,
                " {} |",
                cells.get(c.id.as_str()).map_or("", String::as_str)
            );
        }
        out.push('\n');
    }
    if rows.len() > MAX_ROWS {
        let _ = writeln!(out, "\n…and {} more entities.", rows.len() - MAX_ROWS);
    }
    out.push('\n');
    out
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
        out.push_str(&levels_table(sc));
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
