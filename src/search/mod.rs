//! The portal's search index: a tokenizer and a sharded index writer.
//!
//! The browser searches with nothing but static files, over http and from
//! `file://`, so the index is a set of small JavaScript files, each a call
//! to one global function (`portolanIndex(id, data)`): a page may load a
//! script from disk where it may not fetch a file. A query downloads only
//! what it needs:
//!
//! - `search/meta.js`: counts, shard keys and the small facet lists;
//! - `search/n/<key>.js`: the *name index*, terms by prefix with their
//!   postings in names, titles, tags and owners — enough for as-you-type;
//! - `search/r/<i>.js`: the entities' display rows, [`ROW_CHUNK`] a file;
//! - `search/v/<c>.js`: the name index's words by first letter, for typos;
//! - `search/t/<key>.js`: description and docs text terms, loaded after the
//!   names' results are shown; `search/s/<i>.js`: docs sections' rows;
//! - `search/facets.js`: owner and system labels for the filters.
//!
//! Entities are numbered in rank order ([`rank_key`]): among equally good
//! text matches a lower number wins, so the browser needs no other data to
//! break ties. The ranking itself runs in the browser
//! (`static/search-engine.js`); its rules are written there once and the
//! relevance suite (tests/search.rs) runs that code.
//!
//! This module knows nothing of pages: the site gives it the entities'
//! fields and display rows (`site::search_data`).

pub mod shards;
pub mod tokenize;

pub use shards::{File, build};

/// The site folder every file of the index lives in (`serve` swaps the
/// index in apart from the pages).
pub const DIR: &str = "search/";

/// Rows per `search/r/<i>.js` file. Small files keep a first query cheap:
/// the top results' rows are all it fetches beyond the name index.
pub const ROW_CHUNK: usize = 32;

/// What one entity contributes to the index. `row` is opaque here: the
/// display row the browser shows (see `site::search_data`).
pub struct Entry {
    pub name: String,
    pub title: String,
    /// Tags and chat channels.
    pub tags: Vec<String>,
    /// The owner's name and title.
    pub owner: String,
    pub description: String,
    pub row: serde_json::Value,
}

/// One section of a docs page: the text under one heading.
pub struct Section {
    /// The page title and the heading.
    pub heading: String,
    pub text: String,
    pub row: serde_json::Value,
}

/// Everything the index is written from. `entries` must be in rank order
/// (sort by [`rank_key`]); `meta` and `facets` are written as given.
pub struct Input {
    pub entries: Vec<Entry>,
    pub sections: Vec<Section>,
    pub meta: serde_json::Map<String, serde_json::Value>,
    pub facets: serde_json::Value,
}

/// Kinds people look for first rank first among equal text matches.
pub fn kind_priority(kind: &str) -> u8 {
    match kind {
        "component" => 0,
        "api" => 1,
        "system" => 2,
        "group" => 3,
        "domain" => 4,
        "resource" => 5,
        "user" => 6,
        "template" => 7,
        "location" => 9,
        _ => 8,
    }
}

/// The order entities are numbered in: kind priority, then the more
/// related (more central) entity first, then the ref, so the numbering is
/// total and deterministic.
pub fn rank_key(
    kind: &str,
    relations: usize,
    eref: &str,
) -> (u8, std::cmp::Reverse<usize>, String) {
    (
        kind_priority(kind),
        std::cmp::Reverse(relations),
        eref.to_owned(),
    )
}
