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

/// Whether the commit that added the first file is a strict ancestor of the
/// one that added the second, from git history. Ancestry, not commit dates:
/// a date is whatever the committer says, but a pull request cannot make
/// its commits ancestors of the history it branched from.
pub type AddedBefore<'a> = &'a dyn Fn(&str, &str) -> bool;

/// An owned [`AddedBefore`], as the git reader hands it over.
pub type AddedBeforeFn = Box<dyn Fn(&str, &str) -> bool>;

/// Which of several definitions of one ref keeps it: the one whose file git
/// added before every other definition's file. Without history, or when no
/// file is strictly first (the same commit, or branches that added them
/// side by side), there is no keeper, so that no file name can win an entity.
pub fn keeper(files: &[&str], added_before: Option<AddedBefore>) -> Option<usize> {
    let before = added_before?;
    (0..files.len()).find(|&i| (0..files.len()).all(|j| j == i || before(files[i], files[j])))
}

/// Builds the index. Entities must arrive sorted by (file, position).
///
/// A ref defined more than once goes to the keeper ([`keeper`]) when there
/// is one; otherwise **no** definition is published: the ref and all its
/// definitions go to the returned conflicts, so that a newcomer cannot take
/// over an entity by choosing a file name that sorts first. Every other
/// definition is returned as a duplicate (its references are checked, but
/// it adds no relations).
///
/// Every definition of a duplicated ref gets its own `E0110`, naming the
/// other files: neither is "the original" on its own say-so.
pub fn index(
    entities: Vec<Entity>,
    added_before: Option<AddedBefore>,
    diags: &mut Vec<Diagnostic>,
    skipped: &mut Vec<super::Skipped>,
) -> Indexed {
    let mut groups: BTreeMap<EntityRef, Vec<Entity>> = BTreeMap::new();
    for e in entities {
        groups.entry(e.eref.clone()).or_default().push(e);
    }
    let mut out = Indexed::default();
    for (eref, mut defs) in groups {
        if defs.len() == 1 {
            out.entities.insert(eref, defs.swap_remove(0));
            continue;
        }
        let all: Vec<&Entity> = defs.iter().collect();
        let files: Vec<&str> = all.iter().map(|e| e.file.as_str()).collect();
        let kept = keeper(&files, added_before);
        for (i, e) in all.iter().enumerate() {
            let others: Vec<&Entity> = all
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, o)| *o)
                .collect();
            diags.push(duplicate(&eref, e, &others));
            if kept != Some(i) {
                let why = match kept {
                    Some(k) => format!(
                        "`{eref}` (also defined in `{}`, which is older)",
                        all[k].file
                    ),
                    None => format!(
                        "`{eref}` (also defined in {}; neither definition is published)",
                        others
                            .iter()
                            .map(|o| format!("`{}`", o.file))
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ),
                };
                skipped.push(super::Skipped::new(&e.file, e.pos, why, diags.last()));
            }
        }
        match kept {
            Some(k) => {
                let keeper = defs.remove(k);
                out.duplicates.extend(defs);
                out.entities.insert(eref, keeper);
            }
            None => {
                out.conflicts.insert(eref, defs);
            }
        }
    }
    out
}

/// What [`index`] built.
#[derive(Default)]
pub struct Indexed {
    pub entities: BTreeMap<EntityRef, Entity>,
    /// Definitions that lost their ref to an older one.
    pub duplicates: Vec<Entity>,
    /// Refs that no definition keeps, with every definition in file order.
    pub conflicts: BTreeMap<EntityRef, Vec<Entity>>,
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
        .chain(catalog.conflicts.values().flatten().map(|e| (None, e)))
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
                // A contested ref is in the catalog, but no definition of
                // it is published: no relation is drawn to it, and it is
                // not dangling either.
                None if catalog.conflicts.contains_key(&target) => {}
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

#[cfg(test)]
mod tests {
    use super::keeper;

    #[test]
    fn only_history_picks_a_definition_and_only_a_strictly_older_one() {
        let files = ["0-notes.yaml", "services/payments/catalog-info.yaml"];
        assert_eq!(keeper(&files, None), None, "no history: a conflict");
        let payments_first = |a: &str, b: &str| a.starts_with("services") && b == "0-notes.yaml";
        assert_eq!(
            keeper(&files, Some(&payments_first)),
            Some(1),
            "the file added first keeps it, whatever its name"
        );
        let side_by_side = |_: &str, _: &str| false;
        assert_eq!(
            keeper(&files, Some(&side_by_side)),
            None,
            "the same commit, or parallel branches: a conflict"
        );
        let three = ["a.yaml", "b.yaml", "c.yaml"];
        let a_before_b_only = |a: &str, b: &str| a == "a.yaml" && b == "b.yaml";
        assert_eq!(
            keeper(&three, Some(&a_before_b_only)),
            None,
            "first before one other is not first before all"
        );
    }
}
