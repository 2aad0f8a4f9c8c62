//! Renderers turn a list of diagnostics into each `--format`.
//!
//! Every renderer is a pure function of a [`Report`], so output is
//! deterministic and testable without a terminal.

mod github;
mod human;
mod json;
mod junit;
mod markdown;
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
    /// Scorecard standings, when scorecards ran.
    pub scorecards: Option<&'a crate::scorecard::Scorecards>,
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
