//! Rejects recursive functions before regorus sees them.
//!
//! Rego forbids recursion, and OPA rejects it at compile time. regorus
//! catches recursive rules (as a cyclic-evaluation error) but not recursive
//! functions: `f(x) := f(x + 1)` overflows the stack and aborts the whole
//! process, which a catalog check must never do. So Portolan finds cycles
//! among the functions and rules of each policy file itself.

use std::collections::{BTreeMap, BTreeSet};

/// A recursive definition: its name and the 1-based line where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recursion {
    pub name: String,
    pub line: u32,
    pub cycle: Vec<String>,
}

fn ident_at(line: &str) -> Option<&str> {
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(line.len());
    let name = &line[..end];
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
}

/// Names called as functions in `text` (`name(`), skipping strings and comments.
fn calls(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split('#').next().unwrap_or("");
        let mut in_str = false;
        let chars: Vec<char> = code.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '"' {
                in_str = !in_str;
            } else if !in_str
                && (c.is_ascii_alphabetic() || c == '_')
                && (i == 0
                    || !(chars[i - 1].is_ascii_alphanumeric()
                        || chars[i - 1] == '_'
                        || chars[i - 1] == '.'))
            {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                if i < chars.len() && chars[i] == '(' {
                    out.insert(chars[start..i].iter().collect());
                }
                continue;
            }
            i += 1;
        }
    }
    out
}

/// Finds recursive functions in one policy file.
pub fn find(text: &str) -> Vec<Recursion> {
    // Top-level definitions: a line starting at column 0 with `name(`.
    let lines: Vec<&str> = text.lines().collect();
    let mut defs: BTreeMap<String, (u32, String)> = BTreeMap::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let is_def = ident_at(line).is_some_and(|n| {
            line[n.len()..].starts_with('(') && !matches!(n, "package" | "import" | "default")
        });
        if !is_def {
            i += 1;
            continue;
        }
        let name = ident_at(line).unwrap_or_default().to_owned();
        let start = i;
        let mut body = String::from(&line[name.len()..]);
        i += 1;
        while i < lines.len()
            && (lines[i].is_empty() || lines[i].starts_with([' ', '\t', '}', ']', ')']))
        {
            body.push('\n');
            body.push_str(lines[i]);
            i += 1;
        }
        let entry = defs
            .entry(name)
            .or_insert((u32::try_from(start + 1).unwrap_or(u32::MAX), String::new()));
        entry.1.push('\n');
        entry.1.push_str(&body);
    }
    let graph: BTreeMap<&str, BTreeSet<String>> = defs
        .iter()
        .map(|(n, (_, body))| {
            (
                n.as_str(),
                calls(body)
                    .into_iter()
                    .filter(|c| defs.contains_key(c))
                    .collect(),
            )
        })
        .collect();
    let mut found: Vec<Recursion> = Vec::new();
    for start in graph.keys() {
        // Depth-first search for a path back to `start`.
        let mut stack = vec![(*start, vec![start.to_string()])];
        let mut seen = BTreeSet::new();
        while let Some((node, path)) = stack.pop() {
            for next in &graph[node] {
                if next == start {
                    let mut cycle = path.clone();
                    cycle.push(next.clone());
                    if !found.iter().any(|f| f.cycle.contains(&start.to_string())) {
                        found.push(Recursion {
                            name: start.to_string(),
                            line: defs[*start].0,
                            cycle,
                        });
                    }
                } else if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((graph.get_key_value(next.as_str()).map_or("", |(k, _)| k), p));
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_direct_and_mutual_recursion_but_not_plain_calls() {
        let text = "package p\n\nf(x) := f(x + 1)\n\ng(x) := h(x)\n\nh(x) := y if {\n\ty := g(x)\n}\n\nok(x) := count(x)\n\nuse if ok([1])\n";
        let found = find(text);
        let names: Vec<_> = found.iter().map(|r| (r.name.as_str(), r.line)).collect();
        assert_eq!(names, vec![("f", 3), ("g", 5)]);
        assert!(find("package p\n\nlinks(t) := [l | some l in input.links; l.type == t]\n\nx := links(\"a\")\n").is_empty());
    }
}
