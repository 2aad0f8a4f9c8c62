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
use std::time::Duration;

/// Wall-time budget for one rule on one entity. Catalog checks are simple
/// lookups; anything slower than this is a runaway policy.
pub const RULE_TIME_LIMIT: Duration = Duration::from_millis(1000);

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
}

/// Results for one entity and one scorecard, in check order.
#[derive(Clone, Debug)]
pub struct EntityResult {
    pub entity: EntityRef,
    pub scorecard: usize,
    pub outcomes: Vec<Outcome>,
}

/// A policy file ready for evaluation.
pub struct PolicySource {
    pub file: String,
    pub text: String,
}

/// Loads every policy and the catalog into one engine. A policy that does
/// not parse is a diagnostic; the others still load.
pub fn engine(
    sources: &[PolicySource],
    catalog_data: Value,
    diags: &mut Vec<Diagnostic>,
) -> (Engine, Vec<bool>) {
    let mut engine = Engine::new();
    engine.set_strict_builtin_errors(true);
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: RULE_TIME_LIMIT,
        // Checking the clock on every unit of work costs ~20% of evaluation.
        check_interval: std::num::NonZeroU32::new(256).unwrap_or(std::num::NonZeroU32::MIN),
    });
    let mut ok = Vec::with_capacity(sources.len());
    for s in sources {
        if let Some(r) = super::recursion::find(&s.text).first() {
            diags.push(
                Diagnostic::new(Code::PolicyError, format!("policy is recursive: {} (Rego forbids recursion)", r.cycle.join(" → ")))
                    .at(Span::new(&s.file, r.line, 1))
                    .help("rewrite the function without calling itself; use a comprehension or `walk` instead"),
            );
            ok.push(false);
            continue;
        }
        match engine.add_policy(s.file.clone(), s.text.clone()) {
            Ok(_) => ok.push(true),
            Err(e) => {
                let (line, col) = location_in(&e.to_string(), &s.file).unwrap_or((1, 1));
                diags.push(
                    Diagnostic::new(
                        Code::PolicyError,
                        format!("policy does not compile: {}", last_line(&e.to_string())),
                    )
                    .at(Span::new(&s.file, line, col))
                    .help(
                        "fix the Rego syntax; `portolan policy test` runs the policy's own tests",
                    ),
                );
                ok.push(false);
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
    (engine, ok)
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

/// Evaluates the scorecards for every entity they apply to.
pub fn evaluate(
    engine: &Engine,
    scorecards: &[Scorecard],
    catalog: &Catalog,
    prepared: &super::input::Prepared,
    diags: &mut Vec<Diagnostic>,
) -> Vec<EntityResult> {
    let entities: Vec<_> = catalog
        .entities
        .values()
        .filter(|e| scorecards.iter().any(|sc| sc.applies_to.matches(e)))
        .collect();

    let per_entity: Vec<(Vec<EntityResult>, Vec<Diagnostic>)> = entities
        .par_iter()
        .map_init(
            || engine.clone(),
            |engine, e| {
                let applicable: Vec<usize> = (0..scorecards.len())
                    .filter(|&i| scorecards[i].applies_to.matches(e))
                    .collect();
                if applicable.is_empty() {
                    return (Vec::new(), Vec::new());
                }
                let input = prepared.input(e);
                engine.set_input(input);
                let mut results = Vec::new();
                let mut diags = Vec::new();
                for i in applicable {
                    let sc = &scorecards[i];
                    let outcomes = sc
                        .checks
                        .iter()
                        .map(|c| run(engine, sc, c, &e.eref, &mut diags))
                        .collect();
                    results.push(EntityResult {
                        entity: e.eref.clone(),
                        scorecard: i,
                        outcomes,
                    });
                }
                (results, diags)
            },
        )
        .collect();
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for (r, d) in per_entity {
        results.extend(r);
        errors.extend(d);
    }
    diags.extend(collapse(errors));
    results
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

fn run(
    engine: &mut Engine,
    sc: &Scorecard,
    check: &Check,
    entity: &EntityRef,
    diags: &mut Vec<Diagnostic>,
) -> Outcome {
    let rule = format!("data.{}.{}", sc.package, check.rule);
    match engine.eval_rule(rule) {
        Ok(value) => messages(&value).map_or(Outcome::Pass, |messages| Outcome::Fail { messages }),
        Err(e) => {
            let text = e.to_string();
            let (line, col) = location_in(&text, &sc.file).unwrap_or((check.line, 1));
            let limit = text.contains("time limit");
            let message = if limit {
                format!(
                    "check `{}` on `{entity}` exceeded the {} ms time limit and was stopped",
                    check.id,
                    RULE_TIME_LIMIT.as_millis()
                )
            } else {
                format!(
                    "check `{}` failed to evaluate on `{entity}`: {}",
                    check.id,
                    last_line(&text)
                )
            };
            diags.push(
                Diagnostic::new(if limit { Code::PolicyLimit } else { Code::PolicyRuntime }, message.clone())
                    .at(Span::new(&sc.file, line, col))
                    .help(if limit { "a check should be a few lookups; avoid large comprehensions and ranges over huge numbers" } else { "fix the rule; `portolan policy test` runs the policy's own tests" }),
            );
            Outcome::Error { message }
        }
    }
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
