//! The page plan: every file of the site, what renders it, and what it
//! reads.
//!
//! `build` renders the whole plan. `serve` re-renders only the pages whose
//! dependencies an edit touched ([`Plan::affected`]), so each entity page
//! must name every entity whose data it shows. The dependencies are
//! computed here from the catalog's relations, mirroring what
//! `site::entity` reads; the test in tests/plan.rs checks them against the
//! links each rendered page really has.
//!
//! They are computed on demand ([`Plan::deps`]), not stored: sorting the
//! refs of 20,000 files took longer than planning everything else, and
//! `build` never asks.
//!
//! An entity's scorecard standings count as part of the entity: when a
//! policy, waiver or repository file changes a standing, the caller names
//! that entity as changed (it can tell by comparing the two runs'
//! standings). That keeps the plan free of the policies' own inputs, which
//! may read anything in the catalog.

use super::export;
use super::links;
use super::pages::{health, initiatives, scorecards, search_data};
use super::theme::Theme;
use super::write;
use crate::catalog::Catalog;
use crate::catalog::model::{Entity, EntityRef, RelationType as R};
use crate::pipeline::Checked;
use crate::scorecard::initiative::progress::Tracked;
use crate::scorecard::model::{Check, Scorecard};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Every file of one site, in a fixed order: entity pages (each followed
/// by its JSON), then the site-wide pages, data and assets.
pub struct Plan<'a> {
    checked: &'a Checked,
    theme: &'a Theme,
    pages: Vec<PageSpec<'a>>,
    /// Entities by file, for what Location pages read; built on first use.
    files: std::sync::OnceLock<super::location::FileIndex<'a>>,
    /// How long writing the search index took (part of planning).
    search_time: std::time::Duration,
}

/// One file of the site; [`Plan::deps`] says what it reads.
#[derive(Debug)]
pub struct PageSpec<'a> {
    /// Relative to the site root, `/`-separated.
    pub path: String,
    pub family: Family<'a>,
}

/// What renders a file: its page family and the subject it is about.
#[derive(Debug)]
pub enum Family<'a> {
    /// `template` is `kinds/<kind>.html` when the theme has one.
    EntityPage {
        entity: &'a Entity,
        template: Arc<str>,
    },
    EntityJson(&'a Entity),
    /// An API's raw definition, next to its page (see `apiref`).
    ApiDefinition(&'a Entity),
    /// The page of a ref that several files define with no way to tell
    /// which is the entity: it shows the conflict and nothing else from
    /// either definition (see `catalog::resolve::keeper`).
    Conflict(&'a EntityRef, &'a [Entity]),
    Home,
    CatalogIndex,
    /// A file of the search index (`search/*.js`), which the top bar, the
    /// catalog index and the results page read; written at plan time,
    /// since its shards depend on the words in the catalog.
    SearchIndex(Arc<crate::search::File>),
    ScorecardsIndex,
    /// Page `page` (1-based) of a scorecard: the first is its page, the
    /// others continue its level table.
    Scorecard {
        sc: &'a Scorecard,
        page: usize,
    },
    ScorecardJson(&'a Scorecard),
    /// Page `page` of `pages` of the entities not passing one check.
    ScorecardCheck {
        sc: &'a Scorecard,
        check: &'a Check,
        page: usize,
        pages: usize,
    },
    InitiativesIndex,
    /// Page `page` of `pages` of an initiative (the left-to-do list goes on).
    Initiative {
        tracked: &'a Tracked,
        page: usize,
        pages: usize,
    },
    /// Page `page` (1-based) of `pages` of the health report.
    Health {
        page: usize,
        pages: usize,
    },
    /// The `.portolan-site` file that lets the next build replace the folder.
    Marker,
    /// A theme file under `static/`, by its name there.
    Asset(&'a str),
    /// `api/catalog.json`.
    Export,
    /// `api/history.json`, when score history was asked for.
    HistoryJson,
    /// Page `page` of an entity's TechDocs site.
    DocsPage {
        entity: &'a Entity,
        site: &'a crate::facts::techdocs::Site,
        page: usize,
    },
    /// A file of a docs folder, copied next to its pages.
    DocsAsset(&'a crate::facts::techdocs::Asset),
}

impl Family<'_> {
    /// The template that renders an HTML page; `None` for data files.
    pub fn template(&self) -> Option<&str> {
        Some(match self {
            Family::EntityPage { template, .. } => template,
            Family::Conflict(..) => "conflict.html",
            Family::Home => "home.html",
            Family::CatalogIndex => "catalog.html",
            Family::ScorecardsIndex => "scorecards.html",
            Family::Scorecard { .. } => "scorecard.html",
            Family::ScorecardCheck { .. } => "scorecard_check.html",
            Family::InitiativesIndex => "initiatives.html",
            Family::Initiative { .. } => "initiative.html",
            Family::Health { .. } => "health.html",
            Family::DocsPage { .. } => "docs.html",
            _ => return None,
        })
    }

    /// The timing phase a file is rendered in (`PORTOLAN_TIMINGS=1`).
    pub fn phase(&self) -> &'static str {
        match self {
            Family::EntityPage { .. }
            | Family::EntityJson(_)
            | Family::ApiDefinition(_)
            | Family::Conflict(..) => "entity pages",
            Family::Home => "home",
            Family::CatalogIndex | Family::SearchIndex(_) => "catalog index",
            Family::ScorecardsIndex
            | Family::Scorecard { .. }
            | Family::ScorecardJson(_)
            | Family::ScorecardCheck { .. }
            | Family::InitiativesIndex
            | Family::Initiative { .. } => "scorecards",
            Family::Health { .. }
            | Family::Marker
            | Family::Asset(_)
            | Family::Export
            | Family::HistoryJson => "health, assets, export",
            Family::DocsPage { .. } | Family::DocsAsset(_) => "docs",
        }
    }
}

/// What a file reads, beyond the theme and `portolan.toml` (which every
/// page reads: a change to either re-renders everything).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deps<'a> {
    /// Summary pages read the whole catalog: any change may change them.
    Everything,
    /// Sorted and deduplicated. Entities include refs that are not in the
    /// catalog (dangling targets), so adding one re-renders its referrers.
    Only {
        entities: Box<[&'a EntityRef]>,
        files: Box<[&'a str]>,
    },
}

impl Deps<'_> {
    pub fn names_entity(&self, r: &EntityRef) -> bool {
        match self {
            Deps::Everything => true,
            Deps::Only { entities, .. } => entities.binary_search(&r).is_ok(),
        }
    }

    pub fn names_file(&self, file: &str) -> bool {
        match self {
            Deps::Everything => true,
            Deps::Only { files, .. } => files.binary_search(&file).is_ok(),
        }
    }
}

/// What an edit changed: entities (added, removed, edited, or with new
/// scorecard standings) and source files, by path from the catalog root.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub entities: BTreeSet<EntityRef>,
    pub files: BTreeSet<String>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.entities.is_empty() && self.files.is_empty()
    }
}

impl<'a> Plan<'a> {
    /// Plans the site of a checked catalog with a loaded theme: a path and
    /// a family per file, which costs little next to rendering them, except
    /// for the search index, which is written here.
    pub fn new(checked: &'a Checked, theme: &'a Theme) -> Plan<'a> {
        Plan::planned(checked, theme, true)
    }

    /// The plan without the search index's files: what `serve` re-renders
    /// pages from after an edit, while the index is rewritten off the
    /// reload's path (see `serve::search`).
    pub fn without_search(checked: &'a Checked, theme: &'a Theme) -> Plan<'a> {
        Plan::planned(checked, theme, false)
    }

    fn planned(checked: &'a Checked, theme: &'a Theme, search: bool) -> Plan<'a> {
        let catalog = &checked.loaded.catalog;
        let templates = entity_templates(catalog, theme);
        // Indexed parallel collects are cheap; a BTreeMap's `par_iter` with
        // `flat_map_iter` measured five times slower than a sequential loop.
        let entities: Vec<&Entity> = catalog.entities.values().collect();
        let pairs: Vec<[PageSpec; 2]> = entities
            .par_iter()
            .map(|e| entity_specs(e, &templates[e.eref.kind.as_str()]))
            .collect();
        let mut pages: Vec<PageSpec> = pairs.into_iter().flatten().collect();
        pages.extend(catalog.conflicts.iter().map(|(r, defs)| PageSpec {
            path: links::entity_page(r),
            family: Family::Conflict(r, defs),
        }));
        pages.extend(catalog.entities.values().filter_map(|e| {
            let doc = checked.apis.get(&e.eref)?;
            Some(PageSpec {
                path: format!("{}{}", links::entity_dir(&e.eref), doc.download),
                family: Family::ApiDefinition(e),
            })
        }));
        pages.extend(docs_specs(checked));
        let (site, search_time) = site_specs(checked, theme, search);
        pages.extend(site);
        Plan {
            checked,
            theme,
            pages,
            files: std::sync::OnceLock::new(),
            search_time,
        }
    }

    /// How long writing the search index took (`PORTOLAN_TIMINGS=1`
    /// shows it; bench/search.sh compares it with the whole build).
    pub fn search_time(&self) -> std::time::Duration {
        self.search_time
    }

    pub fn checked(&self) -> &'a Checked {
        self.checked
    }

    pub fn theme(&self) -> &'a Theme {
        self.theme
    }

    /// Every file, in plan order.
    pub fn pages(&self) -> &[PageSpec<'a>] {
        &self.pages
    }

    /// Every file, as the subset [`super::render`] takes.
    pub fn all(&self) -> Vec<&PageSpec<'a>> {
        self.pages.iter().collect()
    }

    /// What `spec` (a file of this plan) reads.
    pub fn deps(&self, spec: &PageSpec<'a>) -> Deps<'a> {
        match self.reads(spec) {
            None => Deps::Everything,
            Some(Reads {
                mut entities,
                mut files,
            }) => {
                entities.sort_unstable();
                entities.dedup();
                files.sort_unstable();
                files.dedup();
                Deps::Only {
                    entities: entities.into_boxed_slice(),
                    files: files.into_boxed_slice(),
                }
            }
        }
    }

    /// The files to re-render after `changes`, in plan order: those whose
    /// deps name a changed entity or file, and every `Everything` file
    /// (unless nothing changed).
    ///
    /// An edit that removes a relation shows only in the deps of the plan
    /// from before the edit (the old target listed the edited entity), so
    /// a caller re-rendering after an edit takes the union of the paths
    /// affected in the old plan and in the new one.
    pub fn affected(&self, changes: &Changes) -> Vec<&PageSpec<'a>> {
        if changes.is_empty() {
            return Vec::new();
        }
        // In parallel: `serve` asks this of two plans of the whole site
        // on every save. The collect keeps plan order.
        self.pages
            .par_iter()
            .filter(|spec| match self.reads(spec) {
                None => true,
                Some(reads) => {
                    reads.entities.iter().any(|r| changes.entities.contains(*r))
                        || reads.files.iter().any(|f| changes.files.contains(*f))
                }
            })
            .collect()
    }

    /// What `spec` reads, unsorted and possibly repeated; `None` for
    /// everything.
    fn reads(&self, spec: &PageSpec<'a>) -> Option<Reads<'a>> {
        let catalog = &self.checked.loaded.catalog;
        let (entities, files) = match spec.family {
            Family::EntityPage { entity, .. } => {
                let mut refs = export_reads(catalog, entity);
                page_reads(catalog, entity, &mut refs);
                if entity.eref.kind == "location" {
                    // The entities its targets define, which the page lists.
                    let files = self
                        .files
                        .get_or_init(|| super::location::FileIndex::new(catalog));
                    refs.extend(files.registered(entity));
                }
                let mut files = self.files_read(entity);
                files.extend(self.docs_read(entity));
                files.extend(self.initiatives_read(entity));
                (refs, files)
            }
            Family::EntityJson(e) => (export_reads(catalog, e), self.files_read(e)),
            Family::ApiDefinition(e) => (vec![&e.eref], self.files_read(e)),
            Family::Conflict(r, defs) => (vec![r], defs.iter().map(|d| d.file.as_str()).collect()),
            Family::Marker | Family::Asset(_) => (Vec::new(), Vec::new()),
            Family::DocsPage { entity, site, page } => {
                let mut files = vec![site.pages[page].src.as_str()];
                files.extend(site.config.as_deref());
                (vec![&entity.eref], files)
            }
            Family::DocsAsset(a) => (Vec::new(), vec![a.src.as_str()]),
            Family::Home
            | Family::CatalogIndex
            | Family::SearchIndex(_)
            | Family::ScorecardsIndex
            | Family::Scorecard { .. }
            | Family::ScorecardJson(_)
            | Family::ScorecardCheck { .. }
            | Family::InitiativesIndex
            | Family::Initiative { .. }
            | Family::Health { .. }
            | Family::Export
            | Family::HistoryJson => return None,
        };
        Some(Reads { entities, files })
    }
}

impl<'a> Plan<'a> {
    /// The source files behind an entity's pages: its own file, the files
    /// its placeholders substitute, the files its facts came from (the
    /// MkDocs config, the repository files the panel and policies see), and
    /// the files an API definition's `$ref`s read.
    fn files_read(&self, e: &'a Entity) -> Vec<&'a str> {
        let facts = &self.checked.facts;
        let mut files = vec![e.file.as_str()];
        files.extend(e.includes.iter().map(String::as_str));
        if let Some(crate::facts::docs::Location::Local {
            config: Some(config),
            ..
        }) = facts.docs_of(&e.eref).map(|d| &d.location)
        {
            files.push(config);
        }
        if let Some(repo) = facts.repo_of(e) {
            files.extend(repo.found.iter().filter_map(|(_, f)| f.as_deref()));
        }
        if let Some(api) = self.checked.apis.get(&e.eref) {
            files.extend(api.files.iter().map(String::as_str));
        }
        files
    }
}

impl<'a> Plan<'a> {
    /// The docs files behind an entity page's docs lists: its own site's
    /// config and pages (their titles) and, for a team or user, those of
    /// the sites of what it owns.
    fn docs_read(&self, e: &'a Entity) -> Vec<&'a str> {
        let checked: &'a Checked = self.checked;
        let mut refs = vec![&e.eref];
        if matches!(e.eref.kind.as_str(), "group" | "user") {
            refs.extend(
                checked
                    .loaded
                    .catalog
                    .relations_of(&e.eref)
                    .filter(|rel| rel.kind == R::OwnerOf)
                    .map(|rel| &rel.target),
            );
        }
        refs.into_iter()
            .filter_map(|r| checked.facts.sites.of(r))
            .flat_map(|s| {
                s.pages
                    .iter()
                    .map(|p| p.src.as_str())
                    .chain(s.config.as_deref())
            })
            .collect()
    }
}

impl<'a> Plan<'a> {
    /// The initiative files an entity page shows: those whose selector
    /// covers the entity, and on a team page every initiative (it shows
    /// the ones that cover anything the team or a sub-team owns).
    fn initiatives_read(&self, e: &'a Entity) -> Vec<&'a str> {
        let team = e.eref.kind == "group";
        self.checked
            .scorecards
            .initiatives
            .iter()
            .filter(|t| team || t.initiative.covers(e))
            .map(|t| t.initiative.file.as_str())
            .collect()
    }
}

/// A file's dependencies before sorting.
struct Reads<'a> {
    entities: Vec<&'a EntityRef>,
    files: Vec<&'a str>,
}

/// The template of each kind's entity pages: `kinds/<kind>.html` when the
/// theme has one (group, user, system and domain by default),
/// `entity.html` otherwise. Kind templates live in their own folder so
/// that no kind name can pick a page template such as `home.html`.
fn entity_templates<'c>(catalog: &'c Catalog, theme: &Theme) -> BTreeMap<&'c str, Arc<str>> {
    let mut out = BTreeMap::new();
    for r in catalog.entities.keys() {
        out.entry(r.kind.as_str()).or_insert_with(|| {
            let name = format!("kinds/{}.html", r.kind);
            Arc::from(if theme.has(&name) {
                &name
            } else {
                "entity.html"
            })
        });
    }
    out
}

/// An entity's page and its JSON export.
fn entity_specs<'a>(e: &'a Entity, template: &Arc<str>) -> [PageSpec<'a>; 2] {
    [
        PageSpec {
            path: links::entity_page(&e.eref),
            family: Family::EntityPage {
                entity: e,
                template: Arc::clone(template),
            },
        },
        PageSpec {
            path: export::entity_path(&e.eref),
            family: Family::EntityJson(e),
        },
    ]
}

/// What an entity's JSON export reads: the entity and every relation
/// target (an inverse relation, such as `dependencyOf`, comes from the
/// target's file), each with its standings.
fn export_reads<'a>(catalog: &'a Catalog, e: &'a Entity) -> Vec<&'a EntityRef> {
    let mut refs = vec![&e.eref];
    refs.extend(catalog.relations_of(&e.eref).map(|rel| &rel.target));
    refs
}

fn targets<'a>(
    catalog: &'a Catalog,
    r: &EntityRef,
    kind: R,
) -> impl Iterator<Item = &'a EntityRef> {
    catalog
        .relations_of(r)
        .filter(move |rel| rel.kind == kind)
        .map(|rel| &rel.target)
}

/// What an entity page reads beyond its export (which already has every
/// relation list, the owner whose chat and on-call links the panel shows,
/// and what a group or user owns): the dependency graph of a System or
/// Domain page (see `dependency_graph` in site/entity.rs).
fn page_reads<'a>(catalog: &'a Catalog, e: &'a Entity, refs: &mut Vec<&'a EntityRef>) {
    match e.eref.kind.as_str() {
        // The team view: the sub-teams (transitively) and everything they
        // own, with its standings.
        "group" => {
            for team in crate::scorecard::initiative::progress::team_and_subteams(catalog, &e.eref)
            {
                refs.push(team);
                refs.extend(targets(catalog, team, R::OwnerOf));
            }
        }
        // The parts (in the export) and what they depend on, provide and consume.
        "system" => {
            for part in targets(catalog, &e.eref, R::HasPart) {
                refs.extend(
                    catalog
                        .relations_of(part)
                        .filter(|rel| {
                            matches!(rel.kind, R::DependsOn | R::ProvidesApi | R::ConsumesApi)
                        })
                        .map(|rel| &rel.target),
                );
            }
        }
        // The systems (in the export), their parts, what those depend on
        // or consume, and the systems those targets are part of.
        "domain" => {
            for system in targets(catalog, &e.eref, R::HasPart) {
                for part in targets(catalog, system, R::HasPart) {
                    refs.push(part);
                    for rel in catalog.relations_of(part) {
                        if matches!(rel.kind, R::DependsOn | R::ConsumesApi) {
                            refs.push(&rel.target);
                            refs.extend(
                                targets(catalog, &rel.target, R::PartOf)
                                    .filter(|t| t.kind == "system"),
                            );
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

/// Every entity's TechDocs pages and assets, by entity.
fn docs_specs(checked: &Checked) -> Vec<PageSpec<'_>> {
    let catalog = &checked.loaded.catalog;
    let mut specs = Vec::new();
    for (r, site) in &checked.facts.sites.sites {
        let Some(entity) = catalog.entities.get(r) else {
            continue;
        };
        for (page, p) in site.pages.iter().enumerate() {
            specs.push(PageSpec {
                path: p.out.clone(),
                family: Family::DocsPage { entity, site, page },
            });
        }
        specs.extend(site.assets.iter().map(|a| PageSpec {
            path: a.out.clone(),
            family: Family::DocsAsset(a),
        }));
    }
    specs
}

/// The site-wide pages, data and assets, after the entities'.
fn site_specs<'a>(
    checked: &'a Checked,
    theme: &'a Theme,
    search: bool,
) -> (Vec<PageSpec<'a>>, std::time::Duration) {
    let cards = &checked.scorecards.scorecards;
    let spec = |path: String, family| PageSpec { path, family };
    let mut specs = vec![
        spec("index.html".to_owned(), Family::Home),
        spec("catalog/index.html".to_owned(), Family::CatalogIndex),
    ];
    let started = std::time::Instant::now();
    if search {
        for file in search_data::build(checked) {
            specs.push(spec(file.path.clone(), Family::SearchIndex(Arc::new(file))));
        }
    }
    let search_time = started.elapsed();
    specs.push(spec(
        "scorecards/index.html".to_owned(),
        Family::ScorecardsIndex,
    ));
    for sc in cards {
        for page in 1..=scorecards::team_page_count(checked, sc) {
            specs.push(spec(
                scorecards::teams_path(&sc.id, page),
                Family::Scorecard { sc, page },
            ));
        }
        for (check, pages) in sc
            .checks
            .iter()
            .zip(scorecards::check_page_counts(checked, sc))
        {
            for page in 1..=pages {
                specs.push(spec(
                    scorecards::check_path(&sc.id, &check.id, page),
                    Family::ScorecardCheck {
                        sc,
                        check,
                        page,
                        pages,
                    },
                ));
            }
        }
        specs.push(spec(
            scorecards::json_path(&sc.id),
            Family::ScorecardJson(sc),
        ));
    }
    specs.push(spec(
        initiatives::INDEX_PATH.to_owned(),
        Family::InitiativesIndex,
    ));
    for tracked in &checked.scorecards.initiatives {
        let pages = initiatives::page_count(tracked);
        for page in 1..=pages {
            specs.push(spec(
                initiatives::path(&tracked.initiative.id, page),
                Family::Initiative {
                    tracked,
                    page,
                    pages,
                },
            ));
        }
    }
    let pages = health::page_count(&checked.diagnostics);
    for page in 1..=pages {
        specs.push(spec(health::path(page), Family::Health { page, pages }));
    }
    specs.push(spec(write::MARKER.to_owned(), Family::Marker));
    for name in theme.assets.keys() {
        specs.push(spec(format!("static/{name}"), Family::Asset(name)));
    }
    specs.push(spec(export::INDEX_PATH.to_owned(), Family::Export));
    if checked.history != crate::scorecard::trend::Trends::Off {
        specs.push(spec(export::HISTORY_PATH.to_owned(), Family::HistoryJson));
    }
    (specs, search_time)
}
