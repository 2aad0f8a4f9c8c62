//! `portolan report`: an initiative's or a team's progress as Markdown
//! (for a chat channel or an issue, from a scheduled CI job) or JSON.
//!
//! Everything from the catalog is escaped with the Markdown renderer's
//! escapers, so an entity name or a remediation text cannot add links,
//! mentions of HTML or formatting to the post.

use super::Scorecards;
use super::initiative::progress::Tracked;
use super::team::TeamView;
use crate::catalog::model::EntityRef;
use crate::date::Date;
use crate::diagnostics::render::markdown::{cell, code, text};
use serde::Serialize;
use std::fmt::Write;

/// Lines of "what is left" in a Markdown report; the JSON has them all.
pub const MAX_LINES: usize = 50;

/// A portal link: `base` is `[site] base_url` (with a trailing `/`).
fn portal(base: Option<&str>, path: &str) -> Option<String> {
    base.map(|b| format!("{}/{}", b.trim_end_matches('/'), path))
}

fn title_of(cards: &Scorecards, scorecard: &str, check: &str) -> (String, String) {
    cards
        .scorecards
        .iter()
        .find(|s| s.id == scorecard)
        .and_then(|s| s.checks.iter().find(|c| c.id == check))
        .map_or_else(
            || (check.to_owned(), String::new()),
            |c| (c.title.clone(), c.remediation.trim().to_owned()),
        )
}

fn days(n: i64) -> String {
    match n {
        0 => "due today".into(),
        1 => "1 day left".into(),
        n if n > 1 => format!("{n} days left"),
        -1 => "1 day overdue".into(),
        n => format!("{} days overdue", -n),
    }
}

fn team_name(t: Option<&EntityRef>) -> String {
    t.map_or_else(|| "(no owner)".to_owned(), |r| r.name.clone())
}

/// The Markdown report of one initiative.
pub fn initiative_markdown(
    t: &Tracked,
    cards: &Scorecards,
    base_url: Option<&str>,
    today: Date,
) -> String {
    let (i, p) = (&t.initiative, &t.progress);
    let mut out = String::new();
    let _ = writeln!(out, "## Initiative: {}\n", text(&i.title));
    let _ = writeln!(
        out,
        "**{} of {} done ({}%)** · deadline {} ({}){}",
        p.done,
        p.total,
        p.percent(),
        i.deadline,
        days(i.days_left(today)),
        i.owner
            .as_ref()
            .map(|o| format!(" · owner {}", code(&o.to_string())))
            .unwrap_or_default()
    );
    if p.enforced {
        let _ = writeln!(
            out,
            "\nThe deadline has passed: these checks are now **required** on every entity the initiative covers, so `portolan check` fails on the entities below."
        );
    }
    let asks: Vec<String> = i
        .asks
        .iter()
        .map(|a| match a {
            super::initiative::Ask::Check { scorecard, check } => {
                code(&format!("{scorecard}/{check}"))
            }
            super::initiative::Ask::Level { scorecard, level } => {
                format!("level {} of {}", code(level), code(scorecard))
            }
        })
        .collect();
    let _ = writeln!(out, "\nAsks for: {}", asks.join(", "));
    let mut links = Vec::new();
    if let Some(u) = portal(base_url, &format!("initiatives/{}/", i.id)) {
        links.push(format!("[progress in the portal](<{u}>)"));
    }
    if let Some(u) = &i.discussion {
        links.push(format!("[discussion](<{u}>)"));
    }
    if !links.is_empty() {
        let _ = writeln!(out, "\n{}", links.join(" · "));
    }
    if !p.teams.is_empty() {
        let _ = writeln!(out, "\n| Team | Done | Left |\n|---|---:|---:|");
        for team in &p.teams {
            let _ = writeln!(
                out,
                "| {} | {}/{} | {} |",
                text(&team_name(team.team.as_ref())),
                team.done,
                team.total,
                team.total - team.done
            );
        }
    }
    if !p.left.is_empty() {
        let _ = writeln!(out, "\n### Left to do\n");
        for l in p.left.iter().take(MAX_LINES) {
            let missing: Vec<String> = l.missing.iter().map(|m| code(&m.check)).collect();
            let _ = writeln!(
                out,
                "- {} ({}): {}",
                code(&l.entity.to_string()),
                text(&team_name(l.owner.as_ref())),
                missing.join(", ")
            );
        }
        if p.left.len() > MAX_LINES {
            let _ = writeln!(
                out,
                "- and {} more (`portolan report --initiative {} --format json` lists them all)",
                p.left.len() - MAX_LINES,
                i.id
            );
        }
        let _ = writeln!(out, "\n### How to fix\n");
        let mut asked: Vec<&super::initiative::Asked> =
            p.left.iter().flat_map(|l| &l.missing).collect();
        asked.sort();
        asked.dedup();
        for a in asked {
            let (title, fix) = title_of(cards, &a.scorecard, &a.check);
            let _ = writeln!(
                out,
                "- {} ({}): {}",
                code(&a.check),
                text(&title),
                cell(&fix)
            );
        }
    } else if p.total > 0 {
        let _ = writeln!(out, "\nEverything this initiative covers is done.");
    }
    out
}

/// The Markdown report of one team (and its sub-teams).
pub fn team_markdown(
    view: &TeamView,
    cards: &Scorecards,
    tracked: &[&Tracked],
    base_url: Option<&str>,
    today: Date,
) -> String {
    let mut out = String::new();
    let subteams = view.teams.len().saturating_sub(1);
    let _ = writeln!(
        out,
        "## Team report: {}{}\n",
        text(&view.team.name),
        if subteams > 0 {
            format!(
                " (with {subteams} sub-team{})",
                if subteams == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        }
    );
    let failing = view.fixes.iter().map(|f| f.entities.len()).sum::<usize>();
    let _ = writeln!(
        out,
        "{} scored entities · {} failing check results",
        view.entities, failing
    );
    if let Some(u) = portal(
        base_url,
        &format!(
            "catalog/{}/{}/{}/#team-scorecards",
            crate::escape::segment(&view.team.namespace),
            crate::escape::segment(&view.team.kind),
            crate::escape::segment(&view.team.name)
        ),
    ) {
        let _ = writeln!(out, "\n[the team's scorecards in the portal](<{u}>)");
    }
    if !view.fixes.is_empty() {
        let _ = writeln!(
            out,
            "\n### What to fix first\n\n| Check | Level | Failing | Lifts a level alone | How to fix |\n|---|---|---:|---:|---|"
        );
        for f in view.fixes.iter().take(MAX_LINES) {
            let (title, fix) = title_of(cards, &f.scorecard, &f.check);
            let _ = writeln!(
                out,
                "| {} {} | {} | {} | {} | {} |",
                code(&format!("{}/{}", f.scorecard, f.check)),
                text(&title),
                text(&f.level),
                f.entities.len(),
                f.unlocks,
                cell(&fix)
            );
        }
    }
    let close: Vec<_> = view
        .rows
        .iter()
        .filter(|r| r.next.is_some() && !r.to_next.is_empty())
        .take(10)
        .collect();
    if !close.is_empty() {
        let _ = writeln!(out, "\n### Closest to the next level\n");
        for r in close {
            let checks: Vec<String> = r.to_next.iter().map(|c| code(c)).collect();
            let _ = writeln!(
                out,
                "- {} on {}: {} check{} to {} ({})",
                code(&r.entity.to_string()),
                code(&r.scorecard),
                r.to_next.len(),
                if r.to_next.len() == 1 { "" } else { "s" },
                text(r.next.as_deref().unwrap_or_default()),
                checks.join(", ")
            );
        }
    }
    if !tracked.is_empty() {
        let _ = writeln!(out, "\n### Initiatives\n");
        for t in tracked {
            let (done, total) = team_share(t, view);
            let _ = writeln!(
                out,
                "- {}: {done}/{total} of this team's entities done · deadline {} ({})",
                text(&t.initiative.title),
                t.initiative.deadline,
                days(t.initiative.days_left(today))
            );
        }
    }
    out
}

/// How many of the team's (and sub-teams') covered entities are done.
pub fn team_share(t: &Tracked, view: &TeamView) -> (usize, usize) {
    t.progress
        .teams
        .iter()
        .filter(|p| p.team.as_ref().is_some_and(|r| view.teams.contains(r)))
        .fold((0, 0), |(d, n), p| (d + p.done, n + p.total))
}

/// The initiatives that concern a team: those covering any of its entities.
pub fn initiatives_of<'a>(cards: &'a Scorecards, view: &TeamView) -> Vec<&'a Tracked> {
    cards
        .initiatives
        .iter()
        .filter(|t| team_share(t, view).1 > 0)
        .collect()
}

/// The JSON report: versioned like `check --format json`.
#[derive(Serialize)]
pub struct Json<'a, T: Serialize> {
    pub version: u32,
    pub today: String,
    #[serde(flatten)]
    pub body: &'a T,
}

#[derive(Serialize)]
pub struct TeamJson<'a> {
    pub team: &'a TeamView,
    pub initiatives: Vec<TeamInitiative<'a>>,
}

#[derive(Serialize)]
pub struct TeamInitiative<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub deadline: String,
    pub days_left: i64,
    pub done: usize,
    pub total: usize,
}

#[derive(Serialize)]
pub struct InitiativeJson<'a> {
    pub initiative: &'a Tracked,
}
