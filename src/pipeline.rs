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
    pub apis: std::collections::HashMap<crate::catalog::model::EntityRef, crate::apiref::ApiDoc>,
    /// Score history at past commits: filled in by `build` (see
    /// `crate::history`), `Off` after a plain run.
    pub history: crate::scorecard::trend::Trends,
}

impl Checked {
    /// Adds diagnostics found after the run (the theme's), with the
    /// catalog's severity overrides, keeping the list sorted.
    pub fn add(&mut self, found: Vec<Diagnostic>) {
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
    let (config, config_diags) = crate::config::load(source);
    let seniority = |files: &[String]| facts::git::added_before(root, source.commit(), files);
    let mut loaded = catalog::load_from(source, root, config, config_diags, Some(&seniority));
    // Facts serve the policies and the portal; a catalog-only check
    // (`--no-scorecards`) needs neither.
    let started = std::time::Instant::now();
    let mut facts = if options.scorecards {
        facts::gather(source, &loaded.catalog, loaded.config.docs)
    } else {
        Facts::default()
    };
    loaded.timings.push(("facts", started.elapsed()));
    let started = std::time::Instant::now();
    let (apis, mut found) =
        crate::apiref::gather(source, &loaded.catalog, loaded.config.max_file_bytes);
    loaded.timings.push(("api reference", started.elapsed()));
    found.append(&mut facts.sites.diagnostics);
    if options.scorecards {
        let started = std::time::Instant::now();
        let files = facts::history_files(source, &loaded.catalog, &facts);
        let (git, warning) = facts::git::collect(root, source.commit(), &files);
        facts.git = git;
        facts.staleness = facts::git::Staleness {
            days: loaded.config.stale_days,
            today: options.today,
        };
        found.extend(warning);
        loaded.timings.push(("git history", started.elapsed()));
    }
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
