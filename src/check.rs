//! `portolan check`: the catalog stage and the scorecard stage together.

use crate::catalog::{self, LoadError, Loaded};
use crate::diagnostics::{self, Diagnostic};
use crate::scorecard::{self, Scorecards, date::Date};
use std::path::Path;

pub struct Checked {
    pub loaded: Loaded,
    pub scorecards: Scorecards,
    /// Catalog and scorecard diagnostics, overrides applied, sorted.
    pub diagnostics: Vec<Diagnostic>,
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

pub fn check(root: &Path, options: Options) -> Result<Checked, LoadError> {
    let loaded = catalog::load(root)?;
    let mut found = Vec::new();
    let started = std::time::Instant::now();
    let scorecards = if options.scorecards {
        let sources = scorecard::sources(root, loaded.config.builtin_scorecards, &mut found);
        scorecard::run(&loaded.catalog, &sources, options.today, &mut found)
    } else {
        Scorecards::default()
    };
    // The theme is checked too, so a pull request that breaks a template
    // fails `check` before it can break the published portal.
    crate::site::theme::load(root, &loaded.config.site, &mut found);
    let mut loaded = loaded;
    loaded
        .timings
        .extend(scorecards.timings.iter().map(|(n, d)| (*n, *d)));
    loaded.timings.push(("scorecards", started.elapsed()));
    let started = std::time::Instant::now();
    let mut diagnostics = loaded.diagnostics.clone();
    diagnostics.extend(loaded.config.severity.apply(found));
    diagnostics::sort(&mut diagnostics);
    loaded.timings.push(("merge", started.elapsed()));
    Ok(Checked {
        loaded,
        scorecards,
        diagnostics,
    })
}
