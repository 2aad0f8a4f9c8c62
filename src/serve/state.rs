//! What the HTTP server reads while the session rebuilds: the site's
//! files, whether the last rebuild failed (and why), and the browsers
//! listening for reload events.

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, RwLock};

/// An event for the browsers (see `reload`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A good build: load the page again.
    Reload,
    /// A failed rebuild: show these errors over the last good page.
    Failed(String),
}

/// Events queued per browser before it counts as gone.
const QUEUE: usize = 16;

/// The served files, and which swap put them there.
#[derive(Default)]
struct Files {
    map: HashMap<String, Arc<[u8]>>,
    /// Which pipeline run the pages come from (`Session` numbers them): a
    /// search index is swapped in only over the pages of its own run.
    run: u64,
}

#[derive(Default)]
pub struct State {
    files: RwLock<Files>,
    /// The failed rebuild's errors, until the next good build.
    failure: Mutex<Option<String>>,
    listeners: Mutex<Vec<SyncSender<Event>>>,
}

impl State {
    pub fn new() -> Arc<State> {
        Arc::new(State::default())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Files> {
        self.files.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Files> {
        self.files.write().unwrap_or_else(|p| p.into_inner())
    }

    /// A site file.
    pub fn get(&self, path: &str) -> Option<Arc<[u8]>> {
        self.read().map.get(path).cloned()
    }

    /// Whether `path` is a folder of the site with an index page.
    pub fn is_dir(&self, path: &str) -> bool {
        self.read().map.contains_key(&format!("{path}/index.html"))
    }

    pub fn len(&self) -> usize {
        self.read().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.read().map.is_empty()
    }

    /// Every path, sorted (for tests).
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.read().map.keys().cloned().collect();
        paths.sort_unstable();
        paths
    }

    /// The run the served pages come from.
    pub fn run(&self) -> u64 {
        self.read().run
    }

    /// Swaps rendered pages in: the whole site when `whole`, otherwise on
    /// top of the current files with `removed` taken out. A whole site
    /// without a search index (`serve` writes it afterwards, see
    /// `serve::search`) keeps the index being served until then. `run`
    /// says which pipeline run the pages come from. Returns how many files
    /// the site has.
    pub fn apply(
        &self,
        files: BTreeMap<String, Vec<u8>>,
        removed: &[String],
        whole: bool,
        run: u64,
    ) -> usize {
        let files: Vec<(String, Arc<[u8]>)> =
            files.into_iter().map(|(p, b)| (p, Arc::from(b))).collect();
        let mut served = self.write();
        if whole {
            let has_index = files.iter().any(|(p, _)| p.starts_with(crate::search::DIR));
            let mut map: HashMap<String, Arc<[u8]>> = files.into_iter().collect();
            if !has_index {
                map.extend(
                    served
                        .map
                        .iter()
                        .filter(|(p, _)| p.starts_with(crate::search::DIR))
                        .map(|(p, b)| (p.clone(), Arc::clone(b))),
                );
            }
            served.map = map;
        } else {
            for p in removed {
                served.map.remove(p);
            }
            served.map.extend(files);
        }
        served.run = run;
        served.map.len()
    }

    /// Swaps in a search index written for the pages of `run`: files whose
    /// bytes changed, new ones, and none of the old index's files it no
    /// longer has. Nothing happens when a newer run's pages were swapped in
    /// since (their own index follows). Returns how many files changed, or
    /// `None` when it was not swapped in.
    pub fn apply_search(&self, run: u64, files: BTreeMap<String, Vec<u8>>) -> Option<usize> {
        let mut served = self.write();
        if served.run != run {
            return None;
        }
        let before = served.map.len();
        served
            .map
            .retain(|p, _| !p.starts_with(crate::search::DIR) || files.contains_key(p));
        let mut changed = before - served.map.len();
        for (path, bytes) in files {
            if served.map.get(&path).is_none_or(|old| **old != *bytes) {
                served.map.insert(path, Arc::from(bytes));
                changed += 1;
            }
        }
        Some(changed)
    }

    /// The failed rebuild's errors, if the last rebuild failed.
    pub fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A good build: clear the failure and tell every browser to reload.
    pub fn succeeded(&self) {
        *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.broadcast(&Event::Reload);
    }

    /// A failed rebuild: keep the files, show `text` in every browser.
    pub fn failed(&self, text: &str) {
        *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(text.to_owned());
        self.broadcast(&Event::Failed(text.to_owned()));
    }

    /// A new browser connection: its events, starting with the failure if
    /// the last rebuild failed (a page opened or reloaded then shows it).
    pub fn listen(&self) -> Receiver<Event> {
        let (tx, rx) = sync_channel(QUEUE);
        if let Some(text) = self.failure() {
            let _ = tx.try_send(Event::Failed(text));
        }
        self.listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(tx);
        rx
    }

    /// How many browsers listen.
    pub fn listeners(&self) -> usize {
        self.listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Sends `event` to every browser; forgets those that are gone or so
    /// far behind that their queue is full (they reconnect and get the
    /// current state).
    fn broadcast(&self, event: &Event) {
        let mut listeners = self.listeners.lock().unwrap_or_else(|p| p.into_inner());
        listeners.retain(|tx| match tx.try_send(event.clone()) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
        });
    }

    /// Ends every browser connection (shutdown).
    pub fn close(&self) {
        self.listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::State;
    use std::collections::BTreeMap;

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        list.iter()
            .map(|(p, b)| ((*p).to_owned(), b.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn an_index_is_swapped_in_only_over_its_own_run() {
        let state = State::new();
        state.apply(files(&[("index.html", "one")]), &[], true, 1);
        state.apply(files(&[("index.html", "two")]), &[], true, 2);
        // The index written for run 1 arrives after run 2's pages: dropped.
        assert_eq!(
            state.apply_search(1, files(&[("search/meta.js", "old")])),
            None
        );
        assert!(state.get("search/meta.js").is_none());
        assert_eq!(
            state.apply_search(
                2,
                files(&[("search/meta.js", "m"), ("search/n/ab.js", "n")])
            ),
            Some(2)
        );
        // Only changed files count, and files the new index lacks go.
        assert_eq!(
            state.apply_search(2, files(&[("search/meta.js", "m2")])),
            Some(2)
        );
        assert_eq!(state.paths(), ["index.html", "search/meta.js"]);
    }

    #[test]
    fn a_whole_site_without_an_index_keeps_the_served_one() {
        let state = State::new();
        state.apply(
            files(&[("index.html", "a"), ("search/meta.js", "m")]),
            &[],
            true,
            1,
        );
        state.apply(files(&[("index.html", "b")]), &[], true, 1);
        assert_eq!(state.paths(), ["index.html", "search/meta.js"]);
        // A whole site with its own index replaces the old one.
        state.apply(
            files(&[("index.html", "c"), ("search/r/0.js", "r")]),
            &[],
            true,
            2,
        );
        assert_eq!(state.paths(), ["index.html", "search/r/0.js"]);
    }
}
