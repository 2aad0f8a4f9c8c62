//! The `portolan` command line: argument parsing and dispatch only.

#![forbid(unsafe_code)]

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use portolan::diagnostics::render::{self, Report};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "portolan",
    version,
    about = "Check a Backstage-format catalog and render it as a static developer portal."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check the catalog and report every problem (exit 0 clean, 1 errors, 2 usage or internal error).
    Check {
        /// The catalog root.
        #[arg(default_value = ".")]
        root: PathBuf,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Skip the scorecards (the built-in ones and ROOT/policies/*.rego) and check only the catalog.
        #[arg(long)]
        no_scorecards: bool,
        /// The date (YYYY-MM-DD) staged enforcement and waiver expiry are judged on; defaults to today (UTC).
        #[arg(long, value_parser = parse_date)]
        today: Option<portolan::scorecard::date::Date>,
    },
    /// Build the static portal into DIR (HTML pages, catalog index, JSON export), atomically.
    Build {
        /// The catalog root.
        #[arg(default_value = ".")]
        root: PathBuf,
        /// Where to write the site; replaced only when the build succeeds.
        #[arg(long, default_value = "site")]
        out: PathBuf,
        /// The date (YYYY-MM-DD) scorecard enforcement and waivers are judged on; defaults to today (UTC).
        #[arg(long, value_parser = parse_date)]
        today: Option<portolan::scorecard::date::Date>,
        /// Where the site will be published (for canonical links and the JSON export); links stay relative.
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Work with scorecard policies.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Run every `test_*` rule in ROOT/policies/*_test.rego and print line coverage (exit 1 on any failure).
    Test {
        /// The catalog root.
        #[arg(default_value = ".")]
        root: PathBuf,
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
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

fn parse_date(s: &str) -> Result<portolan::scorecard::date::Date, String> {
    portolan::scorecard::date::Date::parse(s)
        .ok_or_else(|| format!("`{s}` is not a YYYY-MM-DD date"))
}

/// Writes the report to stdout. A closed pipe (`| head`) is not our
/// failure, but the run is incomplete, so callers exit with 2.
fn print(text: &str) -> bool {
    let mut out = anstream::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_ok()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            root,
            format,
            no_scorecards,
            today,
        } => check(
            root,
            format,
            portolan::check::Options {
                scorecards: !no_scorecards,
                today: today.unwrap_or_else(portolan::scorecard::date::Date::today),
            },
        ),
        Command::Build {
            root,
            out,
            today,
            base_url,
        } => build(root, out, today, base_url),
        Command::Policy {
            command: PolicyCommand::Test { root, json },
        } => policy_test(root, json),
    }
}

fn build(
    root: PathBuf,
    out: PathBuf,
    today: Option<portolan::scorecard::date::Date>,
    base_url: Option<String>,
) -> ExitCode {
    if let Some(url) = &base_url
        && portolan::site::links::safe_url(url).is_none_or(|u| u.starts_with("mailto:"))
    {
        eprintln!("error: --base-url `{url}` is not an http(s) URL");
        return ExitCode::from(2);
    }
    let options = portolan::check::Options {
        scorecards: true,
        today: today.unwrap_or_else(portolan::scorecard::date::Date::today),
    };
    let spinner = spinner_after_delay(format!("building {}", root.display()));
    let checked = portolan::check::check(&root, options);
    let checked = match checked {
        Ok(c) => c,
        Err(e) => {
            spinner.finish_and_clear();
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let built = portolan::site::build(&checked, &out, &portolan::site::Options { base_url });
    spinner.finish_and_clear();
    match built {
        Ok(built) => {
            if std::env::var_os("PORTOLAN_TIMINGS").is_some() {
                for (phase, took) in checked.loaded.timings.iter().chain(&built.timings) {
                    eprintln!(
                        "timing: {phase:<22} {:>8.1} ms",
                        took.as_secs_f64() * 1000.0
                    );
                }
            }
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
            let report = Report {
                root: &root,
                diagnostics: &diags,
                entities: checked.loaded.catalog.entities.len(),
                files: &checked.loaded.catalog.files,
                scorecards: None,
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

fn policy_test(root: PathBuf, json: bool) -> ExitCode {
    use portolan::scorecard::{self, policy_test};
    if !root.is_dir() {
        eprintln!(
            "error: catalog root `{}` is not a directory",
            root.display()
        );
        return ExitCode::from(2);
    }
    let (config, _) = portolan::config::load(&root);
    let mut unreadable = Vec::new();
    let policies = scorecard::sources(&root, config.builtin_scorecards, &mut unreadable);
    let tests = policy_test::test_sources(&root);
    let mut run = policy_test::run(&policies, &tests);
    run.broken.extend(
        unreadable
            .into_iter()
            .map(|d| (d.span.map(|s| s.file).unwrap_or_default(), d.message)),
    );
    let text = if json {
        serde_json::to_string_pretty(&run).unwrap_or_default() + "\n"
    } else {
        policy_test::render(&run)
    };
    if !print(&text) {
        return ExitCode::from(2);
    }
    if run.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// A spinner on stderr that appears only when the work takes a while, so
/// small catalogs print nothing extra. indicatif draws nothing when stderr
/// is not a terminal, so CI logs and pipes stay clean.
fn spinner_after_delay(message: String) -> ProgressBar {
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

fn check(root: PathBuf, format: Format, options: portolan::check::Options) -> ExitCode {
    let spinner = spinner_after_delay(format!("checking {}", root.display()));
    let loaded = portolan::check::check(&root, options);
    spinner.finish_and_clear();
    let loaded = match loaded {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if std::env::var_os("PORTOLAN_TIMINGS").is_some() {
        for (phase, took) in &loaded.loaded.timings {
            eprintln!(
                "timing: {phase:<10} {:>8.1} ms",
                took.as_secs_f64() * 1000.0
            );
        }
    }
    let report = Report {
        root: &root,
        diagnostics: &loaded.diagnostics,
        entities: loaded.loaded.catalog.entities.len(),
        files: &loaded.loaded.catalog.files,
        scorecards: options.scorecards.then_some(&loaded.scorecards),
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
    if std::env::var_os("PORTOLAN_TIMINGS").is_some() {
        eprintln!(
            "timing: {:<10} {:>8.1} ms",
            "render",
            render_started.elapsed().as_secs_f64() * 1000.0
        );
    }
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
