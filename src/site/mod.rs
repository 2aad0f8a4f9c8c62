//! `portolan build`: renders the checked catalog into a static portal.
//!
//! Pages are rendered on rayon threads and written straight into a staging
//! folder (holding 100k rendered pages in memory would cost gigabytes); the
//! staging folder replaces the output only when every page rendered.

pub mod answers;
pub mod entity;
pub mod export;
pub mod graph;
pub mod index;
pub mod links;
pub mod model;
pub mod output;
pub mod pages;
pub mod summary;
pub mod theme;
pub mod write;

use crate::diagnostics::{Code, Diagnostic};
use crate::pipeline::Checked;
use model::SiteModel;
use output::{DiskOutput, Output, OutputError};
use rayon::prelude::*;
use serde::Serialize;
use std::path::Path;
use std::sync::Mutex;
use tera::Context;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot write the site to `{path}`: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("the theme has {} error(s); nothing was written", .0.len())]
    Theme(Vec<Diagnostic>),
    #[error("{0}")]
    Refused(String),
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--base-url`: where the site is published (overrides `[site] base_url`).
    pub base_url: Option<String>,
}

/// What a build wrote.
#[derive(Debug, Default)]
pub struct Built {
    pub files: usize,
    pub pages: usize,
    /// Wall time per phase (the writer thread overlaps all of them).
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// The Content-Security-Policy every page carries: nothing but the site's
/// own scripts, styles and images, no inline script, no framing of forms
/// elsewhere. Inline SVG is markup, not an image load, so it needs nothing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'";

#[derive(Serialize)]
struct PageInfo<'a> {
    title: &'a str,
    /// `home`, `catalog`, `entity`, `scorecards` or `health`: which nav item is current.
    section: &'a str,
    /// This page, relative to the site root.
    path: &'a str,
    canonical: Option<String>,
    csp: &'static str,
}

struct Renderer<'a> {
    model: &'a SiteModel<'a>,
    theme: &'a theme::Theme,
    out: &'a dyn Output,
    errors: Mutex<Vec<Diagnostic>>,
    /// The first file the output refused; the render fails with it.
    refused: Mutex<Option<OutputError>>,
}

impl Renderer<'_> {
    /// Renders `template` with the common variables plus `extra`, and writes
    /// it to `path`. Returns whether it worked; failures are collected.
    fn page<T: Serialize>(
        &self,
        template: &str,
        path: &str,
        title: &str,
        section: &str,
        extra: &T,
    ) -> bool {
        let mut ctx = match Context::from_serialize(extra) {
            Ok(c) => c,
            Err(e) => {
                self.fail(Diagnostic::new(
                    Code::TemplateError,
                    format!("cannot build the context of {path}: {e}"),
                ));
                return false;
            }
        };
        ctx.insert("site", &self.model.info);
        ctx.insert("root", &links::root_of(path));
        ctx.insert(
            "page",
            &PageInfo {
                title,
                section,
                path,
                canonical: self
                    .model
                    .info
                    .base_url
                    .as_ref()
                    .map(|b| format!("{b}{}", path.trim_end_matches("index.html"))),
                csp: CSP,
            },
        );
        match self.theme.render(template, &ctx) {
            Ok(html) => self.write(path, html.into_bytes()),
            Err(d) => {
                self.fail(*d);
                false
            }
        }
    }

    /// Writes a file; false (with the error kept) if the output refused it.
    fn write(&self, path: &str, bytes: Vec<u8>) -> bool {
        match self.out.write(path, bytes) {
            Ok(()) => true,
            Err(e) => {
                let mut refused = self.refused.lock().unwrap_or_else(|p| p.into_inner());
                refused.get_or_insert(e);
                false
            }
        }
    }

    /// Keeps one diagnostic per distinct template error: a broken entity
    /// template fails on every entity, and 10,000 copies help nobody.
    fn fail(&self, d: Diagnostic) {
        let mut errors = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        if !errors
            .iter()
            .any(|x| x.span == d.span && x.message == d.message)
        {
            errors.push(d);
        }
    }
}

/// The template for an entity page: `kinds/<kind>.html` when the theme has
/// one (group, user, system and domain by default), `entity.html` otherwise.
/// Kind templates live in their own folder so that no kind name can pick a
/// page template such as `home.html`.
fn entity_template(theme: &theme::Theme, kind: &str) -> String {
    let name = format!("kinds/{kind}.html");
    if theme.has(&name) {
        name
    } else {
        "entity.html".to_owned()
    }
}

/// Writes the site for a checked catalog into `out` with a loaded theme,
/// replacing `out` only when every file was written.
pub fn build(
    checked: &Checked,
    theme: &theme::Theme,
    out: &Path,
    options: &Options,
) -> Result<Built, BuildError> {
    let root = &checked.loaded.catalog.root;
    let disk = DiskOutput::create(root, out).map_err(|e| output_error(out, e))?;
    let model = SiteModel::new(checked, options.base_url.clone());
    let r = Renderer {
        model: &model,
        theme,
        out: &disk,
        errors: Mutex::new(Vec::new()),
        refused: Mutex::new(None),
    };
    let (pages, files, mut timings) = render_site(&r, checked, theme);
    let mut errors = r.errors.into_inner().unwrap_or_else(|p| p.into_inner());
    if !errors.is_empty() {
        crate::diagnostics::sort(&mut errors);
        return Err(BuildError::Theme(errors));
    }
    if let Some(e) = r.refused.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(output_error(out, e));
    }
    let started = std::time::Instant::now();
    disk.commit().map_err(|e| output_error(out, e))?;
    timings.push(("commit", started.elapsed()));
    Ok(Built {
        files,
        pages,
        timings,
    })
}

/// The disk output's errors, as `build` has always reported them.
fn output_error(out: &Path, e: OutputError) -> BuildError {
    match e {
        OutputError::Refused(why) => BuildError::Refused(why),
        OutputError::Io { path, source } => BuildError::Write { path, source },
        OutputError::Closed => BuildError::Write {
            path: out.display().to_string(),
            source: std::io::Error::other(e),
        },
    }
}

/// Renders every page and data file into the writer; returns (pages,
/// files, phase timings).
fn render_site(
    r: &Renderer,
    checked: &Checked,
    theme: &theme::Theme,
) -> (usize, usize, crate::timing::Laps) {
    let model = r.model;
    let catalog = &checked.loaded.catalog;
    let entities: Vec<_> = catalog.entities.values().collect();
    let pages = std::sync::atomic::AtomicUsize::new(0);
    let count = || {
        pages.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    };
    let mut clock = crate::timing::Clock::default();
    entities.par_iter().for_each(|e| {
        let (path, json) = export::entity_file(catalog, e, model.standings_of(&e.eref));
        r.write(&path, json);
        let ctx = entity::context(model, e);
        let template = entity_template(theme, &e.eref.kind);
        if r.page(
            &template,
            &links::entity_page(&e.eref),
            e.title(),
            "catalog",
            &ctx,
        ) {
            count();
        }
    });

    clock.lap("entity pages");
    let overall = summary::level_summary(model, catalog.entities.keys(), None);
    #[derive(Serialize)]
    struct HomeCtx {
        home: pages::Home,
    }
    if r.page(
        "home.html",
        "index.html",
        &model.info.title,
        "home",
        &HomeCtx {
            home: pages::home(model, overall.clone()),
        },
    ) {
        count();
    }

    #[derive(Serialize)]
    struct CatalogCtx {
        total: usize,
        kinds: Vec<summary::KindCount>,
        first: Vec<model::EntityLink>,
        shards: usize,
    }
    clock.lap("home");
    let data = index::files(model);
    if r.page(
        "catalog.html",
        "catalog/index.html",
        "Catalog",
        "catalog",
        &CatalogCtx {
            total: catalog.entities.len(),
            kinds: summary::kind_counts(model),
            first: entities
                .iter()
                .take(pages::INDEX_FIRST_PAGE)
                .map(|e| model.link_to(e))
                .collect(),
            shards: data.len().saturating_sub(1),
        },
    ) {
        count();
    }
    let data_files = data.len();
    clock.lap("catalog index");
    for (path, bytes) in data {
        r.write(&path, bytes);
    }

    #[derive(Serialize)]
    struct ScorecardsCtx {
        scorecards: Vec<summary::LevelSummary>,
        definitions: Vec<Definition>,
    }
    #[derive(Serialize)]
    struct Definition {
        id: String,
        title: String,
        description: String,
        url: String,
        checks: usize,
        levels: Vec<String>,
    }
    let cards = &checked.scorecards.scorecards;
    if r.page(
        "scorecards.html",
        "scorecards/index.html",
        "Scorecards",
        "scorecards",
        &ScorecardsCtx {
            scorecards: overall,
            definitions: cards
                .iter()
                .map(|s| Definition {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    description: s.description.clone(),
                    url: links::scorecard_page(&s.id),
                    checks: s.checks.len(),
                    levels: s.levels.clone(),
                })
                .collect(),
        },
    ) {
        count();
    }
    #[derive(Serialize)]
    struct ScorecardCtx {
        scorecard: pages::ScorecardPage,
    }
    cards.par_iter().for_each(|sc| {
        let page = pages::scorecard(model, sc);
        if r.page(
            "scorecard.html",
            &links::scorecard_page(&sc.id),
            &sc.title,
            "scorecards",
            &ScorecardCtx { scorecard: page },
        ) {
            count();
        }
        r.write(
            &pages::scorecard_json_path(&sc.id),
            pages::scorecard_json(model, sc),
        );
    });

    #[derive(Serialize)]
    struct HealthCtx<'s> {
        summary: summary::HealthSummary,
        /// On the first page only, at most [`pages::HEALTH_PAGE`].
        skipped: &'s [crate::catalog::Skipped],
        diagnostics: Vec<pages::DiagnosticRow>,
        pager: pages::Pager,
    }
    clock.lap("scorecards");
    let health = summary::health_summary(model);
    for (path, rows, pager) in pages::health_pages(model) {
        let skipped = if pager.page == 1 {
            &catalog.skipped[..catalog.skipped.len().min(pages::HEALTH_PAGE)]
        } else {
            &[]
        };
        if r.page(
            "health.html",
            &path,
            "Catalog health",
            "health",
            &HealthCtx {
                summary: health.clone(),
                skipped,
                diagnostics: rows,
                pager,
            },
        ) {
            count();
        }
    }

    r.write(write::MARKER, write::MARKER_TEXT.as_bytes().to_vec());
    for (name, bytes) in &theme.assets {
        r.write(&format!("static/{name}"), bytes.clone());
    }
    let (path, index) = export::index_file(catalog);
    r.write(&path, index);
    let export_files = catalog.entities.len() + 1;
    clock.lap("health, assets, export");

    let pages = pages.into_inner();
    (
        pages,
        pages + data_files + theme.assets.len() + export_files + cards.len() + 1,
        clock.laps,
    )
}
