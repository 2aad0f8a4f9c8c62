//! OPA `# METADATA` annotations.
//!
//! regorus does not read annotations, so Portolan finds the comment blocks
//! itself: a `# METADATA` line, then the YAML in the comment lines that
//! follow it, attached to the `package` or rule on the next code line.

use crate::catalog::yaml::{self, Budget, Node, Pos, Value};
use crate::diagnostics::{Code, Diagnostic, Span};

/// What an annotation is attached to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    Package(String),
    Rule(String),
}

/// One `# METADATA` block, its YAML with positions in the `.rego` file.
#[derive(Clone, Debug)]
pub struct Annotation {
    pub scope: Scope,
    /// Line of the `# METADATA` marker.
    pub line: u32,
    pub yaml: Node,
}

/// Finds every annotation in a policy file. A block that is not valid YAML,
/// or that annotates nothing, is a diagnostic pointing into the block.
pub fn parse(file: &str, text: &str) -> (Vec<Annotation>, Vec<Diagnostic>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut diags = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "# METADATA" {
            i += 1;
            continue;
        }
        let marker = i;
        let mut body = String::new();
        // Column (1-based) where the YAML text starts on each comment line.
        let mut offsets = Vec::new();
        i += 1;
        while i < lines.len() && lines[i].trim_start().starts_with('#') {
            let line = lines[i];
            let indent = line.len() - line.trim_start().len();
            let after_hash = &line[indent + 1..];
            let (content, extra) = match after_hash.strip_prefix(' ') {
                Some(c) => (c, 2),
                None => (after_hash, 1),
            };
            body.push_str(content);
            body.push('\n');
            offsets.push(u32::try_from(indent + extra).unwrap_or(0));
            i += 1;
        }
        let at = |pos: Pos| -> Pos {
            let row = pos.line.saturating_sub(1) as usize;
            Pos {
                line: u32::try_from(marker + 1 + row + 1).unwrap_or(u32::MAX),
                col: pos.col + offsets.get(row).copied().unwrap_or(0),
                len: pos.len,
            }
        };
        let marker_line = u32::try_from(marker + 1).unwrap_or(u32::MAX);
        let scope = lines[i..]
            .iter()
            .find(|l| !l.trim().is_empty())
            .and_then(|l| scope_of(l));
        let Some(scope) = scope else {
            diags.push(
                Diagnostic::new(
                    Code::PolicyMetadata,
                    "this `# METADATA` block annotates nothing",
                )
                .at(Span::new(file, marker_line, 1))
                .help("put the block directly above the `package` line or the rule it describes"),
            );
            continue;
        };
        match yaml::parse_documents(&body, Budget::default()) {
            Ok(mut docs) => {
                let mut node = if docs.is_empty() {
                    Node::new(Value::Null, Pos::new(1, 1))
                } else {
                    docs.swap_remove(0)
                };
                relocate(&mut node, &at);
                if node.as_map().is_none() {
                    diags.push(
                        Diagnostic::new(Code::PolicyMetadata, format!("`# METADATA` must be a YAML mapping, found {}", node.type_name()))
                            .at(Span::at(file, node.pos))
                            .help("write `# title: ...`, `# description: ...` and `# custom:` lines under the marker"),
                    );
                    continue;
                }
                out.push(Annotation {
                    scope,
                    line: marker_line,
                    yaml: node,
                });
            }
            Err(e) => {
                let pos = at(Pos::new(e.line, e.col));
                diags.push(
                    Diagnostic::new(Code::PolicyMetadata, format!("invalid YAML in `# METADATA`: {}", e.message))
                        .at(Span::at(file, pos))
                        .help("every line of the block is `# ` followed by YAML; check indentation after the `#`"),
                );
            }
        }
    }
    (out, diags)
}

fn relocate(node: &mut Node, at: &impl Fn(Pos) -> Pos) {
    node.pos = at(node.pos);
    match &mut node.value {
        Value::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            relocate(k, at);
            relocate(v, at);
        }),
        Value::Seq(items) => items.iter_mut().for_each(|v| relocate(v, at)),
        _ => {}
    }
}

/// The package or rule that a code line declares.
fn scope_of(line: &str) -> Option<Scope> {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix("package ") {
        return Some(Scope::Package(rest.trim().to_owned()));
    }
    let name: String = line
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if name.is_empty() || matches!(name.as_str(), "import" | "default") {
        if let Some(rest) = line.strip_prefix("default ") {
            return scope_of(rest);
        }
        return None;
    }
    Some(Scope::Rule(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "# METADATA\n# title: Production readiness\n# custom:\n#   levels: [bronze, silver, gold]\npackage portolan.production_readiness\n\nimport rego.v1\n\n# METADATA\n# title: Has an owner\n# custom:\n#   id: owner-exists\n#   level: bronze\nowner_exists contains msg if {\n  not input.entity.spec.owner\n  msg := \"no owner\"\n}\n";

    #[test]
    fn finds_package_and_rule_annotations_with_positions() {
        let (anns, diags) = parse("p.rego", POLICY);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(anns.len(), 2);
        assert_eq!(
            anns[0].scope,
            Scope::Package("portolan.production_readiness".into())
        );
        assert_eq!(
            anns[0].yaml.get("title").unwrap().as_str(),
            Some("Production readiness")
        );
        assert_eq!(anns[1].scope, Scope::Rule("owner_exists".into()));
        let level = anns[1].yaml.at(&["custom", "level"]).unwrap();
        assert_eq!(level.as_str(), Some("bronze"));
        assert_eq!((level.pos.line, level.pos.col), (13, 12));
    }

    #[test]
    fn malformed_blocks_are_diagnostics_with_their_line() {
        let (_, diags) = parse(
            "p.rego",
            "# METADATA\n# title: [unclosed\n# x: 1\npackage p\n",
        );
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::PolicyMetadata);
        assert!(diags[0].span.as_ref().unwrap().line >= 2);
        let (_, diags) = parse("p.rego", "package p\n# METADATA\n# title: x\n");
        assert_eq!(diags[0].span.as_ref().unwrap().line, 2);
    }
}
