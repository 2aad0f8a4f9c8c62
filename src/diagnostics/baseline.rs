//! The baseline: today's diagnostics recorded in `portolan-baseline.json`,
//! so a catalog with thousands of known problems can adopt the gate and
//! fail only on new ones (the way detekt, PHPStan and RuboCop do it).
//!
//! A problem is identified by its **code**, its **subject** (the entity the
//! diagnostic sits in, or its file when it sits in no entity) and its
//! **message** with positions taken out. Line numbers are deliberately not
//! part of the key: an edit elsewhere in the file shifts every line below
//! it, and a baseline that broke on every edit would be thrown away. An
//! entity that moves to another file keeps its baselined problems. For
//! `E0300 check-failed` only the check's id counts, because the rest of
//! the message is the policy's own text, which may change with the data
//! (dates, counts) while the problem stays the same.
//!
//! The same problem can occur more than once with one key (two identical
//! dangling refs in one entity); the file stores a count, and each
//! occurrence uses up one. A baselined error also covers the same problem
//! as a warning (a severity lowered in portolan.toml), but a baselined
//! warning does not cover an error: when an advisory check becomes required
//! (staged enforcement), the failure is new and fails the run.
//!
//! This module only deals with diagnostics. Which entity a diagnostic sits
//! in is decided by the caller (`portolan::baseline`, which knows the
//! catalog), and the file is read through the run's `Source` there.

use super::{Code, Diagnostic, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The baseline's file name, at the catalog root.
pub const FILE: &str = "portolan-baseline.json";

/// The file is untrusted input; a baseline of a very large catalog is a few
/// megabytes, so this leaves room without letting the file exhaust memory.
pub const MAX_BYTES: u64 = 32 * 1024 * 1024;

/// The format version written into the file.
const VERSION: u32 = 1;

/// One recorded problem, as stored in the file. Sorted by file, entity,
/// code, severity and message, so the file diffs well in review.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    /// The file the problem was in (informative when `entity` is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The entity the problem was in, like `component:default/payments`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    /// The stable code, like `E0103`.
    pub code: String,
    pub severity: Severity,
    /// The message as it was printed (matched with positions taken out).
    pub message: String,
    /// How many times the problem occurred.
    #[serde(default = "one")]
    pub count: usize,
}

fn one() -> usize {
    1
}

#[derive(Serialize, Deserialize)]
struct Doc {
    version: u32,
    problems: Vec<Entry>,
}

/// Why the baseline file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("it is not a valid baseline: {0}")]
    Json(#[from] serde_json::Error),
    #[error("its version is {0}, and this Portolan reads version {VERSION}")]
    Version(u32),
}

impl BaselineError {
    /// The 1-based line and column of a JSON syntax or shape error.
    pub fn position(&self) -> Option<(u32, u32)> {
        match self {
            BaselineError::Json(e) if e.line() > 0 => Some((
                u32::try_from(e.line()).unwrap_or(u32::MAX),
                u32::try_from(e.column().max(1)).unwrap_or(u32::MAX),
            )),
            _ => None,
        }
    }
}

/// What identifies a problem across runs: code, subject, normalized message.
type Key = (String, String, String);

/// A parsed baseline: how many occurrences of each problem are known, per
/// severity, plus the entries as stored (to report the fixed ones).
#[derive(Debug, Default)]
pub struct Baseline {
    known: BTreeMap<(Key, Severity), Vec<Entry>>,
}

/// The result of comparing a run with the baseline.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Matched {
    /// Parallel to the run's diagnostics: true when the baseline knows it.
    pub known: Vec<bool>,
    /// Recorded problems that no longer occur, sorted: the file can shrink.
    pub fixed: Vec<Entry>,
}

impl Matched {
    /// How many of the run's diagnostics are baselined.
    pub fn baselined(&self) -> usize {
        self.known.iter().filter(|k| **k).count()
    }

    /// How many recorded occurrences are gone.
    pub fn fixed_count(&self) -> usize {
        self.fixed.iter().map(|e| e.count).sum()
    }
}

/// Where a diagnostic sits: the entity ref, when it sits in an entity.
pub type Subject<'a> = &'a dyn Fn(&Diagnostic) -> Option<String>;

fn entry(d: &Diagnostic, entity: Option<String>) -> Entry {
    Entry {
        file: d.span.as_ref().map(|s| s.file.clone()),
        entity,
        code: d.code.code().to_owned(),
        severity: d.severity,
        message: d.message.clone(),
        count: 1,
    }
}

fn key(e: &Entry) -> Key {
    let subject = e
        .entity
        .clone()
        .or_else(|| e.file.clone())
        .unwrap_or_default();
    (e.code.clone(), subject, normalize(&e.code, &e.message))
}

/// The message with what moves taken out: positions (`file:12:3`,
/// `line 12`, `column 3`) and, for a failing check, everything but the
/// check's id.
pub fn normalize(code: &str, message: &str) -> String {
    if code == Code::CheckFailed.code()
        && let Some(id) = check_id(message)
    {
        return format!("check `{id}`");
    }
    strip_positions(message)
}

/// `sc/check` from "`ref` fails Title check `sc/check` (level): …".
fn check_id(message: &str) -> Option<&str> {
    let head = message.split("): ").next()?;
    let start = head.rfind(" check `")? + " check `".len();
    let rest = &head[start..];
    rest.find('`').map(|end| &rest[..end])
}

fn strip_positions(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        let after_marker = c == ':'
            || (c == ' '
                && ["line", "column", "col"]
                    .iter()
                    .any(|w| out[..out.len() - 1].ends_with(w)));
        if after_marker && chars.peek().is_some_and(char::is_ascii_digit) {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
            out.push('#');
        }
    }
    out
}

/// The baseline file's text for a run: every diagnostic (the baseline's
/// own `E0009` excepted), grouped and counted, sorted, ending in a newline.
pub fn record(diagnostics: &[Diagnostic], subject: Subject) -> String {
    let mut counted: BTreeMap<Entry, usize> = BTreeMap::new();
    for d in diagnostics
        .iter()
        .filter(|d| d.code != Code::BaselineInvalid)
    {
        *counted.entry(entry(d, subject(d))).or_default() += 1;
    }
    let problems = counted
        .into_iter()
        .map(|(e, count)| Entry { count, ..e })
        .collect();
    let doc = Doc {
        version: VERSION,
        problems,
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Parses a baseline file. Anything malformed is an error, never a panic.
pub fn parse(text: &str) -> Result<Baseline, BaselineError> {
    let doc: Doc = serde_json::from_str(text)?;
    if doc.version != VERSION {
        return Err(BaselineError::Version(doc.version));
    }
    let mut known: BTreeMap<(Key, Severity), Vec<Entry>> = BTreeMap::new();
    for e in doc.problems {
        if e.count > 0 {
            known.entry((key(&e), e.severity)).or_default().push(e);
        }
    }
    Ok(Baseline { known })
}

impl Baseline {
    /// Marks the run's diagnostics the baseline knows. Diagnostics come
    /// sorted, so which occurrence uses up a count is deterministic.
    pub fn apply(mut self, diagnostics: &[Diagnostic], subject: Subject) -> Matched {
        let known = diagnostics
            .iter()
            .map(|d| {
                let k = key(&entry(d, subject(d)));
                let mut wider = vec![d.severity];
                if d.severity == Severity::Warning {
                    wider.push(Severity::Error);
                }
                wider.into_iter().any(|sev| self.take(&k, sev))
            })
            .collect();
        let mut fixed: Vec<Entry> = self.known.into_values().flatten().collect();
        fixed.sort();
        Matched { known, fixed }
    }

    /// Uses up one recorded occurrence of `key` at `sev`, if one is left.
    fn take(&mut self, key: &Key, sev: Severity) -> bool {
        let k = (key.clone(), sev);
        let Some(entries) = self.known.get_mut(&k) else {
            return false;
        };
        if let Some(e) = entries.first_mut() {
            e.count -= 1;
            if e.count == 0 {
                entries.remove(0);
            }
        }
        if entries.is_empty() {
            self.known.remove(&k);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Span;

    fn diag(code: Code, msg: &str, line: u32) -> Diagnostic {
        Diagnostic::new(code, msg).at(Span::new("a.yaml", line, 3))
    }

    #[test]
    fn positions_and_policy_text_are_not_part_of_the_key() {
        assert_eq!(
            normalize("E0004", "bad indent at line 12 column 4 (x.yaml:12:4)"),
            "bad indent at line # column # (x.yaml:#:#)"
        );
        assert_eq!(
            normalize(
                "E0300",
                "`component:default/a` fails Docs check `docs/readme` (bronze): 3 days old"
            ),
            "check `docs/readme`"
        );
        assert_eq!(
            normalize("E0103", "`owner: team-2` is missing"),
            "`owner: team-2` is missing"
        );
    }

    #[test]
    fn a_recorded_run_is_fully_known_even_after_lines_shift() {
        let none = |_: &Diagnostic| None;
        let run = vec![
            diag(Code::DanglingRef, "x", 4),
            diag(Code::DanglingRef, "x", 9),
            diag(Code::UnknownKind, "y", 2),
        ];
        let base = parse(&record(&run, &none)).unwrap();
        let shifted: Vec<_> = run
            .iter()
            .cloned()
            .map(|mut d| {
                d.span.as_mut().unwrap().line += 5;
                d
            })
            .collect();
        let m = base.apply(&shifted, &none);
        assert_eq!(m.known, vec![true, true, true]);
        assert!(m.fixed.is_empty());
    }

    #[test]
    fn counts_are_used_up_and_leftovers_are_fixed() {
        let none = |_: &Diagnostic| None;
        let two = vec![
            diag(Code::DanglingRef, "x", 4),
            diag(Code::DanglingRef, "x", 9),
        ];
        let base = parse(&record(&two, &none)).unwrap();
        let m = base.apply(&two[..1], &none);
        assert_eq!(m.known, vec![true]);
        assert_eq!(m.fixed_count(), 1);
        let base = parse(&record(&two[..1], &none)).unwrap();
        let m = base.apply(&two, &none);
        assert_eq!(m.known, vec![true, false]);
    }

    #[test]
    fn a_baselined_warning_does_not_cover_an_error() {
        let none = |_: &Diagnostic| None;
        let mut warn = diag(Code::CheckFailed, "`a` fails T check `t/c` (bronze): no", 1);
        warn.severity = Severity::Warning;
        let mut err = warn.clone();
        err.severity = Severity::Error;
        let m = parse(&record(std::slice::from_ref(&warn), &none))
            .unwrap()
            .apply(std::slice::from_ref(&err), &none);
        assert_eq!(m.known, vec![false]);
        let m = parse(&record(std::slice::from_ref(&err), &none))
            .unwrap()
            .apply(std::slice::from_ref(&warn), &none);
        assert_eq!(m.known, vec![true]);
    }

    #[test]
    fn the_entity_beats_the_file() {
        let d = diag(Code::DanglingRef, "x", 4);
        let mut moved = d.clone();
        moved.span.as_mut().unwrap().file = "b.yaml".into();
        let ent = |_: &Diagnostic| Some("component:default/a".to_owned());
        let m = parse(&record(std::slice::from_ref(&d), &ent))
            .unwrap()
            .apply(&[moved], &ent);
        assert_eq!(m.known, vec![true]);
    }

    #[test]
    fn malformed_files_are_errors_not_panics() {
        for bad in [
            "",
            "{",
            "[]",
            "{\"version\": 2, \"problems\": []}",
            "{\"version\": 1, \"problems\": [{\"code\": 3}]}",
            "{\"version\": 1, \"problems\": [{\"code\": \"E0103\", \"severity\": \"fatal\", \"message\": \"m\"}]}",
            "{\"version\": 1, \"problems\": [{\"code\": \"E0103\", \"severity\": \"error\", \"message\": \"m\", \"count\": -1}]}",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("{\"version\": 1, \"problems\": []}").is_ok());
    }
}
