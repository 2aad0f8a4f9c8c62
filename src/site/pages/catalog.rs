//! The catalog index page: the first rows rendered into the HTML, and the
//! filters, which search and list the rest from the search index
//! ([`super::search_data`]) in the browser.

use crate::site::model::{EntityLink, SiteModel};
use crate::site::summary::{KindCount, kind_counts};
use serde::Serialize;
use std::collections::BTreeSet;

/// Rows the catalog index renders into its HTML (before JS takes over).
pub const INDEX_FIRST_PAGE: usize = 50;

/// What `catalog.html` gets besides the common variables.
#[derive(Serialize)]
pub struct Context {
    pub total: usize,
    pub kinds: Vec<KindCount>,
    pub first: Vec<FirstRow>,
    /// The catalog's namespaces, sorted. With more than one, the index shows
    /// a namespace column: `team-a` in `default` and in `ops` are different
    /// entities that look alike.
    pub namespaces: Vec<String>,
}

/// A row rendered into the HTML: an entity link plus its namespace.
#[derive(Serialize)]
pub struct FirstRow {
    #[serde(flatten)]
    pub link: EntityLink,
    pub namespace: String,
}

pub fn context(model: &SiteModel) -> Context {
    let entities = &model.catalog.entities;
    Context {
        total: entities.len(),
        kinds: kind_counts(model),
        first: entities
            .values()
            .take(INDEX_FIRST_PAGE)
            .map(|e| FirstRow {
                link: model.link_to(e),
                namespace: e.eref.namespace.clone(),
            })
            .collect(),
        namespaces: entities
            .keys()
            .map(|r| r.namespace.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(str::to_owned)
            .collect(),
    }
}
