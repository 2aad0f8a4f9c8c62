//! `$ref` resolution: JSON pointers into the definition itself, and into
//! other files inside ROOT, read through the [`Source`] before the view is
//! built (at most [`super::MAX_FILES`] of them).

use super::{MAX_FILES, Origin, YAML_BUDGET};
use crate::catalog::location::{self, PathError, is_remote, join_rel};
use crate::catalog::yaml::{self, Node, Value};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::source::Source;
use std::collections::{HashMap, HashSet};

/// Which document a node is in: `None` for the definition, the file's path
/// from ROOT for another file.
pub type DocKey<'a> = Option<&'a str>;

/// Why a `$ref` does not resolve.
pub enum RefError {
    /// A URL: linked by name, never fetched.
    Remote,
    Missing(String),
    /// A file that was not read (reported when it was tried, or over
    /// [`MAX_FILES`]).
    NotRead,
}

pub struct Refs<'a> {
    root: &'a Node,
    files: &'a HashMap<String, Node>,
    origin: &'a Origin<'a>,
    reported: HashSet<(DocKey<'a>, String)>,
    /// Resolved local pointers, by document and `$ref` text.
    memo: std::cell::RefCell<HashMap<(DocKey<'a>, &'a str), &'a Node>>,
}

fn dir_of(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(d, _)| d)
}

impl<'a> Refs<'a> {
    pub fn new(root: &'a Node, files: &'a HashMap<String, Node>, origin: &'a Origin<'a>) -> Self {
        Refs {
            root,
            files,
            origin,
            reported: HashSet::new(),
            memo: std::cell::RefCell::new(HashMap::new()),
        }
    }

    pub fn origin(&self) -> &'a Origin<'a> {
        self.origin
    }

    /// The node `r` (a `$ref` in document `from`) points at; local
    /// pointers are remembered, since a schema is referred to many times.
    pub fn resolve(
        &self,
        from: DocKey<'a>,
        r: &'a str,
    ) -> Result<(DocKey<'a>, &'a Node), RefError> {
        if r.starts_with('#') {
            if let Some(n) = self.memo.borrow().get(&(from, r)) {
                return Ok((from, n));
            }
            let found = self.resolve_uncached(from, r)?;
            self.memo.borrow_mut().insert((from, r), found.1);
            return Ok(found);
        }
        self.resolve_uncached(from, r)
    }

    fn resolve_uncached(
        &self,
        from: DocKey<'a>,
        r: &str,
    ) -> Result<(DocKey<'a>, &'a Node), RefError> {
        if is_remote(r) {
            return Err(RefError::Remote);
        }
        let (file, frag) = r.split_once('#').unwrap_or((r, ""));
        let (key, doc) = if file.is_empty() {
            let doc = match from {
                None => self.root,
                Some(f) => self.files.get(f).ok_or_else(|| missing(r))?,
            };
            (from, doc)
        } else {
            let base = dir_of(from.unwrap_or(self.origin.file));
            // A file that could not be read was reported when it was tried.
            let rel = join_rel(base, file).ok_or(RefError::NotRead)?;
            let (k, doc) = self.files.get_key_value(&rel).ok_or(RefError::NotRead)?;
            (Some(k.as_str()), doc)
        };
        pointer(doc, frag)
            .map(|n| (key, n))
            .ok_or_else(|| missing(r))
    }

    /// Reports an unresolved `$ref` once per document and text.
    pub fn report(
        &mut self,
        from: DocKey<'a>,
        at: &Node,
        why: String,
        diags: &mut Vec<Diagnostic>,
    ) {
        if !self.reported.insert((from, why.clone())) {
            return;
        }
        let (span, wh) = match from {
            None => (self.origin.span(at.pos), self.origin.where_(at.pos)),
            Some(f) => (Span::at(f, at.pos), String::new()),
        };
        diags.push(
            Diagnostic::new(Code::ApiRefUnresolved, format!("unresolved `$ref` {why}{wh}"))
                .at(span)
                .help("a `$ref` must point at a JSON pointer in this definition (`#/components/schemas/Name`) or at a file inside the catalog root"),
        );
    }
}

fn missing(r: &str) -> RefError {
    RefError::Missing(format!("`{r}`: nothing is there"))
}

/// Follows a JSON pointer fragment (`/components/schemas/Pet`).
pub fn pointer<'n>(doc: &'n Node, frag: &str) -> Option<&'n Node> {
    let frag = frag.strip_prefix('/').unwrap_or(frag);
    if frag.is_empty() {
        return Some(doc);
    }
    frag.split('/').try_fold(doc, |node, raw| {
        let part = unescape(raw);
        match &node.value {
            Value::Map(m) => m
                .iter()
                .find(|(k, _)| match k.as_str() {
                    Some(key) => key == part,
                    None => k.scalar_text().as_deref() == Some(part.as_str()),
                })
                .map(|(_, v)| v),
            Value::Seq(s) => s.get(part.parse::<usize>().ok()?),
            _ => None,
        }
    })
}

/// JSON pointer (`~1`, `~0`) and URI percent escapes.
fn unescape(raw: &str) -> String {
    let mut bytes = Vec::with_capacity(raw.len());
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(raw.get(i + 1..i + 3).unwrap_or("zz"), 16)
        {
            bytes.push(v);
            i += 3;
            continue;
        }
        bytes.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&bytes)
        .replace("~1", "/")
        .replace("~0", "~")
}

/// The `$ref` strings of `node`, with the node that holds each.
fn collect<'n>(node: &'n Node, out: &mut Vec<(&'n Node, &'n str)>) {
    match &node.value {
        Value::Map(m) => {
            for (k, v) in m.iter() {
                if k.as_str() == Some("$ref")
                    && let Some(r) = v.as_str()
                {
                    out.push((v, r));
                } else {
                    collect(v, out);
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|v| collect(v, out)),
        _ => {}
    }
}

/// A `$ref` found in a document: where, and its text.
type Found = (crate::diagnostics::Pos, String);

/// Reads the files that `$ref`s in the definition (and in those files)
/// point at, inside ROOT only.
pub fn load_files(
    source: &dyn Source,
    root: &Node,
    origin: &Origin,
    max_bytes: u64,
    diags: &mut Vec<Diagnostic>,
    notes: &mut Vec<String>,
) -> HashMap<String, Node> {
    let mut files: HashMap<String, Node> = HashMap::new();
    let mut failed: HashSet<String> = HashSet::new();
    // (file the refs are in, that file's refs' targets with positions)
    let mut queue: Vec<(Option<String>, Vec<Found>)> = Vec::new();
    let mut first = Vec::new();
    collect(root, &mut first);
    queue.push((
        None,
        first
            .into_iter()
            .map(|(n, r)| (n.pos, r.to_owned()))
            .collect(),
    ));
    let mut capped = false;
    while let Some((from, refs)) = queue.pop() {
        let base = dir_of(from.as_deref().unwrap_or(origin.file)).to_owned();
        for (pos, r) in refs {
            let file = r.split_once('#').map_or(r.as_str(), |(f, _)| f);
            if file.is_empty() || is_remote(file) {
                continue;
            }
            let span = || match &from {
                None => origin.span(pos),
                Some(f) => Span::at(f, pos),
            };
            let Some(rel) = join_rel(&base, file) else {
                if failed.insert(format!("outside:{file}")) {
                    diags.push(
                        Diagnostic::new(
                            Code::LocationOutsideRoot,
                            format!("`$ref: {r}` points outside the catalog root and was not read"),
                        )
                        .at(span())
                        .help("a definition may only refer to files inside the catalog repository"),
                    );
                }
                continue;
            };
            if files.contains_key(&rel) || failed.contains(&rel) {
                continue;
            }
            if files.len() >= MAX_FILES {
                capped = true;
                continue;
            }
            let read = match location::resolve_file(source, &rel) {
                Ok(entry) => crate::source::read_text(source, &entry.rel, max_bytes)
                    .map_err(|d| (Code::ApiRefUnresolved, d.message)),
                Err(PathError::Outside) => Err((
                    Code::LocationOutsideRoot,
                    format!("`$ref: {r}` resolves outside the catalog root and was not read"),
                )),
                Err(PathError::Missing | PathError::Directory) => Err((
                    Code::ApiRefUnresolved,
                    format!("`$ref: {r}`: file `{rel}` does not exist"),
                )),
            };
            let parsed = read.and_then(|text| {
                yaml::parse_documents(&text, YAML_BUDGET)
                    .map_err(|e| {
                        (
                            Code::ApiMalformed,
                            format!("`{rel}` line {}: {}", e.line, e.message),
                        )
                    })
                    .map(|mut docs| {
                        if docs.is_empty() {
                            Node::new(Value::Null, pos)
                        } else {
                            docs.swap_remove(0)
                        }
                    })
            });
            match parsed {
                Ok(node) => {
                    let mut more = Vec::new();
                    collect(&node, &mut more);
                    let more = more
                        .into_iter()
                        .map(|(n, r)| (n.pos, r.to_owned()))
                        .collect();
                    queue.push((Some(rel.clone()), more));
                    files.insert(rel, node);
                }
                Err((code, msg)) => {
                    failed.insert(rel);
                    diags.push(
                        Diagnostic::new(code, msg)
                            .at(span())
                            .help("fix the file the `$ref` names, or the `$ref` itself"),
                    );
                }
            }
        }
    }
    if capped {
        notes.push(format!("Only {MAX_FILES} files named by `$ref`s are read."));
    }
    files
}
