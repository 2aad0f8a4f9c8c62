//! Search: the relevance suite and the tokenizer's two implementations.
//!
//! The ranking runs in the browser (themes/default/static/search-engine.js);
//! these tests run that same file in Node over the index `portolan build`
//! writes, so the suite checks the code users run. Each suite is a list of
//! queries with the result Enter must open (tests/search/relevance-*.json):
//! on the example catalog, and on a synthetic 10,000-entity catalog from
//! bench/gen_catalog.py.
//!
//! Node is needed; locally a missing `node` is a loud skip, under `CI=true`
//! a failure.

mod common;
use common::*;
use std::io::Write;
use std::path::Path;
use std::process::Command;

fn node_available() -> bool {
    if Command::new("node").arg("--version").output().is_ok() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the search tests need node under CI=true");
    }
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED search tests: node not found ***\n"
    );
    false
}

/// Runs the suite `suite` over the index in `site` and returns the report.
fn relevance(site: &Path, suite: &str) -> String {
    let out = Command::new("node")
        .arg(repo().join("tests/search/relevance.mjs"))
        .arg(site)
        .arg(repo().join("tests/search").join(suite))
        .output()
        .expect("run node");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "relevance suite {suite} failed:\n{report}"
    );
    report
}

/// Writes only the search index of the catalog at `root` into `site`
/// (the rest of the site is not needed to search it). Docs are facts, which
/// a run without scorecards skips: the 10k suite asks for no docs, and
/// evaluating 10k entities' policies in a debug build takes minutes.
fn write_index(root: &Path, site: &Path, docs: bool) {
    let checked = portolan::pipeline::check(
        root,
        portolan::pipeline::Options {
            scorecards: docs,
            today: portolan::date::Date::parse("2026-06-01").unwrap(),
        },
    )
    .unwrap();
    for file in portolan::site::pages::search_data::build(&checked) {
        let path = site.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, file.bytes).unwrap();
    }
}

#[test]
fn the_example_catalog_passes_the_relevance_suite() {
    if !node_available() {
        return;
    }
    let out = tempfile::tempdir().unwrap();
    write_index(&repo().join("example-catalog"), out.path(), true);
    let report = relevance(out.path(), "relevance-example.json");
    assert!(report.contains("relevance: 45/45"), "{report}");
}

#[test]
fn a_synthetic_10k_catalog_passes_the_relevance_suite() {
    if !node_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("catalog");
    let run = Command::new("python3")
        .arg(repo().join("bench/gen_catalog.py"))
        .args(["--entities", "10000", "--docs-pages", "1", "--out"])
        .arg(&cat)
        .output()
        .expect("run python3");
    assert!(run.status.success(), "{}", stderr(&run));
    let site = dir.path().join("site");
    write_index(&cat, &site, false);
    let report = relevance(&site, "relevance-10k.json");
    assert!(report.contains("relevance: 33/33"), "{report}");
}

#[test]
fn the_browser_splits_words_exactly_as_the_index_does() {
    if !node_available() {
        return;
    }
    let cases = [
        "payments-api",
        "orders_db",
        "OrdersService",
        "HTTPServer v2",
        "com.example.Billing",
        "svc-payment-000049",
        "Chat: #team-orders.",
        "a#b #-x #x- ##y",
        "Größe ÄrgerÜber ΣΊΣΥΦΟΣ",
        "getHTTPResponseCode2Fast",
        "日本語のテキスト and emoji 🚀rocket",
        &"x".repeat(50),
    ];
    let script = format!(
        "const vm=require('vm'),fs=require('fs');const s={{}};s.self=s;vm.createContext(s);\
         vm.runInContext(fs.readFileSync({:?},'utf8'),s);\
         console.log(JSON.stringify({}.map(c=>s.portolanEngine.tokenize(c))));",
        repo().join("themes/default/static/search-engine.js"),
        serde_json::to_string(&cases).unwrap()
    );
    let out = Command::new("node").args(["-e", &script]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let js: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    let rust: Vec<Vec<String>> = cases
        .iter()
        .map(|c| portolan::search::tokenize::tokens(c))
        .collect();
    assert_eq!(js, rust);
    assert_eq!(rust[0], ["payments", "api"]);
}
