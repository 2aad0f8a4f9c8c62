//! Finds the catalog's YAML files: a parallel walk of ROOT that honours
//! `.gitignore` and never leaves ROOT.
//!
//! Symlinks are never followed by the walker itself. Each one is resolved
//! once: a link to a file inside ROOT is read under the link's own name, a
//! link to a directory inside ROOT is skipped (the directory is walked at its
//! real place, so following it would only produce duplicates or loops), and
//! a link that leaves ROOT or loops gets a diagnostic.

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Span};
use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Folders that never hold catalog files and can be huge.
const ALWAYS_SKIPPED: &[&str] = &[".git", "target", "node_modules"];

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileEntry {
    /// Relative to ROOT, with `/` separators: the name users see.
    pub rel: String,
    /// Where to read it from (the resolved target for a symlink).
    pub abs: PathBuf,
    /// True when `rel` is a symlink and `abs` its canonical target.
    pub via_link: bool,
}

pub struct Discovered {
    pub files: Vec<FileEntry>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Turns a path under `root` into the `/`-separated name used in diagnostics.
pub fn rel_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
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
        if self.excluded(rel) {
            return false;
        }
        if self.has_include {
            self.include.is_match(rel)
        } else {
            is_yaml_name(rel)
        }
    }
}

/// A YAML file that may hold entities. MkDocs configs sit next to every
/// documented component and are never entities, so they are not even read.
pub fn is_yaml_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let base = lower.rsplit('/').next().unwrap_or(&lower);
    (base.ends_with(".yaml") || base.ends_with(".yml"))
        && !matches!(base, "mkdocs.yml" | "mkdocs.yaml")
}

/// Walks `root` (which must exist) and returns the candidate files, sorted.
pub fn discover(root: &Path, config: &Config) -> Discovered {
    let canon_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let filter = Filter::new(config);
    let files = Mutex::new(Vec::new());
    let diags = Mutex::new(Vec::new());

    let root_owned = root.to_path_buf();
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .follow_links(false)
        .git_global(false)
        .require_git(false)
        .parents(false)
        .filter_entry(move |e| {
            let name = e.file_name().to_string_lossy();
            if e.depth() > 0
                && e.file_type().is_some_and(|t| t.is_dir())
                && ALWAYS_SKIPPED.contains(&name.as_ref())
            {
                return false;
            }
            true
        })
        .build_parallel();

    walker.run(|| {
        let files = &files;
        let diags = &diags;
        let filter = &filter;
        let root = &root_owned;
        let canon_root = &canon_root;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    let path = err_path(&err);
                    let rel = path.map_or_else(String::new, |p| rel_name(root, &p));
                    push(
                        diags,
                        Diagnostic::new(Code::Io, format!("cannot read: {err}"))
                            .at(Span::file(rel))
                            .help("check the file's permissions, or exclude it in portolan.toml"),
                    );
                    return WalkState::Continue;
                }
            };
            if entry.depth() == 0 {
                return WalkState::Continue;
            }
            let rel = rel_name(root, entry.path());
            let Some(ft) = entry.file_type() else {
                return WalkState::Continue;
            };
            if ft.is_dir() {
                return if filter.excluded(&rel) {
                    WalkState::Skip
                } else {
                    WalkState::Continue
                };
            }
            if ft.is_symlink() {
                if let Some(found) = resolve_symlink(entry.path(), &rel, canon_root, filter, diags)
                {
                    push(files, found);
                }
                return WalkState::Continue;
            }
            if ft.is_file() && filter.wants_file(&rel) {
                push(
                    files,
                    FileEntry {
                        rel,
                        abs: entry.path().to_path_buf(),
                        via_link: false,
                    },
                );
            }
            WalkState::Continue
        })
    });

    let mut files: Vec<FileEntry> = files.into_inner().unwrap_or_default();
    files.sort();
    files.dedup_by(|a, b| a.rel == b.rel);
    // A link to a file that is read anyway (`current.yaml -> v2/catalog-info.yaml`)
    // would define every entity twice; read the file once, at its real name.
    let regular: std::collections::HashSet<PathBuf> = files
        .iter()
        .filter(|f| !f.via_link)
        .map(|f| canon_root.join(&f.rel))
        .collect();
    files.retain(|f| !(f.via_link && regular.contains(&f.abs)));
    Discovered {
        files,
        diagnostics: diags.into_inner().unwrap_or_default(),
    }
}

fn push<T>(v: &Mutex<Vec<T>>, item: T) {
    if let Ok(mut v) = v.lock() {
        v.push(item);
    }
}

fn err_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

/// ELOOP on Linux and macOS: "too many levels of symbolic links".
fn is_loop_error(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(40) | Some(62))
}

fn resolve_symlink(
    link: &Path,
    rel: &str,
    canon_root: &Path,
    filter: &Filter,
    diags: &Mutex<Vec<Diagnostic>>,
) -> Option<FileEntry> {
    if filter.excluded(rel) {
        return None;
    }
    let target = match link.canonicalize() {
        Ok(t) => t,
        Err(e) if is_loop_error(&e) => {
            push(
                diags,
                Diagnostic::new(
                    Code::SymlinkLoop,
                    format!("symlink `{rel}` loops back on itself"),
                )
                .at(Span::file(rel))
                .help("remove the link or point it at a real file inside the catalog"),
            );
            return None;
        }
        Err(_) => {
            // A dangling link: only worth reporting when it looks like a catalog file.
            if filter.wants_file(rel) {
                let to = std::fs::read_link(link)
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                push(
                    diags,
                    Diagnostic::new(
                        Code::Io,
                        format!("symlink `{rel}` points at `{to}`, which does not exist"),
                    )
                    .at(Span::file(rel))
                    .help("remove the dangling link or restore its target"),
                );
            }
            return None;
        }
    };
    let is_dir = target.is_dir();
    if !target.starts_with(canon_root) {
        if is_dir || filter.wants_file(rel) {
            push(diags, Diagnostic::new(
                Code::SymlinkEscape,
                format!("symlink `{rel}` points outside the catalog root (to `{}`) and was not followed", target.display()),
            )
            .at(Span::file(rel))
            .help("Portolan never reads outside ROOT; copy the file into the catalog or remove the link"));
        }
        return None;
    }
    if is_dir || !filter.wants_file(rel) {
        return None;
    }
    Some(FileEntry {
        rel: rel.to_owned(),
        abs: target,
        via_link: true,
    })
}
