//! Score history for `portolan build`: the scorecards evaluated at sampled
//! past commits of the catalog's repository.
//!
//! [`sample::pick`] chooses the commits (one per `[history] interval_days`
//! on the first-parent chain, counting back from the built commit). Each
//! is read as a git tree (no checkout) and run through the whole pipeline
//! with its own commit date as "today", so waivers, staged enforcement and
//! age checks are judged as they were then. Results are cached per commit
//! ([`cache`]), so a rebuild with a warm cache reads small JSON files
//! instead of evaluating anything.
//!
//! This sits above the pipeline (it runs it) and below the site (which
//! draws the trends from [`Trends`]).

pub mod cache;
pub mod sample;

use crate::config;
use crate::date::Date;
use crate::diagnostics::{Code, Diagnostic};
use crate::pipeline::{self, Options};
use crate::scorecard::trend::{Point, Series, Stats, Trends};
use crate::source::GitTree;
use git2::{Oid, Repository};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where the cache lives.
#[derive(Clone, Debug)]
pub enum CacheDir {
    /// `[history] cache_dir`, relative to ROOT (already checked by config).
    InRoot(String),
    /// `--history-cache DIR`, anywhere.
    Given(PathBuf),
}

/// What to compute.
pub struct Request<'a> {
    pub root: &'a Path,
    /// The built commit (`--rev`), or `None` for HEAD.
    pub at: Option<Oid>,
    pub settings: &'a config::History,
    pub cache: CacheDir,
}

/// The history, the problems met (E0601) and what it cost.
#[derive(Debug, Default)]
pub struct Collected {
    pub trends: Trends,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: Stats,
}

/// Why there is no history outside a repository.
pub const NO_REPOSITORY: &str = "the catalog is not in a git repository";
/// Why there is no history in a shallow clone.
pub const SHALLOW: &str = "the repository is a shallow clone, so its past commits are not there (fetch the whole history: `fetch-depth: 0` with actions/checkout)";

/// Computes the score history for the entities and scorecards the current
/// build has (`current`: entity ref → scorecard ids); levels of entities
/// and scorecards that no longer exist are not kept.
pub fn collect(req: &Request, current: &BTreeMap<String, BTreeSet<String>>) -> Collected {
    let mut out = Collected::default();
    if req.settings.samples == 0 {
        return out;
    }
    let unavailable = |reason: &str| Trends::Unavailable {
        reason: reason.to_owned(),
    };
    let Ok(repo) = Repository::discover(req.root) else {
        out.trends = unavailable(NO_REPOSITORY);
        return out;
    };
    if repo.is_shallow() {
        out.trends = unavailable(SHALLOW);
        return out;
    }
    let Some(prefix) = crate::facts::git::prefix(&repo, req.root) else {
        out.trends = unavailable(NO_REPOSITORY);
        return out;
    };
    let start = req.at.or_else(|| {
        repo.head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .map(|c| c.id())
    });
    let Some(start) = start else {
        out.trends = unavailable("the repository has no commits yet");
        return out;
    };
    let samples = sample::pick(
        &repo,
        start,
        req.settings.samples,
        req.settings.interval_days,
    );
    let dir = match open(req) {
        Ok(dir) => Some(dir),
        Err(why) => {
            out.diagnostics.push(
                Diagnostic::new(
                    Code::HistoryCache,
                    format!("the score history cache is not used: {why}"),
                )
                .help("point `[history] cache_dir` at a plain folder inside the catalog root, or pass `--history-cache DIR`; the history is computed without the cache"),
            );
            None
        }
    };
    let mut by_commit: BTreeMap<String, cache::Levels> = BTreeMap::new();
    for s in &samples {
        if by_commit.contains_key(&s.commit) {
            continue;
        }
        let levels = levels_at(req, &repo, &prefix, dir.as_deref(), s, &mut out);
        by_commit.insert(s.commit.clone(), levels);
    }
    out.stats.commits = by_commit.len();
    out.trends = Trends::Available(series(
        req.settings.interval_days,
        samples,
        &by_commit,
        current,
    ));
    out
}

fn open(req: &Request) -> Result<PathBuf, String> {
    match &req.cache {
        CacheDir::InRoot(rel) => cache::open_inside(req.root, rel),
        CacheDir::Given(dir) => cache::open_given(dir),
    }
}

/// The levels at one sample's commit: from the cache, or by running the
/// pipeline (and then caching them).
fn levels_at(
    req: &Request,
    repo: &Repository,
    prefix: &str,
    dir: Option<&Path>,
    s: &crate::scorecard::trend::Sample,
    out: &mut Collected,
) -> cache::Levels {
    let key = Oid::from_str(&s.commit)
        .ok()
        .and_then(|oid| cache::key(repo, oid, prefix));
    if let (Some(dir), Some(key)) = (dir, &key) {
        match cache::read(dir, &s.commit, key) {
            cache::Lookup::Hit(levels) => {
                out.stats.cached += 1;
                return levels;
            }
            cache::Lookup::Rejected => out.stats.rejected += 1,
            cache::Lookup::Miss => {}
        }
    }
    out.stats.evaluated += 1;
    let levels = evaluate(req.root, &s.commit, s.date);
    if let (Some(dir), Some(key)) = (dir, &key)
        && let Err(e) = cache::write(dir, &s.commit, key, &levels)
        && out.diagnostics.is_empty()
    {
        out.diagnostics.push(
            Diagnostic::new(
                Code::HistoryCache,
                format!("cannot write the score history cache in `{}`: {e}", dir.display()),
            )
            .help("make the cache folder writable, or pass `--history-cache DIR`; the history is computed without the cache"),
        );
    }
    levels
}

/// Runs the pipeline on the tree of `commit`, judged on `date`.
fn evaluate(root: &Path, commit: &str, date: Date) -> cache::Levels {
    let Ok(tree) = GitTree::open(root, commit) else {
        return cache::Levels::new();
    };
    let checked = pipeline::run(
        &tree,
        root,
        Options {
            scorecards: true,
            today: date,
        },
    );
    let mut levels = cache::Levels::new();
    for s in checked.scorecards.standings {
        levels
            .entry(s.entity.to_string())
            .or_default()
            .insert(s.scorecard, s.level);
    }
    levels
}

/// The points of every current entity and scorecard, one per sample.
fn series(
    interval_days: u64,
    samples: Vec<crate::scorecard::trend::Sample>,
    by_commit: &BTreeMap<String, cache::Levels>,
    current: &BTreeMap<String, BTreeSet<String>>,
) -> Series {
    let mut points: BTreeMap<String, BTreeMap<String, Vec<Point>>> = BTreeMap::new();
    for (entity, cards) in current {
        for card in cards {
            let line: Vec<Point> = samples
                .iter()
                .map(|s| {
                    match by_commit
                        .get(&s.commit)
                        .and_then(|l| l.get(entity))
                        .and_then(|c| c.get(card))
                    {
                        None => Point::Absent,
                        Some(None) => Point::Below,
                        Some(Some(level)) => Point::Level(level.clone()),
                    }
                })
                .collect();
            if line.iter().any(|p| *p != Point::Absent) {
                points
                    .entry(entity.clone())
                    .or_default()
                    .insert(card.clone(), line);
            }
        }
    }
    Series {
        interval_days,
        samples,
        points,
    }
}
