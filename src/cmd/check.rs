//! `portolan check`: run the pipeline, compile the theme (so a pull request
//! that breaks a template fails before it breaks the portal), and print the
//! diagnostics in the chosen format.

use super::{print, print_timings, quote, spinner_after_delay};
use portolan::diagnostics::render::{self, Report};
use portolan::pipeline::{self, Options};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// rustc-style snippets, coloured on a terminal.
    Human,
    /// A versioned JSON document.
    Json,
    /// GitHub Actions workflow-command annotations.
    Github,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
    /// A Markdown summary for PR comments and $GITHUB_STEP_SUMMARY.
    Markdown,
}

pub fn run(root: PathBuf, format: Format, options: Options) -> ExitCode {
    let source = match super::open(&root) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let spinner = spinner_after_delay(format!("checking {}", root.display()));
    let mut checked = pipeline::run(&source, &root, options);
    let mut theme_diags = Vec::new();
    portolan::site::theme::load(&source, &checked.loaded.config.site, &mut theme_diags);
    checked.add(theme_diags);
    spinner.finish_and_clear();
    print_timings(10, &checked.loaded.timings);
    let read = |file: &str| quote(&source, file);
    let report = Report {
        root: &root,
        diagnostics: &checked.diagnostics,
        entities: checked.loaded.catalog.entities.len(),
        files: &checked.loaded.catalog.files,
        scorecards: options.scorecards.then_some(&checked.scorecards as _),
        quote: &read,
    };
    let render_started = std::time::Instant::now();
    let text = match format {
        Format::Human => {
            let color =
                anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
            render::human(&report, color)
        }
        Format::Json => render::json(&report),
        Format::Github => render::github(&report),
        Format::Sarif => render::sarif(&report),
        Format::Junit => render::junit(&report),
        Format::Markdown => render::markdown(&report),
    };
    print_timings(10, &[("render", render_started.elapsed())]);
    if !print(&text) {
        return ExitCode::from(2);
    }
    let (errors, _) = report.counts();
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
