//! `portolan report`: one initiative's or one team's scorecard progress,
//! as Markdown for a chat channel or JSON, from a scheduled CI job
//! (docs/ci/report.yml). It reads the same run as `check`, so its numbers
//! are the portal's.

use super::print;
use portolan::catalog::model::{EntityRef, KnownKind};
use portolan::pipeline::{self, Options};
use portolan::scorecard::progress_report as report;
use portolan::scorecard::team;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// Markdown for a chat message, an issue or $GITHUB_STEP_SUMMARY.
    Markdown,
    /// A versioned JSON document with everything (nothing capped).
    Json,
}

/// What to report on.
pub enum Subject {
    Team(String),
    Initiative(String),
}

pub fn run(root: PathBuf, subject: Subject, format: Format, options: Options) -> ExitCode {
    let source = match super::open(&root, None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let checked = pipeline::run(&*source, &root, options);
    let cards = &checked.scorecards;
    let catalog = &checked.loaded.catalog;
    let base = checked.loaded.config.site.base_url.as_deref();
    let today = options.today.to_string();
    let text = match subject {
        Subject::Initiative(id) => {
            let Some(t) = cards.initiatives.iter().find(|t| t.initiative.id == id) else {
                let known: Vec<&str> = cards
                    .initiatives
                    .iter()
                    .map(|t| t.initiative.id.as_str())
                    .collect();
                eprintln!(
                    "error: no initiative `{}` in {}/initiatives/ (found: {})",
                    id.escape_debug(),
                    root.display(),
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                );
                return ExitCode::from(2);
            };
            match format {
                Format::Markdown => report::initiative_markdown(t, cards, base, options.today),
                Format::Json => json(&report::Json {
                    version: 1,
                    today,
                    body: &report::InitiativeJson { initiative: t },
                }),
            }
        }
        Subject::Team(text) => {
            let team = match EntityRef::parse(&text, Some(KnownKind::Group), "default") {
                Ok(r)
                    if catalog.get(&r).is_some() && matches!(r.kind.as_str(), "group" | "user") =>
                {
                    r
                }
                Ok(r) => {
                    eprintln!("error: `{r}` is not a group or user in the catalog");
                    return ExitCode::from(2);
                }
                Err(e) => {
                    eprintln!(
                        "error: invalid team reference `{}`: {e}",
                        text.escape_debug()
                    );
                    return ExitCode::from(2);
                }
            };
            let view = team::view(catalog, cards, &team);
            let tracked = report::initiatives_of(cards, &view);
            match format {
                Format::Markdown => {
                    report::team_markdown(&view, cards, &tracked, base, options.today)
                }
                Format::Json => json(&report::Json {
                    version: 1,
                    today,
                    body: &report::TeamJson {
                        initiatives: tracked
                            .iter()
                            .map(|t| {
                                let (done, total) = report::team_share(t, &view);
                                report::TeamInitiative {
                                    id: &t.initiative.id,
                                    title: &t.initiative.title,
                                    deadline: t.initiative.deadline.to_string(),
                                    days_left: t.initiative.days_left(options.today),
                                    done,
                                    total,
                                }
                            })
                            .collect(),
                        team: &view,
                    },
                }),
            }
        }
    };
    if print(&text) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

fn json<T: serde::Serialize>(doc: &T) -> String {
    serde_json::to_string_pretty(doc).unwrap_or_default() + "\n"
}
