//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod git;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the real binary, as CI would.
pub fn portolan(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portolan"))
        .args(args)
        .current_dir(cwd)
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run portolan")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

/// Writes files into a temporary catalog.
pub fn catalog(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// A `portolan.toml` that makes a dangling ref an error (a warning by
/// default, as Backstage accepts it): the tests' simplest error with a
/// file:line.
pub const STRICT: (&str, &str) = ("portolan.toml", "[diagnostics]\ndangling-ref = \"error\"\n");

pub const GROUP: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n";

pub fn component(name: &str, owner: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n"
    )
}

/// Backstage's own example catalogs live in ../shared/compat, outside the
/// repository. A fresh clone does not have them: skip loudly. Under
/// `CI=true` they are always there, so a missing one fails the test.
pub fn compat(name: &str) -> Option<PathBuf> {
    let p = repo().join("../shared/compat").join(name);
    if p.is_dir() {
        Some(p)
    } else if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{} is missing under CI=true", p.display());
    } else {
        eprintln!(
            "SKIPPED: {} is absent (a fresh clone has no ../shared); compatibility fixtures not checked",
            p.display()
        );
        None
    }
}

/// Every file under `dir`, by relative path with `/`.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `portolan build ROOT --out SITE` on a fixed date, so scorecard
/// enforcement and waivers do not change with the calendar.
pub fn build(root: &Path, site: &Path) -> Output {
    portolan(
        &[
            "build",
            root.to_str().unwrap(),
            "--out",
            site.to_str().unwrap(),
            "--today",
            "2026-11-28",
        ],
        &repo(),
    )
}

/// Builds the example catalog into `site`, asserting that it worked.
pub fn build_example(site: &Path) {
    let run = build(&repo().join("example-catalog"), site);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
}

/// The values of every `attr="..."` in an HTML text, entity-decoded.
pub fn attrs(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    html.match_indices(&needle)
        .filter_map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest.find('"').map(|end| {
                rest[..end]
                    .replace("&quot;", "\"")
                    .replace("&#x27;", "'")
                    .replace("&#39;", "'")
                    .replace("&#x2F;", "/")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&")
            })
        })
        .collect()
}

/// Resolves a relative URL against the page's folder, like a browser.
pub fn resolve(page: &str, href: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in href.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Runs `portolan ARGS` in `cwd` under an address-space limit (`ulimit -v`,
/// KiB) and a wall-clock limit, so that a hostile input that regresses
/// fails its test instead of exhausting the machine. The pipes are read on
/// threads while the child runs: a report larger than a pipe's buffer
/// would otherwise block the child until the timeout. Panics when the
/// child overruns either limit or dies (a signal, a panic's 101, an
/// abort's 134); returns its output and how long it took.
pub fn portolan_limited(
    args: &[&str],
    cwd: &Path,
    memory_kib: u64,
    timeout: std::time::Duration,
) -> (Output, std::time::Duration) {
    use std::process::Stdio;
    let started = std::time::Instant::now();
    // `PORTOLAN_MEASURE=FILE` appends each run's wall time and peak RSS,
    // labelled with the test, to FILE (bench/hostile_cases.sh reports them).
    let measure = match std::env::var_os("PORTOLAN_MEASURE") {
        Some(file) if Path::new("/usr/bin/time").exists() => {
            let label = std::thread::current()
                .name()
                .unwrap_or("?")
                .replace('%', "");
            format!(
                "/usr/bin/time -a -o '{}' -f '%e s %M KiB {label} {}' ",
                file.to_string_lossy().replace('\'', ""),
                args.first().copied().unwrap_or("")
            )
        }
        _ => String::new(),
    };
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {memory_kib}; exec {measure}\"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_portolan"))
        .args(args)
        .current_dir(cwd)
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        // Every thread reserves stack address space, which counts against
        // `ulimit -v`: the limit must not depend on the machine's cores.
        .env("RAYON_NUM_THREADS", "2")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run portolan");
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            pipe.read_to_end(&mut buf).ok();
            buf
        })
    };
    let out_t = drain(Box::new(child.stdout.take().expect("stdout")));
    let err_t = drain(Box::new(child.stderr.take().expect("stderr")));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > timeout {
            child.kill().ok();
            child.wait().ok();
            panic!("portolan {args:?} ran longer than {timeout:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let took = started.elapsed();
    let out = Output {
        status,
        stdout: out_t.join().expect("stdout thread"),
        stderr: err_t.join().expect("stderr thread"),
    };
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "portolan {args:?} died: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    (out, took)
}

/// Copies a folder tree (the example catalog into a temporary repository).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The whole pipeline, scorecards included, on the working tree at `root`,
/// judged as of `today`.
pub fn check_at(root: &Path, today: &str) -> portolan::pipeline::Checked {
    portolan::pipeline::check(
        root,
        portolan::pipeline::Options {
            scorecards: true,
            today: portolan::date::Date::parse(today).unwrap(),
        },
    )
    .unwrap()
}

/// The messages of failing checks whose message names `check_id`.
pub fn check_failures(c: &portolan::pipeline::Checked, check_id: &str) -> Vec<String> {
    c.diagnostics
        .iter()
        .filter(|d| {
            d.code == portolan::diagnostics::Code::CheckFailed && d.message.contains(check_id)
        })
        .map(|d| d.message.clone())
        .collect()
}

/// Replaces the first `from` in the file at `path` with `to`. Panics when
/// the file has no `from`: an edit that silently changed nothing would let
/// the test after it pass without testing anything.
pub fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "`{from}` is not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}
