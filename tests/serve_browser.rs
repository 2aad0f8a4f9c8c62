//! `portolan serve` in real headless Chromium (tests/browser/serve.mjs): the
//! page reloads after an edit, a broken edit shows the errors over the last
//! good page, and the live-reload script runs under the portal's CSP.
//!
//! As in tests/browser.rs, a missing Chromium, Node.js or
//! `npm ci --prefix tests/browser` is a loud skip locally and a failure
//! under `CI=true`.

mod common;
use common::*;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

fn unavailable(why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("browser tests cannot run under CI=true: {why}");
    }
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED serve browser test: {why}. Install with `apt-get install -y chromium` and `npm ci --prefix tests/browser`. ***\n"
    );
}

#[test]
fn the_browser_reloads_after_an_edit_and_shows_a_broken_build() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return unavailable(&format!("{chromium} not found"));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return unavailable("node not found");
    }
    if !repo()
        .join("tests/browser/node_modules/playwright-core")
        .is_dir()
    {
        return unavailable("tests/browser/node_modules/playwright-core is not installed");
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("catalog");
    copy_dir(&repo().join("example-catalog"), &root);
    let mut serve = Command::new(env!("CARGO_BIN_EXE_portolan"))
        .args(["serve", root.to_str().unwrap(), "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(serve.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("serve printed no URL").unwrap();
        if let Some(url) = line.split(" at ").nth(1) {
            break url.split(' ').next().unwrap().to_owned();
        }
    };
    // Keep reading so that serve never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let result = Command::new("node")
        .arg(repo().join("tests/browser/serve.mjs"))
        .arg(format!("{url}catalog/default/component/tracking-service/"))
        .arg(root.join("services/tracking-service/catalog-info.yaml"))
        .env("CHROMIUM", &chromium)
        .output()
        .expect("run node");
    let _ = serve.kill();
    let _ = serve.wait();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(
        result.status.success(),
        "serve browser test failed:\n{report}"
    );
    assert!(report.contains("5 passed, 0 failed"), "{report}");
}
