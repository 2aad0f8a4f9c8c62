//! Where rendered files go. `build` writes into an atomic disk folder;
//! `serve` keeps the site in memory and re-renders only what an edit
//! touched. The renderer sees neither: it writes through [`Output`].

use super::write::{self, Staging};
use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

/// A place rendered files are written to, from many rayon threads at once.
pub trait Output: Sync {
    /// Stores `bytes` at `path` (relative, `/`-separated), replacing any
    /// file already there.
    fn write(&self, path: &str, bytes: Vec<u8>) -> Result<(), OutputError>;
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output folder is one a build must not replace.
    #[error("{0}")]
    Refused(String),
    #[error("cannot write the site to `{path}`: {source}")]
    Io { path: String, source: io::Error },
    /// The disk writer thread is gone; [`DiskOutput::commit`] says why.
    #[error("the writer thread stopped")]
    Closed,
}

/// Files queued before the writer blocks the renderers. Enough to keep the
/// writer busy, small enough that queued pages never add up to much memory.
const QUEUE: usize = 256;

/// The atomic disk output: files go into a staging folder next to `out`,
/// which replaces `out` only on [`DiskOutput::commit`]. Dropping it without
/// committing (a failed build) removes the staging folder and leaves the
/// last good output untouched.
///
/// Rendering runs on every core, but files are created by one thread: two
/// threads creating entries in the same folder contend for its lock in the
/// kernel, which measured slower than one writer (see bench/build.sh).
pub struct DiskOutput {
    /// `None` once the writer has been told to stop.
    queue: Option<SyncSender<(String, Vec<u8>)>>,
    /// Hands back the staging folder and the first write error.
    writer: Option<JoinHandle<(Staging, Option<io::Error>)>>,
    /// The output folder, for error messages.
    shown: String,
}

impl DiskOutput {
    /// Checks that `out` may be replaced (see [`write::check_target`]) and
    /// starts the writer on a fresh staging folder.
    pub fn create(root: &Path, out: &Path) -> Result<DiskOutput, OutputError> {
        write::check_target(root, out).map_err(OutputError::Refused)?;
        let shown = out.display().to_string();
        let staging = Staging::new(out).map_err(|source| OutputError::Io {
            path: shown.clone(),
            source,
        })?;
        let (queue, files) = sync_channel::<(String, Vec<u8>)>(QUEUE);
        let writer = std::thread::spawn(move || {
            let mut first_error = None;
            for (path, bytes) in files {
                // Keep draining after an error so renderers never block.
                if first_error.is_none()
                    && let Err(e) = staging.write(&path, &bytes)
                {
                    first_error = Some(e);
                }
            }
            (staging, first_error)
        });
        Ok(DiskOutput {
            queue: Some(queue),
            writer: Some(writer),
            shown,
        })
    }

    /// Waits for the writer to finish the queue; returns the staging folder
    /// if every file was written.
    fn finish(&mut self) -> Result<Staging, OutputError> {
        // Dropping the last sender ends the writer's loop.
        self.queue = None;
        let joined = self.writer.take().map(JoinHandle::join);
        let io_error = |source| OutputError::Io {
            path: self.shown.clone(),
            source,
        };
        match joined {
            Some(Ok((staging, None))) => Ok(staging),
            Some(Ok((_, Some(e)))) => Err(io_error(e)),
            Some(Err(_)) => Err(io_error(io::Error::other("the writer thread panicked"))),
            None => Err(OutputError::Closed),
        }
    }

    /// Writes what is queued, then swaps the staging folder into place.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let staging = self.finish()?;
        staging.commit().map_err(|source| OutputError::Io {
            path: self.shown.clone(),
            source,
        })
    }
}

impl Output for DiskOutput {
    fn write(&self, path: &str, bytes: Vec<u8>) -> Result<(), OutputError> {
        let queue = self.queue.as_ref().ok_or(OutputError::Closed)?;
        queue
            .send((path.to_owned(), bytes))
            .map_err(|_| OutputError::Closed)
    }
}

impl Drop for DiskOutput {
    /// An uncommitted output stops its writer; the staging folder's own
    /// drop then removes it.
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = self.finish();
        }
    }
}

/// The site in memory, sorted by path: for `serve`, which re-renders the
/// pages an edit touched on top of the previous render, and for tests.
#[derive(Debug, Default)]
pub struct MemoryOutput {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemoryOutput {
    pub fn new() -> MemoryOutput {
        MemoryOutput::default()
    }

    fn files(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        // A panicking renderer cannot leave a half-inserted map entry.
        self.files.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A copy of one file.
    pub fn get(&self, path: &str) -> Option<Vec<u8>> {
        self.files().get(path).cloned()
    }

    /// Removes a file (a page whose entity was deleted).
    pub fn remove(&self, path: &str) -> Option<Vec<u8>> {
        self.files().remove(path)
    }

    pub fn len(&self) -> usize {
        self.files().len()
    }

    pub fn is_empty(&self) -> bool {
        self.files().is_empty()
    }

    /// A copy of every file, by path.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        self.files().clone()
    }

    /// Every file, by path.
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.files.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

impl Output for MemoryOutput {
    fn write(&self, path: &str, bytes: Vec<u8>) -> Result<(), OutputError> {
        debug_assert!(!path.split('/').any(|p| p == ".." || p.is_empty()));
        self.files().insert(path.to_owned(), bytes);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_disk_output_leaves_the_previous_site_and_no_temp_folder() {
        let dir = tempfile::tempdir().unwrap();
        let (root, out) = (dir.path().join("catalog"), dir.path().join("site"));
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join(write::MARKER), write::MARKER_TEXT).unwrap();
        std::fs::write(out.join("index.html"), "old").unwrap();
        {
            let disk = DiskOutput::create(&root, &out).unwrap();
            disk.write("index.html", b"new".to_vec()).unwrap();
            // The build fails here: `disk` is dropped without commit.
        }
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "old"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        let disk = DiskOutput::create(&root, &out).unwrap();
        disk.write("a/b.json", b"{}".to_vec()).unwrap();
        disk.commit().unwrap();
        assert!(out.join("a/b.json").is_file());
        assert!(!out.join("index.html").exists());
    }

    #[test]
    fn a_folder_that_is_not_a_site_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        let refused = DiskOutput::create(&dir.path().join("catalog"), dir.path());
        assert!(matches!(refused, Err(OutputError::Refused(_))));
    }

    #[test]
    fn memory_output_replaces_files_and_keeps_them_sorted() {
        let mem = MemoryOutput::new();
        mem.write("b.html", b"1".to_vec()).unwrap();
        mem.write("a/index.html", b"2".to_vec()).unwrap();
        mem.write("b.html", b"3".to_vec()).unwrap();
        assert_eq!(mem.get("b.html").as_deref(), Some(&b"3"[..]));
        let paths: Vec<String> = mem.into_files().into_keys().collect();
        assert_eq!(paths, ["a/index.html", "b.html"]);
    }
}
