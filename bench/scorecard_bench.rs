//! Scorecard evaluation against raw regorus on the same inputs.
//!
//!     cargo run --release --example scorecard-bench -- CATALOG_DIR [RUNS]
//!
//! "raw" is the floor: regorus evaluating every applicable check rule for
//! every entity, with the inputs already built and no result handling, on
//! the same rayon pool with one engine clone per worker. "portolan" is
//! `eval::evaluate`: assembling each input from the prepared values,
//! evaluating, and turning values into outcomes. Both use the same engine
//! (policies + data.catalog), and alternate within one process so machine
//! noise hits both. Best of RUNS (default 5) is reported.

use portolan::scorecard::{self, eval, input, metadata, model};
use rayon::prelude::*;
use std::time::{Duration, Instant};

fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let root = std::path::PathBuf::from(
        args.next()
            .expect("usage: scorecard-bench CATALOG_DIR [RUNS]"),
    );
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let source = portolan::source::WorkTree::new(&root).expect("catalog root");
    let loaded = portolan::catalog::load(&root).expect("catalog loads");
    let catalog = &loaded.catalog;
    let facts = portolan::facts::gather(&source, catalog, Default::default(), None);
    let mut diags = Vec::new();
    let sources = scorecard::sources(&source, true, &mut diags);
    let cards: Vec<model::Scorecard> = sources
        .iter()
        .filter_map(|s| model::scorecard(&s.file, &metadata::parse(&s.file, &s.text).0, &mut diags))
        .collect();
    let t = Instant::now();
    let prepared = input::Prepared::new(catalog, &facts, portolan::date::Date::today(), None);
    let prepare = t.elapsed();
    let (engine, _) = eval::engine(&sources, prepared.data(), &mut diags);

    // The work list both sides evaluate: (input, rules).
    let work: Vec<(regorus::Value, Vec<String>)> = catalog
        .entities
        .values()
        .filter_map(|e| {
            let rules: Vec<String> = cards
                .iter()
                .filter(|sc| sc.applies_to.matches(e))
                .flat_map(|sc| {
                    sc.checks
                        .iter()
                        .map(move |c| format!("data.{}.{}", sc.package, c.rule))
                })
                .collect();
            (!rules.is_empty()).then(|| (prepared.input(e), rules))
        })
        .collect();
    let evaluations: usize = work.iter().map(|(_, r)| r.len()).sum();

    let raw = || {
        work.par_iter().for_each_init(
            || engine.clone(),
            |engine, (input, rules)| {
                engine.set_input(input.clone());
                for r in rules {
                    let _ = engine.eval_rule(r.clone());
                }
            },
        );
    };
    let ours = || {
        let mut d = Vec::new();
        let (results, _, _) = eval::evaluate(
            &engine,
            &cards,
            catalog,
            &prepared,
            &eval::Limits::default(),
            None,
            false,
            &mut d,
        );
        assert!(!results.is_empty());
    };
    let (mut raw_t, mut ours_t) = (Duration::MAX, Duration::MAX);
    for _ in 0..runs {
        raw_t = raw_t.min(best(1, raw));
        ours_t = ours_t.min(best(1, ours));
    }
    let whole = best(runs.min(3), || {
        let mut d = Vec::new();
        let _ = scorecard::run(
            &source,
            catalog,
            &facts,
            &sources,
            portolan::date::Date::today(),
            &eval::Limits::default(),
            None,
            &mut d,
        );
    });
    println!(
        "entities: {}, check evaluations: {evaluations}, scorecards: {}",
        catalog.entities.len(),
        cards.len()
    );
    println!(
        "raw regorus (inputs prebuilt):  {:>8.1} ms",
        raw_t.as_secs_f64() * 1e3
    );
    println!(
        "portolan evaluate:              {:>8.1} ms",
        ours_t.as_secs_f64() * 1e3
    );
    println!(
        "ratio portolan / raw:           {:>8.2}x",
        ours_t.as_secs_f64() / raw_t.as_secs_f64()
    );
    println!(
        "facts + value preparation:      {:>8.1} ms (once per run, not in the ratio)",
        prepare.as_secs_f64() * 1e3
    );
    println!(
        "whole scorecard stage:          {:>8.1} ms",
        whole.as_secs_f64() * 1e3
    );
}
