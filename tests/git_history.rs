//! History facts from git: real repositories built with git2 in a tempdir,
//! with fixed author and committer times, so every date is known.

mod common;

use common::git::{at, commit, write};
use common::{GROUP, component, portolan, stderr};
use portolan::date::Date;
use portolan::diagnostics::Code;
use portolan::facts::git::Git;
use portolan::pipeline;
use portolan::scorecard::eval::Outcome;
use std::path::Path;

const POLICY: &str = r#"# METADATA
# title: Git facts
# custom:
#   levels: [bronze]
#   applies_to:
#     kind: [component]
package acme.gitfacts

import rego.v1

# METADATA
# title: Echo
# custom:
#   id: echo
#   level: bronze
echo contains sprintf("git=%v", [input.git])

# METADATA
# title: Docs change
# custom:
#   id: docs-changed
#   level: bronze
docs_changed contains sprintf("docs last changed %v by %v", [input.docs.last_change.date, input.docs.last_change.author])
"#;

fn svc(version: &str) -> String {
    component("svc", "team-a").replace(
        "metadata:\n",
        &format!("metadata:\n  description: version {version}\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n"),
    )
}

/// A repository with a side branch and a merge:
///
/// ```text
/// c1 Alice 2026-01-01  adds everything
/// side Dave 2026-03-01 changes group.yaml   (branch off c1)
/// c2 Bob 2026-06-01    changes svc/catalog-info.yaml
/// merge Erin 2026-07-01 merges side into c2 (takes group.yaml from side)
/// c3 Carol 2026-11-20  changes svc/docs/index.md
/// ```
fn history_repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let repo = git2::Repository::init(dir).unwrap();
    let group_v2 = GROUP.replace(
        "type: team",
        "type: team\n  profile:\n    displayName: Team A",
    );
    write(
        dir,
        &[
            ("group.yaml", GROUP),
            ("svc/catalog-info.yaml", &svc("1")),
            ("svc/mkdocs.yml", "site_name: svc\n"),
            ("svc/docs/index.md", "# Home\n"),
            ("policies/gitfacts.rego", POLICY),
        ],
    );
    let c1 = commit(
        &repo,
        "Alice Example",
        "2026-01-01",
        "Add the catalog",
        &[],
        true,
    );
    write(dir, &[("group.yaml", &group_v2)]);
    let side = commit(
        &repo,
        "Dave Example",
        "2026-03-01",
        "Name team A",
        &[c1],
        false,
    );
    write(
        dir,
        &[("group.yaml", GROUP), ("svc/catalog-info.yaml", &svc("2"))],
    );
    let c2 = commit(
        &repo,
        "Bob Example",
        "2026-06-01",
        "Describe svc\n\nLonger text.",
        &[c1],
        true,
    );
    write(dir, &[("group.yaml", &group_v2)]);
    let merge = commit(
        &repo,
        "Erin Example",
        "2026-07-01",
        "Merge side",
        &[c2, side],
        true,
    );
    write(dir, &[("svc/docs/index.md", "# Home\n\nMore.\n")]);
    commit(&repo, "Carol Example", "2026-11-20", "Docs", &[merge], true);
    tmp
}

#[test]
fn one_walk_finds_last_change_first_commit_and_contributors() {
    let tmp = history_repo();
    let c = common::check_at(tmp.path(), "2026-11-28");
    let Git::Available(h) = &c.facts.git else {
        panic!("no history: {:?}", c.facts.git);
    };
    let f = h.file("svc/catalog-info.yaml").expect("entity file");
    assert_eq!(f.last_change.author, "Bob Example");
    assert_eq!(f.last_change.summary, "Describe svc");
    assert_eq!(f.last_change.time, at("2026-06-01"));
    assert_eq!(f.first_commit.author, "Alice Example");
    assert_eq!(f.first_commit.time, at("2026-01-01"));
    assert_eq!(f.contributors, 2);
    // The merge took group.yaml unchanged from the side branch: the change
    // is Dave's, not the merger's.
    let g = h.file("group.yaml").expect("group file");
    assert_eq!(g.last_change.author, "Dave Example");
    assert_eq!(g.last_change.summary, "Name team A");
    assert_eq!(g.contributors, 2);
    // Docs pages are covered too.
    let d = h.file("svc/docs/index.md").expect("docs page");
    assert_eq!(d.last_change.author, "Carol Example");
    assert_eq!(d.first_commit.author, "Alice Example");
    assert_eq!(d.contributors, 2);
    // Files that are neither entity files nor docs pages are not walked for.
    assert!(h.file("policies/gitfacts.rego").is_none());
    assert!(h.file("svc/mkdocs.yml").is_none());
    assert!(!c.diagnostics.iter().any(|d| d.code == Code::GitShallow));
}

#[test]
fn the_policy_input_carries_the_history_and_the_gold_check_uses_it() {
    let tmp = history_repo();
    // 2026-06-01 to 2026-11-28 is 180 days: still recent.
    let c = common::check_at(tmp.path(), "2026-11-28");
    let echo = common::check_failures(&c, "echo");
    let echo = echo
        .iter()
        .find(|m| m.contains("svc"))
        .expect("echo for svc");
    for part in [
        "\"age_days\": 180",
        "\"available\": true",
        "\"contributors\": 2",
        "\"author\": \"Bob Example\"",
        "\"date\": \"2026-06-01\"",
        "\"summary\": \"Describe svc\"",
        "\"author\": \"Alice Example\"",
    ] {
        assert!(echo.contains(part), "{part} not in {echo}");
    }
    assert!(
        common::check_failures(&c, "recently-changed").is_empty(),
        "{:?}",
        common::check_failures(&c, "recently-changed")
    );
    // A day later it is 181 days old; the date comes from --today, not the clock.
    let c = common::check_at(tmp.path(), "2026-11-29");
    let stale = common::check_failures(&c, "recently-changed");
    assert!(
        stale
            .iter()
            .any(|m| m.contains("svc") && m.contains("entity file last changed 181 days ago")),
        "{stale:?}"
    );
}

#[test]
fn entity_pages_say_when_and_by_whom_the_file_last_changed() {
    let tmp = history_repo();
    let site = tempfile::tempdir().unwrap();
    let out = site.path().join("site");
    let run = portolan(
        &[
            "build",
            tmp.path().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--today",
            "2026-11-28",
        ],
        tmp.path(),
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let pages = common::tree(&out);
    let svc = pages
        .iter()
        .find(|(p, _)| p.ends_with(".html") && p.contains("component") && p.contains("svc"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .expect("svc page");
    assert!(
        svc.contains("Last changed 2026-06-01 by Bob Example"),
        "{svc}"
    );
    let group = pages
        .iter()
        .find(|(p, _)| p.ends_with(".html") && p.contains("group") && p.contains("team-a"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .expect("group page");
    assert!(group.contains("Last changed 2026-03-01 by Dave Example"));
    // The docs page has its own line, from its markdown file's history.
    let docs = pages
        .get("docs/default/component/svc/index.html")
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .expect("svc docs home");
    assert!(
        docs.contains("Last changed 2026-11-20 by Carol Example"),
        "{docs}"
    );
}

#[test]
fn policies_see_when_the_docs_last_changed() {
    let tmp = history_repo();
    let c = common::check_at(tmp.path(), "2026-11-28");
    assert_eq!(
        common::check_failures(&c, "docs-changed")
            .iter()
            .filter(|m| m.contains("docs last changed 2026-11-20 by Carol Example"))
            .count(),
        1,
        "{:?}",
        common::check_failures(&c, "docs-changed")
    );
}

#[test]
fn author_names_are_escaped_on_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(tmp.path()).unwrap();
    write(tmp.path(), &[("catalog-info.yaml", GROUP)]);
    // git refuses `<` and `>` in names; `&` and quotes are what can reach HTML.
    commit(&repo, "Eve & \"Co\" 'x'", "2026-11-01", "Add", &[], true);
    let out = tmp.path().join("site");
    let run = portolan(
        &[
            "build",
            ".",
            "--out",
            out.to_str().unwrap(),
            "--today",
            "2026-11-28",
        ],
        tmp.path(),
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let all: String = common::tree(&out)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        .collect();
    assert!(
        all.contains("Last changed 2026-11-01 by Eve &amp; &quot;Co&quot;"),
        "{all}"
    );
    assert!(!all.contains("Eve & \"Co\""));
}

#[test]
fn outside_git_the_facts_are_absent_and_the_check_says_so() {
    let tmp = common::catalog(&[
        ("group.yaml", GROUP),
        ("svc/catalog-info.yaml", &svc("1")),
        ("policies/gitfacts.rego", POLICY),
    ]);
    assert!(
        git2::Repository::discover(tmp.path()).is_err(),
        "tempdir inside a repository"
    );
    let c = common::check_at(tmp.path(), "2026-11-28");
    assert!(matches!(c.facts.git, Git::Absent));
    assert!(
        common::check_failures(&c, "echo")
            .iter()
            .any(|m| m.contains("git=null"))
    );
    // The gold check that needs history is not judged, not failed.
    assert_not_judged(
        &c,
        "git history unavailable: the catalog is not in a git repository",
    );
    assert!(!c.diagnostics.iter().any(|d| d.code == Code::GitShallow));
}

#[test]
fn a_shallow_clone_marks_the_facts_unavailable_with_one_warning() {
    let tmp = history_repo();
    let head = git2::Repository::open(tmp.path())
        .unwrap()
        .head()
        .unwrap()
        .target()
        .unwrap();
    std::fs::write(tmp.path().join(".git/shallow"), format!("{head}\n")).unwrap();
    let c = common::check_at(tmp.path(), "2026-11-28");
    assert!(matches!(c.facts.git, Git::Unavailable { .. }));
    let shallow: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::GitShallow)
        .collect();
    assert_eq!(shallow.len(), 1);
    assert!(
        shallow[0]
            .help
            .as_deref()
            .unwrap()
            .contains("fetch-depth: 0")
    );
    assert_not_judged(
        &c,
        "git history unavailable: the repository is a shallow clone",
    );
    assert!(
        common::check_failures(&c, "echo")
            .iter()
            .any(|m| m.contains("\"available\": false"))
    );
    // The CLI prints it as a warning and a check still exits by its errors.
    let run = portolan(
        &["check", ".", "--today", "2026-11-28", "--no-scorecards"],
        tmp.path(),
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let run = portolan(&["check", ".", "--today", "2026-11-28"], tmp.path());
    let text = common::stdout(&run);
    assert!(text.contains("E0600"), "{text}");
}

#[test]
fn an_uncommitted_entity_file_has_no_history_yet() {
    let tmp = history_repo();
    write(
        tmp.path(),
        &[("new/catalog-info.yaml", &component("fresh", "team-a"))],
    );
    let c = common::check_at(tmp.path(), "2026-11-28");
    let fresh = outcome(&c, "component:default/fresh", "recently-changed");
    assert_eq!(
        fresh,
        Some(Outcome::NotJudged {
            reason: "git history unavailable: the entity file has not been committed".into()
        })
    );
    // The committed entities are judged as usual.
    assert!(matches!(
        outcome(&c, "component:default/svc", "recently-changed"),
        Some(Outcome::Pass | Outcome::Fail { .. })
    ));
    let warned: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::CheckNotJudged)
        .collect();
    assert_eq!(warned.len(), 1);
    assert!(
        warned[0]
            .help
            .as_deref()
            .unwrap()
            .starts_with("not judged for 1 entity;"),
        "{:?}",
        warned[0].help
    );
}

/// The outcome of `check` for `entity`, from the standings.
fn outcome(c: &portolan::pipeline::Checked, entity: &str, check: &str) -> Option<Outcome> {
    c.scorecards
        .standings
        .iter()
        .filter(|s| s.entity.to_string() == entity)
        .flat_map(|s| &s.checks)
        .find(|r| r.id == check)
        .map(|r| r.outcome.clone())
}

/// Without trusted history `recently-changed` fails no entity: each entity's
/// result is "not judged" with `reason`, one E0602 warning says so, no
/// entity reaches gold, and the run does not fail for it.
fn assert_not_judged(c: &portolan::pipeline::Checked, reason: &str) {
    let failed = common::check_failures(c, "recently-changed");
    assert!(failed.is_empty(), "{failed:?}");
    let judged: Vec<_> = c
        .scorecards
        .standings
        .iter()
        .filter(|s| s.scorecard == "production-readiness")
        .collect();
    assert!(!judged.is_empty());
    for s in &judged {
        let r = s
            .checks
            .iter()
            .find(|r| r.id == "recently-changed")
            .unwrap();
        assert!(
            matches!(&r.outcome, Outcome::NotJudged { reason: why } if why.starts_with(reason)),
            "{}: {:?}",
            s.entity,
            r.outcome
        );
        assert_ne!(s.level.as_deref(), Some("gold"), "{}", s.entity);
    }
    let warned: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::CheckNotJudged)
        .collect();
    assert_eq!(warned.len(), 1, "one warning per check");
    assert_eq!(warned[0].severity, portolan::diagnostics::Severity::Warning);
    assert!(warned[0].message.contains(reason), "{}", warned[0].message);
    assert!(
        warned[0]
            .help
            .as_deref()
            .unwrap()
            .contains("fetch-depth: 0")
    );
}

#[test]
fn history_facts_are_deterministic() {
    let tmp = history_repo();
    let a = common::check_at(tmp.path(), "2026-11-28");
    let b = common::check_at(tmp.path(), "2026-11-28");
    let (Git::Available(a), Git::Available(b)) = (&a.facts.git, &b.facts.git) else {
        panic!("no history");
    };
    let sorted = |h: &portolan::facts::git::History| {
        let mut v: Vec<_> = h.files.iter().map(|(k, v)| format!("{k} {v:?}")).collect();
        v.sort();
        v
    };
    assert_eq!(sorted(a), sorted(b));
}

#[test]
fn the_example_catalog_in_a_fresh_repository_reaches_gold() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join("example-catalog"), tmp.path());
    let before = common::check_at(tmp.path(), "2026-11-28");
    let gold = |c: &pipeline::Checked| {
        c.scorecards
            .standings
            .iter()
            .filter(|s| s.level.as_deref() == Some("gold"))
            .count()
    };
    assert_eq!(gold(&before), 0, "without history no entity reaches gold");
    let repo = git2::Repository::init(tmp.path()).unwrap();
    commit(
        &repo,
        "Alice Example",
        "2026-11-01",
        "Import the catalog",
        &[],
        true,
    );
    let after = common::check_at(tmp.path(), "2026-11-28");
    assert!(gold(&after) > 0, "no entity reaches gold with history");
}

/// Runs the binary with `args` and returns (exit code, stdout, stderr).
fn cli(args: &[&str]) -> (Option<i32>, String, String) {
    let out = portolan(args, &common::repo());
    (out.status.code(), common::stdout(&out), stderr(&out))
}

/// The example catalog in a folder of a repository with two commits, plus
/// uncommitted changes; returns the repository and the first commit.
fn two_commits() -> (tempfile::TempDir, git2::Oid) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("catalog");
    common::copy_dir(&common::repo().join("example-catalog"), &root);
    let repo = git2::Repository::init(tmp.path()).unwrap();
    let first = commit(&repo, "Alice Example", "2026-10-01", "Import", &[], true);
    std::fs::remove_dir_all(root.join("services/orders-service")).unwrap();
    write(
        &root,
        &[("late/catalog-info.yaml", &component("late", "orders-team"))],
    );
    commit(&repo, "Bob Example", "2026-11-01", "Rework", &[first], true);
    write(&root, &[("dirty.yaml", &component("dirty", "nobody"))]);
    (tmp, first)
}

#[test]
fn build_at_a_revision_is_byte_identical_to_building_a_checkout_of_it() {
    let (tmp, first) = two_commits();
    let root = tmp.path().join("catalog");
    let sites = tempfile::tempdir().unwrap();
    let at_rev = sites.path().join("at-rev");
    let first_s = first.to_string();
    let (code, _, err) = cli(&[
        "build",
        root.to_str().unwrap(),
        "--rev",
        &first_s,
        "--out",
        at_rev.to_str().unwrap(),
        "--today",
        "2026-11-28",
    ]);
    assert_eq!(code, Some(0), "{err}");

    // A checkout of the same commit in another folder.
    let other = tempfile::tempdir().unwrap();
    let clone = git2::Repository::clone(tmp.path().to_str().unwrap(), other.path()).unwrap();
    let commit = clone.find_commit(first).unwrap();
    clone
        .checkout_tree(
            commit.as_object(),
            Some(git2::build::CheckoutBuilder::new().force()),
        )
        .unwrap();
    clone.set_head_detached(first).unwrap();
    let checkout = sites.path().join("checkout");
    let (code, _, err) = cli(&[
        "build",
        other.path().join("catalog").to_str().unwrap(),
        "--out",
        checkout.to_str().unwrap(),
        "--today",
        "2026-11-28",
    ]);
    assert_eq!(code, Some(0), "{err}");

    let (a, b) = (common::tree(&at_rev), common::tree(&checkout));
    assert!(a.len() > 50, "{} files", a.len());
    let differing: Vec<&String> = a
        .keys()
        .chain(b.keys())
        .filter(|p| a.get(*p) != b.get(*p))
        .take(10)
        .collect();
    assert!(differing.is_empty(), "differing files: {differing:?}");
    // It is the first commit: the removed service is there, the later and
    // the uncommitted entities are not, and history stops at the commit.
    let names: Vec<&String> = a.keys().collect();
    assert!(names.iter().any(|p| p.contains("orders-service")));
    // By path segment: a docs asset folder such as `templates/` is not `late`.
    let later: Vec<&&String> = names
        .iter()
        .filter(|p| p.split('/').any(|s| s == "late" || s == "dirty"))
        .collect();
    assert!(later.is_empty(), "{later:?}");
    let all: String = a
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(all.contains("Last changed 2026-10-01 by Alice Example"));
    assert!(!all.contains("Bob Example"));
}

#[test]
fn check_at_a_revision_reports_like_a_checkout_of_it() {
    let (tmp, first) = two_commits();
    let root = tmp.path().join("catalog");
    let first_s = first.to_string();
    let other = tempfile::tempdir().unwrap();
    let clone = git2::Repository::clone(tmp.path().to_str().unwrap(), other.path()).unwrap();
    clone
        .checkout_tree(
            clone.find_commit(first).unwrap().as_object(),
            Some(git2::build::CheckoutBuilder::new().force()),
        )
        .unwrap();
    clone.set_head_detached(first).unwrap();
    let other_root = other.path().join("catalog");
    let (code_a, a, _) = cli(&[
        "check",
        root.to_str().unwrap(),
        "--rev",
        &first_s,
        "--format",
        "json",
        "--today",
        "2026-11-28",
    ]);
    let (code_b, b, _) = cli(&[
        "check",
        other_root.to_str().unwrap(),
        "--format",
        "json",
        "--today",
        "2026-11-28",
    ]);
    assert_eq!(code_a, code_b);
    let a = a.replace(root.to_str().unwrap(), "ROOT");
    let b = b.replace(other_root.to_str().unwrap(), "ROOT");
    assert_eq!(a, b);
    assert!(!a.contains("dirty") && !a.contains("component:default/late"));
    // The working tree does differ.
    let (_, now, _) = cli(&[
        "check",
        root.to_str().unwrap(),
        "--format",
        "json",
        "--today",
        "2026-11-28",
    ]);
    assert!(now.contains("dirty"));
}

#[test]
fn a_bad_revision_or_no_repository_is_a_usage_error() {
    let (tmp, _) = two_commits();
    let root = tmp.path().join("catalog");
    let (code, _, err) = cli(&["check", root.to_str().unwrap(), "--rev", "no-such-branch"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("cannot resolve revision `no-such-branch`"),
        "{err}"
    );
    let plain = common::catalog(&[("group.yaml", GROUP)]);
    let out = plain.path().join("site");
    let (code, _, err) = cli(&[
        "build",
        plain.path().to_str().unwrap(),
        "--rev",
        "HEAD",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("is not inside a git repository"), "{err}");
    assert!(!out.exists());
}

/// The walk compares raw trees and skips shared runs of bytes; an oracle
/// that asks git2 for every file at every commit must agree with it on a
/// wide folder changed in many ways (edits, additions, deletions, names
/// that sort around `/`).
#[test]
fn the_one_walk_agrees_with_a_per_file_oracle() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let repo = git2::Repository::init(dir).unwrap();
    let names: Vec<String> = (0..240)
        .map(|i| match i % 4 {
            0 => format!("svc/s{i:03}/catalog-info.yaml"),
            1 => format!("svc/s{i:03}-x/catalog-info.yaml"),
            2 => format!("svc/s{:03}.d/catalog-info.yaml", i - 2),
            _ => format!("svc/t{i:03}.yaml"),
        })
        .collect();
    let body = |n: &str, v: usize| {
        component(&n.replace(['/', '.'], "-"), "team-a").replace(
            "lifecycle: production",
            &format!("lifecycle: production\n  # v{v}"),
        )
    };
    write(dir, &[("group.yaml", GROUP)]);
    for n in &names {
        write(dir, &[(n.as_str(), &body(n, 0))]);
    }
    let authors = ["Ann A", "Ben B", "Cid C"];
    let mut parent = vec![commit(&repo, "Ann A", "2026-01-01", "start", &[], true)];
    let mut seed: u64 = 42;
    for c in 1..60usize {
        for _ in 0..1 + c % 5 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let n = &names[(seed >> 33) as usize % names.len()];
            let p = dir.join(n);
            if (seed >> 20).is_multiple_of(7) && p.exists() {
                std::fs::remove_file(&p).unwrap();
            } else {
                write(dir, &[(n.as_str(), &body(n, c))]);
            }
        }
        let day = Date(Date::parse("2026-01-01").unwrap().0 + c as i64).to_string();
        // Deleted files must leave the index too.
        let mut index = repo.index().unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        let id = commit(&repo, authors[c % 3], &day, &format!("c{c}"), &parent, true);
        parent = vec![id];
    }
    let c = common::check_at(dir, "2026-11-28");
    let Git::Available(h) = &c.facts.git else {
        panic!("no history")
    };
    // The oracle: every commit, every file, compared with the first parent.
    let mut walk = repo.revwalk().unwrap();
    walk.push_head().unwrap();
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)
        .unwrap();
    let commits: Vec<git2::Commit> = walk
        .map(|o| repo.find_commit(o.unwrap()).unwrap())
        .collect();
    let id_at = |t: &git2::Tree, p: &str| t.get_path(Path::new(p)).ok().map(|e| e.id());
    let mut checked = 0;
    for n in names.iter().filter(|n| dir.join(n).exists()) {
        let touching: Vec<&git2::Commit> = commits
            .iter()
            .filter(|c| {
                let now = id_at(&c.tree().unwrap(), n);
                let before = c.parent(0).ok().and_then(|p| id_at(&p.tree().unwrap(), n));
                now != before
            })
            .collect();
        let f = h.file(n).unwrap_or_else(|| panic!("{n} has no history"));
        assert_eq!(
            f.last_change.commit,
            touching[0].id().to_string(),
            "{n} last"
        );
        assert_eq!(
            f.first_commit.commit,
            touching.last().unwrap().id().to_string(),
            "{n} first"
        );
        let authors: std::collections::BTreeSet<String> = touching
            .iter()
            .map(|c| c.author().email().unwrap().to_owned())
            .collect();
        assert_eq!(f.contributors, authors.len(), "{n} contributors");
        checked += 1;
    }
    assert!(checked > 150, "{checked}");
}

/// With history, the definition whose file was added first keeps the
/// entity, even when the newcomer's commit claims an older date and its
/// file name sorts first; definitions added side by side on two branches
/// stay a conflict.
#[test]
fn history_settles_a_duplicate_by_ancestry_not_by_date_or_name() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let repo = git2::Repository::init(root).unwrap();
    write(
        root,
        &[
            (
                "teams.yaml",
                &format!("{GROUP}---\n{}", GROUP.replace("team-a", "mallory")),
            ),
            (
                "services/pay/catalog-info.yaml",
                &component("payments", "team-a"),
            ),
        ],
    );
    let base = commit(
        &repo,
        "Ann Original",
        "2026-03-01",
        "add payments",
        &[],
        true,
    );
    // The newcomer, committed later but dated years earlier.
    write(root, &[("0-notes.yaml", &component("payments", "mallory"))]);
    commit(&repo, "Mal Lory", "2019-01-01", "notes", &[base], true);

    let c = common::check_at(root, "2026-06-01");
    let kept = c
        .loaded
        .catalog
        .entities
        .values()
        .find(|e| e.eref.name == "payments")
        .expect("payments is published");
    assert_eq!(kept.file, "services/pay/catalog-info.yaml");
    assert!(c.loaded.catalog.conflicts.is_empty());
    let dups: Vec<&str> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::DuplicateEntity)
        .filter_map(|d| d.span.as_ref().map(|s| s.file.as_str()))
        .collect();
    assert_eq!(dups.len(), 2, "both definitions are reported: {dups:?}");
    let site = tempfile::tempdir().unwrap();
    let out = common::build(root, site.path());
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let page = std::fs::read_to_string(
        site.path()
            .join("catalog/default/component/payments/index.html"),
    )
    .unwrap();
    assert!(
        page.contains("team-a") && !page.contains("mallory"),
        "{page}"
    );

    // Two branches that each add a definition: neither is an ancestor.
    let other = tempfile::tempdir().unwrap();
    let root = other.path();
    let repo = git2::Repository::init(root).unwrap();
    write(root, &[("teams.yaml", GROUP)]);
    let base = commit(&repo, "Ann", "2026-03-01", "teams", &[], true);
    write(root, &[("a.yaml", &component("payments", "team-a"))]);
    let left = commit(&repo, "Ann", "2026-03-02", "left", &[base], false);
    std::fs::remove_file(root.join("a.yaml")).unwrap();
    write(root, &[("b.yaml", &component("payments", "team-a"))]);
    let right = commit(&repo, "Bob", "2026-03-03", "right", &[base], false);
    write(root, &[("a.yaml", &component("payments", "team-a"))]);
    let merge = commit(&repo, "Ann", "2026-03-04", "merge", &[left, right], false);
    repo.set_head_detached(merge).unwrap();
    let c = common::check_at(root, "2026-06-01");
    assert_eq!(
        c.loaded.catalog.conflicts.len(),
        1,
        "side by side: a conflict"
    );
}

/// Over 200 commits and a merged side branch: the last change, first
/// commit and contributors of each file, where a merge is not the change
/// of a file it took unchanged from one of its parents.
#[test]
fn long_histories_and_merges_give_each_file_its_own_facts() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let repo = git2::Repository::init(root).unwrap();
    let day = |i: i64| Date(Date::parse("2025-01-01").unwrap().0 + i).to_string();
    let authors = ["Alice Example", "Bob Example", "Carol Example"];
    let mut ids = Vec::new();
    for i in 0..200i64 {
        let name = format!("f{}.yaml", i % 10);
        write(root, &[(name.as_str(), &format!("n: {i}\n"))]);
        ids.push(common::git::commit_on_head(
            &repo,
            authors[(i % 3) as usize],
            &day(i),
            &format!("change {i}"),
        ));
    }
    // A side branch from commit 150 changes f0; merging it takes f0 from
    // the side, so the merge is not f0's last change, the side commit is.
    let main_head = *ids.last().unwrap();
    let checkout = |oid: git2::Oid| {
        let tree = repo.find_commit(oid).unwrap().tree().unwrap();
        repo.checkout_tree(
            tree.as_object(),
            Some(git2::build::CheckoutBuilder::new().force()),
        )
        .unwrap();
    };
    checkout(ids[150]);
    write(root, &[("f0.yaml", "n: side\n")]);
    let side = commit(&repo, "Dave Example", &day(201), "side", &[ids[150]], false);
    checkout(main_head);
    write(root, &[("f0.yaml", "n: side\n")]);
    let merged = commit(
        &repo,
        "Alice Example",
        &day(202),
        "merge",
        &[main_head, side],
        true,
    );
    let files: Vec<String> = (0..10).map(|i| format!("f{i}.yaml")).collect();
    let (git, _) = portolan::facts::git::collect(root, None, &files);
    let Git::Available(h) = git else {
        panic!("no history")
    };
    let one = h.files;
    assert_eq!(one.len(), 10);
    let f0 = &one["f0.yaml"];
    assert_eq!(f0.last_change.commit, side.to_string());
    assert_eq!(f0.first_commit.commit, ids[0].to_string());
    assert_eq!(
        f0.contributors, 4,
        "three authors on main, Dave on the side"
    );
    let f3 = &one["f3.yaml"];
    assert_eq!(f3.last_change.commit, ids[193].to_string());
    assert_eq!(f3.last_change.summary, "change 193");
    assert_eq!(f3.first_commit.commit, ids[3].to_string());
    let _ = merged;
}
