//! What one load of the catalog keeps for the next load in the same
//! process: `serve` loads the catalog again after every save, and most
//! files did not change.
//!
//! A file's parse (its entities before placeholders are substituted, its
//! diagnostics) depends on its bytes and on `portolan.toml` only, so it is
//! kept until the watcher reports the file, a folder above it, or the file
//! a symlink to it leads to. Placeholders (`$text`, `$yaml`, `$json`) read
//! other files and are substituted again on every load, as are Location
//! targets. The list of catalog files is kept until a reported path is not
//! a file on it any more, or a new one (created, removed, renamed). A
//! change to `portolan.toml` starts a new cache (the session's `Scope::Everything`).

use super::FileLoad;
use super::discover::{Discovered, FileEntry};
use crate::source::Source;
use std::collections::{BTreeSet, HashMap, HashSet};

#[derive(Default)]
pub struct Cache {
    discovered: Option<Discovered>,
    /// Parses by file, with the file a symlink leads to.
    parses: HashMap<String, (Option<String>, FileLoad)>,
    /// Files parsed again by the last load (tests check what was kept).
    parsed: usize,
}

impl Cache {
    /// Forgets what the saved `changed` paths (relative to ROOT, as the
    /// watcher reports them) may have changed. Returns whether the file
    /// list was kept: every path is a catalog file that existed before and
    /// still does, so no file was created or removed.
    pub fn forget(&mut self, source: &dyn Source, changed: &BTreeSet<String>) -> bool {
        if let Some(d) = &self.discovered {
            let listed: HashSet<&str> = d.files.iter().map(|f| f.rel.as_str()).collect();
            if changed
                .iter()
                .any(|p| !listed.contains(p.as_str()) || !source.is_file(p))
            {
                self.discovered = None;
            }
        }
        let touched = |path: &str| changed.iter().any(|c| crate::source::is_under(path, c));
        self.parses
            .retain(|rel, (real, _)| !touched(rel) && !real.as_deref().is_some_and(touched));
        self.discovered.is_some()
    }

    /// How many files the last load parsed (the others were kept).
    pub fn parsed(&self) -> usize {
        self.parsed
    }

    /// The file list, discovered by `discover` unless it is kept.
    pub(super) fn discovered(&mut self, discover: impl FnOnce() -> Discovered) -> Discovered {
        self.discovered.get_or_insert_with(discover).clone()
    }

    pub(super) fn parses(&self) -> &HashMap<String, (Option<String>, FileLoad)> {
        &self.parses
    }

    /// Keeps this load's parses (`true` marks one that was reused) of the
    /// files `files`, and only those.
    pub(super) fn keep(&mut self, files: &[FileEntry], loads: &[(FileLoad, bool)]) {
        let listed: HashSet<&str> = files.iter().map(|f| f.rel.as_str()).collect();
        self.parses.retain(|rel, _| listed.contains(rel.as_str()));
        self.parsed = 0;
        for (f, (load, reused)) in files.iter().zip(loads) {
            if !reused {
                self.parsed += 1;
                self.parses
                    .insert(f.rel.clone(), (f.real.clone(), load.clone()));
            }
        }
    }
}
