//! Watching ROOT for saved files with notify, debounced.
//!
//! An editor's save is several events (write, rename, attribute change);
//! they are collected until `DEBOUNCE` passes without another, and handed
//! on as one batch of paths, relative to ROOT and `/`-separated. The
//! debouncing is done here rather than with notify-debouncer-mini because
//! that crate drops the event kinds, and on Linux notify reports every
//! `open` as an access event: each rebuild reads the whole catalog, so
//! without the kinds a rebuild would trigger the next one forever. Reads,
//! version-control internals, editor swap files and the score history
//! cache do not count as edits.
//!
//! Neither does a file that first appeared in the batch and is gone at its
//! end: the temporary file of an editor that saves by writing a new file
//! and renaming it over the old one (`sed -i`, JetBrains' safe write, vim
//! with `backupcopy=no`). Reporting it would make the rebuild see a file
//! created and forget everything it kept (see `pipeline::Warm`), turning a
//! one-file save into a rebuild from nothing.

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// Quiet time after the last event before a batch is handed on.
pub const DEBOUNCE: Duration = Duration::from_millis(40);

/// What the watcher reports.
#[derive(Debug)]
pub enum Watched {
    /// Files saved, created or removed, relative to ROOT.
    Changed(BTreeSet<String>),
    /// The watcher failed (a folder became unreadable, too many watches).
    Error(String),
}

/// Watches `root` recursively; batches go to `tx`. `ignore` names folders
/// relative to ROOT whose contents never count (the history cache). The
/// watch lasts as long as the returned watcher.
pub fn watch(
    root: &Path,
    ignore: Vec<String>,
    tx: Sender<Watched>,
) -> Result<RecommendedWatcher, notify::Error> {
    let canon = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let (raw_tx, raw_rx) = mpsc::channel::<notify::Result<Event>>();
    let mut watcher = notify::recommended_watcher(raw_tx)?;
    watcher.watch(&canon, RecursiveMode::Recursive)?;
    std::thread::spawn(move || {
        // Each path with whether its first event in the batch created it.
        let mut batch: BTreeMap<String, bool> = BTreeMap::new();
        // When the batch is due: `DEBOUNCE` after the last edit (reads
        // in between do not postpone it).
        let mut due = Instant::now();
        loop {
            let next = if batch.is_empty() {
                raw_rx.recv().map_err(|_| RecvTimeoutError::Disconnected)
            } else {
                raw_rx.recv_timeout(due.saturating_duration_since(Instant::now()))
            };
            let message = match next {
                Ok(Ok(event)) => {
                    if is_edit(&event.kind) {
                        let created = matches!(event.kind, EventKind::Create(_));
                        for rel in event
                            .paths
                            .iter()
                            .filter_map(|p| relative(&canon, p))
                            .filter(|rel| counts(rel, &ignore))
                        {
                            batch.entry(rel).or_insert(created);
                        }
                        if !batch.is_empty() {
                            due = Instant::now() + DEBOUNCE;
                        }
                    }
                    continue;
                }
                Ok(Err(e)) => Watched::Error(e.to_string()),
                Err(RecvTimeoutError::Timeout) => {
                    let paths = settled(&canon, std::mem::take(&mut batch));
                    if paths.is_empty() {
                        continue;
                    }
                    Watched::Changed(paths)
                }
                Err(RecvTimeoutError::Disconnected) => return,
            };
            if tx.send(message).is_err() {
                return;
            }
        }
    });
    Ok(watcher)
}

/// The paths of a finished batch, without those created in it that are
/// gone again: no run saw them, so nothing a run kept depends on them.
fn settled(root: &Path, batch: BTreeMap<String, bool>) -> BTreeSet<String> {
    batch
        .into_iter()
        .filter(|(rel, created)| !created || root.join(rel).symlink_metadata().is_ok())
        .map(|(rel, _)| rel)
        .collect()
}

/// Whether an event can change a file's content or existence (reads and
/// metadata-only changes cannot).
fn is_edit(kind: &EventKind) -> bool {
    use notify::event::ModifyKind;
    !matches!(
        kind,
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_))
    )
}

/// `path` relative to `root`, `/`-separated; `None` outside it or for
/// ROOT itself.
fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel: PathBuf = path.strip_prefix(root).ok()?.to_path_buf();
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

/// Whether a change to `rel` is an edit worth a rebuild.
pub fn counts(rel: &str, ignore: &[String]) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let editor_temp = name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.starts_with(".#")
        || name == "4913"
        || name.ends_with(".tmp");
    let vcs = rel.split('/').any(|p| matches!(p, ".git" | ".hg" | ".svn"));
    let ignored = ignore.iter().any(|dir| {
        let dir = dir.trim_matches('/');
        !dir.is_empty() && (rel == dir || rel.starts_with(&format!("{dir}/")))
    });
    !(editor_temp || vcs || ignored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_edits_count() {
        let ignore = vec![".portolan-cache".to_owned()];
        assert!(counts("components/a.yaml", &ignore));
        assert!(counts("docs/index.md", &ignore));
        assert!(!counts(".git/index", &ignore));
        assert!(!counts("components/.a.yaml.swp", &ignore));
        assert!(!counts("components/a.yaml~", &ignore));
        assert!(!counts("4913", &ignore));
        assert!(!counts(".portolan-cache/history.json", &ignore));
        assert!(counts(".portolan-cachex/a.yaml", &ignore));
    }

    /// The next batch, waiting at most a few seconds.
    fn next(rx: &mpsc::Receiver<Watched>) -> BTreeSet<String> {
        match rx.recv_timeout(Duration::from_secs(5)) {
            Ok(Watched::Changed(paths)) => paths,
            other => panic!("no batch: {other:?}"),
        }
    }

    #[test]
    fn a_save_by_rename_reports_the_saved_file_alone() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("svc")).unwrap();
        std::fs::write(root.join("svc/catalog-info.yaml"), "a: 1\n").unwrap();
        let (tx, rx) = mpsc::channel();
        let _watcher = watch(root, Vec::new(), tx).unwrap();
        // What `sed -i` does: a new file beside the old, renamed over it.
        std::fs::write(root.join("svc/sedAb12Cd"), "a: 2\n").unwrap();
        std::fs::rename(
            root.join("svc/sedAb12Cd"),
            root.join("svc/catalog-info.yaml"),
        )
        .unwrap();
        assert_eq!(
            next(&rx),
            BTreeSet::from(["svc/catalog-info.yaml".to_owned()])
        );
        // A file created and kept is reported, and so is one removed.
        std::fs::write(root.join("svc/runbook.md"), "# Runbook\n").unwrap();
        assert_eq!(next(&rx), BTreeSet::from(["svc/runbook.md".to_owned()]));
        std::fs::remove_file(root.join("svc/runbook.md")).unwrap();
        assert_eq!(next(&rx), BTreeSet::from(["svc/runbook.md".to_owned()]));
        // A file created and removed again within one batch is not an edit.
        std::fs::write(root.join("svc/scratch"), "x").unwrap();
        std::fs::remove_file(root.join("svc/scratch")).unwrap();
        assert!(
            rx.recv_timeout(DEBOUNCE * 10).is_err(),
            "a file that came and went was reported"
        );
    }

    #[test]
    fn paths_are_relative_to_root() {
        let root = Path::new("/r/cat");
        assert_eq!(
            relative(root, Path::new("/r/cat/a/b.yaml")).as_deref(),
            Some("a/b.yaml")
        );
        assert_eq!(relative(root, Path::new("/r/cat")), None);
        assert_eq!(relative(root, Path::new("/elsewhere")), None);
    }
}
