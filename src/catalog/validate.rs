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

/// How many members of a loop a message names before it says "… N more".
const SHOWN: usize = 10;

/// Reports every loop once: each strongly connected component of the
/// graph (Tarjan's algorithm, linear in nodes and edges) that has more than
/// one member or an edge to itself gets one diagnostic, showing one cycle
/// through its smallest member, at the edge that leaves that member. The
/// cycle is the shortest one, and the message names at most [`SHOWN`]
/// members, so a chain of 8,000 groups is one line, not 8,000 paths.
fn report_cycles(graph: &Graph, what: &str, field: &str, diags: &mut Vec<Diagnostic>) {
    let mut names: BTreeSet<&EntityRef> = graph.keys().collect();
    names.extend(graph.values().flatten().map(|(t, _, _)| t));
    let names: Vec<&EntityRef> = names.into_iter().collect();
    let id = |r: &EntityRef| names.binary_search(&r).unwrap_or(0);
    let edges: Vec<Vec<usize>> = names
        .iter()
        .map(|n| {
            graph
                .get(*n)
                .into_iter()
                .flatten()
                .map(|(t, _, _)| id(t))
                .collect()
        })
        .collect();
    for members in components(&edges) {
        let first = members[0];
        let looped = members.len() > 1 || edges[first].contains(&first);
        if !looped {
            continue;
        }
        let cycle = shortest_cycle(&edges, &members, first);
        let to = names[cycle.get(1).copied().unwrap_or(first)];
        let from = &graph[names[first]];
        let (_, file, pos) = from.iter().find(|(t, _, _)| t == to).unwrap_or(&from[0]);
        let shown: Vec<String> = cycle
            .iter()
            .take(SHOWN)
            .map(|&i| names[i].to_string())
            .collect();
        let mut path = shown.join(" → ");
        if cycle.len() > SHOWN {
            path.push_str(&format!(" → … {} more", cycle.len() - SHOWN));
        }
        path.push_str(&format!(" → {}", names[first]));
        let mut message = if cycle.len() > SHOWN {
            format!("the {what} loops through {} entities: {path}", cycle.len())
        } else {
            format!("the {what} loops: {path}")
        };
        if members.len() > cycle.len() {
            message.push_str(&format!(
                " ({} entities in all are caught in loops with it)",
                members.len()
            ));
        }
        diags.push(
            Diagnostic::new(Code::Cycle, message)
                .at(Span::at(file, *pos))
                .help(format!("remove one `{field}` link so that the chain ends")),
        );
    }
}

/// The strongly connected components of a graph given as adjacency lists,
/// each sorted, in the order of their smallest member. Tarjan's algorithm,
/// iterative so that a long chain cannot overflow the stack.
fn components(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let (mut index, mut low) = (vec![UNSEEN; n], vec![0; n]);
    let mut on_stack = vec![false; n];
    let (mut stack, mut out, mut next) = (Vec::new(), Vec::new(), 0);
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        let mut calls: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut i)) = calls.last_mut() {
            if let Some(&w) = edges[v].get(*i) {
                *i += 1;
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut members = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    members.push(w);
                    if w == v {
                        break;
                    }
                }
                members.sort_unstable();
                out.push(members);
            }
        }
    }
    out.sort_unstable_by_key(|m| m[0]);
    out
}

/// The shortest cycle from `start` back to itself inside one component
/// (breadth-first, so linear in the component's size), as its members in
/// order, starting with `start`.
fn shortest_cycle(edges: &[Vec<usize>], members: &[usize], start: usize) -> Vec<usize> {
    let inside = |v: usize| members.binary_search(&v).is_ok();
    let mut came_from: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &edges[v] {
            if w == start {
                let mut cycle = vec![v];
                while let Some(&p) = came_from.get(cycle.last().unwrap_or(&start)) {
                    cycle.push(p);
                }
                if v == start {
                    cycle.clear();
                }
                cycle.push(start);
                cycle.reverse();
                cycle.dedup();
                return cycle;
            }
            if inside(w) && w != start && !came_from.contains_key(&w) {
                came_from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    vec![start]
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
