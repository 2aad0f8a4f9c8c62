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

use super::Diagnostic;
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
}

/// A part of a report that a stage contributes beyond diagnostics. The
/// diagnostics module imports no stage: the scorecards implement this
/// next to themselves (`scorecard::report`).
pub trait Section {
    /// Lines printed before the human format's closing summary.
    fn human(&self) -> String;
    /// A Markdown section for the PR summary.
    fn markdown(&self) -> String;
    /// Members added to the JSON document, serialized in place.
    fn json(&self) -> Box<dyn erased_serde::Serialize + '_>;
}

impl Report<'_> {
    /// The path of a catalog file as shown to users.
    pub fn path(&self, file: &str) -> String {
        let root = self.root.to_string_lossy();
        let root = root.trim_end_matches('/');
        if root.is_empty() || root == "." || file.starts_with("<builtin>") {
            file.to_owned()
        } else if file.is_empty() {
            root.to_owned()
        } else {
            format!("{root}/{file}")
        }
    }

    pub fn counts(&self) -> (usize, usize) {
        super::counts(self.diagnostics)
    }

    /// "3 errors, 1 warning" / "no problems".
    pub fn summary(&self) -> String {
        let (errors, warnings) = self.counts();
        match (errors, warnings) {
            (0, 0) => "no problems".to_owned(),
            (e, 0) => plural(e, "error"),
            (0, w) => plural(w, "warning"),
            (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
        }
    }

    pub fn scope(&self) -> String {
        format!(
            "{} in {}",
            plural(self.entities, "entity"),
            plural(self.files.len(), "file")
        )
    }
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
