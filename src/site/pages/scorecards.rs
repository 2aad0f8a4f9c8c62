//! The scorecards index, one page per scorecard (its levels, how each
//! team stands, and which entities fail each check), and each
//! scorecard's full results as JSON.

use crate::catalog::model::EntityRef;
use crate::pipeline::Checked;
use crate::scorecard::Standing;
use crate::scorecard::eval::Outcome;
use crate::scorecard::initiative::progress::owner_of;
use crate::scorecard::model::{Check, Scorecard};
use crate::site::links::{scorecard_page, segment};
use crate::site::model::{EntityLink, SiteModel};
use crate::site::summary::{LevelSummary, level_summary, percent, status_of};
use serde::Serialize;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Teams per page of a scorecard's level table (the first page is the
/// scorecard's own page, the others `teams/page-N.html`).
pub const TEAM_PAGE: usize = 100;
/// Failing entities a check shows on the scorecard's page; all of them are
/// on the check's own pages.
pub const FAILURE_PREVIEW: usize = 10;
/// Failing entities per page of a check's failure list.
pub const FAILURE_PAGE: usize = 100;

/// Page `n` (1-based) of the level table of scorecard `id`.
pub fn teams_path(id: &str, n: usize) -> String {
    if n == 1 {
        scorecard_page(id)
    } else {
        format!("scorecards/{}/teams/page-{n}.html", segment(id))
    }
}

/// Page `n` (1-based) of the failure list of check `check` of scorecard `id`.
pub fn check_path(id: &str, check: &str, n: usize) -> String {
    if n == 1 {
        format!(
            "scorecards/{}/checks/{}/index.html",
            segment(id),
            segment(check)
        )
    } else {
        format!(
            "scorecards/{}/checks/{}/page-{n}.html",
            segment(id),
            segment(check)
        )
    }
}

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

/// One entity that does not pass a check.
#[derive(Clone, Serialize)]
pub struct Failure {
    pub entity: EntityLink,
    pub owner: Option<EntityLink>,
    /// The entity's level on this scorecard (`None` below the first).
    pub level: Option<String>,
    pub status: &'static str,
    pub message: String,
    /// Set on the first row of each owner on a page: the anchor the team
    /// index and the team filter jump to.
    pub team_anchor: Option<String>,
}

#[derive(Clone, Serialize)]
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
    /// The first [`FAILURE_PREVIEW`] (on the scorecard page) or one page.
    pub failures: Vec<Failure>,
    /// Every failure is on the check's own pages; page 1, from the site root.
    pub all_url: String,
}

#[derive(Serialize)]
pub struct ScorecardPage {
    pub id: String,
    pub title: String,
    pub description: String,
    pub file: String,
    pub url: String,
    pub levels: Vec<String>,
    pub summary: Option<LevelSummary>,
    /// One page of the level table.
    pub teams: Vec<TeamRow>,
    pub teams_total: usize,
    /// Pages of the level table: links relative to the site root.
    pub team_pages: Vec<PageLink>,
    pub teams_page: usize,
    pub checks: Vec<CheckRow>,
    /// The full results, relative to the site root.
    pub json: String,
}

#[derive(Serialize)]
pub struct PageLink {
    pub n: usize,
    pub url: String,
}

/// Where a scorecard's JSON lives, relative to the site root.
pub fn json_path(id: &str) -> String {
    format!("api/scorecards/{}.json", segment(id))
}

fn standings_of<'m>(model: &SiteModel<'m>, sc: &Scorecard) -> Vec<&'m Standing> {
    model
        .scorecards
        .standings
        .iter()
        .filter(|s| s.scorecard == sc.id)
        .collect()
}

/// The owners of the entities a scorecard applies to, each with its entities.
fn by_team<'m>(
    model: &SiteModel<'m>,
    standings: &[&'m Standing],
) -> BTreeMap<&'m EntityRef, Vec<&'m EntityRef>> {
    let mut by_team: BTreeMap<&EntityRef, Vec<&EntityRef>> = BTreeMap::new();
    for s in standings {
        if let Some(owner) = model.owner(&s.entity) {
            by_team.entry(owner).or_default().push(&s.entity);
        }
    }
    by_team
}

/// How many pages the level table of `sc` has (for the plan, which has
/// no site model yet).
pub fn team_page_count(checked: &Checked, sc: &Scorecard) -> usize {
    let catalog = &checked.loaded.catalog;
    let owners: std::collections::BTreeSet<&EntityRef> = checked
        .scorecards
        .standings
        .iter()
        .filter(|s| s.scorecard == sc.id)
        .filter_map(|s| owner_of(catalog, &s.entity))
        .collect();
    owners.len().div_ceil(TEAM_PAGE).max(1)
}

/// How many pages the failure list of each check of `sc` has, in check
/// order: the entities [`check_row`] lists (not passing, and judged).
pub fn check_page_counts(checked: &Checked, sc: &Scorecard) -> Vec<usize> {
    let mut counts = vec![0usize; sc.checks.len()];
    for s in checked
        .scorecards
        .standings
        .iter()
        .filter(|s| s.scorecard == sc.id)
    {
        for (i, c) in sc.checks.iter().enumerate() {
            if s.checks
                .iter()
                .any(|r| r.id == c.id && !matches!(status_of(&r.outcome), "pass" | "not-judged"))
            {
                counts[i] += 1;
            }
        }
    }
    counts
        .into_iter()
        .map(|n| n.div_ceil(FAILURE_PAGE).max(1))
        .collect()
}

/// Page `n` of one scorecard's page: the first page has the summary, the
/// checks and the first part of the level table; later pages
/// (`teams/page-N.html`) continue the table.
pub fn page(model: &SiteModel, sc: &Scorecard, n: usize) -> PageContext {
    let standings = standings_of(model, sc);
    let by_team = by_team(model, &standings);
    let pages = by_team.len().div_ceil(TEAM_PAGE).max(1);
    let teams = by_team
        .iter()
        .skip((n - 1) * TEAM_PAGE)
        .take(TEAM_PAGE)
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
    let checks = if n == 1 {
        sc.checks
            .iter()
            .map(|check| {
                let list = check_list(model, sc, check);
                let (row, failures) = &*list;
                let mut row = row.clone();
                row.failures = failures.iter().take(FAILURE_PREVIEW).cloned().collect();
                row
            })
            .collect()
    } else {
        Vec::new()
    };
    let scorecard = ScorecardPage {
        id: sc.id.clone(),
        title: sc.title.clone(),
        description: sc.description.clone(),
        file: sc.file.clone(),
        url: scorecard_page(&sc.id),
        levels: sc.levels.clone(),
        summary: (n == 1)
            .then(|| {
                level_summary(model, standings.iter().map(|s| &s.entity), Some(&sc.id))
                    .into_iter()
                    .find(|l| l.id == sc.id)
            })
            .flatten(),
        teams,
        teams_total: by_team.len(),
        team_pages: (1..=pages)
            .map(|n| PageLink {
                n,
                url: teams_path(&sc.id, n),
            })
            .collect(),
        teams_page: n,
        checks,
        json: json_path(&sc.id),
    };
    PageContext { scorecard }
}

/// Each check's row and full failure list, worked out once per render:
/// every page of a check's list (and the scorecard page's preview) needs
/// the whole list, and working it out per page made rendering a 10,000-entity
/// catalog's check pages quadratic.
#[derive(Default)]
pub struct CheckLists(Mutex<HashMap<(String, String), Arc<CheckList>>>);

type CheckList = OnceLock<Arc<(CheckRow, Vec<Failure>)>>;

/// The row and failures of `check`, from the render's [`CheckLists`]. The
/// lock is held only to find the check's slot, so two checks are worked
/// out at once on two threads.
fn check_list(model: &SiteModel, sc: &Scorecard, check: &Check) -> Arc<(CheckRow, Vec<Failure>)> {
    let slot = Arc::clone(
        model
            .check_lists
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((sc.id.clone(), check.id.clone()))
            .or_default(),
    );
    let list = slot.get_or_init(|| Arc::new(check_row(model, sc, check, &standings_of(model, sc))));
    Arc::clone(list)
}

/// How the entities a scorecard applies to fare on one of its checks, and
/// every entity not passing it: by owner (unowned last), then by ref. An
/// entity the check could not judge is counted apart, not listed.
fn check_row(
    model: &SiteModel,
    sc: &Scorecard,
    check: &Check,
    standings: &[&Standing],
) -> (CheckRow, Vec<Failure>) {
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
            failures.push((
                model.owner(&s.entity),
                Failure {
                    entity: model.link(&s.entity),
                    owner: model.owner(&s.entity).map(|o| model.link(o)),
                    level: s.level.clone(),
                    status,
                    message: match &c.outcome {
                        Outcome::Fail { messages } | Outcome::Waived { messages, .. } => {
                            messages.join("; ")
                        }
                        Outcome::Error { message } => message.clone(),
                        Outcome::Pass | Outcome::NotJudged { .. } => String::new(),
                    },
                    team_anchor: None,
                },
            ));
        }
    }
    // Standings come in ref order; the sort is stable.
    failures.sort_by(|a, b| (a.0.is_none(), a.0).cmp(&(b.0.is_none(), b.0)));
    let row = CheckRow {
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
        failures: Vec::new(),
        all_url: check_path(&sc.id, &check.id, 1),
    };
    (row, failures.into_iter().map(|(_, f)| f).collect())
}

/// What `scorecard_check.html` gets: one page of a check's failures.
#[derive(Serialize)]
pub struct CheckContext {
    pub scorecard: ScorecardRef,
    pub check: CheckRow,
    pub pager: super::health::Pager,
    /// Every owner with failures, with the page (and anchor) where its rows
    /// start, relative to the site root.
    pub teams: Vec<TeamJump>,
    /// The kinds and levels on this page, for the filters.
    pub kinds: Vec<String>,
    pub levels: Vec<String>,
}

#[derive(Serialize)]
pub struct ScorecardRef {
    pub id: String,
    pub title: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct TeamJump {
    pub team: Option<EntityLink>,
    pub count: usize,
    pub url: String,
}

/// The anchor of a team's first row on a failure-list page.
pub fn team_anchor(team: Option<&EntityLink>) -> String {
    match team {
        Some(t) => format!("team-{}", crate::escape::fnv1a(t.eref.as_bytes())),
        None => "team-none".to_owned(),
    }
}

/// Page `n` (1-based) of the failure list of `check`.
pub fn check_page(model: &SiteModel, sc: &Scorecard, check: &Check, n: usize) -> CheckContext {
    let list = check_list(model, sc, check);
    let (row, failures) = &*list;
    let mut row = row.clone();
    let pages = failures.len().div_ceil(FAILURE_PAGE).max(1);
    let mut teams: Vec<TeamJump> = Vec::new();
    for (i, f) in failures.iter().enumerate() {
        let same = teams
            .last()
            .is_some_and(|t| t.team.as_ref().map(|l| &l.eref) == f.owner.as_ref().map(|l| &l.eref));
        if same {
            if let Some(t) = teams.last_mut() {
                t.count += 1;
            }
            continue;
        }
        teams.push(TeamJump {
            team: f.owner.clone(),
            count: 1,
            url: format!(
                "{}#{}",
                check_path(&sc.id, &check.id, i / FAILURE_PAGE + 1),
                team_anchor(f.owner.as_ref())
            ),
        });
    }
    let mut page: Vec<Failure> = failures
        .iter()
        .skip((n - 1) * FAILURE_PAGE)
        .take(FAILURE_PAGE)
        .cloned()
        .collect();
    let mut last: Option<Option<String>> = None;
    for f in &mut page {
        let owner = f.owner.as_ref().map(|o| o.eref.clone());
        if last.as_ref() != Some(&owner) {
            f.team_anchor = Some(team_anchor(f.owner.as_ref()));
            last = Some(owner);
        }
    }
    let mut kinds: Vec<String> = page.iter().map(|f| f.entity.kind_label.clone()).collect();
    kinds.sort();
    kinds.dedup();
    let levels = page
        .iter()
        .map(|f| f.level.clone().unwrap_or_else(|| "below".to_owned()))
        .collect::<std::collections::BTreeSet<_>>();
    let levels = std::iter::once("below".to_owned())
        .chain(sc.levels.iter().cloned())
        .filter(|l| levels.contains(l))
        .collect();
    row.failures = page;
    CheckContext {
        scorecard: ScorecardRef {
            id: sc.id.clone(),
            title: sc.title.clone(),
            url: scorecard_page(&sc.id),
        },
        check: row,
        pager: super::health::pager(n, pages),
        teams,
        kinds,
        levels,
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
