//! Score history (`portolan build` scoring sampled past commits): real
//! repositories built with git2, with fixed commit times.

mod common;

use common::git::{commit, write};
use common::{GROUP, component, portolan, stderr, tree};
use std::path::Path;

const POLICY: &str = r#"# METADATA
# title: Quality
# custom:
#   levels: [bronze, silver]
#   applies_to:
#     kind: [component]
package acme.quality

import rego.v1

# METADATA
# title: Described
# custom:
#   id: described
#   level: bronze
#   remediation: Add a description.
described contains "no description" if not input.entity.metadata.description

# METADATA
# title: Tagged
# custom:
#   id: tagged
#   level: silver
#   remediation: Add a tag.
tagged contains "no tags" if count(object.get(input.entity.metadata, "tags", [])) == 0
"#;

const CONFIG: &str =
    "[scorecards]\ndefaults = false\n\n[history]\nsamples = 4\ninterval_days = 7\n";

fn svc(extra: &str) -> String {
    component("svc", "team-a").replace("metadata:\n", &format!("metadata:\n{extra}"))
}

/// Three weekly commits: svc reaches no level, then bronze, then silver.
fn repo() -> (tempfile::TempDir, Vec<git2::Oid>) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let repo = git2::Repository::init(dir).unwrap();
    write(
        dir,
        &[
            ("portolan.toml", CONFIG),
            ("group.yaml", GROUP),
            ("svc.yaml", &svc("")),
            ("policies/quality.rego", POLICY),
            (".gitignore", ".portolan-cache/\n"),
        ],
    );
    let c1 = commit(&repo, "Alice A", "2026-01-01", "Add svc", &[], true);
    write(dir, &[("svc.yaml", &svc("  description: The service\n"))]);
    let c2 = commit(&repo, "Bob B", "2026-01-08", "Describe svc", &[c1], true);
    write(
        dir,
        &[(
            "svc.yaml",
            &svc("  description: The service\n  tags: [core]\n"),
        )],
    );
    let c3 = commit(&repo, "Carol C", "2026-01-15", "Tag svc", &[c2], true);
    (tmp, vec![c1, c2, c3])
}

fn build(root: &Path, site: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "build",
        root.to_str().unwrap(),
        "--out",
        site.to_str().unwrap(),
        "--today",
        "2026-02-01",
    ];
    args.extend_from_slice(extra);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_portolan"))
        .args(&args)
        .env("PORTOLAN_TIMINGS", "1")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    err.lines()
        .find(|l| l.starts_with("history:"))
        .unwrap_or_default()
        .to_owned()
}

fn read(site: &Path, file: &str) -> String {
    std::fs::read_to_string(site.join(file)).unwrap()
}

fn history(site: &Path) -> serde_json::Value {
    serde_json::from_str(&read(site, "api/history.json")).unwrap()
}

const ENTITY_PAGE: &str = "catalog/default/component/svc/index.html";
const TEAM_PAGE: &str = "catalog/default/group/team-a/index.html";

#[test]
fn levels_that_change_across_commits_show_in_the_history_and_on_the_pages() {
    let (tmp, commits) = repo();
    let site = tempfile::tempdir().unwrap();
    let stats = build(tmp.path(), site.path(), &[]);
    assert_eq!(
        stats,
        "history: 3 commits sampled, 0 from the cache, 3 evaluated, 0 cache files rejected"
    );
    let h = history(site.path());
    assert_eq!(h["available"], true);
    let samples: Vec<&str> = h["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["commit"].as_str().unwrap())
        .collect();
    let want: Vec<String> = commits.iter().map(|c| c.to_string()).collect();
    assert_eq!(samples, want);
    assert_eq!(h["samples"][0]["date"], "2026-01-01");
    assert_eq!(
        h["entities"]["component:default/svc"]["quality"],
        serde_json::json!(["", "bronze", "silver"])
    );
    assert_eq!(
        h["scorecards"]["quality"]["counts"][1],
        serde_json::json!({"scored": 1, "below": 0, "levels": [1, 0]})
    );
    let page = read(site.path(), ENTITY_PAGE);
    assert!(page.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"spark\" role=\"img\" aria-label=\"Quality: no level → silver over 3 weeks\""), "{page}");
    assert!(!page.contains("style="));
    let team = read(site.path(), TEAM_PAGE);
    assert!(
        team.contains("Quality: average level 0.0 → 2.0 of 2 over 3 weeks"),
        "{team}"
    );
    let card = read(site.path(), "scorecards/quality/index.html");
    assert!(card.contains("class=\"spark\""), "{card}");
}

#[test]
fn a_warm_cache_is_read_instead_of_evaluating_and_gives_the_same_bytes() {
    let (tmp, commits) = repo();
    let (cold, warm) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    build(tmp.path(), cold.path(), &[]);
    let cache = tmp.path().join(".portolan-cache");
    let files: Vec<_> = std::fs::read_dir(&cache).unwrap().flatten().collect();
    assert_eq!(files.len(), 3, "one small JSON file per commit");
    let stats = build(tmp.path(), warm.path(), &[]);
    assert_eq!(
        stats,
        "history: 3 commits sampled, 3 from the cache, 0 evaluated, 0 cache files rejected"
    );
    assert_eq!(tree(cold.path()), tree(warm.path()));

    // The cache really is what the build reads: a (valid) cached result
    // changed by hand shows up in the output.
    let newest = cache_file(&cache, &commits[2].to_string());
    let text = std::fs::read_to_string(&newest).unwrap();
    std::fs::write(&newest, text.replace("\"silver\"", "\"bronze\"")).unwrap();
    let edited = tempfile::tempdir().unwrap();
    build(tmp.path(), edited.path(), &[]);
    assert_eq!(
        history(edited.path())["entities"]["component:default/svc"]["quality"],
        serde_json::json!(["", "bronze", "bronze"])
    );
}

fn cache_file(cache: &Path, commit: &str) -> std::path::PathBuf {
    std::fs::read_dir(cache)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with(commit))
        .unwrap()
}

#[test]
fn a_corrupt_or_mismatched_cache_file_is_recomputed() {
    let (tmp, commits) = repo();
    let (cold, again) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    build(tmp.path(), cold.path(), &[]);
    let cache = tmp.path().join(".portolan-cache");
    let broken = cache_file(&cache, &commits[1].to_string());
    std::fs::write(&broken, "{\"format\": 1, \"commit\": ").unwrap();
    // A result written for another commit is not taken either.
    let other = cache_file(&cache, &commits[0].to_string());
    let text = std::fs::read_to_string(&other).unwrap();
    std::fs::write(
        &other,
        text.replace(&commits[0].to_string(), &commits[2].to_string()),
    )
    .unwrap();
    let stats = build(tmp.path(), again.path(), &[]);
    assert_eq!(
        stats,
        "history: 3 commits sampled, 1 from the cache, 2 evaluated, 2 cache files rejected"
    );
    assert_eq!(tree(cold.path()), tree(again.path()));
    let third = tempfile::tempdir().unwrap();
    assert_eq!(
        build(tmp.path(), third.path(), &[]),
        "history: 3 commits sampled, 3 from the cache, 0 evaluated, 0 cache files rejected",
        "the recomputed results were written back"
    );
}

#[test]
fn the_cache_can_live_outside_the_root_only_by_the_command_line() {
    let (tmp, _) = repo();
    let outside = tempfile::tempdir().unwrap();
    let site = tempfile::tempdir().unwrap();
    let dir = outside.path().join("cache");
    build(
        tmp.path(),
        site.path(),
        &["--history-cache", dir.to_str().unwrap()],
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 3);
    assert!(!tmp.path().join(".portolan-cache").exists());

    // A cache_dir in portolan.toml that runs through a symlink out of the
    // root is refused (E0601) and nothing is written there.
    #[cfg(unix)]
    {
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), tmp.path().join(".portolan-cache")).unwrap();
        let site = tempfile::tempdir().unwrap();
        let stats = build(tmp.path(), site.path(), &[]);
        assert!(stats.contains("3 evaluated"), "{stats}");
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
        let health = read(site.path(), "health/index.html");
        assert!(health.contains("E0601"), "{health}");
    }
}

#[test]
fn outside_git_and_in_a_shallow_clone_the_pages_say_why() {
    let plain = common::catalog(&[
        ("portolan.toml", CONFIG),
        ("group.yaml", GROUP),
        ("svc.yaml", &svc("")),
        ("policies/quality.rego", POLICY),
    ]);
    let site = tempfile::tempdir().unwrap();
    assert_eq!(
        build(plain.path(), site.path(), &[]),
        "history: 0 commits sampled, 0 from the cache, 0 evaluated, 0 cache files rejected"
    );
    let page = read(site.path(), ENTITY_PAGE);
    assert!(
        page.contains("No score history: the catalog is not in a git repository."),
        "{page}"
    );
    assert!(!page.contains("class=\"spark\""));
    assert_eq!(history(site.path())["available"], false);
    assert!(!plain.path().join(".portolan-cache").exists());

    let (tmp, commits) = repo();
    std::fs::write(tmp.path().join(".git/shallow"), format!("{}\n", commits[2])).unwrap();
    let site = tempfile::tempdir().unwrap();
    build(tmp.path(), site.path(), &[]);
    let team = read(site.path(), TEAM_PAGE);
    assert!(
        team.contains("No score history: the repository is a shallow clone"),
        "{team}"
    );
    let h = history(site.path());
    assert_eq!(h["available"], false);
    assert!(h["reason"].as_str().unwrap().contains("shallow"));
}

#[test]
fn samples_take_the_last_first_parent_commit_before_each_boundary() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let repo = git2::Repository::init(dir).unwrap();
    write(dir, &[("group.yaml", GROUP)]);
    let a = commit(&repo, "A", "2026-01-01", "a", &[], true);
    write(dir, &[("svc.yaml", &svc(""))]);
    let b = commit(&repo, "B", "2026-01-03", "b", &[a], true);
    write(dir, &[("svc.yaml", &svc("  description: x\n"))]);
    let side = commit(&repo, "S", "2026-01-19", "side", &[b], false);
    let c = commit(&repo, "C", "2026-01-20", "merge", &[b, side], true);
    let picked = portolan::history::sample::pick(&repo, c, 10, 7);
    let got: Vec<(String, String)> = picked
        .iter()
        .map(|s| (s.boundary.to_string(), s.commit.clone()))
        .collect();
    // Jan 20 (c), Jan 13 and Jan 6 (b: nothing newer on the first-parent
    // chain; the side commit is not on it), Dec 30: before the first commit.
    assert_eq!(
        got,
        [
            ("2026-01-06".to_owned(), b.to_string()),
            ("2026-01-13".to_owned(), b.to_string()),
            ("2026-01-20".to_owned(), c.to_string()),
        ]
    );
    assert_eq!(picked, portolan::history::sample::pick(&repo, c, 10, 7));
    // `--no-history` and `samples = 0` turn it off: no history.json.
    let site = tempfile::tempdir().unwrap();
    let out = portolan(
        &[
            "build",
            dir.to_str().unwrap(),
            "--out",
            site.path().to_str().unwrap(),
            "--no-history",
        ],
        dir,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!site.path().join("api/history.json").exists());
}
