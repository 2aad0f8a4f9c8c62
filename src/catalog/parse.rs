//! Reads one file into YAML documents, defensively.
//!
//! Catalog files are untrusted: the size is checked before reading, binary
//! and non-UTF-8 content is refused, and the YAML parser runs under a budget
//! so an alias bomb fails in milliseconds instead of eating memory.

use super::discover::FileEntry;
use super::model::KnownKind;
use super::yaml::{self, Budget, Node, YamlErrorKind};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::source::{self, Source};

/// The outcome of reading one file.
pub enum Parsed {
    /// The file's documents (empty documents are dropped).
    Docs(Vec<Node>),
    /// A broken file that does not look like a catalog file: skipped quietly.
    NotCatalog,
    /// A broken file that claims to hold entities.
    Broken(Diagnostic),
    /// A `catalog-info.yaml` without a single YAML document: a warning.
    Empty(Diagnostic),
}

/// Parses YAML text into documents. A syntax error is reported only when
/// the text looks like a catalog file; other broken YAML (Helm templates,
/// tool configs) is none of our business. A budget breach is always
/// reported: it is an attack or a mistake either way.
pub fn parse_text(rel: &str, text: &str) -> Parsed {
    match yaml::parse_documents(text, Budget::default()) {
        Ok(docs) => Parsed::Docs(docs.into_iter().filter(|d| !d.is_null()).collect()),
        Err(err) => {
            let is_budget = err.kind == YamlErrorKind::Budget;
            if !is_budget && !claims_to_be_catalog(text) {
                return Parsed::NotCatalog;
            }
            let diag = if is_budget {
                Diagnostic::new(Code::YamlBudget, format!("`{rel}` exceeds the YAML resource budget: {}", err.message))
                    .help("this looks like an alias bomb or machine-generated data; entity files need neither thousands of aliases nor deep nesting")
            } else if err.message.starts_with("duplicate key") {
                Diagnostic::new(Code::YamlSyntax, err.message).help(
                    "a key may appear only once in a mapping; remove or merge the repeated one",
                )
            } else {
                Diagnostic::new(Code::YamlSyntax, format!("invalid YAML: {}", err.message))
                    .help("fix the YAML syntax; check indentation and quoting near this position")
            };
            Parsed::Broken(diag.at(Span::new(rel, err.line.max(1), err.col.max(1))))
        }
    }
}

/// True when unparsable text still looks like Backstage entities: a
/// top-level `apiVersion` in a `backstage.io` group, or a top-level `kind`
/// naming a Backstage kind.
pub fn claims_to_be_catalog(text: &str) -> bool {
    text.lines().any(|line| {
        if let Some(v) = line.strip_prefix("apiVersion:") {
            return v.contains("backstage.io");
        }
        if let Some(v) = line.strip_prefix("kind:") {
            let v = v.trim().trim_matches(['"', '\'']);
            return KnownKind::parse(v).is_some();
        }
        false
    })
}

/// Reads and parses one discovered file. A `catalog-info.yaml` is always
/// parsed, even when it cannot hold an entity: an empty one is reported
/// (see [`empty_catalog_file`]).
pub fn parse_file(src: &dyn Source, entry: &FileEntry, max_bytes: u64) -> Parsed {
    match source::read_text(src, &entry.rel, max_bytes) {
        Ok(text) if !may_hold_entities(&text) && !is_catalog_info(&entry.rel) => Parsed::NotCatalog,
        Ok(text) => match parse_text(&entry.rel, &text) {
            Parsed::Docs(docs) if docs.is_empty() && is_catalog_info(&entry.rel) => {
                Parsed::Empty(empty_catalog_file(&entry.rel, &text))
            }
            parsed => parsed,
        },
        Err(d) => Parsed::Broken(d),
    }
}

/// Backstage's conventional entity file name, which promises an entity:
/// an empty one is usually a scaffold nobody filled in, and it silently
/// leaves the component out of the catalog.
pub fn is_catalog_info(rel: &str) -> bool {
    let base = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    matches!(base.as_str(), "catalog-info.yaml" | "catalog-info.yml")
}

/// The warning for a `catalog-info.yaml` with no YAML document.
fn empty_catalog_file(rel: &str, text: &str) -> Diagnostic {
    let what = if text.trim().is_empty() {
        "is empty"
    } else {
        "holds only comments"
    };
    Diagnostic::new(
        Code::EmptyCatalogFile,
        format!("`{rel}` {what}, so it defines no entity"),
    )
    .at(Span::new(rel, 1, 1))
    .help("describe the entity here (`apiVersion: backstage.io/v1alpha1`, `kind`, `metadata.name` and `spec`), or delete the file if nothing in this folder belongs in the catalog")
}

/// An entity needs an `apiVersion` or a `kind` key, so text containing
/// neither word cannot hold one. Catalog repositories are full of other
/// YAML (mkdocs.yml next to every component, OpenAPI files, CI configs);
/// skipping them without parsing roughly halves the parse work.
pub fn may_hold_entities(text: &str) -> bool {
    text.contains("apiVersion") || text.contains("kind")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(text: &str) -> Vec<Node> {
        match parse_text("f.yaml", text) {
            Parsed::Docs(d) => d,
            Parsed::NotCatalog => panic!("not catalog"),
            Parsed::Broken(d) | Parsed::Empty(d) => panic!("{d:?}"),
        }
    }

    #[test]
    fn only_catalog_info_names_promise_an_entity() {
        assert!(is_catalog_info("catalog-info.yaml"));
        assert!(is_catalog_info("services/a/Catalog-Info.yml"));
        assert!(!is_catalog_info("services/catalog-info.yaml.bak"));
        assert!(!is_catalog_info("my-catalog-info.yaml"));
        assert!(!is_catalog_info("catalog-info/values.yaml"));
    }

    #[test]
    fn empty_and_separator_only_documents_are_dropped() {
        assert!(docs("").is_empty());
        assert!(docs("---\n").is_empty());
        assert!(docs("---\n---\n# just a comment\n").is_empty());
        assert_eq!(docs("a: 1\n---\n---\nb: 2\n").len(), 2);
    }

    #[test]
    fn alias_bomb_is_rejected_quickly() {
        let mut text = String::from(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
        );
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let start = std::time::Instant::now();
        match parse_text("bomb.yaml", &text) {
            Parsed::Broken(d) => assert_eq!(d.code, Code::YamlBudget, "{d:?}"),
            _ => panic!("alias bomb was accepted"),
        }
        assert!(start.elapsed().as_secs() < 5);
    }

    #[test]
    fn broken_non_catalog_yaml_is_skipped_but_broken_entities_are_not() {
        assert!(matches!(
            parse_text("t.yaml", "foo: {{ .Values.x }}\n: ["),
            Parsed::NotCatalog
        ));
        match parse_text(
            "c.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: [\n",
        ) {
            Parsed::Broken(d) => assert_eq!(d.code, Code::YamlSyntax),
            _ => panic!("broken entity was not reported"),
        }
    }
}
