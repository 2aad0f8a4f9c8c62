//! The relation table: one row per relation type, with everything Portolan
//! needs to know about it, as in Backstage's catalog-model. Backstage's name
//! and the inverse drive resolving and the JSON export, the label drives
//! entity pages, and the input key drives the policy input. Adding a
//! relation is a [`RelationType`] variant, a row here and a test; the spec
//! fields that create it are in [`super::kinds`].

use super::model::RelationType;
use RelationType as R;

/// One relation type and everything that depends on it.
#[derive(Clone, Copy, Debug)]
pub struct RelationSpec {
    pub relation: RelationType,
    /// Backstage's camelCase name: the relation's `type` in JSON exports, and
    /// the `key` of its list on entity pages (themes match on it).
    pub name: &'static str,
    pub inverse: RelationType,
    /// The heading of its list on entity pages; `None` when it has no list
    /// there: the owner is in the quick-answers panel, and a team's page
    /// groups what it owns by kind.
    pub label: Option<&'static str>,
    /// Its key under `input.relations` for policies (docs/policies.md).
    /// `partOf` has none because it is split by the target's kind into
    /// `system` and `domain`, a special case of `scorecard::input`.
    pub input: Option<InputKey>,
}

/// Where a relation appears under `input.relations`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputKey {
    pub key: &'static str,
    /// The first target (or `null`), rather than a list of every target.
    pub single: bool,
}

const fn one(key: &'static str) -> Option<InputKey> {
    Some(InputKey { key, single: true })
}

const fn many(key: &'static str) -> Option<InputKey> {
    Some(InputKey { key, single: false })
}

/// Every relation type exactly once, in the order entity pages list them.
pub const RELATIONS: &[RelationSpec] = &[
    RelationSpec {
        relation: R::PartOf,
        name: "partOf",
        inverse: R::HasPart,
        label: Some("Part of"),
        input: None,
    },
    RelationSpec {
        relation: R::HasPart,
        name: "hasPart",
        inverse: R::PartOf,
        label: Some("Has parts"),
        input: None,
    },
    RelationSpec {
        relation: R::ProvidesApi,
        name: "providesApi",
        inverse: R::ApiProvidedBy,
        label: Some("Provides APIs"),
        input: many("providesApis"),
    },
    RelationSpec {
        relation: R::ConsumesApi,
        name: "consumesApi",
        inverse: R::ApiConsumedBy,
        label: Some("Consumes APIs"),
        input: many("consumesApis"),
    },
    RelationSpec {
        relation: R::ApiProvidedBy,
        name: "apiProvidedBy",
        inverse: R::ProvidesApi,
        label: Some("Provided by"),
        input: None,
    },
    RelationSpec {
        relation: R::ApiConsumedBy,
        name: "apiConsumedBy",
        inverse: R::ConsumesApi,
        label: Some("Consumed by"),
        input: None,
    },
    RelationSpec {
        relation: R::DependsOn,
        name: "dependsOn",
        inverse: R::DependencyOf,
        label: Some("Depends on"),
        input: many("dependsOn"),
    },
    RelationSpec {
        relation: R::DependencyOf,
        name: "dependencyOf",
        inverse: R::DependsOn,
        label: Some("Dependents"),
        input: many("dependencyOf"),
    },
    RelationSpec {
        relation: R::ChildOf,
        name: "childOf",
        inverse: R::ParentOf,
        label: Some("Parent team"),
        input: one("parent"),
    },
    RelationSpec {
        relation: R::ParentOf,
        name: "parentOf",
        inverse: R::ChildOf,
        label: Some("Sub-teams"),
        input: many("children"),
    },
    RelationSpec {
        relation: R::HasMember,
        name: "hasMember",
        inverse: R::MemberOf,
        label: Some("Members"),
        input: many("members"),
    },
    RelationSpec {
        relation: R::MemberOf,
        name: "memberOf",
        inverse: R::HasMember,
        label: Some("Member of"),
        input: None,
    },
    RelationSpec {
        relation: R::OwnedBy,
        name: "ownedBy",
        inverse: R::OwnerOf,
        label: None,
        input: one("owner"),
    },
    RelationSpec {
        relation: R::OwnerOf,
        name: "ownerOf",
        inverse: R::OwnedBy,
        label: None,
        input: None,
    },
];

/// Each relation type's row in [`RELATIONS`], by declaration order, so a
/// lookup is two array reads. Building it checks, at compile time, that
/// every variant has exactly one row.
const ROWS: [usize; RelationType::ALL.len()] = {
    let mut rows = [usize::MAX; RelationType::ALL.len()];
    assert!(
        RELATIONS.len() == RelationType::ALL.len(),
        "one row per relation type"
    );
    let mut i = 0;
    while i < RELATIONS.len() {
        let r = RELATIONS[i].relation as usize;
        assert!(rows[r] == usize::MAX, "a relation type has two rows");
        rows[r] = i;
        i += 1;
    }
    rows
};

impl RelationType {
    /// This relation's row in [`RELATIONS`] (its place in page order), for
    /// callers that keep one slot per relation.
    pub const fn row(self) -> usize {
        ROWS[self as usize]
    }

    pub const fn spec(self) -> &'static RelationSpec {
        &RELATIONS[self.row()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_relation_type_has_exactly_one_row() {
        for &r in RelationType::ALL {
            let rows = RELATIONS.iter().filter(|s| s.relation == r).count();
            assert_eq!(rows, 1, "{r:?}");
            assert_eq!(r.spec().relation, r);
        }
    }

    #[test]
    fn inverses_pair_up() {
        for spec in RELATIONS {
            let r = spec.relation;
            assert_ne!(r.inverse(), r, "{r:?} is its own inverse");
            assert_eq!(r.inverse().inverse(), r, "{r:?}");
        }
    }

    #[test]
    fn names_are_backstage_camel_case_and_unique() {
        let names: BTreeSet<_> = RELATIONS.iter().map(|s| s.name).collect();
        assert_eq!(names.len(), RELATIONS.len());
        for name in names {
            assert!(name.starts_with(|c: char| c.is_ascii_lowercase()), "{name}");
            assert!(name.chars().all(|c| c.is_ascii_alphabetic()), "{name}");
        }
        let json = serde_json::to_string(&RelationType::ApiConsumedBy).unwrap();
        assert_eq!(json, "\"apiConsumedBy\"");
    }

    #[test]
    fn labels_are_unique_and_not_empty() {
        let labels: Vec<_> = RELATIONS.iter().filter_map(|s| s.label).collect();
        assert!(labels.iter().all(|l| !l.trim().is_empty()));
        assert_eq!(labels.iter().collect::<BTreeSet<_>>().len(), labels.len());
    }

    #[test]
    fn input_keys_are_unique_and_not_empty() {
        let keys: Vec<_> = RELATIONS.iter().filter_map(|s| s.input).collect();
        assert!(keys.iter().all(|k| !k.key.is_empty()));
        let distinct: BTreeSet<_> = keys.iter().map(|k| k.key).collect();
        assert_eq!(distinct.len(), keys.len());
        // `partOf` is given as `system` and `domain` (see scorecard::input).
        assert!(!distinct.contains("system") && !distinct.contains("domain"));
    }
}
