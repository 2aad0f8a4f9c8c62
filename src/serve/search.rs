//! The search index in `serve`, rewritten off the reload's path.
//!
//! The index reads every entity and every docs section, so writing it
//! takes seconds on a 10,000-entity catalog, while the pages one edit
//! touches render in milliseconds. A rebuild therefore publishes its pages
//! and tells the browsers first, then hands its run to this worker, which
//! writes the index and swaps in the files whose bytes changed. A page
//! loads the index only when someone searches, so a reloaded page never
//! waits for it; a search in the seconds after an edit may still find the
//! words from before it.
//!
//! Only the latest run is indexed: runs queued behind a newer one are
//! dropped, and an index is swapped in only while its run's pages are the
//! ones served ([`State::apply_search`]), so what is served in the end is
//! byte for byte what `build` writes for the same catalog.
//!
//! The worker has a one-thread pool of its own, scheduled as idle work
//! where the system allows (Linux's `SCHED_IDLE`): it takes one core at
//! most and only while nothing else wants it, so the next rebuild is not
//! slowed by an index still being written for the last one.

use super::state::State;
use crate::pipeline::Checked;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

enum Job {
    /// Index run number `run`.
    Index { run: u64, checked: Arc<Checked> },
    /// Answer once every job sent before this one is done.
    Settle(Sender<()>),
    /// Say this line after each index swapped in.
    Report(Box<dyn Fn(String) + Send>),
}

/// The worker's handle; dropping it ends the worker after its job.
pub struct Indexer {
    tx: Sender<Job>,
}

impl Indexer {
    pub fn start(state: Arc<State>) -> Indexer {
        let (tx, rx) = channel();
        std::thread::Builder::new()
            .name("search index".to_owned())
            .spawn(move || work(&state, &rx))
            .map(|_| ())
            .unwrap_or_else(|e| eprintln!("warning: no search index updates while serving: {e}"));
        Indexer { tx }
    }

    /// Indexes `checked`, run number `run`, whose pages are served.
    pub fn index(&self, run: u64, checked: Arc<Checked>) {
        let _ = self.tx.send(Job::Index { run, checked });
    }

    /// Calls `report` with one line after each index swapped in (the
    /// terminal shows when search has caught up with an edit).
    pub fn report(&self, report: impl Fn(String) + Send + 'static) {
        let _ = self.tx.send(Job::Report(Box::new(report)));
    }

    /// Waits until the index of the last run handed over is served (or
    /// dropped for a newer run): tests and benchmarks compare the served
    /// site with a fresh build after it.
    pub fn settle(&self) {
        let (tx, rx) = channel();
        if self.tx.send(Job::Settle(tx)).is_ok() {
            let _ = rx.recv();
        }
    }
}

fn work(state: &State, rx: &Receiver<Job>) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "search index".to_owned())
        .start_handler(|_| idle())
        .build()
        .ok();
    let mut report: Option<Box<dyn Fn(String) + Send>> = None;
    while let Ok(first) = rx.recv() {
        // Take everything queued: only the newest run is worth indexing.
        let mut latest = None;
        let mut waiting = Vec::new();
        for job in std::iter::once(first).chain(rx.try_iter()) {
            match job {
                Job::Index { run, checked } => latest = Some((run, checked)),
                Job::Settle(done) => waiting.push(done),
                Job::Report(r) => report = Some(r),
            }
        }
        if let Some((run, checked)) = latest
            && state.run() == run
        {
            let started = std::time::Instant::now();
            let write = || crate::site::pages::search_data::build(&checked);
            let files = match &pool {
                Some(pool) => pool.install(write),
                None => write(),
            };
            let count = files.len();
            let files = files.into_iter().map(|f| (f.path, f.bytes)).collect();
            if let Some(changed) = state.apply_search(run, files)
                && let Some(report) = &report
            {
                report(format!(
                    "search index: {changed} of {count} files changed, written in {} ms",
                    started.elapsed().as_millis()
                ));
            }
        }
        for done in waiting {
            let _ = done.send(());
        }
    }
}

/// Lowers the calling thread to idle priority where the system has one; a
/// refusal only costs speed.
fn idle() {
    #[cfg(target_os = "linux")]
    {
        use thread_priority::unix::{
            NormalThreadSchedulePolicy, ThreadSchedulePolicy, set_thread_priority_and_policy,
            thread_native_id,
        };
        let _ = set_thread_priority_and_policy(
            thread_native_id(),
            thread_priority::ThreadPriority::Min,
            ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle),
        );
    }
    #[cfg(all(unix, not(target_os = "linux")))]
    {
        let _ = thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Min);
    }
}
