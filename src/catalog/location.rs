//! Paths that entities point at: Location targets and `$text` / `$json` /
//! `$yaml` / `$openapi` / `$asyncapi` substitutions. Both are resolved relative to the entity's file
//! and must stay inside ROOT, both lexically (`../..`) and after resolving
//! symlinks.

use super::discover::FileEntry;
use super::model::Entity;
use super::parse::{self, Parsed};
use super::yaml::{Node, Pos, Value};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::source::{Kind, ReadError, Source};

pub use crate::source::join_rel;

/// The placeholder keys Portolan substitutes, as Backstage's placeholder
/// processor and its OpenAPI module do. `$openapi` and `$asyncapi` embed
/// the file's text like `$text` (Backstage also bundles the spec's own
/// `$ref`s; Portolan does not).
pub const PLACEHOLDERS: &[&str] = &["$text", "$json", "$yaml", "$openapi", "$asyncapi"];

/// The placeholders whose file is embedded as text rather than parsed.
fn embeds_text(key: &str) -> bool {
    matches!(key, "$text" | "$openapi" | "$asyncapi")
}

pub fn is_remote(target: &str) -> bool {
    target.starts_with("http://") || target.starts_with("https://")
}

/// Why a path could not be used.
pub enum PathError {
    Outside,
    Missing,
    Directory,
}

/// Resolves `rel` to a readable file entry. The source refuses anything
/// that resolves (through symlinks) outside ROOT.
pub fn resolve_file(source: &dyn Source, rel: &str) -> Result<FileEntry, PathError> {
    match source.kind(rel) {
        Ok(Kind::File) => Ok(FileEntry {
            rel: rel.to_owned(),
            real: None,
        }),
        Ok(Kind::Dir | Kind::LinkDir) => Err(PathError::Directory),
        Ok(Kind::LinkOut) | Err(ReadError::Outside) => Err(PathError::Outside),
        Err(_) => Err(PathError::Missing),
    }
}

/// Substitutes the [`PLACEHOLDERS`] in a document's spec, the way
/// Backstage's placeholder processor does, before the schema
/// is checked. Remote URLs are left in place: Portolan never fetches from
/// the network. Returns the files the placeholders name (read or not), so
/// an edit to one of them is known to change the entity.
pub fn substitute(
    doc: &mut Node,
    file: &str,
    source: &dyn Source,
    max_bytes: u64,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
    let sub = Sub {
        source,
        max_bytes,
        dir,
        file,
        named: std::cell::RefCell::new(Vec::new()),
    };
    if let Some(spec) = doc.get_mut("spec") {
        walk(spec, &sub, diags, 0);
    }
    let mut named = sub.named.into_inner();
    named.sort();
    named.dedup();
    named
}

struct Sub<'a> {
    source: &'a dyn Source,
    max_bytes: u64,
    dir: &'a str,
    file: &'a str,
    /// Files the placeholders named, inside ROOT.
    named: std::cell::RefCell<Vec<String>>,
}

fn walk(node: &mut Node, sub: &Sub, diags: &mut Vec<Diagnostic>, depth: usize) {
    if depth > 64 {
        return;
    }
    match placeholder(node, sub, diags) {
        Placeholder::Replaced(replacement) => {
            *node = replacement;
            return;
        }
        // Already reported; an empty value keeps the schema check from
        // reporting the same field again as the wrong type.
        Placeholder::Failed => {
            *node = Node::new(Value::Str("".into()), node.pos);
            return;
        }
        Placeholder::None => {}
    }
    match &mut node.value {
        Value::Map(entries) => entries
            .iter_mut()
            .for_each(|(_, v)| walk(v, sub, diags, depth + 1)),
        Value::Seq(items) => items
            .iter_mut()
            .for_each(|v| walk(v, sub, diags, depth + 1)),
        _ => {}
    }
}

enum Placeholder {
    None,
    Replaced(Node),
    Failed,
}

fn placeholder(node: &Node, sub: &Sub, diags: &mut Vec<Diagnostic>) -> Placeholder {
    let Some([(k, v)]) = node.as_map() else {
        return Placeholder::None;
    };
    let Some(key) = k.as_str() else {
        return Placeholder::None;
    };
    if !PLACEHOLDERS.contains(&key) {
        return Placeholder::None;
    }
    match read_placeholder(key, v, sub, diags) {
        Some(n) => Placeholder::Replaced(n),
        None if v.as_str().is_some_and(is_remote) => Placeholder::None,
        None => Placeholder::Failed,
    }
}

fn read_placeholder(key: &str, v: &Node, sub: &Sub, diags: &mut Vec<Diagnostic>) -> Option<Node> {
    let Some(target) = v.as_str() else {
        diags.push(
            Diagnostic::new(
                Code::WrongType,
                format!("`{key}` must be a path string, found {}", v.type_name()),
            )
            .at(Span::at(sub.file, v.pos))
            .help("write `{$text: ./openapi.yaml}` with a path relative to this file"),
        );
        return None;
    };
    if is_remote(target) {
        return None;
    }
    let err = |code, msg: String, help: &str| {
        Diagnostic::new(code, msg)
            .at(Span::at(sub.file, v.pos))
            .help(help.to_owned())
    };
    let Some(rel) = join_rel(sub.dir, target) else {
        diags.push(err(
            Code::LocationOutsideRoot,
            format!("`{key}: {target}` points outside the catalog root"),
            "substitutions may only read files inside the catalog repository",
        ));
        return None;
    };
    sub.named.borrow_mut().push(rel.clone());
    let entry = match resolve_file(sub.source, &rel) {
        Ok(e) => e,
        Err(PathError::Outside) => {
            diags.push(err(Code::LocationOutsideRoot, format!("`{key}: {target}` resolves outside the catalog root"), "substitutions may only read files inside the catalog repository; a symlink may not lead out of it"));
            return None;
        }
        Err(PathError::Missing | PathError::Directory) => {
            diags.push(err(
                Code::Substitution,
                format!("`{key}: {target}`: file `{rel}` does not exist"),
                "the path is relative to the entity's file; check the spelling",
            ));
            return None;
        }
    };
    let text = match crate::source::read_text(sub.source, &entry.rel, sub.max_bytes) {
        Ok(t) => t,
        Err(d) => {
            diags.push(err(
                Code::Substitution,
                format!("`{key}: {target}`: {}", d.message),
                d.help.as_deref().unwrap_or(""),
            ));
            return None;
        }
    };
    if embeds_text(key) {
        return Some(Node::new(Value::Str(text.into()), v.pos));
    }
    structured(key, target, &rel, &text, v.pos)
        .map_err(|(msg, help)| {
            diags.push(err(Code::Substitution, msg, help));
        })
        .ok()
}

/// A `$json`/`$yaml` file's first document, placed at the placeholder;
/// otherwise the message and help for the diagnostic.
fn structured(
    key: &str,
    target: &str,
    rel: &str,
    text: &str,
    at: Pos,
) -> Result<Node, (String, &'static str)> {
    match parse::parse_text(rel, text) {
        Parsed::Docs(mut docs) if !docs.is_empty() => {
            let mut doc = docs.swap_remove(0);
            reposition(&mut doc, at);
            Ok(doc)
        }
        // `parse_text` never says `Empty`; that is `parse_file`'s.
        Parsed::Docs(_) | Parsed::Empty(_) => Ok(Node::new(Value::Null, at)),
        Parsed::Broken(d) => Err((
            format!("`{key}: {target}`: {}", d.message),
            "fix the referenced file",
        )),
        Parsed::NotCatalog => Err((
            format!("`{key}: {target}`: `{rel}` is not valid {}", &key[1..]),
            "fix the referenced file, or use `$text` to embed it verbatim",
        )),
    }
}

/// Points every node of substituted content at the placeholder, so that
/// later diagnostics name the entity file rather than a foreign one.
fn reposition(node: &mut Node, pos: Pos) {
    node.pos = pos;
    match &mut node.value {
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            reposition(k, pos);
            reposition(v, pos);
        }),
        Value::Seq(items) => items.iter_mut().for_each(|v| reposition(v, pos)),
        _ => {}
    }
}

/// A Location's targets with their positions.
pub fn targets(entity: &Entity) -> Vec<(&str, Pos)> {
    let mut out = Vec::new();
    if let Some(t) = entity.doc.at(&["spec", "target"])
        && let Some(s) = t.as_str()
    {
        out.push((s, t.pos));
    }
    if let Some(list) = entity.doc.at(&["spec", "targets"]).and_then(Node::as_seq) {
        out.extend(list.iter().filter_map(|t| t.as_str().map(|s| (s, t.pos))));
    }
    out
}

pub fn is_glob(target: &str) -> bool {
    target.contains(['*', '?', '['])
}
