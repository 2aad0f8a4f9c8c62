//! Repository files next to an entity (README, CODEOWNERS, runbook), which
//! policies ask about and the panel shows. Entities in one folder share
//! them, so they are worked out once per folder.

use crate::source::{Kind, Source};

/// The facts and the file names that answer each, in order of preference.
pub const FILES: &[(&str, &[&str])] = &[
    (
        "readme",
        &["README.md", "README", "readme.md", "README.rst"],
    ),
    (
        "codeowners",
        &["CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"],
    ),
    ("runbook", &["RUNBOOK.md", "runbook.md", "docs/runbook.md"]),
];

/// Which of [`FILES`] a folder has: for each fact, the first file found
/// (relative to ROOT).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Repo {
    pub found: Vec<(&'static str, Option<String>)>,
}

impl Repo {
    pub fn file(&self, fact: &str) -> Option<&str> {
        self.found
            .iter()
            .find(|(f, _)| *f == fact)
            .and_then(|(_, p)| p.as_deref())
    }
}

/// Looks at one folder. One listing answers the top-level names;
/// subfolders (`.github/`, `docs/`) are only looked into when they exist.
pub fn facts(source: &dyn Source, dir: &str) -> Repo {
    let listing = source.list(dir).unwrap_or_default();
    let has = |name: &str, kind: Kind| listing.iter().any(|e| e.name == name && e.kind == kind);
    let path = |name: &str| {
        if dir.is_empty() {
            name.to_owned()
        } else {
            format!("{dir}/{name}")
        }
    };
    let exists = |name: &str| match name.split_once('/') {
        None => has(name, Kind::File),
        Some((sub, _)) => {
            (has(sub, Kind::Dir) || has(sub, Kind::LinkDir)) && source.is_file(&path(name))
        }
    };
    Repo {
        found: FILES
            .iter()
            .map(|(fact, names)| (*fact, names.iter().find(|n| exists(n)).map(|n| path(n))))
            .collect(),
    }
}
