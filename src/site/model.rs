//! The site model: lookups over the checked catalog that every page needs
//! (titles, owners, scorecard standings), computed once and shared by the
//! page builders running on rayon threads.

use super::links::{entity_page, safe_url};
use crate::catalog::Catalog;
use crate::catalog::model::{Entity, EntityRef, KnownKind, RelationType};
use crate::config::Site as SiteConfig;
use crate::pipeline::Checked;
use crate::scorecard::{Scorecards, Standing, model::Scorecard};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

/// Relation lists on a page stop here: a popular API can have thousands of
/// consumers, and a page must not grow with the catalog. The rest are in
/// the entity's JSON export, which the page links to.
pub const LIST_CAP: usize = 100;

/// What every template gets as `site`.
#[derive(Clone, Debug, Serialize)]
pub struct SiteInfo {
    pub title: String,
    pub base_url: Option<String>,
    pub generator: String,
    /// Why the score history is missing when it was asked for (outside
    /// git, a shallow clone); the pages that show trends say it.
    pub history_note: Option<String>,
}

/// A link to an entity, as every list on every page shows it. Built once
/// per entity and shared: an entity appears in many lists (its owner's,
/// its system's, its dependents'), and building it each time was a tenth
/// of the build.
pub type EntityLink = Arc<LinkInfo>;

#[derive(Clone, Debug, Serialize)]
pub struct LinkInfo {
    #[serde(rename = "ref")]
    pub eref: String,
    pub title: String,
    pub name: String,
    pub kind: String,
    pub kind_label: String,
    /// Relative to the site root; `None` for a reference to an entity that
    /// is not in the catalog.
    pub url: Option<String>,
    pub description: Option<String>,
    /// The description as sanitized inline HTML ([`super::inline`]).
    pub description_html: Option<String>,
    #[serde(rename = "type")]
    pub spec_type: Option<String>,
    pub lifecycle: Option<String>,
}

pub struct SiteModel<'a> {
    pub checked: &'a Checked,
    pub catalog: &'a Catalog,
    pub scorecards: &'a Scorecards,
    pub config: &'a SiteConfig,
    pub info: SiteInfo,
    pub standings: BTreeMap<&'a EntityRef, Vec<&'a Standing>>,
    pub scorecard_by_id: BTreeMap<&'a str, &'a Scorecard>,
    links: HashMap<&'a EntityRef, EntityLink>,
    /// Entities by file, for Location pages; built on first use.
    files: OnceLock<super::location::FileIndex<'a>>,
    /// Each scorecard check's failures, for its pages.
    pub check_lists: super::pages::scorecards::CheckLists,
}

/// A kind's display name: Backstage's spelling for known kinds, the kind as
/// written (capitalised) for the others.
pub fn kind_label(kind: &str) -> String {
    match KnownKind::parse(kind) {
        Some(k) => k.name().to_owned(),
        None => {
            let mut c = kind.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        }
    }
}

impl<'a> SiteModel<'a> {
    pub fn new(checked: &'a Checked, base_url: Option<String>) -> Self {
        let catalog = &checked.loaded.catalog;
        let scorecards = &checked.scorecards;
        let config = &checked.loaded.config.site;
        let mut standings: BTreeMap<&EntityRef, Vec<&Standing>> = BTreeMap::new();
        for s in &scorecards.standings {
            standings.entry(&s.entity).or_default().push(s);
        }
        let title = config
            .title
            .clone()
            .unwrap_or_else(|| "Developer portal".to_owned());
        let base_url = base_url
            .or_else(|| config.base_url.clone())
            .and_then(|u| safe_url(&u))
            .map(|u| if u.ends_with('/') { u } else { format!("{u}/") });
        SiteModel {
            checked,
            catalog,
            scorecards,
            config,
            info: SiteInfo {
                title,
                base_url,
                generator: format!("Portolan {}", env!("CARGO_PKG_VERSION")),
                history_note: match &checked.history {
                    crate::scorecard::trend::Trends::Unavailable { reason } => {
                        Some(format!("No score history: {reason}."))
                    }
                    _ => None,
                },
            },
            standings,
            links: catalog
                .entities
                .par_iter()
                .map(|(r, e)| (r, Arc::new(link_info(e))))
                .collect(),
            scorecard_by_id: scorecards
                .scorecards
                .iter()
                .map(|s| (s.id.as_str(), s))
                .collect(),
            files: OnceLock::new(),
            check_lists: Default::default(),
        }
    }

    /// The catalog's entities by file. Its initializer is a sequential
    /// loop: pages on rayon threads may wait on it.
    pub fn files(&self) -> &super::location::FileIndex<'a> {
        self.files
            .get_or_init(|| super::location::FileIndex::new(self.catalog))
    }

    pub fn link(&self, r: &EntityRef) -> EntityLink {
        match self.links.get(r) {
            Some(l) => Arc::clone(l),
            None => Arc::new(LinkInfo {
                eref: r.to_string(),
                title: r.name.clone(),
                name: r.name.clone(),
                kind: r.kind.clone(),
                kind_label: kind_label(&r.kind),
                url: None,
                description: None,
                description_html: None,
                spec_type: None,
                lifecycle: None,
            }),
        }
    }

    pub fn link_to(&self, e: &Entity) -> EntityLink {
        self.link(&e.eref)
    }

    /// Targets of one relation type, sorted by ref (the catalog's order).
    pub fn targets(&self, r: &EntityRef, kind: RelationType) -> Vec<&'a EntityRef> {
        self.catalog
            .relations_of(r)
            .filter(|rel| rel.kind == kind)
            .map(|rel| &rel.target)
            .collect()
    }

    pub fn owner(&self, r: &EntityRef) -> Option<&'a EntityRef> {
        self.catalog
            .relations_of(r)
            .find(|rel| rel.kind == RelationType::OwnedBy)
            .map(|rel| &rel.target)
    }

    pub fn standings_of(&self, r: &EntityRef) -> &[&'a Standing] {
        self.standings.get(r).map_or(&[], Vec::as_slice)
    }

    /// The "edit this file" URL, from `[site] edit_url`
    /// ([`super::links::edit_url`]).
    pub fn edit_url(&self, file: &str) -> Option<String> {
        super::links::edit_url(self.config.edit_url.as_deref()?, file)
    }
}

fn link_info(e: &Entity) -> LinkInfo {
    LinkInfo {
        eref: e.eref.to_string(),
        title: e.title().to_owned(),
        name: e.name().to_owned(),
        kind: e.eref.kind.clone(),
        kind_label: kind_label(&e.eref.kind),
        url: Some(entity_page(&e.eref)),
        description: e.description().map(str::to_owned),
        description_html: e.description().map(super::inline::html),
        spec_type: e.spec_type().map(str::to_owned),
        lifecycle: e.lifecycle().map(str::to_owned),
    }
}
