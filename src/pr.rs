//! `portolan check --base REV`: what a change does to the catalog.
//!
//! The catalog is evaluated at REV and in the working tree; the two runs'
//! diagnostics are matched by the baseline's key (code, entity or file,
//! message with positions taken out), so a problem that only moved lines
//! is not new. The report lists the problems the change introduces, every
//! error in the files it touches, scorecard level changes with the checks
//! that flipped, and added, removed and renamed entities.

use crate::baseline::Subjects;
use crate::diagnostics::render::markdown::{code, text};
use crate::diagnostics::{Code, Diagnostic, Severity, baseline};
use crate::pipeline::Checked;
use crate::scorecard::eval::Outcome;
use crate::source::Source;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Files larger than this are compared by their size only.
const MAX_COMPARED_BYTES: u64 = 16 * 1024 * 1024;
/// Rows per list in the comment; a PR comment has a size limit.
const MAX_ROWS: usize = 100;

/// One entity's level change on one scorecard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelChange {
    pub entity: String,
    pub scorecard: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// Checks whose outcome flipped: id and whether it passes now.
    pub flipped: Vec<(String, bool)>,
}

/// What the change does.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Parallel to the head run's diagnostics: introduced by the change.
    pub new: Vec<bool>,
    /// Catalog files whose content differs (added, removed or edited).
    pub changed_files: BTreeSet<String>,
    pub levels: Vec<LevelChange>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// (old ref, new ref): removed and added in the same file.
    pub renamed: Vec<(String, String)>,
}

impl Comparison {
    /// Whether head diagnostic `i` belongs in the report's main part: new,
    /// or an error in a file the change touches.
    pub fn relevant(&self, i: usize, d: &Diagnostic) -> bool {
        self.new.get(i).copied().unwrap_or(false)
            || (d.severity == Severity::Error
                && d.span
                    .as_ref()
                    .is_some_and(|s| self.changed_files.contains(&s.file)))
    }

    /// Errors the change introduces (what makes `check --base` exit 1).
    pub fn introduced_errors(&self, head: &[Diagnostic]) -> usize {
        head.iter()
            .zip(&self.new)
            .filter(|(d, new)| **new && d.severity == Severity::Error)
            .count()
    }
}

/// Compares the run at the base revision with the run on the change.
/// A reference left dangling by a removed entity becomes an error in
/// `head` (Backstage accepts dangling refs; a PR should not create them).
pub fn compare(
    base: &Checked,
    base_source: &dyn Source,
    head: &mut Checked,
    head_source: &dyn Source,
) -> Comparison {
    let base_refs: BTreeMap<String, &str> = base
        .loaded
        .catalog
        .entities
        .iter()
        .map(|(r, e)| (r.to_string(), e.file.as_str()))
        .collect();
    let head_refs: BTreeMap<String, &str> = head
        .loaded
        .catalog
        .entities
        .iter()
        .map(|(r, e)| (r.to_string(), e.file.as_str()))
        .collect();
    let mut added: Vec<String> = head_refs
        .keys()
        .filter(|r| !base_refs.contains_key(*r))
        .cloned()
        .collect();
    let mut removed: Vec<String> = base_refs
        .keys()
        .filter(|r| !head_refs.contains_key(*r))
        .cloned()
        .collect();
    let mut renamed = Vec::new();
    removed.retain(|old| {
        let file = base_refs[old];
        match added.iter().position(|new| head_refs[new] == file) {
            Some(i) => {
                renamed.push((old.clone(), added.remove(i)));
                false
            }
            None => true,
        }
    });

    let mut files: BTreeSet<&String> = base.loaded.catalog.files.iter().collect();
    files.extend(head.loaded.catalog.files.iter());
    let changed_files: BTreeSet<String> = files
        .into_iter()
        .filter(|f| {
            base_source.read(f, MAX_COMPARED_BYTES).ok()
                != head_source.read(f, MAX_COMPARED_BYTES).ok()
        })
        .cloned()
        .collect();

    // A removed (or renamed) entity that is still referenced: its dangling
    // refs are errors.
    let vanished: Vec<&String> = removed
        .iter()
        .chain(renamed.iter().map(|(old, _)| old))
        .collect();
    let gone: Vec<String> = vanished.iter().map(|r| format!("`{r}`")).collect();
    for d in &mut head.diagnostics {
        // The message names the missing target by its full ref.
        if d.code == Code::DanglingRef && gone.iter().any(|g| d.message.contains(g.as_str())) {
            d.severity = Severity::Error;
        }
    }

    let base_subjects = Subjects::new(&base.loaded.catalog);
    let head_subjects = Subjects::new(&head.loaded.catalog);
    let recorded = baseline::record(&base.diagnostics, &|d| base_subjects.of(d));
    let new = match baseline::parse(&recorded) {
        Ok(b) => b
            .apply(&head.diagnostics, &|d| head_subjects.of(d))
            .known
            .into_iter()
            .map(|k| !k)
            .collect(),
        Err(_) => vec![true; head.diagnostics.len()],
    };

    let key = |s: &crate::scorecard::Standing| (s.entity.to_string(), s.scorecard.clone());
    let before: BTreeMap<_, _> = base
        .scorecards
        .standings
        .iter()
        .map(|s| (key(s), s))
        .collect();
    let mut levels = Vec::new();
    for s in &head.scorecards.standings {
        let Some(b) = before.get(&key(s)) else {
            continue;
        };
        if b.level == s.level {
            continue;
        }
        let passes = |o: &Outcome| matches!(o, Outcome::Pass);
        let was: BTreeMap<&str, bool> = b
            .checks
            .iter()
            .map(|c| (c.id.as_str(), passes(&c.outcome)))
            .collect();
        let flipped = s
            .checks
            .iter()
            .filter(|c| {
                was.get(c.id.as_str())
                    .is_some_and(|p| *p != passes(&c.outcome))
            })
            .map(|c| (c.id.clone(), passes(&c.outcome)))
            .collect();
        levels.push(LevelChange {
            entity: s.entity.to_string(),
            scorecard: s.scorecard.clone(),
            before: b.level.clone(),
            after: s.level.clone(),
            flipped,
        });
    }
    levels.sort_by(|a, b| (&a.entity, &a.scorecard).cmp(&(&b.entity, &b.scorecard)));
    added.sort();
    renamed.sort();
    Comparison {
        new,
        changed_files,
        levels,
        added,
        removed,
        renamed,
    }
}

fn level(l: &Option<String>) -> String {
    l.as_deref().map_or_else(|| "none".to_owned(), text)
}

fn line(out: &mut String, d: &Diagnostic) {
    let sev = d.severity.as_str();
    let at = d
        .span
        .as_ref()
        .map(|s| format!(" {}", code(&format!("{}:{}", s.file, s.line))))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "- **{sev}** {}{at} {}",
        code(d.code.code()),
        text(&d.message)
    );
}

/// The PR comment: level changes, entity changes, the new problems (and
/// errors in touched files), then the rest folded.
pub fn markdown(rev: &str, head: &[Diagnostic], c: &Comparison) -> String {
    let mut out = String::new();
    let errors = c.introduced_errors(head);
    let main: Vec<&Diagnostic> = head
        .iter()
        .enumerate()
        .filter(|(i, d)| c.relevant(*i, d))
        .map(|(_, d)| d)
        .collect();
    let rest: Vec<&Diagnostic> = head
        .iter()
        .enumerate()
        .filter(|(i, d)| !c.relevant(*i, d))
        .map(|(_, d)| d)
        .collect();
    let _ = writeln!(out, "## Portolan: this change against {}\n", code(rev));
    let _ = writeln!(
        out,
        "{} · {} new or in changed files · {} pre-existing elsewhere · {} files changed\n",
        if errors == 0 {
            "✅ no new errors".to_owned()
        } else {
            format!("❌ {errors} new errors")
        },
        main.len(),
        rest.len(),
        c.changed_files.len()
    );
    if !c.levels.is_empty() {
        out.push_str("### Scorecard levels\n\n| Entity | Scorecard | Before | After | Checks that flipped |\n|---|---|---|---|---|\n");
        for l in c.levels.iter().take(MAX_ROWS) {
            let flipped: Vec<String> = l
                .flipped
                .iter()
                .map(|(id, now)| format!("{} {}", if *now { "✅" } else { "❌" }, text(id)))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                code(&l.entity),
                text(&l.scorecard),
                level(&l.before),
                level(&l.after),
                flipped.join(", ")
            );
        }
        out.push('\n');
    }
    if !(c.added.is_empty() && c.removed.is_empty() && c.renamed.is_empty()) {
        out.push_str("### Entities\n\n");
        for r in c.added.iter().take(MAX_ROWS) {
            let _ = writeln!(out, "- added {}", code(r));
        }
        for r in c.removed.iter().take(MAX_ROWS) {
            let _ = writeln!(out, "- removed {}", code(r));
        }
        for (a, b) in c.renamed.iter().take(MAX_ROWS) {
            let _ = writeln!(out, "- renamed {} → {}", code(a), code(b));
        }
        out.push('\n');
    }
    if !main.is_empty() {
        out.push_str("### New problems and errors in changed files\n\n");
        for d in main.iter().take(MAX_ROWS) {
            line(&mut out, d);
        }
        if main.len() > MAX_ROWS {
            let _ = writeln!(out, "- … and {} more", main.len() - MAX_ROWS);
        }
        out.push('\n');
    }
    if !rest.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} pre-existing problems elsewhere (not caused by this change)</summary>\n",
            rest.len()
        );
        for d in rest.iter().take(MAX_ROWS) {
            line(&mut out, d);
        }
        if rest.len() > MAX_ROWS {
            let _ = writeln!(out, "- … and {} more", rest.len() - MAX_ROWS);
        }
        out.push_str("\n</details>\n");
    }
    out
}
