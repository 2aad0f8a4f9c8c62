//! The render budget: a theme is code, so one page's template may not run
//! longer than [`PAGE_TIME`] or write more than [`PAGE_BYTES`].
//!
//! Tera cannot be interrupted, so the budget is enforced in two ways:
//! - cooperatively, by the writer a page renders into: every write checks
//!   the output size and the clock, and a write past either fails, which
//!   stops the render with an error naming the template;
//! - by a watchdog, for a template that loops without writing anything
//!   (nested `for` loops with an empty body never reach the writer). The
//!   watchdog sees every page in flight; one that runs past the budget plus
//!   [`GRACE`] cannot be stopped from outside its thread, so the watchdog
//!   hands its diagnostic to [`Options::on_hang`](super::Options), which
//!   for `portolan build` reports it, discards the staging folder (the last
//!   good output stays) and ends the process.

use crate::diagnostics::{Code, Diagnostic, Span};
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

/// How long one page may render. The default theme renders a page in well
/// under a millisecond; two seconds is generous for any real theme.
pub const PAGE_TIME: Duration = Duration::from_secs(2);
/// How much one page may write. The largest default pages (a health page
/// of 500 diagnostics, a System graph) are a few hundred KiB.
pub const PAGE_BYTES: u64 = 32 * 1024 * 1024;
/// How far past [`PAGE_TIME`] the watchdog waits before it gives up on a
/// render that writes nothing.
pub const GRACE: Duration = Duration::from_secs(1);

/// Why a render was stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    Time,
    Bytes,
}

/// The writer a page renders into: a buffer that refuses to grow past
/// [`PAGE_BYTES`] or to be written after the deadline.
pub struct Budgeted {
    pub buf: Vec<u8>,
    deadline: Instant,
    max: u64,
    pub stopped: Option<Stop>,
}

impl Budgeted {
    pub fn new(time: Duration, max: u64) -> Budgeted {
        Budgeted {
            buf: Vec::with_capacity(16 * 1024),
            deadline: Instant::now() + time,
            max,
            stopped: None,
        }
    }
}

impl Write for Budgeted {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if (self.buf.len() + bytes.len()) as u64 > self.max {
            self.stopped = Some(Stop::Bytes);
            return Err(std::io::Error::other("page output over the size budget"));
        }
        if Instant::now() > self.deadline {
            self.stopped = Some(Stop::Time);
            return Err(std::io::Error::other("page over the time budget"));
        }
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The diagnostic for a page stopped by the budget; `file` is the
/// template's file (as [`super::theme::Theme`] knows it).
pub fn diagnostic(stop: Stop, file: &str, template: &str, page: &str) -> Diagnostic {
    let message = match stop {
        Stop::Time => format!(
            "template `{template}` ran past the {} s budget per page while rendering `{page}`; it was stopped",
            PAGE_TIME.as_secs()
        ),
        Stop::Bytes => format!(
            "template `{template}` wrote more than the {} MiB budget per page while rendering `{page}`; it was stopped",
            PAGE_BYTES / (1024 * 1024)
        ),
    };
    Diagnostic::new(Code::TemplateLimit, message)
        .at(Span::file(file))
        .help("look for nested loops or output that grows with the catalog; the site was not written and the previous output is untouched")
}

/// Pages being rendered right now, by thread.
#[derive(Default)]
pub struct InFlight {
    pages: Mutex<HashMap<ThreadId, (String, String, Instant)>>,
    done: AtomicBool,
}

impl InFlight {
    /// Notes that this thread starts `page` with `template`.
    pub fn start(&self, template: &str, page: &str) {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        pages.insert(
            std::thread::current().id(),
            (template.to_owned(), page.to_owned(), Instant::now()),
        );
    }

    pub fn end(&self) {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        pages.remove(&std::thread::current().id());
    }

    pub fn finish(&self) {
        self.done.store(true, Ordering::Relaxed);
    }

    /// The first page (by path, so the answer does not depend on thread
    /// timing) that has run longer than `limit`, with its template.
    fn overdue(&self, limit: Duration) -> Option<(String, String)> {
        let pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        pages
            .values()
            .filter(|(_, _, at)| at.elapsed() > limit)
            .map(|(t, p, _)| (t.clone(), p.clone()))
            .min_by(|a, b| a.1.cmp(&b.1))
    }
}

/// What to do with a render that cannot be stopped: report and end the
/// process (see the module docs). Set by the command, never by a stage.
#[derive(Clone)]
pub struct OnHang(pub Arc<dyn Fn(Diagnostic) + Send + Sync>);

impl std::fmt::Debug for OnHang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnHang")
    }
}

/// Watches `inflight` until it is finished; a page past the budget plus
/// [`GRACE`] goes to `on_hang` with its diagnostic (`origin` maps a
/// template name to its file).
pub fn watch(inflight: &InFlight, on_hang: &OnHang, origin: &dyn Fn(&str) -> String) {
    while !inflight.done.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(50));
        if let Some((template, page)) = inflight.overdue(PAGE_TIME + GRACE) {
            (on_hang.0)(diagnostic(Stop::Time, &origin(&template), &template, &page));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writer_refuses_past_its_size_and_its_deadline() {
        let mut w = Budgeted::new(Duration::from_secs(60), 8);
        assert!(w.write_all(b"12345678").is_ok());
        assert!(w.write_all(b"9").is_err());
        assert_eq!(w.stopped, Some(Stop::Bytes));
        let mut w = Budgeted::new(Duration::ZERO, 1024);
        std::thread::sleep(Duration::from_millis(2));
        assert!(w.write_all(b"x").is_err());
        assert_eq!(w.stopped, Some(Stop::Time));
    }
}
