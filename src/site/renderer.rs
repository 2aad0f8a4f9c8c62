//! Renders any subset of the page plan into any [`Output`]: every page
//! with the common template variables, every data file as bytes.
//!
//! Files are rendered on rayon threads, phase by phase in plan order. What
//! several pages share (the catalog-wide scorecard summary, the health
//! summary, the catalog index's rows) is computed once, by whichever page
//! needs it first, so a subset pays only for what it renders. No file's
//! bytes depend on which thread rendered it or when.

use super::budget::{self, InFlight};
use super::links;
use super::model::SiteModel;
use super::output::{Output, OutputError};
use super::pages::{catalog, conflict, health, home, initiatives, scorecards};
use super::plan::{Family, PageSpec};
use super::summary::{self, HealthSummary, LevelSummary};
use super::theme::Theme;
use super::{entity, export, write};
use crate::diagnostics::{Code, Diagnostic};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use tera::Context;

/// The Content-Security-Policy every page carries: nothing but the site's
/// own scripts, styles and images, no inline script, no framing of forms
/// elsewhere. Inline SVG is markup, not an image load, so it needs nothing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'";

/// The policy of a docs page with a Mermaid diagram: [`CSP`] with inline
/// styles allowed, and nothing else changed. Mermaid draws each diagram as
/// an SVG holding a `<style>` element and `style` attributes; under
/// `style-src 'self'` the browser drops them all (a console error each),
/// and what is left is black boxes on black text, not a diagram. No hash or
/// nonce can cover styles generated in the browser from the diagram, so
/// the choice is unreadable diagrams or `'unsafe-inline'` styles on these
/// pages only. Styles cannot run script, `default-src 'none'`/`img-src`/
/// `font-src` still stop a stylesheet from loading anything from
/// elsewhere (so CSS cannot send data out), the page's markdown is
/// sanitized (ammonia keeps no `style`), and the diagram source is the
/// page author's own: the worst it can do is restyle its own page. The
/// CSP is a `<meta>` tag (base.html), so every other page keeps [`CSP`].
/// docs/portal.md says the same.
pub const CSP_DIAGRAMS: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'";

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

/// Values several files show, computed on first use. Their initializers
/// must not use rayon: a thread waiting on one inside a parallel loop
/// could otherwise steal a task that waits on the same value.
#[derive(Default)]
struct Shared {
    overall: OnceLock<Vec<LevelSummary>>,
    health: OnceLock<HealthSummary>,
}

/// What a render did.
pub struct Rendered {
    pub pages: usize,
    pub files: usize,
    /// Distinct template errors, sorted.
    pub errors: Vec<Diagnostic>,
    /// A write the output refused (the first by path, so that which one
    /// is reported does not depend on thread timing).
    pub refused: Option<OutputError>,
    pub timings: crate::timing::Laps,
}

pub struct Renderer<'a> {
    model: &'a SiteModel<'a>,
    theme: &'a Theme,
    out: &'a dyn Output,
    shared: Shared,
    pages: AtomicUsize,
    files: AtomicUsize,
    errors: Mutex<Vec<Diagnostic>>,
    refused: Mutex<Option<(String, OutputError)>>,
    inflight: InFlight,
}

impl<'a> Renderer<'a> {
    pub fn new(model: &'a SiteModel<'a>, theme: &'a Theme, out: &'a dyn Output) -> Self {
        Renderer {
            model,
            theme,
            out,
            shared: Shared::default(),
            pages: AtomicUsize::new(0),
            files: AtomicUsize::new(0),
            errors: Mutex::new(Vec::new()),
            refused: Mutex::new(None),
            inflight: InFlight::default(),
        }
    }

    /// Renders `specs` (from a plan of the same catalog and theme), one
    /// phase at a time, each phase in parallel, with a watchdog on every
    /// page's time budget when `options.on_hang` is set.
    pub fn render(self, specs: &[&PageSpec], options: &super::Options) -> Rendered {
        let mut clock = crate::timing::Clock::default();
        std::thread::scope(|scope| {
            if let Some(on_hang) = &options.on_hang {
                let (inflight, theme) = (&self.inflight, self.theme);
                scope.spawn(move || budget::watch(inflight, on_hang, &|t| theme.origin(t)));
            }
            for phase in specs.chunk_by(|a, b| a.family.phase() == b.family.phase()) {
                phase.par_iter().for_each(|spec| self.one(spec));
                clock.lap(phase[0].family.phase());
            }
            self.inflight.finish();
        });
        let mut errors = self.errors.into_inner().unwrap_or_else(|p| p.into_inner());
        crate::diagnostics::sort(&mut errors);
        Rendered {
            pages: self.pages.into_inner(),
            files: self.files.into_inner(),
            errors,
            refused: self
                .refused
                .into_inner()
                .unwrap_or_else(|p| p.into_inner())
                .map(|(_, e)| e),
            timings: clock.laps,
        }
    }

    /// Renders and writes one file.
    fn one(&self, spec: &PageSpec) {
        let m = self.model;
        let path = spec.path.as_str();
        let template = spec.family.template().unwrap_or_default();
        match &spec.family {
            Family::EntityPage { entity: e, .. } => {
                let ctx = entity::context(m, e);
                self.page(template, path, e.title(), "catalog", &ctx);
            }
            Family::EntityJson(e) => {
                self.write(
                    path,
                    export::entity_json(m.catalog, e, m.standings_of(&e.eref)),
                );
            }
            Family::ApiDefinition(e) => {
                let text = crate::apiref::definition_text(e).unwrap_or_default();
                self.write(path, text.as_bytes().to_vec());
            }
            Family::Conflict(r, defs) => {
                let ctx = conflict::context(m, r, defs);
                self.page(template, path, &r.name, "catalog", &ctx);
            }
            Family::Home => {
                let ctx = home::context(m, self.overall().clone(), self.health().clone());
                self.page(template, path, &m.info.title, "home", &ctx);
            }
            Family::CatalogIndex => {
                let ctx = catalog::context(m);
                self.page(template, path, "Catalog", "catalog", &ctx);
            }
            Family::SearchIndex(file) => {
                self.write(path, file.bytes.clone());
            }
            Family::ScorecardsIndex => {
                let ctx = scorecards::index(m, self.overall().clone());
                self.page(template, path, "Scorecards", "scorecards", &ctx);
            }
            Family::Scorecard { sc, page } => {
                let ctx = scorecards::page(m, sc, *page);
                self.page(template, path, &sc.title, "scorecards", &ctx);
            }
            Family::ScorecardCheck {
                sc, check, page, ..
            } => {
                let ctx = scorecards::check_page(m, sc, check, *page);
                let title = format!("{} › {}", sc.title, check.title);
                self.page(template, path, &title, "scorecards", &ctx);
            }
            Family::InitiativesIndex => {
                let ctx = initiatives::index(m);
                self.page(template, path, "Initiatives", "initiatives", &ctx);
            }
            Family::Initiative { tracked, page, .. } => {
                let ctx = initiatives::page(m, tracked, *page);
                self.page(
                    template,
                    path,
                    &tracked.initiative.title,
                    "initiatives",
                    &ctx,
                );
            }
            Family::ScorecardJson(sc) => {
                self.write(path, scorecards::json(m, sc));
            }
            Family::Health { page, pages } => {
                let ctx = health::context(m, self.health().clone(), *page, *pages);
                self.page(template, path, "Catalog health", "health", &ctx);
            }
            Family::Marker => {
                self.write(path, write::MARKER_TEXT.as_bytes().to_vec());
            }
            Family::Asset(name) => {
                let bytes = self.theme.assets.get(*name).cloned().unwrap_or_default();
                self.write(path, bytes);
            }
            Family::Export => {
                self.write(path, export::index_json(m.catalog));
            }
            Family::HistoryJson => {
                let json = export::history_json(&m.checked.history, &m.scorecards.scorecards);
                self.write(path, json);
            }
            Family::DocsPage { entity, site, page } => {
                let ctx = super::docs::context(m, entity, site, *page);
                let p = &site.pages[*page];
                let csp = if p.mermaid { CSP_DIAGRAMS } else { CSP };
                self.page_with(template, path, &p.title, "catalog", csp, &ctx);
            }
            Family::DocsAsset(a) => {
                self.write(path, a.bytes.to_vec());
            }
        }
    }

    /// How the whole catalog stands on each scorecard (home and the
    /// scorecards index both show it).
    fn overall(&self) -> &Vec<LevelSummary> {
        self.shared.overall.get_or_init(|| {
            summary::level_summary(self.model, self.model.catalog.entities.keys(), None)
        })
    }

    fn health(&self) -> &HealthSummary {
        self.shared
            .health
            .get_or_init(|| summary::health_summary(self.model))
    }

    /// Renders `template` with the common variables plus `extra`, and
    /// writes it to `path`; failures are collected.
    fn page<T: Serialize>(
        &self,
        template: &str,
        path: &str,
        title: &str,
        section: &str,
        extra: &T,
    ) {
        self.page_with(template, path, title, section, CSP, extra);
    }

    /// [`Self::page`] under the policy `csp`.
    fn page_with<T: Serialize>(
        &self,
        template: &str,
        path: &str,
        title: &str,
        section: &str,
        csp: &'static str,
        extra: &T,
    ) {
        let mut ctx = match Context::from_serialize(extra) {
            Ok(c) => c,
            Err(e) => {
                return self.fail(Diagnostic::new(
                    Code::TemplateError,
                    format!("cannot build the context of {path}: {e}"),
                ));
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
                csp,
            },
        );
        self.inflight.start(template, path);
        let rendered = self.theme.render_page(template, path, &ctx);
        self.inflight.end();
        match rendered {
            Ok(html) => {
                if self.write(path, html.into_bytes()) {
                    self.pages.fetch_add(1, Ordering::Relaxed);
                }
            }
            Err(d) => self.fail(*d),
        }
    }

    /// Writes a file; false (with the error kept) if the output refused it.
    fn write(&self, path: &str, bytes: Vec<u8>) -> bool {
        match self.out.write(path, bytes) {
            Ok(()) => {
                self.files.fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(e) => {
                let mut refused = self.refused.lock().unwrap_or_else(|p| p.into_inner());
                if refused
                    .as_ref()
                    .is_none_or(|(first, _)| path < first.as_str())
                {
                    *refused = Some((path.to_owned(), e));
                }
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
