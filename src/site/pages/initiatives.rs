//! The initiatives index and one page per initiative: progress overall
//! and per team, days to the deadline, the burndown, and what is left with
//! owners and remediation, paginated so the page stays small at any size.

use super::health::{Pager, pager};
use crate::scorecard::initiative::progress::{Burndown, Tracked, burndown};
use crate::scorecard::initiative::{Ask, Asked};
use crate::site::links::scorecard_page;
use crate::site::model::{EntityLink, SiteModel};
pub use crate::site::summary::{
    InitiativeSummary as Summary, initiative_path as path, initiative_summary as summary,
};
use serde::Serialize;

/// Entities left to do per page of an initiative.
pub const LEFT_PAGE: usize = 100;

/// The index page, relative to the site root.
pub const INDEX_PATH: &str = "initiatives/index.html";

pub fn page_count(t: &Tracked) -> usize {
    t.progress.left.len().div_ceil(LEFT_PAGE).max(1)
}

#[derive(Serialize)]
pub struct IndexContext {
    pub initiatives: Vec<Summary>,
}

pub fn index(model: &SiteModel) -> IndexContext {
    IndexContext {
        initiatives: model.scorecards.initiatives.iter().map(summary).collect(),
    }
}

#[derive(Serialize)]
pub struct AskView {
    pub text: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct CheckView {
    pub scorecard: String,
    pub id: String,
    pub title: String,
    pub level: String,
    pub remediation: String,
    pub url: String,
    /// Covered entities that do not pass it yet.
    pub left: usize,
}

#[derive(Serialize)]
pub struct TeamRow {
    pub team: Option<EntityLink>,
    pub done: usize,
    pub total: usize,
    pub percent: u32,
}

#[derive(Serialize)]
pub struct LeftRow {
    pub entity: EntityLink,
    pub owner: Option<EntityLink>,
    /// The asked checks it fails, as `(id, title)` with a link to the check.
    pub missing: Vec<MissingView>,
}

#[derive(Serialize)]
pub struct MissingView {
    pub id: String,
    pub title: String,
    /// Anchor of the check's card on this page.
    pub anchor: String,
}

#[derive(Serialize)]
pub struct BurnView {
    /// Inline SVG built by Portolan (escaped), printed with `safe`.
    pub svg: Option<String>,
    pub text: String,
    /// Why there is no history line, when there is none.
    pub note: Option<String>,
}

#[derive(Serialize)]
pub struct PageContext {
    pub initiative: InitiativeView,
    pub pager: Pager,
}

#[derive(Serialize)]
pub struct InitiativeView {
    #[serde(flatten)]
    pub summary: Summary,
    pub description: String,
    pub owner: Option<EntityLink>,
    pub discussion: Option<String>,
    pub start: String,
    pub file: String,
    pub edit_url: Option<String>,
    pub asks: Vec<AskView>,
    pub checks: Vec<CheckView>,
    pub teams: Vec<TeamRow>,
    pub left: Vec<LeftRow>,
    pub left_total: usize,
    pub burndown: BurnView,
}

fn anchor(a: &Asked) -> String {
    format!("check-{}-{}", a.scorecard, a.check)
}

/// Page `n` of `t`'s page.
pub fn page(model: &SiteModel, t: &Tracked, n: usize) -> PageContext {
    let (i, p) = (&t.initiative, &t.progress);
    let check_meta = |a: &Asked| {
        model
            .scorecard_by_id
            .get(a.scorecard.as_str())
            .and_then(|sc| sc.checks.iter().find(|c| c.id == a.check))
    };
    let asks = i
        .asks
        .iter()
        .map(|a| match a {
            Ask::Check { scorecard, check } => AskView {
                text: format!("{scorecard} › {check}"),
                url: format!("{}#check-{}", scorecard_page(scorecard), check),
            },
            Ask::Level { scorecard, level } => AskView {
                text: format!("{scorecard} at {level} or above"),
                url: scorecard_page(scorecard),
            },
        })
        .collect();
    let checks = i
        .checks
        .iter()
        .map(|a| {
            let meta = check_meta(a);
            CheckView {
                scorecard: a.scorecard.clone(),
                id: a.check.clone(),
                title: meta.map_or_else(|| a.check.clone(), |c| c.title.clone()),
                level: meta.map_or_else(String::new, |c| c.level.clone()),
                remediation: meta.map_or_else(String::new, |c| c.remediation.trim().to_owned()),
                url: format!("{}#check-{}", scorecard_page(&a.scorecard), a.check),
                left: p.left.iter().filter(|l| l.missing.contains(a)).count(),
            }
        })
        .collect();
    let teams = p
        .teams
        .iter()
        .map(|tp| TeamRow {
            team: tp.team.as_ref().map(|r| model.link(r)),
            done: tp.done,
            total: tp.total,
            percent: crate::site::summary::percent(tp.done, tp.total),
        })
        .collect();
    let left = p
        .left
        .iter()
        .skip((n - 1) * LEFT_PAGE)
        .take(LEFT_PAGE)
        .map(|l| LeftRow {
            entity: model.link(&l.entity),
            owner: l.owner.as_ref().map(|o| model.link(o)),
            missing: l
                .missing
                .iter()
                .map(|m| MissingView {
                    id: m.check.clone(),
                    title: check_meta(m).map_or_else(|| m.check.clone(), |c| c.title.clone()),
                    anchor: anchor(m),
                })
                .collect(),
        })
        .collect();
    let burn = match burndown(
        t,
        model.checked.history.series(),
        &model.scorecards.scorecards,
    ) {
        Burndown::History { points } => {
            let values: Vec<Option<f64>> = points
                .iter()
                .map(|b| (b.total > 0).then(|| b.done as f64 * 100.0 / b.total as f64))
                .collect();
            let text = points
                .iter()
                .map(|b| format!("{}: {} of {}", b.date, b.done, b.total))
                .collect::<Vec<_>>()
                .join(", ");
            BurnView {
                svg: crate::site::trend::sparkline(
                    &values,
                    100.0,
                    &format!("Done over time: {text}"),
                ),
                text,
                note: None,
            }
        }
        Burndown::Snapshot { note } => BurnView {
            svg: None,
            text: format!("{} of {} done today", p.done, p.total),
            note: Some(note),
        },
    };
    let pages = page_count(t);
    PageContext {
        initiative: InitiativeView {
            summary: summary(t),
            description: i.description.clone(),
            owner: i.owner.as_ref().map(|o| model.link(o)),
            discussion: i.discussion.clone(),
            start: i.start.to_string(),
            file: i.file.clone(),
            edit_url: model.edit_url(&i.file),
            asks,
            checks,
            teams,
            left,
            left_total: p.left.len(),
            burndown: burn,
        },
        pager: pager(n, pages),
    }
}
