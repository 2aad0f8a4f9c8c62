//! A Location page's targets, each linked to the entities its file defines.
//!
//! A Location is how a Backstage catalog registers its files, so its page
//! answers "what does this register?". Targets resolve relative to the
//! Location's own file (the way the catalog reads them), a glob matches
//! every file it names, and a remote URL is only linked: Portolan never
//! fetches it.

use super::links::safe_url;
use super::model::{EntityLink, LIST_CAP, SiteModel};
use crate::catalog::Catalog;
use crate::catalog::location::{is_glob, is_remote, join_rel, targets};
use crate::catalog::model::{Entity, EntityRef};
use serde::Serialize;
use std::collections::BTreeMap;

/// The catalog's entities by the file that defines them, each list sorted
/// by ref. Built once per render (or plan), only when a Location needs it.
pub struct FileIndex<'a> {
    by_file: BTreeMap<&'a str, Vec<&'a EntityRef>>,
}

impl<'a> FileIndex<'a> {
    pub fn new(catalog: &'a Catalog) -> Self {
        let mut by_file: BTreeMap<&str, Vec<&EntityRef>> = BTreeMap::new();
        for e in catalog.entities.values() {
            by_file.entry(e.file.as_str()).or_default().push(&e.eref);
        }
        FileIndex { by_file }
    }

    /// The entities defined in the file (or the files a glob matches) that
    /// `target` names, relative to `dir`; sorted by ref.
    fn matching(&self, dir: &str, target: &str) -> Vec<&'a EntityRef> {
        let Some(rel) = join_rel(dir, target) else {
            return Vec::new();
        };
        if !is_glob(target) {
            return self.by_file.get(rel.as_str()).cloned().unwrap_or_default();
        }
        let Ok(glob) = globset::GlobBuilder::new(&rel)
            .literal_separator(true)
            .build()
        else {
            return Vec::new();
        };
        let matcher = glob.compile_matcher();
        let mut refs: Vec<&EntityRef> = self
            .by_file
            .iter()
            .filter(|(file, _)| matcher.is_match(file))
            .flat_map(|(_, refs)| refs.iter().copied())
            .collect();
        refs.sort_unstable();
        refs
    }

    /// Every entity a Location's targets define (what its page reads).
    pub fn registered(&self, e: &Entity) -> Vec<&'a EntityRef> {
        let remote = e.str_at(&["spec", "type"]) == Some("url");
        targets(e)
            .into_iter()
            .filter(|(t, _)| !remote && !is_remote(t))
            .flat_map(|(t, _)| self.matching(e.dir(), t))
            .collect()
    }
}

/// One target of a Location, as its page shows it.
#[derive(Serialize)]
pub struct Target {
    /// As written in `spec.target` or `spec.targets`.
    pub target: String,
    /// The file it names, relative to the catalog root (null for a remote
    /// URL or a path that leaves the root).
    pub path: Option<String>,
    /// A remote target's URL when it is http(s); it is linked, not fetched.
    pub url: Option<String>,
    pub entities: Vec<EntityLink>,
    /// How many more entities the file defines beyond the list cap.
    pub more: usize,
}

/// The targets of a Location entity, in the order written (at most
/// [`LIST_CAP`]); empty for other kinds.
pub fn targets_of(model: &SiteModel, e: &Entity) -> Vec<Target> {
    if e.eref.kind != "location" {
        return Vec::new();
    }
    let remote_type = e.str_at(&["spec", "type"]) == Some("url");
    targets(e)
        .into_iter()
        .take(LIST_CAP)
        .map(|(t, _)| {
            if remote_type || is_remote(t) {
                return Target {
                    target: t.to_owned(),
                    path: None,
                    url: safe_url(t),
                    entities: Vec::new(),
                    more: 0,
                };
            }
            let refs = model.files().matching(e.dir(), t);
            Target {
                target: t.to_owned(),
                path: join_rel(e.dir(), t),
                url: None,
                more: refs.len().saturating_sub(LIST_CAP),
                entities: refs.iter().take(LIST_CAP).map(|r| model.link(r)).collect(),
            }
        })
        .collect()
}
