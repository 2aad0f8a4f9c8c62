//! AsyncAPI 2.x and 3.x: operations grouped by channel, each with its
//! messages (payload and headers as schema trees).

use super::openapi::{deref, list_schemas, named};
use super::refs::DocKey;
use super::schema::Walker;
use super::{ApiDoc, Cx, MAX_OPERATIONS, Message, OpGroup, Operation, anchor, text};
use crate::catalog::yaml::Node;
use std::collections::HashMap;

pub fn read<'a>(root: &'a Node, cx: &mut Cx<'_, 'a>, doc: &mut ApiDoc) {
    let (schemas, anchors) = named(root, &["components", "schemas"], "#/components/schemas/");
    let walker = Walker {
        anchors: &anchors,
        expand_named: 1,
    };
    let listed = Walker {
        anchors: &anchors,
        expand_named: 0,
    };
    let v3 = text(root, "asyncapi").is_some_and(|v| !v.starts_with('2') && !v.starts_with('1'));
    let mut seen = HashMap::new();
    let mut total = 0usize;
    let mut groups: Vec<OpGroup> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let channels = root
        .get("channels")
        .and_then(Node::as_map)
        .unwrap_or_default();
    for (k, ch) in channels {
        let key = k.scalar_text().unwrap_or_default();
        let (_, ch) = deref(cx, None, ch);
        index.insert(key.clone(), groups.len());
        let name = if v3 {
            text(ch, "address").unwrap_or_else(|| key.clone())
        } else {
            key.clone()
        };
        groups.push(OpGroup {
            name,
            description: text(ch, "description"),
            operations: Vec::new(),
        });
        if v3 {
            continue;
        }
        // AsyncAPI 2: the channel holds its operations.
        for action in ["publish", "subscribe"] {
            let Some(op) = ch.get(action) else { continue };
            total += 1;
            if total > MAX_OPERATIONS {
                continue;
            }
            let (d, op) = deref(cx, None, op);
            let mut o = operation(op, action, &key, &mut seen);
            if let Some(m) = op.get("message") {
                o.messages = messages_of(cx, &walker, d, m);
            }
            let i = index[&key];
            groups[i].operations.push(o);
        }
    }
    if v3 {
        let ops = root
            .get("operations")
            .and_then(Node::as_map)
            .unwrap_or_default();
        for (k, op) in ops {
            total += 1;
            if total > MAX_OPERATIONS {
                continue;
            }
            let (d, op) = deref(cx, None, op);
            let action = text(op, "action").unwrap_or_else(|| "operation".into());
            // `channel: {$ref: '#/channels/<key>'}`
            let channel_ref = op.at(&["channel", "$ref"]).and_then(Node::as_str);
            let channel_key = channel_ref
                .and_then(|r| r.strip_prefix("#/channels/"))
                .map(|c| c.replace("~1", "/").replace("~0", "~"));
            let (cd, channel) = match op.get("channel") {
                Some(c) => {
                    let (cd, c) = deref(cx, d, c);
                    (cd, Some(c))
                }
                None => (d, None),
            };
            let address = channel
                .and_then(|c| text(c, "address"))
                .or_else(|| channel_key.clone())
                .unwrap_or_default();
            let mut o = operation(op, &action, &address, &mut seen);
            o.operation_id = k.scalar_text();
            o.messages = match op.get("messages").and_then(Node::as_seq) {
                Some(list) if !list.is_empty() => list
                    .iter()
                    .take(50)
                    .map(|m| message(cx, &walker, d, m, None))
                    .collect(),
                _ => channel
                    .and_then(|c| c.get("messages"))
                    .and_then(Node::as_map)
                    .unwrap_or_default()
                    .iter()
                    .take(50)
                    .map(|(mk, m)| message(cx, &walker, cd, m, mk.scalar_text()))
                    .collect(),
            };
            let group = channel_key.unwrap_or_else(|| address.clone());
            let i = *index.entry(group).or_insert_with(|| {
                groups.push(OpGroup {
                    name: address.clone(),
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
    doc.groups = groups;
    list_schemas(
        root.at(&["components", "schemas"]),
        schemas,
        &listed,
        cx,
        doc,
    );
}

fn operation(op: &Node, action: &str, path: &str, seen: &mut HashMap<String, usize>) -> Operation {
    Operation {
        id: anchor("op", &[action, path], seen),
        method: action.to_ascii_uppercase(),
        path: path.to_owned(),
        operation_id: text(op, "operationId"),
        summary: text(op, "summary").or_else(|| text(op, "title")),
        description: text(op, "description"),
        deprecated: text(op, "deprecated").as_deref() == Some("true"),
        ..Operation::default()
    }
}

/// An AsyncAPI 2 `message`: one message, or `oneOf` several.
fn messages_of<'a>(
    cx: &mut Cx<'_, 'a>,
    walker: &Walker,
    doc: DocKey<'a>,
    m: &'a Node,
) -> Vec<Message> {
    let (d, m) = deref(cx, doc, m);
    match m.get("oneOf").and_then(Node::as_seq) {
        Some(list) => list
            .iter()
            .take(50)
            .map(|x| message(cx, walker, d, x, None))
            .collect(),
        None => vec![message(cx, walker, d, m, None)],
    }
}

fn message<'a>(
    cx: &mut Cx<'_, 'a>,
    walker: &Walker,
    doc: DocKey<'a>,
    m: &'a Node,
    key: Option<String>,
) -> Message {
    let ref_name = m
        .get("$ref")
        .and_then(Node::as_str)
        .and_then(|r| r.rsplit('/').next())
        .map(str::to_owned);
    let (d, m) = deref(cx, doc, m);
    // AsyncAPI 3 allows `payload: {schemaFormat, schema}`.
    let payload = m
        .get("payload")
        .map(|p| match (p.get("schemaFormat"), p.get("schema")) {
            (Some(_), Some(s)) => s,
            _ => p,
        });
    Message {
        name: text(m, "name")
            .or(key)
            .or(ref_name)
            .unwrap_or_else(|| "message".into()),
        title: text(m, "title"),
        summary: text(m, "summary").or_else(|| text(m, "description")),
        content_type: text(m, "contentType"),
        headers: m.get("headers").map(|h| walker.tree(cx, d, h)),
        payload: payload.map(|p| walker.tree(cx, d, p)),
    }
}
