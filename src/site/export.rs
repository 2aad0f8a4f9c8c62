//! The JSON export: `api/catalog.json` (a compact index of every entity)
//! and `api/entities/<namespace>/<kind>/<name>.json` (one resolved entity
//! with its relations and scorecard results), for other tools to consume.

use crate::catalog::Catalog;
use crate::catalog::model::{Entity, EntityRef, Relation};
use crate::scorecard::Standing;
use crate::scorecard::model::Scorecard;
use crate::scorecard::trend::{Point, Series, Trends};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where an entity's JSON lives, relative to the site root.
pub fn entity_path(r: &EntityRef) -> String {
    format!("api/entities/{}/{}/{}.json", r.namespace, r.kind, r.name)
}

/// One row of the index: what the catalog page filters on.
#[derive(Serialize)]
struct IndexRow<'a> {
    #[serde(rename = "ref")]
    eref: String,
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    spec_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lifecycle: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<String>,
    tags: Vec<&'a str>,
    json: String,
}

#[derive(Serialize)]
struct Index<'a> {
    version: u32,
    entities: Vec<IndexRow<'a>>,
    /// What could not be loaded, and why.
    skipped: &'a [crate::catalog::Skipped],
}

#[derive(Serialize)]
struct EntityDoc<'a> {
    version: u32,
    #[serde(rename = "ref")]
    eref: String,
    file: &'a str,
    entity: AsJson<'a>,
    relations: Vec<&'a Relation>,
    scorecards: Vec<&'a Standing>,
}

fn first_target<'a>(
    catalog: &'a Catalog,
    e: &Entity,
    kind: crate::catalog::model::RelationType,
    target_kind: Option<&str>,
) -> Option<&'a EntityRef> {
    catalog
        .relations_of(&e.eref)
        .find(|r| r.kind == kind && target_kind.is_none_or(|k| r.target.kind == k))
        .map(|r| &r.target)
}

/// The entity document as JSON, serialized straight from the YAML tree
/// (keys in the author's order) without building a `serde_json::Value`
/// first: at 10k entities that intermediate tree was a third of the export.
struct AsJson<'a>(&'a crate::catalog::yaml::Node);

impl Serialize for AsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use crate::catalog::yaml::Value;
        match &self.0.value {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) if f.is_finite() => s.serialize_f64(*f),
            Value::Float(_) => s.serialize_unit(),
            Value::Str(text) => s.serialize_str(text),
            Value::Seq(items) => s.collect_seq(items.iter().map(AsJson)),
            Value::Map(entries) => s.collect_map(
                entries
                    .iter()
                    .map(|(k, v)| (k.scalar_text().unwrap_or_default(), AsJson(v))),
            ),
        }
    }
}

/// Where the compact index of every entity lives, relative to the site root.
pub const INDEX_PATH: &str = "api/catalog.json";

/// `api/catalog.json`: the compact index of every entity.
pub fn index_json(catalog: &Catalog) -> Vec<u8> {
    use crate::catalog::model::RelationType as R;
    let rows = catalog
        .entities
        .values()
        .map(|e| IndexRow {
            eref: e.eref.to_string(),
            kind: &e.eref.kind,
            namespace: &e.eref.namespace,
            name: e.name(),
            title: e.title(),
            description: e.description(),
            spec_type: e.spec_type(),
            lifecycle: e.lifecycle(),
            owner: first_target(catalog, e, R::OwnedBy, None).map(ToString::to_string),
            system: first_target(catalog, e, R::PartOf, Some("system")).map(ToString::to_string),
            tags: e.tags(),
            json: entity_path(&e.eref),
        })
        .collect();
    let index = Index {
        version: 1,
        entities: rows,
        skipped: &catalog.skipped,
    };
    serde_json::to_vec(&index).unwrap_or_default()
}

/// One entity's export file (at [`entity_path`]): the resolved entity with
/// its relations and scorecard results. Rendered like a page, so a
/// 100k-entity build never holds every export in memory at once.
pub fn entity_json(catalog: &Catalog, e: &Entity, standings: &[&Standing]) -> Vec<u8> {
    let doc = EntityDoc {
        version: 1,
        eref: e.eref.to_string(),
        file: &e.file,
        entity: AsJson(&e.doc),
        relations: catalog.relations_of(&e.eref).collect(),
        scorecards: standings.to_vec(),
    };
    serde_json::to_vec(&doc).unwrap_or_default()
}

/// Where the score history goes (only when history was asked for).
pub const HISTORY_PATH: &str = "api/history.json";

/// `api/history.json`: the sampled commits, per scorecard the level counts
/// at each sample, and per entity and scorecard the level at each sample
/// (`""` below the first level, `null` not scored then). Maps are sorted.
pub fn history_json(trends: &Trends, scorecards: &[Scorecard]) -> Vec<u8> {
    #[derive(Serialize)]
    struct Doc<'a> {
        version: u32,
        available: bool,
        reason: Option<&'a str>,
        interval_days: u64,
        samples: Vec<SampleDoc<'a>>,
        scorecards: BTreeMap<&'a str, CardDoc<'a>>,
        entities: BTreeMap<&'a str, BTreeMap<&'a str, Vec<Option<&'a str>>>>,
    }
    #[derive(Serialize)]
    struct SampleDoc<'a> {
        boundary: String,
        commit: &'a str,
        date: String,
    }
    #[derive(Serialize)]
    struct CardDoc<'a> {
        levels: &'a [String],
        /// Per sample: entities scored, below the first level, per level.
        counts: Vec<Counts>,
    }
    #[derive(Serialize, Default, Clone)]
    struct Counts {
        scored: usize,
        below: usize,
        levels: Vec<usize>,
    }
    let empty = Series::default();
    let (series, reason) = match trends {
        Trends::Available(s) => (s, None),
        Trends::Unavailable { reason } => (&empty, Some(reason.as_str())),
        Trends::Off => (&empty, Some("score history is off")),
    };
    let n = series.samples.len();
    let mut cards: BTreeMap<&str, CardDoc> = scorecards
        .iter()
        .map(|sc| {
            let zero = Counts {
                levels: vec![0; sc.levels.len()],
                ..Counts::default()
            };
            (
                sc.id.as_str(),
                CardDoc {
                    levels: &sc.levels,
                    counts: vec![zero; n],
                },
            )
        })
        .collect();
    let mut entities = BTreeMap::new();
    for (entity, by_card) in &series.points {
        let mut row = BTreeMap::new();
        for (card, points) in by_card {
            let doc = cards.get_mut(card.as_str());
            let line = points
                .iter()
                .map(|p| match p {
                    Point::Absent => None,
                    Point::Below => Some(""),
                    Point::Level(l) => Some(l.as_str()),
                })
                .collect();
            if let Some(doc) = doc {
                for (c, p) in doc.counts.iter_mut().zip(points) {
                    match p {
                        Point::Absent => continue,
                        Point::Below => c.below += 1,
                        Point::Level(l) => {
                            if let Some(k) = doc.levels.iter().position(|x| x == l) {
                                c.levels[k] += 1;
                            }
                        }
                    }
                    c.scored += 1;
                }
            }
            row.insert(card.as_str(), line);
        }
        entities.insert(entity.as_str(), row);
    }
    let doc = Doc {
        version: 1,
        available: reason.is_none(),
        reason,
        interval_days: series.interval_days,
        samples: series
            .samples
            .iter()
            .map(|s| SampleDoc {
                boundary: s.boundary.to_string(),
                commit: &s.commit,
                date: s.date.to_string(),
            })
            .collect(),
        scorecards: cards,
        entities,
    };
    serde_json::to_vec(&doc).unwrap_or_default()
}
