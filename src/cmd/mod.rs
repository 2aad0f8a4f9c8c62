//! One module per command: options in, a pipeline run, output out. What
//! they share (printing, the spinner, timings, quoting files) is here.

pub mod build;
pub mod check;
pub mod init;
pub mod policy;
pub mod report;
pub mod serve;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use portolan::source::Source;
use std::io::Write;

/// Writes the report to stdout. A closed pipe (`| head`) is not our
/// failure, but the run is incomplete, so callers exit with 2.
pub fn print(text: &str) -> bool {
    let mut out = anstream::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_ok()
}

/// A spinner on stderr that appears only when the work takes a while, so
/// small catalogs print nothing extra. indicatif draws nothing when stderr
/// is not a terminal, so CI logs and pipes stay clean.
pub fn spinner_after_delay(message: String) -> ProgressBar {
    let spinner =
        ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()).with_message(message);
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let delayed = spinner.clone();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(400));
        if !delayed.is_finished() {
            delayed.set_draw_target(ProgressDrawTarget::stderr());
            delayed.enable_steady_tick(std::time::Duration::from_millis(120));
        }
    });
    spinner
}

/// `PORTOLAN_TIMINGS=1` prints each phase's wall time to stderr.
pub fn print_timings<'a>(
    width: usize,
    laps: impl IntoIterator<Item = &'a (&'static str, std::time::Duration)>,
) {
    if std::env::var_os("PORTOLAN_TIMINGS").is_none() {
        return;
    }
    for (phase, took) in laps {
        eprintln!(
            "timing: {phase:<width$} {:>8.1} ms",
            took.as_secs_f64() * 1000.0
        );
    }
}

/// Opens the catalog root, or says why not (exit code 2, a usage error):
/// the working tree, or with `rev` (`--rev`) the tree of that commit,
/// read from git without checking it out.
pub fn open(
    root: &std::path::Path,
    rev: Option<&str>,
) -> Result<Box<dyn Source>, std::process::ExitCode> {
    let opened: Result<Box<dyn Source>, String> = match rev {
        None => portolan::source::WorkTree::new(root)
            .map(|s| Box::new(s) as Box<dyn Source>)
            .map_err(|e| e.to_string()),
        Some(rev) => portolan::source::GitTree::open(root, rev)
            .map(|s| Box::new(s) as Box<dyn Source>)
            .map_err(|e| e.to_string()),
    };
    opened.map_err(|e| {
        eprintln!("error: {e}");
        std::process::ExitCode::from(2)
    })
}

/// Files larger than this are not quoted in snippets (the caret would not help).
const MAX_QUOTED_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a catalog file for a diagnostic's snippet, through the source.
pub fn quote(source: &dyn Source, file: &str) -> Option<String> {
    portolan::source::read_text(source, file, MAX_QUOTED_BYTES).ok()
}
