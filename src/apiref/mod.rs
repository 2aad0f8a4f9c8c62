//! API reference: what an API entity's page shows of its definition.
//!
//! The definition is the string in `spec.definition` (inline, or read by a
//! `$text` / `$openapi` / `$asyncapi` placeholder during loading). It is
//! parsed once per run, here, into a bounded view that the entity page
//! renders with the theme (every string autoescaped): OpenAPI 3.x and
//! Swagger 2.0 operations grouped by tag, AsyncAPI 2 and 3 operations
//! grouped by channel, GraphQL SDL and `.proto` type lists with the source.
//! A definition that does not parse is a diagnostic and the page still
//! shows what could be read, plus the raw file to download.
//!
//! Limits (constants below; a definition that passes one gets `E0512`):
//! [`MAX_OPERATIONS`] operations, [`MAX_SCHEMAS`] named schemas,
//! [`MAX_TREE_NODES`] nodes per schema tree and [`MAX_DOC_NODES`] per
//! definition, `$ref`s followed [`MAX_REF_DEPTH`] deep, [`MAX_FILES`]
//! other files read for `$ref`s, and [`YAML_BUDGET`] for parsing.

mod asyncapi;
mod idl;
mod openapi;
mod refs;
mod schema;

use crate::catalog::Catalog;
use crate::catalog::model::{Entity, EntityRef};
use crate::catalog::yaml::{self, Node, Pos};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::source::Source;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// Operations (OpenAPI paths × methods, AsyncAPI operations) shown.
pub const MAX_OPERATIONS: usize = 2_000;
/// Named schemas (`components.schemas`, `definitions`) and messages shown.
pub const MAX_SCHEMAS: usize = 1_000;
/// Nodes of one schema tree (properties, items, …).
pub const MAX_TREE_NODES: usize = 200;
/// Schema nodes of one whole definition: half for the operations, half
/// for the list of named schemas (so that the schemas the operations link
/// to are shown however many operations there are).
pub const MAX_DOC_NODES: usize = 20_000;
/// How many `$ref`s deep a schema is expanded; deeper ones are named only.
pub const MAX_REF_DEPTH: usize = 8;
/// Other files (inside ROOT) read to resolve `$ref`s, per definition.
pub const MAX_FILES: usize = 32;
/// Types, services or messages listed for GraphQL and protobuf.
pub const MAX_TYPES: usize = 5_000;
/// The YAML/JSON parser's budget for one definition.
pub const YAML_BUDGET: yaml::Budget = yaml::Budget {
    max_nodes: 2_000_000,
    max_depth: 128,
    // The catalog's defaults for what anchors may copy: a definition gets
    // no more room for alias expansion than an entity file.
    free_copies: 2_000,
    free_copy_bytes: 16 * 1024,
    copy_bytes_factor: 4,
};

/// What an API page shows of its definition.
#[derive(Debug, Default, Serialize)]
pub struct ApiDoc {
    /// `OpenAPI 3.1.0`, `Swagger 2.0`, `AsyncAPI 3.0.0`, `GraphQL`, `gRPC`, `Text`.
    pub format: String,
    pub title: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
    /// The raw definition, next to the page.
    pub download: String,
    /// Operations grouped by tag (OpenAPI) or by channel (AsyncAPI).
    pub groups: Vec<OpGroup>,
    pub operation_count: usize,
    pub schemas: Vec<NamedSchema>,
    /// GraphQL types or protobuf messages, enums and services.
    pub types: Vec<IdlType>,
    /// The source, for formats shown as text.
    pub source: Option<String>,
    /// The language `source` is highlighted as (`graphql`, `proto`), if any.
    #[serde(skip)]
    pub language: Option<&'static str>,
    /// Limits that cut what is shown, and parse errors, in words.
    pub notes: Vec<String>,
    /// Files read for `$ref`s, sorted: the page changes when one does.
    #[serde(skip)]
    pub files: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct OpGroup {
    pub name: String,
    pub description: Option<String>,
    pub operations: Vec<Operation>,
}

#[derive(Debug, Default, Serialize)]
pub struct Operation {
    /// The page anchor: stable, unique in the page, `[a-z0-9-]` only.
    pub id: String,
    /// `GET`, `POST`, … or `SEND`/`RECEIVE`/`PUBLISH`/`SUBSCRIBE`.
    pub method: String,
    /// The path, or the channel's address.
    pub path: String,
    pub operation_id: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    pub parameters: Vec<Param>,
    pub request: Vec<Body>,
    pub responses: Vec<Response>,
    pub messages: Vec<Message>,
}

#[derive(Debug, Serialize)]
pub struct Param {
    pub name: String,
    /// `path`, `query`, `header`, `cookie`, `body`, `formData`.
    pub location: String,
    pub required: bool,
    pub description: Option<String>,
    pub schema: Option<schema::SchemaNode>,
}

#[derive(Debug, Serialize)]
pub struct Body {
    pub media: Option<String>,
    pub schema: Option<schema::SchemaNode>,
}

#[derive(Debug, Serialize)]
pub struct Response {
    pub status: String,
    pub description: Option<String>,
    pub bodies: Vec<Body>,
}

#[derive(Debug, Default, Serialize)]
pub struct Message {
    pub name: String,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub content_type: Option<String>,
    pub headers: Option<schema::SchemaNode>,
    pub payload: Option<schema::SchemaNode>,
}

#[derive(Debug, Serialize)]
pub struct NamedSchema {
    pub id: String,
    pub name: String,
    pub schema: schema::SchemaNode,
}

#[derive(Debug, Serialize)]
pub struct IdlType {
    /// `type`, `input`, `enum`, `message`, `service`, …
    pub kind: String,
    pub name: String,
    pub line: u32,
    /// Fields, values or RPCs, as written (one line each, trimmed).
    pub members: Vec<String>,
}

/// Where the definition text came from, for diagnostics.
pub(crate) struct Origin<'a> {
    /// The file the text is (the `$text` target, or the entity file).
    pub file: &'a str,
    /// Whether `file` is the entity file (the definition is inline).
    pub inline: bool,
    /// Where `spec.definition` is written in the entity file.
    pub at: Pos,
}

impl Origin<'_> {
    /// A span for a position inside the definition text. Inline, that is
    /// counted from where the value starts, which is exact for the block
    /// scalars (`definition: |`) definitions are written as.
    pub fn span(&self, pos: Pos) -> Span {
        if self.inline {
            let line = self.at.line.saturating_add(pos.line.saturating_sub(1));
            let col = if pos.line <= 1 {
                self.at.col.saturating_add(pos.col.saturating_sub(1))
            } else {
                pos.col.saturating_add(self.at.col.saturating_sub(1))
            };
            Span::at(self.file, Pos { line, col, len: 0 })
        } else {
            Span::at(self.file, pos)
        }
    }

    /// " (line N of the inline definition)" when the span cannot say it.
    pub fn where_(&self, pos: Pos) -> String {
        if self.inline {
            format!(" (line {} of the inline definition)", pos.line)
        } else {
            String::new()
        }
    }
}

/// The reference of every API entity with a definition it can read. With
/// `cache`, an API entity that is written as in the last run keeps its
/// reference (see [`Cache`]), and this run's are kept.
pub fn gather(
    source: &dyn Source,
    catalog: &Catalog,
    max_bytes: u64,
    cache: Option<&mut Cache>,
) -> (HashMap<EntityRef, Arc<ApiDoc>>, Vec<Diagnostic>) {
    let kept = cache.as_deref().map(|c| &c.kept);
    type Found = (EntityRef, Option<Arc<ApiDoc>>, Vec<Diagnostic>);
    let found: Vec<Found> = catalog
        .entities
        .par_iter()
        .filter(|(r, _)| r.kind == "api")
        .map(|(r, e)| {
            if let Some(k) = kept.and_then(|k| k.get(r))
                && k.file == e.file
                && (Arc::ptr_eq(&k.entity, &e.doc) || *k.entity == *e.doc)
            {
                return (r.clone(), k.doc.clone(), k.diagnostics.clone());
            }
            let mut diags = Vec::new();
            match document(source, e, max_bytes, &mut diags) {
                Some(doc) => (r.clone(), Some(Arc::new(doc)), diags),
                None => (r.clone(), None, Vec::new()),
            }
        })
        .collect();
    if let Some(c) = cache {
        c.kept = found
            .iter()
            .filter_map(|(r, doc, diags)| {
                let e = catalog.entities.get(r)?;
                Some((
                    r.clone(),
                    Kept {
                        entity: e.doc.clone(),
                        file: e.file.clone(),
                        doc: doc.clone(),
                        diagnostics: diags.clone(),
                    },
                ))
            })
            .collect();
    }
    let mut docs = HashMap::with_capacity(found.len());
    let mut diags = Vec::new();
    for (r, doc, d) in found {
        if let Some(doc) = doc {
            docs.insert(r, doc);
        }
        diags.extend(d);
    }
    crate::diagnostics::sort(&mut diags);
    (docs, diags)
}

/// What one gathering keeps for the next in the same process (`serve`):
/// each API entity's reference, with the entity as written (placeholders
/// substituted, so a `$text` file's content is part of it) and its file
/// (where relative `$ref`s start). A reference also reads the `$ref`
/// files, which are not entity files, so it is kept only while every saved
/// path defines entities and no file was created or removed.
#[derive(Default)]
pub struct Cache {
    kept: HashMap<EntityRef, Kept>,
}

struct Kept {
    entity: Arc<crate::catalog::yaml::Node>,
    file: String,
    doc: Option<Arc<ApiDoc>>,
    diagnostics: Vec<Diagnostic>,
}

impl Cache {
    /// Forgets everything unless every saved path in `changed` is one of
    /// the last run's `entity_files` and `files_kept` (none was created or
    /// removed).
    pub fn forget(
        &mut self,
        changed: &std::collections::BTreeSet<String>,
        files_kept: bool,
        entity_files: &std::collections::HashSet<String>,
    ) {
        if !files_kept || !changed.iter().all(|p| entity_files.contains(p)) {
            *self = Cache::default();
        }
    }
}

/// The file name of the raw definition, next to the entity page.
pub fn download_name(e: &Entity) -> Option<String> {
    let text = definition_text(e)?;
    let kind = Kind::detect(e.spec_type(), text);
    Some(format!("definition.{}", kind.extension(text)))
}

/// The inline or substituted definition text.
pub fn definition_text(e: &Entity) -> Option<&str> {
    e.doc.at(&["spec", "definition"])?.as_str()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    OpenApi,
    AsyncApi,
    GraphQl,
    Proto,
    Text,
}

impl Kind {
    /// From `spec.type`, then from the text itself (a `$text` OpenAPI file
    /// under a custom type still renders).
    fn detect(spec_type: Option<&str>, text: &str) -> Kind {
        match spec_type.map(str::to_ascii_lowercase).as_deref() {
            Some("openapi" | "swagger") => return Kind::OpenApi,
            Some("asyncapi") => return Kind::AsyncApi,
            Some("graphql") => return Kind::GraphQl,
            Some("grpc" | "protobuf" | "proto") => return Kind::Proto,
            _ => {}
        }
        let head: String = text.chars().take(4096).collect();
        let key = |k: &str| {
            head.lines()
                .any(|l| l.starts_with(k) || l.trim_start().starts_with(&format!("\"{k}\"")))
        };
        if key("openapi") || key("swagger") {
            Kind::OpenApi
        } else if key("asyncapi") {
            Kind::AsyncApi
        } else {
            Kind::Text
        }
    }

    fn extension(self, text: &str) -> &'static str {
        match self {
            Kind::OpenApi | Kind::AsyncApi if text.trim_start().starts_with('{') => "json",
            Kind::OpenApi | Kind::AsyncApi => "yaml",
            Kind::GraphQl => "graphql",
            Kind::Proto => "proto",
            Kind::Text => "txt",
        }
    }
}

/// Which file the definition text came from: the placeholder's target
/// when one of the entity's included files holds exactly this text, the
/// entity's own file otherwise.
fn origin_file<'e>(source: &dyn Source, e: &'e Entity, text: &str, max_bytes: u64) -> &'e str {
    e.includes
        .iter()
        .find(|f| crate::source::read_text(source, f, max_bytes).is_ok_and(|t| t == text))
        .map_or(e.file.as_str(), String::as_str)
}

fn document(
    source: &dyn Source,
    e: &Entity,
    max_bytes: u64,
    diags: &mut Vec<Diagnostic>,
) -> Option<ApiDoc> {
    let def = e.doc.at(&["spec", "definition"])?;
    let text = def.as_str()?;
    if text.trim().is_empty() {
        return None;
    }
    let kind = Kind::detect(e.spec_type(), text);
    let file = origin_file(source, e, text, max_bytes);
    let origin = Origin {
        file,
        inline: file == e.file,
        at: def.pos,
    };
    let mut doc = ApiDoc {
        download: format!("definition.{}", kind.extension(text)),
        ..ApiDoc::default()
    };
    match kind {
        Kind::OpenApi | Kind::AsyncApi => {
            structured(source, kind, text, &origin, max_bytes, &mut doc, diags)
        }
        Kind::GraphQl | Kind::Proto => {
            let idl = if kind == Kind::GraphQl {
                idl::graphql(text, &mut doc)
            } else {
                idl::proto(text, &mut doc)
            };
            if let Some(line) = idl.unbalanced {
                let pos = Pos {
                    line,
                    col: 1,
                    len: 0,
                };
                diags.push(
                    Diagnostic::new(
                        Code::ApiMalformed,
                        format!(
                            "the {} definition's braces do not balance{}",
                            doc.format,
                            origin.where_(pos)
                        ),
                    )
                    .at(origin.span(pos))
                    .help("the `{` on this line is never closed, or the `}` on it closes nothing"),
                );
                doc.notes.push(format!(
                    "The braces of the definition do not balance (line {line})."
                ));
            }
        }
        Kind::Text => {
            doc.format = e.spec_type().unwrap_or("text").to_owned();
            doc.source = Some(idl::clip(text));
        }
    }
    Some(doc)
}

fn structured(
    source: &dyn Source,
    kind: Kind,
    text: &str,
    origin: &Origin,
    max_bytes: u64,
    doc: &mut ApiDoc,
    diags: &mut Vec<Diagnostic>,
) {
    doc.format = if kind == Kind::OpenApi {
        "OpenAPI".into()
    } else {
        "AsyncAPI".into()
    };
    let root = match yaml::parse_documents(text, YAML_BUDGET) {
        Ok(mut docs) if !docs.is_empty() => docs.swap_remove(0),
        Ok(_) => Node::new(yaml::Value::Null, origin.at),
        Err(err) => {
            let pos = Pos {
                line: err.line,
                col: err.col,
                len: 0,
            };
            diags.push(
                Diagnostic::new(
                    Code::ApiMalformed,
                    format!(
                        "the API definition is not valid YAML or JSON{}: {}",
                        origin.where_(pos),
                        err.message
                    ),
                )
                .at(origin.span(pos))
                .help("fix the definition; the page shows the raw file until then"),
            );
            doc.notes.push(format!(
                "The definition could not be parsed (line {}, column {}): {}",
                err.line, err.col, err.message
            ));
            return;
        }
    };
    if root.as_map().is_none() {
        diags.push(
            Diagnostic::new(
                Code::ApiMalformed,
                format!(
                    "the API definition is {}, not a mapping{}",
                    root.type_name(),
                    origin.where_(root.pos)
                ),
            )
            .at(origin.span(root.pos))
            .help("an OpenAPI or AsyncAPI document is a mapping with `openapi:`, `swagger:` or `asyncapi:` at the top"),
        );
        doc.notes
            .push("The definition is not an OpenAPI or AsyncAPI document.".into());
        return;
    }
    let info = root.get("info");
    let text_of = |k: &str| info.and_then(|i| i.get(k)).and_then(Node::scalar_text);
    doc.title = text_of("title");
    doc.version = text_of("version");
    doc.description = text_of("description");
    let mut notes = Vec::new();
    let files = refs::load_files(source, &root, origin, max_bytes, diags, &mut notes);
    doc.files = files.keys().cloned().collect();
    doc.files.sort();
    let mut refs = refs::Refs::new(&root, &files, origin);
    let mut cx = Cx {
        refs: &mut refs,
        budget: MAX_DOC_NODES / 2,
        cut: false,
        diags,
        notes,
    };
    if let Some(v) = root.get("asyncapi") {
        doc.format = format!("AsyncAPI {}", v.scalar_text().unwrap_or_default());
        asyncapi::read(&root, &mut cx, doc);
    } else if let Some(v) = root.get("openapi").or_else(|| root.get("swagger")) {
        let swagger = root.get("openapi").is_none();
        doc.format = format!(
            "{} {}",
            if swagger { "Swagger" } else { "OpenAPI" },
            v.scalar_text().unwrap_or_default()
        );
        openapi::read(&root, swagger, &mut cx, doc);
    } else {
        cx.malformed(
            root.pos,
            "the API definition has no `openapi`, `swagger` or `asyncapi` version field",
            "start the document with `openapi: 3.1.0` (or the version it follows)",
        );
        doc.notes
            .push("The definition names no OpenAPI, Swagger or AsyncAPI version.".into());
    }
    let mut notes = std::mem::take(&mut cx.notes);
    if cx.cut || cx.budget == 0 {
        notes.push(format!(
            "Schemas are cut after {} nodes for the operations and {} for the schema list.",
            MAX_DOC_NODES / 2,
            MAX_DOC_NODES / 2
        ));
    }
    if !notes.is_empty() {
        let msg = format!(
            "the API reference shows part of the definition: {}",
            notes.join(" ")
        );
        cx.diags.push(
            Diagnostic::new(Code::ApiLimit, msg)
                .at(origin.span(root.pos))
                .help("the full definition stays downloadable from the page; split a very large API into several API entities to see all of it"),
        );
    }
    doc.notes.extend(notes);
}

/// What the readers share: `$ref` resolution, the node budget and the
/// diagnostics.
pub(crate) struct Cx<'r, 'a> {
    pub refs: &'r mut refs::Refs<'a>,
    /// Schema nodes left for this part of the definition.
    pub budget: usize,
    /// Whether an earlier part spent its budget.
    pub cut: bool,
    pub diags: &'r mut Vec<Diagnostic>,
    /// Limits that cut the view, in words.
    pub notes: Vec<String>,
}

impl Cx<'_, '_> {
    pub fn malformed(&mut self, pos: Pos, msg: &str, help: &str) {
        let origin = self.refs.origin();
        self.diags.push(
            Diagnostic::new(Code::ApiMalformed, format!("{msg}{}", origin.where_(pos)))
                .at(origin.span(pos))
                .help(help.to_owned()),
        );
    }

    /// Starts the second half of the node budget (the schema list).
    pub fn next_budget(&mut self) {
        self.cut |= self.budget == 0;
        self.budget = MAX_DOC_NODES / 2;
    }

    pub fn note_cut(&mut self, what: &str, shown: usize, total: usize) {
        self.notes.push(format!(
            "Only the first {shown} of {total} {what} are shown."
        ));
    }
}

/// A scalar field as text.
pub(crate) fn text(n: &Node, key: &str) -> Option<String> {
    n.get(key)
        .and_then(Node::scalar_text)
        .filter(|s| !s.is_empty())
}

/// A page anchor from `parts`: lowercase `[a-z0-9-]`, unique in `seen`.
pub(crate) fn anchor(prefix: &str, parts: &[&str], seen: &mut HashMap<String, usize>) -> String {
    let mut id = String::from(prefix);
    for p in parts {
        id.push('-');
        let mut dash = true;
        for c in p.chars() {
            if c.is_ascii_alphanumeric() {
                id.push(c.to_ascii_lowercase());
                dash = false;
            } else if !dash {
                id.push('-');
                dash = true;
            }
        }
        while id.ends_with('-') {
            id.pop();
        }
    }
    let Some(&last) = seen.get(&id) else {
        seen.insert(id.clone(), 1);
        return id;
    };
    let mut n = last;
    loop {
        n += 1;
        let candidate = format!("{id}-{n}");
        if !seen.contains_key(&candidate) {
            seen.insert(id, n);
            seen.insert(candidate.clone(), 1);
            return candidate;
        }
    }
}
