//! One `serve` session: the last good run and site, and the rebuild after
//! each batch of saved files.
//!
//! A rebuild runs the pipeline on the working tree on top of what the last
//! run kept (`pipeline::Warm`: unsaved files' parses, facts, docs sites,
//! API references, and the scorecard results of entities whose policy input
//! is unchanged, none when a policy reads `data`, so such a policy sees the
//! edit like any other). It then compares the new run with the last good one to
//! find what changed: the entities defined in the saved files, entities
//! whose relations, standings, quick answers or docs site differ, and the
//! saved files themselves. The page plan turns that into the pages to
//! render again (those whose dependencies name a changed entity or file,
//! in the old plan or the new one, plus pages new to the site); every other
//! page keeps its bytes. A policy, initiative, waiver or `portolan.toml`
//! change starts from nothing and renders the whole site again; a theme
//! change renders the whole site from the last run without checking again.
//! The search index is written after the browsers are told
//! (`serve::search`).
//!
//! A rebuild fails when it would publish something worse than the site
//! being served: the theme does not load or render, or the edit introduces
//! catalog errors (errors the last good run did not have; failing scorecard
//! checks are results, shown in the portal, not failures). Then the last
//! good site stays served and the errors are reported as `check` prints
//! them.

use super::search::Indexer;
use super::state::State;
use crate::catalog::model::EntityRef;
use crate::diagnostics::render::{self, Report};
use crate::diagnostics::{Code, Diagnostic, Severity, baseline};
use crate::pipeline::{self, Checked};
use crate::site::theme::{self, Theme};
use crate::site::{self, Changes, MemoryOutput, Plan};
use crate::source::{Source, WorkTree, is_under};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a batch of saved files asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Catalog content: run the pipeline, render what the changes touch.
    Catalog,
    /// A policy, an initiative, `waivers.yaml` or `portolan.toml`: run the
    /// pipeline and render everything (an initiative's deadline changes
    /// enforcement, and it is shown on team and entity pages).
    Everything,
    /// Only files of the theme `portolan.toml` names: render everything
    /// from the last run.
    Theme,
}

/// What one build or rebuild did.
#[derive(Debug)]
pub struct Rebuilt {
    pub scope: Scope,
    /// The saved files, relative to ROOT.
    pub changed: Vec<String>,
    /// The site files rendered, in plan order.
    pub rendered: Vec<String>,
    /// Site files that are gone (an entity or docs page removed).
    pub removed: Vec<String>,
    /// How many files the site has now.
    pub files: usize,
    pub took: Duration,
    /// Wall time per phase, for `PORTOLAN_TIMINGS=1` and the benchmark.
    pub timings: crate::timing::Laps,
    /// `Some` when the rebuild failed: the errors, as `check` prints them.
    pub failed: Option<Failure>,
}

/// Why a rebuild was not published.
#[derive(Debug, Clone)]
pub struct Failure {
    pub errors: usize,
    /// The errors rendered as `portolan check` does (no colour).
    pub text: String,
}

/// The last good run and its theme.
struct Good {
    /// Shared with the search worker while it indexes this run.
    checked: Arc<Checked>,
    theme: Theme,
    /// Its number, which the served pages carry (see `State::apply`).
    run: u64,
}

pub struct Session {
    root: PathBuf,
    options: pipeline::Options,
    good: Option<Good>,
    state: Arc<State>,
    /// Writes the search index after each rebuild (see `serve::search`).
    indexer: Indexer,
    /// The number of the last run published.
    runs: u64,
    /// What the last run keeps for the next (see `pipeline::Warm`).
    warm: pipeline::Warm,
}

impl Session {
    /// Runs the pipeline, renders the whole site into `state` and returns
    /// the session with what it did. `prepare` runs once on the first run
    /// (the command adds score history there, as `build` does).
    pub fn start(
        root: &Path,
        options: pipeline::Options,
        state: Arc<State>,
        prepare: &mut dyn FnMut(&mut Checked, &dyn Source),
    ) -> Result<(Session, Rebuilt), crate::catalog::LoadError> {
        let started = Instant::now();
        let source = WorkTree::new(root)?;
        let mut warm = pipeline::Warm::default();
        let mut checked = pipeline::run_warm(&source, root, options, &mut warm);
        prepare(&mut checked, &source);
        let mut session = Session {
            root: root.to_path_buf(),
            options,
            good: None,
            indexer: Indexer::start(Arc::clone(&state)),
            state,
            runs: 0,
            warm,
        };
        let rebuilt = session.publish(&source, checked, Scope::Everything, Vec::new(), started);
        Ok((session, rebuilt))
    }

    /// The state the HTTP server reads.
    pub fn state(&self) -> &Arc<State> {
        &self.state
    }

    /// Forgets what runs kept for the next one: the watcher lost events,
    /// so the next rebuild cannot trust that unreported files are unchanged.
    pub fn forget_all(&mut self) {
        self.warm = pipeline::Warm::default();
    }

    /// Calls `report` with one line whenever a rebuild's search index is
    /// swapped in.
    pub fn report_search(&self, report: impl Fn(String) + Send + 'static) {
        self.indexer.report(report);
    }

    /// Waits until the search index of the last good rebuild is served.
    pub fn settle(&self) {
        self.indexer.settle();
    }

    /// The theme folder `portolan.toml` names, if any (`themes/<name>`).
    pub fn theme_dir(&self) -> Option<String> {
        let good = self.good.as_ref()?;
        theme::override_dir(&good.checked.loaded.config.site)
    }

    /// The score history cache folder inside ROOT, which the watcher
    /// ignores (writing it is not an edit).
    pub fn cache_dir(&self) -> Option<String> {
        let good = self.good.as_ref()?;
        Some(good.checked.loaded.config.history.cache_dir.clone())
    }

    /// What a batch of saved files (relative to ROOT) asks for.
    pub fn scope(&self, changed: &BTreeSet<String>) -> Scope {
        let everything = |f: &str| {
            f == "portolan.toml"
                || f == "waivers.yaml"
                || f == "policies"
                || f.starts_with("policies/")
                || f == "initiatives"
                || f.starts_with("initiatives/")
        };
        if changed.iter().any(|f| everything(f)) || self.good.is_none() {
            return Scope::Everything;
        }
        match self.theme_dir() {
            Some(dir) if changed.iter().all(|f| is_under(f, &dir)) => Scope::Theme,
            _ => Scope::Catalog,
        }
    }

    /// Rebuilds after `changed` (paths relative to ROOT) were saved.
    pub fn rebuild(&mut self, changed: &BTreeSet<String>) -> Rebuilt {
        let started = Instant::now();
        let scope = self.scope(changed);
        let files: Vec<String> = changed.iter().cloned().collect();
        let source = match WorkTree::new(&self.root) {
            Ok(s) => s,
            Err(e) => {
                let text = format!("error: {e}\n");
                return self.fail(scope, files, Failure { errors: 1, text }, started);
            }
        };
        // Forgotten for every scope: a theme folder may hold files the
        // catalog reads too, and the next catalog rebuild must not trust them.
        if scope == Scope::Everything {
            self.warm = pipeline::Warm::default();
        } else {
            self.warm.forget(&source, changed);
        }
        if scope == Scope::Theme
            && let Some(good) = self.good.take()
        {
            return self.retheme(&source, good, files, started);
        }
        let checked = pipeline::run_warm(&source, &self.root, self.options, &mut self.warm);
        let ran = started.elapsed();
        let phases = checked.loaded.timings.clone();
        let mut rebuilt = self.publish(&source, checked, scope, files, started);
        rebuilt.timings.splice(0..0, phases);
        rebuilt.timings.insert(0, ("pipeline", ran));
        rebuilt
    }

    /// Loads the theme again and renders the last run with it.
    fn retheme(
        &mut self,
        source: &dyn Source,
        good: Good,
        files: Vec<String>,
        started: Instant,
    ) -> Rebuilt {
        let mut diags = Vec::new();
        let theme = theme::load(source, &good.checked.loaded.config.site, &mut diags);
        let errors = errors_of(diags);
        // The search index does not depend on the theme: it stays.
        let result = if errors.is_empty() {
            render_all(&good.checked, &theme, false)
        } else {
            Err(errors)
        };
        match result {
            Ok(render) => {
                let count = self.state.apply(render.files, &[], true, good.run);
                self.good = Some(Good {
                    checked: good.checked,
                    theme,
                    run: good.run,
                });
                self.state.succeeded();
                Rebuilt {
                    scope: Scope::Theme,
                    changed: files,
                    rendered: render.rendered,
                    removed: Vec::new(),
                    files: count,
                    took: started.elapsed(),
                    timings: Vec::new(),
                    failed: None,
                }
            }
            Err(errors) => {
                let failure = self.failure(source, &good.checked, &errors);
                self.good = Some(good);
                self.fail(Scope::Theme, files, failure, started)
            }
        }
    }

    /// Publishes a new run: checks it is no worse than the last good one,
    /// renders what changed and swaps it into the served site.
    fn publish(
        &mut self,
        source: &dyn Source,
        mut checked: Checked,
        scope: Scope,
        files: Vec<String>,
        started: Instant,
    ) -> Rebuilt {
        let mut clock = crate::timing::Clock::default();
        let mut theme_diags = Vec::new();
        let theme = theme::load(source, &checked.loaded.config.site, &mut theme_diags);
        let mut errors = errors_of(theme_diags.clone());
        checked.add(theme_diags);
        if let Some(good) = &self.good {
            errors.extend(introduced_errors(&good.checked, &checked));
        }
        if !errors.is_empty() {
            let failure = self.failure(source, &checked, &errors);
            return self.fail(scope, files, failure, started);
        }
        // The score history is sampled once, at the start; it describes
        // past commits, which saving a file does not change.
        if let Some(good) = &self.good {
            checked.history = good.checked.history.clone();
        }
        clock.lap("theme, errors");
        // The first build writes the search index with the pages; after an
        // edit the worker writes it once the browsers are told.
        let first = self.good.is_none();
        let rendered = match (&self.good, scope) {
            (Some(good), Scope::Catalog) => {
                let changed: BTreeSet<String> = files.iter().cloned().collect();
                render_changes(good, &checked, &theme, &changed, &mut clock)
            }
            _ => render_all(&checked, &theme, first),
        };
        clock.lap("render");
        match rendered {
            Ok(render) => {
                self.runs += 1;
                let run = self.runs;
                let count = self
                    .state
                    .apply(render.files, &render.removed, render.whole, run);
                let checked = Arc::new(checked);
                let old = self.good.replace(Good {
                    checked: Arc::clone(&checked),
                    theme,
                    run,
                });
                self.state.succeeded();
                if !first {
                    self.indexer.index(run, checked);
                }
                clock.lap("swap in");
                // Freeing a large catalog's last run takes a while; the
                // browsers are told first, and it is freed off this thread.
                std::thread::spawn(move || drop(old));
                Rebuilt {
                    scope,
                    changed: files,
                    rendered: render.rendered,
                    removed: render.removed,
                    files: count,
                    took: started.elapsed(),
                    timings: clock.laps,
                    failed: None,
                }
            }
            Err(errors) => {
                let failure = self.failure(source, &checked, &errors);
                self.fail(scope, files, failure, started)
            }
        }
    }

    /// The overlay text for `errors`, as `check` prints them.
    fn failure(&self, source: &dyn Source, checked: &Checked, errors: &[Diagnostic]) -> Failure {
        let quote = |file: &str| crate::source::read_text(source, file, 4 * 1024 * 1024).ok();
        let report = Report {
            root: &self.root,
            diagnostics: errors,
            entities: checked.loaded.catalog.entities.len(),
            files: &checked.loaded.catalog.files,
            scorecards: None,
            quote: &quote,
            scorecard_details: false,
            baseline: None,
        };
        Failure {
            errors: errors.len(),
            text: render::human(&report, false),
        }
    }

    /// Keeps the last good site and shows `failure`.
    fn fail(
        &self,
        scope: Scope,
        changed: Vec<String>,
        failure: Failure,
        started: Instant,
    ) -> Rebuilt {
        self.state.failed(&failure.text);
        Rebuilt {
            scope,
            changed,
            rendered: Vec::new(),
            removed: Vec::new(),
            files: self.state.len(),
            took: started.elapsed(),
            timings: Vec::new(),
            failed: Some(failure),
        }
    }
}

/// Files rendered by a rebuild, ready to swap into the served site.
struct Render {
    rendered: Vec<String>,
    removed: Vec<String>,
    files: BTreeMap<String, Vec<u8>>,
    /// The files are the whole site (replace, do not merge).
    whole: bool,
}

/// The errors among `diags`.
fn errors_of(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

/// What identifies a diagnostic across edits: its code, file and message
/// with positions taken out (the baseline's key), so a problem that only
/// moved lines is not new.
fn key(d: &Diagnostic) -> (Code, String, String) {
    (
        d.code,
        d.span.as_ref().map(|s| s.file.clone()).unwrap_or_default(),
        baseline::normalize(d.code.code(), &d.message),
    )
}

/// The errors in `new` that `old` did not have (as many times as they are
/// new). Failing scorecard checks are left out: they are results the
/// portal shows, and a scorecard author previews exactly those.
fn introduced_errors(old: &Checked, new: &Checked) -> Vec<Diagnostic> {
    let counted = |c: &Checked| {
        let mut m: HashMap<(Code, String, String), usize> = HashMap::new();
        for d in c.diagnostics.iter().filter(|d| is_failure(d)) {
            *m.entry(key(d)).or_default() += 1;
        }
        m
    };
    let mut before = counted(old);
    new.diagnostics
        .iter()
        .filter(|d| is_failure(d))
        .filter(|d| match before.get_mut(&key(d)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .cloned()
        .collect()
}

fn is_failure(d: &Diagnostic) -> bool {
    d.severity == Severity::Error && d.code != Code::CheckFailed
}

/// Renders the whole site of a run, with the search index when `search`
/// (without it, the index being served stays: see `State::apply`).
fn render_all(checked: &Checked, theme: &Theme, search: bool) -> Result<Render, Vec<Diagnostic>> {
    let plan = if search {
        Plan::new(checked, theme)
    } else {
        Plan::without_search(checked, theme)
    };
    let out = MemoryOutput::new();
    let all = plan.all();
    render_into(&plan, &all, &out)?;
    Ok(Render {
        rendered: all.iter().map(|s| s.path.clone()).collect(),
        removed: Vec::new(),
        files: out.into_files(),
        whole: true,
    })
}

/// Renders `pages` into `out`; the render's phases go to the timings.
fn render_into(
    plan: &Plan,
    pages: &[&site::PageSpec],
    out: &MemoryOutput,
) -> Result<crate::timing::Laps, Vec<Diagnostic>> {
    match site::render(plan, pages, &site::Options::default(), out) {
        Ok(built) => Ok(built.timings),
        Err(site::BuildError::Theme(errors)) => Err(errors),
        Err(e) => Err(vec![Diagnostic::new(Code::Io, e.to_string())]),
    }
}

/// Renders the pages of `new` that the changes since `good` touch: those
/// the old plan or the new plan says read a changed entity or file, and
/// those new to the site. Pages only the old plan has are removed.
fn render_changes(
    good: &Good,
    new: &Checked,
    theme: &Theme,
    saved: &BTreeSet<String>,
    clock: &mut crate::timing::Clock,
) -> Result<Render, Vec<Diagnostic>> {
    let changes = changes(&good.checked, new, saved);
    clock.lap("compare runs");
    let (old_paths, mut wanted) = {
        let old = Plan::without_search(&good.checked, &good.theme);
        let paths: HashSet<String> = old.pages().iter().map(|s| s.path.clone()).collect();
        let affected: HashSet<String> = old
            .affected(&changes)
            .into_iter()
            .map(|s| s.path.clone())
            .collect();
        (paths, affected)
    };
    clock.lap("old plan");
    let plan = Plan::without_search(new, theme);
    wanted.extend(plan.affected(&changes).into_iter().map(|s| s.path.clone()));
    clock.lap("new plan");
    let pages: Vec<&site::PageSpec> = plan
        .pages()
        .iter()
        .filter(|s| wanted.contains(&s.path) || !old_paths.contains(&s.path))
        .collect();
    let new_paths: HashSet<&str> = plan.pages().iter().map(|s| s.path.as_str()).collect();
    let mut removed: Vec<String> = old_paths
        .iter()
        .filter(|p| !new_paths.contains(p.as_str()))
        .cloned()
        .collect();
    removed.sort_unstable();
    let out = MemoryOutput::new();
    // Each render phase on its own line, before the whole render's.
    for (phase, took) in render_into(&plan, &pages, &out)? {
        clock.laps.push((phase, took));
    }
    Ok(Render {
        rendered: pages.iter().map(|s| s.path.clone()).collect(),
        removed,
        files: out.into_files(),
        whole: false,
    })
}

/// What differs between two runs, given the files that were saved: the
/// entities those files define (before and after), entities added or
/// removed, and entities whose relations, standings, quick answers or docs
/// site differ. The plan's dependencies do the rest.
pub fn changes(old: &Checked, new: &Checked, saved: &BTreeSet<String>) -> Changes {
    let mut entities: BTreeSet<EntityRef> = BTreeSet::new();
    for run in [old, new] {
        let catalog = &run.loaded.catalog;
        for (r, e) in &catalog.entities {
            if saved.contains(&e.file) || e.includes.iter().any(|f| saved.contains(f)) {
                entities.insert(r.clone());
            }
        }
        for (r, defs) in &catalog.conflicts {
            if defs.iter().any(|d| saved.contains(&d.file)) {
                entities.insert(r.clone());
            }
        }
    }
    let (a, b) = (&old.loaded.catalog, &new.loaded.catalog);
    // In parallel: this compares every entity of two runs on every save.
    let every: Vec<&EntityRef> = a.entities.keys().chain(b.entities.keys()).collect();
    let differ: Vec<&EntityRef> = every
        .into_par_iter()
        .filter(|r| {
            a.entities.contains_key(*r) != b.entities.contains_key(*r)
                || a.relations.get(*r) != b.relations.get(*r)
                || old.facts.answers_of(r) != new.facts.answers_of(r)
        })
        .collect();
    entities.extend(differ.into_iter().cloned());
    for r in a.conflicts.keys().chain(b.conflicts.keys()) {
        if a.conflicts.contains_key(r) != b.conflicts.contains_key(r) {
            entities.insert(r.clone());
        }
    }
    let (sa, sb) = (standings(old), standings(new));
    for r in sa.keys().chain(sb.keys()) {
        if sa.get(r) != sb.get(r) {
            entities.insert((*r).clone());
        }
    }
    // Kept docs sites are the same sites (see `facts::cache`).
    if !Arc::ptr_eq(&old.facts.sites, &new.facts.sites) {
        let (da, db) = (sites(old), sites(new));
        for r in da.keys().chain(db.keys()) {
            if da.get(r) != db.get(r) {
                entities.insert((*r).clone());
            }
        }
    }
    Changes {
        entities,
        files: saved.clone(),
    }
}

/// Each entity's standings.
fn standings(run: &Checked) -> HashMap<&EntityRef, Vec<&crate::scorecard::Standing>> {
    let mut out: HashMap<&EntityRef, Vec<&crate::scorecard::Standing>> = HashMap::new();
    for s in &run.scorecards.standings {
        out.entry(&s.entity).or_default().push(s);
    }
    out
}

/// A fingerprint of each entity's rendered docs site: its pages (with
/// their HTML and titles, which other pages' navigation shows), its
/// navigation and its assets.
fn sites(run: &Checked) -> BTreeMap<&EntityRef, u64> {
    run.facts
        .sites
        .sites
        .iter()
        .map(|(r, site)| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            site.name.hash(&mut h);
            site.base.hash(&mut h);
            site.config.hash(&mut h);
            site.edit_base.hash(&mut h);
            site.broken_links.hash(&mut h);
            site.highlight.hash(&mut h);
            for p in &site.pages {
                (
                    &p.src, &p.rel, &p.out, &p.title, &p.html, p.mermaid, p.words,
                )
                    .hash(&mut h);
                p.blocks.hash(&mut h);
            }
            serde_json::to_vec(&site.nav)
                .unwrap_or_default()
                .hash(&mut h);
            for a in &site.assets {
                (&a.src, &a.out, &a.bytes[..]).hash(&mut h);
            }
            (r, h.finish())
        })
        .collect()
}
