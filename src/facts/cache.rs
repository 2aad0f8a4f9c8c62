//! What one gathering of facts keeps for the next in the same process
//! (`serve` gathers them again after every save).
//!
//! Facts read the files around entities: which repository files a folder
//! has, where docs are and how many pages they have, and the rendered docs
//! sites. When every saved path is a catalog file that already existed and
//! still does (the catalog's [`crate::catalog::cache::Cache::forget`] says
//! so) and none is inside a docs folder, no file was created or removed
//! and no docs file changed, so:
//!
//! - each folder's repository files are kept;
//! - an entity's docs are kept while its `backstage.io/techdocs-ref` and
//!   its folder are the same;
//! - the docs sites are kept whole while every documented entity has the
//!   same ref, title and docs (a site shows its entity's title, and links
//!   between sites make them depend on each other).
//!
//! Any other save forgets everything.

use super::docs::{Docs, Location};
use super::repo::Repo;
use super::techdocs::Sites;
use crate::catalog::model::EntityRef;
use crate::source::is_under;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// What the docs sites were built from: each documented entity's ref,
/// title and docs, by ref.
pub(super) type SitesKey = Vec<(EntityRef, String, Docs)>;

#[derive(Default)]
pub struct Cache {
    pub(super) repo: HashMap<String, Repo>,
    /// Docs by entity, with the annotation and folder they came from.
    pub(super) docs: HashMap<EntityRef, (String, String, Option<Docs>)>,
    pub(super) sites: Option<(SitesKey, Arc<Sites>)>,
    /// Whether the last gathering kept the docs sites.
    kept_sites: bool,
}

impl Cache {
    /// Forgets what the saved `changed` paths may have changed.
    /// `files_kept` says that every one of them is a catalog file that
    /// existed before and still does; `entity_files` are the files that
    /// defined entities in the last run.
    pub fn forget(
        &mut self,
        changed: &BTreeSet<String>,
        files_kept: bool,
        entity_files: &HashSet<String>,
    ) {
        // A docs site reads its MkDocs config, the configs that includes
        // (next to it) and its pages; an entity file next to the config is
        // read by the catalog only.
        let in_docs = changed.iter().any(|p| {
            self.docs
                .values()
                .any(|(_, _, d)| match d.as_ref().map(|d| &d.location) {
                    Some(Location::Local {
                        dir,
                        config,
                        docs_dir,
                    }) => {
                        config.as_deref() == Some(p.as_str())
                            || (is_under(p, dir) && !entity_files.contains(p))
                            || crate::source::join_rel(dir, docs_dir)
                                .is_some_and(|d| is_under(p, &d))
                    }
                    _ => false,
                })
        });
        if !files_kept || in_docs {
            *self = Cache::default();
        }
    }

    /// Whether the last gathering kept the docs sites (tests check it).
    pub fn kept_sites(&self) -> bool {
        self.kept_sites
    }

    pub(super) fn set_kept_sites(&mut self, kept: bool) {
        self.kept_sites = kept;
    }
}
