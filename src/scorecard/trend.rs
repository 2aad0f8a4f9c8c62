//! Score history: the levels entities reached at sampled past commits.
//!
//! This is data only. `crate::history` samples the commits and scores them
//! (it runs the whole pipeline at each, so it sits above it); the site
//! draws the trends and writes `api/history.json`.

use crate::date::Date;
use std::collections::BTreeMap;

/// One sampled commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    /// The interval boundary the sample stands for (the built commit's day
    /// minus a whole number of intervals).
    pub boundary: Date,
    /// The last first-parent commit at or before the boundary.
    pub commit: String,
    /// That commit's committer date, the "today" it was judged on.
    pub date: Date,
}

/// The level an entity reached on a scorecard at one sample.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Point {
    /// Not scored then: the entity, or the scorecard, did not exist.
    Absent,
    /// Scored, below the first level.
    Below,
    Level(String),
}

/// The score history of a build.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Series {
    /// Days between samples (`[history] interval_days`).
    pub interval_days: u64,
    /// Oldest first; the last one is the built commit.
    pub samples: Vec<Sample>,
    /// Entity ref → scorecard id → one point per sample.
    pub points: BTreeMap<String, BTreeMap<String, Vec<Point>>>,
}

/// What the portal says about score history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Trends {
    /// Not asked for (`samples = 0`, `--no-history`, `check`).
    #[default]
    Off,
    /// Asked for but impossible; the reason is shown on the pages.
    Unavailable {
        reason: String,
    },
    Available(Series),
}

impl Trends {
    pub fn series(&self) -> Option<&Series> {
        match self {
            Trends::Available(s) => Some(s),
            _ => None,
        }
    }
}

/// How a history run went, for `PORTOLAN_TIMINGS` and the tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Distinct commits sampled.
    pub commits: usize,
    /// Read from the cache.
    pub cached: usize,
    /// Scored by running the pipeline.
    pub evaluated: usize,
    /// Cache files present but unusable (corrupt, too large, for another key).
    pub rejected: usize,
}
