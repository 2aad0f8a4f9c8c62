//! The facts stage: everything about the world around each entity that
//! both the policies and the portal ask, worked out once per run.
//!
//! Docs locations, repository files and the quick answers are computed
//! here, between the catalog and the scorecards, from the one [`Source`].
//! The policy input and the portal's pages read the same values, so a panel
//! item and the check asking for it cannot disagree, and evaluation does no
//! I/O of its own.

pub mod answers;
pub mod cache;
pub mod docs;
pub mod git;
pub mod repo;
pub mod techdocs;

use crate::catalog::Catalog;
use crate::catalog::model::{Entity, EntityRef};
use crate::source::{self, Source};
use rayon::prelude::*;
use std::collections::HashMap;

pub use answers::Answers;
pub use docs::Docs;
pub use repo::Repo;

/// The facts of a whole catalog.
#[derive(Debug, Default)]
pub struct Facts {
    /// TechDocs, for entities that declare them.
    pub docs: HashMap<EntityRef, Docs>,
    /// Repository files, by folder (relative to ROOT).
    pub repo: HashMap<String, Repo>,
    pub answers: HashMap<EntityRef, Answers>,
    /// History facts; [`git::Git::Absent`] outside git (and until
    /// [`history`] runs), which policies see as `input.git: null`.
    pub git: git::Git,
    /// When an entity counts as stale (`[git] stale_days`, `--today`).
    pub staleness: git::Staleness,
    /// The rendered docs sites, from the same discovery as `docs`; shared
    /// with the next run when `serve` keeps them (see [`cache`]).
    pub sites: std::sync::Arc<crate::facts::techdocs::Sites>,
}

impl Facts {
    pub fn docs_of(&self, r: &EntityRef) -> Option<&Docs> {
        self.docs.get(r)
    }

    pub fn repo_of(&self, e: &Entity) -> Option<&Repo> {
        self.repo.get(e.dir())
    }

    pub fn answers_of(&self, r: &EntityRef) -> Option<&Answers> {
        self.answers.get(r)
    }

    /// The entity's file history when it is stale (see [`git::Staleness`]),
    /// with its age in days. Never stale without trusted history facts.
    pub fn stale(&self, e: &Entity) -> Option<(&git::FileHistory, i64)> {
        let f = self.git.history()?.file(&e.file)?;
        self.staleness
            .is_stale(f)
            .then(|| (f, self.staleness.age_days(f)))
    }
}

/// Gathers every fact of `catalog` from `source`, in parallel.
pub fn gather(
    source: &dyn Source,
    catalog: &Catalog,
    docs_config: crate::config::Docs,
    cache: Option<&mut cache::Cache>,
) -> Facts {
    let mut dirs: Vec<&str> = catalog.entities.values().map(Entity::dir).collect();
    dirs.sort_unstable();
    dirs.dedup();
    let kept_repo = cache.as_deref().map(|c| &c.repo);
    let repo: HashMap<String, Repo> = dirs
        .par_iter()
        .map(|d| {
            let facts = kept_repo
                .and_then(|k| k.get(*d).cloned())
                .unwrap_or_else(|| repo::facts(source, d));
            ((*d).to_owned(), facts)
        })
        .collect();
    let kept_docs = cache.as_deref().map(|c| &c.docs);
    let resolved: Vec<(&EntityRef, Option<Docs>)> = catalog
        .entities
        .par_iter()
        .map(|(r, e)| {
            let kept = kept_docs
                .and_then(|k| k.get(r))
                .filter(|(reference, dir, _)| {
                    e.str_at(&["metadata", "annotations", docs::REF_ANNOTATION])
                        == Some(reference.as_str())
                        && e.dir() == dir
                });
            match kept {
                Some((_, _, d)) => (r, d.clone()),
                None => (r, docs::resolve(source, e)),
            }
        })
        .collect();
    let docs: HashMap<EntityRef, Docs> = resolved
        .iter()
        .filter_map(|(r, d)| Some(((*r).clone(), d.clone()?)))
        .collect();
    // What the sites are built from, only when there is a cache to keep
    // them in (a one-off run does not pay for it).
    let key: Option<cache::SitesKey> = cache.as_ref().map(|_| {
        let mut key: cache::SitesKey = docs
            .iter()
            .filter_map(|(r, d)| {
                let e = catalog.entities.get(r)?;
                Some((r.clone(), e.title().to_owned(), d.clone()))
            })
            .collect();
        key.sort_by(|a, b| a.0.cmp(&b.0));
        key
    });
    let kept_sites = cache
        .as_deref()
        .and_then(|c| c.sites.as_ref())
        .filter(|(k, _)| key.as_ref() == Some(k))
        .map(|(_, s)| std::sync::Arc::clone(s));
    let kept = kept_sites.is_some();
    let sites = kept_sites.unwrap_or_else(|| {
        std::sync::Arc::new(crate::facts::techdocs::build(
            source,
            &catalog.entities,
            &docs,
            docs_config,
        ))
    });
    if let Some(c) = cache {
        c.repo = repo.clone();
        c.docs = resolved
            .into_iter()
            .filter_map(|(r, d)| {
                let e = catalog.entities.get(r)?;
                let reference = e.str_at(&["metadata", "annotations", docs::REF_ANNOTATION])?;
                Some((r.clone(), (reference.to_owned(), e.dir().to_owned(), d)))
            })
            .collect();
        c.sites = key.map(|key| (key, std::sync::Arc::clone(&sites)));
        c.set_kept_sites(kept);
    }
    let answers = catalog
        .entities
        .par_iter()
        .map(|(r, e)| {
            let a = answers::answers(catalog, e, docs.get(r), repo.get(e.dir()));
            (r.clone(), a)
        })
        .collect();
    Facts {
        docs,
        repo,
        answers,
        git: git::Git::Absent,
        staleness: git::Staleness::default(),
        sites,
    }
}

/// The files history facts are gathered for, relative to ROOT and sorted:
/// every entity file and every page of the catalog's local TechDocs.
pub fn history_files(source: &dyn Source, catalog: &Catalog, facts: &Facts) -> Vec<String> {
    let mut files: Vec<String> = catalog.entities.values().map(|e| e.file.clone()).collect();
    let mut dirs: Vec<String> = facts.docs.values().filter_map(Docs::pages_dir).collect();
    dirs.sort_unstable();
    dirs.dedup();
    for dir in dirs {
        files.extend(
            source::files_under(source, &dir, docs::MAX_DEPTH)
                .into_iter()
                .filter(|f| f.ends_with(".md"))
                .filter_map(|f| source::join_rel(&dir, &f)),
        );
    }
    files.sort_unstable();
    files.dedup();
    files
}
