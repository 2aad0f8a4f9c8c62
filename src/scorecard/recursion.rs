//! Rejects recursive functions before any of them is evaluated.
//!
//! Rego forbids recursion, and OPA rejects it at compile time. regorus
//! catches recursive rules (as a cyclic-evaluation error) but not recursive
//! functions: `f(x) := f(x + 1)` overflows the stack, and a stack overflow
//! aborts the whole process; no handler can catch it. So Portolan builds
//! the call graph of every function from regorus's parsed modules, across
//! all policy files, and refuses any cycle in it. Working on the parsed
//! AST means the spelling does not matter: `data.pkg.f(…)`, an import
//! alias, an indented definition, a `#` inside a string or a function
//! passed with `with … as f` all resolve to the same function.
//!
//! A cycle through a rule needs no check here: regorus stops it with
//! "cyclic evaluation" when the rule is entered again.

use regorus::unstable::{Expr, Literal, Module, Query, Ref, Rule, RuleHead};
use std::collections::{BTreeMap, BTreeSet};

/// A recursive function: the cycle it is on and where it is defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recursion {
    /// The file of the first function on the cycle (by full name).
    pub file: String,
    pub line: u32,
    pub col: u32,
    /// Full names (`data.pkg.f`), starting and ending with the same function.
    pub cycle: Vec<String>,
    /// Every file a function on the cycle is defined in.
    pub files: BTreeSet<String>,
}

/// A reference as a path of names: `data.a.b["c"]` is `[data, a, b, c]`.
fn path(e: &Expr) -> Option<Vec<String>> {
    match e {
        Expr::Var { value, .. } => Some(vec![value.as_string().ok()?.to_string()]),
        Expr::RefDot { refr, field, .. } => {
            let mut p = path(refr)?;
            p.push(field.1.as_string().ok()?.to_string());
            Some(p)
        }
        Expr::RefBrack { refr, index, .. } => {
            let mut p = path(refr)?;
            match index.as_ref() {
                Expr::String { value, .. } | Expr::RawString { value, .. } => {
                    p.push(value.as_string().ok()?.to_string());
                    Some(p)
                }
                _ => Some(p),
            }
        }
        _ => None,
    }
}

/// Names of one module: its package and its import aliases.
struct Scope {
    package: Vec<String>,
    imports: BTreeMap<String, Vec<String>>,
}

impl Scope {
    fn new(m: &Module) -> Scope {
        let mut package = path(&m.package.refr).unwrap_or_default();
        if package.first().map(String::as_str) != Some("data") {
            package.insert(0, "data".to_owned());
        }
        let imports = m
            .imports
            .iter()
            .filter_map(|i| {
                let p = path(&i.refr)?;
                let alias = match &i.r#as {
                    Some(span) => span.text().to_owned(),
                    None => p.last()?.clone(),
                };
                Some((alias, p))
            })
            .collect();
        Scope { package, imports }
    }

    /// Candidate full names a reference may denote: as written from `data`,
    /// through an import, or relative to the package.
    fn resolve(&self, p: &[String]) -> Vec<String> {
        let Some(first) = p.first() else {
            return Vec::new();
        };
        let full = |prefix: &[String], rest: &[String]| {
            prefix
                .iter()
                .chain(rest)
                .cloned()
                .collect::<Vec<_>>()
                .join(".")
        };
        if first == "data" {
            return prefixes(&p.join("."));
        }
        let mut out = Vec::new();
        if let Some(target) = self.imports.get(first) {
            out.extend(prefixes(&full(target, &p[1..])));
        }
        out.extend(prefixes(&full(&self.package, p)));
        out
    }
}

/// `data.a.b.c` and each shorter name down to `data.a`: a reference such as
/// `f.x` (a function's result indexed) starts with the function's name.
fn prefixes(name: &str) -> Vec<String> {
    let mut out = vec![name.to_owned()];
    let mut rest = name;
    while let Some((head, _)) = rest.rsplit_once('.') {
        out.push(head.to_owned());
        rest = head;
    }
    out
}

/// Every reference in an expression, query or rule, collected as paths.
#[derive(Default)]
struct Refs(Vec<Vec<String>>);

impl Refs {
    fn expr(&mut self, e: &Expr) {
        if let Some(p) = path(e) {
            self.0.push(p);
        }
        match e {
            Expr::Array { items, .. } | Expr::Set { items, .. } => {
                items.iter().for_each(|i| self.expr(i))
            }
            Expr::Object { fields, .. } => {
                for (_, k, v) in fields {
                    self.expr(k);
                    self.expr(v);
                }
            }
            Expr::ArrayCompr { term, query, .. } | Expr::SetCompr { term, query, .. } => {
                self.expr(term);
                self.query(query);
            }
            Expr::ObjectCompr {
                key, value, query, ..
            } => {
                self.expr(key);
                self.expr(value);
                self.query(query);
            }
            Expr::Call { fcn, params, .. } => {
                self.expr(fcn);
                params.iter().for_each(|p| self.expr(p));
            }
            Expr::UnaryExpr { expr, .. } => self.expr(expr),
            Expr::RefDot { refr, .. } => self.expr(refr),
            Expr::RefBrack { refr, index, .. } => {
                self.expr(refr);
                self.expr(index);
            }
            Expr::BinExpr { lhs, rhs, .. }
            | Expr::BoolExpr { lhs, rhs, .. }
            | Expr::ArithExpr { lhs, rhs, .. }
            | Expr::AssignExpr { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            Expr::Membership {
                key,
                value,
                collection,
                ..
            } => {
                if let Some(k) = key {
                    self.expr(k);
                }
                self.expr(value);
                self.expr(collection);
            }
            Expr::String { .. }
            | Expr::RawString { .. }
            | Expr::Number { .. }
            | Expr::Bool { .. }
            | Expr::Null { .. }
            | Expr::Var { .. } => {}
        }
    }

    fn query(&mut self, q: &Query) {
        for stmt in &q.stmts {
            for w in &stmt.with_mods {
                self.expr(&w.refr);
                self.expr(&w.r#as);
            }
            match &stmt.literal {
                Literal::SomeVars { .. } => {}
                Literal::SomeIn {
                    key,
                    value,
                    collection,
                    ..
                } => {
                    if let Some(k) = key {
                        self.expr(k);
                    }
                    self.expr(value);
                    self.expr(collection);
                }
                Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => self.expr(expr),
                Literal::Every { domain, query, .. } => {
                    self.expr(domain);
                    self.query(query);
                }
            }
        }
    }
}

/// A function definition: its full name, where it is, what it references.
struct Def {
    name: String,
    file: String,
    line: u32,
    col: u32,
    refs: Vec<String>,
}

fn function_defs(modules: &[Ref<Module>]) -> Vec<Def> {
    let mut defs = Vec::new();
    for m in modules {
        let scope = Scope::new(m);
        for rule in &m.policy {
            let Rule::Spec {
                span,
                head: RuleHead::Func {
                    refr, args, assign, ..
                },
                bodies,
            } = rule.as_ref()
            else {
                continue;
            };
            let Some(name) = path(refr) else { continue };
            let mut refs = Refs::default();
            args.iter().for_each(|a| refs.expr(a));
            if let Some(a) = assign {
                refs.expr(&a.value);
            }
            for b in bodies {
                if let Some(a) = &b.assign {
                    refs.expr(&a.value);
                }
                refs.query(&b.query);
            }
            let full = scope
                .package
                .iter()
                .chain(&name)
                .cloned()
                .collect::<Vec<_>>()
                .join(".");
            defs.push(Def {
                name: full,
                file: span.source.file().clone(),
                line: span.line,
                col: span.col,
                refs: refs.0.iter().flat_map(|p| scope.resolve(p)).collect(),
            });
        }
    }
    defs
}

/// Finds every cycle among the functions of `modules` (each reported once,
/// in name order).
pub fn find(modules: &[Ref<Module>]) -> Vec<Recursion> {
    let defs = function_defs(modules);
    // A function may have several definitions (one per `else` chain or
    // overload); its node joins their references.
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for d in &defs {
        graph.entry(&d.name).or_default();
    }
    for d in &defs {
        let calls: Vec<&str> = d
            .refs
            .iter()
            .filter_map(|r| graph.get_key_value(r.as_str()).map(|(k, _)| *k))
            .collect();
        graph.entry(&d.name).or_default().extend(calls);
    }
    let first_def = |name: &str| defs.iter().find(|d| d.name == name);
    let mut found: Vec<Recursion> = Vec::new();
    let mut on_cycle: BTreeSet<&str> = BTreeSet::new();
    for &start in graph.keys() {
        if on_cycle.contains(start) {
            continue;
        }
        let Some(cycle) = shortest_cycle(&graph, start) else {
            continue;
        };
        on_cycle.extend(cycle.iter().copied());
        let Some(def) = first_def(start) else {
            continue;
        };
        found.push(Recursion {
            file: def.file.clone(),
            line: def.line,
            col: def.col,
            files: cycle
                .iter()
                .filter_map(|n| first_def(n).map(|d| d.file.clone()))
                .collect(),
            cycle: cycle.iter().map(|s| (*s).to_owned()).collect(),
        });
    }
    found
}

/// The shortest path from `start` back to itself, breadth first.
fn shortest_cycle<'a>(
    graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
    start: &'a str,
) -> Option<Vec<&'a str>> {
    let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for &next in graph.get(node).into_iter().flatten() {
            if next == start {
                let mut path = vec![start];
                let mut at = node;
                while at != start {
                    path.push(at);
                    at = parent[at];
                }
                path.push(start);
                let last = path.len() - 1;
                path[1..last].reverse();
                return Some(path);
            }
            if !parent.contains_key(next) {
                parent.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cycles(files: &[(&str, &str)]) -> Vec<(String, u32, String)> {
        let mut engine = regorus::Engine::new();
        for (f, t) in files {
            engine.add_policy((*f).into(), (*t).into()).unwrap();
        }
        find(engine.get_modules())
            .into_iter()
            .map(|r| (r.file, r.line, r.cycle.join(" → ")))
            .collect()
    }

    #[test]
    fn finds_direct_and_mutual_recursion_but_not_plain_calls() {
        let text = "package p\n\nf(x) := f(x + 1)\n\ng(x) := h(x)\n\nh(x) := y if {\n\ty := g(x)\n}\n\nok(x) := count(x)\n\nuse if ok([1])\n";
        assert_eq!(
            cycles(&[("p.rego", text)]),
            vec![
                ("p.rego".into(), 3, "data.p.f → data.p.f".into()),
                ("p.rego".into(), 5, "data.p.g → data.p.h → data.p.g".into())
            ]
        );
        assert!(cycles(&[("p.rego", "package p\n\nlinks(t) := [l | some l in input.links; l.type == t]\n\nx := links(\"a\")\n")]).is_empty());
    }

    #[test]
    fn no_spelling_hides_a_cycle() {
        for text in [
            // Through the package's own path.
            "package p\nf(x) := data.p.f(x)\n",
            // Indented definition.
            "package p\n    f(x) := y if {\n        y := f(x)\n    }\n",
            // A `#` inside a string before the call.
            "package p\nf(x) := y if {\n  s := \"#\"; y := f(concat(s, [x]))\n}\n",
            // Through an import alias.
            "package p\nimport data.p as me\nf(x) := me.f(x)\n",
            // Passed as a `with` replacement.
            "package p\ng(x) := x\nf(x) := y if {\n  y := g(x) with g as f\n}\n",
            // Inside a comprehension and an else branch.
            "package p\nf(x) := 1 if { x == 0 } else := n if { n := [v | v := f(x - 1)][0] }\n",
        ] {
            assert_eq!(cycles(&[("p.rego", text)]).len(), 1, "{text}");
        }
        // Across two files and packages.
        let found = cycles(&[
            ("a.rego", "package a\nf(x) := data.b.g(x)\n"),
            ("b.rego", "package b\ng(x) := data.a.f(x)\n"),
        ]);
        assert_eq!(
            found,
            vec![("a.rego".into(), 2, "data.a.f → data.b.g → data.a.f".into())]
        );
    }
}
