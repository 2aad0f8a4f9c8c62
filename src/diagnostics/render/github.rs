//! GitHub Actions workflow commands: diagnostics become annotations on the
//! exact file and line of the pull request, within GitHub's budget.

use super::{Report, is_check_failure, plural};
use crate::diagnostics::{Diagnostic, Severity};
use crate::escape::terminal;
use std::fmt::Write;

/// Escapes the message part of a workflow command. Control and invisible
/// characters in catalog text are shown as escapes first
/// ([`crate::escape::terminal`]); the newlines Portolan puts between a
/// message and its help are GitHub's `%0A`.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`), where `:` and `,` are separators.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub shows at most this many `::error` and this many `::warning`
/// annotations per step and drops the rest without a word, so the renderer
/// chooses which ones are shown and says how many are not.
pub const MAX_PER_LEVEL: usize = 10;

pub fn render(report: &Report) -> String {
    let (errors, warnings) = ranked(report);
    let mut out = String::new();
    for d in errors
        .iter()
        .take(MAX_PER_LEVEL)
        .chain(warnings.iter().take(MAX_PER_LEVEL))
    {
        annotation(&mut out, report, d);
    }
    let left_out =
        errors.len().saturating_sub(MAX_PER_LEVEL) + warnings.len().saturating_sub(MAX_PER_LEVEL);
    if left_out > 0 {
        let note = format!(
            "{} not shown as annotations (GitHub shows at most {MAX_PER_LEVEL} errors and {MAX_PER_LEVEL} warnings per step): run `portolan check --format json` or see the job summary for the full list",
            plural(left_out, "problem")
        );
        let _ = writeln!(
            out,
            "::notice title={}::{}",
            property("portolan check"),
            data(&note)
        );
    }
    let _ = writeln!(
        out,
        "portolan check: {}: {}",
        report.scope(),
        report.summary()
    );
    out
}

/// The errors, then the warnings, each most worth reading first: the
/// catalog's own problems before failing scorecard checks (a broken
/// reference says more than a missing runbook link), in the canonical
/// (sorted) order within each group. Errors include the required checks,
/// so the annotations of a failing run say why it failed. Baselined
/// problems are known and not annotated.
fn ranked<'a>(report: &Report<'a>) -> (Vec<&'a Diagnostic>, Vec<&'a Diagnostic>) {
    let mut fresh: Vec<&Diagnostic> = report.fresh().collect();
    // A stable sort keeps the canonical order within each group.
    // A check that was not judged is about the scorecard run: it goes
    // with the check results (first of them, as it explains the rest).
    fresh
        .sort_by_key(|d| is_check_failure(d) || d.code == crate::diagnostics::Code::CheckNotJudged);
    fresh
        .into_iter()
        .partition(|d| d.severity == Severity::Error)
}

fn annotation(out: &mut String, report: &Report, d: &Diagnostic) {
    let cmd = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let title = property(&format!("{} {}", d.code.code(), d.code.slug()));
    let mut msg = terminal(&d.message).into_owned();
    if let Some(help) = &d.help {
        msg.push_str("\nhelp: ");
        msg.push_str(&terminal(help));
    }
    let _ = match super::repo_span(d) {
        Some(s) => writeln!(
            out,
            "::{cmd} file={},line={},col={},title={title}::{}",
            property(&terminal(&report.path(&s.file))),
            s.line,
            s.column,
            data(&msg)
        ),
        None => writeln!(out, "::{cmd} title={title}::{}", data(&msg)),
    };
}
