//! The context of an entity page: header, quick answers, links and
//! annotations, relations, scorecards, and the kind-specific parts (a
//! team's members and what it owns, a system's parts and graph).

use super::answers::{self, LinkView};
use super::graph;
use super::links::{entity_page, safe_url, url_key};
use super::model::{EntityLink, LIST_CAP, SiteModel, kind_label};
use crate::catalog::model::{Entity, EntityRef, KnownKind, RelationType as R};
use crate::catalog::relations::RELATIONS;
use crate::catalog::yaml::Node;
use crate::scorecard::eval::Outcome;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
    pub url: Option<String>,
}

#[derive(Serialize)]
pub struct Header {
    #[serde(rename = "ref")]
    pub eref: String,
    pub kind: String,
    pub kind_label: String,
    pub namespace: String,
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    /// The description as sanitized inline HTML ([`super::inline`]).
    pub description_html: Option<String>,
    #[serde(rename = "type")]
    pub spec_type: Option<String>,
    pub lifecycle: Option<String>,
    /// The owner, on pages without a quick-answers owner item (domains,
    /// templates): `spec.owner` is shown somewhere on every page.
    pub owner: Option<EntityLink>,
    pub tags: Vec<String>,
    pub labels: Vec<KeyValue>,
    pub annotations: Vec<KeyValue>,
    pub links: Vec<LinkView>,
    /// The entity file, relative to the catalog root.
    pub file: String,
    pub line: u32,
    pub edit_url: Option<String>,
    /// The entity's JSON export, relative to the site root.
    pub json: String,
    /// The last commit that changed the file, as `YYYY-MM-DD by <author>`
    /// (its commit date); `None` without git history facts.
    pub last_change: Option<String>,
}

/// A check that asks for a missing quick answer.
#[derive(Serialize)]
pub struct AskedBy {
    pub scorecard: String,
    pub scorecard_url: String,
    pub check: String,
    pub title: String,
    pub level: String,
    pub status: &'static str,
}

#[derive(Serialize)]
pub struct Answer {
    pub key: &'static str,
    pub label: &'static str,
    pub items: Vec<LinkView>,
    /// For the owner item: the owning entity.
    pub owner: Option<EntityLink>,
    pub missing: bool,
    pub asked_by: Vec<AskedBy>,
    /// Owner item only: the checks asking for a chat, on-call or email
    /// contact when none is recorded.
    pub contact_asked_by: Vec<AskedBy>,
}

#[derive(Serialize)]
pub struct RelationList {
    pub key: &'static str,
    pub label: &'static str,
    pub entities: Vec<EntityLink>,
    /// How many more exist beyond the cap (listed in the JSON export).
    pub more: usize,
}

#[derive(Serialize)]
pub struct CheckView {
    pub id: String,
    pub title: String,
    pub level: String,
    /// `pass`, `fail`, `waived` or `error`.
    pub status: &'static str,
    pub messages: Vec<String>,
    pub remediation: String,
    pub waiver: Option<WaiverView>,
}

#[derive(Serialize)]
pub struct WaiverView {
    pub reason: String,
    pub expires: String,
    pub approver: String,
}

#[derive(Serialize)]
pub struct LevelStep {
    pub name: String,
    pub reached: bool,
}

#[derive(Serialize)]
pub struct ScorecardView {
    pub id: String,
    pub title: String,
    pub url: String,
    pub level: Option<String>,
    pub levels: Vec<LevelStep>,
    pub score: u32,
    pub checks: Vec<CheckView>,
    pub failing: usize,
    /// The level at each score history sample, when there is history.
    pub trend: Option<super::trend::TrendView>,
}

#[derive(Serialize)]
pub struct Group<'a> {
    pub owned: Vec<RelationList>,
    pub owned_total: usize,
    /// The docs sites of what it owns (at most [`LIST_CAP`]).
    pub docs: Vec<super::docs::SiteList<'a>>,
    pub docs_more: usize,
    pub scorecards: Vec<super::summary::LevelSummary>,
}

#[derive(Serialize)]
pub struct EntityContext<'m> {
    pub entity: Header,
    pub answers: Vec<Answer>,
    pub relations: Vec<RelationList>,
    pub scorecards: Vec<ScorecardView>,
    /// Inline SVG (built and escaped by Portolan, so printed with `safe`).
    pub graph: Option<String>,
    /// Groups and users: what they own, grouped by kind, with a scorecard summary.
    pub owns: Option<Group<'m>>,
    /// Groups and users: what to fix first, levels, and initiatives, with
    /// sub-teams rolled up.
    pub team: Option<super::team::TeamScorecards>,
    /// The initiatives that cover this entity, with its own state.
    pub initiatives: Vec<super::team::EntityInitiative>,
    /// The entity's docs site with its pages (at most [`LIST_CAP`]).
    pub docs: Option<super::docs::SiteList<'m>>,
    /// Group and user contact details from `spec.profile`.
    pub profile: Option<Profile>,
    /// A Location's targets, each with the entities its file defines.
    pub targets: Vec<super::location::Target>,
    /// A Template's parameters and steps.
    pub scaffolder: Option<super::spec::Scaffolder>,
    /// An API's definition when it is a remote URL.
    pub definition: Option<super::spec::Definition>,
    /// The spec fields nothing else on the page shows, as a bounded tree.
    pub spec_fields: Option<super::spec::SpecFields>,
    /// An API's reference, built from its definition (see `apiref`).
    pub api: Option<&'m crate::apiref::ApiDoc>,
    /// Its source as escaped (and highlighted) HTML, printed with `safe`.
    pub api_source: Option<String>,
}

#[derive(Serialize)]
pub struct Profile {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub email_url: Option<String>,
}

fn key_values(e: &Entity, field: &str) -> Vec<KeyValue> {
    e.doc
        .at(&["metadata", field])
        .and_then(Node::as_map)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| {
                    let value = v.scalar_text()?;
                    let url = safe_url(value.strip_prefix("url:").unwrap_or(&value))
                        .filter(|_| value.contains("://"));
                    // The link carries no credentials, so neither does its text.
                    let value = match url {
                        Some(_) => crate::escape::without_userinfo(&value).into_owned(),
                        None => value,
                    };
                    Some(KeyValue {
                        key: k.as_str()?.to_owned(),
                        url,
                        value,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn capped(model: &SiteModel, refs: &[&EntityRef]) -> (Vec<EntityLink>, usize) {
    let list = refs.iter().take(LIST_CAP).map(|r| model.link(r)).collect();
    (list, refs.len().saturating_sub(LIST_CAP))
}

/// The relation lists, in the relation table's order (the order a reader
/// looks for them), keyed by Backstage's relation name.
fn relations(model: &SiteModel, e: &Entity) -> Vec<RelationList> {
    RELATIONS
        .iter()
        .filter_map(|spec| {
            let label = spec.label?;
            let refs = model.targets(&e.eref, spec.relation);
            if refs.is_empty() {
                return None;
            }
            let (entities, more) = capped(model, &refs);
            Some(RelationList {
                key: spec.name,
                label,
                entities,
                more,
            })
        })
        .collect()
}

fn scorecards(model: &SiteModel, e: &Entity) -> Vec<ScorecardView> {
    model
        .standings_of(&e.eref)
        .iter()
        .filter_map(|s| {
            let sc = model.scorecard_by_id.get(s.scorecard.as_str())?;
            let reached = s
                .level
                .as_ref()
                .and_then(|l| sc.levels.iter().position(|x| x == l));
            let checks: Vec<CheckView> = s
                .checks
                .iter()
                .map(|c| {
                    let meta = sc.checks.iter().find(|m| m.id == c.id);
                    let (messages, waiver) = match &c.outcome {
                        Outcome::Pass => (Vec::new(), None),
                        Outcome::Fail { messages } => (messages.clone(), None),
                        Outcome::Waived { messages, waiver } => (
                            messages.clone(),
                            Some(WaiverView {
                                reason: waiver.reason.clone(),
                                expires: waiver.expires.to_string(),
                                approver: waiver.approver.clone(),
                            }),
                        ),
                        Outcome::Error { message } => (vec![message.clone()], None),
                        Outcome::NotJudged { reason } => (vec![reason.clone()], None),
                    };
                    CheckView {
                        id: c.id.clone(),
                        title: meta.map_or_else(|| c.id.clone(), |m| m.title.clone()),
                        level: c.level.clone(),
                        status: super::summary::status_of(&c.outcome),
                        messages,
                        // Only failures show how to fix them; passing checks
                        // would carry the text into every page's context.
                        remediation: meta
                            .filter(|_| {
                                !matches!(c.outcome, Outcome::Pass | Outcome::NotJudged { .. })
                            })
                            .map(|m| m.remediation.clone())
                            .unwrap_or_default(),
                        waiver,
                    }
                })
                .collect();
            Some(ScorecardView {
                id: sc.id.clone(),
                title: sc.title.clone(),
                url: super::links::scorecard_page(&sc.id),
                level: s.level.clone(),
                levels: sc
                    .levels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| LevelStep {
                        name: l.clone(),
                        reached: reached.is_some_and(|r| i <= r),
                    })
                    .collect(),
                score: s.score.round().clamp(0.0, 100.0) as u32,
                failing: checks
                    .iter()
                    .filter(|c| c.status != "pass" && c.status != "not-judged")
                    .count(),
                checks,
                trend: super::trend::entity(model, &e.eref, sc),
            })
        })
        .collect()
}

/// The quick-answers panel, rendered from the entity's answers in the
/// facts stage (the same values the policy input carries).
fn answers(model: &SiteModel, e: &Entity, cards: &[ScorecardView]) -> Vec<Answer> {
    let kind = e.eref.kind.as_str();
    let wanted = answers::items_for(kind, e.spec_type());
    if wanted.is_empty() {
        return Vec::new();
    }
    let empty = crate::facts::Answers::default();
    let facts = model.checked.facts.answers_of(&e.eref).unwrap_or(&empty);
    answers::ITEMS
        .iter()
        .filter(|key| wanted.contains(key))
        .map(|key| {
            let owner = (*key == "owner")
                .then(|| facts.owner.as_ref().map(|r| model.link(r)))
                .flatten();
            let docs_site = model.checked.facts.sites.of(&e.eref);
            let items: Vec<LinkView> = facts
                .items_for(key)
                .map(|i| match docs_site {
                    // Local TechDocs: the rendered docs home, one click away.
                    Some(site)
                        if i.answer == "docs"
                            && i.url.is_none()
                            && i.label == crate::facts::docs::REF_ANNOTATION =>
                    {
                        LinkView {
                            title: format!("{} (TechDocs, {} pages)", site.name, site.pages.len()),
                            url: Some(format!(
                                "{}{}",
                                super::links::root_of(&super::links::entity_page(&e.eref)),
                                site.home()
                            )),
                            ..i.clone()
                        }
                    }
                    _ => LinkView {
                        label: match i.answer {
                            "email" => "email".to_owned(),
                            "chat" => "chat".to_owned(),
                            "oncall" => "on-call".to_owned(),
                            _ => i.label.clone(),
                        },
                        ..i.clone()
                    },
                })
                .collect();
            let missing = !facts.present(key);
            let contact_asked_by = if *key == "owner" && !facts.present("contact") {
                asked_by(model, "contact", cards)
            } else {
                Vec::new()
            };
            Answer {
                key,
                label: answers::label(key),
                items,
                owner,
                missing,
                asked_by: asked_by(model, key, cards),
                contact_asked_by,
            }
        })
        // A service must answer every question, so its gaps always show.
        // For other kinds a gap nobody asks about is noise: hide it.
        .filter(|a| {
            let service = kind == "component" && e.spec_type() != Some("library");
            service || a.key == "owner" || !a.missing || !a.asked_by.is_empty()
        })
        .collect()
}

/// `metadata.links` for the page's links list, each URL once and without
/// the ones the quick-answers panel already shows: a repository link listed
/// in both places (or twice, spelled differently) reads as two repositories.
fn other_links(e: &Entity, panel: &[Answer]) -> Vec<LinkView> {
    let mut seen: std::collections::BTreeSet<String> = panel
        .iter()
        .flat_map(|a| &a.items)
        .filter_map(|i| i.url.as_deref().map(url_key))
        .collect();
    let mut links: Vec<LinkView> = answers::links(e)
        .into_iter()
        .filter(|l| l.url.as_deref().is_none_or(|u| seen.insert(url_key(u))))
        .collect();
    links.sort_by(|a, b| a.label.cmp(&b.label).then(a.title.cmp(&b.title)));
    links
}

/// The checks (on the scorecards that apply to this entity) that declare
/// `answers: <item>`, with how this entity fares on them.
fn asked_by(model: &SiteModel, item: &str, cards: &[ScorecardView]) -> Vec<AskedBy> {
    let mut out = Vec::new();
    for card in cards {
        let Some(sc) = model.scorecard_by_id.get(card.id.as_str()) else {
            continue;
        };
        for check in sc
            .checks
            .iter()
            .filter(|c| c.answers.as_deref() == Some(item))
        {
            let status = card
                .checks
                .iter()
                .find(|c| c.id == check.id)
                .map_or("pass", |c| c.status);
            out.push(AskedBy {
                scorecard: sc.title.clone(),
                scorecard_url: card.url.clone(),
                check: check.id.clone(),
                title: check.title.clone(),
                level: check.level.clone(),
                status,
            });
        }
    }
    out
}

fn profile(e: &Entity) -> Option<Profile> {
    let email = e.str_at(&["spec", "profile", "email"]).map(str::to_owned);
    let display_name = e
        .str_at(&["spec", "profile", "displayName"])
        .map(str::to_owned);
    if email.is_none() && display_name.is_none() {
        return None;
    }
    Some(Profile {
        email_url: email
            .as_deref()
            .and_then(|m| safe_url(&format!("mailto:{m}"))),
        email,
        display_name,
    })
}

/// What a group or user owns, grouped by kind, plus a per-scorecard level
/// summary over it.
fn owns<'a>(model: &SiteModel<'a>, e: &Entity) -> Group<'a> {
    let owned = model.targets(&e.eref, R::OwnerOf);
    let mut by_kind: BTreeMap<&str, Vec<&EntityRef>> = BTreeMap::new();
    for r in &owned {
        by_kind.entry(r.kind.as_str()).or_default().push(r);
    }
    let order = |k: &str| match k {
        "system" => 0,
        "component" => 1,
        "api" => 2,
        "resource" => 3,
        "domain" => 4,
        _ => 5,
    };
    let mut kinds: Vec<_> = by_kind.into_iter().collect();
    kinds.sort_by_key(|(k, _)| (order(k), *k));
    let (docs, docs_more) = super::docs::owned_sites(model, &e.eref, LIST_CAP);
    Group {
        docs,
        docs_more,
        owned_total: owned.len(),
        owned: kinds
            .into_iter()
            .map(|(kind, refs)| {
                let (entities, more) = capped(model, &refs);
                RelationList {
                    key: R::OwnerOf.name(),
                    label: "",
                    entities,
                    more,
                }
                .with_label(kind)
            })
            .collect(),
        scorecards: super::summary::level_summary(model, owned.iter().copied(), None),
    }
}

impl RelationList {
    /// Labels a list of one kind's entities with the kind's plural.
    fn with_label(self, kind: &str) -> RelationList {
        RelationList {
            label: KnownKind::parse(kind).map_or("Other", |k| k.spec().plural),
            ..self
        }
    }
}

/// The graph on System and Domain pages. A system shows its parts and what
/// they touch directly; a domain shows its systems and which systems'
/// parts depend on which.
fn dependency_graph(model: &SiteModel, e: &Entity) -> Option<String> {
    let kind = e.eref.kind.as_str();
    if kind != "system" && kind != "domain" {
        return None;
    }
    let parts = model.targets(&e.eref, R::HasPart);
    let mut g = Nodes::default();
    for p in &parts {
        g.node(p);
    }
    let focus_count = g.nodes.len();
    if kind == "system" {
        system_edges(model, &parts, &mut g);
    } else {
        domain_edges(model, &parts, &mut g);
    }
    let root = super::links::root_of(&entity_page(&e.eref));
    let graph = graph::Graph {
        nodes: g
            .nodes
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let link = model.link(r);
                graph::Node {
                    label: link.title.clone(),
                    kind: r.kind.clone(),
                    href: link.url.as_ref().map(|u| format!("{root}{u}")),
                    focus: i < focus_count,
                }
            })
            .collect(),
        edges: g.edges,
    };
    graph::render_svg(&graph, &format!("Dependencies of {}", e.title()))
}

/// A graph being collected: each entity once, in the order first met.
#[derive(Default)]
struct Nodes<'a> {
    nodes: Vec<&'a EntityRef>,
    index: BTreeMap<&'a EntityRef, usize>,
    edges: Vec<graph::Edge>,
}

impl<'a> Nodes<'a> {
    fn node(&mut self, r: &'a EntityRef) -> usize {
        *self.index.entry(r).or_insert_with(|| {
            self.nodes.push(r);
            self.nodes.len() - 1
        })
    }
}

/// A system's graph: its parts and what each depends on, provides or consumes.
fn system_edges<'a>(model: &SiteModel<'a>, parts: &[&'a EntityRef], g: &mut Nodes<'a>) {
    let edge_kinds = [
        (R::DependsOn, graph::EdgeKind::DependsOn),
        (R::ProvidesApi, graph::EdgeKind::ProvidesApi),
        (R::ConsumesApi, graph::EdgeKind::ConsumesApi),
    ];
    for (i, p) in parts.iter().enumerate() {
        for (rel, kind) in edge_kinds {
            for t in model.targets(p, rel) {
                let to = g.node(t);
                g.edges.push(graph::Edge { from: i, to, kind });
            }
        }
    }
}

/// A domain's graph: system A → system B when a part of A depends on, or
/// consumes an API of, a part of B.
fn domain_edges<'a>(model: &SiteModel<'a>, systems: &[&'a EntityRef], g: &mut Nodes<'a>) {
    let system_of = |r: &EntityRef| -> Option<&'a EntityRef> {
        model
            .targets(r, R::PartOf)
            .into_iter()
            .find(|t| t.kind == "system")
    };
    let mut seen = std::collections::BTreeSet::new();
    for (i, sys) in systems.iter().enumerate() {
        for part in model.targets(sys, R::HasPart) {
            for (rel, kind) in [
                (R::DependsOn, graph::EdgeKind::DependsOn),
                (R::ConsumesApi, graph::EdgeKind::ConsumesApi),
            ] {
                for t in model.targets(part, rel) {
                    let Some(other) = system_of(t).filter(|o| o != sys) else {
                        continue;
                    };
                    let to = g.node(other);
                    if seen.insert((i, to, kind)) {
                        g.edges.push(graph::Edge { from: i, to, kind });
                    }
                }
            }
        }
    }
}

pub fn context<'m>(model: &'m SiteModel, e: &Entity) -> EntityContext<'m> {
    let cards = scorecards(model, e);
    let answers = answers(model, e, &cards);
    let kind = e.eref.kind.as_str();
    let links = other_links(e, &answers);
    let spec = super::spec::parts(e);
    EntityContext {
        entity: Header {
            eref: e.eref.to_string(),
            kind: kind.to_owned(),
            kind_label: kind_label(kind),
            namespace: e.eref.namespace.clone(),
            name: e.name().to_owned(),
            title: e.title().to_owned(),
            description: e.description().map(str::to_owned),
            description_html: model.link_to(e).description_html.clone(),
            spec_type: e.spec_type().map(str::to_owned),
            lifecycle: e.lifecycle().map(str::to_owned),
            owner: (!answers.iter().any(|a| a.key == "owner"))
                .then(|| model.owner(&e.eref).map(|r| model.link(r)))
                .flatten(),
            tags: e.tags().into_iter().map(str::to_owned).collect(),
            labels: key_values(e, "labels"),
            annotations: key_values(e, "annotations"),
            links,
            file: e.file.clone(),
            line: e.pos.line,
            edit_url: model.edit_url(&e.file),
            json: super::export::entity_path(&e.eref),
            last_change: model
                .checked
                .facts
                .git
                .history()
                .and_then(|h| h.file(&e.file))
                .map(|f| {
                    let c = &f.last_change;
                    format!("{} by {}", c.date(), c.author)
                }),
        },
        answers,
        relations: relations(model, e),
        scorecards: cards,
        graph: dependency_graph(model, e),
        owns: matches!(kind, "group" | "user").then(|| owns(model, e)),
        team: (kind == "group").then(|| super::team::section(model, e)),
        initiatives: super::team::entity_initiatives(model, e),
        docs: super::docs::site_list(model, &e.eref, LIST_CAP),
        profile: profile(e),
        targets: super::location::targets_of(model, e),
        scaffolder: spec.scaffolder,
        definition: spec.definition,
        spec_fields: spec.fields,
        api: model.checked.apis.get(&e.eref).map(|a| &**a),
        api_source: model
            .checked
            .apis
            .get(&e.eref)
            .and_then(|a| a.source_html(model.checked.loaded.config.docs.highlight)),
    }
}
