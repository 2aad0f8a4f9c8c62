//! Indexes entities by ref, resolves every reference field, and derives the
//! relations in both directions.

use super::Catalog;
use super::model::{Entity, EntityRef, KnownKind, Relation, RelationType};
use super::schema::{self, RefField};
use super::yaml::Node;
use crate::diagnostics::{Code, Diagnostic, Span};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many dangling refs get a "did you mean" search. Each search scans
/// the catalog, so a catalog full of dangling refs stays fast.
const SUGGESTION_BUDGET: usize = 200;

/// Builds the index. Entities must arrive sorted by file so that "the first
/// definition wins" is deterministic.
pub fn index(
    entities: Vec<Entity>,
    diags: &mut Vec<Diagnostic>,
    skipped: &mut Vec<super::Skipped>,
) -> BTreeMap<EntityRef, Entity> {
    let mut map: BTreeMap<EntityRef, Entity> = BTreeMap::new();
    for e in entities {
        if let Some(first) = map.get(&e.eref) {
            let name_pos = e.doc.at(&["metadata", "name"]).map_or(e.pos, |n| n.pos);
            let first_pos = first
                .doc
                .at(&["metadata", "name"])
                .map_or(first.pos, |n| n.pos);
            diags.push(
                Diagnostic::new(
                    Code::DuplicateEntity,
                    format!("`{}` is defined twice: here and in `{}`", e.eref, first.file),
                )
                .at(Span::at(&e.file, name_pos))
                .related(Span::at(&first.file, first_pos), "first defined here")
                .help("rename one of them, or give one a different metadata.namespace; refs compare names case-insensitively"),
            );
            skipped.push(super::Skipped::new(
                &e.file,
                e.pos,
                format!("`{}` (second definition)", e.eref),
                diags.last(),
            ));
            continue;
        }
        map.insert(e.eref.clone(), e);
    }
    map
}

/// An edge between two catalog entities, by index in sorted ref order.
type Edge = (u32, RelationType, u32);

/// Resolves references and fills `catalog.relations`.
///
/// Entities are resolved in parallel against a hash index, and edges are
/// sorted as integer triples: sorting 100k entities' worth of string
/// triples costs a cache miss per comparison and dominated the run.
pub fn resolve(catalog: &mut Catalog, diags: &mut Vec<Diagnostic>) {
    let refs: Vec<&EntityRef> = catalog.entities.keys().collect();
    let index: HashMap<&EntityRef, u32> = refs
        .iter()
        .enumerate()
        .map(|(i, r)| (*r, i as u32))
        .collect();
    let entities: Vec<&Entity> = catalog.entities.values().collect();
    let suggestions_left = AtomicUsize::new(SUGGESTION_BUDGET);
    let per_entity: Vec<Resolved> = entities
        .par_iter()
        .enumerate()
        .map(|(i, entity)| resolve_entity(i as u32, entity, catalog, &index, &suggestions_left))
        .collect();
    let mut edges: Vec<Edge> = Vec::new();
    let mut dangling: Vec<(u32, Relation)> = Vec::new();
    for r in per_entity {
        diags.extend(r.diagnostics);
        edges.extend(r.edges);
        dangling.extend(r.dangling);
    }
    edges.par_sort_unstable();
    edges.dedup();
    let mut by_source: BTreeMap<u32, BTreeSet<Relation>> = BTreeMap::new();
    for (src, kind, dst) in edges {
        by_source.entry(src).or_default().insert(Relation {
            kind,
            target: refs[dst as usize].clone(),
        });
    }
    for (src, rel) in dangling {
        by_source.entry(src).or_default().insert(rel);
    }
    let relations = by_source
        .into_iter()
        .map(|(src, rels)| (refs[src as usize].clone(), rels))
        .collect();
    catalog.relations = relations;
}

struct Resolved {
    diagnostics: Vec<Diagnostic>,
    edges: Vec<Edge>,
    /// Relations to refs that are not in the catalog (kept on the source side
    /// only, so pages can show "owner: payments-team (missing)").
    dangling: Vec<(u32, Relation)>,
}

fn resolve_entity(
    me: u32,
    entity: &Entity,
    catalog: &Catalog,
    index: &HashMap<&EntityRef, u32>,
    suggestions_left: &AtomicUsize,
) -> Resolved {
    let mut diags = Vec::new();
    let mut edges = Vec::new();
    let mut dangling_edges = Vec::new();
    let namespace = entity.eref.namespace.as_str();
    for field in schema::ref_fields(entity.kind) {
        let Some(node) = entity.doc.at(&["spec", field.name]) else {
            continue;
        };
        let items: Vec<&Node> = if field.many {
            node.as_seq()
                .map(|s| s.iter().collect())
                .unwrap_or_default()
        } else {
            vec![node]
        };
        for item in items {
            let Some(text) = item.as_str() else {
                continue;
            };
            let target = match EntityRef::parse(text, field.default_kind, namespace) {
                Ok(t) => t,
                Err(e) => {
                    let help = if field.default_kind.is_none() {
                        format!(
                            "`{}` has no default kind: write the kind, for example `component:{text}` or `resource:{text}`",
                            field.name
                        )
                    } else {
                        "write a reference as `[kind:][namespace/]name`, for example `group:default/payments-team`".to_owned()
                    };
                    diags.push(
                        Diagnostic::new(
                            Code::InvalidRef,
                            format!("invalid reference `{text}` in `spec.{}`: {e}", field.name),
                        )
                        .at(Span::at(&entity.file, item.pos))
                        .help(help),
                    );
                    continue;
                }
            };
            if !kind_allowed(field, &target) {
                diags.push(wrong_kind(entity, field, item, text, &target, catalog));
                continue;
            }
            match index.get(&target) {
                Some(&other) => {
                    edges.push((me, field.relation, other));
                    edges.push((other, field.relation.inverse(), me));
                }
                None => {
                    let suggest = suggestions_left
                        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                        .is_ok();
                    diags.push(dangling(
                        entity, field, item, text, &target, catalog, suggest,
                    ));
                    dangling_edges.push((
                        me,
                        Relation {
                            kind: field.relation,
                            target,
                        },
                    ));
                }
            }
        }
    }
    Resolved {
        diagnostics: diags,
        edges,
        dangling: dangling_edges,
    }
}

fn kind_allowed(field: &RefField, target: &EntityRef) -> bool {
    field.allowed.is_empty()
        || target
            .known_kind()
            .is_some_and(|k| field.allowed.contains(&k))
}

fn allowed_list(field: &RefField) -> String {
    let names: Vec<_> = field.allowed.iter().map(|k| k.name()).collect();
    names.join(" or ")
}

fn wrong_kind(
    entity: &Entity,
    field: &RefField,
    item: &Node,
    text: &str,
    target: &EntityRef,
    catalog: &Catalog,
) -> Diagnostic {
    let what = if catalog.entities.contains_key(target) {
        "points at"
    } else {
        "names"
    };
    let mut help = format!(
        "`spec.{}` must point at a {}",
        field.name,
        allowed_list(field)
    );
    // Is there an entity of an allowed kind with that name? Suggest it.
    if let Some(alt) = field
        .allowed
        .iter()
        .map(|k| EntityRef::new(k.lower(), &target.namespace, &target.name))
        .find(|r| catalog.entities.contains_key(r))
    {
        help.push_str(&format!(
            "; `{alt}` exists, did you mean `{}:{}`?",
            alt.kind, alt.name
        ));
    }
    Diagnostic::new(
        Code::WrongRefKind,
        format!(
            "`spec.{}: {text}` {what} a {}, not a {}",
            field.name,
            display_kind(&target.kind),
            allowed_list(field)
        ),
    )
    .at(Span::at(&entity.file, item.pos))
    .help(help)
}

fn display_kind(kind: &str) -> String {
    KnownKind::parse(kind).map_or_else(|| kind.to_owned(), |k| k.name().to_owned())
}

fn dangling(
    entity: &Entity,
    field: &RefField,
    item: &Node,
    text: &str,
    target: &EntityRef,
    catalog: &Catalog,
    suggest: bool,
) -> Diagnostic {
    let mut help = format!(
        "no {} named `{}` in namespace `{}`",
        display_kind(&target.kind),
        target.name,
        target.namespace
    );
    // The same name under another kind is the classic mistake (`owner: guest` for a user).
    let other_kind = KnownKind::ALL
        .iter()
        .map(|k| EntityRef::new(k.lower(), &target.namespace, &target.name))
        .find(|r| {
            r.kind != target.kind && catalog.entities.contains_key(r) && kind_allowed(field, r)
        });
    if let Some(alt) = other_kind {
        help.push_str(&format!(
            "; `{alt}` exists: write `{}: {}:{}`",
            field.name, alt.kind, alt.name
        ));
    } else if let Some(best) = suggest.then(|| closest(target, catalog)).flatten() {
        help.push_str(&format!("; did you mean `{}`?", best.name));
    } else {
        help.push_str("; add the entity to the catalog, or fix the name");
    }
    help.push_str(
        " (set `dangling-ref = \"warn\"` under [diagnostics] if owners live outside the catalog)",
    );
    Diagnostic::new(
        Code::DanglingRef,
        format!(
            "`spec.{}: {text}` points at `{target}`, which is not in the catalog",
            field.name
        ),
    )
    .at(Span::at(&entity.file, item.pos))
    .help(help)
}

fn closest<'a>(target: &EntityRef, catalog: &'a Catalog) -> Option<&'a EntityRef> {
    catalog
        .entities
        .keys()
        .filter(|r| r.kind == target.kind && r.namespace == target.namespace)
        .map(|r| (strsim::jaro_winkler(&r.name, &target.name), r))
        .filter(|(score, _)| *score >= 0.88)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, r)| r)
}
