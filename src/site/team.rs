//! The scorecard part of a team's page (and a user's): what to fix first
//! with the remediation, every owned entity's level and distance to the
//! next one, and the initiatives that concern the team. Sub-teams roll up
//! into their parent. It is the answer to "what do we fix first" without
//! opening another page.

use super::model::{EntityLink, SiteModel};
use super::summary::{InitiativeSummary, initiative_summary};
use crate::catalog::model::Entity;
use crate::scorecard::progress_report::team_share;
use crate::scorecard::team::{self, TeamView};
use serde::Serialize;

/// Entities listed under each failing check on the team page; the rest are
/// on the check's own pages, sorted by team.
pub const FIX_ENTITIES: usize = 10;
/// Rows of the entity table on the team page (closest to the next level
/// first); the rest are reachable through the checks above.
pub const ROWS: usize = 50;

#[derive(Serialize)]
pub struct TeamScorecards {
    /// Entities the team and its sub-teams own that a scorecard applies to.
    pub entities: usize,
    pub subteams: usize,
    /// Level counts over everything the team and its sub-teams own.
    pub summary: Vec<super::summary::LevelSummary>,
    pub fixes: Vec<FixView>,
    pub rows: Vec<RowView>,
    pub rows_total: usize,
    pub initiatives: Vec<TeamInitiative>,
}

#[derive(Serialize)]
pub struct FixView {
    pub scorecard: String,
    pub scorecard_title: String,
    pub check: String,
    pub title: String,
    pub level: String,
    pub remediation: String,
    pub failing: usize,
    /// Entities that reach their next level by fixing only this check.
    pub unlocks: usize,
    pub blocks_next: usize,
    pub entities: Vec<EntityLink>,
    pub more: usize,
    /// The check's failure list (sorted by team), from the site root.
    pub all_url: String,
    /// The check on its scorecard page, from the site root.
    pub check_url: String,
}

#[derive(Serialize)]
pub struct RowView {
    pub entity: EntityLink,
    /// The owning sub-team, when it is not this team.
    pub subteam: Option<EntityLink>,
    pub scorecard: String,
    pub scorecard_title: String,
    pub scorecard_url: String,
    pub level: Option<String>,
    pub next: Option<String>,
    /// Titles of the checks between the entity and its next level.
    pub to_next: Vec<String>,
    pub failing: usize,
}

#[derive(Serialize)]
pub struct TeamInitiative {
    #[serde(flatten)]
    pub summary: InitiativeSummary,
    /// The team's (and sub-teams') share.
    pub team_done: usize,
    pub team_total: usize,
}

/// The section of `e` (a group or user).
pub fn section(model: &SiteModel, e: &Entity) -> TeamScorecards {
    let view = team::view(model.catalog, model.scorecards, &e.eref);
    build(model, &view)
}

fn build<'a>(model: &SiteModel<'a>, view: &TeamView) -> TeamScorecards {
    let title_of = |sc: &str, check: &str| {
        model
            .scorecard_by_id
            .get(sc)
            .and_then(|s| s.checks.iter().find(|c| c.id == check))
    };
    let fixes = view
        .fixes
        .iter()
        .map(|f| {
            let meta = title_of(&f.scorecard, &f.check);
            FixView {
                scorecard: f.scorecard.clone(),
                scorecard_title: model
                    .scorecard_by_id
                    .get(f.scorecard.as_str())
                    .map_or_else(|| f.scorecard.clone(), |s| s.title.clone()),
                check: f.check.clone(),
                title: meta.map_or_else(|| f.check.clone(), |c| c.title.clone()),
                level: f.level.clone(),
                remediation: meta.map_or_else(String::new, |c| c.remediation.trim().to_owned()),
                failing: f.entities.len(),
                unlocks: f.unlocks,
                blocks_next: f.blocks_next,
                entities: f
                    .entities
                    .iter()
                    .take(FIX_ENTITIES)
                    .map(|r| model.link(r))
                    .collect(),
                more: f.entities.len().saturating_sub(FIX_ENTITIES),
                all_url: super::pages::scorecards::check_path(&f.scorecard, &f.check, 1),
                check_url: format!(
                    "{}#check-{}",
                    super::links::scorecard_page(&f.scorecard),
                    f.check
                ),
            }
        })
        .collect();
    let rows = view
        .rows
        .iter()
        .take(ROWS)
        .map(|r| RowView {
            entity: model.link(&r.entity),
            subteam: (r.owner != view.team).then(|| model.link(&r.owner)),
            scorecard: r.scorecard.clone(),
            scorecard_title: model
                .scorecard_by_id
                .get(r.scorecard.as_str())
                .map_or_else(|| r.scorecard.clone(), |s| s.title.clone()),
            scorecard_url: super::links::scorecard_page(&r.scorecard),
            level: r.level.clone(),
            next: r.next.clone(),
            to_next: r
                .to_next
                .iter()
                .map(|c| title_of(&r.scorecard, c).map_or_else(|| c.clone(), |m| m.title.clone()))
                .collect(),
            failing: r.failing.len(),
        })
        .collect();
    let initiatives = model
        .scorecards
        .initiatives
        .iter()
        .filter_map(|t| {
            let (team_done, team_total) = team_share(t, view);
            (team_total > 0).then(|| TeamInitiative {
                summary: initiative_summary(t),
                team_done,
                team_total,
            })
        })
        .collect();
    let mut owned: Vec<&'a crate::catalog::model::EntityRef> = view
        .rows
        .iter()
        .filter_map(|r| {
            model
                .catalog
                .entities
                .get_key_value(&r.entity)
                .map(|(k, _)| k)
        })
        .collect();
    owned.sort();
    owned.dedup();
    TeamScorecards {
        summary: super::summary::level_summary(model, owned.into_iter(), None),
        entities: view.entities,
        subteams: view.teams.len().saturating_sub(1),
        fixes,
        rows,
        rows_total: view.rows.len(),
        initiatives,
    }
}

/// An initiative as an entity page shows it: with this entity's state.
#[derive(Serialize)]
pub struct EntityInitiative {
    #[serde(flatten)]
    pub summary: InitiativeSummary,
    pub done: bool,
    /// Titles of the asked checks this entity still fails.
    pub missing: Vec<String>,
}

/// The initiatives that cover `e` (the ones whose progress counts it).
pub fn entity_initiatives(model: &SiteModel, e: &Entity) -> Vec<EntityInitiative> {
    model
        .scorecards
        .initiatives
        .iter()
        .filter_map(|t| {
            let left = t.progress.left.iter().find(|l| l.entity == e.eref);
            let done = t.progress.finished.binary_search(&e.eref).is_ok();
            if left.is_none() && !done {
                return None;
            }
            Some(EntityInitiative {
                summary: initiative_summary(t),
                done: left.is_none(),
                missing: left
                    .map(|l| {
                        l.missing
                            .iter()
                            .map(|m| {
                                model
                                    .scorecard_by_id
                                    .get(m.scorecard.as_str())
                                    .and_then(|s| s.checks.iter().find(|c| c.id == m.check))
                                    .map_or_else(|| m.check.clone(), |c| c.title.clone())
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}
