//! Renderers turn a list of diagnostics into each `--format`.
//!
//! Every renderer is a pure function of a [`Report`], so output is
//! deterministic and testable without a terminal.

mod github;
mod human;
mod json;
mod junit;
pub mod markdown;
mod sarif;

use super::baseline::Matched;
use super::{Code, Diagnostic, Severity};
use std::path::Path;

pub use github::render as github;
pub use human::render as human;
pub use json::render as json;
pub use junit::render as junit;
pub use markdown::render as markdown;
pub use sarif::render as sarif;

/// Everything a renderer needs.
pub struct Report<'a> {
    /// The catalog root as the user typed it; file names in output are
    /// prefixed with it so that they are valid from the working directory
    /// (which is what GitHub annotations and SARIF viewers expect).
    pub root: &'a Path,
    pub diagnostics: &'a [Diagnostic],
    pub entities: usize,
    /// Every file that was read, relative to the root.
    pub files: &'a [String],
    /// What a later stage adds (the scorecards' standings), when it ran.
    pub scorecards: Option<&'a dyn Section>,
    /// Reads a catalog file for quoting a snippet (through the run's
    /// source, so nothing outside ROOT is quoted); `None` if unreadable.
    pub quote: &'a dyn Fn(&str) -> Option<String>,
    /// `--scorecard-details`: the human format lists every failing check
    /// instead of a summary per scorecard.
    pub scorecard_details: bool,
    /// How the run compares with the catalog's baseline, when it has one.
    pub baseline: Option<&'a Matched>,
}

/// A part of a report that a stage contributes beyond diagnostics. The
/// diagnostics module imports no stage: the scorecards implement this
/// next to themselves (`scorecard::report`).
pub trait Section {
    /// Lines printed before the human format's closing summary. Without
    /// `details` it also names the checks that fail most, because the
    /// failures themselves are not listed one by one.
    fn human(&self, details: bool) -> String;
    /// A Markdown section for the PR summary.
    fn markdown(&self) -> String;
    /// Members added to the JSON document, serialized in place.
    fn json(&self) -> Box<dyn erased_serde::Serialize + '_>;
}

/// A built-in policy's diagnostics name `<builtin>/…`, a file the
/// repository does not have.
pub fn is_builtin(file: &str) -> bool {
    file.starts_with("<builtin>")
}

/// Where a CI tool can point at `d` in the repository: its span, unless
/// that is a built-in policy (then the diagnostic is about the run).
pub fn repo_span(d: &Diagnostic) -> Option<&crate::diagnostics::Span> {
    d.span.as_ref().filter(|s| !is_builtin(&s.file))
}

impl<'a> Report<'a> {
    /// The path of a catalog file as shown to users.
    pub fn path(&self, file: &str) -> String {
        let root = self.root.to_string_lossy();
        let root = root.trim_end_matches('/');
        if root.is_empty() || root == "." || is_builtin(file) {
            file.to_owned()
        } else if file.is_empty() {
            root.to_owned()
        } else {
            format!("{root}/{file}")
        }
    }

    /// True when the baseline knows the `i`th diagnostic.
    pub fn is_baselined(&self, i: usize) -> bool {
        self.baseline
            .is_some_and(|m| m.known.get(i).copied().unwrap_or(false))
    }

    /// The diagnostics the baseline does not know: what the run is about.
    pub fn fresh(&self) -> impl Iterator<Item = &'a Diagnostic> + '_ {
        self.diagnostics
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.is_baselined(*i))
            .map(|(_, d)| d)
    }

    /// Errors and warnings that are not baselined (the exit code's errors).
    pub fn counts(&self) -> (usize, usize) {
        let errors = self
            .fresh()
            .filter(|d| d.severity == Severity::Error)
            .count();
        (errors, self.fresh().count() - errors)
    }

    /// How many diagnostics the baseline knows.
    pub fn baselined(&self) -> usize {
        self.baseline.map_or(0, Matched::baselined)
    }

    /// "3 errors, 1 warning" / "no problems" / "1 error, 40 baselined".
    pub fn summary(&self) -> String {
        let (errors, warnings) = self.counts();
        let fresh = match (errors, warnings) {
            (0, 0) if self.baselined() > 0 => "no new problems".to_owned(),
            (0, 0) => "no problems".to_owned(),
            (e, 0) => plural(e, "error"),
            (0, w) => plural(w, "warning"),
            (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
        };
        match self.baselined() {
            0 => fresh,
            n => format!("{fresh}, {n} baselined"),
        }
    }

    /// A sentence about baselined problems that no longer occur, or `None`.
    pub fn fixed_note(&self) -> Option<String> {
        let n = self.baseline.map_or(0, Matched::fixed_count);
        (n > 0).then(|| {
            format!(
                "{} in {} no longer {}; run `portolan check --write-baseline` to shrink it",
                plural(n, "baselined problem"),
                super::baseline::FILE,
                if n == 1 { "occurs" } else { "occur" }
            )
        })
    }

    pub fn scope(&self) -> String {
        format!(
            "{} in {}",
            plural(self.entities, "entity"),
            plural(self.files.len(), "file")
        )
    }
}

/// True for a failing scorecard check (`E0300`), which the human and
/// GitHub formats rank after the catalog's own problems.
pub fn is_check_failure(d: &Diagnostic) -> bool {
    d.code == Code::CheckFailed
}

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else if let Some(stem) = word.strip_suffix('y') {
        format!("{n} {stem}ies")
    } else {
        format!("{n} {word}s")
    }
}
