//! The diagnostics for references to entities that are not in the catalog,
//! with the most useful hint each one can have.
//!
//! Hints that cost a lookup are given to every dangling ref. A "did you
//! mean" search scans the target's kind and namespace, so only the first
//! [`SUGGESTION_BUDGET`] refs that need one get it, in (file, position)
//! order: which refs get a suggestion depends only on the catalog, never on
//! which rayon thread arrived first.

use super::Catalog;
use super::model::{Entity, EntityRef, KnownKind};
use super::schema::RefField;
use super::yaml::Node;
use crate::diagnostics::{Code, Diagnostic, Span};
use rayon::prelude::*;
use std::collections::HashMap;

/// How many dangling refs get a "did you mean" search. Each search scans
/// one kind and namespace of the catalog, so a catalog full of dangling
/// refs stays fast.
pub const SUGGESTION_BUDGET: usize = 200;

/// A reference whose target is not in the catalog.
pub struct Dangle<'a> {
    pub entity: &'a Entity,
    pub field: &'static RefField,
    pub item: &'a Node,
    pub target: EntityRef,
}

impl Dangle<'_> {
    fn text(&self) -> &str {
        self.item.as_str().unwrap_or_default()
    }
}

/// What a dangling ref's help says besides "no X named Y".
enum Hint {
    /// A field that names people or teams holds a name with `@`, which no
    /// entity name can have: an email address. The User whose name is the
    /// address's local part, when there is one.
    Email(Option<EntityRef>),
    /// The same name under another kind the field accepts, in the same namespace.
    OtherKind(EntityRef),
    /// The same kind and name in other namespaces.
    OtherNamespace(Vec<EntityRef>),
    /// A close name of the same kind and namespace.
    Close(EntityRef),
    /// Worth a "did you mean" search, when the budget allows.
    Search,
    None,
}

/// Builds one diagnostic per dangling ref. `dangles` must be sorted by
/// (file, position): the suggestion budget goes to the first ones.
pub fn diagnose(dangles: &[Dangle], catalog: &Catalog) -> Vec<Diagnostic> {
    if dangles.is_empty() {
        return Vec::new();
    }
    let names = by_kind_and_name(catalog);
    let mut hints: Vec<Hint> = dangles
        .par_iter()
        .map(|d| cheap_hint(d, catalog, &names))
        .collect();
    let searched: Vec<usize> = hints
        .iter()
        .enumerate()
        .filter(|(_, h)| matches!(h, Hint::Search))
        .map(|(i, _)| i)
        .take(SUGGESTION_BUDGET)
        .collect();
    let found: Vec<Option<EntityRef>> = searched
        .par_iter()
        .map(|&i| closest(&dangles[i].target, catalog).cloned())
        .collect();
    for (i, best) in searched.into_iter().zip(found) {
        hints[i] = best.map_or(Hint::None, Hint::Close);
    }
    dangles
        .par_iter()
        .zip(hints)
        .map(|(d, hint)| diagnostic(d, hint))
        .collect()
}

/// Every entity by (kind, name), for "it exists in another namespace".
fn by_kind_and_name(catalog: &Catalog) -> HashMap<(&str, &str), Vec<&EntityRef>> {
    let mut names: HashMap<(&str, &str), Vec<&EntityRef>> = HashMap::new();
    // Keys arrive sorted, so each list is sorted by namespace.
    for r in catalog.entities.keys() {
        names
            .entry((r.kind.as_str(), r.name.as_str()))
            .or_default()
            .push(r);
    }
    names
}

fn cheap_hint(
    d: &Dangle,
    catalog: &Catalog,
    names: &HashMap<(&str, &str), Vec<&EntityRef>>,
) -> Hint {
    let target = &d.target;
    let names_people = d
        .field
        .allowed
        .iter()
        .any(|k| matches!(k, KnownKind::User | KnownKind::Group));
    if names_people && target.name.contains('@') {
        let local = target.name.split('@').next().unwrap_or_default();
        let user = EntityRef::new("user", &target.namespace, local);
        return Hint::Email(catalog.entities.contains_key(&user).then_some(user));
    }
    // The same name under another kind is the classic mistake (`owner: guest` for a user).
    let other_kind = KnownKind::ALL
        .iter()
        .map(|k| EntityRef::new(k.lower(), &target.namespace, &target.name))
        .find(|r| {
            r.kind != target.kind
                && catalog.entities.contains_key(r)
                && super::resolve::kind_allowed(d.field, r)
        });
    if let Some(alt) = other_kind {
        return Hint::OtherKind(alt);
    }
    match names.get(&(target.kind.as_str(), target.name.as_str())) {
        Some(found) => Hint::OtherNamespace(found.iter().map(|r| (*r).clone()).collect()),
        None => Hint::Search,
    }
}

fn diagnostic(d: &Dangle, hint: Hint) -> Diagnostic {
    let (field, text, target) = (d.field.name, d.text(), &d.target);
    let message = if matches!(hint, Hint::Email(_)) {
        format!(
            "`spec.{field}: {text}` is not an entity reference: entity names cannot contain `@`"
        )
    } else {
        format!("`spec.{field}: {text}` points at `{target}`, which is not in the catalog")
    };
    let mut help = format!(
        "no {} named `{}` in namespace `{}`",
        display_kind(&target.kind),
        target.name,
        target.namespace
    );
    match hint {
        Hint::Email(Some(user)) => {
            help = format!(
                "refer to people and teams by entity, not by email: `{user}` exists, write `{field}: user:{}`",
                user.name
            );
        }
        Hint::Email(None) => {
            let local = target.name.split('@').next().unwrap_or_default();
            help = format!(
                "refer to people and teams by entity, not by email: add a User (for example `name: {local}` with `spec.profile.email: {text}`) or a Group, and write `{field}: user:{local}` or `{field}: group:<team>`"
            );
        }
        Hint::OtherKind(alt) => help.push_str(&format!(
            "; `{alt}` exists: write `{field}: {}:{}`",
            alt.kind, alt.name
        )),
        Hint::OtherNamespace(found) => {
            let list: Vec<String> = found.iter().map(|r| format!("`{r}`")).collect();
            help.push_str(&format!(
                ", but {} exists: write `{field}: {}` (a ref without a namespace means the referring entity's namespace)",
                list.join(" and "),
                found[0]
            ));
        }
        Hint::Close(best) => help.push_str(&format!("; did you mean `{}`?", best.name)),
        Hint::Search | Hint::None => {
            help.push_str("; add the entity to the catalog, or fix the name")
        }
    }
    if !super::resolve::kind_allowed(d.field, target) {
        help.push_str(&format!(
            "; `spec.{field}` should point at {}",
            super::resolve::allowed_list(d.field)
        ));
    }
    Diagnostic::new(Code::DanglingRef, message)
        .at(Span::at(&d.entity.file, d.item.pos))
        .help(help)
}

pub fn display_kind(kind: &str) -> String {
    KnownKind::parse(kind).map_or_else(|| kind.to_owned(), |k| k.name().to_owned())
}

/// The closest name of the target's kind and namespace, if one is close
/// enough to be a typo. Refs sort by kind, namespace, name, so the
/// candidates are one range of the index.
fn closest<'a>(target: &EntityRef, catalog: &'a Catalog) -> Option<&'a EntityRef> {
    let start = EntityRef {
        kind: target.kind.clone(),
        namespace: target.namespace.clone(),
        name: String::new(),
    };
    catalog
        .entities
        .range(start..)
        .map(|(r, _)| r)
        .take_while(|r| r.kind == target.kind && r.namespace == target.namespace)
        .filter_map(|r| typo_distance(&r.name, &target.name).map(|d| (d, r)))
        .min()
        .map(|(_, r)| r)
}

/// The Damerau-Levenshtein distance between two names when it is small
/// enough for one to be a typo of the other: at most a third of the longer
/// name's characters edited (at least one). Symmetric, so `team-hydra`
/// and `team-honeybadger` never suggest each other, while `team-b` and
/// `team-a`, or `db-main` and `db-mian`, do.
pub fn typo_distance(a: &str, b: &str) -> Option<usize> {
    let (la, lb) = (a.chars().count(), b.chars().count());
    let limit = (la.max(lb) / 3).max(1);
    if la.abs_diff(lb) > limit {
        return None;
    }
    let d = strsim::damerau_levenshtein(a, b);
    (d <= limit).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::typo_distance;

    #[test]
    fn only_close_names_are_typos_in_both_directions() {
        for (a, b) in [
            ("team-hydra", "team-honeybadger"),
            ("payments", "platform"),
            ("api", "web"),
        ] {
            assert_eq!(typo_distance(a, b), None, "{a} / {b}");
            assert_eq!(typo_distance(b, a), None, "{b} / {a}");
        }
        for (a, b, d) in [
            ("team-a", "team-b", 1),
            ("db-main", "db-mian", 1),
            ("payments-api", "payment-api", 1),
            ("hello-world", "hello-world-trpc", 5),
        ] {
            assert_eq!(typo_distance(a, b), Some(d), "{a} / {b}");
            assert_eq!(typo_distance(b, a), Some(d), "{b} / {a}");
        }
    }
}
