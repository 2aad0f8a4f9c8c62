//! What each kind's spec holds: the fields Portolan checks (with their
//! shapes and whether they are required) and the fields that reference
//! other entities (with their default kinds, allowed kinds and relations).
//! `schema` validates against these tables; `resolve` and `validate` follow
//! the references.

use super::model::{KnownKind, RelationType};

/// The shape of a spec field.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Shape {
    Str,
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

/// The spec fields Portolan checks, per kind. Fields not listed are allowed
/// (Backstage's schemas allow additional spec properties).
pub fn fields(kind: Option<KnownKind>) -> &'static [Field] {
    match kind {
        Some(K::Component) => {
            const {
                &[
                    f("type", Str, true),
                    f("lifecycle", Str, true),
                    f("owner", Str, true),
                    f("system", Str, false),
                    f("subcomponentOf", Str, false),
                    f("providesApis", StrList, false),
                    f("consumesApis", StrList, false),
                    f("dependsOn", StrList, false),
                    f("dependencyOf", StrList, false),
                ]
            }
        }
        Some(K::Api) => {
            const {
                &[
                    f("type", Str, true),
                    f("lifecycle", Str, true),
                    f("owner", Str, true),
                    f("definition", Definition, false),
                    f("system", Str, false),
                ]
            }
        }
        Some(K::Resource) => {
            const {
                &[
                    f("type", Str, true),
                    f("owner", Str, true),
                    f("system", Str, false),
                    f("dependsOn", StrList, false),
                    f("dependencyOf", StrList, false),
                ]
            }
        }
        Some(K::System) => {
            const {
                &[
                    f("owner", Str, true),
                    f("domain", Str, false),
                    f("type", Str, false),
                ]
            }
        }
        Some(K::Domain) => {
            const {
                &[
                    f("owner", Str, true),
                    f("subdomainOf", Str, false),
                    f("type", Str, false),
                ]
            }
        }
        Some(K::Group) => {
            const {
                &[
                    f("type", Str, true),
                    f("children", StrList, true),
                    f("parent", Str, false),
                    f("members", StrList, false),
                    f("profile", Map, false),
                ]
            }
        }
        Some(K::User) => const { &[f("memberOf", StrList, false), f("profile", Map, false)] },
        Some(K::Location) => {
            const {
                &[
                    f("type", Str, false),
                    f("target", Str, false),
                    f("targets", StrList, false),
                    f("presence", Str, false),
                ]
            }
        }
        Some(K::Template) => {
            const {
                &[
                    f("type", Str, true),
                    f("owner", Str, false),
                    f("steps", List, true),
                ]
            }
        }
        None => {
            const {
                &[
                    f("owner", Str, false),
                    f("system", Str, false),
                    f("dependsOn", StrList, false),
                    f("dependencyOf", StrList, false),
                ]
            }
        }
    }
}

/// The reference fields per kind, with their default kinds and relations.
pub fn ref_fields(kind: Option<KnownKind>) -> &'static [RefField] {
    match kind {
        Some(K::Component) => {
            const {
                &[
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
                ]
            }
        }
        Some(K::Api) => const { &[OWNER, SYSTEM] },
        Some(K::Resource) => const { &[OWNER, SYSTEM, DEPENDS_ON, DEPENDENCY_OF] },
        Some(K::System) => {
            const {
                &[
                    OWNER,
                    r("domain", false, Some(K::Domain), &[K::Domain], R::PartOf),
                ]
            }
        }
        Some(K::Domain) => {
            const {
                &[
                    OWNER,
                    r(
                        "subdomainOf",
                        false,
                        Some(K::Domain),
                        &[K::Domain],
                        R::PartOf,
                    ),
                ]
            }
        }
        Some(K::Group) => {
            const {
                &[
                    r("parent", false, Some(K::Group), &[K::Group], R::ChildOf),
                    r("children", true, Some(K::Group), &[K::Group], R::ParentOf),
                    r("members", true, Some(K::User), &[K::User], R::HasMember),
                ]
            }
        }
        Some(K::User) => {
            const {
                &[r(
                    "memberOf",
                    true,
                    Some(K::Group),
                    &[K::Group],
                    R::MemberOf,
                )]
            }
        }
        Some(K::Location) => const { &[] },
        Some(K::Template) => const { &[OWNER] },
        None => const { &[OWNER, SYSTEM, DEPENDS_ON, DEPENDENCY_OF] },
    }
}
