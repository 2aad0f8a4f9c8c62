//! The site-wide pages: home, catalog index, scorecards and catalog health,
//! plus the level summaries that team pages share.
//!
//! No page lists the whole catalog: long lists are capped (with the full
//! data in the JSON export) or paginated, so page sizes stay flat as the
//! catalog grows.

use super::model::{EntityLink, SiteModel};
use super::summary::{
    HealthSummary, KindCount, LevelSummary, health_summary, kind_counts, level_summary, percent,
    severity_name, status_of,
};
use crate::catalog::model::EntityRef;
use crate::diagnostics::Diagnostic;
use serde::Serialize;
use std::collections::BTreeMap;

/// Teams listed on a scorecard page, and failing entities per check.
pub const TEAM_CAP: usize = 200;
pub const FAILURE_CAP: usize = 50;
/// Diagnostics per page of the health report.
pub const HEALTH_PAGE: usize = 500;
/// Rows the catalog index renders into its HTML (before JS takes over).
pub const INDEX_FIRST_PAGE: usize = 50;

/// Home: stats, health, scorecards, and entry points into teams and systems.
#[derive(Serialize)]
pub struct Home {
    pub kinds: Vec<KindCount>,
    pub health: HealthSummary,
    pub scorecards: Vec<LevelSummary>,
    /// Groups of `type: team` (every group if none says so), at most 24.
    pub teams: Vec<EntityLink>,
    pub teams_total: usize,
    /// Systems, at most 24.
    pub systems: Vec<EntityLink>,
    pub systems_total: usize,
}

const HOME_LIST: usize = 24;

/// `scorecards` is the catalog-wide summary, which the scorecards page
/// shows too, so it is computed once by the caller.
pub fn home(model: &SiteModel, scorecards: Vec<LevelSummary>) -> Home {
    let groups: Vec<_> = model
        .catalog
        .entities
        .values()
        .filter(|e| e.eref.kind == "group")
        .collect();
    // Teams people look for are the leaves (`type: team`), not the org
    // chart's top; fall back to every group when no group says its type.
    let teams: Vec<_> = groups
        .iter()
        .filter(|g| g.spec_type() == Some("team"))
        .collect();
    let shown = if teams.is_empty() {
        groups.iter().collect()
    } else {
        teams
    };
    let top: Vec<EntityLink> = shown
        .iter()
        .take(HOME_LIST)
        .map(|g| model.link_to(g))
        .collect();
    let systems: Vec<_> = model
        .catalog
        .entities
        .values()
        .filter(|e| e.eref.kind == "system")
        .collect();
    Home {
        kinds: kind_counts(model),
        health: health_summary(model),
        scorecards,
        teams: top,
        teams_total: groups.len(),
        systems: systems
            .iter()
            .take(HOME_LIST)
            .map(|s| model.link_to(s))
            .collect(),
        systems_total: systems.len(),
    }
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

pub fn scorecard_json_path(id: &str) -> String {
    format!("api/scorecards/{}.json", super::links::segment(id))
}

pub fn scorecard(model: &SiteModel, sc: &crate::scorecard::model::Scorecard) -> ScorecardPage {
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
        .map(|check| {
            let (mut passing, mut failing, mut waived) = (0, 0, 0);
            let mut failures = Vec::new();
            for s in &standings {
                let Some(c) = s.checks.iter().find(|c| c.id == check.id) else {
                    continue;
                };
                let status = status_of(&c.outcome);
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
                            crate::scorecard::eval::Outcome::Fail { messages }
                            | crate::scorecard::eval::Outcome::Waived { messages, .. } => {
                                messages.join("; ")
                            }
                            crate::scorecard::eval::Outcome::Error { message } => message.clone(),
                            crate::scorecard::eval::Outcome::Pass => String::new(),
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
                failures,
                more,
            }
        })
        .collect();
    ScorecardPage {
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
        json: scorecard_json_path(&sc.id),
    }
}

/// One scorecard's full results for other tools: every standing.
pub fn scorecard_json(model: &SiteModel, sc: &crate::scorecard::model::Scorecard) -> Vec<u8> {
    #[derive(Serialize)]
    struct Doc<'a> {
        version: u32,
        scorecard: &'a crate::scorecard::model::Scorecard,
        standings: Vec<&'a crate::scorecard::Standing>,
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

#[derive(Serialize)]
pub struct DiagnosticRow {
    pub severity: &'static str,
    pub code: &'static str,
    pub slug: &'static str,
    pub message: String,
    pub help: Option<String>,
    pub file: Option<String>,
    pub line: u32,
    pub column: u32,
    pub edit_url: Option<String>,
}

#[derive(Serialize)]
pub struct Pager {
    pub page: usize,
    pub pages: usize,
    /// Relative to the current page's folder.
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// The file name of page `n` (1-based) of a paginated list in one folder.
fn page_file(n: usize) -> String {
    if n == 1 {
        "index.html".to_owned()
    } else {
        format!("page-{n}.html")
    }
}

pub fn pager(page: usize, pages: usize) -> Pager {
    Pager {
        page,
        pages,
        prev: (page > 1).then(|| page_file(page - 1)),
        next: (page < pages).then(|| page_file(page + 1)),
    }
}

/// The health report, split into pages of [`HEALTH_PAGE`] diagnostics:
/// (path, rows, pager).
pub fn health_pages(model: &SiteModel) -> Vec<(String, Vec<DiagnosticRow>, Pager)> {
    let diags: &[Diagnostic] = &model.checked.diagnostics;
    let pages = diags.len().div_ceil(HEALTH_PAGE).max(1);
    (1..=pages)
        .map(|n| {
            let rows = diags
                .iter()
                .skip((n - 1) * HEALTH_PAGE)
                .take(HEALTH_PAGE)
                .map(|d| DiagnosticRow {
                    severity: severity_name(d.severity),
                    code: d.code.code(),
                    slug: d.code.slug(),
                    message: d.message.clone(),
                    help: d.help.clone(),
                    file: d.span.as_ref().map(|s| s.file.clone()),
                    line: d.span.as_ref().map_or(0, |s| s.line),
                    column: d.span.as_ref().map_or(0, |s| s.column),
                    edit_url: d
                        .span
                        .as_ref()
                        .filter(|s| !s.file.starts_with('<'))
                        .and_then(|s| model.edit_url(&s.file)),
                })
                .collect();
            (format!("health/{}", page_file(n)), rows, pager(n, pages))
        })
        .collect()
}
