//! Structural validation of one entity document against Backstage's schema:
//! root fields, metadata, and the required spec fields of each kind.
//!
//! Every problem is reported (not just the first), each pointing at the
//! offending key or value.

pub use super::kinds::{Field, RefField, Shape, fields, ref_fields};
use super::model::{DEFAULT_NAMESPACE, Entity, EntityRef, KnownKind};
use super::names;
use super::yaml::{Node, Pos, Value};
use crate::diagnostics::{Code, Diagnostic, Span};
use KnownKind as K;
use Shape::*;

/// Backstage's NoForeignRootFieldsEntityPolicy: `relations` and `status`
/// are written by the catalog itself and refused in files.
const ROOT_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "spec"];

/// Kinds outside [`KnownKind`] that `@backstage/catalog-model` 1.10.3 ships
/// a validator for: they load as generic entities without a diagnostic.
const MODEL_KINDS: &[&str] = &["AiResource"];

/// True when a document is meant to be an entity: it has a `backstage.io`
/// apiVersion, or it names a Backstage kind next to an `apiVersion` or
/// `metadata`. Kubernetes manifests, CI files and OpenAPI documents are not.
pub fn is_entity_candidate(doc: &Node) -> bool {
    let Some(_) = doc.as_map() else { return false };
    let api = doc.get("apiVersion").and_then(Node::as_str);
    let kind = doc.get("kind").and_then(Node::as_str);
    if api.is_some_and(|a| a.contains("backstage.io")) {
        return true;
    }
    kind.is_some_and(|k| KnownKind::parse(k).is_some())
        && (doc.get("apiVersion").is_some() || doc.get("metadata").is_some())
}

struct Ctx<'a> {
    file: &'a str,
    diags: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn push(&mut self, code: Code, pos: Pos, msg: String, help: &str) {
        self.diags.push(
            Diagnostic::new(code, msg)
                .at(Span::at(self.file, pos))
                .help(help),
        );
    }

    fn wrong_type(&mut self, path: &str, node: &Node, expected: &str) {
        self.push(
            Code::WrongType,
            node.pos,
            format!("`{path}` must be {expected}, found {}", node.type_name()),
            &format!("write `{path}` as {expected}"),
        );
    }

    fn invalid(&mut self, path: &str, node: &Node, what: &str) {
        let found = match node.as_str() {
            Some(t) if !t.is_empty() => format!(" (found `{t}`)"),
            _ => String::new(),
        };
        self.push(
            Code::InvalidValue,
            node.pos,
            format!("`{path}` {what}{found}"),
            &format!("give `{path}` a value, or remove it"),
        );
    }

    fn missing(&mut self, path: &str, at: Pos, kind: &str, help: &str) {
        self.push(
            Code::MissingField,
            at,
            format!("{kind} is missing required field `{path}`"),
            help,
        );
    }
}

/// Validates a candidate document and builds the entity. Returns `None`
/// when the document is too broken to index (no usable kind or name); all
/// problems go to `diags` either way.
pub fn to_entity(doc: Node, file: &str, diags: &mut Vec<Diagnostic>) -> Option<Entity> {
    let mut cx = Ctx { file, diags };
    let pos = doc.pos;
    for (key, _) in doc.as_map().unwrap_or_default() {
        let k = key.scalar_text().unwrap_or_default();
        if !ROOT_FIELDS.contains(&k.as_str()) {
            cx.push(
                Code::UnknownField,
                key.pos,
                format!("unknown root field `{k}`"),
                "an entity's root fields are apiVersion, kind, metadata and spec; move custom data under metadata.annotations or spec",
            );
        }
    }

    let kind_text = match doc.get("kind") {
        None => {
            cx.missing("kind", pos, "the entity", "add `kind:` (Component, API, Resource, System, Domain, Group, User, Location or Template)");
            None
        }
        Some(n) => {
            match n.as_str() {
                None => {
                    cx.wrong_type("kind", n, "a string");
                    None
                }
                Some(k) if !names::is_valid_kind(k) => {
                    cx.push(Code::InvalidKind, n.pos, format!("`{k}` is not a valid kind"), "a kind starts with a letter and has only letters and digits, like `Component`");
                    None
                }
                Some(k) => Some((k.to_owned(), n.pos)),
            }
        }
    };
    let known = kind_text.as_ref().and_then(|(k, _)| KnownKind::parse(k));
    if let Some((k, kpos)) = &kind_text {
        check_kind_spelling(&mut cx, k, *kpos, known);
    }
    let kind_label = kind_text
        .as_ref()
        .map_or("the entity", |(k, _)| k.as_str())
        .to_owned();

    check_api_version(&mut cx, &doc, known, pos);
    let (name, namespace) = check_metadata(&mut cx, &doc, pos, &kind_label);
    check_spec(&mut cx, &doc, known, pos, &kind_label);
    merge_keys(&mut cx, &doc);

    let (kind, _) = kind_text?;
    let name = name?;
    let kind_lower = known.map_or_else(|| kind.to_ascii_lowercase(), |k| k.lower().to_owned());
    let eref = EntityRef::new(&kind_lower, &namespace, &name);
    Some(Entity {
        eref,
        kind: known,
        doc: std::sync::Arc::new(doc),
        file: file.to_owned(),
        pos,
        includes: Vec::new(),
    })
}

/// Backstage matches kinds case-sensitively and rejects a kind that no
/// processor knows, so both are errors by default (users whose Backstage
/// has a processor for a custom kind lower `unknown-kind`).
fn check_kind_spelling(cx: &mut Ctx, k: &str, pos: Pos, known: Option<KnownKind>) {
    match known {
        Some(kk) if kk.name() != k => cx.push(
            Code::UnknownKind,
            pos,
            format!("`{k}` is not a kind Backstage knows: kinds are case-sensitive"),
            &format!("write `kind: {}`", kk.name()),
        ),
        Some(_) => {}
        None if MODEL_KINDS.contains(&k) => {}
        None => cx.push(
            Code::UnknownKind,
            pos,
            format!("unknown kind `{k}`: stock Backstage rejects an entity whose kind no processor knows"),
            "if your Backstage has a processor for this kind, set `unknown-kind = \"warn\"` under [diagnostics] in portolan.toml; Portolan then loads it as a generic entity with relations from owner, system and dependsOn",
        ),
    }
}

/// A `<<` key is kept as an ordinary key (see `yaml`), as Backstage does;
/// say so where it is, since whoever wrote it expected a merge.
fn merge_keys(cx: &mut Ctx, node: &Node) {
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries.iter() {
                if k.as_str() == Some("<<") {
                    cx.push(
                        Code::YamlMergeKey,
                        k.pos,
                        "`<<` is a YAML merge key, which Backstage does not apply: its YAML 1.2 parser keeps `<<` as an ordinary key, so the merged fields are missing there".to_owned(),
                        "write the fields out in full; Portolan reads the file as Backstage does, so missing fields are reported too",
                    );
                }
                merge_keys(cx, v);
            }
        }
        Value::Seq(items) => items.iter().for_each(|i| merge_keys(cx, i)),
        _ => {}
    }
}

fn check_api_version(cx: &mut Ctx, doc: &Node, known: Option<KnownKind>, pos: Pos) {
    let Some(n) = doc.get("apiVersion") else {
        cx.missing(
            "apiVersion",
            pos,
            "the entity",
            "add `apiVersion: backstage.io/v1alpha1`",
        );
        return;
    };
    let Some(v) = n.as_str() else {
        cx.wrong_type("apiVersion", n, "a string");
        return;
    };
    let ok = match known {
        _ if !names::is_valid_api_version(v) => false,
        // The scaffolder validates only v1beta3 templates.
        Some(K::Template) => v == "scaffolder.backstage.io/v1beta3",
        Some(_) => matches!(v, "backstage.io/v1alpha1" | "backstage.io/v1beta1"),
        None => true,
    };
    if !ok {
        let expected = if known == Some(K::Template) {
            "scaffolder.backstage.io/v1beta3"
        } else {
            "backstage.io/v1alpha1"
        };
        cx.push(
            Code::InvalidApiVersion,
            n.pos,
            format!("`{v}` is not a valid apiVersion for this kind"),
            &format!("use `apiVersion: {expected}`"),
        );
    }
}

/// Checks metadata and returns (name, namespace) when usable.
fn check_metadata(cx: &mut Ctx, doc: &Node, pos: Pos, kind: &str) -> (Option<String>, String) {
    let Some(meta) = doc.get("metadata") else {
        cx.missing(
            "metadata",
            pos,
            kind,
            "add `metadata:` with at least `name:`",
        );
        return (None, DEFAULT_NAMESPACE.to_owned());
    };
    if meta.as_map().is_none() {
        cx.wrong_type("metadata", meta, "a mapping");
        return (None, DEFAULT_NAMESPACE.to_owned());
    }
    let name = match meta.get("name") {
        None => {
            cx.missing(
                "metadata.name",
                meta.pos,
                kind,
                "add `name:` under metadata, for example `name: payments-api`",
            );
            None
        }
        Some(n) => match n.as_str() {
            None => {
                cx.wrong_type("metadata.name", n, "a string");
                None
            }
            Some(s) if !names::is_valid_name(s) => {
                cx.push(
                    Code::InvalidName,
                    n.pos,
                    format!("`{s}` is not a valid entity name"),
                    "a name is 1-63 characters of letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit",
                );
                None
            }
            Some(s) => Some(s.to_owned()),
        },
    };
    let mut namespace = DEFAULT_NAMESPACE.to_owned();
    if let Some(n) = meta.get("namespace") {
        match n.as_str() {
            None => cx.wrong_type("metadata.namespace", n, "a string"),
            Some(s) if !names::is_valid_namespace(s) => cx.push(
                Code::InvalidNamespace,
                n.pos,
                format!("`{s}` is not a valid namespace"),
                "a namespace is 1-63 lowercase letters, digits and `-`, starting and ending with a letter or digit",
            ),
            Some(s) => namespace = s.to_owned(),
        }
    }
    for field in ["uid", "etag", "title", "description"] {
        if let Some(n) = meta.get(field) {
            // Backstage's EntityMeta schema: a non-empty string, except
            // `description`, which may be empty.
            let shape = if field == "description" { AnyStr } else { Str };
            check_shape(cx, &format!("metadata.{field}"), n, shape);
        }
    }
    if let Some(tags) = meta.get("tags") {
        match tags.as_seq() {
            None => cx.wrong_type("metadata.tags", tags, "a list of strings"),
            Some(items) => {
                for t in items {
                    match t.as_str() {
                        None => cx.wrong_type("metadata.tags[]", t, "a string"),
                        Some(s) if !names::is_valid_tag(s) => cx.push(
                            Code::InvalidTag,
                            t.pos,
                            format!("`{s}` is not a valid tag"),
                            "a tag is 1-63 lowercase letters, digits and `:+#`, with single `-` separators (for example `java` or `c++`)",
                        ),
                        Some(_) => {}
                    }
                }
            }
        }
    }
    check_key_values(cx, meta, "labels", true);
    check_key_values(cx, meta, "annotations", false);
    check_links(cx, meta);
    (name, namespace)
}

fn check_key_values(cx: &mut Ctx, meta: &Node, field: &str, is_label: bool) {
    let Some(node) = meta.get(field) else { return };
    let Some(entries) = node.as_map() else {
        cx.wrong_type(&format!("metadata.{field}"), node, "a mapping of strings");
        return;
    };
    for (k, v) in entries {
        let key = k.scalar_text().unwrap_or_default();
        if !names::is_valid_metadata_key(&key) {
            cx.push(
                Code::InvalidMetadataKey,
                k.pos,
                format!("`{key}` is not a valid {} key", &field[..field.len() - 1]),
                "a key is `[prefix/]name`: the prefix a DNS name, the name 1-63 letters, digits, `-`, `_` and `.`",
            );
        }
        match v.as_str() {
            None => cx.wrong_type(&format!("metadata.{field}.{key}"), v, "a string"),
            Some(s) if is_label && !names::is_valid_label_value(s) => cx.push(
                Code::InvalidMetadataKey,
                v.pos,
                format!("`{s}` is not a valid label value"),
                "a label value is empty or 1-63 letters, digits, `-`, `_` and `.`",
            ),
            Some(_) => {}
        }
    }
}

fn check_links(cx: &mut Ctx, meta: &Node) {
    let Some(links) = meta.get("links") else {
        return;
    };
    let Some(items) = links.as_seq() else {
        cx.wrong_type("metadata.links", links, "a list of links");
        return;
    };
    for link in items {
        if link.as_map().is_none() {
            cx.wrong_type(
                "metadata.links[]",
                link,
                "a mapping with `url`, `title`, `type` and `icon`",
            );
            continue;
        }
        for field in ["title", "icon", "type"] {
            if let Some(n) = link.get(field) {
                let path = format!("metadata.links[].{field}");
                check_shape(cx, &path, n, Str);
                // FieldFormatEntityPolicy also refuses a blank title or icon.
                if field != "type"
                    && n.as_str()
                        .is_some_and(|t| !t.is_empty() && t.trim().is_empty())
                {
                    cx.invalid(&path, n, "must not be blank");
                }
            }
        }
        let Some(url_node) = link.get("url") else {
            cx.missing(
                "metadata.links[].url",
                link.pos,
                "a link",
                "add `url:` with an absolute URL",
            );
            continue;
        };
        let Some(url) = url_node.as_str() else {
            cx.wrong_type("metadata.links[].url", url_node, "a string");
            continue;
        };
        match url::Url::parse(url) {
            Err(e) => cx.push(
                Code::InvalidUrl,
                url_node.pos,
                format!("`{url}` is not a valid URL: {e}"),
                "write an absolute URL such as `https://grafana.example.com/d/payments`",
            ),
            Ok(u) if !matches!(u.scheme(), "http" | "https" | "mailto") => cx.push(
                Code::UnsafeLinkScheme,
                url_node.pos,
                format!("link scheme `{}:` is not http, https or mailto; the link will not be clickable", u.scheme()),
                "use an https:// URL",
            ),
            Ok(_) => {}
        }
    }
}

fn check_spec(cx: &mut Ctx, doc: &Node, known: Option<KnownKind>, pos: Pos, kind: &str) {
    let spec = match doc.get("spec") {
        Some(s) => s,
        None => {
            if known.is_some() {
                let required: Vec<_> = fields(known)
                    .iter()
                    .filter(|f| f.required)
                    .map(|f| f.name)
                    .collect();
                let help = if required.is_empty() {
                    "add `spec: {}`".to_owned()
                } else {
                    format!("add `spec:` with {}", required.join(", "))
                };
                cx.missing("spec", pos, kind, &help);
            }
            return;
        }
    };
    if spec.as_map().is_none() {
        cx.wrong_type("spec", spec, "a mapping");
        return;
    }
    for field in fields(known) {
        let path = format!("spec.{}", field.name);
        match spec.get(field.name) {
            None if field.required && !(field.name == "definition" && is_mcp_server(spec)) => {
                cx.missing(&path, spec.pos, kind, &required_help(known, field.name))
            }
            None => {}
            Some(n) => check_shape(cx, &path, n, field.shape),
        }
    }
    match known {
        Some(K::Location) => check_presence(cx, spec),
        Some(K::Group | K::User) => check_profile(cx, spec),
        Some(K::Template) => check_template(cx, spec),
        Some(K::Api) if is_mcp_server(spec) => check_remotes(cx, spec, kind),
        _ => {}
    }
}

/// An API of type `mcp-server` is validated by Backstage's MCP-server
/// schema, which asks for `remotes` instead of a `definition`.
fn is_mcp_server(spec: &Node) -> bool {
    spec.get("type").and_then(Node::as_str) == Some("mcp-server")
}

fn check_remotes(cx: &mut Ctx, spec: &Node, kind: &str) {
    let Some(remotes) = spec.get("remotes") else {
        cx.missing(
            "spec.remotes",
            spec.pos,
            kind,
            "add `remotes:` with at least one `{type, url}` entry, such as `type: streamable-http`",
        );
        return;
    };
    let Some(items) = remotes.as_seq() else {
        cx.wrong_type("spec.remotes", remotes, "a list of `{type, url}` mappings");
        return;
    };
    if items.is_empty() {
        cx.push(Code::InvalidValue, remotes.pos, "`spec.remotes` is empty".to_owned(), "list at least one remote, for example `- {type: streamable-http, url: https://mcp.example.com/}`");
    }
    for item in items {
        if item.as_map().is_none() {
            cx.wrong_type("spec.remotes[]", item, "a mapping with `type` and `url`");
            continue;
        }
        for field in ["type", "url"] {
            match item.get(field) {
                None => cx.missing(
                    &format!("spec.remotes[].{field}"),
                    item.pos,
                    "a remote",
                    &format!("add `{field}:`"),
                ),
                Some(n) => check_shape(cx, &format!("spec.remotes[].{field}"), n, Str),
            }
        }
    }
}

fn check_presence(cx: &mut Ctx, spec: &Node) {
    if let Some(n) = spec.get("presence")
        && let Some(p) = n.as_str()
        && !matches!(p, "required" | "optional")
    {
        cx.push(
            Code::InvalidValue,
            n.pos,
            format!("`spec.presence` is `{p}`; Backstage allows only `required` or `optional`"),
            "write `presence: optional` for targets that may be missing, or remove the field (the default is `required`)",
        );
    }
}

fn check_profile(cx: &mut Ctx, spec: &Node) {
    let Some(profile) = spec.get("profile").filter(|p| p.as_map().is_some()) else {
        return;
    };
    for field in ["displayName", "email", "picture"] {
        if let Some(n) = profile.get(field) {
            check_shape(cx, &format!("spec.profile.{field}"), n, Str);
        }
    }
}

/// The scaffolder's v1beta3 schema: each step is a mapping with an
/// `action`; `parameters` is a mapping or a list of mappings.
fn check_template(cx: &mut Ctx, spec: &Node) {
    for step in spec.get("steps").and_then(Node::as_seq).unwrap_or_default() {
        if step.as_map().is_none() {
            cx.wrong_type("spec.steps[]", step, "a mapping with `action`");
            continue;
        }
        match step.get("action") {
            None => cx.missing(
                "spec.steps[].action",
                step.pos,
                "a step",
                "add `action:`, such as `action: fetch:template`",
            ),
            Some(n) => check_shape(cx, "spec.steps[].action", n, AnyStr),
        }
    }
    if let Some(params) = spec.get("parameters") {
        match &params.value {
            Value::Map(_) => {}
            Value::Seq(items) => {
                for item in items.iter().filter(|i| i.as_map().is_none()) {
                    cx.wrong_type("spec.parameters[]", item, "a mapping (one form page)");
                }
            }
            _ => cx.wrong_type("spec.parameters", params, "a mapping or a list of mappings"),
        }
    }
}

fn required_help(kind: Option<KnownKind>, field: &str) -> String {
    match field {
        "owner" => {
            "add `owner:` naming the team that owns it, for example `owner: payments-team`".into()
        }
        "lifecycle" => {
            "add `lifecycle:` such as `production`, `experimental` or `deprecated`".into()
        }
        "type" => match kind {
            Some(K::Group) => "add `type:` such as `team`, `department` or `organization`".into(),
            Some(K::Api) => "add `type:` such as `openapi`, `asyncapi`, `graphql` or `grpc`".into(),
            Some(K::Resource) => "add `type:` such as `database` or `s3-bucket`".into(),
            _ => "add `type:` such as `service`, `website` or `library`".into(),
        },
        "children" => "add `children: []` (Backstage requires the list, even when empty)".into(),
        "definition" => {
            "add `definition:` with the API spec, or `definition: {$text: ./openapi.yaml}`".into()
        }
        other => format!("add `{other}:`"),
    }
}

/// Every string in Backstage's kind schemas has `minLength: 1`, so an empty
/// string is as wrong as a missing one ([`AnyStr`] is the exception).
fn check_shape(cx: &mut Ctx, path: &str, n: &Node, shape: Shape) {
    match (shape, &n.value) {
        (Str | Definition, Value::Str(s)) if s.is_empty() => {
            cx.invalid(path, n, "must not be empty")
        }
        (Str | AnyStr, Value::Str(_)) | (Map, Value::Map(_)) | (List, Value::Seq(_)) => {}
        (Definition, Value::Str(_)) => {}
        (Definition, Value::Map(_)) if is_remote_placeholder(n) => {}
        (StrList, Value::Seq(items)) => {
            for item in items {
                check_shape(cx, &format!("{path}[]"), item, Str);
            }
        }
        (Str | AnyStr, _) | (Definition, _) => cx.wrong_type(path, n, "a string"),
        (StrList, _) => cx.wrong_type(path, n, "a list of strings"),
        (Map, _) => cx.wrong_type(path, n, "a mapping"),
        (List, _) => cx.wrong_type(path, n, "a list"),
    }
}

/// `{$text: https://…}` or `{$openapi: https://…}`: a substitution
/// Portolan never fetches, left in place so the API page can link it.
pub fn is_remote_placeholder(n: &Node) -> bool {
    match n.as_map() {
        Some([(k, v)]) => {
            k.as_str()
                .is_some_and(|k| super::location::PLACEHOLDERS.contains(&k))
                && v.as_str().is_some_and(super::location::is_remote)
        }
        _ => false,
    }
}
