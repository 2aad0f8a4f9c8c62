//! Indexes entities by ref, resolves every reference field, and derives the
//! relations in both directions.

use super::Catalog;
use super::dangling::{self, Dangle, display_kind};
use super::model::{Entity, EntityRef, Relation, RelationType};
use super::schema::{self, RefField};
use super::yaml::Node;
use crate::diagnostics::{Code, Diagnostic, Span};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Builds the index, and returns the definitions that lost their ref to
/// another one. Entities must arrive sorted by (file, position), so that
/// which definition the index keeps is deterministic; for now that is the
/// one in the first file by path (a later change decides by history).
///
/// Every definition of a duplicated ref gets its own `E0110`, naming the
/// other files: neither is "the original" on its own say-so.
pub fn index(
    entities: Vec<Entity>,
    diags: &mut Vec<Diagnostic>,
    skipped: &mut Vec<super::Skipped>,
) -> (BTreeMap<EntityRef, Entity>, Vec<Entity>) {
    let mut map: BTreeMap<EntityRef, Entity> = BTreeMap::new();
    let mut duplicates: Vec<Entity> = Vec::new();
    for e in entities {
        if map.contains_key(&e.eref) {
            duplicates.push(e);
        } else {
            map.insert(e.eref.clone(), e);
        }
    }
    // Each duplicated ref with all its definitions, in (file, position) order.
    let mut groups: BTreeMap<&EntityRef, Vec<&Entity>> = BTreeMap::new();
    for d in &duplicates {
        groups
            .entry(&d.eref)
            .or_insert_with(|| vec![&map[&d.eref]])
            .push(d);
    }
    for (eref, defs) in groups {
        for (i, e) in defs.iter().enumerate() {
            let others: Vec<&Entity> = defs
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, o)| *o)
                .collect();
            diags.push(duplicate(eref, e, &others));
            if i > 0 {
                skipped.push(super::Skipped::new(
                    &e.file,
                    e.pos,
                    format!("`{eref}` (also defined in `{}`)", defs[0].file),
                    diags.last(),
                ));
            }
        }
    }
    (map, duplicates)
}

/// Where a definition's name is written, for pointing at it.
fn name_pos(e: &Entity) -> super::yaml::Pos {
    e.doc.at(&["metadata", "name"]).map_or(e.pos, |n| n.pos)
}

fn duplicate(eref: &EntityRef, e: &Entity, others: &[&Entity]) -> Diagnostic {
    let mut files: Vec<String> = others
        .iter()
        .map(|o| {
            if o.file == e.file {
                format!("this file (line {})", name_pos(o).line)
            } else {
                format!("`{}`", o.file)
            }
        })
        .collect();
    files.dedup();
    let mut d = Diagnostic::new(
        Code::DuplicateEntity,
        format!("`{eref}` is also defined in {}", files.join(" and ")),
    )
    .at(Span::at(&e.file, name_pos(e)))
    .help("rename one of them, or give one a different metadata.namespace; refs compare names case-insensitively");
    for o in others {
        d = d.related(Span::at(&o.file, name_pos(o)), "also defined here");
    }
    d
}

/// An edge between two catalog entities, by index in sorted ref order.
type Edge = (u32, RelationType, u32);

/// Resolves references and fills `catalog.relations`. `duplicates` are the
/// definitions that lost their ref to another file: their references are
/// checked and reported too, but they add no relations.
///
/// Entities are resolved in parallel against a hash index, and edges are
/// sorted as integer triples: sorting 100k entities' worth of string
/// triples costs a cache miss per comparison and dominated the run.
/// Dangling refs are diagnosed afterwards, in (file, position) order, so
/// that their hints depend only on the catalog (see `dangling`).
pub fn resolve(catalog: &mut Catalog, duplicates: &[Entity], diags: &mut Vec<Diagnostic>) {
    let refs: Vec<&EntityRef> = catalog.entities.keys().collect();
    let index: HashMap<&EntityRef, u32> = refs
        .iter()
        .enumerate()
        .map(|(i, r)| (*r, i as u32))
        .collect();
    let entities: Vec<(Option<u32>, &Entity)> = catalog
        .entities
        .values()
        .enumerate()
        .map(|(i, e)| (Some(i as u32), e))
        .chain(duplicates.iter().map(|e| (None, e)))
        .collect();
    let per_entity: Vec<Resolved> = entities
        .par_iter()
        .map(|&(i, entity)| resolve_entity(i, entity, catalog, &index))
        .collect();
    let mut edges: Vec<Edge> = Vec::new();
    let mut dangles: Vec<(Option<u32>, Dangle)> = Vec::new();
    for r in per_entity {
        diags.extend(r.diagnostics);
        edges.extend(r.edges);
        dangles.extend(r.dangling);
    }
    dangles
        .sort_by(|(_, a), (_, b)| (&a.entity.file, a.item.pos).cmp(&(&b.entity.file, b.item.pos)));
    let (sources, dangles): (Vec<Option<u32>>, Vec<Dangle>) = dangles.into_iter().unzip();
    diags.extend(dangling::diagnose(&dangles, catalog));
    edges.par_sort_unstable();
    edges.dedup();
    let mut by_source: BTreeMap<u32, BTreeSet<Relation>> = BTreeMap::new();
    for (src, kind, dst) in edges {
        by_source.entry(src).or_default().insert(Relation {
            kind,
            target: refs[dst as usize].clone(),
        });
    }
    // Relations to refs that are not in the catalog are kept on the source
    // side only, so pages can show "owner: payments-team (missing)".
    for (src, d) in sources.into_iter().zip(dangles) {
        if let Some(src) = src {
            by_source.entry(src).or_default().insert(Relation {
                kind: d.field.relation,
                target: d.target,
            });
        }
    }
    let relations = by_source
        .into_iter()
        .map(|(src, rels)| (refs[src as usize].clone(), rels))
        .collect();
    catalog.relations = relations;
}

struct Resolved<'a> {
    diagnostics: Vec<Diagnostic>,
    edges: Vec<Edge>,
    /// References to entities that are not in the catalog, with the index
    /// of their source (`None` for a duplicate definition).
    dangling: Vec<(Option<u32>, Dangle<'a>)>,
}

/// Resolves one entity's references. `me` is its index, or `None` for a
/// duplicate definition, whose edges are dropped.
fn resolve_entity<'a>(
    me: Option<u32>,
    entity: &'a Entity,
    catalog: &Catalog,
    index: &HashMap<&EntityRef, u32>,
) -> Resolved<'a> {
    let mut out = Resolved {
        diagnostics: Vec::new(),
        edges: Vec::new(),
        dangling: Vec::new(),
    };
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
                    out.diagnostics
                        .push(invalid_ref(entity, field, item, text, &e));
                    continue;
                }
            };
            if target == entity.eref
                && matches!(
                    field.relation,
                    RelationType::DependsOn | RelationType::DependencyOf
                )
            {
                out.diagnostics
                    .push(self_dependency(entity, field, item, text));
                continue;
            }
            match index.get(&target) {
                Some(&other) => {
                    // Backstage keeps a reference to an entity of another kind
                    // (`owner: domain:x`) with its relation, so Portolan does
                    // too, with a warning. A missing one is a dangling ref.
                    if !kind_allowed(field, &target) {
                        out.diagnostics
                            .push(wrong_kind(entity, field, item, text, &target, catalog));
                    }
                    if let Some(me) = me {
                        out.edges.push((me, field.relation, other));
                        out.edges.push((other, field.relation.inverse(), me));
                    }
                }
                None => out.dangling.push((
                    me,
                    Dangle {
                        entity,
                        field,
                        item,
                        target,
                    },
                )),
            }
        }
    }
    out
}

fn invalid_ref(
    entity: &Entity,
    field: &RefField,
    item: &Node,
    text: &str,
    e: &super::model::RefError,
) -> Diagnostic {
    let help = if field.default_kind.is_none() {
        format!(
            "`{}` has no default kind: write the kind, for example `component:{text}` or `resource:{text}`",
            field.name
        )
    } else {
        "write a reference as `[kind:][namespace/]name`, for example `group:default/payments-team`"
            .to_owned()
    };
    Diagnostic::new(
        Code::InvalidRef,
        format!("invalid reference `{text}` in `spec.{}`: {e}", field.name),
    )
    .at(Span::at(&entity.file, item.pos))
    .help(help)
}

/// `dependsOn` (or `dependencyOf`) naming the entity itself: usually a
/// copy-paste slip. No relation is drawn, so graphs have no self-loops.
fn self_dependency(entity: &Entity, field: &RefField, item: &Node, text: &str) -> Diagnostic {
    Diagnostic::new(
        Code::SelfDependency,
        format!(
            "`spec.{}: {text}` names `{}` itself",
            field.name, entity.eref
        ),
    )
    .at(Span::at(&entity.file, item.pos))
    .help(format!(
        "an entity cannot depend on itself; remove this entry from `spec.{}`, or name the component or resource meant",
        field.name
    ))
}

pub(super) fn kind_allowed(field: &RefField, target: &EntityRef) -> bool {
    field.allowed.is_empty()
        || target
            .known_kind()
            .is_some_and(|k| field.allowed.contains(&k))
}

/// The kinds a field accepts, with an article: "a Group or User".
pub(super) fn allowed_list(field: &RefField) -> String {
    let names: Vec<_> = field.allowed.iter().map(|k| k.name()).collect();
    with_article(&names.join(" or "))
}

/// "an API", "a Group".
pub(super) fn with_article(noun: &str) -> String {
    let vowel = noun.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']);
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

fn wrong_kind(
    entity: &Entity,
    field: &RefField,
    item: &Node,
    text: &str,
    target: &EntityRef,
    catalog: &Catalog,
) -> Diagnostic {
    let mut help = format!(
        "`spec.{}` should point at {}; Backstage accepts this reference and Portolan keeps its relation",
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
            "; `{alt}` exists: did you mean `{}:{}`?",
            alt.kind, alt.name
        ));
    }
    Diagnostic::new(
        Code::WrongRefKind,
        format!(
            "`spec.{}: {text}` points at {}, not {}",
            field.name,
            with_article(&display_kind(&target.kind)),
            allowed_list(field)
        ),
    )
    .at(Span::at(&entity.file, item.pos))
    .help(help)
}
