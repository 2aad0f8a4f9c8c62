//! `portolan serve`: build the portal in memory, serve it, rebuild on save
//! and reload the browser. One line per rebuild on stdout; Ctrl-C stops.

use portolan::pipeline::Options;
use portolan::serve::watch::{self, Watched};
use portolan::serve::{Rebuilt, Scope, Session, State, http};
use std::collections::BTreeSet;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

pub struct Args {
    pub port: u16,
    pub bind: Option<IpAddr>,
    pub open: bool,
}

/// What the main loop waits for.
enum Message {
    Watch(Watched),
    Stop,
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

pub fn run(root: PathBuf, args: Args, options: Options) -> ExitCode {
    let ip = args.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    if !ip.is_loopback() {
        eprintln!(
            "warning: serving on {ip}, which other machines can reach: anyone on the network can read the whole catalog and its diagnostics"
        );
    }
    let state = State::new();
    let spinner = super::spinner_after_delay(format!("building {}", root.display()));
    let mut prepare = |checked: &mut portolan::pipeline::Checked,
                       source: &dyn portolan::source::Source| {
        super::build::history(
            checked,
            &root,
            source.commit(),
            super::build::History {
                cache: None,
                off: false,
            },
        );
    };
    let started = Session::start(&root, options, std::sync::Arc::clone(&state), &mut prepare);
    spinner.finish_and_clear();
    let (mut session, first) = match started {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let server = match http::start(SocketAddr::new(ip, args.port), state) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let (tx, rx) = mpsc::channel::<Message>();
    let (watch_tx, watch_rx) = mpsc::channel::<Watched>();
    let ignore: Vec<String> = session.cache_dir().into_iter().collect();
    let rebuilds = std::sync::Arc::new(watch::Rebuilds::default());
    let _watcher = match watch::watch(&root, ignore, watch_tx, std::sync::Arc::clone(&rebuilds)) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot watch {}: {e}", root.display());
            return ExitCode::from(2);
        }
    };
    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for w in watch_rx {
                if tx.send(Message::Watch(w)).is_err() {
                    return;
                }
            }
        });
    }
    let stop = tx.clone();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = stop.send(Message::Stop);
    }) {
        eprintln!("warning: Ctrl-C will not stop the server cleanly: {e}");
    }
    let host = match server.addr.ip() {
        IpAddr::V6(v6) => format!("[{v6}]"),
        v4 => v4.to_string(),
    };
    let url = format!("http://{host}:{}/", server.addr.port());
    session.report_search(|line| say(&line));
    say(&line(&first, session.state().len()));
    say(&format!(
        "serving {} at {url} (live reload on; Ctrl-C to stop)",
        root.display()
    ));
    if args.open {
        open_browser(&url);
    }
    while let Ok(message) = rx.recv() {
        let mut changed = BTreeSet::new();
        match message {
            Message::Stop => break,
            Message::Watch(Watched::Error(e)) => {
                eprintln!("warning: watching {}: {e}", root.display());
                session.forget_all();
                continue;
            }
            Message::Watch(Watched::Changed(files)) => changed.extend(files),
        }
        // Saves that arrive together make one rebuild.
        let mut stopping = false;
        while let Ok(more) = rx.recv_timeout(Duration::from_millis(5)) {
            match more {
                Message::Watch(Watched::Changed(files)) => changed.extend(files),
                Message::Watch(Watched::Error(e)) => {
                    eprintln!("warning: watching {}: {e}", root.display());
                    session.forget_all();
                }
                Message::Stop => stopping = true,
            }
        }
        if stopping {
            break;
        }
        let rebuilt = rebuilds.during(|| session.rebuild(&changed));
        say(&line(&rebuilt, session.state().len()));
        super::print_timings(14, &rebuilt.timings);
    }
    session.state().close();
    server.stop();
    say("stopped");
    ExitCode::SUCCESS
}

/// The one line a build or rebuild prints.
fn line(r: &Rebuilt, files: usize) -> String {
    let ms = r.took.as_millis();
    let what = match r.changed.as_slice() {
        [] => "built".to_owned(),
        [one] => format!("{one} changed"),
        [first, rest @ ..] => format!("{first} and {} more changed", rest.len()),
    };
    let scope = match r.scope {
        Scope::Catalog => "",
        Scope::Everything if r.changed.is_empty() => "",
        Scope::Everything => " (config or policies: everything re-checked)",
        Scope::Theme => " (theme: re-rendered without re-checking)",
    };
    match &r.failed {
        Some(f) => format!(
            "{what}{scope}: rebuild failed in {ms} ms with {} error{}; still serving the last good site, the browser shows the errors",
            f.errors,
            if f.errors == 1 { "" } else { "s" }
        ),
        None => {
            let removed = if r.removed.is_empty() {
                String::new()
            } else {
                format!(", {} removed", r.removed.len())
            };
            format!(
                "{what}{scope}: {} of {files} files rendered{removed} in {ms} ms",
                r.rendered.len()
            )
        }
    }
}

/// `--open`: the system's browser, unless this is CI or there is no
/// display to open it on.
fn open_browser(url: &str) {
    if std::env::var_os("CI").is_some() {
        say("not opening a browser (CI is set)");
        return;
    }
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        say("not opening a browser (no display); open the URL above");
        return;
    }
    if let Err(e) = opener::open_browser(url) {
        eprintln!("warning: could not open a browser ({e}); open {url} yourself");
    }
}
