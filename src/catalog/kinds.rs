//! One spec per kind: its spelling, the spec fields Portolan checks (with
//! their shapes and whether they are required), the fields that reference
//! other entities (with their default kinds, allowed kinds and relations),
//! and how the portal shows it. `schema` validates against these tables,
//! `resolve` follows the references, and `site` reads the labels.

use super::model::{KnownKind, RelationType};

/// The shape of a spec field.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shape {
    /// A non-empty string (Backstage's `minLength: 1`).
    Str,
    /// Any string, the empty one included.
    AnyStr,
    StrList,
    Map,
    List,
    /// A string, or a `$text`-style placeholder pointing at a remote URL that
    /// Portolan does not fetch.
    Definition,
}

/// A spec field of a kind.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub name: &'static str,
    pub shape: Shape,
    pub required: bool,
}

/// A spec field that references other entities.
#[derive(Clone, Copy, Debug)]
pub struct RefField {
    pub name: &'static str,
    pub many: bool,
    /// The kind assumed when the ref has none (`None`: the kind is mandatory).
    pub default_kind: Option<KnownKind>,
    /// The kinds the field may point at (empty: any kind).
    pub allowed: &'static [KnownKind],
    pub relation: RelationType,
}

const fn f(name: &'static str, shape: Shape, required: bool) -> Field {
    Field {
        name,
        shape,
        required,
    }
}

const fn r(
    name: &'static str,
    many: bool,
    default_kind: Option<KnownKind>,
    allowed: &'static [KnownKind],
    relation: RelationType,
) -> RefField {
    RefField {
        name,
        many,
        default_kind,
        allowed,
        relation,
    }
}

use KnownKind as K;
use RelationType as R;
use Shape::*;

const OWNER: RefField = r(
    "owner",
    false,
    Some(K::Group),
    &[K::Group, K::User],
    R::OwnedBy,
);
const SYSTEM: RefField = r("system", false, Some(K::System), &[K::System], R::PartOf);
const PROVIDES: RefField = r(
    "providesApis",
    true,
    Some(K::Api),
    &[K::Api],
    R::ProvidesApi,
);
const CONSUMES: RefField = r(
    "consumesApis",
    true,
    Some(K::Api),
    &[K::Api],
    R::ConsumesApi,
);
const DEPENDS_ON: RefField = r("dependsOn", true, None, &[], R::DependsOn);
const DEPENDENCY_OF: RefField = r("dependencyOf", true, None, &[], R::DependencyOf);

/// Everything Portolan knows about one kind.
#[derive(Clone, Copy, Debug)]
pub struct KindSpec {
    pub kind: KnownKind,
    /// The canonical spelling, as written in YAML (`API`).
    pub name: &'static str,
    /// The lowercase form used in refs and URLs.
    pub lower: &'static str,
    /// The heading of a list of entities of this kind (what a team owns).
    pub plural: &'static str,
    /// The spec fields Portolan checks. Fields not listed are allowed
    /// (Backstage's schemas allow additional spec properties).
    pub fields: &'static [Field],
    /// The spec fields that reference other entities.
    pub ref_fields: &'static [RefField],
    /// The default theme's page template for this kind, when it has one
    /// (other kinds use `entity.html`). Any theme may add
    /// `kinds/<lower>.html` for any kind, known or not.
    pub template: Option<&'static str>,
}

/// One spec per known kind, in [`KnownKind`] declaration order (so a lookup
/// is an index; checked below).
pub const KINDS: &[KindSpec] = &[
    KindSpec {
        kind: K::Component,
        name: "Component",
        lower: "component",
        plural: "Components",
        fields: &[
            f("type", Str, true),
            f("lifecycle", Str, true),
            f("owner", Str, true),
            f("system", Str, false),
            f("subcomponentOf", Str, false),
            f("providesApis", StrList, false),
            f("consumesApis", StrList, false),
            f("dependsOn", StrList, false),
            f("dependencyOf", StrList, false),
        ],
        ref_fields: &[
            OWNER,
            SYSTEM,
            r(
                "subcomponentOf",
                false,
                Some(K::Component),
                &[K::Component],
                R::PartOf,
            ),
            PROVIDES,
            CONSUMES,
            DEPENDS_ON,
            DEPENDENCY_OF,
        ],
        template: None,
    },
    KindSpec {
        kind: K::Api,
        name: "API",
        lower: "api",
        plural: "APIs",
        fields: &[
            f("type", Str, true),
            f("lifecycle", Str, true),
            f("owner", Str, true),
            // Required, except for `type: mcp-server` (checked in `schema`).
            f("definition", Definition, true),
            f("system", Str, false),
        ],
        ref_fields: &[OWNER, SYSTEM],
        template: None,
    },
    KindSpec {
        kind: K::Resource,
        name: "Resource",
        lower: "resource",
        plural: "Resources",
        fields: &[
            f("type", Str, true),
            f("owner", Str, true),
            f("system", Str, false),
            f("dependsOn", StrList, false),
            f("dependencyOf", StrList, false),
        ],
        ref_fields: &[OWNER, SYSTEM, DEPENDS_ON, DEPENDENCY_OF],
        template: None,
    },
    KindSpec {
        kind: K::System,
        name: "System",
        lower: "system",
        plural: "Systems",
        fields: &[
            f("owner", Str, true),
            f("domain", Str, false),
            f("type", Str, false),
        ],
        ref_fields: &[
            OWNER,
            r("domain", false, Some(K::Domain), &[K::Domain], R::PartOf),
        ],
        template: Some("kinds/system.html"),
    },
    KindSpec {
        kind: K::Domain,
        name: "Domain",
        lower: "domain",
        plural: "Domains",
        fields: &[
            f("owner", Str, true),
            f("subdomainOf", Str, false),
            f("type", Str, false),
        ],
        ref_fields: &[
            OWNER,
            r(
                "subdomainOf",
                false,
                Some(K::Domain),
                &[K::Domain],
                R::PartOf,
            ),
        ],
        template: Some("kinds/domain.html"),
    },
    KindSpec {
        kind: K::Group,
        name: "Group",
        lower: "group",
        plural: "Groups",
        fields: &[
            f("type", Str, true),
            f("children", StrList, true),
            f("parent", Str, false),
            f("members", StrList, false),
            f("profile", Map, false),
        ],
        ref_fields: &[
            r("parent", false, Some(K::Group), &[K::Group], R::ChildOf),
            r("children", true, Some(K::Group), &[K::Group], R::ParentOf),
            r("members", true, Some(K::User), &[K::User], R::HasMember),
        ],
        template: Some("kinds/group.html"),
    },
    KindSpec {
        kind: K::User,
        name: "User",
        lower: "user",
        plural: "Users",
        fields: &[f("memberOf", StrList, true), f("profile", Map, false)],
        ref_fields: &[r(
            "memberOf",
            true,
            Some(K::Group),
            &[K::Group],
            R::MemberOf,
        )],
        template: Some("kinds/user.html"),
    },
    KindSpec {
        kind: K::Location,
        name: "Location",
        lower: "location",
        plural: "Locations",
        fields: &[
            f("type", Str, false),
            f("target", Str, false),
            f("targets", StrList, false),
            f("presence", Str, false),
        ],
        ref_fields: &[],
        template: None,
    },
    KindSpec {
        kind: K::Template,
        name: "Template",
        lower: "template",
        plural: "Templates",
        fields: &[
            f("type", Str, true),
            f("owner", Str, false),
            f("lifecycle", Str, false),
            f("steps", List, true),
        ],
        ref_fields: &[OWNER],
        template: None,
    },
];

// Every known kind has exactly one spec, at its own index.
const _: () = {
    assert!(KINDS.len() == KnownKind::ALL.len(), "one spec per kind");
    let mut i = 0;
    while i < KINDS.len() {
        assert!(KINDS[i].kind as usize == i, "KINDS is in KnownKind order");
        i += 1;
    }
};

impl KnownKind {
    pub const fn spec(self) -> &'static KindSpec {
        &KINDS[self as usize]
    }
}

/// Kinds Portolan does not know load as generic entities, with the fields
/// Backstage's common entity shape has.
const GENERIC_FIELDS: &[Field] = &[
    f("owner", Str, false),
    f("system", Str, false),
    f("dependsOn", StrList, false),
    f("dependencyOf", StrList, false),
];
const GENERIC_REF_FIELDS: &[RefField] = &[OWNER, SYSTEM, DEPENDS_ON, DEPENDENCY_OF];

/// The spec fields Portolan checks (`None`: a generic entity).
pub fn fields(kind: Option<KnownKind>) -> &'static [Field] {
    kind.map_or(GENERIC_FIELDS, |k| k.spec().fields)
}

/// The reference fields, with their default kinds and relations (`None`: a
/// generic entity).
pub fn ref_fields(kind: Option<KnownKind>) -> &'static [RefField] {
    kind.map_or(GENERIC_REF_FIELDS, |k| k.spec().ref_fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::relations::RELATIONS;
    use std::collections::BTreeSet;

    /// Every known kind, then the generic one.
    fn every_kind() -> impl Iterator<Item = Option<KnownKind>> {
        KnownKind::ALL.iter().copied().map(Some).chain([None])
    }

    #[test]
    fn every_known_kind_has_exactly_one_spec() {
        for &k in KnownKind::ALL {
            assert_eq!(KINDS.iter().filter(|s| s.kind == k).count(), 1, "{k:?}");
            assert_eq!(k.spec().kind, k);
            assert_eq!(KnownKind::parse(k.name()), Some(k));
            assert_eq!(KnownKind::parse(k.lower()), Some(k));
        }
    }

    #[test]
    fn names_and_labels_are_consistent() {
        for spec in KINDS {
            assert_eq!(spec.lower, spec.name.to_ascii_lowercase());
            assert!(!spec.plural.trim().is_empty(), "{:?}", spec.kind);
            assert_ne!(spec.plural, spec.name, "{:?}", spec.kind);
            if let Some(t) = spec.template {
                assert_eq!(t, format!("kinds/{}.html", spec.lower));
            }
        }
        let plurals: BTreeSet<_> = KINDS.iter().map(|s| s.plural).collect();
        assert_eq!(plurals.len(), KINDS.len());
    }

    #[test]
    fn field_names_are_unique_per_kind() {
        for kind in every_kind() {
            let names: BTreeSet<_> = fields(kind).iter().map(|f| f.name).collect();
            assert_eq!(names.len(), fields(kind).len(), "{kind:?}");
            let refs: BTreeSet<_> = ref_fields(kind).iter().map(|f| f.name).collect();
            assert_eq!(refs.len(), ref_fields(kind).len(), "{kind:?}");
        }
    }

    #[test]
    fn every_ref_field_is_a_checked_field_of_the_matching_shape() {
        for kind in every_kind() {
            for rf in ref_fields(kind) {
                let field = fields(kind).iter().find(|f| f.name == rf.name);
                let shape = if rf.many { StrList } else { Str };
                assert_eq!(field.map(|f| f.shape), Some(shape), "{kind:?} {}", rf.name);
            }
        }
    }

    #[test]
    fn every_ref_field_has_a_known_relation_and_a_consistent_default_kind() {
        for kind in every_kind() {
            for rf in ref_fields(kind) {
                assert!(
                    RELATIONS.iter().any(|s| s.relation == rf.relation),
                    "{kind:?} {}",
                    rf.name
                );
                if let Some(default) = rf.default_kind {
                    assert!(
                        rf.allowed.is_empty() || rf.allowed.contains(&default),
                        "{kind:?} {}: the default kind is not allowed",
                        rf.name
                    );
                }
            }
        }
    }
}
