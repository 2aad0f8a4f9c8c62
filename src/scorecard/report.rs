//! How the scorecards appear in `portolan check`'s reports: a level summary
//! in the human format, a levels table in the Markdown summary, and the full
//! standings in JSON. It lives with the scorecards so that the diagnostics
//! renderers import no stage.

use super::{Scorecards, Standing, eval::Outcome, model::Scorecard, waivers::Waiver};
use crate::diagnostics::render::markdown::{cell, code, text};
use crate::diagnostics::render::{Section, plural};
use crate::escape::terminal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Entity rows in the Markdown table beyond this are summarised: a PR
/// comment has a size limit.
const MAX_ROWS: usize = 200;

/// Failing checks named per scorecard in the human summary: enough to say
/// where to start, few enough that the output fits on a screen.
const TOP_CHECKS: usize = 5;

#[derive(Serialize)]
struct Json<'a> {
    scorecards: &'a [Scorecard],
    standings: &'a [Standing],
    waivers: &'a [Waiver],
}

impl Section for Scorecards {
    fn human(&self, details: bool) -> String {
        human_summary(self, if details { 0 } else { TOP_CHECKS })
    }

    fn markdown(&self) -> String {
        levels_table(self)
    }

    fn json(&self) -> Box<dyn erased_serde::Serialize + '_> {
        Box::new(Json {
            scorecards: &self.scorecards,
            standings: &self.standings,
            waivers: &self.waivers,
        })
    }
}

/// One line per scorecard: how many entities reached each level; then, up
/// to `top` of its checks that fail most, with how many entities fail them.
fn human_summary(sc: &Scorecards, top: usize) -> String {
    let mut out = String::new();
    for card in &sc.scorecards {
        let standings: Vec<_> = sc
            .standings
            .iter()
            .filter(|s| s.scorecard == card.id)
            .collect();
        if standings.is_empty() {
            continue;
        }
        let mut parts = Vec::new();
        let none = standings.iter().filter(|s| s.level.is_none()).count();
        // A scorecard without levels is refused when its METADATA is read.
        if let Some(lowest) = card.levels.first().filter(|_| none > 0) {
            parts.push(format!("{none} below {}", terminal(lowest)));
        }
        for l in &card.levels {
            let n = standings
                .iter()
                .filter(|s| s.level.as_deref() == Some(l))
                .count();
            if n > 0 {
                parts.push(format!("{n} {}", terminal(l)));
            }
        }
        out.push_str(&format!(
            "scorecard {}: {} entities: {}\n",
            terminal(&card.title),
            standings.len(),
            parts.join(", ")
        ));
        out.push_str(&most_failed(card, &standings, top));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// "  12 entities fail `repository` (bronze): Has a repository link", for the
/// `top` checks with the most failing entities (ties by check order).
/// Waived failures are not counted: a waiver is a decision, not a to-do.
fn most_failed(card: &Scorecard, standings: &[&Standing], top: usize) -> String {
    // A standing's results are in the scorecard's check order.
    let mut counts = vec![0usize; card.checks.len()];
    for s in standings {
        for (i, c) in s.checks.iter().enumerate() {
            if matches!(c.outcome, Outcome::Fail { .. })
                && let Some(n) = counts.get_mut(i)
            {
                *n += 1;
            }
        }
    }
    let mut failing: Vec<(usize, usize)> = counts
        .into_iter()
        .enumerate()
        .map(|(i, n)| (n, i))
        .filter(|(n, _)| *n > 0)
        .collect();
    failing.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out = String::new();
    for (n, i) in failing.iter().take(top) {
        let check = &card.checks[*i];
        let _ = writeln!(
            out,
            "  {} {} `{}` ({}): {}",
            plural(*n, "entity"),
            if *n == 1 { "fails" } else { "fail" },
            terminal(&check.id),
            terminal(&check.level),
            terminal(check.title.trim())
        );
    }
    if failing.len() > top && top > 0 {
        let _ = writeln!(out, "  …and {} more failing checks", failing.len() - top);
    }
    out
}

/// One row per entity, one column per scorecard: level and score.
fn levels_table(sc: &Scorecards) -> String {
    if sc.standings.is_empty() {
        return String::new();
    }
    let mut rows: BTreeMap<String, BTreeMap<&str, String>> = BTreeMap::new();
    for s in &sc.standings {
        let cell = format!(
            "{} ({:.0}%)",
            s.level.as_deref().map_or_else(|| "—".to_owned(), text),
            s.score
        );
        rows.entry(s.entity.to_string())
            .or_default()
            .insert(s.scorecard.as_str(), cell);
    }
    let cards: Vec<_> = sc
        .scorecards
        .iter()
        .filter(|c| sc.standings.iter().any(|s| s.scorecard == c.id))
        .collect();
    let mut out = String::from("### Scorecard levels\n\n| Entity |");
    for c in &cards {
        let _ = write!(out, " {} |", cell(&c.title));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(cards.len()));
    out.push('\n');
    for (entity, cells) in rows.iter().take(MAX_ROWS) {
        let _ = write!(out, "| {} |", code(entity));
        for c in &cards {
            let _ = write!(
                out,
                " {} |",
                cells.get(c.id.as_str()).map_or("", String::as_str)
            );
        }
        out.push('\n');
    }
    if rows.len() > MAX_ROWS {
        let _ = writeln!(out, "\n…and {} more entities.", rows.len() - MAX_ROWS);
    }
    out.push('\n');
    out
}
