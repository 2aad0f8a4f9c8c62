//! The one place that reads catalog content.
//!
//! Everything in a catalog repository is untrusted, so listing, reading,
//! the size limit, the UTF-8 check, symlink rules and root confinement live
//! here once instead of in every stage that needs a file. Stages name files
//! by their `/`-separated path relative to ROOT and never see the host file
//! system, which is also what lets the same pipeline read a git tree at a
//! revision (`--rev`, `--base`) or, for `portolan serve`, an in-memory
//! overlay of edited files: a new implementation of [`Source`] is all it
//! takes.

pub mod gittree;
pub mod worktree;

use crate::diagnostics::{Code, Diagnostic, Span};

pub use gittree::GitTree;
pub use worktree::WorkTree;

/// What a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    File,
    Dir,
    /// A symlink to a folder inside ROOT. A path that names it is resolved
    /// (`docs -> ../shared-docs` works), but recursive listings do not
    /// descend into it: the folder is read at its real place, so links
    /// cannot make a walk loop or multiply (`a -> .`, `b -> .`, …).
    LinkDir,
    /// A symlink that leaves ROOT (listings show it so callers can say so;
    /// nothing behind it is ever read).
    LinkOut,
}

/// One entry of a folder listing.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub name: String,
    pub kind: Kind,
}

/// A symlink met by a walk, and where it leads. Walks never follow links;
/// callers decide which of these deserve a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    /// To a file inside ROOT, at `real` (relative to ROOT).
    File { real: String },
    /// To a folder inside ROOT (walked at its real place instead).
    Dir,
    /// Out of ROOT, whether or not the target exists. Where it points is
    /// deliberately not kept: naming a host path (or saying whether it is a
    /// folder) would tell a pull request's author about the CI machine.
    Outside,
    /// Back onto itself.
    Loop,
    /// To nothing; `to` is the link's text.
    Dangling { to: String },
}

/// A file found by [`Source::walk`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walked {
    /// Relative to ROOT, `/`-separated.
    pub rel: String,
    /// `Some` when `rel` is a symlink.
    pub link: Option<Link>,
}

/// Everything a walk found, sorted by path.
#[derive(Debug, Default)]
pub struct Walk {
    pub files: Vec<Walked>,
    /// Paths that could not be listed, with the reason.
    pub errors: Vec<(String, String)>,
}

/// Why a path could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("does not exist")]
    Missing,
    #[error("is a folder")]
    Directory,
    #[error("leaves the catalog root")]
    Outside,
    #[error("is {len} bytes, over the {limit}-byte limit")]
    TooLarge { len: u64, limit: u64 },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl ReadError {
    /// The error as the end of a sentence: "cannot read `x`: <reason>".
    pub fn reason(&self) -> String {
        match self {
            ReadError::Io(e) => e.to_string(),
            other => format!("it {other}"),
        }
    }
}

/// Decides which folders a walk skips (by path relative to ROOT). It must
/// be `Sync`: the working-tree walk runs on several threads.
pub type SkipDir<'a> = &'a (dyn Fn(&str) -> bool + Sync);

/// A read-only view of a catalog root.
///
/// Every method takes paths relative to ROOT with `/` separators. No method
/// returns content from outside ROOT: a path that leaves it lexically
/// (`../x`) or through a symlink is [`ReadError::Outside`].
pub trait Source: Sync {
    /// Every file under ROOT, without following symlinks, sorted by path.
    /// Folders for which `skip_dir` is true are not entered.
    fn walk(&self, skip_dir: SkipDir) -> Walk;

    /// Reads a file, refusing more than `limit` bytes.
    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, ReadError>;

    /// What `rel` is, following symlinks that stay inside ROOT.
    fn kind(&self, rel: &str) -> Result<Kind, ReadError>;

    /// A folder's entries, sorted by name. Symlinks are resolved: one to a
    /// file inside ROOT is [`Kind::File`], one to a folder inside ROOT is
    /// [`Kind::LinkDir`], one that leaves ROOT is [`Kind::LinkOut`], and one
    /// that loops or dangles is left out.
    fn list(&self, rel: &str) -> Result<Vec<Entry>, ReadError>;

    /// The commit this source reads, when it is a git tree (`--rev`);
    /// history facts are walked from it instead of from HEAD.
    fn commit(&self) -> Option<git2::Oid> {
        None
    }

    /// True when `rel` is a regular file (symlinks inside ROOT followed).
    fn is_file(&self, rel: &str) -> bool {
        matches!(self.kind(rel), Ok(Kind::File))
    }
}

/// Lexically joins `target` onto the folder `base_dir` (both relative to
/// ROOT). `None` when the result would leave ROOT or `target` is absolute.
pub fn join_rel(base_dir: &str, target: &str) -> Option<String> {
    if target.starts_with('/') || target.starts_with('\\') || target.contains(":\\") {
        return None;
    }
    let mut parts: Vec<&str> = base_dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in target.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Whether `path` is the folder `dir` or inside it (both relative to
/// ROOT, `/`-separated; an empty `dir` is ROOT, which holds everything).
pub fn is_under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    dir.is_empty()
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Normalizes a relative path (`./a//b/../c` → `a/c`); `None` when it
/// leaves ROOT. Every implementation runs paths through this first.
pub fn clean(rel: &str) -> Option<String> {
    join_rel("", rel)
}

/// Reads a text file: the size limit, then binary and UTF-8 checks, and a
/// BOM stripped. Problems are diagnostics naming the file.
pub fn read_text(source: &dyn Source, rel: &str, max_bytes: u64) -> Result<String, Diagnostic> {
    let bytes = source
        .read(rel, max_bytes)
        .map_err(|e| read_error(rel, e))?;
    decode(rel, bytes)
}

/// The diagnostic for a failed read of `rel`.
pub fn read_error(rel: &str, e: ReadError) -> Diagnostic {
    match e {
        ReadError::TooLarge { len, limit } => Diagnostic::new(
            Code::FileTooLarge,
            format!("`{rel}` is {len} bytes, over the {limit}-byte limit; it was not read"),
        )
        .at(Span::file(rel))
        .help("entity files are small; exclude generated data in portolan.toml ([catalog] exclude), or raise [catalog] max_file_bytes"),
        ReadError::Io(e) => Diagnostic::new(Code::Io, format!("cannot read `{rel}`: {e}"))
            .at(Span::file(rel))
            .help("check the file's permissions, or exclude it in portolan.toml"),
        ReadError::Outside => escape_diagnostic(rel),
        other => Diagnostic::new(Code::Io, format!("cannot read `{rel}`: {}", other.reason()))
            .at(Span::file(rel))
            .help("check the path; Portolan reads only files inside the catalog root"),
    }
}

/// The one E0006 diagnostic: `rel` leads out of ROOT through a symlink.
/// It never says where to: that would disclose the CI machine's paths.
/// The walk and a direct read of the same path produce the identical
/// diagnostic, so it is reported once.
pub fn escape_diagnostic(rel: &str) -> Diagnostic {
    Diagnostic::new(
        Code::SymlinkEscape,
        format!("`{rel}` is a symlink that leads outside the catalog root; it was not followed"),
    )
    .at(Span::file(rel))
    .help("Portolan never reads outside ROOT; copy the file into the catalog or remove the link")
}

/// Checks that the bytes are UTF-8 text and strips a BOM.
pub fn decode(rel: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let (line, col) = line_col_bytes(&bytes, at);
        return Err(Diagnostic::new(Code::NotUtf8, format!("`{rel}` is a binary file, not YAML text"))
            .at(Span::new(rel, line, col))
            .help("remove it from the catalog, rename it so it does not end in .yaml/.yml, or exclude it in portolan.toml"));
    }
    let mut text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let (line, col) = line_col_bytes(e.as_bytes(), at);
            return Err(
                Diagnostic::new(Code::NotUtf8, format!("`{rel}` is not valid UTF-8"))
                    .at(Span::new(rel, line, col))
                    .help("save the file as UTF-8 (YAML requires Unicode text)"),
            );
        }
    };
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

fn line_col_bytes(bytes: &[u8], at: usize) -> (u32, u32) {
    let before = &bytes[..at.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

/// Every regular file under the folder `dir`, recursively, as paths
/// relative to `dir`, sorted; at most `max_depth` folders deep. Links to
/// files inside ROOT are listed; links to folders are not entered (see
/// [`Kind::LinkDir`]) and links out of ROOT never are.
pub fn files_under(source: &dyn Source, dir: &str, max_depth: usize) -> Vec<String> {
    let mut out = Vec::new();
    collect(source, dir, "", max_depth, &mut out);
    out
}

fn collect(source: &dyn Source, base: &str, sub: &str, depth: usize, out: &mut Vec<String>) {
    let here = if sub.is_empty() {
        base.to_owned()
    } else if base.is_empty() {
        sub.to_owned()
    } else {
        format!("{base}/{sub}")
    };
    let Ok(entries) = source.list(&here) else {
        return;
    };
    for e in entries {
        let rel = if sub.is_empty() {
            e.name.clone()
        } else {
            format!("{sub}/{}", e.name)
        };
        match e.kind {
            Kind::File => out.push(rel),
            Kind::Dir if depth > 0 => collect(source, base, &rel, depth - 1, out),
            Kind::Dir | Kind::LinkDir | Kind::LinkOut => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_stay_inside_root() {
        assert_eq!(join_rel("a/b", "./c.yaml").as_deref(), Some("a/b/c.yaml"));
        assert_eq!(join_rel("a/b", "../c.yaml").as_deref(), Some("a/c.yaml"));
        assert_eq!(join_rel("", "x/../y.yaml").as_deref(), Some("y.yaml"));
        assert_eq!(join_rel("a", "../../etc/passwd"), None);
        assert_eq!(join_rel("a", "/etc/passwd"), None);
        assert_eq!(clean("./a//b/../c").as_deref(), Some("a/c"));
    }

    #[test]
    fn a_folder_holds_itself_and_what_is_below_it() {
        assert!(is_under("themes/x", "themes/x"));
        assert!(is_under("themes/x/page.html", "themes/x/"));
        assert!(!is_under("themes/xy/page.html", "themes/x"));
        assert!(!is_under("themes", "themes/x"));
        assert!(is_under("anything", ""));
    }

    #[test]
    fn bom_is_stripped_and_binary_is_refused() {
        let text = decode("f.yaml", b"\xEF\xBB\xBFkind: Component\n".to_vec()).unwrap();
        assert!(text.starts_with("kind"));
        let err = decode("f.yaml", b"kind: x\n\x00\x01".to_vec()).unwrap_err();
        assert_eq!(err.code, Code::NotUtf8);
        assert_eq!(err.span.unwrap().line, 2);
        let err = decode("f.yaml", b"name: caf\xE9\n".to_vec()).unwrap_err();
        assert_eq!(err.code, Code::NotUtf8);
        assert_eq!(err.span.unwrap().column, 10);
    }
}
