//! A YAML value tree in which every node remembers where it was written.
//!
//! Catalog diagnostics must point at the exact offending value, and the
//! validator needs to walk arbitrary (including unknown) fields, so every
//! node, key and scalar carries its line and column.

use granit_parser::{Event, Parser, ScalarStyle, Span, Tag};
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};

/// Where a node was written; defined with the diagnostics that point at it.
pub use crate::diagnostics::Pos;

/// A YAML node: its value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

/// Scalars are kept typed (YAML 1.2 core schema) so that the validator can say
/// "expected a string, found a number" instead of silently coercing.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    // Boxed slices rather than `String`/`Vec`: a 100k-entity catalog holds
    // millions of nodes, and this keeps each one at 40 bytes with no spare
    // capacity.
    Str(Box<str>),
    Seq(Box<[Node]>),
    /// Insertion order is kept: it is the order the author wrote.
    Map(Box<[(Node, Node)]>),
}

impl Node {
    pub fn new(value: Value, pos: Pos) -> Self {
        Node { value, pos }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// Looks up a key in a mapping. Keys are compared as written (YAML is
    /// case-sensitive, and so is Backstage's schema).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.value {
            Value::Map(m) => m
                .iter_mut()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follows a path of mapping keys.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The key node for `key`, used to point at a field name rather than its value.
    pub fn key_node(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, _)| k)
    }

    /// A short human name for the node's type, for "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The scalar rendered as text, for keys and messages.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Null => Some(String::new()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Str(s) => Some(s.to_string()),
            Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// Converts to JSON for export and for the policy `input`. Mapping keys
    /// that are not strings are stringified, as JSON requires.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.to_string()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.scalar_text().unwrap_or_default(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Resource limits for one file. Entity files are small, so these cost
/// nothing for real input and bound the work an alias bomb can trigger.
///
/// Copies (an anchored node kept for its aliases, and every node an alias
/// expands to) are limited in proportion to the text, so that a file can
/// cost only a small multiple of what the same text without anchors would:
/// the memory of a whole run stays proportional to the bytes it reads.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Nodes built, counting every node an alias copies and
    /// every node an anchor keeps for its aliases.
    pub max_nodes: usize,
    /// Nesting depth of sequences and mappings.
    pub max_depth: usize,
    /// Nodes that anchors and aliases may copy: this many, plus one per
    /// byte of the text.
    pub free_copies: usize,
    /// Scalar bytes that anchors and aliases may copy: this many, plus
    /// `copy_bytes_factor` per byte of the text.
    pub free_copy_bytes: usize,
    pub copy_bytes_factor: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_nodes: 1_000_000,
            max_depth: 128,
            free_copies: 2_000,
            free_copy_bytes: 16 * 1024,
            copy_bytes_factor: 4,
        }
    }
}

/// What building a tree has cost so far, and what the anchors have copied.
#[derive(Clone, Copy, Debug, Default)]
struct Cost {
    nodes: usize,
    bytes: usize,
}

/// The keys of one mapping, for finding a duplicate in constant time.
/// Small mappings (nearly all of them) are scanned; past `SCAN` entries a
/// hash index is built, so that a mapping of n keys costs O(n), not O(n²).
#[derive(Default)]
struct KeyIndex {
    /// Key hash → index of the first entry with that hash.
    by_hash: Option<(RandomState, HashMap<u64, usize>)>,
}

impl KeyIndex {
    const SCAN: usize = 8;

    /// The entry whose key equals `key`, if any. Call before pushing `key`.
    fn find(&mut self, entries: &[(Node, Node)], key: &Node) -> Option<usize> {
        if entries.len() < Self::SCAN {
            return entries.iter().position(|(e, _)| e.value == key.value);
        }
        let (state, map) = self.by_hash.get_or_insert_with(|| {
            let state = RandomState::new();
            let mut map = HashMap::with_capacity(entries.len() * 2);
            for (i, (k, _)) in entries.iter().enumerate() {
                map.entry(hash_key(&state, k)).or_insert(i);
            }
            (state, map)
        });
        let h = hash_key(state, key);
        match map.get(&h) {
            None => {
                map.insert(h, entries.len());
                None
            }
            Some(&i) if entries[i].0.value == key.value => Some(i),
            // A hash collision between different keys: rare (the hasher
            // is randomly keyed), so a scan here costs nothing in practice.
            Some(_) => entries.iter().position(|(e, _)| e.value == key.value),
        }
    }
}

/// A hash consistent with `Value`'s equality: equal keys hash equally.
fn hash_key(state: &RandomState, key: &Node) -> u64 {
    let mut h = state.build_hasher();
    hash_value(&key.value, &mut h);
    h.finish()
}

fn hash_value(v: &Value, h: &mut impl Hasher) {
    std::mem::discriminant(v).hash(h);
    match v {
        Value::Null => {}
        Value::Bool(b) => b.hash(h),
        Value::Int(i) => i.hash(h),
        // `0.0 == -0.0`, so both hash as 0.0; NaN equals nothing, so any
        // hash will do.
        Value::Float(f) => (if *f == 0.0 { 0.0f64 } else { *f }).to_bits().hash(h),
        Value::Str(s) => s.hash(h),
        // Collection keys compare their nodes with positions (derived
        // `PartialEq`), so the positions are hashed too.
        Value::Seq(items) => {
            items.len().hash(h);
            for n in items.iter() {
                hash_value(&n.value, h);
                n.pos.hash(h);
            }
        }
        Value::Map(entries) => {
            entries.len().hash(h);
            for (k, v) in entries.iter() {
                hash_value(&k.value, h);
                k.pos.hash(h);
                hash_value(&v.value, h);
                v.pos.hash(h);
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YamlErrorKind {
    /// The text is not valid YAML (including duplicate keys).
    Syntax,
    /// Valid YAML that exceeds the [`Budget`].
    Budget,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub kind: YamlErrorKind,
    pub message: String,
    pub line: u32,
    pub col: u32,
}

fn clamp(v: usize) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

fn pos_of(span: &Span) -> Pos {
    Pos {
        line: clamp(span.start.line()),
        col: clamp(span.start.col() + 1),
        len: clamp(span.end.index().saturating_sub(span.start.index())),
    }
}

/// A collection under construction.
enum Frame {
    Seq {
        items: Vec<Node>,
        pos: Pos,
        anchor: usize,
        first: Cost,
    },
    Map {
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        pos: Pos,
        anchor: usize,
        first: Cost,
        index: KeyIndex,
    },
}

/// Parses every document in `text` into span-carrying trees.
///
/// This builds the tree straight from granit-parser's events (the parser
/// under serde-saphyr) instead of going through `Spanned<T>` at every node:
/// measured on the 10k-entity bench catalog, that path spent three times as
/// long as the parser itself. Scalars are typed by the YAML 1.2 core
/// schema, duplicate keys are errors, and a merge key (`<<`) is an ordinary
/// key, as in Backstage's YAML 1.2 parser (`yaml` with `merge: false`): a
/// catalog that relied on the merge must fail here as it fails there
/// (`schema` adds a warning that explains it).
pub fn parse_documents(text: &str, budget: Budget) -> Result<Vec<Node>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    // Anchor id → the anchored node and what copying it costs. Aliases are
    // written `*name`, so text without a `*` has none, and its anchors need
    // not be kept at all.
    let keep_anchors = text.contains('*');
    let mut anchors: HashMap<usize, (Node, Cost)> = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    // Everything built into the trees (own nodes and alias copies), what
    // the anchor table keeps, and all copies (kept or aliased).
    let mut built = Cost::default();
    let mut kept = Cost::default();
    let mut copied = Cost::default();
    let max_copies = Cost {
        nodes: budget.free_copies.saturating_add(text.len()),
        bytes: budget
            .free_copy_bytes
            .saturating_add(text.len().saturating_mul(budget.copy_bytes_factor)),
    };
    let over = |pos: Pos, what: &str| YamlError {
        kind: YamlErrorKind::Budget,
        message: what.to_owned(),
        line: pos.line,
        col: pos.col,
    };
    // Charges one copy of a node of cost `c`.
    let mut copy = |c: Cost, built: &mut Cost, pos: Pos| {
        copied.nodes = copied.nodes.saturating_add(c.nodes);
        copied.bytes = copied.bytes.saturating_add(c.bytes);
        built.nodes = built.nodes.saturating_add(c.nodes);
        built.bytes = built.bytes.saturating_add(c.bytes);
        if copied.nodes > max_copies.nodes || copied.bytes > max_copies.bytes {
            return Err(over(
                pos,
                "anchors and aliases copy too much (more than the file's own size allows)",
            ));
        }
        Ok(())
    };
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| YamlError {
            kind: YamlErrorKind::Syntax,
            message: e.info().to_string(),
            line: clamp(e.marker().line()),
            col: clamp(e.marker().col() + 1),
        })?;
        let pos = pos_of(&span);
        let done = match event {
            Event::DocumentEnd => {
                anchors.clear();
                None
            }
            Event::Scalar(value, style, anchor, tag) => {
                built.nodes += 1;
                built.bytes += value.len();
                let node = Node::new(scalar(&value, style, tag.as_deref()), pos);
                if anchor != 0 && keep_anchors {
                    let cost = Cost {
                        nodes: 1,
                        bytes: value.len(),
                    };
                    copy(cost, &mut kept, pos)?;
                    anchors.insert(anchor, (node.clone(), cost));
                }
                Some(node)
            }
            Event::Alias(id) => {
                let Some((node, cost)) = anchors.get(&id) else {
                    return Err(YamlError {
                        kind: YamlErrorKind::Syntax,
                        message: "unknown anchor".into(),
                        line: pos.line,
                        col: pos.col,
                    });
                };
                copy(*cost, &mut built, pos)?;
                if built.nodes + kept.nodes > budget.max_nodes {
                    return Err(over(pos, "aliases expand to too many nodes"));
                }
                let mut node = node.clone();
                node.pos = Pos {
                    len: pos.len,
                    ..pos
                };
                Some(node)
            }
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                if stack.len() >= budget.max_depth {
                    return Err(over(pos, "nesting is too deep"));
                }
                built.nodes += 1;
                let first = Cost {
                    nodes: built.nodes - 1,
                    bytes: built.bytes,
                };
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        items: Vec::new(),
                        pos,
                        anchor,
                        first,
                    }
                } else {
                    Frame::Map {
                        entries: Vec::new(),
                        key: None,
                        pos,
                        anchor,
                        first,
                        index: KeyIndex::default(),
                    }
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = stack.pop() else { continue };
                let (node, anchor, first) = match frame {
                    Frame::Seq {
                        items,
                        pos,
                        anchor,
                        first,
                    } => (
                        Node::new(Value::Seq(items.into_boxed_slice()), pos),
                        anchor,
                        first,
                    ),
                    Frame::Map {
                        entries,
                        pos,
                        anchor,
                        first,
                        ..
                    } => (
                        Node::new(Value::Map(entries.into_boxed_slice()), pos),
                        anchor,
                        first,
                    ),
                };
                if anchor != 0 && keep_anchors {
                    // The kept copy costs what the subtree cost to build.
                    let cost = Cost {
                        nodes: built.nodes - first.nodes,
                        bytes: built.bytes - first.bytes,
                    };
                    copy(cost, &mut kept, pos)?;
                    anchors.insert(anchor, (node.clone(), cost));
                }
                Some(node)
            }
            _ => None,
        };
        if built.nodes + kept.nodes > budget.max_nodes {
            return Err(over(pos, "too many nodes"));
        }
        let Some(node) = done else { continue };
        match stack.last_mut() {
            None => docs.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                index,
                ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if index.find(entries, &k).is_some() {
                        let name = k.scalar_text().unwrap_or_default();
                        return Err(YamlError {
                            kind: YamlErrorKind::Syntax,
                            message: format!("duplicate key `{name}`"),
                            line: k.pos.line,
                            col: k.pos.col,
                        });
                    }
                    entries.push((k, node));
                }
            },
        }
    }
    Ok(docs)
}

/// Types a scalar by the YAML 1.2 core schema. Quoted and block scalars,
/// and anything tagged `!!str`, stay strings.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    let tagged_str = tag.is_some_and(|t| t.is_yaml_core_schema() && t.suffix() == "str");
    if style != ScalarStyle::Plain || tagged_str {
        return Value::Str(text.into());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Value::Str(text.into());
    }
    let digits = text.trim_start_matches(['-', '+']);
    if !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Ok(i) = text.parse::<i64>()
    {
        return Value::Int(i);
    }
    if let Some(hex) = text.strip_prefix("0x")
        && let Ok(i) = i64::from_str_radix(hex, 16)
    {
        return Value::Int(i);
    }
    if let Some(oct) = text.strip_prefix("0o")
        && let Ok(i) = i64::from_str_radix(oct, 8)
    {
        return Value::Int(i);
    }
    let float_chars = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if float_chars
        && digits.bytes().any(|b| b.is_ascii_digit())
        && let Ok(f) = text.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::Str(text.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_node_keeps_its_line_and_column() {
        let text = "a: 1\nb:\n  c: [x, y]\n  d: hello\n";
        let docs: Vec<Node> = parse_documents(text, Budget::default()).unwrap();
        let root = &docs[0];
        assert_eq!(
            root.get("a").unwrap().pos,
            Pos {
                line: 1,
                col: 4,
                len: 1
            }
        );
        let d = root.at(&["b", "d"]).unwrap();
        assert_eq!((d.pos.line, d.pos.col), (4, 6));
        assert_eq!(d.as_str(), Some("hello"));
        let y = &root.at(&["b", "c"]).unwrap().as_seq().unwrap()[1];
        assert_eq!((y.pos.line, y.pos.col), (3, 10));
        let key = root.key_node("b").unwrap();
        assert_eq!((key.pos.line, key.pos.col), (2, 1));
    }

    #[test]
    fn scalars_stay_typed() {
        let docs: Vec<Node> =
            parse_documents("a: 1\nb: true\nc: '1'\nd: ~\n", Budget::default()).unwrap();
        let r = &docs[0];
        assert_eq!(r.get("a").unwrap().value, Value::Int(1));
        assert_eq!(r.get("b").unwrap().value, Value::Bool(true));
        assert_eq!(r.get("c").unwrap().value, Value::Str("1".into()));
        assert!(r.get("d").unwrap().is_null());
    }

    #[test]
    fn core_schema_typing_and_quoting() {
        let docs = parse_documents(
            "a: 0x1f\nb: 1.5e3\nc: \"true\"\nd: !!str 12\ne: 12abc\nf: -7\ng: .inf\n",
            Budget::default(),
        )
        .unwrap();
        let r = &docs[0];
        assert_eq!(r.get("a").unwrap().value, Value::Int(31));
        assert_eq!(r.get("b").unwrap().value, Value::Float(1500.0));
        assert_eq!(r.get("c").unwrap().value, Value::Str("true".into()));
        assert_eq!(r.get("d").unwrap().value, Value::Str("12".into()));
        assert_eq!(r.get("e").unwrap().value, Value::Str("12abc".into()));
        assert_eq!(r.get("f").unwrap().value, Value::Int(-7));
        assert_eq!(r.get("g").unwrap().value, Value::Float(f64::INFINITY));
    }

    #[test]
    fn merge_keys_are_ordinary_keys_and_duplicates_are_errors() {
        let text = "base: &b {owner: team-a, type: service}\nsvc:\n  <<: *b\n  type: website\n";
        let docs = parse_documents(text, Budget::default()).unwrap();
        let svc = docs[0].get("svc").unwrap();
        assert_eq!(svc.get("owner"), None, "the merge is not applied");
        assert_eq!(
            svc.get("<<").unwrap().get("owner").unwrap().as_str(),
            Some("team-a")
        );
        assert_eq!(svc.get("type").unwrap().as_str(), Some("website"));
        let err = parse_documents("a: 1\nb: 2\na: 3\n", Budget::default()).unwrap_err();
        assert_eq!((err.kind, err.line, err.col), (YamlErrorKind::Syntax, 3, 1));
        assert!(err.message.contains("duplicate key `a`"));
        let err = parse_documents("a: *nope\n", Budget::default()).unwrap_err();
        assert_eq!(err.kind, YamlErrorKind::Syntax);
    }

    #[test]
    fn budgets_stop_bombs_and_deep_nesting() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            text.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                vec![format!("*a{}", i - 1); 10].join(", ")
            ));
        }
        let err = parse_documents(&text, Budget::default()).unwrap_err();
        assert_eq!(err.kind, YamlErrorKind::Budget);
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let err = parse_documents(&deep, Budget::default()).unwrap_err();
        assert_eq!(err.kind, YamlErrorKind::Budget);
    }

    /// `depth` mappings nested in one another, each anchored, `width`
    /// scalars at each level: kept anchors would copy about depth² nodes.
    fn nested_anchors(depth: usize, width: usize, alias: bool) -> String {
        let mut text = String::from("top: ");
        for d in 0..depth {
            let keys: Vec<String> = (0..width).map(|w| format!("k{w}: {w}")).collect();
            text.push_str(&format!("&a{d} {{{}, n: ", keys.join(", ")));
        }
        text.push_str(&format!("1{}\n", "}".repeat(depth)));
        if alias {
            text.push_str("copy: *a0\n");
        }
        text
    }

    #[test]
    fn anchors_without_aliases_copy_nothing() {
        let text = nested_anchors(100, 50, false);
        let docs = parse_documents(&text, Budget::default()).unwrap();
        assert_eq!(docs.len(), 1);
    }

    #[test]
    fn kept_anchors_count_against_the_copy_budget() {
        // One alias makes every anchor worth keeping; keeping all of them
        // would copy ~100 × 50 × 100 / 2 nodes from a text of ~60 KB.
        let err = parse_documents(&nested_anchors(100, 50, true), Budget::default()).unwrap_err();
        assert_eq!(err.kind, YamlErrorKind::Budget, "{err:?}");
        // A small anchor used a few times is fine.
        let ok = "d: &d {owner: team-a, type: service}\na: *d\nb: *d\nc: *d\n";
        assert!(parse_documents(ok, Budget::default()).is_ok());
    }

    #[test]
    fn aliased_long_scalars_count_their_bytes() {
        let mut text = format!("s: &s \"{}\"\nl:\n", "x".repeat(100_000));
        for _ in 0..10 {
            text.push_str("- *s\n");
        }
        let err = parse_documents(&text, Budget::default()).unwrap_err();
        assert_eq!(err.kind, YamlErrorKind::Budget);
        assert_eq!(err.line, 2 + 4, "stops at the alias that breaks the budget");
    }

    #[test]
    fn duplicate_keys_are_found_in_big_mappings_in_linear_time() {
        let mut text: String = (0..40_000).map(|i| format!("k{i}: {i}\n")).collect();
        let started = std::time::Instant::now();
        let docs = parse_documents(&text, Budget::default()).unwrap();
        assert_eq!(docs[0].as_map().unwrap().len(), 40_000);
        // Quadratic detection took about a minute here in a debug build;
        // linear takes about one second.
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
        text.push_str("k4711: again\n");
        let err = parse_documents(&text, Budget::default()).unwrap_err();
        assert_eq!((err.kind, err.line), (YamlErrorKind::Syntax, 40_001));
        assert!(err.message.contains("duplicate key `k4711`"));
    }

    #[test]
    fn key_equality_is_unchanged_by_the_index() {
        let many: String = (0..20).map(|i| format!("x{i}: 1\n")).collect();
        for (dup, expect) in [
            ("0.0: a\n-0.0: b\n", true),
            (".nan: a\n.nan: b\n", false),
            ("1: a\n'1': b\n", false),
            ("1: a\n1.0: b\n", false),
            ("? &k [a, b]\n: 1\n? *k\n: 2\n", true),
            ("? [a, b]\n: 1\n? [a, b]\n: 2\n", false),
        ] {
            for prefix in ["", many.as_str()] {
                let text = format!("{prefix}{dup}");
                let got = parse_documents(&text, Budget::default())
                    .err()
                    .is_some_and(|e| e.message.starts_with("duplicate key"));
                assert_eq!(got, expect, "{dup:?} after {} keys", prefix.lines().count());
            }
        }
    }
}
