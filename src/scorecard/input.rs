//! The `input` document policies see: a documented, versioned contract
//! (see docs/policies.md). Bump [`INPUT_VERSION`] on any incompatible change.

use crate::catalog::Catalog;
use crate::catalog::model::{Entity, EntityRef, RelationType};
use serde_json::{Value, json};
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

fn entity_json(e: &Entity) -> Value {
    e.doc.to_json()
}

fn related<'a>(catalog: &'a Catalog, r: &EntityRef, kind: RelationType) -> Vec<&'a EntityRef> {
    catalog
        .relations_of(r)
        .filter(|rel| rel.kind == kind)
        .map(|rel| &rel.target)
        .collect()
}

fn summary(catalog: &Catalog, r: &EntityRef) -> Value {
    match catalog.get(r) {
        Some(e) => json!({ "ref": r.to_string(), "entity": entity_json(e) }),
        None => json!({ "ref": r.to_string(), "entity": null }),
    }
}

/// Docs facts: TechDocs declared with `backstage.io/techdocs-ref: dir:<path>`
/// and the number of markdown pages under its `docs/` folder.
fn docs(catalog: &Catalog, e: &Entity) -> Value {
    let Some(reference) = e.str_at(&["metadata", "annotations", "backstage.io/techdocs-ref"])
    else {
        return json!({ "present": false, "pages": 0 });
    };
    let Some(dir) = reference.strip_prefix("dir:") else {
        return json!({ "present": false, "pages": 0, "ref": reference });
    };
    let Some(rel) = crate::catalog::location::join_rel(e.dir(), dir) else {
        return json!({ "present": false, "pages": 0, "ref": reference });
    };
    let base = catalog.root.join(rel);
    let pages = count_markdown(&base.join("docs"), 0);
    json!({ "present": pages > 0 && base.join("mkdocs.yml").is_file(), "pages": pages, "ref": reference })
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

fn repo(catalog: &Catalog, e: &Entity) -> Value {
    let base = catalog.root.join(e.dir());
    let mut facts = serde_json::Map::new();
    for (fact, names) in REPO_FILES {
        let found = names.iter().find(|n| base.join(n).is_file());
        facts.insert((*fact).to_owned(), json!(found.is_some()));
    }
    json!(facts)
}

/// Builds the `input` for one entity.
pub fn build(catalog: &Catalog, e: &Entity) -> Value {
    let r = &e.eref;
    let one = |kind| {
        related(catalog, r, kind)
            .first()
            .map_or(Value::Null, |t| summary(catalog, t))
    };
    let many = |kind| {
        Value::Array(
            related(catalog, r, kind)
                .into_iter()
                .map(|t| summary(catalog, t))
                .collect(),
        )
    };
    let system = related(catalog, r, RelationType::PartOf)
        .into_iter()
        .find(|t| t.kind == "system")
        .cloned();
    let domain = system
        .as_ref()
        .and_then(|s| {
            related(catalog, s, RelationType::PartOf)
                .into_iter()
                .find(|t| t.kind == "domain")
                .cloned()
        })
        .or_else(|| {
            related(catalog, r, RelationType::PartOf)
                .into_iter()
                .find(|t| t.kind == "domain")
                .cloned()
        });
    json!({
        "version": INPUT_VERSION,
        "ref": r.to_string(),
        "file": e.file,
        "entity": entity_json(e),
        "relations": {
            "owner": one(RelationType::OwnedBy),
            "system": system.map_or(Value::Null, |s| summary(catalog, &s)),
            "domain": domain.map_or(Value::Null, |d| summary(catalog, &d)),
            "providesApis": many(RelationType::ProvidesApi),
            "consumesApis": many(RelationType::ConsumesApi),
            "dependsOn": many(RelationType::DependsOn),
            "dependencyOf": many(RelationType::DependencyOf),
            "members": many(RelationType::HasMember),
            "parent": one(RelationType::ChildOf),
            "children": many(RelationType::ParentOf),
        },
        "docs": docs(catalog, e),
        "repo": repo(catalog, e),
        "git": null,
    })
}
