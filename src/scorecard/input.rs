//! The `input` document policies see: a documented, versioned contract
//! (see docs/policies.md). Bump [`INPUT_VERSION`] on any incompatible change.
//!
//! Inputs are built straight as regorus values. Each entity is converted
//! once; `data.catalog` and every input that mentions the entity share that
//! value (regorus values are reference-counted), so an input costs a few
//! small maps instead of a copy of every related entity.

use crate::catalog::Catalog;
use crate::catalog::model::{Entity, EntityRef, RelationType};
use crate::catalog::relations::RELATIONS;
use crate::catalog::yaml::{Node, Value as Yaml};
use crate::date::Date;
use crate::facts::answers::KEYS as ANSWER_KEYS;
use crate::facts::git::{Change, Git};
use crate::facts::{Answers, Docs, Facts, Repo};
use rayon::prelude::*;
use regorus::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub const INPUT_VERSION: u32 = 1;

/// Converts a YAML node to a policy value.
pub fn node_value(n: &Node) -> Value {
    match &n.value {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::from(*b),
        Yaml::Int(i) => Value::from(*i),
        Yaml::Float(f) => Value::from(*f),
        Yaml::Str(s) => Value::from(&**s),
        Yaml::Seq(items) => Value::from(items.iter().map(node_value).collect::<Vec<_>>()),
        Yaml::Map(entries) => Value::from(
            entries
                .iter()
                .map(|(k, v)| {
                    (
                        Value::from(k.scalar_text().unwrap_or_default()),
                        node_value(v),
                    )
                })
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

fn object<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    Value::from(
        pairs
            .into_iter()
            .map(|(k, v)| (Value::from(k), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// One entity's document as policy values, with the document they were
/// converted from: `serve` runs again after every save, and a kept parse
/// is the same `Arc` (see [`Prepared::converted`]).
#[derive(Clone)]
pub struct DocValues {
    doc: Arc<Node>,
    full: Value,
    summary: Value,
    reference: Value,
}

/// Converted documents by ref.
pub type Converted = HashMap<EntityRef, DocValues>;

/// Per-entity values computed once for a whole evaluation.
pub struct Prepared<'a> {
    catalog: &'a Catalog,
    full: HashMap<&'a EntityRef, Value>,
    summary: HashMap<&'a EntityRef, Value>,
    /// Docs, repository and quick-answer facts as policy values, so that
    /// evaluation does no I/O and folders share their repository value.
    docs: HashMap<&'a EntityRef, Value>,
    /// Quick answers are turned into values per input instead, while the
    /// entity is evaluated: held for the whole catalog they cost more
    /// memory than every other prepared value together.
    facts: &'a Facts,
    repo: HashMap<&'a str, Value>,
    /// Each canonical ref as a policy string, made once.
    refs: HashMap<&'a EntityRef, Value>,
    /// The day `input.git.age_days` counts to (`--today`).
    today: Date,
}

thread_local! {
    /// Object keys, made once per thread instead of once per input.
    static KEYS: Keys = Keys::default();
}

#[derive(Default)]
struct Keys(std::cell::RefCell<HashMap<&'static str, Value>>);

impl Keys {
    fn object(&self, pairs: &[(&'static str, Value)]) -> Value {
        self.object_from(pairs.iter().cloned())
    }

    fn object_from(&self, pairs: impl Iterator<Item = (&'static str, Value)>) -> Value {
        let mut cache = self.0.borrow_mut();
        Value::from(
            pairs
                .map(|(k, v)| (cache.entry(k).or_insert_with(|| Value::from(k)).clone(), v))
                .collect::<BTreeMap<_, _>>(),
        )
    }
}

impl<'a> Prepared<'a> {
    /// With `prior` (the last run's [`Prepared::converted`]), an entity
    /// whose document is the one converted then takes those values: the
    /// same `Arc` (a parse `serve` kept), or an equal document (one parsed
    /// again, such as a document with placeholders, which is substituted
    /// on every load).
    pub fn new(
        catalog: &'a Catalog,
        facts: &'a Facts,
        today: Date,
        prior: Option<&Converted>,
    ) -> Self {
        type Pair<'r> = (&'r EntityRef, Value, Value, Value, Value);
        let pairs: Vec<Pair> = catalog
            .entities
            .par_iter()
            .map(|(r, e)| {
                let kept = prior
                    .and_then(|p| p.get(r))
                    .filter(|v| Arc::ptr_eq(&v.doc, &e.doc) || *v.doc == *e.doc);
                let (full, summary, reference) = match kept {
                    Some(v) => (v.full.clone(), v.summary.clone(), v.reference.clone()),
                    None => {
                        let full = node_value(&e.doc);
                        let summary = summary(r, e, &full);
                        (full, summary, Value::from(r.to_string()))
                    }
                };
                let site = facts.sites.of(r);
                let changed = docs_last_change(facts, site).unwrap_or(Value::Null);
                let docs = docs(facts.docs_of(r), site, changed);
                (r, full, summary, reference, docs)
            })
            .collect();
        let repo = facts
            .repo
            .par_iter()
            .map(|(d, r)| (d.as_str(), repo(Some(r))))
            .collect();
        let n = pairs.len();
        let mut prepared = Prepared {
            catalog,
            full: HashMap::with_capacity(n),
            summary: HashMap::with_capacity(n),
            docs: HashMap::with_capacity(n),
            facts,
            repo,
            refs: HashMap::with_capacity(n),
            today,
        };
        for (r, full, summary, reference, docs) in pairs {
            prepared.refs.insert(r, reference);
            prepared.full.insert(r, full);
            prepared.summary.insert(r, summary);
            prepared.docs.insert(r, docs);
        }
        prepared
    }

    /// `data.catalog`: every entity keyed by canonical ref.
    pub fn data(&self) -> Value {
        let catalog: BTreeMap<Value, Value> = self
            .full
            .iter()
            .map(|(r, v)| (self.refs[r].clone(), v.clone()))
            .collect();
        object([("catalog", Value::from(catalog))])
    }

    /// Each entity's converted document, for the next run's
    /// [`Prepared::new`]: the values are reference-counted, so keeping
    /// them costs little, and inputs built from them share them with this
    /// run's, which makes comparing the two runs' inputs
    /// ([`super::reuse::Memo::lend`]) mostly pointer comparisons: only the
    /// facts parts (`docs`, `answers`, `repo`, `git`), built each run, are
    /// compared by content.
    pub fn converted(&self) -> Converted {
        self.catalog
            .entities
            .iter()
            .filter_map(|(r, e)| {
                Some((
                    r.clone(),
                    DocValues {
                        doc: Arc::clone(&e.doc),
                        full: self.full.get(r)?.clone(),
                        summary: self.summary.get(r)?.clone(),
                        reference: self.refs.get(r)?.clone(),
                    },
                ))
            })
            .collect()
    }

    fn summary_of(&self, r: &EntityRef) -> Value {
        self.summary.get(r).cloned().unwrap_or_else(|| {
            object([
                ("ref", Value::from(r.to_string())),
                ("entity", Value::Null),
                ("definition", Value::from(false)),
            ])
        })
    }

    /// Why a check that needs git history cannot be judged on `e`, if it
    /// cannot: the same cases in which `input.git` is `null` or unavailable.
    pub fn git_gap(&self, e: &Entity) -> Option<String> {
        match history_of(self.facts, &e.file) {
            Ok(_) => None,
            Err(None) => Some("the catalog is not in a git repository".to_owned()),
            Err(Some(reason)) => Some(reason),
        }
    }

    /// Builds the `input` for one entity from the prepared values. One pass
    /// over the entity's relations fills every relation field: each row of
    /// the relation table with an input key has its slot (the row index).
    ///
    /// `partOf` is the one special case: its targets are split by kind into
    /// `system` and `domain`, and a component's domain is its system's.
    pub fn input(&self, e: &Entity) -> Value {
        use RelationType as R;
        let r = &e.eref;
        let mut lists: [Vec<Value>; RELATIONS.len()] = Default::default();
        let (mut system, mut domain) = (None, None);
        for rel in self.catalog.relations_of(r) {
            let t = &rel.target;
            let row = rel.kind.row();
            match RELATIONS[row].input {
                Some(key) if key.single && !lists[row].is_empty() => {}
                Some(_) => lists[row].push(self.summary_of(t)),
                None if rel.kind == R::PartOf => {
                    let slot = match t.kind.as_str() {
                        "system" => &mut system,
                        "domain" => &mut domain,
                        _ => continue,
                    };
                    slot.get_or_insert(t);
                }
                None => {}
            }
        }
        // A component's domain is its system's domain.
        if let Some(s) = system
            && let Some(d) = self
                .catalog
                .relations_of(s)
                .find(|rel| rel.kind == R::PartOf && rel.target.kind == "domain")
        {
            domain = Some(&d.target);
        }
        let one = |t: Option<&EntityRef>| t.map_or(Value::Null, |t| self.summary_of(t));
        let listed = RELATIONS.iter().zip(lists).filter_map(|(spec, list)| {
            let key = spec.input?;
            let value = if key.single {
                list.into_iter().next().unwrap_or(Value::Null)
            } else {
                Value::from(list)
            };
            Some((key.key, value))
        });
        let part_of = [("system", one(system)), ("domain", one(domain))];
        KEYS.with(|k| {
            let relations = k.object_from(listed.chain(part_of));
            k.object(&[
                ("version", Value::from(INPUT_VERSION)),
                (
                    "ref",
                    self.refs
                        .get(r)
                        .cloned()
                        .unwrap_or_else(|| Value::from(r.to_string())),
                ),
                ("file", Value::from(e.file.as_str())),
                (
                    "entity",
                    self.full
                        .get(r)
                        .cloned()
                        .unwrap_or_else(|| node_value(&e.doc)),
                ),
                ("relations", relations),
                (
                    "docs",
                    self.docs
                        .get(r)
                        .cloned()
                        .unwrap_or_else(|| docs(None, None, Value::Null)),
                ),
                ("answers", answers(k, self.facts.answers_of(r))),
                (
                    "repo",
                    self.repo
                        .get(e.dir())
                        .cloned()
                        .unwrap_or_else(|| repo(None)),
                ),
                ("git", git(k, self.facts, &e.file, self.today)),
            ])
        })
    }
}

/// A related entity: its ref and the entity as written, except that an
/// API's `spec.definition` (often many kilobytes) is replaced by the
/// boolean `definition`; the full entity is in `data.catalog[ref]`.
fn summary(r: &EntityRef, e: &Entity, full: &Value) -> Value {
    let definition = e.doc.at(&["spec", "definition"]);
    let has_definition =
        definition.is_some_and(|d| d.as_str().is_none_or(|t| !t.trim().is_empty()));
    let entity = match definition {
        None => full.clone(),
        Some(_) => {
            let mut doc = Node::clone(&e.doc);
            if let Some(spec) = doc.get_mut("spec")
                && let Yaml::Map(entries) = &mut spec.value
            {
                let kept: Vec<(Node, Node)> = entries
                    .iter()
                    .filter(|(k, _)| k.as_str() != Some("definition"))
                    .cloned()
                    .collect();
                *entries = kept.into_boxed_slice();
            }
            node_value(&doc)
        }
    };
    object([
        ("ref", Value::from(r.to_string())),
        ("entity", entity),
        ("definition", Value::from(has_definition)),
    ])
}

/// `input.docs`: the entity's TechDocs as the facts stage found them.
/// The newest commit that changed any page of the entity's docs site, as
/// `{date, time, author, commit}`; `None` without git history or local docs.
fn docs_last_change(facts: &Facts, site: Option<&crate::facts::techdocs::Site>) -> Option<Value> {
    let history = facts.git.history()?;
    let newest = site?
        .pages
        .iter()
        .filter_map(|p| history.file(&p.src))
        .map(|f| &f.last_change)
        .max_by(|a, b| (a.time, &a.commit).cmp(&(b.time, &b.commit)))?;
    Some(object([
        ("commit", Value::from(newest.commit.as_str())),
        ("time", Value::from(newest.time)),
        ("date", Value::from(newest.date().to_string())),
        ("author", Value::from(newest.author.as_str())),
    ]))
}

fn docs(
    d: Option<&Docs>,
    site: Option<&crate::facts::techdocs::Site>,
    last_change: Value,
) -> Value {
    let Some(d) = d else {
        return object([
            ("last_change", Value::Null),
            ("present", Value::from(false)),
            ("pages", Value::from(0u32)),
            ("ref", Value::Null),
            ("remote", Value::from(false)),
            ("words", Value::from(0u32)),
            ("broken_links", Value::from(0u32)),
        ]);
    };
    object([
        ("last_change", last_change),
        ("present", Value::from(d.present())),
        ("pages", Value::from(d.pages)),
        ("ref", Value::from(d.reference.as_str())),
        ("remote", Value::from(d.remote_url().is_some())),
        (
            "words",
            Value::from(site.map_or(0, crate::facts::techdocs::Site::words)),
        ),
        (
            "broken_links",
            Value::from(site.map_or(0, |s| s.broken_links)),
        ),
    ])
}

/// The entity file's trusted history, or why there is none: `Err(None)`
/// outside a git repository, `Err(Some(reason))` when it cannot be trusted.
fn history_of<'f>(
    facts: &'f Facts,
    file: &str,
) -> Result<&'f crate::facts::git::FileHistory, Option<String>> {
    match &facts.git {
        Git::Absent => Err(None),
        Git::Unavailable { reason } => Err(Some(reason.clone())),
        Git::Available(h) => h
            .file(file)
            .ok_or_else(|| Some("the entity file has not been committed".to_owned())),
    }
}

/// `input.git`: the history of the entity file. `null` outside a git
/// repository; `available: false` with a `reason` when the history cannot
/// be trusted (a shallow clone) or the file has no commit yet. `stale` is
/// true only with history, when the file is older than `[git] stale_days`.
fn git(k: &Keys, facts: &Facts, file: &str, today: Date) -> Value {
    let stale_days = ("stale_days", Value::from(facts.staleness.days));
    let unavailable = |reason: &str| {
        k.object(&[
            ("available", Value::from(false)),
            ("reason", Value::from(reason)),
            ("stale", Value::from(false)),
            stale_days.clone(),
        ])
    };
    let h = match history_of(facts, file) {
        Ok(h) => h,
        Err(None) => return Value::Null,
        Err(Some(reason)) => return unavailable(&reason),
    };
    let change = |c: &Change| {
        k.object(&[
            ("commit", Value::from(c.commit.as_str())),
            ("time", Value::from(c.time)),
            ("date", Value::from(c.date().to_string())),
            ("author", Value::from(c.author.as_str())),
            ("summary", Value::from(c.summary.as_str())),
        ])
    };
    let age_days = (today.0 - h.last_change.date().0).max(0);
    k.object(&[
        ("available", Value::from(true)),
        ("last_change", change(&h.last_change)),
        ("first_commit", change(&h.first_commit)),
        ("contributors", Value::from(h.contributors)),
        ("age_days", Value::from(age_days)),
        (
            "stale",
            Value::from(u64::try_from(age_days).is_ok_and(|a| a > facts.staleness.days)),
        ),
        stale_days.clone(),
    ])
}

/// `input.repo`: which repository files the entity's folder has.
fn repo(r: Option<&Repo>) -> Value {
    Value::from(
        crate::facts::repo::FILES
            .iter()
            .map(|(fact, _)| {
                (
                    Value::from(*fact),
                    Value::from(r.is_some_and(|r| r.file(fact).is_some())),
                )
            })
            .collect::<BTreeMap<_, _>>(),
    )
}

/// `input.answers`: the quick answers, exactly as the panel shows them.
fn answers(k: &Keys, a: Option<&Answers>) -> Value {
    let empty = Answers::default();
    let a = a.unwrap_or(&empty);
    // Values first: `object_from` holds the key cache while it collects.
    let fields: Vec<(&'static str, Value)> = ANSWER_KEYS
        .iter()
        .map(|key| {
            let items: Vec<Value> = a
                .items_for(key)
                .filter(|_| *key != "owner")
                .map(|i| {
                    k.object(&[
                        ("title", Value::from(i.title.as_str())),
                        ("url", i.url.as_deref().map_or(Value::Null, Value::from)),
                        ("source", Value::from(i.label.as_str())),
                    ])
                })
                .collect();
            let present = ("present", Value::from(a.present(key)));
            let items = ("items", Value::from(items));
            let value = if *key == "owner" {
                let owner = a
                    .owner
                    .as_ref()
                    .map_or(Value::Null, |r| Value::from(r.to_string()));
                k.object(&[present, items, ("ref", owner)])
            } else {
                k.object(&[present, items])
            };
            (*key, value)
        })
        .collect();
    k.object_from(fields.into_iter())
}
