//! The home page: stats, health, scorecards, and entry points into teams
//! and systems.

use crate::site::model::{EntityLink, SiteModel};
use crate::site::summary::{HealthSummary, KindCount, LevelSummary, kind_counts};
use serde::Serialize;

/// What `home.html` gets besides the common variables.
#[derive(Serialize)]
pub struct Context {
    pub home: Home,
}

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

/// `scorecards` (the catalog-wide summary) and `health` are shown by other
/// pages too, so the renderer computes them once and passes them in.
pub fn context(model: &SiteModel, scorecards: Vec<LevelSummary>, health: HealthSummary) -> Context {
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
    let home = Home {
        kinds: kind_counts(model),
        health,
        scorecards,
        teams: top,
        teams_total: groups.len(),
        systems: systems
            .iter()
            .take(HOME_LIST)
            .map(|s| model.link_to(s))
            .collect(),
        systems_total: systems.len(),
    };
    Context { home }
}
