//! Finds the catalog's YAML files among everything the [`Source`] walks
//! (which honours `.gitignore` on disk and never leaves ROOT).
//!
//! Symlinks are never followed by the walk itself. Each one is resolved
//! once: a link to a file inside ROOT is read under the link's own name, a
//! link to a directory inside ROOT is skipped (the directory is walked at its
//! real place, so following it would only produce duplicates or loops), and
//! a link that leaves ROOT (any link, whatever its name) or loops gets a
//! diagnostic.

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::source::{Link, Source};
use globset::{Glob, GlobSet, GlobSetBuilder};

/// Folders that never hold catalog files and can be huge.
const ALWAYS_SKIPPED: &[&str] = &[".git", "target", "node_modules"];

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileEntry {
    /// Relative to ROOT, with `/` separators: the name users see and the
    /// name it is read by.
    pub rel: String,
    /// For a symlink, the file it leads to (relative to ROOT).
    pub real: Option<String>,
}

#[derive(Clone)]
pub struct Discovered {
    pub files: Vec<FileEntry>,
    pub diagnostics: Vec<Diagnostic>,
}

fn build_globs(patterns: &[String]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        // Invalid globs were already reported by config::parse.
        if let Ok(g) = Glob::new(p) {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Decides which walked files are catalog candidates.
struct Filter {
    include: GlobSet,
    exclude: GlobSet,
    has_include: bool,
}

impl Filter {
    fn new(config: &Config) -> Self {
        Filter {
            include: build_globs(&config.include),
            exclude: build_globs(&config.exclude),
            has_include: !config.include.is_empty(),
        }
    }

    fn excluded(&self, rel: &str) -> bool {
        self.exclude.is_match(rel)
    }

    fn wants_file(&self, rel: &str) -> bool {
        // Initiatives are read by the scorecard stage, never as entities.
        if self.excluded(rel) || is_initiative_path(rel) {
            return false;
        }
        if self.has_include {
            self.include.is_match(rel)
        } else {
            is_yaml_name(rel)
        }
    }
}

/// A YAML file that may hold entities. Docs configs (`mkdocs.yml`,
/// Backstage's `techdocs.yaml`) sit next to every documented component and
/// are never entities, so they are not even read.
pub fn is_yaml_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    (base.ends_with(".yaml") || base.ends_with(".yml"))
        && !matches!(
            base,
            "mkdocs.yml" | "mkdocs.yaml" | "techdocs.yml" | "techdocs.yaml"
        )
}

/// `initiatives/<name>.yaml` (directly in that folder) holds an initiative,
/// not entities; see `scorecard::initiative`, which cannot be imported here
/// (catalog comes first), so the rule is written once here and reused there.
pub fn is_initiative_path(rel: &str) -> bool {
    rel.strip_prefix("initiatives/")
        .is_some_and(|name| !name.contains('/') && is_yaml_name(name))
}

/// Walks the source and returns the candidate files, sorted.
pub fn discover(source: &dyn Source, config: &Config) -> Discovered {
    let filter = Filter::new(config);
    let skip_dir = |rel: &str| {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        ALWAYS_SKIPPED.contains(&name) || filter.excluded(rel)
    };
    let walk = source.walk(&skip_dir);
    let mut diags: Vec<Diagnostic> = walk
        .errors
        .into_iter()
        .map(|(rel, err)| {
            Diagnostic::new(Code::Io, format!("cannot read: {err}"))
                .at(Span::file(rel))
                .help("check the file's permissions, or exclude it in portolan.toml")
        })
        .collect();
    let mut files = Vec::new();
    for walked in walk.files {
        match walked.link {
            None if filter.wants_file(&walked.rel) => files.push(FileEntry {
                rel: walked.rel,
                real: None,
            }),
            None => {}
            Some(link) => {
                if let Some(found) = symlink(walked.rel, link, &filter, &mut diags) {
                    files.push(found);
                }
            }
        }
    }
    // A link to a file that is read anyway (`current.yaml -> v2/catalog-info.yaml`)
    // would define every entity twice; read the file once, at its real name.
    let regular: std::collections::HashSet<String> = files
        .iter()
        .filter(|f| f.real.is_none())
        .map(|f| f.rel.clone())
        .collect();
    files.retain(|f| f.real.as_ref().is_none_or(|r| !regular.contains(r)));
    crate::diagnostics::sort(&mut diags);
    Discovered {
        files,
        diagnostics: diags,
    }
}

/// Decides what a symlink met by the walk means for discovery: a link to a
/// catalog file inside ROOT is read under its own name; a link to a folder
/// inside ROOT is skipped (the folder is walked at its real place); a link
/// that leaves ROOT is always reported (E0006), and one that loops or
/// dangles is reported when it matters.
fn symlink(
    rel: String,
    link: Link,
    filter: &Filter,
    diags: &mut Vec<Diagnostic>,
) -> Option<FileEntry> {
    if filter.excluded(&rel) {
        return None;
    }
    match link {
        Link::Loop => diags.push(
            Diagnostic::new(
                Code::SymlinkLoop,
                format!("symlink `{rel}` loops back on itself"),
            )
            .at(Span::file(&rel))
            .help("remove the link or point it at a real file inside the catalog"),
        ),
        // A dangling link: only worth reporting when it looks like a catalog file.
        Link::Dangling { to } if filter.wants_file(&rel) => diags.push(
            Diagnostic::new(
                Code::Io,
                format!("symlink `{rel}` points at `{to}`, which does not exist"),
            )
            .at(Span::file(&rel))
            .help("remove the dangling link or restore its target"),
        ),
        // Every link out of ROOT is reported, whatever its name: whether the
        // target exists or is a folder is never looked at, and never said.
        Link::Outside => diags.push(crate::source::escape_diagnostic(&rel)),
        Link::File { real } if filter.wants_file(&rel) => {
            return Some(FileEntry {
                rel,
                real: Some(real),
            });
        }
        _ => {}
    }
    None
}
