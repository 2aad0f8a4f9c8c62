//! Waivers: recorded exceptions to a check, with a reason, an expiry date
//! and an approver.
//!
//! They live in one file, `ROOT/waivers.yaml`, rather than next to each
//! entity: a platform team can then protect that single path with
//! CODEOWNERS and require its own review on every exception, while teams
//! keep owning their entity files.

use crate::catalog::model::{EntityRef, KnownKind};
use crate::catalog::yaml::{self, Budget, Node};
use crate::date::Date;
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::source::Source;

pub const FILE: &str = "waivers.yaml";

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Waiver {
    /// `scorecard-id/check-id`.
    pub check: String,
    pub entity: EntityRef,
    pub reason: String,
    #[serde(serialize_with = "as_text")]
    pub expires: Date,
    pub approver: String,
    #[serde(skip)]
    pub line: u32,
}

fn as_text<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

/// Reads `ROOT/waivers.yaml` (absent is fine). Every malformed entry is a
/// diagnostic with its line; the valid ones still apply.
pub fn load(source: &dyn Source, diags: &mut Vec<Diagnostic>) -> Vec<Waiver> {
    if matches!(source.kind(FILE), Err(crate::source::ReadError::Missing)) {
        return Vec::new();
    }
    let text = match crate::source::read_text(source, FILE, crate::config::DEFAULT_MAX_FILE_BYTES) {
        Ok(t) => t,
        Err(d) => {
            diags.push(d);
            return Vec::new();
        }
    };
    let doc = match yaml::parse_documents(&text, Budget::default()) {
        Ok(mut docs) if !docs.is_empty() => docs.swap_remove(0),
        Ok(_) => return Vec::new(),
        Err(e) => {
            diags.push(
                Diagnostic::new(Code::WaiverInvalid, format!("invalid YAML: {}", e.message))
                    .at(Span::new(FILE, e.line, e.col))
                    .help("waivers.yaml is a `waivers:` list; see docs/policies.md"),
            );
            return Vec::new();
        }
    };
    let Some(list) = doc.get("waivers").and_then(Node::as_seq) else {
        diags.push(invalid(
            &doc,
            "waivers.yaml must have a `waivers:` list".into(),
        ));
        return Vec::new();
    };
    list.iter().filter_map(|item| waiver(item, diags)).collect()
}

fn invalid(node: &Node, msg: String) -> Diagnostic {
    Diagnostic::new(Code::WaiverInvalid, msg)
        .at(Span::at(FILE, node.pos))
        .help("each waiver has `check: scorecard/check`, `entity`, `reason`, `expires: YYYY-MM-DD` and `approver`")
}

fn waiver(item: &Node, diags: &mut Vec<Diagnostic>) -> Option<Waiver> {
    let mut field = |name: &str| -> Option<String> {
        match item.get(name).map(|n| (n, n.scalar_text())) {
            Some((_, Some(s))) if !s.trim().is_empty() => Some(s),
            Some((n, _)) => {
                diags.push(invalid(
                    n,
                    format!("waiver `{name}` must be a non-empty string"),
                ));
                None
            }
            None => {
                diags.push(invalid(item, format!("waiver is missing `{name}`")));
                None
            }
        }
    };
    let (check, entity, reason, expires, approver) = (
        field("check"),
        field("entity"),
        field("reason"),
        field("expires"),
        field("approver"),
    );
    let (check, entity, reason, expires, approver) =
        (check?, entity?, reason?, expires?, approver?);
    if !check.contains('/') {
        diags.push(invalid(
            item.get("check").unwrap_or(item),
            format!("`{check}` is not `scorecard/check`"),
        ));
        return None;
    }
    let Some(expires) = Date::parse(&expires) else {
        diags.push(invalid(
            item.get("expires").unwrap_or(item),
            format!("`{expires}` is not a YYYY-MM-DD date"),
        ));
        return None;
    };
    let entity = match EntityRef::parse(&entity, Some(KnownKind::Component), "default") {
        Ok(r) => r,
        Err(e) => {
            diags.push(invalid(
                item.get("entity").unwrap_or(item),
                format!("invalid entity reference: {e}"),
            ));
            return None;
        }
    };
    Some(Waiver {
        check,
        entity,
        reason,
        expires,
        approver,
        line: item.pos.line,
    })
}
