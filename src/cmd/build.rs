//! `portolan build`: run the pipeline, load the theme once, and write the
//! portal atomically.

use super::{print_timings, quote, spinner_after_delay};
use portolan::diagnostics::render::{self, Report};
use portolan::diagnostics::{Diagnostic, Severity};
use portolan::history::CacheDir;
use portolan::pipeline::{self, Options};
use portolan::site::budget::OnHang;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// A template that loops without writing cannot be stopped inside its
/// thread: report it, remove this run's staging folder (the previous
/// output was never touched) and end the process with exit code 1.
fn hang_hook(root: PathBuf, out: PathBuf, entities: usize, files: Vec<String>) -> OnHang {
    OnHang(Arc::new(move |d: Diagnostic| {
        let report = Report {
            root: &root,
            diagnostics: std::slice::from_ref(&d),
            entities,
            files: &files,
            scorecards: None,
            quote: &|_| None,
            scorecard_details: false,
            baseline: None,
        };
        let color =
            anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never;
        eprint!("{}", render::human(&report, color));
        portolan::site::write::discard_staging(&out);
        eprintln!("error: the theme has errors; the previous output, if any, is untouched");
        std::process::exit(1);
    }))
}

/// `--history-cache` and `--no-history`.
pub struct History {
    pub cache: Option<PathBuf>,
    pub off: bool,
}

/// Scores the sampled past commits into `checked.history` (see
/// `portolan::history`), with its timing and, under `PORTOLAN_TIMINGS`,
/// how many samples came from the cache.
pub fn history(checked: &mut pipeline::Checked, root: &Path, at: Option<git2::Oid>, args: History) {
    let started = std::time::Instant::now();
    let mut settings = checked.loaded.config.history.clone();
    if args.off {
        settings.samples = 0;
    }
    let cache = match args.cache {
        Some(dir) => CacheDir::Given(dir),
        None => CacheDir::InRoot(settings.cache_dir.clone()),
    };
    let mut current: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in &checked.scorecards.standings {
        current
            .entry(s.entity.to_string())
            .or_default()
            .insert(s.scorecard.clone());
    }
    let request = portolan::history::Request {
        root,
        at,
        settings: &settings,
        cache,
    };
    let collected = portolan::history::collect(&request, &current);
    checked.history = collected.trends;
    checked.add(collected.diagnostics);
    checked.loaded.timings.push(("history", started.elapsed()));
    if std::env::var_os("PORTOLAN_TIMINGS").is_some() {
        let s = collected.stats;
        eprintln!(
            "history: {} commits sampled, {} from the cache, {} evaluated, {} cache files rejected",
            s.commits, s.cached, s.evaluated, s.rejected
        );
    }
}

pub fn run(
    root: PathBuf,
    rev: Option<String>,
    out: PathBuf,
    history_args: History,
    options: Options,
    base_url: Option<String>,
) -> ExitCode {
    if let Some(url) = &base_url
        && portolan::site::links::safe_url(url).is_none_or(|u| u.starts_with("mailto:"))
    {
        eprintln!("error: --base-url `{url}` is not an http(s) URL");
        return ExitCode::from(2);
    }
    let source = match super::open(&root, rev.as_deref()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let spinner = spinner_after_delay(format!("building {}", root.display()));
    let mut checked = pipeline::run(&*source, &root, options);
    history(&mut checked, &root, source.commit(), history_args);
    let mut theme_diags = Vec::new();
    let theme =
        portolan::site::theme::load(&*source, &checked.loaded.config.site, &mut theme_diags);
    let theme_errors: Vec<_> = theme_diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    checked.add(theme_diags);
    let on_hang = hang_hook(
        root.clone(),
        out.clone(),
        checked.loaded.catalog.entities.len(),
        checked.loaded.catalog.files.clone(),
    );
    let built = if theme_errors.is_empty() {
        portolan::site::build(
            &checked,
            &theme,
            &out,
            &portolan::site::Options {
                base_url,
                on_hang: Some(on_hang),
            },
        )
    } else {
        Err(portolan::site::BuildError::Theme(theme_errors))
    };
    spinner.finish_and_clear();
    match built {
        Ok(built) => {
            print_timings(22, checked.loaded.timings.iter().chain(&built.timings));
            let (errors, warnings) = portolan::diagnostics::counts(&checked.diagnostics);
            eprintln!(
                "built {} ({} pages, {} files) from {} entities; the catalog has {errors} errors and {warnings} warnings (`portolan check` lists them; the portal shows catalog problems on its health page and failing checks on its scorecard, team and entity pages)",
                out.display(),
                built.pages,
                built.files,
                checked.loaded.catalog.entities.len()
            );
            ExitCode::SUCCESS
        }
        Err(portolan::site::BuildError::Theme(diags)) => {
            let read = |file: &str| quote(&*source, file);
            let report = Report {
                root: &root,
                diagnostics: &diags,
                entities: checked.loaded.catalog.entities.len(),
                files: &checked.loaded.catalog.files,
                scorecards: None,
                quote: &read,
                scorecard_details: false,
                baseline: None,
            };
            let color =
                anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never;
            eprint!("{}", render::human(&report, color));
            eprintln!("error: the theme has errors; the previous output, if any, is untouched");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}; the previous output, if any, is untouched");
            ExitCode::from(2)
        }
    }
}
