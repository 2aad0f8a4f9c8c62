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
use std::collections::HashMap;
use std::sync::Arc;

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

/// What substitutions may embed, and the files they have read.
///
/// The budgets count bytes of substituted content: a `$text`-style file's
/// length, or the in-memory size of a `$json`/`$yaml` file's tree. One
/// entity may embed `per_entity` bytes, and the whole run `per_run`.
/// Entities are substituted one at a time in a fixed order (sorted files,
/// then documents in file order), so which substitution runs out of budget
/// never depends on thread timing. Each file is read once and shared by
/// every placeholder that names it; a file that did not fit is not kept,
/// only its size, and is read again only if a later entity has room for it.
pub struct Substitutions {
    per_entity: u64,
    run_left: u64,
    per_run: u64,
    texts: HashMap<String, Cached<Arc<str>>>,
    trees: HashMap<String, Cached<Node>>,
}

/// A file as substitution knows it.
enum Cached<T> {
    Kept(T, u64),
    /// Read once and measured, but not kept: it did not fit.
    Measured(u64),
    /// Could not be used: the message (without the placeholder) and help.
    Failed(String, String),
}

impl Substitutions {
    pub fn new(per_entity: u64, per_run: u64) -> Self {
        Substitutions {
            per_entity,
            run_left: per_run,
            per_run,
            texts: HashMap::new(),
            trees: HashMap::new(),
        }
    }
}

/// True when a document's spec holds a placeholder to substitute.
pub fn has_placeholders(doc: &Node) -> bool {
    fn walk(node: &Node, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match &node.value {
            Value::Map(entries) => {
                (entries.len() == 1
                    && entries[0]
                        .0
                        .as_str()
                        .is_some_and(|k| PLACEHOLDERS.contains(&k)))
                    || entries.iter().any(|(_, v)| walk(v, depth + 1))
            }
            Value::Seq(items) => items.iter().any(|v| walk(v, depth + 1)),
            _ => false,
        }
    }
    doc.get("spec").is_some_and(|spec| walk(spec, 0))
}

const MAX_DEPTH: usize = 64;

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
    budget: &mut Substitutions,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
    let mut sub = Sub {
        source,
        max_bytes,
        dir,
        file,
        named: Vec::new(),
        budget,
        spent: 0,
        refused: Vec::new(),
    };
    if let Some(spec) = doc.get_mut("spec") {
        walk(spec, &mut sub, diags, 0);
    }
    if let Some((what, at, why)) = sub.refused.first() {
        let more = match sub.refused.len() - 1 {
            0 => String::new(),
            1 => " (and 1 more placeholder in this entity)".to_owned(),
            n => format!(" (and {n} more placeholders in this entity)"),
        };
        diags.push(
            Diagnostic::new(Code::SubstitutionBudget, format!("{what} was not substituted: {why}{more}"))
                .at(Span::at(file, *at))
                .help("substitutions are for an API definition or a document or two per entity; embed less, or raise [catalog] max_substitution_bytes / max_total_substitution_bytes in portolan.toml"),
        );
    }
    let mut named = sub.named;
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
    named: Vec<String>,
    budget: &'a mut Substitutions,
    /// Bytes this entity has embedded.
    spent: u64,
    /// Placeholders refused for the budget: what, where, why.
    refused: Vec<(String, Pos, String)>,
}

fn walk(node: &mut Node, sub: &mut Sub, diags: &mut Vec<Diagnostic>, depth: usize) {
    if depth > MAX_DEPTH {
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

fn placeholder(node: &Node, sub: &mut Sub, diags: &mut Vec<Diagnostic>) -> Placeholder {
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

fn read_placeholder(
    key: &str,
    v: &Node,
    sub: &mut Sub,
    diags: &mut Vec<Diagnostic>,
) -> Option<Node> {
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
    sub.named.push(rel.clone());
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
    match fetch(sub, key, &entry.rel) {
        Fetched::Node(mut node) => {
            reposition(&mut node, v.pos);
            Some(node)
        }
        Fetched::Failed(msg, help) => {
            diags.push(err(
                Code::Substitution,
                format!("`{key}: {target}`: {msg}"),
                &help,
            ));
            None
        }
        Fetched::OverBudget(why) => {
            sub.refused.push((format!("`{key}: {target}`"), v.pos, why));
            None
        }
    }
}

enum Fetched {
    Node(Node),
    Failed(String, String),
    OverBudget(String),
}

/// The content for one placeholder, from the cache or read once, charged
/// to the entity's and the run's budgets.
fn fetch(sub: &mut Sub, key: &str, rel: &str) -> Fetched {
    let b = &mut *sub.budget;
    let left_entity = b.per_entity.saturating_sub(sub.spent);
    let left = left_entity.min(b.run_left);
    let why = |cost: Option<u64>, b: &Substitutions| {
        let (left, of) = if cost.map_or(left_entity == 0, |c| c > left_entity) {
            (left_entity, format!("this entity's {} bytes", b.per_entity))
        } else {
            (b.run_left, format!("the run's {} bytes", b.per_run))
        };
        match cost {
            Some(c) => format!("it is {c} bytes, and {left} bytes are left of {of}"),
            None => format!("nothing is left of {of}"),
        }
    };
    let text = embeds_text(key);
    // `$json` and `$yaml` parse the same way but name themselves in errors.
    let tree_key = format!("{key}:{rel}");
    let known = if text {
        b.texts.get(rel).map(Cached::state)
    } else {
        b.trees.get(&tree_key).map(Cached::state)
    };
    match known {
        Some(State::Failed(msg, help)) => return Fetched::Failed(msg, help),
        Some(State::Cost(cost)) if cost > left => return Fetched::OverBudget(why(Some(cost), b)),
        None if left == 0 => return Fetched::OverBudget(why(None, b)),
        _ => {}
    }
    let (node, cost) = if text {
        let cached = b.texts.remove(rel);
        let (t, cost) = match cached {
            Some(Cached::Kept(t, c)) => (t, c),
            _ => match crate::source::read_text(sub.source, rel, sub.max_bytes) {
                Ok(t) => {
                    let c = t.len() as u64;
                    (Arc::<str>::from(t), c)
                }
                Err(d) => {
                    let help = d.help.clone().unwrap_or_default();
                    b.texts.insert(
                        rel.to_owned(),
                        Cached::Failed(d.message.clone(), help.clone()),
                    );
                    return Fetched::Failed(d.message, help);
                }
            },
        };
        if cost > left {
            b.texts.insert(rel.to_owned(), Cached::Measured(cost));
            return Fetched::OverBudget(why(Some(cost), b));
        }
        let node = Node::new(Value::Str(Box::from(&*t)), Pos::default());
        b.texts.insert(rel.to_owned(), Cached::Kept(t, cost));
        (node, cost)
    } else {
        let (tree, cost) = match b.trees.remove(&tree_key) {
            Some(Cached::Kept(t, c)) => (t, c),
            _ => match crate::source::read_text(sub.source, rel, sub.max_bytes)
                .map_err(|d| (d.message, d.help.unwrap_or_default()))
                .and_then(|t| structured(key, rel, &t).map_err(|(m, h)| (m, h.to_owned())))
            {
                Ok(tree) => {
                    let c = weight(&tree);
                    (tree, c)
                }
                Err((msg, help)) => {
                    b.trees
                        .insert(tree_key, Cached::Failed(msg.clone(), help.clone()));
                    return Fetched::Failed(msg, help);
                }
            },
        };
        if cost > left {
            b.trees.insert(tree_key, Cached::Measured(cost));
            return Fetched::OverBudget(why(Some(cost), b));
        }
        b.trees.insert(tree_key, Cached::Kept(tree.clone(), cost));
        (tree, cost)
    };
    sub.spent += cost;
    b.run_left -= cost;
    Fetched::Node(node)
}

enum State {
    Cost(u64),
    Failed(String, String),
}

impl<T> Cached<T> {
    fn state(&self) -> State {
        match self {
            Cached::Kept(_, c) | Cached::Measured(c) => State::Cost(*c),
            Cached::Failed(m, h) => State::Failed(m.clone(), h.clone()),
        }
    }
}

/// What a tree costs in memory: its nodes and its scalar text.
fn weight(node: &Node) -> u64 {
    let own = std::mem::size_of::<Node>() as u64;
    own + match &node.value {
        Value::Str(s) => s.len() as u64,
        Value::Seq(items) => items.iter().map(weight).sum(),
        Value::Map(entries) => entries.iter().map(|(k, v)| weight(k) + weight(v)).sum(),
        _ => 0,
    }
}

/// A `$json`/`$yaml` file's first document; otherwise the message (without
/// the placeholder) and help for the diagnostic.
fn structured(key: &str, rel: &str, text: &str) -> Result<Node, (String, &'static str)> {
    match parse::parse_text(rel, text) {
        Parsed::Docs(mut docs) if !docs.is_empty() => Ok(docs.swap_remove(0)),
        // `parse_text` never says `Empty`; that is `parse_file`'s.
        Parsed::Docs(_) | Parsed::Empty(_) => Ok(Node::new(Value::Null, Pos::default())),
        Parsed::Broken(d) => Err((d.message, "fix the referenced file")),
        Parsed::NotCatalog => Err((
            format!("`{rel}` is not valid {}", &key[1..]),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Entry, SkipDir, Walk, WorkTree};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A working tree that counts its reads.
    struct Counting(WorkTree, AtomicUsize);

    impl Source for Counting {
        fn walk(&self, skip_dir: SkipDir) -> Walk {
            self.0.walk(skip_dir)
        }
        fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
            self.1.fetch_add(1, Ordering::Relaxed);
            self.0.read(rel, limit)
        }
        fn kind(&self, rel: &str) -> Result<Kind, ReadError> {
            self.0.kind(rel)
        }
        fn list(&self, rel: &str) -> Result<Vec<Entry>, ReadError> {
            self.0.list(rel)
        }
    }

    fn doc(placeholders: &[(&str, &str)]) -> Node {
        let items: String = placeholders
            .iter()
            .map(|(k, t)| format!("    - {k}: {t}\n"))
            .collect();
        let text = format!("spec:\n  list:\n{items}");
        super::super::yaml::parse_documents(&text, Default::default())
            .unwrap()
            .swap_remove(0)
    }

    #[test]
    fn each_file_is_read_once_and_every_copy_is_charged() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "x".repeat(100)).unwrap();
        std::fs::write(dir.path().join("b.yaml"), "k: [1, 2, 3]\n").unwrap();
        let source = Counting(WorkTree::new(dir.path()).unwrap(), AtomicUsize::new(0));
        let mut budget = Substitutions::new(1_000, 500);
        let mut diags = Vec::new();
        let mut d = doc(&[
            ("$text", "./a.txt"),
            ("$text", "./a.txt"),
            ("$yaml", "./b.yaml"),
        ]);
        substitute(&mut d, "e.yaml", &source, 1 << 20, &mut budget, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            source.1.load(Ordering::Relaxed),
            2,
            "a.txt and b.yaml, once each"
        );
        let list = d.at(&["spec", "list"]).unwrap().as_seq().unwrap();
        assert_eq!(list[1].as_str().map(str::len), Some(100));
        assert!(list[2].get("k").is_some());
        // Two copies of a.txt (200 bytes) and b.yaml's tree (5 nodes, 241
        // bytes) leave 59 of the run's 500: a third copy does not fit.
        let mut d = doc(&[("$text", "./a.txt")]);
        substitute(&mut d, "f.yaml", &source, 1 << 20, &mut budget, &mut diags);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::SubstitutionBudget);
        assert!(
            diags[0]
                .message
                .contains("59 bytes are left of the run's 500 bytes"),
            "{}",
            diags[0].message
        );
        assert_eq!(
            source.1.load(Ordering::Relaxed),
            2,
            "the size was known: no read"
        );
        assert_eq!(
            d.at(&["spec", "list"]).unwrap().as_seq().unwrap()[0].as_str(),
            Some("")
        );
    }
}
