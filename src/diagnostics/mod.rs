//! Diagnostics: what every stage returns instead of printing.
//!
//! A diagnostic carries a stable code, a severity, the file:line:col of the
//! offending value and a help line. The CLI picks a renderer (see
//! [`render`]); stages never print.

pub mod baseline;
mod codes;
pub mod render;

pub use codes::Code;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How bad a finding is. The order matters: errors sort first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Where a diagnostic points: a file relative to the catalog root (always
/// with `/` separators, so output is the same on every OS) and a 1-based
/// line and column. `len` is the width of the offending value in characters
/// (0 when unknown).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub file: String,
    pub line: u32,
    pub column: u32,
    #[serde(skip)]
    pub len: u32,
}

impl Span {
    pub fn new(file: impl Into<String>, line: u32, column: u32) -> Self {
        Span {
            file: file.into(),
            line,
            column,
            len: 0,
        }
    }

    /// A span covering a whole file (for problems that have no better place).
    pub fn file(file: impl Into<String>) -> Self {
        Span::new(file, 1, 1)
    }

    pub fn at(file: &str, pos: Pos) -> Self {
        Span {
            file: file.to_owned(),
            line: pos.line.max(1),
            column: pos.col.max(1),
            len: pos.len,
        }
    }
}

/// 1-based line and column (in characters) of a node, plus its length in
/// characters when it is known (used to size the caret under a value).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
    pub len: u32,
}

impl Pos {
    pub fn new(line: u32, col: u32) -> Self {
        Pos { line, col, len: 0 }
    }
}

/// A secondary location, for example the first definition of a duplicate.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub span: Option<Span>,
    pub help: Option<String>,
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// A diagnostic at the code's default severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: code.default_severity(),
            code,
            message: message.into(),
            span: None,
            help: None,
            related: Vec::new(),
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    fn sort_key(&self) -> (Option<&Span>, &str, &str) {
        (self.span.as_ref(), self.code.code(), &self.message)
    }
}

/// Severity overrides per code, from `[diagnostics]` in portolan.toml.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeverityOverrides(pub BTreeMap<Code, Level>);

/// What a user may set a diagnostic to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warn,
    Allow,
}

impl SeverityOverrides {
    /// Applies overrides (dropping `allow`ed diagnostics) and sorts the list
    /// by file, line, column and code so output is deterministic.
    pub fn apply(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = diagnostics
            .into_iter()
            .filter_map(|mut d| {
                match self.0.get(&d.code) {
                    Some(Level::Allow) => return None,
                    Some(Level::Warn) => d.severity = Severity::Warning,
                    Some(Level::Error) => d.severity = Severity::Error,
                    None => {}
                }
                Some(d)
            })
            .collect();
        sort(&mut out);
        out
    }
}

/// Sorts diagnostics into their canonical order and removes exact duplicates.
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
}

/// Counts by severity.
pub fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (errors, diagnostics.len() - errors)
}
