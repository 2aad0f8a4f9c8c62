//! `portolan check`: run the pipeline, compile the theme (so a pull request
//! that breaks a template fails before it breaks the portal), and print the
//! diagnostics in the chosen format, against the catalog's baseline when
//! it has one (`--write-baseline` records a new one first).

use super::{print, print_timings, quote, spinner_after_delay};
use portolan::baseline::Subjects;
use portolan::diagnostics::Diagnostic;
use portolan::diagnostics::baseline;
use portolan::diagnostics::render::{self, Report};
use portolan::pipeline::{self, Options};
use std::io::Write;
use std::path::{Path, PathBuf};
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

/// What `check` does besides the pipeline run.
#[derive(Clone, Copy)]
pub struct Args {
    pub format: Format,
    /// `--scorecard-details`: list every failing check in the human format.
    pub scorecard_details: bool,
    /// `--write-baseline`: record today's problems in ROOT/portolan-baseline.json.
    pub write_baseline: bool,
}

/// `--rev REV`: the commit whose tree is checked instead of the working tree.
pub type Rev = Option<String>;

pub fn run(root: PathBuf, rev: Rev, base: Rev, args: Args, options: Options) -> ExitCode {
    let source = match super::open(&root, rev.as_deref()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Some(base) = base {
        return pr_mode(&root, &*source, &base, args, options);
    }
    let spinner = spinner_after_delay(format!("checking {}", root.display()));
    let mut checked = pipeline::run(&*source, &root, options);
    let mut theme_diags = Vec::new();
    portolan::site::theme::load(&*source, &checked.loaded.config.site, &mut theme_diags);
    checked.add(theme_diags);
    spinner.finish_and_clear();
    print_timings(10, &checked.loaded.timings);
    let subjects = Subjects::new(&checked.loaded.catalog);
    let subject = |d: &Diagnostic| subjects.of(d);
    let baseline = if args.write_baseline {
        match write_baseline(&root, &checked.diagnostics, &subject) {
            Ok(b) => Some(b),
            Err(code) => return code,
        }
    } else {
        match portolan::baseline::load(&*source) {
            Ok(b) => b,
            Err(d) => {
                checked.add(vec![d]);
                None
            }
        }
    };
    let matched = baseline.map(|b| b.apply(&checked.diagnostics, &subject));
    let read = |file: &str| quote(&*source, file);
    let report = Report {
        root: &root,
        diagnostics: &checked.diagnostics,
        entities: checked.loaded.catalog.entities.len(),
        files: &checked.loaded.catalog.files,
        scorecards: options.scorecards.then_some(&checked.scorecards as _),
        quote: &read,
        scorecard_details: args.scorecard_details,
        baseline: matched.as_ref(),
    };
    let render_started = std::time::Instant::now();
    let text = render_as(args.format, &report);
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

/// `check --base REV`: the catalog at REV against the working tree. Only
/// the problems the change introduces and the errors in the files it
/// touches are reported as such; exit 1 only for introduced errors.
fn pr_mode(
    root: &Path,
    source: &dyn portolan::source::Source,
    base: &str,
    args: Args,
    options: Options,
) -> ExitCode {
    let base_source = match super::open(root, Some(base)) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let spinner = spinner_after_delay(format!("checking {} against {base}", root.display()));
    // One pipeline run for both sides: the catalogs load at once, one
    // history walk serves both, and unchanged entities are scored once.
    let (mut before, mut checked) = pipeline::run_pair(&*base_source, source, root, options);
    for (side, checked) in [(&*base_source, &mut before), (source, &mut checked)] {
        let mut theme_diags = Vec::new();
        portolan::site::theme::load(side, &checked.loaded.config.site, &mut theme_diags);
        checked.add(theme_diags);
    }
    let comparison = portolan::pr::compare(&before, &*base_source, &mut checked, source);
    spinner.finish_and_clear();
    print_timings(10, &checked.loaded.timings);
    let text = match args.format {
        Format::Markdown => portolan::pr::markdown(base, &checked.diagnostics, &comparison),
        format => {
            let shown: Vec<Diagnostic> = checked
                .diagnostics
                .iter()
                .enumerate()
                .filter(|(i, d)| comparison.relevant(*i, d))
                .map(|(_, d)| d.clone())
                .collect();
            let read = |file: &str| quote(source, file);
            let report = Report {
                root,
                diagnostics: &shown,
                entities: checked.loaded.catalog.entities.len(),
                files: &checked.loaded.catalog.files,
                scorecards: None,
                quote: &read,
                scorecard_details: args.scorecard_details,
                baseline: None,
            };
            render_as(format, &report)
        }
    };
    if !print(&text) {
        return ExitCode::from(2);
    }
    if comparison.introduced_errors(&checked.diagnostics) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Records the run's problems in ROOT/portolan-baseline.json and returns
/// the baseline just written, so this run already reports against it. The
/// file is written next to its final name and renamed into place: an
/// interrupted write never leaves half a baseline, and a symlink planted
/// at the final name is replaced rather than followed.
fn write_baseline(
    root: &Path,
    diagnostics: &[Diagnostic],
    subject: baseline::Subject,
) -> Result<baseline::Baseline, ExitCode> {
    let text = baseline::record(diagnostics, subject);
    let path = root.join(baseline::FILE);
    let tmp = root.join(format!(".{}.tmp", baseline::FILE));
    let written = (|| {
        if std::fs::symlink_metadata(&tmp).is_ok() {
            std::fs::remove_file(&tmp)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, &path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        eprintln!("error: cannot write {}: {e}", path.display());
        return Err(ExitCode::from(2));
    }
    let recorded = diagnostics
        .iter()
        .filter(|d| d.code != portolan::diagnostics::Code::BaselineInvalid)
        .count();
    eprintln!(
        "wrote {}: {} recorded",
        path.display(),
        render::plural(recorded, "problem")
    );
    baseline::parse(&text).map_err(|e| {
        eprintln!("error: the baseline just written does not read back: {e}");
        ExitCode::from(2)
    })
}

/// The report in one `--format` (the human one in colour when stdout
/// takes it).
fn render_as(format: Format, report: &Report) -> String {
    match format {
        Format::Human => {
            let color =
                anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
            render::human(report, color)
        }
        Format::Json => render::json(report),
        Format::Github => render::github(report),
        Format::Sarif => render::sarif(report),
        Format::Junit => render::junit(report),
        Format::Markdown => render::markdown(report),
    }
}
