//! Scorecards: Rego policies with OPA `# METADATA`, evaluated per entity.
//!
//! `load` reads the built-in policies and the catalog's own `policies/`
//! folder, `run` evaluates every applicable check and computes each
//! entity's level and weighted score. Failing checks become diagnostics
//! (`E0300 check-failed`), so every `--format` reports them.

pub mod eval;
pub mod guards;
pub mod initiative;
pub mod input;
pub mod metadata;
pub mod model;
pub mod policy_test;
pub mod progress_report;
pub mod recursion;
pub mod reuse;

pub use reuse::{Memo, Reuse};
pub mod report;
pub mod team;
pub mod trend;
pub mod waivers;

use crate::catalog::Catalog;
use crate::catalog::model::EntityRef;
use crate::date::Date;
use crate::diagnostics::{Code, Diagnostic, Severity, Span};
use crate::facts::Facts;
use crate::source::Source;
use eval::{EntityResult, Outcome, PolicySource};
use model::{Enforcement, Scorecard};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The default scorecards shipped in the binary, from `policies/`.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "<builtin>/production-readiness.rego",
        include_str!("../../policies/production-readiness.rego"),
    ),
    (
        "<builtin>/ownership-hygiene.rego",
        include_str!("../../policies/ownership-hygiene.rego"),
    ),
    (
        "<builtin>/documentation.rego",
        include_str!("../../policies/documentation.rego"),
    ),
];

/// Where a catalog keeps its own policies, relative to ROOT.
pub const POLICY_DIR: &str = "policies";

/// One entity's standing on one scorecard.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Standing {
    pub entity: EntityRef,
    pub scorecard: String,
    /// The highest level whose checks (and all below) pass; `None` below the first.
    pub level: Option<String>,
    /// Weighted share of passing checks, 0–100.
    pub score: f64,
    pub checks: Vec<CheckResult>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckResult {
    pub id: String,
    pub level: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Everything the scorecard stage produced.
#[derive(Debug, Default, Serialize)]
pub struct Scorecards {
    pub scorecards: Vec<Scorecard>,
    pub standings: Vec<Standing>,
    pub waivers: Vec<waivers::Waiver>,
    /// The initiatives in `initiatives/`, each with its progress.
    pub initiatives: Vec<initiative::progress::Tracked>,
    /// Wall time per scorecard phase, for `PORTOLAN_TIMINGS=1` and the benchmarks.
    #[serde(skip)]
    pub timings: Vec<(&'static str, std::time::Duration)>,
    /// Entities whose results were lent by another run (`check --base`).
    #[serde(skip)]
    pub reused: usize,
}

/// Reads the policy sources: built-ins first, then `ROOT/policies/*.rego`
/// (test files excluded). A catalog policy with the same package as a
/// built-in replaces it.
pub fn sources(
    source: &dyn Source,
    builtin: bool,
    diags: &mut Vec<Diagnostic>,
) -> Vec<PolicySource> {
    let mut out: Vec<PolicySource> = if builtin {
        BUILTIN
            .iter()
            .map(|(f, t)| PolicySource {
                file: (*f).to_owned(),
                text: (*t).to_owned(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut own = read_policies(source, |name| !name.ends_with("_test.rego"), diags);
    own.sort_by(|a, b| a.file.cmp(&b.file));
    let packages: Vec<Option<String>> = own.iter().map(|s| package_of(&s.text)).collect();
    out.retain(|b| package_of(&b.text).is_none_or(|p| !packages.contains(&Some(p))));
    out.extend(own);
    out
}

/// Reads the `.rego` files directly in `policies/` whose names pass
/// `wanted`, sorted by path, with the same guards as catalog files (size
/// limit, UTF-8, no binary); an unreadable one is an `E0201` diagnostic.
pub fn read_policies(
    source: &dyn Source,
    wanted: impl Fn(&str) -> bool,
    diags: &mut Vec<Diagnostic>,
) -> Vec<PolicySource> {
    let max = crate::config::DEFAULT_MAX_FILE_BYTES;
    source
        .list(POLICY_DIR)
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.kind == crate::source::Kind::File)
        .filter(|e| e.name.ends_with(".rego") && wanted(&e.name))
        .filter_map(|e| {
            let file = format!("{POLICY_DIR}/{}", e.name);
            match crate::source::read_text(source, &file, max) {
                Ok(text) => Some(PolicySource { file, text }),
                Err(mut d) => {
                    d.code = Code::PolicyError;
                    d.severity = Code::PolicyError.default_severity();
                    diags.push(d);
                    None
                }
            }
        })
        .collect()
}

/// The `package` a policy declares.
pub fn package_of(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        l.trim()
            .strip_prefix("package ")
            .map(|p| p.trim().to_owned())
    })
}

/// Evaluates the scorecards on a loaded catalog. `reuse` lends results
/// between the two runs of `check --base` (see [`reuse`]).
#[allow(clippy::too_many_arguments)] // each is one stage's output; a bundle would only rename them
pub fn run(
    source: &dyn Source,
    catalog: &Catalog,
    facts: &Facts,
    sources: &[PolicySource],
    today: Date,
    limits: &eval::Limits,
    mut reuse: Option<Reuse<'_>>,
    diags: &mut Vec<Diagnostic>,
) -> Scorecards {
    let mut scorecards = Vec::new();
    for s in sources {
        let (annotations, d) = metadata::parse(&s.file, &s.text);
        diags.extend(d);
        let Some(sc) = model::scorecard(&s.file, &annotations, diags) else {
            continue;
        };
        // Built-ins come first, so a catalog policy never takes a built-in's id.
        if let Some(first) = scorecards.iter().find(|o: &&Scorecard| o.id == sc.id) {
            diags.push(
                Diagnostic::new(
                    Code::PolicyMetadata,
                    format!(
                        "scorecard id `{}` is already used by {}, so this scorecard is left out",
                        sc.id, first.file
                    ),
                )
                .at(Span::at(&sc.file, sc.id_pos))
                .help("give every scorecard its own `custom.id`; to change a built-in scorecard, use its `package` (the file then replaces it) or set `[scorecards] defaults = false`"),
            );
            continue;
        }
        scorecards.push(sc);
    }
    let mut clock = std::time::Instant::now();
    let mut timings = Vec::new();
    let mut lap = |name: &'static str| {
        timings.push((name, clock.elapsed()));
        clock = std::time::Instant::now();
    };
    let prior = match &reuse {
        Some(Reuse::Renew(memo)) => Some(&memo.converted),
        _ => None,
    };
    let prepared = input::Prepared::new(catalog, facts, today, prior);
    lap("inputs");
    let (engine, compiled) = eval::engine(sources, prepared.data(), diags);
    lap("engine");
    // Scorecards whose policy did not compile are left out (already reported).
    let usable: Vec<Scorecard> = scorecards
        .into_iter()
        .filter(|sc| {
            sources
                .iter()
                .zip(&compiled)
                .any(|(s, ok)| *ok && s.file == sc.file)
        })
        .collect();
    let lend = match &reuse {
        Some(Reuse::From(memo)) if memo.serves(sources) => Some(&**memo),
        Some(Reuse::Renew(memo)) if memo.serves(sources) => Some(&**memo),
        _ => None,
    };
    let fresh = match &reuse {
        Some(Reuse::Record(_) | Reuse::Renew(_)) => Memo::start(sources),
        _ => None,
    };
    let (mut results, inputs, reused) = eval::evaluate(
        &engine,
        &usable,
        catalog,
        &prepared,
        limits,
        lend,
        fresh.is_some(),
        diags,
    );
    if let Some(Reuse::Renew(memo)) = &mut reuse {
        // Freeing the last run's values takes a while on a large catalog;
        // `serve` is waiting for this run, so it is done off its path.
        let mut last = Memo::default();
        if fresh.is_none() {
            // A policy reads `data`: nothing can be lent next time either.
            std::mem::swap(&mut last, *memo);
        }
        std::mem::swap(&mut last.converted, &mut memo.converted);
        memo.converted = prepared.converted();
        rayon::spawn(move || drop(last));
    }
    if let (Some(Reuse::Record(memo) | Reuse::Renew(memo)), Some(mut fresh)) = (reuse, fresh) {
        let mut by_entity: HashMap<&EntityRef, Vec<(usize, Vec<Outcome>)>> = HashMap::new();
        for r in &results {
            by_entity
                .entry(&r.entity)
                .or_default()
                .push((r.scorecard, r.outcomes.clone()));
        }
        for (entity, input) in inputs {
            if let Some(kept) = by_entity.remove(&entity) {
                fresh.keep(entity, input, kept);
            }
        }
        fresh.converted = std::mem::take(&mut memo.converted);
        let last = std::mem::replace(memo, fresh);
        rayon::spawn(move || drop(last)); // as above
    }
    lap("evaluate");
    let waivers = waivers::load(source, diags);
    apply_waivers(&mut results, &usable, &waivers, catalog, today, diags);
    let standings: Vec<Standing> = results
        .iter()
        .map(|r| standing(&usable[r.scorecard], r))
        .collect();
    let initiatives = initiative::load(source, catalog, &usable, diags);
    for r in &results {
        failures(catalog, &usable[r.scorecard], r, today, &initiatives, diags);
    }
    not_judged(&usable, &results, diags);
    let initiatives = initiative::progress::track(initiatives, catalog, &standings, today);
    lap("standings");
    Scorecards {
        scorecards: usable,
        standings,
        waivers,
        initiatives,
        timings,
        reused,
    }
}

/// Turns failures covered by a live waiver into `Waived`; an expired waiver
/// leaves the check failing and says so, at the waiver's line.
fn apply_waivers(
    results: &mut [EntityResult],
    cards: &[Scorecard],
    waivers: &[waivers::Waiver],
    catalog: &Catalog,
    today: Date,
    diags: &mut Vec<Diagnostic>,
) {
    for w in waivers {
        let known_check = w.check.split_once('/').is_some_and(|(sc, c)| {
            cards
                .iter()
                .any(|card| card.id == sc && card.checks.iter().any(|k| k.id == c))
        });
        let at = Span::new(waivers::FILE, w.line, 1);
        if !known_check {
            diags.push(
                Diagnostic::new(Code::WaiverInvalid, format!("waiver names check `{}`, which no scorecard defines", w.check))
                    .at(at)
                    .help("write `check: scorecard-id/check-id`; `portolan check --format json` lists them under `scorecards`"),
            );
            continue;
        }
        if catalog.get(&w.entity).is_none() {
            diags.push(
                Diagnostic::new(
                    Code::WaiverInvalid,
                    format!("waiver names `{}`, which is not in the catalog", w.entity),
                )
                .at(at)
                .help("remove the waiver, or fix the entity reference (`kind:namespace/name`)"),
            );
            continue;
        }
        let expired = today > w.expires;
        if expired {
            diags.push(
                Diagnostic::new(Code::WaiverExpired, format!("waiver for `{}` on `{}` expired on {}, so the check counts again", w.check, w.entity, w.expires))
                    .at(at.clone())
                    .help("fix the entity, or renew the waiver with a new `expires` date and an approver's review"),
            );
        }
        for r in results.iter_mut().filter(|r| r.entity == w.entity) {
            let card = &cards[r.scorecard];
            for (check, outcome) in card.checks.iter().zip(r.outcomes.iter_mut()) {
                if format!("{}/{}", card.id, check.id) != w.check {
                    continue;
                }
                match outcome {
                    Outcome::Fail { messages } if !expired => {
                        *outcome = Outcome::Waived {
                            messages: std::mem::take(messages),
                            waiver: w.clone(),
                        };
                    }
                    Outcome::Fail { messages } => {
                        messages.push(format!("waiver expired on {}", w.expires))
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Waived checks do not block a level (that is what a waiver is for), but
/// they are left out of the score: neither passing nor failing. A check
/// that was not judged is left out of the score too, but it does block its
/// level: the level is not proven.
fn standing(sc: &Scorecard, r: &EntityResult) -> Standing {
    let passes = |o: &Outcome| matches!(o, Outcome::Pass | Outcome::Waived { .. });
    let mut level = None;
    for l in &sc.levels {
        let rank = |x: &str| sc.levels.iter().position(|y| y == x).unwrap_or(usize::MAX);
        let all = sc
            .checks
            .iter()
            .zip(&r.outcomes)
            .filter(|(c, _)| rank(&c.level) <= rank(l))
            .all(|(_, o)| passes(o));
        if !all {
            break;
        }
        level = Some(l.clone());
    }
    let scored = || {
        sc.checks
            .iter()
            .zip(&r.outcomes)
            .filter(|(_, o)| !matches!(o, Outcome::Waived { .. } | Outcome::NotJudged { .. }))
    };
    let total: f64 = scored().map(|(c, _)| c.weight).sum();
    let passed: f64 = scored()
        .filter(|(_, o)| matches!(o, Outcome::Pass))
        .map(|(c, _)| c.weight)
        .sum();
    let score = if total > 0.0 {
        (passed / total * 1000.0).round() / 10.0
    } else {
        100.0
    };
    Standing {
        entity: r.entity.clone(),
        scorecard: sc.id.clone(),
        level,
        score,
        checks: sc
            .checks
            .iter()
            .zip(&r.outcomes)
            .map(|(c, o)| CheckResult {
                id: c.id.clone(),
                level: c.level.clone(),
                outcome: o.clone(),
            })
            .collect(),
    }
}

/// One warning per check that could not be judged, at the check's METADATA
/// (not one per entity: the cause is the run, not the entities), naming
/// how many entities it skipped and why.
fn not_judged(cards: &[Scorecard], results: &[EntityResult], diags: &mut Vec<Diagnostic>) {
    // (scorecard, check) → how many entities, and the first reason met.
    let mut found: BTreeMap<(usize, usize), (usize, &str)> = BTreeMap::new();
    for r in results {
        for (ci, o) in r.outcomes.iter().enumerate() {
            if let Outcome::NotJudged { reason } = o {
                found.entry((r.scorecard, ci)).or_insert((0, reason)).0 += 1;
            }
        }
    }
    for ((si, ci), (count, reason)) in found {
        let Some(sc) = cards.get(si) else { continue };
        let Some(check) = sc.checks.get(ci) else {
            continue;
        };
        diags.push(
                Diagnostic::new(
                    Code::CheckNotJudged,
                    format!(
                        "check `{}/{}` ({}) was not judged: {reason}",
                        sc.id, check.id, check.level,
                    ),
                )
                .at(Span::new(&sc.file, check.line, 1))
                // The count is in the help, not the message: the message is
                // what a baseline matches, and it must not change with it.
                .help(format!(
                    "not judged for {count} {}; the check reads git history: run in a git clone with the whole history (`fetch-depth: 0` with actions/checkout); until then it neither passes nor fails, and its level is not reached",
                    if count == 1 { "entity" } else { "entities" },
                )),
            );
    }
}

/// Each failing check becomes a diagnostic on the entity's name, with the
/// remediation as help: advisory checks warn, required checks fail the run.
/// A check is also required on the entities of an initiative that asks for
/// it once the initiative's deadline has passed (staged enforcement from
/// the day after the deadline).
fn failures(
    catalog: &Catalog,
    sc: &Scorecard,
    r: &EntityResult,
    today: Date,
    initiatives: &[initiative::Initiative],
    diags: &mut Vec<Diagnostic>,
) {
    let Some(e) = catalog.get(&r.entity) else {
        return;
    };
    let pos = e.doc.at(&["metadata", "name"]).map_or(e.pos, |n| n.pos);
    for (check, outcome) in sc.checks.iter().zip(&r.outcomes) {
        let Outcome::Fail { messages } = outcome else {
            continue;
        };
        let mut d = Diagnostic::new(
            Code::CheckFailed,
            format!(
                "`{}` fails {} check `{}/{}` ({}): {}",
                r.entity,
                sc.title,
                sc.id,
                check.id,
                check.level,
                messages.join("; ")
            ),
        )
        .at(Span::at(&e.file, pos));
        let by_initiative = initiative::required_from(initiatives, e, &sc.id, &check.id);
        d.severity = match check.enforcement_with(today, by_initiative) {
            Enforcement::Required => Severity::Error,
            Enforcement::Advisory => Severity::Warning,
        };
        let mut help = if check.remediation.trim().is_empty() {
            check.title.clone()
        } else {
            check.remediation.trim().to_owned()
        };
        if check.enforcement_on(today) == Enforcement::Advisory
            && let Some(from) = by_initiative.filter(|f| today >= *f)
            && let Some(i) = initiatives
                .iter()
                .find(|i| i.enforce_from() == from && i.asks_for(&sc.id, &check.id) && i.covers(e))
        {
            help.push_str(&format!(
                " (required since initiative `{}` passed its deadline {})",
                i.id, i.deadline
            ));
        }
        diags.push(d.help(help));
    }
}
