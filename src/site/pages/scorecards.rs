//! The scorecards index, one page per scorecard (its levels, how each
//! team stands, and which entities fail each check), and each
//! scorecard's full results as JSON.

use crate::catalog::model::EntityRef;
use crate::scorecard::Standing;
use crate::scorecard::eval::Outcome;
use crate::scorecard::model::{Check, Scorecard};
use crate::site::links::{scorecard_page, segment};
use crate::site::model::{EntityLink, SiteModel};
use crate::site::summary::{LevelSummary, level_summary, percent, status_of};
use serde::Serialize;
use std::collections::BTreeMap;

/// Teams listed on a scorecard page, and failing entities per check.
pub const TEAM_CAP: usize = 200;
pub const FAILURE_CAP: usize = 50;

/// What `scorecards.html` gets besides the common variables.
#[derive(Serialize)]
pub struct IndexContext {
    pub scorecards: Vec<LevelSummary>,
    pub definitions: Vec<Definition>,
}

#[derive(Serialize)]
pub struct Definition {
    pub id: String,
    pub title: String,
    pub description: String,
    pub url: String,
    pub checks: usize,
    pub levels: Vec<String>,
}

/// `overall` is the catalog-wide summary, which the home page shows too,
/// so the renderer computes it once.
pub fn index(model: &SiteModel, overall: Vec<LevelSummary>) -> IndexContext {
    IndexContext {
        scorecards: overall,
        definitions: model
            .scorecards
            .scorecards
            .iter()
            .map(|s| Definition {
                id: s.id.clone(),
                title: s.title.clone(),
                description: s.description.clone(),
                url: scorecard_page(&s.id),
                checks: s.checks.len(),
                levels: s.levels.clone(),
            })
            .collect(),
    }
}

/// What `scorecard.html` gets besides the common variables.
#[derive(Serialize)]
pub struct PageContext {
    pub scorecard: ScorecardPage,
}

#[derive(Serialize)]
pub struct TeamRow {
    pub team: EntityLink,
    pub summary: LevelSummary,
}

#[derive(Serialize)]
pub struct Failure {
    pub entity: EntityLink,
    pub status: &'static str,
    pub message: String,
}

#[derive(Serialize)]
pub struct CheckRow {
    pub id: String,
    pub title: String,
    pub description: String,
    pub level: String,
    pub enforcement: String,
    pub remediation: String,
    pub passing: usize,
    pub failing: usize,
    pub waived: usize,
    /// Entities the check could not judge (it needs git history), and why.
    pub not_judged: usize,
    pub not_judged_reason: Option<String>,
    pub pass_rate: u32,
    pub failures: Vec<Failure>,
    pub more: usize,
}

#[derive(Serialize)]
pub struct ScorecardPage {
    pub id: String,
    pub title: String,
    pub description: String,
    pub file: String,
    pub levels: Vec<String>,
    pub summary: Option<LevelSummary>,
    pub teams: Vec<TeamRow>,
    pub teams_more: usize,
    pub checks: Vec<CheckRow>,
    /// The full results, relative to the site root.
    pub json: String,
}

/// Where a scorecard's JSON lives, relative to the site root.
pub fn json_path(id: &str) -> String {
    format!("api/scorecards/{}.json", segment(id))
}

/// One scorecard's page.
pub fn page(model: &SiteModel, sc: &Scorecard) -> PageContext {
    let standings: Vec<_> = model
        .scorecards
        .standings
        .iter()
        .filter(|s| s.scorecard == sc.id)
        .collect();
    // Teams: the owners of the entities this scorecard applies to.
    let mut by_team: BTreeMap<&EntityRef, Vec<&EntityRef>> = BTreeMap::new();
    for s in &standings {
        if let Some(owner) = model.owner(&s.entity) {
            by_team.entry(owner).or_default().push(&s.entity);
        }
    }
    let teams_more = by_team.len().saturating_sub(TEAM_CAP);
    let teams = by_team
        .iter()
        .take(TEAM_CAP)
        .filter_map(|(team, refs)| {
            let summary = level_summary(model, refs.iter().copied(), Some(&sc.id))
                .into_iter()
                .find(|l| l.id == sc.id)?;
            Some(TeamRow {
                team: model.link(team),
                summary,
            })
        })
        .collect();
    let checks = sc
        .checks
        .iter()
        .map(|check| check_row(model, check, &standings))
        .collect();
    let scorecard = ScorecardPage {
        id: sc.id.clone(),
        title: sc.title.clone(),
        description: sc.description.clone(),
        file: sc.file.clone(),
        levels: sc.levels.clone(),
        summary: level_summary(model, standings.iter().map(|s| &s.entity), Some(&sc.id))
            .into_iter()
            .find(|l| l.id == sc.id),
        teams,
        teams_more,
        checks,
        json: json_path(&sc.id),
    };
    PageContext { scorecard }
}

/// How the entities a scorecard applies to fare on one of its checks,
/// with the failures (at most [`FAILURE_CAP`]).
fn check_row(model: &SiteModel, check: &Check, standings: &[&Standing]) -> CheckRow {
    let (mut passing, mut failing, mut waived, mut not_judged) = (0, 0, 0, 0);
    let mut not_judged_reason = None;
    let mut failures = Vec::new();
    for s in standings {
        let Some(c) = s.checks.iter().find(|c| c.id == check.id) else {
            continue;
        };
        let status = status_of(&c.outcome);
        if let Outcome::NotJudged { reason } = &c.outcome {
            not_judged += 1;
            not_judged_reason.get_or_insert_with(|| reason.clone());
            continue;
        }
        match status {
            "pass" => passing += 1,
            "waived" => waived += 1,
            _ => failing += 1,
        }
        if status != "pass" {
            failures.push(Failure {
                entity: model.link(&s.entity),
                status,
                message: match &c.outcome {
                    Outcome::Fail { messages } | Outcome::Waived { messages, .. } => {
                        messages.join("; ")
                    }
                    Outcome::Error { message } => message.clone(),
                    Outcome::Pass | Outcome::NotJudged { .. } => String::new(),
                },
            });
        }
    }
    let more = failures.len().saturating_sub(FAILURE_CAP);
    failures.truncate(FAILURE_CAP);
    CheckRow {
        id: check.id.clone(),
        title: check.title.clone(),
        description: check.description.clone(),
        level: check.level.clone(),
        enforcement: format!("{:?}", check.enforcement).to_lowercase(),
        remediation: check.remediation.clone(),
        pass_rate: percent(passing, passing + failing + waived),
        passing,
        failing,
        waived,
        not_judged,
        not_judged_reason,
        failures,
        more,
    }
}

/// One scorecard's full results for other tools: every standing.
pub fn json(model: &SiteModel, sc: &Scorecard) -> Vec<u8> {
    #[derive(Serialize)]
    struct Doc<'a> {
        version: u32,
        scorecard: &'a Scorecard,
        standings: Vec<&'a Standing>,
    }
    let doc = Doc {
        version: 1,
        scorecard: sc,
        standings: model
            .scorecards
            .standings
            .iter()
            .filter(|s| s.scorecard == sc.id)
            .collect(),
    };
    serde_json::to_vec(&doc).unwrap_or_default()
}
