//! Whole-catalog checks that need every entity: cycles and membership
//! agreement. (Per-entity shape checks live in `schema`, references in
//! `resolve`.)

use super::Catalog;
use super::model::{EntityRef, KnownKind};
use super::yaml::{Node, Pos};
use crate::diagnostics::{Code, Diagnostic, Span};
use std::collections::{BTreeMap, BTreeSet};

pub fn validate(catalog: &Catalog, diags: &mut Vec<Diagnostic>) {
    cycles(catalog, diags);
    membership(catalog, diags);
}

/// An edge child → parent, remembering where it was written.
type Graph = BTreeMap<EntityRef, Vec<(EntityRef, String, Pos)>>;

fn refs_in(entity_ns: &str, node: Option<&Node>, kind: KnownKind) -> Vec<(EntityRef, Pos)> {
    let Some(node) = node else { return Vec::new() };
    let items: Vec<&Node> = match node.as_seq() {
        Some(s) => s.iter().collect(),
        None => vec![node],
    };
    items
        .into_iter()
        .filter_map(|n| {
            let r = EntityRef::parse(n.as_str()?, Some(kind), entity_ns).ok()?;
            Some((r, n.pos))
        })
        .collect()
}

fn cycles(catalog: &Catalog, diags: &mut Vec<Diagnostic>) {
    let mut groups = Graph::new();
    let mut components = Graph::new();
    let mut domains = Graph::new();
    for (r, e) in &catalog.entities {
        let ns = r.namespace.as_str();
        let spec = e.doc.get("spec");
        let field = |name: &str| spec.and_then(|s| s.get(name));
        match e.kind {
            Some(KnownKind::Group) => {
                for (parent, pos) in refs_in(ns, field("parent"), KnownKind::Group) {
                    groups
                        .entry(r.clone())
                        .or_default()
                        .push((parent, e.file.clone(), pos));
                }
                for (child, pos) in refs_in(ns, field("children"), KnownKind::Group) {
                    groups
                        .entry(child)
                        .or_default()
                        .push((r.clone(), e.file.clone(), pos));
                }
            }
            Some(KnownKind::Component) => {
                for (p, pos) in refs_in(ns, field("subcomponentOf"), KnownKind::Component) {
                    components
                        .entry(r.clone())
                        .or_default()
                        .push((p, e.file.clone(), pos));
                }
            }
            Some(KnownKind::Domain) => {
                for (p, pos) in refs_in(ns, field("subdomainOf"), KnownKind::Domain) {
                    domains
                        .entry(r.clone())
                        .or_default()
                        .push((p, e.file.clone(), pos));
                }
            }
            _ => {}
        }
    }
    report_cycles(&groups, "group hierarchy", "parent/children", diags);
    report_cycles(&components, "subcomponentOf chain", "subcomponentOf", diags);
    report_cycles(&domains, "subdomainOf chain", "subdomainOf", diags);
}

/// Finds each elementary cycle reachable by following parent edges, and
/// reports it once, at the edge leaving its smallest member.
fn report_cycles(graph: &Graph, what: &str, field: &str, diags: &mut Vec<Diagnostic>) {
    let mut state: BTreeMap<&EntityRef, u8> = BTreeMap::new(); // 1 = on stack, 2 = done
    let mut seen: BTreeSet<Vec<EntityRef>> = BTreeSet::new();
    for start in graph.keys() {
        if state.contains_key(start) {
            continue;
        }
        // Iterative DFS: (node, next edge index).
        let mut stack: Vec<(&EntityRef, usize)> = vec![(start, 0)];
        state.insert(start, 1);
        while let Some((node, i)) = stack.pop() {
            let edges = graph.get(node).map(Vec::as_slice).unwrap_or_default();
            if i >= edges.len() {
                state.insert(node, 2);
                continue;
            }
            stack.push((node, i + 1));
            let next = &edges[i].0;
            match state.get(next) {
                Some(1) => {
                    let from = stack.iter().position(|(n, _)| *n == next).unwrap_or(0);
                    let mut cycle: Vec<EntityRef> =
                        stack[from..].iter().map(|(n, _)| (*n).clone()).collect();
                    let min = cycle
                        .iter()
                        .enumerate()
                        .min_by(|a, b| a.1.cmp(b.1))
                        .map_or(0, |(i, _)| i);
                    cycle.rotate_left(min);
                    if seen.insert(cycle.clone()) {
                        let first = &cycle[0];
                        let to = cycle.get(1).unwrap_or(first);
                        let (_, file, pos) = graph[first]
                            .iter()
                            .find(|(t, _, _)| t == to)
                            .cloned()
                            .unwrap_or_else(|| graph[first][0].clone());
                        let mut path: Vec<String> = cycle.iter().map(ToString::to_string).collect();
                        path.push(first.to_string());
                        diags.push(
                            Diagnostic::new(
                                Code::Cycle,
                                format!("the {what} loops: {}", path.join(" → ")),
                            )
                            .at(Span::at(&file, pos))
                            .help(format!("remove one `{field}` link so that the chain ends")),
                        );
                    }
                }
                Some(_) => {}
                None => {
                    state.insert(next, 1);
                    stack.push((next, 0));
                }
            }
        }
    }
}

/// A list field written with at least one entry. `memberOf: []` or
/// `members: []` says nothing: Backstage merges both sides, and importers
/// often write an empty list on one side only.
fn written_list<'a>(e: &'a super::model::Entity, field: &str) -> Option<&'a Node> {
    e.doc
        .at(&["spec", field])
        .filter(|n| n.as_seq().is_some_and(|s| !s.is_empty()))
}

/// Backstage merges `members` and `memberOf`, so either alone is fine, and
/// so is an empty list on one side. When both sides are written non-empty
/// and disagree, one of them is stale.
fn membership(catalog: &Catalog, diags: &mut Vec<Diagnostic>) {
    let mut declared_members: BTreeMap<&EntityRef, BTreeMap<EntityRef, Pos>> = BTreeMap::new();
    for (r, e) in &catalog.entities {
        if e.kind == Some(KnownKind::Group)
            && let Some(list) = written_list(e, "members")
        {
            declared_members.insert(
                r,
                refs_in(&r.namespace, Some(list), KnownKind::User)
                    .into_iter()
                    .collect(),
            );
        }
    }
    // user → (group, where the group lists it), so each user is checked in
    // time proportional to its own memberships, not to the number of groups.
    let mut listed_in: BTreeMap<&EntityRef, Vec<(&EntityRef, Pos)>> = BTreeMap::new();
    for (group, members) in &declared_members {
        for (user, pos) in members {
            listed_in.entry(user).or_default().push((group, *pos));
        }
    }
    for (r, e) in &catalog.entities {
        if e.kind != Some(KnownKind::User) {
            continue;
        }
        let Some(list) = written_list(e, "memberOf") else {
            continue;
        };
        let member_of: BTreeMap<EntityRef, Pos> =
            refs_in(&r.namespace, Some(list), KnownKind::Group)
                .into_iter()
                .collect();
        for (group, pos) in &member_of {
            if let Some(members) = declared_members.get(group)
                && !members.contains_key(r)
            {
                let g = &catalog.entities[group];
                diags.push(
                        Diagnostic::new(Code::MembershipMismatch, format!("`{r}` says it is a member of `{group}`, but that group's `members` list leaves it out"))
                            .at(Span::at(&e.file, *pos))
                            .related(Span::at(&g.file, g.doc.at(&["spec", "members"]).map_or(g.pos, |n| n.pos)), "the group's members list")
                            .help(format!("add `{}` to the group's `spec.members`, or remove the group from this user's `memberOf`", r.name)),
                    );
            }
        }
        for (group, pos) in listed_in.get(r).into_iter().flatten() {
            if !member_of.contains_key(*group) {
                let g = &catalog.entities[*group];
                diags.push(
                        Diagnostic::new(Code::MembershipMismatch, format!("`{group}` lists `{r}` as a member, but the user's `memberOf` leaves the group out"))
                            .at(Span::at(&g.file, *pos))
                            .related(Span::at(&e.file, list.pos), "the user's memberOf list")
                            .help(format!("add `{}` to the user's `spec.memberOf`, or remove the user from the group's `members`", group.name)),
                    );
            }
        }
    }
}
