//! The working tree: a folder on disk.
//!
//! Walks never follow symlinks and honour `.gitignore`. Every read of a
//! path the walk did not vouch for is canonicalized and must stay inside
//! the canonical ROOT, so neither `..` nor a symlink (of the file or of any
//! folder above it) can reach outside it.

use super::{Entry, Kind, Link, ReadError, SkipDir, Source, Walk, Walked, clean};
use ignore::{WalkBuilder, WalkState};
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

/// Why a folder cannot be a catalog root.
#[derive(Debug, thiserror::Error)]
pub enum RootError {
    #[error("catalog root `{}` does not exist", .0.display())]
    NoRoot(PathBuf),
    #[error("catalog root `{}` is not a directory", .0.display())]
    NotADirectory(PathBuf),
}

pub struct WorkTree {
    root: PathBuf,
    canon_root: PathBuf,
    /// Folders a walk entered. Walks never follow symlinks, so no path
    /// below one of them passes a link until its last part, and such a path
    /// needs one `lstat` instead of a canonicalization (a syscall per path
    /// component): that is most of the reads of a large catalog.
    walked: RwLock<Seen>,
}

/// What walks saw: folders entered and regular files (reached without
/// passing a link), by path relative to ROOT. A file deleted after the walk
/// fails to open with an I/O error; a long-lived source walks again.
#[derive(Default)]
struct Seen {
    dirs: HashSet<String>,
    files: HashSet<String>,
}

impl WorkTree {
    pub fn new(root: &Path) -> Result<WorkTree, RootError> {
        if !root.exists() {
            return Err(RootError::NoRoot(root.to_path_buf()));
        }
        if !root.is_dir() {
            return Err(RootError::NotADirectory(root.to_path_buf()));
        }
        Ok(WorkTree {
            root: root.to_path_buf(),
            canon_root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
            walked: RwLock::new(Seen::default()),
        })
    }

    /// The root as the user named it.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Resolves `rel` to its canonical path inside ROOT.
    fn resolve(&self, rel: &str) -> Result<PathBuf, ReadError> {
        let rel = clean(rel).ok_or(ReadError::Outside)?;
        let canon = self
            .root
            .join(&rel)
            .canonicalize()
            .map_err(|_| ReadError::Missing)?;
        if !canon.starts_with(&self.canon_root) {
            return Err(ReadError::Outside);
        }
        Ok(canon)
    }

    /// `rel` as a plain path with what it is, when no symlink can be on
    /// the way: its folder was walked and it is not a link itself. `None`
    /// when that cannot be known without canonicalizing.
    fn direct(&self, rel: &str) -> Option<Result<(PathBuf, Kind), ReadError>> {
        if rel
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == "..")
        {
            return None;
        }
        let path = self.root.join(rel);
        let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        {
            let walked = self.walked.read().ok()?;
            if walked.files.contains(rel) {
                return Some(Ok((path, Kind::File)));
            }
            if !dir.is_empty() && !walked.dirs.contains(dir) {
                return None;
            }
        }
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Some(Err(ReadError::Missing));
            }
            Err(_) => return None,
        };
        if meta.is_file() {
            Some(Ok((path, Kind::File)))
        } else if meta.is_dir() {
            Some(Ok((path, Kind::Dir)))
        } else {
            None
        }
    }

    /// The file to open for `rel`, confined to ROOT.
    fn file_path(&self, rel: &str) -> Result<PathBuf, ReadError> {
        match self.direct(rel) {
            Some(Ok((path, Kind::File))) => return Ok(path),
            Some(Ok((_, Kind::Dir))) => return Err(ReadError::Directory),
            Some(Err(e)) => return Err(e),
            _ => {}
        }
        let canon = self.resolve(rel)?;
        if canon.is_dir() {
            return Err(ReadError::Directory);
        }
        if !canon.is_file() {
            return Err(ReadError::Missing);
        }
        Ok(canon)
    }

    fn rel_of(&self, path: &Path) -> String {
        rel_name(&self.root, path)
    }

    /// Where a symlink met by a walk leads. A link whose text leaves ROOT
    /// is [`Link::Outside`] before anything behind it is looked at, so the
    /// answer says nothing about the host (not even whether a path exists).
    fn link(&self, path: &Path) -> Link {
        let text = std::fs::read_link(path).ok();
        // The link's own folder, at its real place inside ROOT.
        let dir = path
            .parent()
            .and_then(|p| p.canonicalize().ok())
            .filter(|p| p.starts_with(&self.canon_root))
            .map(|p| rel_name(&self.canon_root, &p));
        let leaves = match (&text, &dir) {
            // An absolute link may name a place inside ROOT (plainly, with
            // no `..`); any other absolute link leaves it.
            (Some(t), _) if t.is_absolute() => {
                let plain = !t
                    .components()
                    .any(|c| matches!(c, std::path::Component::ParentDir));
                !(plain && (t.starts_with(&self.canon_root) || t.starts_with(&self.root)))
            }
            (Some(t), Some(dir)) => super::join_rel(dir, &t.to_string_lossy()).is_none(),
            _ => false,
        };
        if leaves {
            return Link::Outside;
        }
        match path.canonicalize() {
            Ok(target) => {
                let is_dir = target.is_dir();
                if !target.starts_with(&self.canon_root) {
                    Link::Outside
                } else if is_dir {
                    Link::Dir
                } else {
                    Link::File {
                        real: rel_name(&self.canon_root, &target),
                    }
                }
            }
            Err(e) if is_loop_error(&e) => Link::Loop,
            Err(_) => Link::Dangling {
                to: text.map(|t| t.display().to_string()).unwrap_or_default(),
            },
        }
    }
}

/// Turns a path under `root` into the `/`-separated name used everywhere.
pub fn rel_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// ELOOP on Linux and macOS: "too many levels of symbolic links".
fn is_loop_error(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(40) | Some(62))
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

fn push<T>(v: &Mutex<Vec<T>>, item: T) {
    if let Ok(mut v) = v.lock() {
        v.push(item);
    }
}

impl Source for WorkTree {
    fn walk(&self, skip_dir: SkipDir) -> Walk {
        let files = Mutex::new(Vec::new());
        let dirs = Mutex::new(Vec::new());
        let errors = Mutex::new(Vec::new());
        let walker = WalkBuilder::new(&self.root)
            .hidden(false)
            .follow_links(false)
            .git_global(false)
            .require_git(false)
            .parents(false)
            .build_parallel();
        walker.run(|| {
            let (files, dirs, errors) = (&files, &dirs, &errors);
            Box::new(move |entry| {
                let entry = match entry {
                    Ok(e) => e,
                    Err(err) => {
                        let rel = err_path(&err).map_or_else(String::new, |p| self.rel_of(&p));
                        push(errors, (rel, err.to_string()));
                        return WalkState::Continue;
                    }
                };
                if entry.depth() == 0 {
                    return WalkState::Continue;
                }
                let rel = self.rel_of(entry.path());
                let Some(ft) = entry.file_type() else {
                    return WalkState::Continue;
                };
                if ft.is_dir() {
                    return if skip_dir(&rel) {
                        WalkState::Skip
                    } else {
                        push(dirs, rel);
                        WalkState::Continue
                    };
                }
                if ft.is_symlink() {
                    let link = Some(self.link(entry.path()));
                    push(files, Walked { rel, link });
                } else if ft.is_file() {
                    push(files, Walked { rel, link: None });
                }
                WalkState::Continue
            })
        });
        let mut files: Vec<Walked> = files.into_inner().unwrap_or_default();
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
        if let Ok(mut walked) = self.walked.write() {
            walked.dirs.extend(dirs.into_inner().unwrap_or_default());
            walked.files.extend(
                files
                    .iter()
                    .filter(|f| f.link.is_none())
                    .map(|f| f.rel.clone()),
            );
        }
        let mut errors: Vec<(String, String)> = errors.into_inner().unwrap_or_default();
        errors.sort();
        Walk { files, errors }
    }

    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        let path = self.file_path(rel)?;
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        if len > limit {
            return Err(ReadError::TooLarge { len, limit });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        // The file may grow between stat and read: never read past the limit.
        file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > limit {
            return Err(ReadError::TooLarge {
                len: bytes.len() as u64,
                limit,
            });
        }
        Ok(bytes)
    }

    fn kind(&self, rel: &str) -> Result<Kind, ReadError> {
        match self.direct(rel) {
            Some(Ok((_, kind))) => return Ok(kind),
            Some(Err(e)) => return Err(e),
            None => {}
        }
        let canon = self.resolve(rel)?;
        if canon.is_dir() {
            Ok(Kind::Dir)
        } else if canon.is_file() {
            Ok(Kind::File)
        } else {
            Err(ReadError::Missing)
        }
    }

    fn list(&self, rel: &str) -> Result<Vec<Entry>, ReadError> {
        let dir = match self.direct(rel) {
            Some(Ok((path, Kind::Dir))) => path,
            _ if rel.is_empty() => self.root.clone(),
            _ => self.resolve(rel)?,
        };
        if !dir.is_dir() {
            return Err(ReadError::Missing);
        }
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir)?.flatten() {
            let Ok(ft) = entry.file_type() else { continue };
            let kind = if ft.is_symlink() {
                match self.link(&entry.path()) {
                    Link::File { .. } => Kind::File,
                    Link::Dir => Kind::LinkDir,
                    Link::Outside => Kind::LinkOut,
                    Link::Loop | Link::Dangling { .. } => continue,
                }
            } else if ft.is_dir() {
                Kind::Dir
            } else if ft.is_file() {
                Kind::File
            } else {
                continue;
            };
            out.push(Entry {
                name: entry.file_name().to_string_lossy().into_owned(),
                kind,
            });
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_outside_the_root_is_read_or_listed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.yaml"), "a").unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("sub/out")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), root.join("s.txt")).unwrap();
        std::os::unix::fs::symlink(root.join("a.yaml"), root.join("b.yaml")).unwrap();
        let src = WorkTree::new(root).unwrap();
        assert_eq!(src.read("a.yaml", 10).unwrap(), b"a");
        assert_eq!(
            src.read("b.yaml", 10).unwrap(),
            b"a",
            "a link inside ROOT is read"
        );
        assert!(matches!(src.read("s.txt", 10), Err(ReadError::Outside)));
        assert!(matches!(
            src.read("sub/out/secret.txt", 10),
            Err(ReadError::Outside)
        ));
        assert!(matches!(src.read("../x", 10), Err(ReadError::Outside)));
        assert!(matches!(
            src.read("a.yaml", 0),
            Err(ReadError::TooLarge { len: 1, .. })
        ));
        assert!(matches!(src.list("sub/out"), Err(ReadError::Outside)));
        let listed: Vec<(String, Kind)> = src
            .list("")
            .unwrap()
            .into_iter()
            .map(|e| (e.name, e.kind))
            .collect();
        assert_eq!(
            listed,
            [
                ("a.yaml".into(), Kind::File),
                ("b.yaml".into(), Kind::File),
                ("s.txt".into(), Kind::LinkOut),
                ("sub".into(), Kind::Dir)
            ],
            "a link out of ROOT is listed as such, never followed"
        );
        let walk = src.walk(&|_| false);
        let links: Vec<(&str, &Link)> = walk
            .files
            .iter()
            .filter_map(|f| Some((f.rel.as_str(), f.link.as_ref()?)))
            .collect();
        assert!(matches!(links[0], ("b.yaml", Link::File { real }) if real == "a.yaml"));
        assert!(matches!(links[1], ("s.txt", Link::Outside)));
        assert!(matches!(links[2], ("sub/out", Link::Outside)));
    }
}
