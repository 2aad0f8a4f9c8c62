//! Initiatives: a set of scorecard checks that a group of entities must
//! pass by a deadline, kept as files in git (`initiatives/<id>.yaml`).
//!
//! They are catalog input like everything else: read through the
//! [`Source`] with the same limits, parsed by the same spanned YAML reader,
//! and every problem is a diagnostic at its line. An initiative reuses the
//! scorecards' own parts: its `applies_to` is read by the scorecards'
//! selector reader ([`read_selector`]) and matched by the same
//! [`Selector::matches`], and at its deadline its checks become required
//! through the checks' staged enforcement ([`Check::enforcement_with`]).
//!
//! [`Check::enforcement_with`]: super::model::Check::enforcement_with

pub mod progress;

use super::model::{Scorecard, Selector, is_slug, read_selector};
use crate::catalog::Catalog;
use crate::catalog::model::{Entity, EntityRef, KnownKind};
use crate::catalog::yaml::{self, Budget, Node};
use crate::date::Date;
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::source::{Kind, Source};
use serde::Serialize;

/// Where initiatives live, relative to ROOT. Files directly in it are
/// initiatives, never entities (discovery leaves them out).
pub const DIR: &str = "initiatives";

/// At most this many initiative files are read; the rest are reported.
pub const MAX_INITIATIVES: usize = 200;

/// At most this many `asks` per initiative.
pub const MAX_ASKS: usize = 100;

/// The keys an initiative file may have.
const KEYS: &[&str] = &[
    "title",
    "description",
    "owner",
    "asks",
    "applies_to",
    "start",
    "deadline",
    "discussion",
];

/// One check an initiative asks for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Asked {
    pub scorecard: String,
    pub check: String,
}

/// What the file wrote in `asks`, for display: a check or a whole level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Ask {
    Check { scorecard: String, check: String },
    Level { scorecard: String, level: String },
}

#[derive(Clone, Debug, Serialize)]
pub struct Initiative {
    /// The file name without `.yaml`/`.yml`: it names the page and `--initiative`.
    pub id: String,
    pub title: String,
    pub description: String,
    pub owner: Option<EntityRef>,
    pub asks: Vec<Ask>,
    /// Every check the asks amount to (a level asks for its checks and
    /// those of the levels below), sorted and deduplicated.
    pub checks: Vec<Asked>,
    pub applies_to: Selector,
    #[serde(serialize_with = "as_text")]
    pub start: Date,
    #[serde(serialize_with = "as_text")]
    pub deadline: Date,
    /// A link to the discussion (an `http(s)` URL), when given.
    pub discussion: Option<String>,
    pub file: String,
    #[serde(skip)]
    pub line: u32,
}

fn as_text<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

impl Initiative {
    /// The first day its checks are required: the day after the deadline
    /// (the deadline is the last day to get them done).
    pub fn enforce_from(&self) -> Date {
        Date(self.deadline.0 + 1)
    }

    /// Whether it covers `e`: the selector matches. (Whether a check applies
    /// at all is the scorecard's own `applies_to`, judged by the standings.)
    pub fn covers(&self, e: &Entity) -> bool {
        self.applies_to.matches(e)
    }

    /// Whether it asks for `check` of `scorecard`.
    pub fn asks_for(&self, scorecard: &str, check: &str) -> bool {
        self.checks
            .binary_search_by(|a| (a.scorecard.as_str(), a.check.as_str()).cmp(&(scorecard, check)))
            .is_ok()
    }

    /// Days from `today` to the deadline (negative once it has passed).
    pub fn days_left(&self, today: Date) -> i64 {
        self.deadline.0 - today.0
    }
}

/// Reads every `initiatives/*.yaml` (and `.yml`), sorted by file name.
/// A broken file or entry is a diagnostic at its line; the valid
/// initiatives still count.
pub fn load(
    source: &dyn Source,
    catalog: &Catalog,
    cards: &[Scorecard],
    diags: &mut Vec<Diagnostic>,
) -> Vec<Initiative> {
    let mut files: Vec<String> = source
        .list(DIR)
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.kind == Kind::File && is_initiative_file(&e.name))
        .map(|e| e.name)
        .collect();
    files.sort();
    if files.len() > MAX_INITIATIVES {
        for name in &files[MAX_INITIATIVES..] {
            diags.push(
                Diagnostic::new(
                    Code::InitiativeInvalid,
                    format!(
                        "more than {MAX_INITIATIVES} initiative files; `{DIR}/{name}` was not read"
                    ),
                )
                .at(Span::file(format!("{DIR}/{name}")))
                .help("close finished initiatives by deleting their files (git keeps them)"),
            );
        }
        files.truncate(MAX_INITIATIVES);
    }
    let mut out: Vec<Initiative> = Vec::new();
    for name in files {
        let file = format!("{DIR}/{name}");
        if let Some(i) = read_one(source, &file, &name, catalog, cards, diags) {
            out.push(i);
        }
    }
    out
}

/// A file directly in `initiatives/` with a YAML extension: the same rule
/// catalog discovery uses to leave these files out.
pub fn is_initiative_file(name: &str) -> bool {
    crate::catalog::discover::is_initiative_path(&format!("{DIR}/{name}"))
}

struct Reader<'a> {
    file: &'a str,
    diags: &'a mut Vec<Diagnostic>,
}

impl Reader<'_> {
    fn invalid(&mut self, node: &Node, msg: String, help: &str) {
        self.diags.push(
            Diagnostic::new(Code::InitiativeInvalid, msg)
                .at(Span::at(self.file, node.pos))
                .help(help),
        );
    }

    fn unknown(&mut self, node: &Node, msg: String, help: String) {
        self.diags.push(
            Diagnostic::new(Code::InitiativeUnknownRef, msg)
                .at(Span::at(self.file, node.pos))
                .help(help),
        );
    }

    /// A required or optional non-empty string field.
    fn text(&mut self, doc: &Node, key: &str, required: bool) -> Option<String> {
        match doc.get(key) {
            None if required => {
                self.invalid(doc, format!("initiative is missing `{key}`"), HELP);
                None
            }
            None => None,
            Some(n) => match n.as_str().map(str::trim) {
                Some(s) if !s.is_empty() => Some(s.to_owned()),
                _ => {
                    self.invalid(
                        n,
                        format!(
                            "`{key}` must be a non-empty string, found {}",
                            n.type_name()
                        ),
                        "quote the value",
                    );
                    None
                }
            },
        }
    }

    fn date(&mut self, doc: &Node, key: &str) -> Option<Date> {
        let Some(n) = doc.get(key) else {
            self.invalid(doc, format!("initiative is missing `{key}`"), HELP);
            return None;
        };
        let text = n.scalar_text().unwrap_or_default();
        let d = Date::parse(&text);
        if d.is_none() {
            self.invalid(
                n,
                format!("`{key}: {}` is not a YYYY-MM-DD date", text.escape_debug()),
                "write for example `deadline: 2027-03-31`",
            );
        }
        d
    }
}

const HELP: &str = "an initiative has `title`, `owner`, `asks` (a list of `check: scorecard/check` or `level: scorecard/level`), `applies_to`, `start` and `deadline` (YYYY-MM-DD), and optionally `description` and `discussion`; see docs/initiatives.md";

fn read_one(
    source: &dyn Source,
    file: &str,
    name: &str,
    catalog: &Catalog,
    cards: &[Scorecard],
    diags: &mut Vec<Diagnostic>,
) -> Option<Initiative> {
    let text = match crate::source::read_text(source, file, crate::config::DEFAULT_MAX_FILE_BYTES) {
        Ok(t) => t,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let doc = match yaml::parse_documents(&text, Budget::default()) {
        Ok(docs) => {
            let mut docs: Vec<Node> = docs.into_iter().filter(|d| !d.is_null()).collect();
            if docs.len() > 1 {
                diags.push(
                    Diagnostic::new(
                        Code::InitiativeInvalid,
                        "an initiative file holds one YAML document; the others are ignored",
                    )
                    .at(Span::at(file, docs[1].pos))
                    .help("put each initiative in its own file under initiatives/"),
                );
            }
            if docs.is_empty() {
                diags.push(
                    Diagnostic::new(Code::InitiativeInvalid, "the initiative file is empty")
                        .at(Span::new(file, 1, 1))
                        .help(HELP),
                );
                return None;
            }
            docs.swap_remove(0)
        }
        Err(e) => {
            let code = if e.kind == yaml::YamlErrorKind::Budget {
                Code::YamlBudget
            } else {
                Code::InitiativeInvalid
            };
            diags.push(
                Diagnostic::new(code, format!("invalid YAML: {}", e.message))
                    .at(Span::new(file, e.line.max(1), e.col.max(1)))
                    .help("fix the YAML syntax; check indentation and quoting near this position"),
            );
            return None;
        }
    };
    let mut r = Reader { file, diags };
    let Some(map) = doc.as_map() else {
        r.invalid(
            &doc,
            format!("an initiative must be a mapping, found {}", doc.type_name()),
            HELP,
        );
        return None;
    };
    for (k, _) in map {
        let key = k.as_str().unwrap_or_default();
        if !KEYS.contains(&key) {
            r.invalid(
                k,
                format!("initiative has no field `{}`", key.escape_debug()),
                HELP,
            );
        }
    }
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    if !is_slug(stem) {
        r.invalid(
            &doc,
            format!("initiative file name `{}` is not a slug", name.escape_debug()),
            "name the file like `runbooks-for-production.yaml`: lowercase letters, digits and single `-`; it names the initiative's page and `portolan report --initiative`",
        );
        return None;
    }
    let title = r.text(&doc, "title", true);
    let description = r.text(&doc, "description", false).unwrap_or_default();
    let owner = r.text(&doc, "owner", true).and_then(|text| {
        let node = doc.get("owner").unwrap_or(&doc);
        match EntityRef::parse(&text, Some(KnownKind::Group), "default") {
            Ok(o) if catalog.get(&o).is_some() => Some(o),
            Ok(o) => {
                r.unknown(
                    node,
                    format!("initiative owner `{o}` is not in the catalog"),
                    "name a Group or User of the catalog, like `owner: platform-team`".into(),
                );
                None
            }
            Err(e) => {
                r.invalid(
                    node,
                    format!("invalid owner reference: {e}"),
                    "write `owner: team-name` or `owner: group:namespace/team-name`",
                );
                None
            }
        }
    });
    let discussion = r.text(&doc, "discussion", false).and_then(|u| {
        let ok = (u.starts_with("https://") || u.starts_with("http://"))
            && crate::escape::safe_url(&u).is_some();
        if !ok {
            let node = doc.get("discussion").unwrap_or(&doc);
            r.invalid(
                node,
                format!("`discussion: {}` is not an http(s) URL", u.escape_debug()),
                "link the issue, thread or document, like `https://…`",
            );
        }
        ok.then_some(u)
    });
    let start = r.date(&doc, "start");
    let deadline = r.date(&doc, "deadline");
    if let (Some(s), Some(d)) = (start, deadline)
        && d < s
    {
        let node = doc.get("deadline").unwrap_or(&doc);
        r.invalid(
            node,
            format!("deadline {d} is before the start {s}"),
            "the deadline is the last day to get the checks passing; it comes after `start`",
        );
    }
    let applies_to = match doc.get("applies_to") {
        Some(sel) => read_selector(file, Code::InitiativeInvalid, sel, r.diags),
        None => Selector::default(),
    };
    let (asks, checks) = asks(&mut r, &doc, cards);
    if asks.is_empty() {
        return None;
    }
    let (title, owner, start, deadline) = (title?, owner, start?, deadline?);
    if deadline < start {
        return None;
    }
    Some(Initiative {
        id: stem.to_owned(),
        title,
        description,
        owner,
        asks,
        checks,
        applies_to,
        start,
        deadline,
        discussion,
        file: file.to_owned(),
        line: doc.pos.line,
    })
}

/// The `asks` list, each item checked against the scorecards.
fn asks(r: &mut Reader, doc: &Node, cards: &[Scorecard]) -> (Vec<Ask>, Vec<Asked>) {
    let Some(node) = doc.get("asks") else {
        r.invalid(doc, "initiative is missing `asks`".into(), HELP);
        return (Vec::new(), Vec::new());
    };
    let Some(items) = node.as_seq().filter(|i| !i.is_empty()) else {
        r.invalid(node, "`asks` must be a non-empty list".into(), "write `asks: [{check: production-readiness/runbook-link}]` or `asks: [{level: production-readiness/silver}]`");
        return (Vec::new(), Vec::new());
    };
    if items.len() > MAX_ASKS {
        r.invalid(
            &items[MAX_ASKS],
            format!("`asks` has more than {MAX_ASKS} items; the rest are ignored"),
            "ask for a level instead of listing its checks",
        );
    }
    let (mut asks, mut checks) = (Vec::new(), Vec::new());
    for item in items.iter().take(MAX_ASKS) {
        let (key, value) = match (item.get("check"), item.get("level")) {
            (Some(v), None) => ("check", v),
            (None, Some(v)) => ("level", v),
            _ => {
                r.invalid(
                    item,
                    "each item of `asks` is `check: scorecard/check` or `level: scorecard/level`"
                        .into(),
                    HELP,
                );
                continue;
            }
        };
        if item.as_map().is_some_and(|m| m.len() > 1) {
            r.invalid(item, format!("an item of `asks` has only `{key}`"), HELP);
        }
        let text = value.as_str().unwrap_or_default();
        let Some((sc_id, what)) = text.split_once('/') else {
            r.invalid(
                value,
                format!("`{}` is not `scorecard/{key}`", text.escape_debug()),
                HELP,
            );
            continue;
        };
        let Some(sc) = cards.iter().find(|c| c.id == sc_id) else {
            let known: Vec<&str> = cards.iter().map(|c| c.id.as_str()).collect();
            r.unknown(
                value,
                format!("no scorecard has the id `{}`", sc_id.escape_debug()),
                format!("the scorecards are: {}", known.join(", ")),
            );
            continue;
        };
        if key == "check" {
            if !sc.checks.iter().any(|c| c.id == what) {
                let known: Vec<&str> = sc.checks.iter().map(|c| c.id.as_str()).collect();
                r.unknown(
                    value,
                    format!("scorecard `{sc_id}` has no check `{}`", what.escape_debug()),
                    format!("its checks are: {}", known.join(", ")),
                );
                continue;
            }
            checks.push(Asked {
                scorecard: sc.id.clone(),
                check: what.to_owned(),
            });
            asks.push(Ask::Check {
                scorecard: sc.id.clone(),
                check: what.to_owned(),
            });
        } else {
            let Some(rank) = sc.levels.iter().position(|l| l == what) else {
                r.unknown(
                    value,
                    format!("scorecard `{sc_id}` has no level `{}`", what.escape_debug()),
                    format!("its levels are: {}", sc.levels.join(", ")),
                );
                continue;
            };
            let rank_of = |l: &str| sc.levels.iter().position(|x| x == l).unwrap_or(usize::MAX);
            checks.extend(
                sc.checks
                    .iter()
                    .filter(|c| rank_of(&c.level) <= rank)
                    .map(|c| Asked {
                        scorecard: sc.id.clone(),
                        check: c.id.clone(),
                    }),
            );
            asks.push(Ask::Level {
                scorecard: sc.id.clone(),
                level: what.to_owned(),
            });
        }
    }
    checks.sort();
    checks.dedup();
    (asks, checks)
}

/// The earliest date from which an initiative requires `check` of
/// `scorecard` on `e`, if any does: what staged enforcement takes as
/// `also_from`.
pub fn required_from(
    initiatives: &[Initiative],
    e: &Entity,
    scorecard: &str,
    check: &str,
) -> Option<Date> {
    initiatives
        .iter()
        .filter(|i| i.asks_for(scorecard, check) && i.covers(e))
        .map(Initiative::enforce_from)
        .min()
}
