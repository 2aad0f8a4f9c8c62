//! Staleness: entities whose file has not changed in `[git] stale_days`
//! (default 180) are listed on the health page and are `input.git.stale`
//! for policies. Repositories are built with git2 with fixed commit times,
//! and every age is counted to `--today`, never the clock.

mod common;

use common::git::write;
use common::{GROUP, component, portolan, stderr};
use portolan::diagnostics::Code;
use portolan::pipeline;
use std::path::Path;

const POLICY: &str = r#"# METADATA
# title: Git facts
# custom:
#   levels: [bronze]
#   applies_to:
#     kind: [component]
package acme.stalefacts

import rego.v1

# METADATA
# title: Echo
# custom:
#   id: echo
#   level: bronze
echo contains sprintf("%v stale=%v stale_days=%v", [input.entity.metadata.name, object.get(input, ["git", "stale"], "none"), object.get(input, ["git", "stale_days"], "none")])
"#;

/// `old` was last changed on 2026-01-01, `fresh` on 2026-10-01.
fn files(config: Option<&str>) -> Vec<(&'static str, String)> {
    let mut files = vec![
        ("group.yaml", GROUP.to_owned()),
        ("old/catalog-info.yaml", component("old", "team-a")),
        ("fresh/catalog-info.yaml", component("fresh", "team-a")),
        ("policies/stalefacts.rego", POLICY.to_owned()),
    ];
    if let Some(c) = config {
        files.push(("portolan.toml", c.to_owned()));
    }
    files
}

fn repo(config: Option<&str>) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let repo = git2::Repository::init(dir).unwrap();
    let files = files(config);
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    write(dir, &borrowed);
    common::git::commit_on_head(&repo, "Alice Example", "2026-01-01", "Add the catalog");
    let fresh =
        component("fresh", "team-a").replace("metadata:\n", "metadata:\n  description: fresh\n");
    write(dir, &[("fresh/catalog-info.yaml", &fresh)]);
    common::git::commit_on_head(&repo, "Bob Example", "2026-10-01", "Describe fresh");
    tmp
}

/// The names of the stale entities, sorted.
fn stale_names(c: &pipeline::Checked) -> Vec<String> {
    let mut names: Vec<String> = c
        .loaded
        .catalog
        .entities
        .values()
        .filter(|e| c.facts.stale(e).is_some())
        .map(|e| e.eref.name.clone())
        .collect();
    names.sort();
    names
}

fn health(root: &Path, today: &str) -> String {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = portolan(
        &[
            "build",
            root.to_str().unwrap(),
            "--out",
            site.to_str().unwrap(),
            "--today",
            today,
        ],
        root,
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    std::fs::read_to_string(site.join("health/index.html")).unwrap()
}

/// The stale section of a health page.
fn stale_section(html: &str) -> &str {
    let start = html.find("<section id=\"stale\"").expect("a stale section");
    let end = start + html[start..].find("</section>").unwrap();
    &html[start..end]
}

#[test]
fn the_default_is_180_days_counted_to_today() {
    let tmp = repo(None);
    // 2026-01-01 to 2026-06-30 is 180 days: not stale yet.
    let c = common::check_at(tmp.path(), "2026-06-30");
    assert_eq!(c.facts.staleness.days, 180);
    assert!(stale_names(&c).is_empty(), "{:?}", stale_names(&c));
    assert!(common::check_failures(&c, "recently-changed").is_empty());
    // A day later `old` is 181 days old; `group` too (same commit).
    let c = common::check_at(tmp.path(), "2026-07-01");
    assert_eq!(stale_names(&c), ["old", "team-a"]);
    let echo = common::check_failures(&c, "echo");
    assert!(
        echo.iter()
            .any(|m| m.contains("old stale=true stale_days=180")),
        "{echo:?}"
    );
    assert!(
        echo.iter()
            .any(|m| m.contains("fresh stale=false stale_days=180")),
        "{echo:?}"
    );
    let recent = common::check_failures(&c, "recently-changed");
    assert!(
        recent.iter().any(|m| m.contains("old")
            && m.contains("entity file last changed 181 days ago (stale after 180)")),
        "{recent:?}"
    );
    assert!(!recent.iter().any(|m| m.contains("fresh")), "{recent:?}");
}

#[test]
fn stale_days_in_portolan_toml_moves_the_line_for_the_page_and_the_policies() {
    let tmp = repo(Some("[git]\nstale_days = 30\n"));
    // 2026-10-01 to 2026-11-01 is 31 days: `fresh` is stale too now.
    let c = common::check_at(tmp.path(), "2026-11-01");
    assert_eq!(c.facts.staleness.days, 30);
    assert_eq!(stale_names(&c), ["fresh", "old", "team-a"]);
    let echo = common::check_failures(&c, "echo");
    assert!(
        echo.iter()
            .any(|m| m.contains("fresh stale=true stale_days=30")),
        "{echo:?}"
    );
    assert!(
        common::check_failures(&c, "recently-changed")
            .iter()
            .any(|m| m.contains("fresh") && m.contains("31 days ago (stale after 30)")),
        "{:?}",
        common::check_failures(&c, "recently-changed")
    );

    let html = health(tmp.path(), "2026-11-01");
    let section = stale_section(&html);
    assert!(
        section.contains("more than 30 days before 2026-11-01"),
        "{section}"
    );
    // Oldest first, linked relatively to the entity pages, with who and when.
    let old = section
        .find("../catalog/default/component/old/index.html")
        .expect("old listed");
    let fresh = section
        .find("../catalog/default/component/fresh/index.html")
        .expect("fresh listed");
    assert!(old < fresh, "oldest first: {section}");
    assert!(section.contains("2026-10-01 by Bob Example"), "{section}");
    assert!(section.contains(">304<"), "old is 304 days old: {section}");

    // A year allows both components again.
    write(
        tmp.path(),
        &[("portolan.toml", "[git]\nstale_days = 365\n")],
    );
    let c = common::check_at(tmp.path(), "2026-11-01");
    assert!(stale_names(&c).is_empty());
    let html = health(tmp.path(), "2026-11-01");
    assert!(stale_section(&html).contains("No stale entities."));
}

#[test]
fn a_bad_stale_days_is_e0008_and_the_default_applies() {
    let tmp = repo(Some("[git]\nstale_days = 0\n"));
    let c = common::check_at(tmp.path(), "2026-07-01");
    assert_eq!(c.facts.staleness.days, 180);
    let config: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::Config)
        .collect();
    assert_eq!(config.len(), 1, "{config:?}");
    assert!(config[0].message.contains("[git] stale_days"));
}

#[test]
fn outside_git_no_entity_is_stale_and_the_page_says_why() {
    let plain = tempfile::tempdir().unwrap();
    let files = files(Some("[git]\nstale_days = 1\n"));
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    write(plain.path(), &borrowed);
    let c = common::check_at(plain.path(), "2030-01-01");
    assert!(stale_names(&c).is_empty());
    let echo = common::check_failures(&c, "echo");
    assert!(
        echo.iter().any(|m| m.contains("old stale=none")),
        "{echo:?}"
    );
    let html = health(plain.path(), "2030-01-01");
    let section = stale_section(&html);
    assert!(
        section.contains("No entity is called stale: the catalog is not in a git repository"),
        "{section}"
    );
    assert!(!section.contains("<table"), "{section}");
}

#[test]
fn a_shallow_clone_calls_no_entity_stale_and_the_page_says_why() {
    let tmp = repo(None);
    let head = git2::Repository::open(tmp.path())
        .unwrap()
        .head()
        .unwrap()
        .target()
        .unwrap();
    std::fs::write(tmp.path().join(".git/shallow"), format!("{head}\n")).unwrap();
    let c = common::check_at(tmp.path(), "2030-01-01");
    assert!(stale_names(&c).is_empty());
    let echo = common::check_failures(&c, "echo");
    assert!(
        echo.iter()
            .any(|m| m.contains("old stale=false stale_days=180")),
        "{echo:?}"
    );
    let html = health(tmp.path(), "2030-01-01");
    let section = stale_section(&html);
    assert!(
        section.contains("No entity is called stale: git history is unavailable: the repository is a shallow clone"),
        "{section}"
    );
    assert!(section.contains("<code>fetch-depth: 0</code>"), "{section}");
    assert!(!section.contains("<table"), "{section}");
}
