//! How far an initiative has come: which covered entities are done, what
//! is left on each (by owner), per team, and over time.
//!
//! Computed once per run in the scorecard stage, so the portal, `check` and
//! `portolan report` all read the same numbers.

use super::{Asked, Initiative};
use crate::catalog::Catalog;
use crate::catalog::model::{EntityRef, RelationType};
use crate::date::Date;
use crate::scorecard::Standing;
use crate::scorecard::eval::Outcome;
use crate::scorecard::model::Scorecard;
use crate::scorecard::trend::{Point, Series};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// An initiative with its progress on the run's standings.
#[derive(Clone, Debug, Serialize)]
pub struct Tracked {
    #[serde(flatten)]
    pub initiative: Initiative,
    pub progress: Progress,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Progress {
    /// Entities covered (the selector matches and a scorecard it asks
    /// about applies to them).
    pub total: usize,
    pub done: usize,
    /// Days from the run's `today` to the deadline; negative once past.
    pub days_left: i64,
    /// Whether the deadline has passed, so its checks are required.
    pub enforced: bool,
    /// Every covered entity not done yet: by owner, then by ref.
    pub left: Vec<Left>,
    /// Per owning team (direct owner), sorted by ref; `None` is unowned.
    pub teams: Vec<TeamProgress>,
    /// The covered entities that are done, sorted (for the burndown).
    #[serde(skip)]
    pub finished: Vec<EntityRef>,
}

/// A covered entity that still fails some of the asked checks.
#[derive(Clone, Debug, Serialize)]
pub struct Left {
    pub entity: EntityRef,
    pub owner: Option<EntityRef>,
    /// The asked checks it does not pass (failing, in error, or not judged).
    pub missing: Vec<Asked>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TeamProgress {
    pub team: Option<EntityRef>,
    pub done: usize,
    pub total: usize,
}

impl Progress {
    pub fn percent(&self) -> u32 {
        if self.total == 0 {
            100
        } else {
            ((self.done as f64 * 100.0) / self.total as f64).round() as u32
        }
    }
}

/// The direct owner of an entity.
pub fn owner_of<'c>(catalog: &'c Catalog, r: &EntityRef) -> Option<&'c EntityRef> {
    catalog
        .relations_of(r)
        .find(|rel| rel.kind == RelationType::OwnedBy)
        .map(|rel| &rel.target)
}

/// A team and every team below it (`parentOf`, transitively), sorted; a
/// cycle in the hierarchy ends where it repeats.
pub fn team_and_subteams<'c>(catalog: &'c Catalog, team: &'c EntityRef) -> BTreeSet<&'c EntityRef> {
    let mut seen = BTreeSet::from([team]);
    let mut todo = vec![team];
    while let Some(t) = todo.pop() {
        for rel in catalog.relations_of(t) {
            if rel.kind == RelationType::ParentOf && seen.insert(&rel.target) {
                todo.push(&rel.target);
            }
        }
    }
    seen
}

/// Progress of every initiative on `standings`, judged on `today`.
pub fn track(
    initiatives: Vec<Initiative>,
    catalog: &Catalog,
    standings: &[Standing],
    today: Date,
) -> Vec<Tracked> {
    let mut by_entity: BTreeMap<&EntityRef, Vec<&Standing>> = BTreeMap::new();
    for s in standings {
        by_entity.entry(&s.entity).or_default().push(s);
    }
    initiatives
        .into_iter()
        .map(|initiative| {
            let progress = progress(&initiative, catalog, &by_entity, today);
            Tracked {
                initiative,
                progress,
            }
        })
        .collect()
}

fn progress(
    i: &Initiative,
    catalog: &Catalog,
    by_entity: &BTreeMap<&EntityRef, Vec<&Standing>>,
    today: Date,
) -> Progress {
    let mut left = Vec::new();
    let mut teams: BTreeMap<Option<&EntityRef>, (usize, usize)> = BTreeMap::new();
    let (mut total, mut done) = (0, 0);
    let mut finished = Vec::new();
    for (r, standings) in by_entity {
        let Some(e) = catalog.get(r) else { continue };
        if !i.covers(e) {
            continue;
        }
        let mut asked_any = false;
        let mut missing = Vec::new();
        for s in standings {
            for c in &s.checks {
                if !i.asks_for(&s.scorecard, &c.id) {
                    continue;
                }
                asked_any = true;
                // A check that could not be judged (it needs git history
                // the run lacks) is not done either.
                if matches!(
                    c.outcome,
                    Outcome::Fail { .. } | Outcome::Error { .. } | Outcome::NotJudged { .. }
                ) {
                    missing.push(Asked {
                        scorecard: s.scorecard.clone(),
                        check: c.id.clone(),
                    });
                }
            }
        }
        if !asked_any {
            continue;
        }
        let owner = owner_of(catalog, r);
        let t = teams.entry(owner).or_default();
        total += 1;
        t.1 += 1;
        if missing.is_empty() {
            done += 1;
            t.0 += 1;
            finished.push((*r).clone());
        } else {
            missing.sort();
            left.push(Left {
                entity: (*r).clone(),
                owner: owner.cloned(),
                missing,
            });
        }
    }
    left.sort_by(|a, b| (&a.owner, &a.entity).cmp(&(&b.owner, &b.entity)));
    Progress {
        total,
        done,
        days_left: i.days_left(today),
        enforced: today >= i.enforce_from(),
        left,
        teams: teams
            .into_iter()
            .map(|(team, (done, total))| TeamProgress {
                team: team.cloned(),
                done,
                total,
            })
            .collect(),
        finished,
    }
}

/// One point of a burndown: how many covered entities were done then.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BurnPoint {
    #[serde(serialize_with = "as_text")]
    pub date: Date,
    pub done: usize,
    pub total: usize,
}

fn as_text<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

/// Why an initiative has no burndown from history, or its points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "from", rename_all = "lowercase")]
pub enum Burndown {
    /// From the score history: one point per sample since the start.
    History { points: Vec<BurnPoint> },
    /// Today's numbers only, with the reason.
    Snapshot { note: String },
}

/// The burndown of `t` from the score history `series`. The history keeps
/// each entity's level per scorecard, not single checks, so it can tell
/// "done" only for an initiative that asks for levels; one that names
/// checks gets today's snapshot and says why. Entities are the ones
/// covered today.
pub fn burndown(t: &Tracked, series: Option<&Series>, cards: &[Scorecard]) -> Burndown {
    let Some(series) = series else {
        return Burndown::Snapshot {
            note: "no score history in this build, so only today's numbers are shown".into(),
        };
    };
    let mut levels: Vec<(&Scorecard, usize)> = Vec::new();
    for ask in &t.initiative.asks {
        match ask {
            super::Ask::Level { scorecard, level } => {
                let Some(sc) = cards.iter().find(|c| &c.id == scorecard) else {
                    continue;
                };
                if let Some(rank) = sc.levels.iter().position(|l| l == level) {
                    levels.push((sc, rank));
                }
            }
            super::Ask::Check { .. } => {
                return Burndown::Snapshot {
                    note: "the score history keeps levels, not single checks, so an initiative that names checks shows today's numbers only".into(),
                };
            }
        }
    }
    let covered: Vec<String> = covered_refs(t);
    let mut points = Vec::new();
    for (n, sample) in series.samples.iter().enumerate() {
        if sample.boundary < t.initiative.start && n + 1 < series.samples.len() {
            continue;
        }
        let mut done = 0;
        let mut total = 0;
        for r in &covered {
            let Some(cards_of) = series.points.get(r) else {
                continue;
            };
            let mut scored = false;
            let mut ok = true;
            for (sc, rank) in &levels {
                match cards_of.get(&sc.id).and_then(|p| p.get(n)) {
                    Some(Point::Level(l)) => {
                        scored = true;
                        ok &= sc
                            .levels
                            .iter()
                            .position(|x| x == l)
                            .is_some_and(|x| x >= *rank);
                    }
                    Some(Point::Below) => {
                        scored = true;
                        ok = false;
                    }
                    _ => {}
                }
            }
            if scored {
                total += 1;
                done += usize::from(ok);
            }
        }
        points.push(BurnPoint {
            date: sample.boundary,
            done,
            total,
        });
    }
    Burndown::History { points }
}

/// Every entity the progress counted, done or not, as ref strings (the
/// history's keys).
fn covered_refs(t: &Tracked) -> Vec<String> {
    t.progress
        .left
        .iter()
        .map(|l| &l.entity)
        .chain(&t.progress.finished)
        .map(EntityRef::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorecard::initiative::{Ask, Initiative};
    use crate::scorecard::model::{Enforcement, Selector};
    use crate::scorecard::trend::Sample;

    fn card() -> Scorecard {
        Scorecard {
            id: "pr".into(),
            package: "p.pr".into(),
            title: "PR".into(),
            description: String::new(),
            levels: vec!["bronze".into(), "silver".into(), "gold".into()],
            applies_to: Selector::default(),
            enforcement: Enforcement::Advisory,
            file: "p.rego".into(),
            id_pos: Default::default(),
            checks: Vec::new(),
        }
    }

    fn tracked(asks: Vec<Ask>, finished: &[&str], left: &[&str]) -> Tracked {
        let r = |n: &&str| EntityRef::new("component", "default", n);
        Tracked {
            initiative: Initiative {
                id: "i".into(),
                title: "I".into(),
                description: String::new(),
                owner: None,
                asks,
                checks: Vec::new(),
                applies_to: Selector::default(),
                start: Date::parse("2026-02-01").unwrap(),
                deadline: Date::parse("2026-06-30").unwrap(),
                discussion: None,
                file: "initiatives/i.yaml".into(),
                line: 1,
            },
            progress: Progress {
                finished: finished.iter().map(r).collect(),
                left: left
                    .iter()
                    .map(|n| Left {
                        entity: r(n),
                        owner: None,
                        missing: Vec::new(),
                    })
                    .collect(),
                ..Progress::default()
            },
        }
    }

    #[test]
    fn a_level_initiative_burns_down_from_the_history_since_its_start() {
        let day = |s: &str| Date::parse(s).unwrap();
        let sample = |d: &str| Sample {
            boundary: day(d),
            commit: "c".into(),
            date: day(d),
        };
        let lvl = |s: &str| Point::Level(s.into());
        let mut points = BTreeMap::new();
        points.insert(
            "component:default/a".to_owned(),
            BTreeMap::from([(
                "pr".to_owned(),
                vec![Point::Below, lvl("bronze"), lvl("silver"), lvl("gold")],
            )]),
        );
        points.insert(
            "component:default/b".to_owned(),
            BTreeMap::from([(
                "pr".to_owned(),
                vec![Point::Absent, Point::Absent, Point::Below, lvl("bronze")],
            )]),
        );
        let series = Series {
            interval_days: 7,
            samples: vec![
                sample("2026-01-01"),
                sample("2026-02-01"),
                sample("2026-03-01"),
                sample("2026-04-01"),
            ],
            points,
        };
        let asks = vec![Ask::Level {
            scorecard: "pr".into(),
            level: "silver".into(),
        }];
        let t = tracked(asks, &["a"], &["b"]);
        let Burndown::History { points } = burndown(&t, Some(&series), &[card()]) else {
            panic!("history expected");
        };
        // The sample before the start is left out; `b` counts from when it is scored.
        let got: Vec<(String, usize, usize)> = points
            .iter()
            .map(|p| (p.date.to_string(), p.done, p.total))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-02-01".into(), 0, 1),
                ("2026-03-01".into(), 1, 2),
                ("2026-04-01".into(), 1, 2)
            ]
        );
        // Without history, or for named checks, today's snapshot with a reason.
        assert!(matches!(
            burndown(&t, None, &[card()]),
            Burndown::Snapshot { .. }
        ));
        let checks = tracked(
            vec![Ask::Check {
                scorecard: "pr".into(),
                check: "x".into(),
            }],
            &[],
            &[],
        );
        let Burndown::Snapshot { note } = burndown(&checks, Some(&series), &[card()]) else {
            panic!("snapshot expected");
        };
        assert!(note.contains("levels, not single checks"));
    }
}
