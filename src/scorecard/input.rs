//! The `input` document policies see: a documented, versioned contract
//! (see docs/policies.md). Bump [`INPUT_VERSION`] on any incompatible change.
//!
//! Inputs are built straight as regorus values. Each entity is converted
//! once; `data.catalog` and every input that mentions the entity share that
//! value (regorus values are reference-counted), so an input costs a few
//! small maps instead of a copy of every related entity.

use crate::catalog::Catalog;
use crate::catalog::model::{Entity, EntityRef, RelationType};
use crate::catalog::yaml::{Node, Value as Yaml};
use rayon::prelude::*;
use regorus::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

pub const INPUT_VERSION: u32 = 1;

/// Files next to an entity's file that policies commonly ask about.
const REPO_FILES: &[(&str, &[&str])] = &[
    (
        "readme",
        &["README.md", "README", "readme.md", "README.rst"],
    ),
    (
        "codeowners",
        &["CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS"],
    ),
    ("runbook", &["RUNBOOK.md", "runbook.md", "docs/runbook.md"]),
];

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

/// Per-entity values computed once for a whole evaluation.
pub struct Prepared<'a> {
    catalog: &'a Catalog,
    full: HashMap<&'a EntityRef, Value>,
    summary: HashMap<&'a EntityRef, Value>,
    /// Docs and repository facts, gathered from the file system up front so
    /// that evaluation does no I/O.
    docs: HashMap<&'a EntityRef, Value>,
    repo: HashMap<&'a str, Value>,
}

impl<'a> Prepared<'a> {
    pub fn new(catalog: &'a Catalog) -> Self {
        let pairs: Vec<(&EntityRef, Value, Value, Value)> = catalog
            .entities
            .par_iter()
            .map(|(r, e)| {
                let full = node_value(&e.doc);
                let summary = summary(r, e, &full);
                (r, full, summary, docs(catalog, e))
            })
            .collect();
        let mut dirs: Vec<&str> = catalog.entities.values().map(Entity::dir).collect();
        dirs.sort_unstable();
        dirs.dedup();
        let repo = dirs
            .par_iter()
            .map(|d| (*d, repo_facts(catalog, d)))
            .collect();
        let n = pairs.len();
        let mut prepared = Prepared {
            catalog,
            full: HashMap::with_capacity(n),
            summary: HashMap::with_capacity(n),
            docs: HashMap::with_capacity(n),
            repo,
        };
        for (r, full, summary, docs) in pairs {
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
            .map(|(r, v)| (Value::from(r.to_string()), v.clone()))
            .collect();
        object([("catalog", Value::from(catalog))])
    }

    fn related(&self, r: &EntityRef, kind: RelationType) -> Vec<&'a EntityRef> {
        let catalog: &'a Catalog = self.catalog;
        catalog
            .relations_of(r)
            .filter(|rel| rel.kind == kind)
            .map(|rel| &rel.target)
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

    /// Builds the `input` for one entity from the prepared values.
    pub fn input(&self, e: &Entity) -> Value {
        let r = &e.eref;
        let one = |kind| {
            self.related(r, kind)
                .first()
                .map_or(Value::Null, |t| self.summary_of(t))
        };
        let many = |kind| {
            Value::from(
                self.related(r, kind)
                    .into_iter()
                    .map(|t| self.summary_of(t))
                    .collect::<Vec<_>>(),
            )
        };
        let part_of = self.related(r, RelationType::PartOf);
        let system = part_of.iter().find(|t| t.kind == "system").copied();
        let domain = system
            .and_then(|s| {
                self.related(s, RelationType::PartOf)
                    .into_iter()
                    .find(|t| t.kind == "domain")
            })
            .or_else(|| part_of.iter().find(|t| t.kind == "domain").copied());
        object([
            ("version", Value::from(INPUT_VERSION)),
            ("ref", Value::from(r.to_string())),
            ("file", Value::from(e.file.as_str())),
            (
                "entity",
                self.full
                    .get(r)
                    .cloned()
                    .unwrap_or_else(|| node_value(&e.doc)),
            ),
            (
                "relations",
                object([
                    ("owner", one(RelationType::OwnedBy)),
                    ("system", system.map_or(Value::Null, |s| self.summary_of(s))),
                    ("domain", domain.map_or(Value::Null, |d| self.summary_of(d))),
                    ("providesApis", many(RelationType::ProvidesApi)),
                    ("consumesApis", many(RelationType::ConsumesApi)),
                    ("dependsOn", many(RelationType::DependsOn)),
                    ("dependencyOf", many(RelationType::DependencyOf)),
                    ("members", many(RelationType::HasMember)),
                    ("parent", one(RelationType::ChildOf)),
                    ("children", many(RelationType::ParentOf)),
                ]),
            ),
            (
                "docs",
                self.docs
                    .get(r)
                    .cloned()
                    .unwrap_or_else(|| docs(self.catalog, e)),
            ),
            (
                "repo",
                self.repo
                    .get(e.dir())
                    .cloned()
                    .unwrap_or_else(|| repo_facts(self.catalog, e.dir())),
            ),
            ("git", Value::Null),
        ])
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
            let mut doc = e.doc.clone();
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

/// Docs facts: TechDocs declared with `backstage.io/techdocs-ref: dir:<path>`
/// and the number of markdown pages under its `docs/` folder.
fn docs(catalog: &Catalog, e: &Entity) -> Value {
    let absent = |reference: Option<&str>| {
        object([
            ("present", Value::from(false)),
            ("pages", Value::from(0u32)),
            ("ref", reference.map_or(Value::Null, Value::from)),
        ])
    };
    let Some(reference) = e.str_at(&["metadata", "annotations", "backstage.io/techdocs-ref"])
    else {
        return absent(None);
    };
    let Some(rel) = reference
        .strip_prefix("dir:")
        .and_then(|dir| crate::catalog::location::join_rel(e.dir(), dir))
    else {
        return absent(Some(reference));
    };
    let base = catalog.root.join(rel);
    let pages = count_markdown(&base.join("docs"), 0);
    object([
        (
            "present",
            Value::from(pages > 0 && base.join("mkdocs.yml").is_file()),
        ),
        ("pages", Value::from(pages)),
        ("ref", Value::from(reference)),
    ])
}

fn count_markdown(dir: &Path, depth: usize) -> usize {
    if depth > 8 {
        return 0;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let Ok(ft) = e.file_type() else { return 0 };
            if ft.is_dir() {
                count_markdown(&e.path(), depth + 1)
            } else if ft.is_file() && e.file_name().to_string_lossy().ends_with(".md") {
                1
            } else {
                0
            }
        })
        .sum()
}

/// Repository facts for a directory (entities in one folder share them,
/// so callers cache by [`Entity::dir`]).
pub fn repo_facts(catalog: &Catalog, dir: &str) -> Value {
    let base = catalog.root.join(dir);
    Value::from(
        REPO_FILES
            .iter()
            .map(|(fact, names)| {
                (
                    Value::from(*fact),
                    Value::from(names.iter().any(|n| base.join(n).is_file())),
                )
            })
            .collect::<BTreeMap<_, _>>(),
    )
}
