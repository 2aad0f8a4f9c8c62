//! A team's scorecard view: everything the team and its sub-teams own,
//! each entity's level and how many checks stand between it and the next
//! level, and the failing checks ordered by what moves the team forward
//! most. The team page and `portolan report --team` both show it.

use super::initiative::progress::{owner_of, team_and_subteams};
use super::model::Scorecard;
use super::{Scorecards, Standing};
use crate::catalog::Catalog;
use crate::catalog::model::{EntityRef, RelationType};
use crate::scorecard::eval::Outcome;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One entity's standing on one scorecard, seen from its team.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub entity: EntityRef,
    pub owner: EntityRef,
    pub scorecard: String,
    pub level: Option<String>,
    /// The next level up, `None` at the top.
    pub next: Option<String>,
    /// Checks not passing at the next level and below: fix these and the
    /// entity moves up.
    pub to_next: Vec<String>,
    /// Every check not passing (failing or in error), in check order.
    pub failing: Vec<String>,
}

/// One failing check across the team's entities.
#[derive(Clone, Debug, Serialize)]
pub struct Fix {
    pub scorecard: String,
    pub check: String,
    pub level: String,
    /// The entities failing it, by ref.
    pub entities: Vec<EntityRef>,
    /// How many of them reach their next level by fixing just this check.
    pub unlocks: usize,
    /// How many of them need it (with others) for their next level.
    pub blocks_next: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct TeamView {
    pub team: EntityRef,
    /// The team and its sub-teams (transitively), sorted.
    pub teams: Vec<EntityRef>,
    /// Entities owned by any of them with at least one standing.
    pub entities: usize,
    /// Every (entity, scorecard) standing, closest to the next level first
    /// (fewest checks to go, then by ref and scorecard); entities already at
    /// the top come last.
    pub rows: Vec<Row>,
    /// Failing checks, what moves the team forward most first: checks that
    /// alone lift most entities a level, then lower levels, then most
    /// failures.
    pub fixes: Vec<Fix>,
}

fn rank(sc: &Scorecard, level: &str) -> usize {
    sc.levels
        .iter()
        .position(|l| l == level)
        .unwrap_or(usize::MAX)
}

/// The team view of `team` (a group or user).
pub fn view(catalog: &Catalog, scorecards: &Scorecards, team: &EntityRef) -> TeamView {
    let teams: BTreeSet<&EntityRef> = if team.kind == "group" {
        team_and_subteams(catalog, team)
    } else {
        BTreeSet::from([team])
    };
    let owned: BTreeSet<&EntityRef> = teams
        .iter()
        .flat_map(|t| {
            catalog
                .relations_of(t)
                .filter(|r| r.kind == RelationType::OwnerOf)
                .map(|r| &r.target)
        })
        .collect();
    let cards: BTreeMap<&str, &Scorecard> = scorecards
        .scorecards
        .iter()
        .map(|s| (s.id.as_str(), s))
        .collect();
    let mut rows = Vec::new();
    let mut entities = BTreeSet::new();
    for s in scorecards
        .standings
        .iter()
        .filter(|s| owned.contains(&s.entity))
    {
        let Some(sc) = cards.get(s.scorecard.as_str()) else {
            continue;
        };
        entities.insert(&s.entity);
        rows.push(row(catalog, sc, s, team));
    }
    rows.sort_by(|a, b| {
        let key = |r: &Row| (r.next.is_none(), r.to_next.len());
        key(a)
            .cmp(&key(b))
            .then_with(|| a.entity.cmp(&b.entity))
            .then_with(|| a.scorecard.cmp(&b.scorecard))
    });
    let fixes = fixes(&rows, &cards);
    TeamView {
        team: team.clone(),
        teams: teams.into_iter().cloned().collect(),
        entities: entities.len(),
        rows,
        fixes,
    }
}

fn row(catalog: &Catalog, sc: &Scorecard, s: &Standing, team: &EntityRef) -> Row {
    let not_passing = |o: &Outcome| matches!(o, Outcome::Fail { .. } | Outcome::Error { .. });
    // A check that was not judged blocks the level too, but it is no fix.
    let blocks = |o: &Outcome| not_passing(o) || matches!(o, Outcome::NotJudged { .. });
    let reached = s.level.as_deref().map(|l| rank(sc, l));
    let next_rank = reached.map_or(0, |r| r + 1);
    let next = sc.levels.get(next_rank).cloned();
    let to_next = match &next {
        Some(_) => s
            .checks
            .iter()
            .filter(|c| rank(sc, &c.level) <= next_rank && blocks(&c.outcome))
            .map(|c| c.id.clone())
            .collect(),
        None => Vec::new(),
    };
    Row {
        entity: s.entity.clone(),
        owner: owner_of(catalog, &s.entity)
            .cloned()
            .unwrap_or_else(|| team.clone()),
        scorecard: s.scorecard.clone(),
        level: s.level.clone(),
        next,
        to_next,
        failing: s
            .checks
            .iter()
            .filter(|c| not_passing(&c.outcome))
            .map(|c| c.id.clone())
            .collect(),
    }
}

fn fixes(rows: &[Row], cards: &BTreeMap<&str, &Scorecard>) -> Vec<Fix> {
    let mut by_check: BTreeMap<(&str, &str), Fix> = BTreeMap::new();
    for r in rows {
        let Some(sc) = cards.get(r.scorecard.as_str()) else {
            continue;
        };
        for c in &r.failing {
            let level = sc
                .checks
                .iter()
                .find(|k| &k.id == c)
                .map_or(String::new(), |k| k.level.clone());
            let fix = by_check
                .entry((r.scorecard.as_str(), c.as_str()))
                .or_insert_with(|| Fix {
                    scorecard: r.scorecard.clone(),
                    check: c.clone(),
                    level,
                    entities: Vec::new(),
                    unlocks: 0,
                    blocks_next: 0,
                });
            fix.entities.push(r.entity.clone());
            if r.to_next.contains(c) {
                fix.blocks_next += 1;
                if r.to_next.len() == 1 {
                    fix.unlocks += 1;
                }
            }
        }
    }
    let mut out: Vec<Fix> = by_check.into_values().collect();
    for f in &mut out {
        f.entities.sort();
    }
    out.sort_by(|a, b| {
        let level = |f: &Fix| {
            cards
                .get(f.scorecard.as_str())
                .map_or(usize::MAX, |sc| rank(sc, &f.level))
        };
        b.unlocks
            .cmp(&a.unlocks)
            .then(b.blocks_next.cmp(&a.blocks_next))
            .then(level(a).cmp(&level(b)))
            .then(b.entities.len().cmp(&a.entities.len()))
            .then_with(|| (&a.scorecard, &a.check).cmp(&(&b.scorecard, &b.check)))
    });
    out
}
