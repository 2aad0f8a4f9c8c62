//! One run of the pipeline: config → catalog → facts → scorecard. Commands
//! run it and then render (check), write a site (build) or serve.
//!
//! Every read goes through the one [`Source`] the command chose: the
//! working tree, or a git tree at a revision.

use crate::catalog::{self, LoadError, Loaded};
use crate::date::Date;
use crate::diagnostics::{self, Diagnostic};
use crate::facts::{self, Facts};
use crate::scorecard::{self, Scorecards};
use crate::source::{Source, WorkTree};
use std::path::Path;

pub struct Checked {
    pub loaded: Loaded,
    pub facts: Facts,
    pub scorecards: Scorecards,
    /// Catalog and scorecard diagnostics, overrides applied, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// The API reference of each API entity with a readable definition.
    pub apis: std::collections::HashMap<
        crate::catalog::model::EntityRef,
        std::sync::Arc<crate::apiref::ApiDoc>,
    >,
    /// Score history at past commits: filled in by `build` (see
    /// `crate::history`), `Off` after a plain run.
    pub history: crate::scorecard::trend::Trends,
}

impl Checked {
    /// Adds diagnostics found after the run (the theme's), with the
    /// catalog's severity overrides, keeping the list sorted.
    pub fn add(&mut self, found: Vec<Diagnostic>) {
        if found.is_empty() {
            return; // already sorted; a large catalog has many to sort
        }
        self.diagnostics
            .extend(self.loaded.config.severity.apply(found));
        diagnostics::sort(&mut self.diagnostics);
    }
}

/// What to run besides the catalog checks.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Evaluate scorecard policies (`--no-scorecards` turns them off).
    pub scorecards: bool,
    /// The date enforcement and waiver expiry are judged on (`--today`).
    pub today: Date,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            scorecards: true,
            today: Date::today(),
        }
    }
}

/// Runs the pipeline on the catalog in `source`. `root` is where it lives,
/// for display only.
pub fn run(source: &dyn Source, root: &Path, options: Options) -> Checked {
    let mut partial = prepare(source, root, options, None);
    if options.scorecards {
        let started = std::time::Instant::now();
        let files = partial.history_files(source);
        let git = facts::git::collect(root, source.commit(), &files);
        partial.set_git(git, options, started.elapsed());
    }
    finish(partial, source, options, None)
}

/// History facts and the warning that came with them.
type GitFacts = (facts::git::Git, Option<Diagnostic>);

/// What one run keeps for the next in the same process: `serve` runs the
/// pipeline again after every save, and most of the catalog is as it was.
/// Each stage says what it keeps and when it forgets it
/// ([`catalog::cache`], [`facts::cache`], [`scorecard::reuse`]).
#[derive(Default)]
pub struct Warm {
    catalog: catalog::cache::Cache,
    facts: facts::cache::Cache,
    apis: crate::apiref::Cache,
    memo: scorecard::Memo,
    /// History facts, with the HEAD they were read at.
    git: Option<(Option<git2::Oid>, GitFacts)>,
    /// No file was created or removed since the last run.
    files_kept: bool,
    /// The files that defined entities in the last run: saving only those
    /// changes no fact or API reference by itself.
    entity_files: std::collections::HashSet<String>,
}

impl Warm {
    /// Forgets what the saved `changed` paths (relative to ROOT, as the
    /// watcher reports them) may have changed. A change to `portolan.toml`,
    /// which every stage reads, needs [`Warm::default`] instead.
    pub fn forget(&mut self, source: &dyn Source, changed: &std::collections::BTreeSet<String>) {
        let kept = self.catalog.forget(source, changed);
        self.facts.forget(changed, kept, &self.entity_files);
        self.apis.forget(changed, kept, &self.entity_files);
        self.files_kept = kept;
    }

    /// How many catalog files the last run parsed, and whether it kept the
    /// docs sites (for tests and `PORTOLAN_TIMINGS`).
    pub fn last(&self) -> (usize, bool) {
        (self.catalog.parsed(), self.facts.kept_sites())
    }
}

/// [`run`], reusing what `warm` kept from the last run and keeping this
/// run's for the next. The result is the same as [`run`]'s.
pub fn run_warm(source: &dyn Source, root: &Path, options: Options, warm: &mut Warm) -> Checked {
    let mut partial = prepare(source, root, options, Some(&mut *warm));
    let entities = partial.loaded.catalog.entities.values();
    warm.entity_files = entities.map(|e| e.file.clone()).collect();
    if options.scorecards {
        let started = std::time::Instant::now();
        // The files asked about are the same while none was created or
        // removed; the answers are the same while HEAD is.
        let head = match source.commit() {
            Some(at) => Some(at),
            None => facts::git::head(root),
        };
        let git = match warm.git.take() {
            Some((at, git)) if warm.files_kept && at == head => git,
            _ => {
                let files = partial.history_files(source);
                facts::git::collect(root, source.commit(), &files)
            }
        };
        warm.git = Some((head, git.clone()));
        partial.set_git(git, options, started.elapsed());
    }
    finish(
        partial,
        source,
        options,
        Some(scorecard::Reuse::Renew(&mut warm.memo)),
    )
}

/// Runs the pipeline twice, on the catalog at a base revision and on the
/// one in `head` (`check --base`), sharing what can be shared: the two
/// catalogs load at once, one walk of the history serves both, and a
/// base entity whose policy input equals its input in `head` takes the
/// head's results instead of being evaluated again (when no policy reads
/// `data`, which could depend on any entity). Returns (base, head).
pub fn run_pair(
    base: &dyn Source,
    head: &dyn Source,
    root: &Path,
    options: Options,
) -> (Checked, Checked) {
    let (before, mut after) = std::thread::scope(|s| {
        let b = s.spawn(|| prepare(base, root, options, None));
        let h = prepare(head, root, options, None);
        (b.join(), h)
    });
    let mut before = before.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    if options.scorecards {
        let started = std::time::Instant::now();
        let (fb, fh) = (before.history_files(base), after.history_files(head));
        let mut both =
            facts::git::collect_many(root, &[(base.commit(), &fb), (head.commit(), &fh)]);
        let took = started.elapsed();
        let git_head = both.pop().unwrap_or_default();
        let git_base = both.pop().unwrap_or_default();
        before.set_git(git_base, options, took);
        after.set_git(git_head, options, took);
    }
    let mut memo = scorecard::Memo::default();
    let after = finish(
        after,
        head,
        options,
        Some(scorecard::Reuse::Record(&mut memo)),
    );
    let before = finish(before, base, options, Some(scorecard::Reuse::From(&memo)));
    (before, after)
}

/// The stages before the history walk.
struct Partial {
    loaded: Loaded,
    facts: Facts,
    apis: std::collections::HashMap<
        crate::catalog::model::EntityRef,
        std::sync::Arc<crate::apiref::ApiDoc>,
    >,
    found: Vec<Diagnostic>,
}

impl Partial {
    fn history_files(&self, source: &dyn Source) -> Vec<String> {
        facts::history_files(source, &self.loaded.catalog, &self.facts)
    }

    fn set_git(
        &mut self,
        (git, warning): (facts::git::Git, Option<Diagnostic>),
        options: Options,
        took: std::time::Duration,
    ) {
        self.facts.git = git;
        self.facts.staleness = facts::git::Staleness {
            days: self.loaded.config.stale_days,
            today: options.today,
        };
        self.found.extend(warning);
        self.loaded.timings.push(("git history", took));
    }
}

fn prepare(source: &dyn Source, root: &Path, options: Options, warm: Option<&mut Warm>) -> Partial {
    let (config, config_diags) = crate::config::load(source);
    let seniority = |files: &[String]| facts::git::added_before(root, source.commit(), files);
    let (catalog_cache, facts_cache, api_cache) = match warm {
        Some(w) => (Some(&mut w.catalog), Some(&mut w.facts), Some(&mut w.apis)),
        None => (None, None, None),
    };
    let mut loaded = catalog::load_from(
        source,
        root,
        config,
        config_diags,
        Some(&seniority),
        catalog_cache,
    );
    // Facts serve the policies and the portal; a catalog-only check
    // (`--no-scorecards`) needs neither.
    let started = std::time::Instant::now();
    let facts = if options.scorecards {
        facts::gather(source, &loaded.catalog, loaded.config.docs, facts_cache)
    } else {
        Facts::default()
    };
    loaded.timings.push(("facts", started.elapsed()));
    let started = std::time::Instant::now();
    let (apis, mut found) = crate::apiref::gather(
        source,
        &loaded.catalog,
        loaded.config.max_file_bytes,
        api_cache,
    );
    loaded.timings.push(("api reference", started.elapsed()));
    found.extend(facts.sites.diagnostics.iter().cloned());
    Partial {
        loaded,
        facts,
        apis,
        found,
    }
}

fn finish(
    partial: Partial,
    source: &dyn Source,
    options: Options,
    reuse: Option<scorecard::Reuse<'_>>,
) -> Checked {
    let Partial {
        mut loaded,
        facts,
        apis,
        mut found,
    } = partial;
    let started = std::time::Instant::now();
    let scorecards = if options.scorecards {
        let sources = scorecard::sources(source, loaded.config.builtin_scorecards, &mut found);
        scorecard::run(
            source,
            &loaded.catalog,
            &facts,
            &sources,
            options.today,
            &loaded.config.scorecard_limits,
            reuse,
            &mut found,
        )
    } else {
        Scorecards::default()
    };
    loaded
        .timings
        .extend(scorecards.timings.iter().map(|(n, d)| (*n, *d)));
    loaded.timings.push(("scorecards", started.elapsed()));
    let started = std::time::Instant::now();
    let mut checked = Checked {
        diagnostics: loaded.diagnostics.clone(),
        loaded,
        facts,
        scorecards,
        apis,
        history: Default::default(),
    };
    checked.add(found);
    checked.loaded.timings.push(("merge", started.elapsed()));
    checked
}

/// Runs the pipeline on the working tree at `root`: the convenience that
/// tests and tools use.
pub fn check(root: &Path, options: Options) -> Result<Checked, LoadError> {
    let source = WorkTree::new(root)?;
    Ok(run(&source, root, options))
}
