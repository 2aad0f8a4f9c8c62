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
//! Neither does a file that appeared within the batch (created, or renamed
//! to its name) and is gone at its end, when no rebuild ran meanwhile or
//! ended within [`SETTLE`] before (events arrive a little late): the
//! temporary file of a save by rename (`sed -i`, `perl -i`, JetBrains' safe
//! write, which also renames the old file aside and deletes it). Reporting
//! it would make the rebuild see a file created and forget the file list
//! and the facts the last run kept (see `pipeline::Warm`), turning a
//! one-file save into a rebuild from nothing. A rebuild that ran while the
//! file existed may have read it, so then it is reported; and only where
//! notify's event kinds say exactly what happened (inotify on Linux,
//! `ReadDirectoryChangesW` on Windows; macOS's FSEvents carry a file's
//! "created" flag on later events too, so a file deleted soon after it was
//! made would look like one that came and went).

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
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

/// Whether notify's event kinds on this system say exactly what happened
/// to a path (see the module doc).
const EXACT_KINDS: bool = cfg!(any(target_os = "linux", target_os = "android", windows));

/// How long after a rebuild ended a file's events may still describe what
/// happened while it ran: notify hands events over a little after they
/// happen (milliseconds, more when the machine is busy), so one read after
/// a rebuild may be of a file that rebuild saw. Longer would be safer and
/// slower: a save by rename within this time of the last rebuild counts as
/// a created file (see the module doc). A quarter second is far above the
/// hand-over delay and below the pause between two saves.
const SETTLE: Duration = Duration::from_millis(250);

/// When rebuilds run, which the watcher must know to tell a file no rebuild
/// can have read. The count is even while none runs and odd while one does.
#[derive(Debug, Default)]
pub struct Rebuilds {
    count: AtomicU64,
    ended: Mutex<Option<Instant>>,
}

impl Rebuilds {
    /// Runs `f` as one rebuild.
    pub fn during<T>(&self, f: impl FnOnce() -> T) -> T {
        self.count.fetch_add(1, Ordering::SeqCst);
        let out = f();
        *self.ended.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
        self.count.fetch_add(1, Ordering::SeqCst);
        out
    }

    /// The count, when no rebuild runs and none ended within [`SETTLE`].
    fn quiet(&self) -> Option<u64> {
        let now = self.now();
        let ended = *self.ended.lock().unwrap_or_else(|p| p.into_inner());
        (now.is_multiple_of(2) && ended.is_none_or(|at| at.elapsed() >= SETTLE)).then_some(now)
    }

    fn now(&self) -> u64 {
        self.count.load(Ordering::SeqCst)
    }
}

/// Watches `root` recursively; batches go to `tx`. `ignore` names folders
/// relative to ROOT whose contents never count (the history cache).
/// `rebuilds` says when rebuilds run. The watch lasts as long as the
/// returned watcher.
pub fn watch(
    root: &Path,
    ignore: Vec<String>,
    tx: Sender<Watched>,
    rebuilds: Arc<Rebuilds>,
) -> Result<RecommendedWatcher, notify::Error> {
    let canon = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let (raw_tx, raw_rx) = mpsc::channel::<notify::Result<Event>>();
    let mut watcher = notify::recommended_watcher(raw_tx)?;
    watcher.watch(&canon, RecursiveMode::Recursive)?;
    std::thread::spawn(move || {
        // Each path, with the rebuild count when its first event in the
        // batch made it appear while rebuilds were quiet (`None` otherwise).
        let mut batch: BTreeMap<String, Option<u64>> = BTreeMap::new();
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
                        let quiet = rebuilds.quiet().filter(|_| EXACT_KINDS);
                        for (i, path) in event.paths.iter().enumerate() {
                            let Some(rel) = relative(&canon, path).filter(|r| counts(r, &ignore))
                            else {
                                continue;
                            };
                            let appeared = quiet.filter(|_| appears(&event.kind, i));
                            batch.entry(rel).or_insert(appeared);
                        }
                        if !batch.is_empty() {
                            due = Instant::now() + DEBOUNCE;
                        }
                    }
                    continue;
                }
                Ok(Err(e)) => Watched::Error(e.to_string()),
                Err(RecvTimeoutError::Timeout) => {
                    let paths = settled(&canon, std::mem::take(&mut batch), rebuilds.now());
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

/// Whether the event makes its `i`th path appear: a creation, or a rename
/// to it (the second path of a rename notify saw both ends of).
fn appears(kind: &EventKind, i: usize) -> bool {
    use notify::event::{ModifyKind, RenameMode};
    match kind {
        EventKind::Create(_) => true,
        EventKind::Modify(ModifyKind::Name(RenameMode::To)) => true,
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => i == 1,
        _ => false,
    }
}

/// The paths of a finished batch, without those that appeared in it and
/// are gone again while no rebuild ran (the count is still `now`): no run
/// can have read them, so nothing a run kept depends on them.
fn settled(root: &Path, batch: BTreeMap<String, Option<u64>>, now: u64) -> BTreeSet<String> {
    batch
        .into_iter()
        .filter(|(rel, appeared)| {
            *appeared != Some(now) || root.join(rel).symlink_metadata().is_ok()
        })
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
        !dir.is_empty() && crate::source::is_under(rel, dir)
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

    /// The batches until one names `want`, merged; panics after a few
    /// seconds without it.
    fn until(rx: &mpsc::Receiver<Watched>, want: &str) -> BTreeSet<String> {
        let mut got = BTreeSet::new();
        while !got.contains(want) {
            match rx.recv_timeout(Duration::from_secs(5)) {
                Ok(Watched::Changed(paths)) => got.extend(paths),
                other => panic!("{want} was not reported: {other:?} after {got:?}"),
            }
        }
        got
    }

    fn one(path: &str) -> BTreeSet<String> {
        BTreeSet::from([path.to_owned()])
    }

    #[test]
    #[cfg(any(target_os = "linux", windows))]
    fn a_save_by_rename_reports_the_saved_file_alone() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let at = |rel: &str| root.join(rel);
        std::fs::create_dir(at("svc")).unwrap();
        std::fs::write(at("svc/catalog-info.yaml"), "a: 1\n").unwrap();
        let rebuilds = Arc::new(Rebuilds::default());
        let (tx, rx) = mpsc::channel();
        let _watcher = watch(root, Vec::new(), tx, Arc::clone(&rebuilds)).unwrap();
        const SAVED: &str = "svc/catalog-info.yaml";
        // Each save's events should make one batch; a stall of the test
        // longer than the debounce between two of them splits it, so a save
        // gets three tries and one must come out as the saved file alone.
        let tries = |save: &dyn Fn(u32)| {
            let got: Vec<BTreeSet<String>> = (0..3)
                .map(|n| {
                    save(n);
                    until(&rx, SAVED)
                })
                .collect();
            assert!(got.contains(&one(SAVED)), "{got:?}");
        };
        // `sed -i`: a new file beside the old, renamed over it.
        tries(&|n| {
            std::fs::write(at("svc/sedAb12Cd"), format!("a: {n}\n")).unwrap();
            std::fs::rename(at("svc/sedAb12Cd"), at(SAVED)).unwrap();
        });
        // JetBrains' safe write: the new file written aside, the old one
        // renamed aside, the new one renamed in, the old one deleted.
        tries(&|n| {
            std::fs::write(at("svc/catalog-info.yaml___jb_tmp___"), format!("b: {n}\n")).unwrap();
            std::fs::rename(at(SAVED), at("svc/catalog-info.yaml___jb_old___")).unwrap();
            std::fs::rename(at("svc/catalog-info.yaml___jb_tmp___"), at(SAVED)).unwrap();
            std::fs::remove_file(at("svc/catalog-info.yaml___jb_old___")).unwrap();
        });
        // A file created and kept is reported, and so is one removed.
        std::fs::write(at("svc/runbook.md"), "# Runbook\n").unwrap();
        assert_eq!(until(&rx, "svc/runbook.md"), one("svc/runbook.md"));
        std::fs::remove_file(at("svc/runbook.md")).unwrap();
        assert_eq!(until(&rx, "svc/runbook.md"), one("svc/runbook.md"));
        // A file created and removed again while no rebuild ran is not an
        // edit (three tries, as above).
        let reported: Vec<Watched> = (0..3)
            .map_while(|_| {
                std::fs::write(at("svc/scratch"), "x").unwrap();
                std::fs::remove_file(at("svc/scratch")).unwrap();
                rx.recv_timeout(DEBOUNCE * 10).ok()
            })
            .collect();
        assert!(
            reported.len() < 3,
            "a file that came and went was reported: {reported:?}"
        );
        // A file that came and went while a rebuild ran, which may have
        // read it, is reported (its events may be handed over after the
        // rebuild ended); so is one that outlived the start of a rebuild.
        rebuilds.during(|| {
            std::fs::write(at("svc/during.yaml"), "x").unwrap();
            std::fs::remove_file(at("svc/during.yaml")).unwrap();
            std::thread::sleep(DEBOUNCE); // a rebuild takes a while
        });
        assert!(until(&rx, "svc/during.yaml").contains("svc/during.yaml"));
        std::fs::write(at("svc/across.yaml"), "x").unwrap();
        rebuilds.during(|| ());
        std::fs::remove_file(at("svc/across.yaml")).unwrap();
        assert!(until(&rx, "svc/across.yaml").contains("svc/across.yaml"));
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
