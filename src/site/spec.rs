//! What an entity page shows of `spec` beyond the common fields: a
//! Template's parameters and steps, an API's remote definition, and every
//! other spec field as a bounded key/value tree.
//!
//! Real catalogs carry fields Portolan has no view for (a deployment
//! pipeline, a plugin's settings). Dropping them would hide what the author
//! wrote, so they are shown read-only; the tree is cut at a depth and a node
//! count so that a huge spec cannot bloat the page.

use super::links::safe_url;
use crate::catalog::kinds::ref_fields;
use crate::catalog::model::Entity;
use crate::catalog::yaml::{Node, Value};
use serde::Serialize;

/// How deep the spec tree goes before a value is shown as `…`.
pub const TREE_DEPTH: usize = 6;
/// How many nodes the spec tree holds before it stops with `…`.
pub const TREE_NODES: usize = 200;
/// Longer strings in the tree are cut with `…`.
const TREE_TEXT_CHARS: usize = 300;
/// Template parameter groups, properties per group and steps shown.
const TEMPLATE_CAP: usize = 100;

/// A Backstage scaffolder Template's form and steps, read-only.
#[derive(Serialize)]
pub struct Scaffolder {
    pub parameters: Vec<ParameterGroup>,
    pub steps: Vec<Step>,
}

/// One page of the Template's form (an item of `spec.parameters`).
#[derive(Serialize)]
pub struct ParameterGroup {
    pub title: Option<String>,
    pub description: Option<String>,
    pub properties: Vec<Parameter>,
}

#[derive(Serialize)]
pub struct Parameter {
    pub name: String,
    pub title: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub description: Option<String>,
    pub required: bool,
}

#[derive(Serialize)]
pub struct Step {
    pub id: Option<String>,
    pub name: Option<String>,
    pub action: Option<String>,
}

/// An API definition that lives at a remote URL (`$openapi: https://…`),
/// which Portolan links to and never fetches.
#[derive(Serialize)]
pub struct Definition {
    /// The placeholder without `$`: `openapi`, `asyncapi`, `text`, …
    pub format: String,
    pub url: String,
}

/// One node of the spec tree: a key (none for a list item) with either a
/// scalar value or children.
#[derive(Serialize)]
pub struct TreeNode {
    pub key: Option<String>,
    pub value: Option<String>,
    pub children: Vec<TreeNode>,
}

/// The spec fields no other part of the page shows.
#[derive(Serialize)]
pub struct SpecFields {
    /// How many top-level fields there are.
    pub count: usize,
    pub nodes: Vec<TreeNode>,
}

/// What the page shows of `spec`.
pub struct SpecParts {
    pub scaffolder: Option<Scaffolder>,
    pub definition: Option<Definition>,
    pub fields: Option<SpecFields>,
}

pub fn parts(e: &Entity) -> SpecParts {
    let spec = e.doc.get("spec");
    let kind = e.eref.kind.as_str();
    let scaffolder = (kind == "template").then(|| spec.map(scaffolder)).flatten();
    let definition = (kind == "api")
        .then(|| spec.and_then(|s| s.get("definition")).and_then(remote))
        .flatten();
    let fields = spec.and_then(Node::as_map).and_then(|map| {
        let shown = |key: &str| -> bool {
            matches!(key, "type" | "lifecycle")
                || ref_fields(e.kind).iter().any(|f| f.name == key)
                || match kind {
                    "group" | "user" => key == "profile",
                    "api" => key == "definition",
                    "location" => matches!(key, "target" | "targets"),
                    "template" => matches!(key, "parameters" | "steps"),
                    _ => false,
                }
        };
        let rest: Vec<&(Node, Node)> = map
            .iter()
            .filter(|(k, _)| k.as_str().is_none_or(|k| !shown(k)))
            .collect();
        if rest.is_empty() {
            return None;
        }
        let mut budget = TREE_NODES;
        Some(SpecFields {
            count: rest.len(),
            nodes: entries(rest.into_iter(), 1, &mut budget),
        })
    });
    SpecParts {
        scaffolder,
        definition,
        fields,
    }
}

/// `{$openapi: https://…}` and the like, left in place by loading.
fn remote(def: &Node) -> Option<Definition> {
    let [(k, v)] = def.as_map()? else {
        return None;
    };
    let format = k.as_str()?.strip_prefix('$')?;
    let url = v.as_str()?.trim();
    if !crate::catalog::location::is_remote(url) {
        return None;
    }
    Some(Definition {
        format: format.to_owned(),
        url: safe_url(url)?,
    })
}

fn text(n: &Node, key: &str) -> Option<String> {
    n.get(key).and_then(Node::scalar_text)
}

/// `spec.parameters` (one group or a list of them) and `spec.steps`.
fn scaffolder(spec: &Node) -> Scaffolder {
    let groups: Vec<&Node> = match spec.get("parameters") {
        Some(n) if n.as_seq().is_some() => n.as_seq().unwrap_or_default().iter().collect(),
        Some(n) if n.as_map().is_some() => vec![n],
        _ => Vec::new(),
    };
    let parameters = groups
        .into_iter()
        .take(TEMPLATE_CAP)
        .map(|g| {
            let required: Vec<String> = g
                .get("required")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::scalar_text)
                .collect();
            let props = g
                .get("properties")
                .and_then(Node::as_map)
                .unwrap_or_default();
            ParameterGroup {
                title: text(g, "title"),
                description: text(g, "description"),
                properties: props
                    .iter()
                    .take(TEMPLATE_CAP)
                    .filter_map(|(k, p)| {
                        let name = k.scalar_text()?;
                        Some(Parameter {
                            required: required.contains(&name),
                            title: text(p, "title"),
                            kind: text(p, "type"),
                            description: text(p, "description"),
                            name,
                        })
                    })
                    .collect(),
            }
        })
        .collect();
    let steps = spec
        .get("steps")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .take(TEMPLATE_CAP)
        .map(|s| Step {
            id: text(s, "id"),
            name: text(s, "name"),
            action: text(s, "action"),
        })
        .collect();
    Scaffolder { parameters, steps }
}

/// Tree nodes for mapping entries or list items, spending `budget`.
fn entries<'n>(
    items: impl Iterator<Item = &'n (Node, Node)>,
    depth: usize,
    budget: &mut usize,
) -> Vec<TreeNode> {
    let mut out = Vec::new();
    for (k, v) in items {
        if !spend(budget, &mut out) {
            break;
        }
        out.push(tree_node(k.scalar_text(), v, depth, budget));
    }
    out
}

/// Takes one node from the budget; when it is spent, ends the list with `…`.
fn spend(budget: &mut usize, out: &mut Vec<TreeNode>) -> bool {
    if *budget == 0 {
        if out.last().is_none_or(|n| n.value.as_deref() != Some("…")) {
            out.push(TreeNode {
                key: None,
                value: Some("…".to_owned()),
                children: Vec::new(),
            });
        }
        return false;
    }
    *budget -= 1;
    true
}

fn tree_node(key: Option<String>, v: &Node, depth: usize, budget: &mut usize) -> TreeNode {
    let leaf = |value: String| TreeNode {
        key: key.clone(),
        value: Some(value),
        children: Vec::new(),
    };
    match &v.value {
        Value::Map(m) if m.is_empty() => leaf("{}".to_owned()),
        Value::Seq(s) if s.is_empty() => leaf("[]".to_owned()),
        Value::Map(_) | Value::Seq(_) if depth >= TREE_DEPTH => leaf("…".to_owned()),
        Value::Map(m) => TreeNode {
            key,
            value: None,
            children: entries(m.iter(), depth + 1, budget),
        },
        Value::Seq(items) => {
            let mut children = Vec::new();
            for item in items.iter() {
                if !spend(budget, &mut children) {
                    break;
                }
                children.push(tree_node(None, item, depth + 1, budget));
            }
            TreeNode {
                key,
                value: None,
                children,
            }
        }
        Value::Null => leaf("null".to_owned()),
        Value::Str(s) if s.is_empty() => leaf("\"\"".to_owned()),
        _ => {
            let t = v.scalar_text().unwrap_or_default();
            if t.chars().count() > TREE_TEXT_CHARS {
                let mut cut: String = t.chars().take(TREE_TEXT_CHARS).collect();
                cut.push('…');
                leaf(cut)
            } else {
                leaf(t)
            }
        }
    }
}
