//! Summaries that several pages show: how a set of entities stands on the
//! scorecards (home, the scorecards index, team pages, scorecard pages),
//! how many entities of each kind there are, and the catalog's health.
//!
//! They live apart from the pages so that the entity page and the
//! site-wide pages share them without importing each other.

use super::links::{scorecard_page, segment};
use super::model::{SiteModel, kind_label};
use crate::catalog::model::EntityRef;
use crate::diagnostics::Severity;
use crate::scorecard::eval::Outcome;
use crate::scorecard::initiative::progress::Tracked;
use serde::Serialize;
use std::collections::BTreeMap;

/// A check outcome as the templates and the JSON name it.
pub fn status_of(o: &Outcome) -> &'static str {
    match o {
        Outcome::Pass => "pass",
        Outcome::Fail { .. } => "fail",
        Outcome::Waived { .. } => "waived",
        Outcome::Error { .. } => "error",
        Outcome::NotJudged { .. } => "not-judged",
    }
}

#[derive(Clone, Serialize)]
pub struct LevelCount {
    pub name: String,
    pub count: usize,
    pub percent: u32,
}

/// How a set of entities stands on one scorecard.
#[derive(Clone, Serialize)]
pub struct LevelSummary {
    pub id: String,
    pub title: String,
    pub url: String,
    /// Entities the scorecard applies to.
    pub total: usize,
    /// Entities per level reached, lowest first, then those below the first.
    pub levels: Vec<LevelCount>,
    pub below: usize,
    /// Share of check results that pass, 0–100.
    pub pass_rate: u32,
    /// The average level at each score history sample, when there is history.
    pub trend: Option<super::trend::TrendView>,
}

pub fn percent(part: usize, whole: usize) -> u32 {
    if whole == 0 {
        0
    } else {
        ((part as f64 * 100.0) / whole as f64).round() as u32
    }
}

/// Per-scorecard level counts over `refs` (only scorecards that apply to
/// at least one of them, and only scorecard `only` when given).
pub fn level_summary<'a>(
    model: &SiteModel<'a>,
    refs: impl Iterator<Item = &'a EntityRef>,
    only: Option<&str>,
) -> Vec<LevelSummary> {
    #[derive(Default)]
    struct Tally<'s> {
        levels: BTreeMap<&'s str, usize>,
        below: usize,
        total: usize,
        pass: usize,
        checks: usize,
    }
    let mut acc: BTreeMap<&str, Tally> = BTreeMap::new();
    let refs: Vec<&EntityRef> = refs.collect();
    for r in refs.iter().copied() {
        for s in model.standings_of(r) {
            if only.is_some_and(|id| id != s.scorecard) {
                continue;
            }
            let t = acc.entry(s.scorecard.as_str()).or_default();
            match &s.level {
                Some(l) => *t.levels.entry(l.as_str()).or_default() += 1,
                None => t.below += 1,
            }
            t.total += 1;
            t.pass += s
                .checks
                .iter()
                .filter(|c| status_of(&c.outcome) == "pass")
                .count();
            // A check that could not be judged is neither a pass nor a miss.
            t.checks += s
                .checks
                .iter()
                .filter(|c| !matches!(c.outcome, Outcome::NotJudged { .. }))
                .count();
        }
    }
    model
        .scorecards
        .scorecards
        .iter()
        .filter_map(|sc| {
            let t = acc.get(sc.id.as_str())?;
            let (levels, below, total) = (&t.levels, &t.below, &t.total);
            Some(LevelSummary {
                id: sc.id.clone(),
                title: sc.title.clone(),
                url: scorecard_page(&sc.id),
                total: *total,
                levels: sc
                    .levels
                    .iter()
                    .map(|l| {
                        let count = levels.get(l.as_str()).copied().unwrap_or(0);
                        LevelCount {
                            name: l.clone(),
                            count,
                            percent: percent(count, *total),
                        }
                    })
                    .collect(),
                below: *below,
                pass_rate: percent(t.pass, t.checks),
                trend: super::trend::group(model, &refs, sc),
            })
        })
        .collect()
}

#[derive(Serialize)]
pub struct KindCount {
    pub kind: String,
    pub kind_label: String,
    pub count: usize,
}

#[derive(Clone, Serialize)]
pub struct HealthSummary {
    pub entities: usize,
    pub files: usize,
    /// Entities (or whole files) left out of the catalog because of errors.
    pub skipped: usize,
    pub errors: usize,
    pub warnings: usize,
    pub codes: Vec<CodeCount>,
    /// Failing scorecard checks, which the health report leaves to the
    /// scorecard, team and entity pages.
    pub check_failures: usize,
}

#[derive(Clone, Serialize)]
pub struct CodeCount {
    pub code: &'static str,
    pub slug: &'static str,
    pub summary: &'static str,
    pub severity: &'static str,
    pub count: usize,
}

/// Whether a diagnostic belongs on the health report: failing scorecard
/// checks do not (they are on the scorecard, team and entity pages).
pub fn is_health(d: &crate::diagnostics::Diagnostic) -> bool {
    d.code != crate::diagnostics::Code::CheckFailed
}

pub fn health_summary(model: &SiteModel) -> HealthSummary {
    let all = &model.checked.diagnostics;
    let diags: Vec<crate::diagnostics::Diagnostic> =
        all.iter().filter(|d| is_health(d)).cloned().collect();
    let check_failures = all.len() - diags.len();
    let (errors, warnings) = crate::diagnostics::counts(&diags);
    let mut by_code: BTreeMap<(&str, &str), (crate::diagnostics::Code, usize)> = BTreeMap::new();
    for d in &diags {
        by_code
            .entry((severity_name(d.severity), d.code.code()))
            .or_insert((d.code, 0))
            .1 += 1;
    }
    HealthSummary {
        entities: model.catalog.entities.len(),
        files: model.catalog.files.len(),
        skipped: model.catalog.skipped.len(),
        errors,
        warnings,
        check_failures,
        codes: by_code
            .into_iter()
            .map(|((sev, code), (c, count))| CodeCount {
                code,
                slug: c.slug(),
                summary: c.summary(),
                severity: sev,
                count,
            })
            .collect(),
    }
}

pub fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

pub fn kind_counts(model: &SiteModel) -> Vec<KindCount> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in model.catalog.entities.keys() {
        *counts.entry(r.kind.as_str()).or_default() += 1;
    }
    let order = |k: &str| {
        [
            "component",
            "api",
            "resource",
            "system",
            "domain",
            "group",
            "user",
        ]
        .iter()
        .position(|x| *x == k)
        .unwrap_or(99)
    };
    let mut v: Vec<_> = counts.into_iter().collect();
    v.sort_by_key(|(k, _)| (order(k), *k));
    v.into_iter()
        .map(|(k, count)| KindCount {
            kind: k.to_owned(),
            kind_label: kind_label(k),
            count,
        })
        .collect()
}

/// Page `n` (1-based) of an initiative, relative to the site root.
pub fn initiative_path(id: &str, n: usize) -> String {
    if n == 1 {
        format!("initiatives/{}/index.html", segment(id))
    } else {
        format!("initiatives/{}/page-{n}.html", segment(id))
    }
}

/// How an initiative is shown in lists (index, team and entity pages).
#[derive(Clone, Serialize)]
pub struct InitiativeSummary {
    pub id: String,
    pub title: String,
    pub url: String,
    pub deadline: String,
    pub days_left: i64,
    /// "118 days left", "due today", "3 days overdue".
    pub due: String,
    pub enforced: bool,
    pub done: usize,
    pub total: usize,
    pub percent: u32,
}

pub fn due(days: i64) -> String {
    match days {
        0 => "due today".into(),
        1 => "1 day left".into(),
        n if n > 1 => format!("{n} days left"),
        -1 => "1 day past the deadline".into(),
        n => format!("{} days past the deadline", -n),
    }
}

pub fn initiative_summary(t: &Tracked) -> InitiativeSummary {
    let p = &t.progress;
    InitiativeSummary {
        id: t.initiative.id.clone(),
        title: t.initiative.title.clone(),
        url: initiative_path(&t.initiative.id, 1),
        deadline: t.initiative.deadline.to_string(),
        days_left: p.days_left,
        due: due(p.days_left),
        enforced: p.enforced,
        done: p.done,
        total: p.total,
        percent: p.percent(),
    }
}
