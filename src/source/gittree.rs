//! A git tree at a revision, read with git2 and never checked out.
//!
//! `--rev` builds the catalog as it was at a commit, and `--base` compares
//! a pull request with its base, without touching the working tree. The
//! catalog root may be a folder inside the repository; only that folder's
//! part of the tree is visible. Symlinks are blobs holding their target:
//! they are resolved inside the tree, and one that leaves the root is
//! refused like on disk.

use super::{Entry, Kind, Link, ReadError, SkipDir, Source, Walk, Walked, clean, join_rel};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Mutex;

/// Why a revision cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("`{}` is not inside a git repository: {message}", path.display())]
    NoRepository {
        path: std::path::PathBuf,
        message: String,
    },
    #[error("cannot resolve revision `{rev}`: {message}")]
    BadRevision { rev: String, message: String },
    #[error("`{}` is not inside the repository's working tree", .0.display())]
    OutsideWorkdir(std::path::PathBuf),
    #[error("cannot read the tree of `{rev}`: {message}")]
    Tree { rev: String, message: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    File(git2::Oid),
    Link(git2::Oid),
    Dir,
}

/// Symlink hops followed before a chain counts as a loop.
const MAX_HOPS: usize = 16;

pub struct GitTree {
    /// git2's repository handle is not `Sync`; blob reads are short, and
    /// parsing (the real work) runs outside the lock.
    repo: Mutex<git2::Repository>,
    /// Every path under the catalog root at the revision, relative to it.
    nodes: BTreeMap<String, Node>,
    /// The commit the tree belongs to.
    pub commit: git2::Oid,
}

impl GitTree {
    /// Opens the repository holding `root` and indexes its tree at `rev`
    /// (anything `git rev-parse` accepts: a branch, a tag, a commit id).
    pub fn open(root: &Path, rev: &str) -> Result<GitTree, GitError> {
        let repo = git2::Repository::discover(root).map_err(|e| GitError::NoRepository {
            path: root.to_path_buf(),
            message: e.message().to_owned(),
        })?;
        let prefix = match repo.workdir() {
            Some(workdir) => {
                let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
                let (root, workdir) = (canon(root), canon(workdir));
                let rel = root
                    .strip_prefix(&workdir)
                    .map_err(|_| GitError::OutsideWorkdir(root.clone()))?;
                super::worktree::rel_name(Path::new(""), rel)
            }
            None => String::new(),
        };
        let bad = |e: git2::Error| GitError::BadRevision {
            rev: rev.to_owned(),
            message: e.message().to_owned(),
        };
        let (nodes, commit) = {
            let commit = repo
                .revparse_single(rev)
                .and_then(|o| o.peel_to_commit())
                .map_err(bad)?;
            let tree = commit.tree().map_err(bad)?;
            let nodes = index(&repo, &tree, &prefix).map_err(|e| GitError::Tree {
                rev: rev.to_owned(),
                message: e.message().to_owned(),
            })?;
            (nodes, commit.id())
        };
        Ok(GitTree {
            repo: Mutex::new(repo),
            nodes,
            commit,
        })
    }

    /// Follows symlinks from `rel` to what they finally name.
    fn resolve(&self, rel: &str) -> Result<(String, Node), ReadError> {
        let mut rel = clean(rel).ok_or(ReadError::Outside)?;
        for _ in 0..MAX_HOPS {
            // A link in a folder position (`linked/x.yaml`) is resolved too.
            let (path, node) = self.resolve_parents(&rel)?;
            match node {
                Node::Link(oid) => {
                    let target = self.blob(oid, 4096)?;
                    let target = String::from_utf8_lossy(&target).into_owned();
                    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
                    rel = join_rel(dir, &target).ok_or(ReadError::Outside)?;
                }
                other => return Ok((path, other)),
            }
        }
        Err(ReadError::Io(std::io::Error::other(
            "too many levels of symbolic links",
        )))
    }

    /// Resolves links among the folders of `rel` (not its last part).
    fn resolve_parents(&self, rel: &str) -> Result<(String, Node), ReadError> {
        if rel.is_empty() {
            return Ok((String::new(), Node::Dir));
        }
        if let Some(node) = self.nodes.get(rel) {
            return Ok((rel.to_owned(), *node));
        }
        let (dir, name) = rel.rsplit_once('/').ok_or(ReadError::Missing)?;
        let (dir, node) = self.resolve(dir)?;
        if node != Node::Dir {
            return Err(ReadError::Missing);
        }
        let path = if dir.is_empty() {
            name.to_owned()
        } else {
            format!("{dir}/{name}")
        };
        let node = *self.nodes.get(&path).ok_or(ReadError::Missing)?;
        Ok((path, node))
    }

    fn blob(&self, oid: git2::Oid, limit: u64) -> Result<Vec<u8>, ReadError> {
        let repo = self.repo.lock().unwrap_or_else(|p| p.into_inner());
        let blob = repo
            .find_blob(oid)
            .map_err(|e| ReadError::Io(std::io::Error::other(e.message().to_owned())))?;
        let len = blob.size() as u64;
        if len > limit {
            return Err(ReadError::TooLarge { len, limit });
        }
        Ok(blob.content().to_vec())
    }

    fn link(&self, rel: &str) -> Link {
        match self.resolve(rel) {
            Ok((real, Node::File(_))) => Link::File { real },
            Ok(_) => Link::Dir,
            Err(ReadError::Outside) => Link::Outside,
            Err(ReadError::Io(_)) => Link::Loop,
            Err(_) => Link::Dangling { to: String::new() },
        }
    }
}

/// Every path of `tree` under `prefix`, relative to `prefix`.
fn index(
    repo: &git2::Repository,
    tree: &git2::Tree,
    prefix: &str,
) -> Result<BTreeMap<String, Node>, git2::Error> {
    let tree = if prefix.is_empty() {
        tree.clone()
    } else {
        let entry = tree.get_path(Path::new(prefix))?;
        repo.find_tree(entry.id())?
    };
    let mut nodes = BTreeMap::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        let Ok(name) = entry.name() else {
            return git2::TreeWalkResult::Skip;
        };
        let path = format!("{dir}{name}");
        let node = match entry.filemode() {
            0o040000 => Node::Dir,
            0o120000 => Node::Link(entry.id()),
            0o100644 | 0o100755 | 0o100664 => Node::File(entry.id()),
            // Submodules (commits) are other repositories.
            _ => return git2::TreeWalkResult::Skip,
        };
        nodes.insert(path, node);
        git2::TreeWalkResult::Ok
    })?;
    Ok(nodes)
}

impl Source for GitTree {
    fn commit(&self) -> Option<git2::Oid> {
        Some(self.commit)
    }

    fn walk(&self, skip_dir: SkipDir) -> Walk {
        let mut skipped: HashMap<&str, bool> = HashMap::new();
        let mut files = Vec::new();
        for (rel, node) in &self.nodes {
            let mut dir = rel.as_str();
            let mut skip = false;
            while let Some((parent, _)) = dir.rsplit_once('/') {
                if *skipped.entry(parent).or_insert_with(|| skip_dir(parent)) {
                    skip = true;
                    break;
                }
                dir = parent;
            }
            if skip {
                continue;
            }
            match node {
                Node::File(_) => files.push(Walked {
                    rel: rel.clone(),
                    link: None,
                }),
                Node::Link(_) => files.push(Walked {
                    rel: rel.clone(),
                    link: Some(self.link(rel)),
                }),
                Node::Dir => {}
            }
        }
        Walk {
            files,
            errors: Vec::new(),
        }
    }

    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, ReadError> {
        match self.resolve(rel)? {
            (_, Node::File(oid)) => self.blob(oid, limit),
            (_, Node::Dir) => Err(ReadError::Directory),
            (_, Node::Link(_)) => Err(ReadError::Missing),
        }
    }

    fn kind(&self, rel: &str) -> Result<Kind, ReadError> {
        match self.resolve(rel)? {
            (_, Node::File(_)) => Ok(Kind::File),
            (_, Node::Dir) => Ok(Kind::Dir),
            (_, Node::Link(_)) => Err(ReadError::Missing),
        }
    }

    fn list(&self, rel: &str) -> Result<Vec<Entry>, ReadError> {
        let (dir, node) = self.resolve(rel)?;
        if node != Node::Dir {
            return Err(ReadError::Missing);
        }
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut out = Vec::new();
        for (path, _) in self.nodes.range(prefix.clone()..) {
            let Some(name) = path.strip_prefix(&prefix) else {
                break;
            };
            if name.contains('/') {
                continue;
            }
            let is_link = matches!(self.nodes.get(path), Some(Node::Link(_)));
            let kind = match self.resolve(path) {
                Ok((_, Node::File(_))) => Kind::File,
                Ok((_, Node::Dir)) if is_link => Kind::LinkDir,
                Ok((_, Node::Dir)) => Kind::Dir,
                Err(ReadError::Outside) => Kind::LinkOut,
                _ => continue,
            };
            out.push(Entry {
                name: name.to_owned(),
                kind,
            });
        }
        out.sort();
        Ok(out)
    }
}
