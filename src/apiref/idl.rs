//! GraphQL SDL and protobuf: the source as text, with the types (and
//! services) it declares listed from a light scan: comments and strings
//! are skipped, braces are counted, nothing is evaluated. The source is
//! highlighted when the page is written ([`ApiDoc::source_html`]).

use super::{ApiDoc, IdlType, MAX_TYPES};

/// Source shown on the page, in bytes; the download has all of it.
pub const MAX_SOURCE_BYTES: usize = 1 << 20;
/// Members (fields, values, RPCs) listed per type.
const MAX_MEMBERS: usize = 200;

/// `text` cut to [`MAX_SOURCE_BYTES`] at a character boundary.
pub fn clip(text: &str) -> String {
    if text.len() <= MAX_SOURCE_BYTES {
        return text.to_owned();
    }
    let mut end = MAX_SOURCE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n…", &text[..end])
}

/// One line with comments and string contents blanked, and whether a
/// block (`/* */` or `"""`) is still open after it.
fn code_of(line: &str, in_block: &mut Option<&'static str>, hash_comments: bool) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    loop {
        if let Some(end) = *in_block {
            match rest.find(end) {
                Some(i) => {
                    rest = &rest[i + end.len()..];
                    *in_block = None;
                }
                None => return out,
            }
        }
        let mut chars = rest.char_indices();
        let mut consumed = rest.len();
        while let Some((i, c)) = chars.next() {
            let tail = &rest[i..];
            if hash_comments && c == '#' || !hash_comments && tail.starts_with("//") {
                return out;
            }
            if !hash_comments && tail.starts_with("/*") {
                *in_block = Some("*/");
                consumed = i + 2;
                break;
            }
            if hash_comments && tail.starts_with("\"\"\"") {
                *in_block = Some("\"\"\"");
                consumed = i + 3;
                break;
            }
            if c == '"' || c == '\'' {
                // Skip a one-line string.
                let close = tail[1..].find(c).map_or(tail.len(), |j| j + 2);
                out.push_str("\"\"");
                for _ in chars.by_ref().take_while(|(k, _)| *k < i + close - 1) {}
                continue;
            }
            out.push(c);
        }
        if in_block.is_none() {
            return out;
        }
        rest = &rest[consumed.min(rest.len())..];
    }
}

/// The first identifier in `s`.
fn ident(s: &str) -> Option<String> {
    let s = s.trim_start();
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(s.len());
    (end > 0).then(|| s[..end].to_owned())
}

struct Scan {
    types: Vec<IdlType>,
    total: usize,
    /// Where braces stopped balancing, if they did.
    unbalanced: Option<u32>,
}

fn scan(text: &str, hash_comments: bool, keywords: &[&str]) -> Scan {
    let mut types: Vec<IdlType> = Vec::new();
    let mut total = 0usize;
    let mut depth = 0i64;
    let mut in_block = None;
    // The open declarations: depth, name (for `Outer.Inner`), index in `types`.
    let mut open: Vec<(i64, String, Option<usize>)> = Vec::new();
    let mut unbalanced = None;
    // Where the outermost open block started.
    let mut opened = 0u32;
    for (n, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
        let code = code_of(raw, &mut in_block, hash_comments);
        let trimmed = code.trim();
        let word = ident(trimmed);
        let declares = word
            .as_deref()
            .filter(|w| keywords.contains(w))
            .and_then(|w| {
                let rest = trimmed[w.len()..].trim_start();
                let rest = rest.strip_prefix("type ").unwrap_or(rest);
                Some((w.to_owned(), ident(rest)?))
            });
        if let Some((kind, name)) = declares
            && (depth == 0 || !hash_comments)
            && kind != "rpc"
        {
            total += 1;
            let full = match open.last() {
                Some((_, outer, _)) if !hash_comments && depth > 0 => format!("{outer}.{name}"),
                _ => name.clone(),
            };
            let mut index = None;
            if types.len() < MAX_TYPES {
                index = Some(types.len());
                let mut members = Vec::new();
                // `union U = A | B` lists its members on the same line.
                if let Some((_, rhs)) = trimmed.split_once('=')
                    && kind == "union"
                {
                    members.extend(
                        rhs.split('|')
                            .map(|m| m.trim().to_owned())
                            .filter(|m| !m.is_empty()),
                    );
                }
                types.push(IdlType {
                    kind,
                    name: full.clone(),
                    line: line_no,
                    members,
                });
            }
            if trimmed.contains('{') {
                open.push((depth, full, index));
            }
        } else if depth >= 1
            && !trimmed.is_empty()
            && trimmed != "}"
            && let Some((d, _, Some(i))) = open.last()
            && *d == depth - 1
            && types[*i].members.len() < MAX_MEMBERS
        {
            let member = raw.trim().trim_end_matches(['{', ' ']).to_owned();
            types[*i].members.push(super::schema::clip(&member, 200));
        }
        for c in code.chars() {
            match c {
                '{' => {
                    if depth == 0 {
                        opened = line_no;
                    }
                    depth += 1;
                }
                '}' => {
                    depth -= 1;
                    while open.last().is_some_and(|(d, _, _)| *d >= depth) {
                        open.pop();
                    }
                    if depth < 0 && unbalanced.is_none() {
                        unbalanced = Some(line_no);
                        depth = 0;
                    }
                }
                _ => {}
            }
        }
    }
    if depth != 0 && unbalanced.is_none() {
        unbalanced = Some(opened);
    }
    Scan {
        types,
        total,
        unbalanced,
    }
}

impl ApiDoc {
    /// The source as a `<pre>` block, escaped, and highlighted with
    /// classes at build time when `highlight` (`[docs] highlight`) is on
    /// and the format has a grammar. The source is already cut to
    /// [`MAX_SOURCE_BYTES`], which bounds the work.
    pub fn source_html(&self, highlight: bool) -> Option<String> {
        let source = self.source.as_deref()?;
        let lang = self.language.unwrap_or("");
        Some(crate::highlight::code_block(
            lang,
            source,
            highlight,
            MAX_SOURCE_BYTES + 8,
        ))
    }
}

pub struct Idl {
    pub unbalanced: Option<u32>,
}

fn fill(doc: &mut ApiDoc, text: &str, s: Scan, what: &str) -> Idl {
    if s.total > MAX_TYPES {
        doc.notes.push(format!(
            "Only the first {MAX_TYPES} of {} {what} are listed.",
            s.total
        ));
    }
    if text.len() > MAX_SOURCE_BYTES {
        doc.notes.push(format!(
            "The source is cut after {} KiB; download the definition for all of it.",
            MAX_SOURCE_BYTES / 1024
        ));
    }
    doc.types = s.types;
    doc.source = Some(clip(text));
    Idl {
        unbalanced: s.unbalanced,
    }
}

pub fn graphql(text: &str, doc: &mut ApiDoc) -> Idl {
    doc.format = "GraphQL".into();
    doc.language = Some("graphql");
    let s = scan(
        text,
        true,
        &[
            "type",
            "input",
            "interface",
            "enum",
            "union",
            "scalar",
            "schema",
            "directive",
            "extend",
        ],
    );
    fill(doc, text, s, "types")
}

pub fn proto(text: &str, doc: &mut ApiDoc) -> Idl {
    doc.format = "gRPC".into();
    doc.language = Some("proto");
    let s = scan(text, false, &["message", "enum", "service", "rpc"]);
    fill(doc, text, s, "declarations")
}
