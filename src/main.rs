//! The `portolan` command line: argument parsing and dispatch only.

#![forbid(unsafe_code)]

mod cmd;

/// mimalloc instead of the system allocator: `serve` frees and allocates a
/// whole catalog's worth of small values after every save, and glibc's
/// allocator kept the freed memory (the server grew by a third over 20
/// saves on a 10,000-entity catalog) and spent a fifth of a rebuild in
/// malloc and free. See bench/README.md for the figures.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use cmd::check::Format;
use portolan::pipeline::Options;
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
        /// List every failing scorecard check one by one (human format); by default advisory failures are summarised per scorecard.
        #[arg(long)]
        scorecard_details: bool,
        /// Record today's problems in ROOT/portolan-baseline.json; later runs fail only on problems not in it.
        #[arg(long)]
        write_baseline: bool,
        /// Skip the scorecards (the built-in ones and ROOT/policies/*.rego) and check only the catalog.
        #[arg(long)]
        no_scorecards: bool,
        /// The date (YYYY-MM-DD) staged enforcement and waiver expiry are judged on; defaults to today (UTC).
        #[arg(long, value_parser = parse_date)]
        today: Option<portolan::date::Date>,
        /// Check the catalog as it is in this commit (a branch, tag or commit id), read from git without checking it out.
        #[arg(long, value_name = "REV", conflicts_with = "write_baseline")]
        rev: Option<String>,
        /// PR mode: compare the working tree with the catalog at REV (e.g. origin/main); report what the change introduces, level changes and entity changes, and exit 1 only on introduced errors.
        #[arg(long, value_name = "REV", conflicts_with_all = ["write_baseline", "rev"])]
        base: Option<String>,
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
        today: Option<portolan::date::Date>,
        /// Where the site will be published (for canonical links and the JSON export); links stay relative.
        #[arg(long)]
        base_url: Option<String>,
        /// Build the catalog as it is in this commit (a branch, tag or commit id), read from git without checking it out.
        #[arg(long, value_name = "REV")]
        rev: Option<String>,
        /// Keep the score history cache in DIR (e.g. a CI cache path) instead of `[history] cache_dir` inside ROOT.
        #[arg(long, value_name = "DIR")]
        history_cache: Option<PathBuf>,
        /// Skip the score history (scorecards at past commits) for this build.
        #[arg(long, conflicts_with = "history_cache")]
        no_history: bool,
    },
    /// Build the portal in memory and serve it with live reload: rebuilds on save, reloads the browser.
    Serve {
        /// The catalog root.
        #[arg(default_value = ".")]
        root: PathBuf,
        /// The port to listen on; 0 picks a free one (and prints it).
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// The address to listen on; anything but a loopback address makes the catalog reachable from other machines.
        #[arg(long, value_name = "ADDR")]
        bind: Option<std::net::IpAddr>,
        /// Open the portal in the system's browser (not under CI or without a display).
        #[arg(long)]
        open: bool,
        /// The date (YYYY-MM-DD) scorecard enforcement and waivers are judged on; defaults to today (UTC).
        #[arg(long, value_parser = parse_date)]
        today: Option<portolan::date::Date>,
    },
    /// Create a catalog repository that works at once: example entities, docs, an API, policies with tests, CI workflows.
    Init {
        /// The folder to create it in (made if missing).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Overwrite files init would write that already exist.
        #[arg(long)]
        force: bool,
    },
    /// Print an initiative's or a team's scorecard progress (Markdown for a chat channel, or JSON), e.g. from a scheduled CI job.
    Report {
        /// The catalog root.
        #[arg(default_value = ".")]
        root: PathBuf,
        /// A team (group or user ref, e.g. `orders-team`): its and its sub-teams' failing checks, levels and initiatives.
        #[arg(
            long,
            value_name = "REF",
            required_unless_present = "initiative",
            conflicts_with = "initiative"
        )]
        team: Option<String>,
        /// An initiative id (its file name in initiatives/ without `.yaml`): progress overall, per team, and what is left.
        #[arg(long, value_name = "ID")]
        initiative: Option<String>,
        #[arg(long, value_enum, default_value_t = cmd::report::Format::Markdown)]
        format: cmd::report::Format,
        /// The date (YYYY-MM-DD) deadlines and enforcement are judged on; defaults to today (UTC).
        #[arg(long, value_parser = parse_date)]
        today: Option<portolan::date::Date>,
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

fn parse_date(s: &str) -> Result<portolan::date::Date, String> {
    portolan::date::Date::parse(s).ok_or_else(|| format!("`{s}` is not a YYYY-MM-DD date"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            root,
            format,
            scorecard_details,
            write_baseline,
            no_scorecards,
            today,
            rev,
            base,
        } => cmd::check::run(
            root,
            rev,
            base,
            cmd::check::Args {
                format,
                scorecard_details,
                write_baseline,
            },
            Options {
                scorecards: !no_scorecards,
                today: today.unwrap_or_else(portolan::date::Date::today),
            },
        ),
        Command::Build {
            root,
            out,
            today,
            base_url,
            rev,
            history_cache,
            no_history,
        } => cmd::build::run(
            root,
            rev,
            out,
            cmd::build::History {
                cache: history_cache,
                off: no_history,
            },
            Options {
                scorecards: true,
                today: today.unwrap_or_else(portolan::date::Date::today),
            },
            base_url,
        ),
        Command::Serve {
            root,
            port,
            bind,
            open,
            today,
        } => cmd::serve::run(
            root,
            cmd::serve::Args { port, bind, open },
            Options {
                scorecards: true,
                today: today.unwrap_or_else(portolan::date::Date::today),
            },
        ),
        Command::Report {
            root,
            team,
            initiative,
            format,
            today,
        } => cmd::report::run(
            root,
            match (team, initiative) {
                (Some(t), _) => cmd::report::Subject::Team(t),
                (None, Some(i)) => cmd::report::Subject::Initiative(i),
                // clap requires one of the two; this is only the type's other case.
                (None, None) => return ExitCode::from(2),
            },
            format,
            Options {
                scorecards: true,
                today: today.unwrap_or_else(portolan::date::Date::today),
            },
        ),
        Command::Init { dir, force } => cmd::init::run(dir, force),
        Command::Policy {
            command: PolicyCommand::Test { root, json },
        } => cmd::policy::test(root, json),
    }
}
