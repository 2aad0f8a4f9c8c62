//! rustc-style output: a source snippet with a caret under the bad value.

use super::{Report, is_check_failure, plural};
use crate::diagnostics::{Diagnostic, Severity, Span};
use crate::escape::terminal;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::collections::BTreeMap;

/// Fixed baseline entries listed by name; the rest are counted.
const MAX_FIXED: usize = 10;

pub fn render(report: &Report, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let shown = shown(report);
    let mut sources: BTreeMap<&str, Option<String>> = BTreeMap::new();
    for d in &shown {
        for span in d.span.iter().chain(d.related.iter().map(|r| &r.span)) {
            sources
                .entry(&span.file)
                .or_insert_with(|| read_source(report, &span.file));
        }
    }
    let mut out = String::new();
    for d in &shown {
        out.push_str(&renderer.render(&[group(report, d, &sources)]));
        out.push_str("\n\n");
    }
    if let Some(sc) = report.scorecards {
        out.push_str(&sc.human(report.scorecard_details));
    }
    let hidden = report.fresh().count() - shown.len();
    if hidden > 0 {
        let note = format!(
            "{} summarised above; `--scorecard-details` lists each one",
            plural(hidden, "advisory check failure")
        );
        out.push_str(&renderer.render(&[Group::with_title(Level::NOTE.primary_title(note))]));
        out.push_str("\n\n");
    }
    out.push_str(&fixed(report));
    out.push_str(&closing(report, &renderer));
    out
}

/// What is printed one by one: the catalog's own problems first, then the
/// failing scorecard checks. Without `--scorecard-details` only the
/// required ones (errors, which fail the run) are listed; the advisory
/// ones are summarised per scorecard, because on a real catalog they
/// number in the thousands and would bury everything else. Baselined
/// problems are left out: they are known.
fn shown<'a>(report: &Report<'a>) -> Vec<&'a Diagnostic> {
    let (checks, mut out): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
        report.fresh().partition(|d| is_check_failure(d));
    out.extend(
        checks
            .into_iter()
            .filter(|d| report.scorecard_details || d.severity == Severity::Error),
    );
    out
}

/// Baselined problems that no longer occur, so the file can shrink.
fn fixed(report: &Report) -> String {
    let (Some(note), Some(m)) = (report.fixed_note(), report.baseline) else {
        return String::new();
    };
    let mut out = format!("note: {note}:\n");
    for e in m.fixed.iter().take(MAX_FIXED) {
        let subject = e.entity.as_deref().or(e.file.as_deref()).unwrap_or("-");
        let times = if e.count > 1 {
            format!(" ({}×)", e.count)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "  {} {}: {}{times}\n",
            terminal(&e.code),
            terminal(subject),
            terminal(&e.message)
        ));
    }
    if m.fixed.len() > MAX_FIXED {
        out.push_str(&format!(
            "  …and {} more (`--format json` lists them all)\n",
            m.fixed.len() - MAX_FIXED
        ));
    }
    out.push('\n');
    out
}

/// The closing line: every diagnostic counted, summarised or not.
fn closing(report: &Report, renderer: &Renderer) -> String {
    let (errors, warnings) = report.counts();
    let level = if errors > 0 {
        Level::ERROR
    } else if warnings == 0 {
        Level::NOTE
    } else {
        Level::WARNING
    };
    let title = if report.diagnostics.is_empty() {
        format!("checked {}: no problems found", report.scope())
    } else {
        format!("checked {}: {}", report.scope(), report.summary())
    };
    let mut out = renderer.render(&[Group::with_title(level.primary_title(title))]);
    out.push('\n');
    out
}

fn read_source(report: &Report, file: &str) -> Option<String> {
    if file.starts_with('<') {
        return None;
    }
    (report.quote)(file)
}

fn level(sev: Severity) -> Level<'static> {
    match sev {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    }
}

/// Byte range of the span in `text`: from its column to the end of the
/// value (or of the line, for multi-line values).
fn byte_range(text: &str, span: &Span) -> Option<std::ops::Range<usize>> {
    let line_start = if span.line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(span.line as usize - 2)?.0 + 1
    };
    let line = &text[line_start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let line = line.strip_suffix('\r').unwrap_or(line);
    let col = span.column.saturating_sub(1) as usize;
    let start = line.char_indices().nth(col).map_or(line.len(), |(i, _)| i);
    let rest = &line[start..];
    let width = if span.len > 0 { span.len as usize } else { 1 };
    let end = rest
        .char_indices()
        .nth(width)
        .map_or(rest.len(), |(i, _)| i);
    let end = if end == 0 {
        rest.chars().next().map_or(0, char::len_utf8)
    } else {
        end
    };
    Some(line_start + start..line_start + start + end)
}

fn group<'a>(
    report: &Report,
    d: &'a Diagnostic,
    sources: &'a BTreeMap<&str, Option<String>>,
) -> Group<'a> {
    let title = level(d.severity)
        .primary_title(terminal(&d.message))
        .id(format!("{} {}", d.code.code(), d.code.slug()));
    let mut elements: Vec<annotate_snippets::Element<'a>> = Vec::new();
    if let Some(span) = &d.span {
        elements.push(snippet(report, span, None, sources, true));
    }
    for rel in &d.related {
        elements.push(snippet(
            report,
            &rel.span,
            Some(terminal(&rel.message)),
            sources,
            false,
        ));
    }
    if let Some(help) = &d.help {
        elements.push(Level::HELP.message(terminal(help)).into());
    }
    title.elements(elements)
}

fn snippet<'a>(
    report: &Report,
    span: &Span,
    label: Option<std::borrow::Cow<'a, str>>,
    sources: &'a BTreeMap<&str, Option<String>>,
    primary: bool,
) -> annotate_snippets::Element<'a> {
    let shown = terminal(&report.path(&span.file)).into_owned();
    let path = format!("{shown}:{}:{}", span.line, span.column);
    match sources
        .get(span.file.as_str())
        .and_then(|s| s.as_deref())
        .and_then(|t| byte_range(t, span).map(|r| (t, r)))
    {
        Some((text, range)) => {
            let kind = if primary {
                AnnotationKind::Primary
            } else {
                AnnotationKind::Context
            };
            Snippet::source(text)
                .path(shown)
                .fold(true)
                .annotation(kind.span(range).label(label))
                .into()
        }
        None => annotate_snippets::Origin::path(path).into(),
    }
}
