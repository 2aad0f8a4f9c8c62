//! Scorecards and checks, read from policy annotations.
//!
//! Package metadata defines a scorecard (title, levels, `applies_to`,
//! enforcement); rule metadata defines a check (id, title, level, weight,
//! remediation). Everything lives under OPA's `custom:` key, so the files
//! stay valid for `opa` and `regal` as well.

use super::metadata::{Annotation, Scope};
use crate::catalog::model::Entity;
use crate::catalog::yaml::Node;
use crate::date::Date;
use crate::diagnostics::{Code, Diagnostic, Span};

/// Whether failures fail `portolan check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Enforcement {
    Advisory,
    Required,
}

/// Which entities a scorecard applies to. Each list is "any of"; an empty
/// list matches everything. Matching is case-insensitive.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Selector {
    pub kind: Vec<String>,
    #[serde(rename = "type")]
    pub spec_type: Vec<String>,
    pub lifecycle: Vec<String>,
    pub tags: Vec<String>,
    pub namespace: Vec<String>,
    /// Annotation keys, any of which the entity must carry.
    pub annotations: Vec<String>,
}

/// The keys an `applies_to` selector may have.
pub const SELECTOR_KEYS: &[&str] = &[
    "kind",
    "type",
    "lifecycle",
    "tags",
    "namespace",
    "annotations",
];

impl Selector {
    pub fn matches(&self, e: &Entity) -> bool {
        let any = |list: &[String], value: Option<&str>| {
            list.is_empty() || value.is_some_and(|v| list.iter().any(|x| x.eq_ignore_ascii_case(v)))
        };
        any(&self.kind, Some(&e.eref.kind))
            && any(&self.spec_type, e.spec_type())
            && any(&self.lifecycle, e.lifecycle())
            && any(&self.namespace, Some(&e.eref.namespace))
            && (self.tags.is_empty()
                || e.tags()
                    .iter()
                    .any(|t| self.tags.iter().any(|x| x.eq_ignore_ascii_case(t))))
            && (self.annotations.is_empty()
                || self
                    .annotations
                    .iter()
                    .any(|a| e.doc.at(&["metadata", "annotations", a]).is_some()))
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Check {
    pub id: String,
    /// The Rego rule that yields failure messages.
    #[serde(skip)]
    pub rule: String,
    pub title: String,
    pub description: String,
    pub level: String,
    pub weight: f64,
    pub remediation: String,
    /// The quick-answers item this check asks for (`custom.answers`), so the
    /// portal can show a missing runbook next to the check that wants one.
    pub answers: Option<String>,
    pub enforcement: Enforcement,
    /// From this date on, an advisory check is enforced as required.
    #[serde(serialize_with = "opt_date")]
    pub enforce_from: Option<Date>,
    /// What the check needs beyond the catalog (`custom.needs`). Only `git`
    /// exists: without trusted history the check is not judged rather than
    /// failed, because "no history" says nothing about the entity.
    pub needs: Vec<String>,
    #[serde(skip)]
    pub line: u32,
}

/// The needs a check may declare with `custom.needs`.
pub const NEEDS: &[&str] = &["git"];

impl Check {
    pub fn needs_git(&self) -> bool {
        self.needs.iter().any(|n| n == "git")
    }
}

impl Check {
    /// The enforcement in force on `today` (staged enforcement).
    pub fn enforcement_on(&self, today: Date) -> Enforcement {
        self.enforcement_with(today, None)
    }

    /// The enforcement on `today` for an entity that something else (an
    /// initiative past its deadline) also requires from `also_from`: the
    /// same staged rule, from whichever date comes first.
    pub fn enforcement_with(&self, today: Date, also_from: Option<Date>) -> Enforcement {
        let from = match (self.enforce_from, also_from) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match from {
            Some(from) if today >= from => Enforcement::Required,
            _ => self.enforcement,
        }
    }
}

fn opt_date<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

/// The quick answers a check may declare with `custom.answers`: the
/// panel's items, plus `contact` for the owner row's chat or on-call.
pub use crate::facts::answers::KEYS as ANSWER_ITEMS;

#[derive(Clone, Debug, serde::Serialize)]
pub struct Scorecard {
    pub id: String,
    /// The Rego package, e.g. `portolan.production_readiness`.
    pub package: String,
    pub title: String,
    pub description: String,
    pub levels: Vec<String>,
    pub applies_to: Selector,
    pub enforcement: Enforcement,
    pub file: String,
    /// Where the id is written (or the package block, for a derived id).
    #[serde(skip)]
    pub id_pos: crate::catalog::yaml::Pos,
    pub checks: Vec<Check>,
}

struct Reader<'a> {
    file: &'a str,
    /// The code problems are reported under (policy metadata, or an
    /// initiative file's).
    code: Code,
    diags: &'a mut Vec<Diagnostic>,
}

/// Reads an `applies_to` selector (`kind`, `type`, `lifecycle`, `tags`,
/// `namespace`, `annotations`, each a string or a list): the one reader for
/// scorecards and initiatives, so both accept exactly the same selectors.
/// Problems are reported under `code` at their line in `file`.
pub fn read_selector(file: &str, code: Code, sel: &Node, diags: &mut Vec<Diagnostic>) -> Selector {
    let mut r = Reader { file, code, diags };
    r.selector(sel)
}

impl Reader<'_> {
    fn selector(&mut self, sel: &Node) -> Selector {
        if sel.as_map().is_none() {
            self.problem(
                sel,
                format!("`applies_to` must be a mapping, found {}", sel.type_name()),
                "write for example `applies_to: {kind: component, lifecycle: production}`",
            );
            return Selector::default();
        }
        for (k, _) in sel.as_map().unwrap_or_default() {
            let key = k.as_str().unwrap_or_default();
            if !SELECTOR_KEYS.contains(&key) {
                self.problem(
                    k,
                    format!("`applies_to` has no key `{}`", key.escape_debug()),
                    "use kind, type, lifecycle, tags, namespace or annotations",
                );
            }
        }
        Selector {
            kind: self.strings(sel, "kind"),
            spec_type: self.strings(sel, "type"),
            lifecycle: self.strings(sel, "lifecycle"),
            tags: self.strings(sel, "tags"),
            namespace: self.strings(sel, "namespace"),
            annotations: self.strings(sel, "annotations"),
        }
    }

    fn problem(&mut self, node: &Node, msg: String, help: &str) {
        self.diags.push(
            Diagnostic::new(self.code, msg)
                .at(Span::at(self.file, node.pos))
                .help(help),
        );
    }

    fn string(&mut self, node: &Node, key: &str) -> Option<String> {
        let v = node.get(key)?;
        match v.as_str() {
            Some(s) => Some(s.to_owned()),
            None => {
                self.problem(
                    v,
                    format!("`{key}` must be a string, found {}", v.type_name()),
                    "quote the value",
                );
                None
            }
        }
    }

    fn strings(&mut self, node: &Node, key: &str) -> Vec<String> {
        let Some(v) = node.get(key) else {
            return Vec::new();
        };
        if let Some(s) = v.as_str() {
            return vec![s.to_owned()];
        }
        match v.as_seq() {
            Some(items) => items.iter().filter_map(|i| i.scalar_text()).collect(),
            None => {
                self.problem(
                    v,
                    format!("`{key}` must be a string or a list of strings"),
                    "write `[a, b]`",
                );
                Vec::new()
            }
        }
    }

    fn enforce_from(&mut self, custom: Option<&Node>, default: Option<Date>) -> Option<Date> {
        let custom = custom?;
        let Some(node) = custom.get("enforce_from") else {
            return default;
        };
        let text = node.scalar_text().unwrap_or_default();
        match Date::parse(&text) {
            Some(d) => Some(d),
            None => {
                self.problem(
                    node,
                    format!("`enforce_from: {text}` is not a YYYY-MM-DD date"),
                    "write for example `enforce_from: 2027-01-01`",
                );
                default
            }
        }
    }

    fn enforcement(&mut self, custom: Option<&Node>, default: Enforcement) -> Enforcement {
        let Some(custom) = custom else { return default };
        match self.string(custom, "enforcement").as_deref() {
            None => default,
            Some("advisory") => Enforcement::Advisory,
            Some("required") => Enforcement::Required,
            Some(other) => {
                let node = custom.get("enforcement").unwrap_or(custom);
                self.problem(
                    node,
                    format!("unknown enforcement `{other}`"),
                    "use `advisory` (warn) or `required` (fail the check)",
                );
                default
            }
        }
    }
}

/// Builds the scorecard of one policy file from its annotations.
/// Returns `None` (with diagnostics) when the file defines no usable scorecard.
pub fn scorecard(
    file: &str,
    annotations: &[Annotation],
    diags: &mut Vec<Diagnostic>,
) -> Option<Scorecard> {
    let mut r = Reader {
        file,
        code: Code::PolicyMetadata,
        diags,
    };
    let Some(pkg) = annotations
        .iter()
        .find(|a| matches!(a.scope, Scope::Package(_)))
    else {
        r.diags.push(
            Diagnostic::new(Code::PolicyMetadata, "policy has no package `# METADATA` block, so it defines no scorecard")
                .at(Span::new(file, 1, 1))
                .help("add a `# METADATA` block with `title` and `custom.levels` directly above the `package` line"),
        );
        return None;
    };
    let Scope::Package(package) = &pkg.scope else {
        return None;
    };
    let custom = pkg.yaml.get("custom");
    let title = r
        .string(&pkg.yaml, "title")
        .unwrap_or_else(|| package.clone());
    let description = r.string(&pkg.yaml, "description").unwrap_or_default();
    let levels = custom.map(|c| r.strings(c, "levels")).unwrap_or_default();
    if levels.is_empty() {
        r.problem(
            custom.unwrap_or(&pkg.yaml),
            "scorecard has no `custom.levels` ladder".into(),
            "add `levels: [bronze, silver, gold]` under `custom:`, lowest first",
        );
        return None;
    }
    let mut applies_to = Selector::default();
    if let Some(sel) = custom.and_then(|c| c.get("applies_to")) {
        applies_to = r.selector(sel);
    }
    let enforcement = r.enforcement(custom, Enforcement::Advisory);
    let enforce_from = r.enforce_from(custom, None);
    let id_node = custom.and_then(|c| c.get("id"));
    let id = match id_node {
        Some(node) => match node.as_str() {
            Some(id) => id.to_owned(),
            None => {
                r.problem(
                    node,
                    format!(
                        "scorecard `custom.id` must be a string, found {}",
                        node.type_name()
                    ),
                    "write for example `id: production-readiness`",
                );
                return None;
            }
        },
        None => package
            .rsplit('.')
            .next()
            .unwrap_or(package)
            .replace('_', "-"),
    };
    let id_pos = id_node.unwrap_or(&pkg.yaml).pos;
    if !is_slug(&id) {
        r.problem(
            id_node.unwrap_or(&pkg.yaml),
            format!(
                "scorecard id `{}` is not a slug{}",
                id.escape_debug(),
                if id_node.is_none() { " (it comes from the package name)" } else { "" }
            ),
            "an id is 1 to 63 lowercase letters, digits and single `-` between them, like `production-readiness`; it names the scorecard's page and its waivers",
        );
        return None;
    }
    let mut checks: Vec<Check> = Vec::new();
    for a in annotations {
        let Scope::Rule(rule) = &a.scope else {
            continue;
        };
        let custom = a.yaml.get("custom");
        let Some(cid) = custom.and_then(|c| r.string(c, "id")) else {
            r.problem(
                &a.yaml,
                format!("check `{rule}` has no `custom.id`"),
                "add `id: a-stable-kebab-case-id` under `custom:`",
            );
            continue;
        };
        if !is_slug(&cid) {
            let node = custom.and_then(|c| c.get("id")).unwrap_or(&a.yaml);
            r.problem(
                node,
                format!("check id `{}` is not a slug", cid.escape_debug()),
                "an id is 1 to 63 lowercase letters, digits and single `-` between them, like `runbook-link`; waivers name checks by it",
            );
            continue;
        }
        let Some(level) = custom.and_then(|c| r.string(c, "level")) else {
            r.problem(
                &a.yaml,
                format!("check `{cid}` has no `custom.level`"),
                "add `level:` naming one of the scorecard's levels",
            );
            continue;
        };
        if !levels.contains(&level) {
            let node = custom.and_then(|c| c.get("level")).unwrap_or(&a.yaml);
            r.problem(
                node,
                format!("check `{cid}` has level `{level}`, which is not in the ladder {levels:?}"),
                "use one of the levels listed in the package's `custom.levels`",
            );
            continue;
        }
        if checks.iter().any(|c| c.id == cid) {
            r.problem(
                &a.yaml,
                format!("check id `{cid}` is used twice in this scorecard"),
                "give every check its own id",
            );
            continue;
        }
        let weight = match custom.and_then(|c| c.get("weight")) {
            None => 1.0,
            Some(w) => match &w.value {
                crate::catalog::yaml::Value::Int(i) if *i > 0 => *i as f64,
                crate::catalog::yaml::Value::Float(f) if *f > 0.0 => *f,
                _ => {
                    r.problem(
                        w,
                        "`weight` must be a positive number".into(),
                        "write for example `weight: 2`",
                    );
                    1.0
                }
            },
        };
        let answers = custom.and_then(|c| r.string(c, "answers"));
        if let Some(item) = &answers
            && !ANSWER_ITEMS.contains(&item.as_str())
        {
            let node = custom.and_then(|c| c.get("answers")).unwrap_or(&a.yaml);
            r.problem(
                node,
                format!("check `{cid}` answers `{item}`, which is not a quick-answers item"),
                "use one of owner, contact, repository, docs, dashboard, runbook, deployment",
            );
        }
        let mut needs = custom.map(|c| r.strings(c, "needs")).unwrap_or_default();
        if let Some(bad) = needs.iter().find(|n| !NEEDS.contains(&n.as_str())) {
            let node = custom.and_then(|c| c.get("needs")).unwrap_or(&a.yaml);
            r.problem(
                node,
                format!(
                    "check `{cid}` needs `{}`, which Portolan does not know",
                    bad.escape_debug()
                ),
                "the only need is `git` (the check reads `input.git`); remove the others",
            );
        }
        needs.retain(|n| NEEDS.contains(&n.as_str()));
        needs.sort();
        needs.dedup();
        checks.push(Check {
            needs,
            answers: answers.filter(|a| ANSWER_ITEMS.contains(&a.as_str())),
            title: r.string(&a.yaml, "title").unwrap_or_else(|| cid.clone()),
            description: r.string(&a.yaml, "description").unwrap_or_default(),
            remediation: custom
                .and_then(|c| r.string(c, "remediation"))
                .unwrap_or_default(),
            enforcement: r.enforcement(custom, enforcement),
            enforce_from: r.enforce_from(custom, enforce_from),
            id: cid,
            rule: rule.clone(),
            level,
            weight,
            line: a.line,
        });
    }
    Some(Scorecard {
        id,
        package: package.clone(),
        title,
        description,
        levels,
        applies_to,
        enforcement,
        file: file.to_owned(),
        id_pos,
        checks,
    })
}

/// Ids name pages (`scorecards/<id>/`), waivers and CSS anchors: lowercase
/// ASCII letters and digits, single `-` between them, at most 63 characters.
pub fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 63
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
}
