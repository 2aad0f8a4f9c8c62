//! The catalog index page: the first rows rendered into the HTML, and the
//! filters, which load the rest from the data shards
//! ([`super::catalog_data`]) in the browser.

use super::catalog_data;
use crate::site::model::{EntityLink, SiteModel};
use crate::site::summary::{KindCount, kind_counts};
use serde::Serialize;

/// Rows the catalog index renders into its HTML (before JS takes over).
pub const INDEX_FIRST_PAGE: usize = 50;

/// What `catalog.html` gets besides the common variables.
#[derive(Serialize)]
pub struct Context {
    pub total: usize,
    pub kinds: Vec<KindCount>,
    pub first: Vec<EntityLink>,
    /// How many data shards the page loads.
    pub shards: usize,
}

pub fn context(model: &SiteModel) -> Context {
    let entities = &model.catalog.entities;
    Context {
        total: entities.len(),
        kinds: kind_counts(model),
        first: entities
            .values()
            .take(INDEX_FIRST_PAGE)
            .map(|e| model.link_to(e))
            .collect(),
        shards: catalog_data::shard_count(entities.len()),
    }
}
