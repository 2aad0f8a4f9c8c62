//! The score history cache: one small JSON file per sampled commit, named
//! by the commit id and a key over everything that is not in the commit
//! (Portolan's version, the built-in policies' text) plus the catalog's
//! `policies/` tree at that commit and where the catalog sits in the
//! repository. A commit pins every other input (entities, waivers,
//! portolan.toml, history facts), and each sample is judged on its own
//! commit date, so a cached result is exactly what re-evaluating it would
//! give.
//!
//! The cache is never trusted blindly: a file that is not a regular file,
//! is larger than [`MAX_FILE_BYTES`], does not parse, or names another
//! commit or key is ignored (and recomputed and rewritten). Writes go to a
//! temporary file that is renamed into place, so a crash leaves no torn
//! file.

use git2::{Oid, Repository};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Changes whenever the file format or the meaning of a result changes.
const FORMAT: u32 = 1;
/// A result is a level name per entity and scorecard: 100k entities with
/// a few scorecards is a few MiB. Anything much larger was not written by
/// Portolan.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Levels at one commit: entity ref → scorecard id → level (`None`: below
/// the first level).
pub type Levels = BTreeMap<String, BTreeMap<String, Option<String>>>;

#[derive(Serialize, Deserialize)]
struct File {
    format: u32,
    commit: String,
    key: String,
    levels: Levels,
}

/// The key of `commit`'s results for a catalog at `prefix` in the
/// repository: a git object id over the inputs that the commit id does
/// not pin.
pub fn key(repo: &Repository, commit: Oid, prefix: &str) -> Option<String> {
    let tree = repo.find_commit(commit).ok()?.tree().ok()?;
    let policies = if prefix.is_empty() {
        "policies".to_owned()
    } else {
        format!("{prefix}/policies")
    };
    let policies = tree
        .get_path(Path::new(&policies))
        .map(|e| e.id().to_string())
        .unwrap_or_default();
    let mut text = format!(
        "portolan {}\nformat {FORMAT}\nprefix {prefix}\npolicies {policies}\n",
        env!("CARGO_PKG_VERSION")
    );
    for (file, body) in crate::scorecard::BUILTIN {
        text.push_str(&format!("{file} {}\n{body}\n", body.len()));
    }
    Oid::hash_object(git2::ObjectType::Blob, text.as_bytes())
        .ok()
        .map(|o| o.to_string())
}

fn path(dir: &Path, commit: &str, key: &str) -> PathBuf {
    dir.join(format!("{commit}-{key}.json"))
}

/// What a look-up found.
pub enum Lookup {
    Hit(Levels),
    Miss,
    /// A file was there but could not be used.
    Rejected,
}

pub fn read(dir: &Path, commit: &str, key: &str) -> Lookup {
    let p = path(dir, commit, key);
    // Not followed: a link (or a FIFO) put in the cache folder is not
    // ours, and reading a FIFO would hang.
    let Ok(meta) = std::fs::symlink_metadata(&p) else {
        return Lookup::Miss;
    };
    if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
        return Lookup::Rejected;
    }
    let mut bytes = Vec::new();
    let read =
        std::fs::File::open(&p).and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes));
    if read.is_err() || bytes.len() as u64 > MAX_FILE_BYTES {
        return Lookup::Rejected;
    }
    match serde_json::from_slice::<File>(&bytes) {
        Ok(f) if f.format == FORMAT && f.commit == commit && f.key == key => Lookup::Hit(f.levels),
        _ => Lookup::Rejected,
    }
}

pub fn write(dir: &Path, commit: &str, key: &str, levels: &Levels) -> std::io::Result<()> {
    let file = File {
        format: FORMAT,
        commit: commit.to_owned(),
        key: key.to_owned(),
        levels: levels.clone(),
    };
    let bytes = serde_json::to_vec(&file).map_err(std::io::Error::other)?;
    let target = path(dir, commit, key);
    // Unique per process and per write: builds (and test threads) may
    // share a cache folder.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{commit}-{key}.{}-{n}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, &target).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Creates the cache folder `rel` (relative, clean: see
/// `config::inside_root`) under `root`, one part at a time, refusing any
/// part that exists as a symlink or a file: the folder named by an
/// untrusted portolan.toml must not lead out of the root.
pub fn open_inside(root: &Path, rel: &str) -> Result<PathBuf, String> {
    let mut dir = root.to_path_buf();
    for part in rel.split('/') {
        dir.push(part);
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(format!("`{rel}` runs through the symlink `{part}`"));
            }
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(format!("`{part}` in `{rel}` is not a folder")),
            Err(_) => {
                std::fs::create_dir(&dir).map_err(|e| format!("cannot create `{rel}`: {e}"))?
            }
        }
    }
    Ok(dir)
}

/// Creates the cache folder given on the command line (trusted: the
/// person running Portolan chose it).
pub fn open_given(dir: &Path) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir)
        .map(|()| dir.to_path_buf())
        .map_err(|e| format!("cannot create `{}`: {e}", dir.display()))
}
