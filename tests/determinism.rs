//! Output depends only on the input, never on which rayon thread got there
//! first. A catalog with many dangling refs is the sharpest test: only the
//! first few hundred get a "did you mean" search, so a budget shared across
//! threads would give different refs a suggestion on every run.
//!
//! The test runs the real binary `DETERMINISM_RUNS` times (default 5; the
//! release gate runs 20: `DETERMINISM_RUNS=20 cargo test --test determinism`).

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Output};

const TODAY: &str = "2026-11-28";

fn runs() -> usize {
    std::env::var("DETERMINISM_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(2)
}

/// Runs the binary with more rayon threads than cores, so that thread
/// arrival order varies as much as it can.
fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portolan"))
        .args(args)
        .env("RAYON_NUM_THREADS", "8")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run portolan")
}

/// 50 teams, a database and 250 services, each service with four dangling refs that
/// are one edit away from a real entity (so each deserves a suggestion):
/// 1,000 dangling refs, far more than the suggestion budget.
fn generate(root: &Path) {
    let mut groups = String::new();
    for t in 0..50 {
        groups.push_str(&format!(
            "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: squad-{t:03}\nspec:\n  type: team\n  children: []\n"
        ));
    }
    groups.push_str("---\napiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: db-main\nspec:\n  type: database\n  owner: squad-000\n");
    std::fs::write(root.join("groups.yaml"), groups).unwrap();
    for s in 0..250 {
        let dir = root.join(format!("services/svc-{s:03}"));
        std::fs::create_dir_all(&dir).unwrap();
        let t = s % 50;
        std::fs::write(
            dir.join("catalog-info.yaml"),
            format!(
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-{s:03}\nspec:\n  type: service\n  lifecycle: production\n  owner: squad-{t:03}x\n  dependsOn:\n    - component:svc-{s:03}-x\n    - component:svc-{:03}y\n    - resource:db-mian\n",
                (s + 1) % 250
            ),
        )
        .unwrap();
    }
}

#[test]
fn check_and_build_are_byte_identical_across_runs_with_1000_dangling_refs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("catalog");
    std::fs::create_dir(&root).unwrap();
    generate(&root);
    let root_s = root.to_str().unwrap();

    let check_args = ["check", root_s, "--format", "json", "--today", TODAY];
    let first = run(&check_args);
    // Dangling refs are warnings by default (Backstage accepts them).
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let report: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    let dangling: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "E0103")
        .collect();
    assert_eq!(dangling.len(), 1000);
    let suggested = dangling
        .iter()
        .filter(|d| d["help"].as_str().unwrap().contains("did you mean"))
        .count();
    assert_eq!(suggested, 200, "exactly the suggestion budget is used");

    let site0 = dir.path().join("site-0");
    let built = run(&[
        "build",
        root_s,
        "--out",
        site0.to_str().unwrap(),
        "--today",
        TODAY,
    ]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let first_site = tree(&site0);

    for i in 1..runs() {
        let again = run(&check_args);
        assert!(
            again.stdout == first.stdout,
            "run {i}: `check --format json` differs from the first run"
        );
        let site = dir.path().join(format!("site-{i}"));
        let built = run(&[
            "build",
            root_s,
            "--out",
            site.to_str().unwrap(),
            "--today",
            TODAY,
        ]);
        assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
        let files = tree(&site);
        let differing: Vec<&String> = first_site
            .iter()
            .filter(|(path, bytes)| files.get(*path) != Some(bytes))
            .map(|(path, _)| path)
            .chain(files.keys().filter(|p| !first_site.contains_key(*p)))
            .take(10)
            .collect();
        assert!(
            differing.is_empty(),
            "run {i}: the built site differs from the first run in {differing:?}"
        );
        std::fs::remove_dir_all(&site).unwrap();
    }
}
