//! Atomic output: a build writes into a fresh sibling folder and swaps it
//! into place only when everything succeeded, so a failed build never
//! destroys the last good output and a half-written site is never served.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file that marks a folder as a Portolan site. A build replaces its
/// output folder wholesale, so it only ever replaces a folder that has this
/// file (or an empty one): `--out ~` by mistake must not erase a home folder.
pub const MARKER: &str = ".portolan-site";
pub const MARKER_TEXT: &str =
    "This folder was written by `portolan build` and is replaced on every build.\n";

/// Refuses output folders a build must not replace: the catalog itself (or
/// a folder holding it), a file, or a non-empty folder that is not a
/// previous Portolan site.
pub fn check_target(root: &Path, out: &Path) -> Result<(), String> {
    if !out.exists() {
        return Ok(());
    }
    let shown = out.display();
    if !out.is_dir() {
        return Err(format!(
            "`{shown}` exists and is not a folder; pass another --out"
        ));
    }
    if let (Ok(out_real), Ok(root_real)) = (out.canonicalize(), root.canonicalize())
        && root_real.starts_with(&out_real)
    {
        return Err(format!(
            "`{shown}` holds the catalog itself; a build replaces its output folder, so pass another --out (for example `{}/site`)",
            root.display()
        ));
    }
    let empty = std::fs::read_dir(out)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    if !empty && !out.join(MARKER).is_file() {
        return Err(format!(
            "`{shown}` is not empty and was not written by `portolan build` (it has no {MARKER} file); a build replaces the whole folder, so remove it or pass another --out"
        ));
    }
    Ok(())
}

/// A folder being written, next to its final place.
pub struct Staging {
    tmp: PathBuf,
    out: PathBuf,
    /// Folders already created: a site has a folder per entity page, and
    /// asking the filesystem again for every file costs a syscall each.
    dirs: Mutex<HashSet<PathBuf>>,
}

/// This process's staging folder for `out`: `<out>.portolan-tmp-<pid>`.
fn staging_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join(format!(".{name}.portolan-tmp-{}", std::process::id()))
}

/// Removes this process's staging folder for `out`, for a build that
/// ends without unwinding (a hung template; see `site::budget`).
pub fn discard_staging(out: &Path) {
    let _ = std::fs::remove_dir_all(staging_path(out));
}

impl Staging {
    /// Creates `<out>.portolan-tmp-<pid>` next to `out`.
    pub fn new(out: &Path) -> io::Result<Staging> {
        let tmp = staging_path(out);
        if let Some(parent) = tmp.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir(&tmp)?;
        Ok(Staging {
            tmp,
            out: out.to_path_buf(),
            dirs: Mutex::new(HashSet::new()),
        })
    }

    /// Writes a file (creating folders) under the staging folder. `rel`
    /// comes from validated entity names, never from free text.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        debug_assert!(!rel.split('/').any(|p| p == ".." || p.is_empty()));
        let path = self.tmp.join(rel);
        if let Some(dir) = path.parent() {
            let mut dirs = self.dirs.lock().unwrap_or_else(|p| p.into_inner());
            if !dirs.contains(dir) {
                std::fs::create_dir_all(dir)?;
                dirs.insert(dir.to_path_buf());
            }
        }
        std::fs::write(path, bytes)
    }

    /// Swaps the staging folder into place: the old output is moved aside,
    /// the new one renamed in, then the old one removed.
    pub fn commit(self) -> io::Result<()> {
        let old = self.out.with_file_name(format!(
            ".{}.portolan-old-{}",
            self.out
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let had_old = self.out.exists();
        if had_old {
            std::fs::rename(&self.out, &old)?;
        }
        if let Err(e) = std::fs::rename(&self.tmp, &self.out) {
            if had_old {
                // Put the previous output back before reporting.
                let _ = std::fs::rename(&old, &self.out);
            }
            return Err(e);
        }
        if had_old {
            std::fs::remove_dir_all(&old)?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    /// An abandoned build leaves nothing behind.
    fn drop(&mut self) {
        if self.tmp.exists() {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_empty_folders_and_previous_sites_may_be_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("catalog");
        std::fs::create_dir_all(root.join("services")).unwrap();
        assert!(check_target(&root, &dir.path().join("new-site")).is_ok());
        assert!(check_target(&root, &root).is_err(), "the catalog itself");
        assert!(
            check_target(&root, dir.path()).is_err(),
            "a folder holding the catalog"
        );
        let site = dir.path().join("site");
        std::fs::create_dir(&site).unwrap();
        assert!(check_target(&root, &site).is_ok(), "an empty folder");
        std::fs::write(site.join("notes.txt"), "mine").unwrap();
        let err = check_target(&root, &site).unwrap_err();
        assert!(err.contains("not written by `portolan build`"), "{err}");
        std::fs::write(site.join(MARKER), MARKER_TEXT).unwrap();
        assert!(check_target(&root, &site).is_ok(), "a previous site");
        assert!(check_target(&root, &site.join(MARKER)).is_err(), "a file");
    }

    #[test]
    fn an_abandoned_build_leaves_the_previous_output_and_no_temp_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("index.html"), "old").unwrap();
        {
            let staging = Staging::new(&out).unwrap();
            staging.write("index.html", b"new, half written").unwrap();
            // The build fails here: `staging` is dropped without commit.
        }
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "old"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        let staging = Staging::new(&out).unwrap();
        staging.write("a/b.json", b"{}").unwrap();
        staging.commit().unwrap();
        assert!(out.join("a/b.json").is_file());
        assert!(!out.join("index.html").exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
