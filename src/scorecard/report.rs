//! How the scorecards appear in `portolan check`'s reports: a level summary
//! in the human format, a levels table in the Markdown summary, and the full
//! standings in JSON. It lives with the scorecards so that the diagnostics
//! renderers import no stage.

use super::{Scorecards, Standing, model::Scorecard, waivers::Waiver};
use crate::diagnostics::render::{Section, markdown::cell};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Entity rows in the Markdown table beyond this are summarised: a PR
/// comment has a size limit.
const MAX_ROWS: usize = 200;

#[derive(Serialize)]
struct Json<'a> {
    scorecards: &'a [Scorecard],
    standings: &'a [Standing],
    waivers: &'a [Waiver],
}

impl Section for Scorecards {
    fn human(&self) -> String {
        human_summary(self)
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

/// One line per scorecard: how many entities reached each level.
fn human_summary(sc: &Scorecards) -> String {
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
        if none > 0 {
            parts.push(format!("{none} below {}", card.levels[0]));
        }
        for l in &card.levels {
            let n = standings
                .iter()
                .filter(|s| s.level.as_deref() == Some(l))
                .count();
            if n > 0 {
                parts.push(format!("{n} {l}"));
            }
        }
        out.push_str(&format!(
            "scorecard {}: {} entities: {}\n",
            card.title,
            standings.len(),
            parts.join(", ")
        ));
    }
    if !out.is_empty() {
        out.push('\n');
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
        let cell = format!("{} ({:.0}%)", s.level.as_deref().unwrap_or("—"), s.score);
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
        let _ = write!(out, "| `{}` |", cell(entity));
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
