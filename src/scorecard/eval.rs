//! Evaluates every applicable check for every entity with regorus.
//!
//! Policies are parsed once into one engine; each rayon task clones that
//! engine (values are reference-counted, so a clone is cheap) and only sets
//! the input, so no engine is built per entity.

use super::model::{Check, Scorecard};
use crate::catalog::Catalog;
use crate::catalog::model::EntityRef;
use crate::diagnostics::{Code, Diagnostic, Span};
use rayon::prelude::*;
use regorus::{Engine, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Wall-time budget for one rule on one entity. Catalog checks are simple
/// lookups; anything slower than this is a runaway policy.
pub const RULE_TIME_LIMIT: Duration = Duration::from_millis(1000);

/// After a check hits `RULE_TIME_LIMIT` (or returns more than
/// `max_result_bytes`) on this many entities it is not run on the others:
/// a check that slow or that large is broken, and its cost on every entity
/// would stall the run long before the stage budget stops it.
pub const MAX_TIMEOUTS: usize = 2;

/// In the message of a check stopped by the rule time limit.
const TIMED_OUT: &str = "ms time limit and was stopped";
/// In the message of a check whose result was over `max_result_bytes`.
const TOO_LARGE: &str = "over the `max_result_bytes` limit";

/// The outcome of one check on one entity.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail {
        messages: Vec<String>,
    },
    /// Failing, but covered by an unexpired waiver. Never shown as passing.
    Waived {
        messages: Vec<String>,
        waiver: super::waivers::Waiver,
    },
    Error {
        message: String,
    },
    /// The check needs something this run lacks (git history): it neither
    /// passes nor fails, and the level it guards is not reached.
    #[serde(rename = "not-judged")]
    NotJudged {
        reason: String,
    },
}

/// Results for one entity and one scorecard, in check order.
#[derive(Clone, Debug)]
pub struct EntityResult {
    pub entity: EntityRef,
    pub scorecard: usize,
    pub outcomes: Vec<Outcome>,
}

/// A policy file ready for evaluation.
#[derive(Clone, Debug)]
pub struct PolicySource {
    pub file: String,
    pub text: String,
}

/// A fresh engine with Portolan's settings: strict builtin errors, the
/// per-rule time limit and the guards in front of dangerous builtins.
pub fn new_engine() -> Engine {
    let mut engine = Engine::new();
    engine.set_strict_builtin_errors(true);
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: RULE_TIME_LIMIT,
        // Checking the clock on every unit of work costs ~20% of evaluation.
        check_interval: std::num::NonZeroU32::new(256).unwrap_or(std::num::NonZeroU32::MIN),
    });
    // Registering an extension fails only when its name is taken, and the
    // engine is fresh; a guard that cannot be installed must not go unnoticed.
    if let Err(e) = super::guards::install(&mut engine) {
        unreachable_guard(&e);
    }
    engine
}

#[cold]
fn unreachable_guard(e: &anyhow::Error) {
    eprintln!("portolan: internal error: builtin guards not installed: {e}");
    std::process::exit(2);
}

/// Loads every policy into one engine and refuses recursive functions.
/// Returns the engine (holding only the policies that compiled and are not
/// recursive) and, per source, whether it is in the engine.
pub fn load_policies(sources: &[PolicySource]) -> (Engine, Vec<Result<(), PolicyProblem>>) {
    let mut engine = new_engine();
    let mut status: Vec<Result<(), PolicyProblem>> = sources
        .iter()
        .map(|s| {
            engine
                .add_policy(s.file.clone(), s.text.clone())
                .map(|_| ())
                .map_err(|e| PolicyProblem::Compile(e.to_string()))
        })
        .collect();
    let cycles = super::recursion::find(engine.get_modules());
    if cycles.is_empty() {
        return (engine, status);
    }
    for r in &cycles {
        for (s, st) in sources.iter().zip(status.iter_mut()) {
            if r.files.contains(&s.file) && st.is_ok() {
                *st = Err(PolicyProblem::Recursive(r.clone()));
            }
        }
    }
    // Rebuild without the files on a cycle: nothing else may call into them.
    let mut engine = new_engine();
    for (s, st) in sources.iter().zip(&status) {
        if st.is_ok() {
            // It compiled a moment ago next to the same files, and removing
            // files cannot break a file that does not use them.
            let _ = engine.add_policy(s.file.clone(), s.text.clone());
        }
    }
    (engine, status)
}

/// Why a policy file was left out of the engine.
#[derive(Clone, Debug)]
pub enum PolicyProblem {
    Compile(String),
    Recursive(super::recursion::Recursion),
}

/// Loads every policy and the catalog into one engine. A policy that does
/// not parse, or defines a recursive function, is a diagnostic; the others
/// still load.
pub fn engine(
    sources: &[PolicySource],
    catalog_data: Value,
    diags: &mut Vec<Diagnostic>,
) -> (Engine, Vec<bool>) {
    let (mut engine, status) = load_policies(sources);
    let mut reported = std::collections::BTreeSet::new();
    for (s, st) in sources.iter().zip(&status) {
        match st {
            Ok(()) => {}
            Err(PolicyProblem::Compile(e)) => {
                let (line, col) = location_in(e, &s.file).unwrap_or((1, 1));
                diags.push(
                    Diagnostic::new(
                        Code::PolicyError,
                        format!("policy does not compile: {}", last_line(e)),
                    )
                    .at(Span::new(&s.file, line, col))
                    .help(
                        "fix the Rego syntax; `portolan policy test` runs the policy's own tests",
                    ),
                );
            }
            Err(PolicyProblem::Recursive(r)) => {
                if reported.insert(r.cycle.clone()) {
                    diags.push(recursion_diagnostic(r));
                }
            }
        }
    }
    if let Err(e) = engine.add_data(catalog_data) {
        diags.push(
            Diagnostic::new(
                Code::PolicyError,
                format!("cannot load the catalog as policy data: {e}"),
            )
            .help("this is a bug in Portolan; please report it"),
        );
    }
    (engine, status.iter().map(Result::is_ok).collect())
}

/// `E0201` for a recursive function, at its definition.
pub fn recursion_diagnostic(r: &super::recursion::Recursion) -> Diagnostic {
    let others: Vec<&String> = r.files.iter().filter(|f| **f != r.file).collect();
    let also = if others.is_empty() {
        String::new()
    } else {
        format!(
            "; left out with it: {}",
            others
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Diagnostic::new(
        Code::PolicyError,
        format!(
            "policy is recursive: {} (Rego forbids recursion){also}",
            r.cycle.join(" → ")
        ),
    )
    .at(Span::new(&r.file, r.line, r.col))
    .help("rewrite the function without calling itself; use a comprehension, `walk` or `graph.reachable` instead")
}

/// regorus errors read `--> file:line:col` followed by the source line and
/// the message; pull out the position.
pub fn location_in(text: &str, file: &str) -> Option<(u32, u32)> {
    let marker = format!("--> {file}:");
    let rest = &text[text.find(&marker)? + marker.len()..];
    let mut parts = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty());
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn last_line(text: &str) -> String {
    let line = text.trim().lines().last().unwrap_or(text).trim();
    line.strip_prefix("error: ").unwrap_or(line).to_owned()
}

pub use crate::config::ScorecardLimits as Limits;

/// Evaluates the scorecards for every entity they apply to.
///
/// Entities are taken in sorted order; each check first looks at the
/// total budget, so when it runs out the checks not yet started (about
/// the last entities in order, give or take what the other threads were
/// doing) are `error` and one `E0203` says how many.
///
/// With `lend`, an entity whose input equals the one recorded there takes
/// the recorded results. With `record`, the input of every entity
/// evaluated without a diagnostic is returned next to the results, for a
/// [`super::reuse::Memo`]. The last value counts the entities lent.
#[allow(clippy::too_many_arguments)]
pub fn evaluate(
    engine: &Engine,
    scorecards: &[Scorecard],
    catalog: &Catalog,
    prepared: &super::input::Prepared,
    limits: &Limits,
    lend: Option<&super::reuse::Memo>,
    record: bool,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<EntityResult>, Vec<(EntityRef, Value)>, usize) {
    quiet_policy_panics();
    let deadline = std::time::Instant::now() + limits.time_budget;
    // Per check: how often it hit the rule time limit, and on how many
    // entities it was then not run.
    let strikes: Vec<Vec<(AtomicUsize, AtomicUsize)>> = scorecards
        .iter()
        .map(|sc| sc.checks.iter().map(|_| Default::default()).collect())
        .collect();
    let entities: Vec<_> = catalog
        .entities
        .values()
        .filter(|e| scorecards.iter().any(|sc| sc.applies_to.matches(e)))
        .collect();

    /// Results, diagnostics, checks cut by the budget, the input to keep,
    /// and whether the results were lent.
    type PerEntity = (
        Vec<EntityResult>,
        Vec<Diagnostic>,
        usize,
        Option<Value>,
        bool,
    );
    let per_entity: Vec<PerEntity> = entities
        .par_iter()
        .map_init(
            || engine.clone(),
            |local, e| {
                let applicable: Vec<usize> = (0..scorecards.len())
                    .filter(|&i| scorecards[i].applies_to.matches(e))
                    .collect();
                if applicable.is_empty() {
                    return (Vec::new(), Vec::new(), 0, None, false);
                }
                let input = prepared.input(e);
                if let Some(lent) = lend.and_then(|m| m.lend(&e.eref, &input, &applicable)) {
                    let results = lent
                        .into_iter()
                        .map(|(scorecard, outcomes)| EntityResult {
                            entity: e.eref.clone(),
                            scorecard,
                            outcomes,
                        })
                        .collect();
                    // Lent results are kept again for the run after (`serve`).
                    return (results, Vec::new(), 0, record.then_some(input), true);
                }
                let git_gap = prepared.git_gap(e);
                local.set_input(input.clone());
                let mut results = Vec::new();
                let mut diags = Vec::new();
                let mut skipped = 0;
                for i in applicable {
                    let sc = &scorecards[i];
                    let outcomes = sc
                        .checks
                        .iter()
                        .enumerate()
                        .map(|(ci, c)| {
                            if let Some(reason) = git_gap.as_ref().filter(|_| c.needs_git()) {
                                return Outcome::NotJudged {
                                    reason: format!("git history unavailable: {reason}"),
                                };
                            }
                            let (timeouts, benched) = &strikes[i][ci];
                            if timeouts.load(Ordering::Relaxed) >= MAX_TIMEOUTS {
                                benched.fetch_add(1, Ordering::Relaxed);
                                return Outcome::Error {
                                    message: format!(
                                        "not evaluated: check `{}` hit its time or result-size limit on {MAX_TIMEOUTS} other entities",
                                        c.id
                                    ),
                                };
                            }
                            if std::time::Instant::now() >= deadline {
                                skipped += 1;
                                return Outcome::Error {
                                    message: format!(
                                        "not evaluated: the scorecard time budget of {} s ran out",
                                        limits.time_budget.as_secs()
                                    ),
                                };
                            }
                            let at = Place {
                                sc,
                                check: c,
                                entity: &e.eref,
                                limits,
                            };
                            let outcome = run(local, &at, &mut diags);
                            if let Some(Outcome::Error { message }) = &outcome
                                && (message.contains(TIMED_OUT) || message.contains(TOO_LARGE))
                            {
                                timeouts.fetch_add(1, Ordering::Relaxed);
                            }
                            if outcome.is_none() {
                                // The engine panicked: its state is unknown, start afresh.
                                *local = engine.clone();
                                local.set_input(input.clone());
                            }
                            outcome.unwrap_or_else(|| Outcome::Error {
                                message: format!("check `{}` crashed the policy engine", c.id),
                            })
                        })
                        .collect();
                    results.push(EntityResult {
                        entity: e.eref.clone(),
                        scorecard: i,
                        outcomes,
                    });
                }
                let keep = (record && diags.is_empty()).then_some(input);
                (results, diags, skipped, keep, false)
            },
        )
        .collect();
    let mut results = Vec::new();
    let mut errors = Vec::new();
    let mut skipped = 0;
    let mut cut_entities = 0;
    let mut inputs = Vec::new();
    let mut lent = 0;
    for (r, d, n, keep, was_lent) in per_entity {
        lent += usize::from(was_lent);
        if let (Some(input), Some(first)) = (keep, r.first()) {
            inputs.push((first.entity.clone(), input));
        }
        results.extend(r);
        errors.extend(d);
        skipped += n;
        cut_entities += usize::from(n > 0);
    }
    diags.extend(collapse(errors));
    for (sc, row) in scorecards.iter().zip(&strikes) {
        for (c, (_, benched)) in sc.checks.iter().zip(row) {
            let n = benched.load(Ordering::Relaxed);
            if n > 0 {
                diags.push(
                    Diagnostic::new(
                        Code::PolicyLimit,
                        format!(
                            "check `{}` hit its time limit ({} ms) or result-size limit on {MAX_TIMEOUTS} entities, so it was not run on {n} more; they count as `error`",
                            c.id,
                            RULE_TIME_LIMIT.as_millis()
                        ),
                    )
                    .at(Span::new(&sc.file, c.line, 1))
                    .help("a check should be a few lookups returning short messages; one this slow or this large is broken, and running it on every entity would stall the run"),
                );
            }
        }
    }
    if skipped > 0 {
        let mut d = Diagnostic::new(
            Code::PolicyLimit,
            format!(
                "the scorecard stage used up its time budget of {} s: {skipped} checks on {cut_entities} of {} entities were not evaluated and count as `error`",
                limits.time_budget.as_secs(),
                entities.len()
            ),
        )
        .help("find the slow check in the E0203 diagnostics above (or time the policies with `portolan policy test`); raise [scorecards] time_budget_secs in portolan.toml only for a catalog that really needs it");
        if let Some((line, col)) = limits.time_budget_at {
            d = d.at(Span::new(crate::config::FILE_NAME, line, col));
        }
        diags.push(d);
    }
    (results, inputs, lent)
}

/// One check on one entity, with the limits that apply.
struct Place<'a> {
    sc: &'a Scorecard,
    check: &'a Check,
    entity: &'a EntityRef,
    limits: &'a Limits,
}

thread_local! {
    /// Set while this thread evaluates a policy, so a panic there is
    /// reported as a diagnostic instead of printed by the default hook.
    static IN_POLICY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs (once) a panic hook that stays quiet for panics inside policy
/// evaluation, which `run` turns into diagnostics; others print as usual.
pub(super) fn quiet_policy_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_POLICY.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Evaluates `rule`, catching a panic inside regorus: `Err` carries the
/// panic's message.
pub(super) fn guarded_eval(
    engine: &mut Engine,
    rule: String,
) -> Result<anyhow::Result<Value>, String> {
    IN_POLICY.with(|f| f.set(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| engine.eval_rule(rule)));
    IN_POLICY.with(|f| f.set(false));
    r.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned())
    })
}

/// A broken check usually breaks on every entity: report it once, at its
/// place in the policy, with the first entity's message and a count.
fn collapse(errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out: Vec<(Diagnostic, usize)> = Vec::new();
    for d in errors {
        match out
            .iter_mut()
            .find(|(o, _)| o.code == d.code && o.span == d.span)
        {
            Some((_, n)) => *n += 1,
            None => out.push((d, 0)),
        }
    }
    out.into_iter()
        .map(|(mut d, more)| {
            if more > 0 {
                d.message
                    .push_str(&format!(" (and on {more} more entities)"));
            }
            d
        })
        .collect()
}

/// Runs one check. `None` when the engine panicked (already reported).
fn run(engine: &mut Engine, at: &Place, diags: &mut Vec<Diagnostic>) -> Option<Outcome> {
    let Place {
        sc,
        check,
        entity,
        limits,
    } = *at;
    let rule = format!("data.{}.{}", sc.package, check.rule);
    let here = Span::new(&sc.file, check.line, 1);
    let value = match guarded_eval(engine, rule) {
        Err(panic) => {
            diags.push(
                Diagnostic::new(
                    Code::PolicyRuntime,
                    format!("check `{}` on `{entity}` crashed the policy engine ({panic}); the check counts as `error` and the run goes on", check.id),
                )
                .at(here)
                .help("this is a bug in regorus or Portolan triggered by the policy; please report it with the policy"),
            );
            return None;
        }
        Ok(Ok(value)) => value,
        Ok(Err(e)) => return Some(failed(&e.to_string(), at, diags)),
    };
    let size = super::guards::written_size(&value, limits.max_result_bytes);
    if size > u128::from(limits.max_result_bytes) {
        let message = format!(
            "check `{}` on `{entity}` returned more than {} bytes, over the `max_result_bytes` limit, so its result was dropped",
            check.id, limits.max_result_bytes
        );
        diags.push(
            Diagnostic::new(Code::PolicyLimit, message.clone())
                .at(here)
                .help("return short messages, not data: a check that returns `json.marshal(data.catalog)` or a large part of the input costs memory and time on every entity"),
        );
        return Some(Outcome::Error { message });
    }
    Some(messages(&value).map_or(Outcome::Pass, |messages| Outcome::Fail { messages }))
}

/// A check whose evaluation returned an error: a limit (`E0203`) or a
/// policy bug (`E0202`).
fn failed(text: &str, at: &Place, diags: &mut Vec<Diagnostic>) -> Outcome {
    let Place {
        sc, check, entity, ..
    } = *at;
    let (line, col) = location_in(text, &sc.file).unwrap_or((check.line, 1));
    let timed_out = text.contains("time limit");
    let guarded = text.contains(super::guards::LIMIT_MARKER);
    let message = if timed_out {
        format!(
            "check `{}` on `{entity}` exceeded the {} ms time limit and was stopped",
            check.id,
            RULE_TIME_LIMIT.as_millis()
        )
    } else if guarded {
        format!(
            "check `{}` on `{entity}` was stopped: {}",
            check.id,
            last_line(text)
        )
    } else {
        format!(
            "check `{}` failed to evaluate on `{entity}`: {}",
            check.id,
            last_line(text)
        )
    };
    let (code, help) = if timed_out {
        (
            Code::PolicyLimit,
            "a check should be a few lookups; avoid large comprehensions and ranges over huge numbers",
        )
    } else if guarded {
        (
            Code::PolicyLimit,
            "a check should be a few lookups on its entity; docs/policies.md lists the limits on builtins",
        )
    } else {
        (
            Code::PolicyRuntime,
            "fix the rule; `portolan policy test` runs the policy's own tests",
        )
    };
    diags.push(
        Diagnostic::new(code, message.clone())
            .at(Span::new(&sc.file, line, col))
            .help(help),
    );
    Outcome::Error { message }
}

/// A check fails when its rule yields a non-empty set (or array) of
/// messages, or `true`. Undefined, empty and `false` mean it passes.
fn messages(v: &Value) -> Option<Vec<String>> {
    let text = |x: &Value| match x {
        Value::String(s) => s.to_string(),
        other => other.to_string(),
    };
    let out: Vec<String> = match v {
        Value::Set(s) => s.iter().map(text).collect(),
        Value::Array(a) => a.iter().map(text).collect(),
        Value::Bool(true) => vec!["check failed".to_owned()],
        Value::String(s) => vec![s.to_string()],
        _ => Vec::new(),
    };
    let mut out = out;
    out.sort();
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_the_engine_is_caught_and_the_engine_still_answers() {
        quiet_policy_panics();
        let mut engine = new_engine();
        engine
            .add_extension(
                "boom".into(),
                1,
                Box::new(|_: Vec<Value>| -> anyhow::Result<Value> { panic!("capacity overflow") }),
            )
            .unwrap();
        engine
            .add_policy("p.rego".into(), "package p\nx := boom(1)\ny := 2\n".into())
            .unwrap();
        let caught = guarded_eval(&mut engine, "data.p.x".into());
        assert_eq!(caught.err().as_deref(), Some("capacity overflow"));
        let mut fresh = engine.clone();
        let y = guarded_eval(&mut fresh, "data.p.y".into());
        assert_eq!(y.ok().and_then(Result::ok), Some(Value::from(2u64)));
    }
}
