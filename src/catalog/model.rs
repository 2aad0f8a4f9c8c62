//! The Backstage entity model: kinds, references, entities and relations.

use super::yaml::{Node, Pos};
use serde::Serialize;
use std::fmt;

/// Declares a fieldless enum together with `ALL`, its variants in
/// declaration order, so that the list cannot fall behind the enum: the kind
/// and relation tables are checked against `ALL` when they are compiled.
macro_rules! enum_with_all {
    ($(#[$meta:meta])* pub enum $name:ident { $($variant:ident),* $(,)? }) => {
        $(#[$meta])*
        pub enum $name { $($variant),* }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
        }
    };
}

enum_with_all! {
    /// The kinds Backstage ships, each with one spec in
    /// [`super::kinds::KINDS`]. Anything else loads as a generic entity.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
    pub enum KnownKind {
        Component,
        Api,
        Resource,
        System,
        Domain,
        Group,
        User,
        Location,
        Template,
    }
}

impl KnownKind {
    /// Kinds are matched case-insensitively, as Backstage does for refs.
    pub fn parse(kind: &str) -> Option<KnownKind> {
        KnownKind::ALL
            .iter()
            .copied()
            .find(|k| k.name().eq_ignore_ascii_case(kind))
    }

    /// The canonical spelling, as written in YAML.
    pub const fn name(self) -> &'static str {
        self.spec().name
    }

    /// The lowercase form used in refs and URLs.
    pub const fn lower(self) -> &'static str {
        self.spec().lower
    }
}

pub const DEFAULT_NAMESPACE: &str = "default";

/// A canonical entity reference: kind, namespace and name, all lowercase,
/// because Backstage compares refs case-insensitively.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl EntityRef {
    pub fn new(kind: &str, namespace: &str, name: &str) -> Self {
        EntityRef {
            kind: kind.to_ascii_lowercase(),
            namespace: namespace.to_ascii_lowercase(),
            name: name.to_ascii_lowercase(),
        }
    }

    pub fn known_kind(&self) -> Option<KnownKind> {
        KnownKind::parse(&self.kind)
    }

    /// Parses `[kind:][namespace/]name`, filling in the field's default kind
    /// and the referring entity's namespace.
    pub fn parse(
        text: &str,
        default_kind: Option<KnownKind>,
        default_namespace: &str,
    ) -> Result<EntityRef, RefError> {
        // Backstage's parseRefString, exactly: the first `:` ends the kind
        // unless a `/` comes before it, the first `/` ends the namespace, and
        // the rest (which may hold more `:` and `/`) is the name. Only an
        // empty part is an error; an odd name is just a ref nothing matches.
        if text.is_empty() {
            return Err(RefError::Empty);
        }
        let colon = text.find(':');
        let slash = text.find('/');
        let colon = match (colon, slash) {
            (Some(c), Some(s)) if s < c => None,
            (c, _) => c,
        };
        let kind = colon.map(|c| &text[..c]);
        let namespace = slash.map(|s| &text[colon.map_or(0, |c| c + 1)..s]);
        let name = &text[colon.map_or(0, |c| c + 1).max(slash.map_or(0, |s| s + 1))..];
        if kind == Some("") {
            return Err(RefError::EmptyPart("kind"));
        }
        if namespace == Some("") {
            return Err(RefError::EmptyPart("namespace"));
        }
        if name.is_empty() {
            return Err(RefError::EmptyPart("name"));
        }
        let namespace = namespace.unwrap_or(default_namespace);
        let kind = match (kind, default_kind) {
            (Some(k), _) => k.to_owned(),
            (None, Some(d)) => d.lower().to_owned(),
            (None, None) => return Err(RefError::NoKind),
        };
        Ok(EntityRef::new(&kind, namespace, name))
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}:{}/{}", self.kind, self.namespace, self.name)
    }
}

impl Serialize for EntityRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    #[error("the reference is empty")]
    Empty,
    #[error("the {0} part of the reference is empty")]
    EmptyPart(&'static str),
    #[error("the reference has no kind, and this field has no default kind")]
    NoKind,
}

enum_with_all! {
    /// The seven relation pairs. Each variant names the relation from the
    /// source entity's point of view; [`RelationType::inverse`] gives the other
    /// side. Everything else about a relation is its row in
    /// [`super::relations::RELATIONS`]. Declaration order is the order of
    /// an entity's relations in its JSON export, so new variants go last.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum RelationType {
        OwnedBy,
        OwnerOf,
        PartOf,
        HasPart,
        DependsOn,
        DependencyOf,
        ProvidesApi,
        ApiProvidedBy,
        ConsumesApi,
        ApiConsumedBy,
        MemberOf,
        HasMember,
        ParentOf,
        ChildOf,
    }
}

impl RelationType {
    pub const fn inverse(self) -> RelationType {
        self.spec().inverse
    }

    /// Backstage's camelCase name.
    pub const fn name(self) -> &'static str {
        self.spec().name
    }
}

/// Serialized as Backstage's name (`ownedBy`), as in its relation lists.
impl Serialize for RelationType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A relation from one entity to another.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Relation {
    #[serde(rename = "type")]
    pub kind: RelationType,
    #[serde(rename = "targetRef")]
    pub target: EntityRef,
}

/// One entity as loaded from a file.
#[derive(Clone, Debug)]
pub struct Entity {
    pub eref: EntityRef,
    /// `None` for kinds Portolan does not know (they load as generic entities).
    pub kind: Option<KnownKind>,
    /// The document as written (after `$text` substitution). Shared, so
    /// that a parse `serve` keeps is the same document in the next run:
    /// stages that keep values derived from it know them still valid by
    /// identity (`Arc::ptr_eq`) instead of comparing whole documents. A new
    /// `Arc` does not mean a changed document: one with placeholders, or
    /// from a Location target, is made again on every load.
    pub doc: std::sync::Arc<Node>,
    /// The file, relative to the catalog root, with `/` separators.
    pub file: String,
    /// Where the document starts.
    pub pos: Pos,
    /// Other files its placeholders (`$text`, `$openapi`, …) name, sorted:
    /// the entity changes when one of them does.
    pub includes: Vec<String>,
}

impl Entity {
    pub fn str_at(&self, path: &[&str]) -> Option<&str> {
        self.doc.at(path)?.as_str()
    }

    pub fn name(&self) -> &str {
        self.str_at(&["metadata", "name"])
            .unwrap_or(&self.eref.name)
    }

    pub fn title(&self) -> &str {
        self.str_at(&["metadata", "title"])
            .unwrap_or_else(|| self.name())
    }

    pub fn description(&self) -> Option<&str> {
        self.str_at(&["metadata", "description"])
    }

    pub fn spec_type(&self) -> Option<&str> {
        self.str_at(&["spec", "type"])
    }

    pub fn lifecycle(&self) -> Option<&str> {
        self.str_at(&["spec", "lifecycle"])
    }

    pub fn tags(&self) -> Vec<&str> {
        self.doc
            .at(&["metadata", "tags"])
            .and_then(Node::as_seq)
            .map(|s| s.iter().filter_map(Node::as_str).collect())
            .unwrap_or_default()
    }

    /// The directory of the entity's file, relative to the root ("" for the root).
    pub fn dir(&self) -> &str {
        self.file.rsplit_once('/').map_or("", |(d, _)| d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_default_kind_and_namespace_and_are_case_insensitive() {
        let r = EntityRef::parse("Payments-Team", Some(KnownKind::Group), "Billing").unwrap();
        assert_eq!(r.to_string(), "group:billing/payments-team");
        let r = EntityRef::parse("user:Ops/Jane.Doe", Some(KnownKind::Group), "default").unwrap();
        assert_eq!(r.to_string(), "user:ops/jane.doe");
        assert_eq!(
            EntityRef::parse("orders-db", None, "default"),
            Err(RefError::NoKind)
        );
        assert_eq!(
            EntityRef::parse("component:", None, "default"),
            Err(RefError::EmptyPart("name"))
        );
        // As in Backstage, only an empty part is an error: the name keeps
        // any further separators.
        let r = EntityRef::parse("a/b/c", Some(KnownKind::Group), "default").unwrap();
        assert_eq!(r.to_string(), "group:a/b/c");
        let r = EntityRef::parse("x/y:z", Some(KnownKind::Group), "default").unwrap();
        assert_eq!(r.to_string(), "group:x/y:z");
        assert_eq!(
            EntityRef::parse("group:/x", None, "default"),
            Err(RefError::EmptyPart("namespace"))
        );
    }
}
