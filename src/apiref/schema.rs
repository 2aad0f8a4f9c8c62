//! A JSON Schema (OpenAPI / AsyncAPI flavour) as a bounded tree: each
//! node a property with its type, requiredness and constraints, `$ref`s
//! followed up to [`MAX_REF_DEPTH`] deep, a cycle shown as a named stop.

use super::refs::{DocKey, RefError};
use super::{Cx, MAX_REF_DEPTH, MAX_TREE_NODES};
use crate::catalog::yaml::{Node, Value};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Default, Serialize)]
pub struct SchemaNode {
    /// The property name, `[items]`, `oneOf`, … (none at the top).
    pub name: Option<String>,
    /// `string`, `object`, `array`, `integer | null`, …
    #[serde(rename = "type")]
    pub ty: Option<String>,
    pub required: bool,
    pub description: Option<String>,
    /// The named schema a `$ref` led to.
    pub ref_name: Option<String>,
    /// The page anchor of that named schema, when the page lists it.
    pub ref_anchor: Option<String>,
    /// `format: uuid`, `enum: a, b`, `default: 1`, …
    pub details: Vec<String>,
    /// Why the node stops here: a cycle, the depth or size limit.
    pub note: Option<String>,
    /// Shown as a link to the named schema rather than expanded here.
    pub linked: bool,
    pub children: Vec<SchemaNode>,
}

/// Walks schemas of one definition.
pub struct Walker<'w> {
    /// Anchors of named schemas by `$ref` text (`#/components/schemas/Pet`).
    pub anchors: &'w HashMap<String, String>,
    /// How many `$ref`s to named schemas (listed on the page, so linked)
    /// are expanded below the top of a tree; deeper ones are links.
    pub expand_named: usize,
}

/// One tree's walk state.
struct Tree<'a> {
    budget: usize,
    /// The schemas being expanded, innermost last (by address).
    stack: Vec<usize>,
    doc: DocKey<'a>,
    /// Named schemas expanded on the current path below the top.
    named: usize,
}

impl Walker<'_> {
    /// The tree of `node` (a schema in document `doc`).
    pub fn tree<'a>(&self, cx: &mut Cx<'_, 'a>, doc: DocKey<'a>, node: &'a Node) -> SchemaNode {
        let mut t = Tree {
            budget: MAX_TREE_NODES,
            stack: Vec::new(),
            doc,
            named: 0,
        };
        let mut out = self.walk(cx, &mut t, node, None, false, 0);
        if t.budget == 0 {
            out.note
                .get_or_insert_with(|| format!("cut after {MAX_TREE_NODES} nodes"));
        }
        out
    }

    fn walk<'a>(
        &self,
        cx: &mut Cx<'_, 'a>,
        t: &mut Tree<'a>,
        node: &'a Node,
        name: Option<String>,
        required: bool,
        depth: usize,
    ) -> SchemaNode {
        let mut out = SchemaNode {
            name,
            required,
            ..SchemaNode::default()
        };
        if t.budget == 0 || cx.budget == 0 {
            out.note = Some("…".into());
            return out;
        }
        t.budget -= 1;
        cx.budget -= 1;
        let mut node = node;
        let saved_doc = t.doc;
        let saved_named = t.named;
        let mut pushed = 0;
        // Follow `$ref` chains (a `$ref` to a `$ref`), each counted as depth.
        while let Some(r) = node.get("$ref").and_then(Node::as_str) {
            let label = r.rsplit('/').next().unwrap_or(r).to_owned();
            out.ref_name = Some(label.clone());
            let named = if t.doc.is_none() {
                self.anchors.get(r)
            } else {
                None
            };
            out.ref_anchor = named.cloned();
            match cx.refs.resolve(t.doc, r) {
                Err(RefError::Remote) => {
                    out.note = Some("remote, not fetched".into());
                    break;
                }
                Err(RefError::NotRead) => {
                    out.note = Some("in a file that was not read".into());
                    break;
                }
                Err(RefError::Missing(why)) => {
                    let at = node.get("$ref").unwrap_or(node);
                    cx.refs.report(t.doc, at, why, cx.diags);
                    out.note = Some("unresolved".into());
                    break;
                }
                Ok((doc, target)) => {
                    let addr = std::ptr::from_ref(target) as usize;
                    if t.stack.contains(&addr) {
                        out.note = Some(format!("cycle: {label} again"));
                        break;
                    }
                    if t.stack.len() >= MAX_REF_DEPTH {
                        out.note = Some("not expanded: reference depth limit".into());
                        break;
                    }
                    if named.is_some() && depth > 0 {
                        if t.named >= self.expand_named {
                            // Linked: the page lists it under Schemas.
                            out.linked = true;
                            break;
                        }
                        t.named += 1;
                    }
                    t.stack.push(addr);
                    pushed += 1;
                    t.doc = doc;
                    node = target;
                }
            }
        }
        if out.note.is_none() && !out.linked {
            self.fill(cx, t, node, &mut out, depth);
        }
        for _ in 0..pushed {
            t.stack.pop();
        }
        t.doc = saved_doc;
        t.named = saved_named;
        out
    }

    /// Type, constraints and children of a schema with no `$ref` on top.
    fn fill<'a>(
        &self,
        cx: &mut Cx<'_, 'a>,
        t: &mut Tree<'a>,
        node: &'a Node,
        out: &mut SchemaNode,
        depth: usize,
    ) {
        if out.description.is_none() {
            out.description = super::text(node, "description").map(|d| clip(&d, 500));
        }
        out.ty = match node.get("type").map(|n| &n.value) {
            Some(Value::Seq(items)) => Some(
                items
                    .iter()
                    .filter_map(Node::scalar_text)
                    .collect::<Vec<_>>()
                    .join(" | "),
            ),
            Some(_) => super::text(node, "type"),
            None if node.get("properties").is_some() => Some("object".into()),
            None => None,
        };
        for key in [
            "format", "default", "example", "pattern", "minimum", "maximum",
        ] {
            if let Some(v) = super::text(node, key) {
                out.details.push(format!("{key}: {}", clip(&v, 80)));
            }
        }
        if node.get("nullable").and_then(Node::scalar_text).as_deref() == Some("true") {
            out.details.push("nullable".into());
        }
        if node
            .get("deprecated")
            .and_then(Node::scalar_text)
            .as_deref()
            == Some("true")
        {
            out.details.push("deprecated".into());
        }
        if let Some(values) = node.get("enum").and_then(Node::as_seq) {
            let shown: Vec<String> = values
                .iter()
                .take(20)
                .filter_map(Node::scalar_text)
                .collect();
            let more = if values.len() > 20 { ", …" } else { "" };
            out.details
                .push(format!("one of: {}{more}", clip(&shown.join(", "), 300)));
        }
        if depth >= MAX_REF_DEPTH * 2 {
            if node.get("properties").is_some() || node.get("items").is_some() {
                out.note = Some("not expanded: nesting limit".into());
            }
            return;
        }
        let required: Vec<String> = node
            .get("required")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::scalar_text)
            .collect();
        if let Some(props) = node.get("properties").and_then(Node::as_map) {
            for (k, v) in props {
                let name = k.scalar_text().unwrap_or_default();
                let req = required.contains(&name);
                out.children
                    .push(self.walk(cx, t, v, Some(name), req, depth + 1));
                if t.budget == 0 || cx.budget == 0 {
                    return;
                }
            }
        }
        if let Some(items) = node.get("items") {
            out.children
                .push(self.walk(cx, t, items, Some("[items]".into()), false, depth + 1));
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            if let Some(list) = node.get(key).and_then(Node::as_seq) {
                for (i, v) in list.iter().enumerate() {
                    let label = format!("{key}[{i}]");
                    out.children
                        .push(self.walk(cx, t, v, Some(label), false, depth + 1));
                    if t.budget == 0 || cx.budget == 0 {
                        return;
                    }
                }
            }
        }
        if let Some(extra) = node.get("additionalProperties")
            && extra.as_map().is_some()
        {
            out.children.push(self.walk(
                cx,
                t,
                extra,
                Some("[additionalProperties]".into()),
                false,
                depth + 1,
            ));
        }
    }
}

/// `s` cut to `max` characters with `…`.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}
