//! Which past commits the score history shows.
//!
//! Boundaries count back from the built commit's committer time in whole
//! intervals; each boundary takes the last commit at or before it on the
//! first-parent chain (the branch's own history: a merged feature branch
//! shows up as its merge commit). Times are the commits'; the clock is
//! never read, so the same commit always yields the same samples.

use crate::date::Date;
use crate::scorecard::trend::Sample;
use git2::{Oid, Repository};

const DAY: i64 = 86_400;

/// Up to `samples` samples, oldest first, the last one being `start`.
/// Fewer when history is shorter than `samples` intervals.
pub fn pick(repo: &Repository, start: Oid, samples: u64, interval_days: u64) -> Vec<Sample> {
    let Ok(mut current) = repo.find_commit(start) else {
        return Vec::new();
    };
    let top = current.time().seconds();
    let step = i64::try_from(interval_days)
        .unwrap_or(i64::MAX / DAY)
        .saturating_mul(DAY);
    let mut out = Vec::new();
    for k in 0..samples {
        let boundary = top.saturating_sub(step.saturating_mul(i64::try_from(k).unwrap_or(0)));
        // First-parent times are not always monotonic (rebases, clock
        // skew): the first commit down the chain at or before the
        // boundary is the one the branch held then.
        while current.time().seconds() > boundary {
            match current.parent(0) {
                Ok(p) => current = p,
                Err(_) => return finish(out),
            }
        }
        out.push(Sample {
            boundary: Date(boundary.div_euclid(DAY)),
            commit: current.id().to_string(),
            date: Date(current.time().seconds().div_euclid(DAY)),
        });
    }
    finish(out)
}

fn finish(mut out: Vec<Sample>) -> Vec<Sample> {
    out.reverse();
    out
}
