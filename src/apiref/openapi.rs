//! OpenAPI 3.0/3.1 and Swagger 2.0: operations grouped by tag, named
//! schemas from `components.schemas` (or `definitions`).

use super::refs::DocKey;
use super::schema::{SchemaNode, Walker};
use super::{
    ApiDoc, Body, Cx, MAX_OPERATIONS, MAX_SCHEMAS, NamedSchema, OpGroup, Operation, Param,
    Response, anchor, text,
};
use crate::catalog::yaml::Node;
use std::collections::HashMap;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A named schema: its name, node and page anchor.
pub type Named<'a> = (String, &'a Node, String);

/// Named schemas, and their anchors keyed by the `$ref` that names them.
pub fn named<'a>(
    root: &'a Node,
    path: &[&str],
    prefix: &str,
) -> (Vec<Named<'a>>, HashMap<String, String>) {
    let mut list = Vec::new();
    let mut anchors = HashMap::new();
    let mut seen = HashMap::new();
    if let Some(map) = root.at(path).and_then(Node::as_map) {
        for (k, v) in map.iter().take(super::MAX_SCHEMAS) {
            let name = k.scalar_text().unwrap_or_default();
            let id = anchor("schema", &[&name], &mut seen);
            anchors.insert(format!("{prefix}{}", escape_pointer(&name)), id.clone());
            list.push((name, v, id));
        }
    }
    (list, anchors)
}

fn escape_pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

pub fn read<'a>(root: &'a Node, swagger: bool, cx: &mut Cx<'_, 'a>, doc: &mut ApiDoc) {
    let (schemas, anchors) = if swagger {
        named(root, &["definitions"], "#/definitions/")
    } else {
        named(root, &["components", "schemas"], "#/components/schemas/")
    };
    let walker = Walker {
        anchors: &anchors,
        expand_named: 1,
    };
    let listed = Walker {
        anchors: &anchors,
        expand_named: 0,
    };
    let consumes: Vec<String> = list(root, "consumes");
    let produces: Vec<String> = list(root, "produces");
    // Groups in the order of the top-level `tags`, then as first used.
    let mut groups: Vec<OpGroup> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for t in root.get("tags").and_then(Node::as_seq).unwrap_or_default() {
        if let Some(name) = text(t, "name")
            && !index.contains_key(&name)
        {
            index.insert(name.clone(), groups.len());
            groups.push(OpGroup {
                name,
                description: text(t, "description"),
                operations: Vec::new(),
            });
        }
    }
    let mut seen = HashMap::new();
    let mut total = 0usize;
    let paths = root.get("paths").and_then(Node::as_map).unwrap_or_default();
    for (pk, item) in paths {
        let path = pk.scalar_text().unwrap_or_default();
        let (item_doc, item) = deref(cx, None, item);
        let shared = item.get("parameters");
        for (mk, op) in item.as_map().unwrap_or_default() {
            let Some(method) = mk.as_str().filter(|m| METHODS.contains(m)) else {
                continue;
            };
            total += 1;
            if total > MAX_OPERATIONS {
                continue;
            }
            let tag = op
                .get("tags")
                .and_then(Node::as_seq)
                .and_then(|t| t.first())
                .and_then(Node::scalar_text)
                .unwrap_or_else(|| "default".into());
            let operation_id = text(op, "operationId");
            let id = anchor("op", &[method, &path], &mut seen);
            let mut o = Operation {
                id,
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                operation_id,
                summary: text(op, "summary"),
                description: text(op, "description"),
                deprecated: text(op, "deprecated").as_deref() == Some("true"),
                ..Operation::default()
            };
            parameters(cx, &walker, item_doc, shared, op.get("parameters"), &mut o);
            if swagger {
                let media = list(op, "consumes");
                let media = if media.is_empty() { &consumes } else { &media };
                for b in o.request.iter_mut() {
                    b.media = (!media.is_empty()).then(|| media.join(", "));
                }
            } else if let Some(rb) = op.get("requestBody") {
                let (d, rb) = deref(cx, item_doc, rb);
                o.request = content(cx, &walker, d, rb.get("content"));
                if o.request.is_empty() {
                    o.request.push(Body {
                        media: None,
                        schema: None,
                    });
                }
            }
            let prod = list(op, "produces");
            let prod = if prod.is_empty() { &produces } else { &prod };
            o.responses = responses(cx, &walker, item_doc, op.get("responses"), swagger, prod);
            let i = *index.entry(tag.clone()).or_insert_with(|| {
                groups.push(OpGroup {
                    name: tag,
                    description: None,
                    operations: Vec::new(),
                });
                groups.len() - 1
            });
            groups[i].operations.push(o);
        }
    }
    if total > MAX_OPERATIONS {
        cx.note_cut("operations", MAX_OPERATIONS, total);
    }
    doc.operation_count = total;
    groups.retain(|g| !g.operations.is_empty() || g.description.is_some());
    doc.groups = groups;
    let declared = if swagger {
        root.get("definitions")
    } else {
        root.at(&["components", "schemas"])
    };
    list_schemas(declared, schemas, &listed, cx, doc);
}

/// The schema list that ends every reader: says when [`named`] left
/// schemas out, then spends the second half of the node budget on them.
pub fn list_schemas<'a>(
    declared: Option<&'a Node>,
    schemas: Vec<Named<'a>>,
    listed: &Walker,
    cx: &mut Cx<'_, 'a>,
    doc: &mut ApiDoc,
) {
    let declared = declared.and_then(Node::as_map).map_or(0, <[_]>::len);
    if declared > MAX_SCHEMAS {
        cx.note_cut("schemas", MAX_SCHEMAS, declared);
    }
    cx.next_budget();
    doc.schemas = schemas
        .into_iter()
        .map(|(name, node, id)| NamedSchema {
            id,
            name,
            schema: listed.tree(cx, None, node),
        })
        .collect();
}

/// A node, or what its `$ref` points at (reported when it does not resolve).
pub fn deref<'a>(cx: &mut Cx<'_, 'a>, doc: DocKey<'a>, node: &'a Node) -> (DocKey<'a>, &'a Node) {
    let mut cur = (doc, node);
    for _ in 0..super::MAX_REF_DEPTH {
        let Some(r) = cur.1.get("$ref").and_then(Node::as_str) else {
            break;
        };
        match cx.refs.resolve(cur.0, r) {
            Ok(next) => cur = next,
            Err(super::refs::RefError::Remote | super::refs::RefError::NotRead) => break,
            Err(super::refs::RefError::Missing(why)) => {
                let at = cur.1.get("$ref").unwrap_or(cur.1);
                cx.refs.report(cur.0, at, why, cx.diags);
                break;
            }
        }
    }
    cur
}

fn list(n: &Node, key: &str) -> Vec<String> {
    n.get(key)
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::scalar_text)
        .collect()
}

/// Path-level and operation-level parameters (the operation's win by
/// name and location); a Swagger `in: body` parameter is the request body.
fn parameters<'a>(
    cx: &mut Cx<'_, 'a>,
    walker: &Walker,
    doc: DocKey<'a>,
    shared: Option<&'a Node>,
    own: Option<&'a Node>,
    o: &mut Operation,
) {
    let mut params: Vec<(DocKey<'a>, &'a Node)> = Vec::new();
    for p in shared.and_then(Node::as_seq).unwrap_or_default() {
        params.push(deref(cx, doc, p));
    }
    for p in own.and_then(Node::as_seq).unwrap_or_default() {
        let (d, p) = deref(cx, doc, p);
        let key = (text(p, "name"), text(p, "in"));
        params.retain(|(_, q)| (text(q, "name"), text(q, "in")) != key);
        params.push((d, p));
    }
    for (d, p) in params.into_iter().take(200) {
        let location = text(p, "in").unwrap_or_default();
        let schema = match p.get("schema") {
            Some(s) => Some(walker.tree(cx, d, s)),
            // Swagger 2.0: the type is on the parameter itself.
            None if p.get("type").is_some() => Some(walker.tree(cx, d, p)),
            None => None,
        };
        if location == "body" {
            o.request.push(Body {
                media: None,
                schema,
            });
            continue;
        }
        o.parameters.push(Param {
            name: text(p, "name").unwrap_or_default(),
            required: text(p, "required").as_deref() == Some("true") || location == "path",
            description: text(p, "description"),
            location,
            schema: schema.map(strip_description),
        });
    }
}

/// A parameter's schema shows its type; the description is the parameter's.
fn strip_description(mut s: SchemaNode) -> SchemaNode {
    s.description = None;
    s
}

/// `content: {media: {schema}}` as bodies.
fn content<'a>(
    cx: &mut Cx<'_, 'a>,
    walker: &Walker,
    doc: DocKey<'a>,
    content: Option<&'a Node>,
) -> Vec<Body> {
    content
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .take(20)
        .map(|(k, v)| Body {
            media: k.scalar_text(),
            schema: v.get("schema").map(|s| walker.tree(cx, doc, s)),
        })
        .collect()
}

fn responses<'a>(
    cx: &mut Cx<'_, 'a>,
    walker: &Walker,
    doc: DocKey<'a>,
    node: Option<&'a Node>,
    swagger: bool,
    produces: &[String],
) -> Vec<Response> {
    let mut out = Vec::new();
    for (k, v) in node
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .take(100)
    {
        let status = k.scalar_text().unwrap_or_default();
        if status.starts_with("x-") {
            continue;
        }
        let (d, v) = deref(cx, doc, v);
        let bodies = if swagger {
            v.get("schema")
                .map(|s| Body {
                    media: (!produces.is_empty()).then(|| produces.join(", ")),
                    schema: Some(walker.tree(cx, d, s)),
                })
                .into_iter()
                .collect()
        } else {
            content(cx, walker, d, v.get("content"))
        };
        out.push(Response {
            status,
            description: text(v, "description"),
            bodies,
        });
    }
    out
}
