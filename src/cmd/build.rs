//! `portolan build`: run the pipeline, load the theme once, and write the
//! portal atomically.

use super::{print_timings, quote, spinner_after_delay};
use portolan::diagnostics::render::{self, Report};
use portolan::diagnostics::{Diagnostic, Severity};
use portolan::pipeline::{self, Options};
use portolan::site::budget::OnHang;
use std::path::PathBuf;
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

pub fn run(
    root: PathBuf,
    rev: Option<String>,
    out: PathBuf,
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
                "built {} ({} pages, {} files) from {} entities; the catalog has {errors} errors and {warnings} warnings (the portal's health page and `portolan check` list them)",
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
