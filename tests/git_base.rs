//! `portolan check --base REV`, the PR mode: real repositories built with
//! git2 in a tempdir, the working tree as the pull request.

mod common;

use common::{GROUP, component, portolan, replace_in, stderr, stdout};
use std::path::Path;

fn example_repo() -> (tempfile::TempDir, git2::Repository) {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(&common::repo().join("example-catalog"), tmp.path());
    let repo = git2::Repository::init(tmp.path()).unwrap();
    common::git::commit_on_head(&repo, "Alice Example", "2026-11-01", "Import");
    (tmp, repo)
}

fn pr(root: &Path, format: &str) -> (Option<i32>, String) {
    let out = portolan(
        &[
            "check",
            ".",
            "--base",
            "HEAD",
            "--format",
            format,
            "--today",
            "2026-11-28",
        ],
        root,
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    (out.status.code(), stdout(&out))
}

fn edit(root: &Path, file: &str, from: &str, to: &str) {
    replace_in(&root.join(file), from, to);
}

const AUTH: &str = "services/auth-service/catalog-info.yaml";

fn without_docs(root: &Path) {
    let p = root.join(AUTH);
    let text = std::fs::read_to_string(&p).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains("backstage.io/techdocs-ref"))
        .collect();
    assert_ne!(kept.len(), text.lines().count());
    std::fs::write(p, kept.join("\n") + "\n").unwrap();
}

#[test]
fn removing_renaming_and_a_level_drop_are_reported_and_dangling_refs_fail() {
    let (tmp, _repo) = example_repo();
    let root = tmp.path();
    without_docs(root);
    std::fs::remove_dir_all(root.join("services/sms-sender")).unwrap();
    edit(
        root,
        "services/rates-service/catalog-info.yaml",
        "name: rates-service\n",
        "name: rates-svc\n",
    );
    let (code, md) = pr(root, "markdown");
    assert_eq!(code, Some(1), "{md}");
    assert!(md.contains("❌ "), "{md}");
    assert!(
        md.contains(
            "| `component:default/auth-service` | production-readiness | gold | bronze | ❌ docs |"
        ),
        "{md}"
    );
    assert!(
        md.contains("- removed `component:default/sms-sender`"),
        "{md}"
    );
    assert!(
        md.contains("- renamed `component:default/rates-service` → `component:default/rates-svc`"),
        "{md}"
    );
    // The references the removal and the rename left behind are errors.
    let main = md.split("<details>").next().unwrap();
    for target in [
        "component:default/sms-sender",
        "component:default/rates-service",
    ] {
        assert!(
            main.lines()
                .any(|l| l.starts_with("- **error** `E0103`") && l.contains(target)),
            "{target}: {md}"
        );
    }
}

#[test]
fn a_level_rise_is_reported_with_the_check_that_now_passes() {
    let (tmp, repo) = example_repo();
    let root = tmp.path();
    let original = std::fs::read(root.join(AUTH)).unwrap();
    without_docs(root);
    common::git::commit_on_head(&repo, "Alice Example", "2026-11-01", "Drop docs");
    std::fs::write(root.join(AUTH), original).unwrap();
    let (code, md) = pr(root, "markdown");
    assert_eq!(code, Some(0), "{md}");
    assert!(md.contains("✅ no new errors"), "{md}");
    assert!(
        md.contains(
            "| `component:default/auth-service` | production-readiness | bronze | gold | ✅ docs |"
        ),
        "{md}"
    );
    assert!(!md.contains("### Entities"), "{md}");
}

/// An entity with an error (no `spec.type`): Backstage's schema requires it.
fn broken(name: &str) -> String {
    component(name, "team-a").replace("  type: service\n", "")
}

fn debt_repo() -> (tempfile::TempDir, git2::Repository) {
    let tmp = common::catalog(&[
        ("group.yaml", GROUP),
        ("ok.yaml", &component("fine", "team-a")),
        ("old.yaml", &broken("old-debt")),
    ]);
    let repo = git2::Repository::init(tmp.path()).unwrap();
    common::git::commit_on_head(&repo, "Alice Example", "2026-11-01", "Start");
    (tmp, repo)
}

#[test]
fn an_introduced_error_fails_and_pre_existing_debt_does_not() {
    let (tmp, _repo) = debt_repo();
    let root = tmp.path();
    // The plain check fails on the old debt.
    let plain = portolan(&["check", ".", "--today", "2026-11-28"], root);
    assert_eq!(plain.status.code(), Some(1));

    // An unrelated change passes in PR mode; the debt is folded away.
    edit(
        root,
        "ok.yaml",
        "name: fine\n",
        "name: fine\n  description: Fine.\n",
    );
    let (code, md) = pr(root, "markdown");
    assert_eq!(code, Some(0), "{md}");
    let (main, folded) = md.split_once("<details>").expect("folded list");
    assert!(!main.contains("old.yaml"), "{md}");
    assert!(folded.contains("old.yaml"), "{md}");

    // Touching the broken file (its lines shift) reports its error among
    // the changed files, but it is not new, so the run still passes.
    let old = root.join("old.yaml");
    let text = std::fs::read_to_string(&old).unwrap();
    std::fs::write(&old, format!("# moved down\n\n{text}")).unwrap();
    let (code, md) = pr(root, "markdown");
    assert_eq!(code, Some(0), "{md}");
    let main = md.split("<details>").next().unwrap();
    assert!(main.contains("`old.yaml:"), "{md}");

    // A new error fails the run and is listed as new.
    std::fs::write(root.join("new.yaml"), broken("new-debt")).unwrap();
    let (code, md) = pr(root, "markdown");
    assert_eq!(code, Some(1), "{md}");
    let main = md.split("<details>").next().unwrap();
    assert!(
        main.contains("- **error**") && main.contains("`new.yaml:"),
        "{md}"
    );
    assert!(md.contains("- added `component:default/new-debt`"), "{md}");

    // GitHub annotations name only what the change is about.
    let (code, gh) = pr(root, "github");
    assert_eq!(code, Some(1));
    assert!(gh.contains("file=new.yaml"), "{gh}");
    assert!(gh.contains("file=old.yaml"), "{gh}");
    let unrelated = debt_repo();
    std::fs::write(unrelated.0.path().join("new.yaml"), broken("new-debt")).unwrap();
    let (_, gh) = pr(unrelated.0.path(), "github");
    assert!(gh.contains("file=new.yaml"), "{gh}");
    assert!(!gh.contains("file=old.yaml"), "{gh}");
}

#[test]
fn a_bad_base_is_a_usage_error() {
    let (tmp, _repo) = debt_repo();
    let out = portolan(&["check", ".", "--base", "nope"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot resolve revision `nope`"));
}

/// What a run says, in a form two runs can be compared by: every
/// diagnostic (code, place, message, help), every standing as JSON, and
/// the git facts of every file.
fn said(c: &portolan::pipeline::Checked) -> (Vec<String>, String, Vec<String>) {
    let diags = c
        .diagnostics
        .iter()
        .map(|d| format!("{} {:?} {} {:?}", d.code.code(), d.span, d.message, d.help))
        .collect();
    let standings = serde_json::to_string(&c.scorecards.standings).unwrap();
    let mut git: Vec<String> = c
        .facts
        .git
        .history()
        .map(|h| h.files.iter().map(|(f, h)| format!("{f} {h:?}")).collect())
        .unwrap_or_default();
    git.sort();
    (diags, standings, git)
}

/// The repository of `example_repo`, a second commit on top (so the base
/// and HEAD histories differ), and a working-tree change: the PR.
fn two_commits_and_an_edit(policy: &str) -> (tempfile::TempDir, git2::Oid) {
    let (tmp, repo) = example_repo();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("policies")).unwrap();
    std::fs::write(root.join("policies/peers.rego"), policy).unwrap();
    let base = common::git::commit_on_head(&repo, "Bob Example", "2026-11-10", "Add a policy");
    edit(
        root,
        AUTH,
        "lifecycle: production",
        "lifecycle: experimental",
    );
    common::git::commit_on_head(&repo, "Carol Example", "2026-11-20", "Auth is experimental");
    without_docs(root);
    // A change that keeps the entity on the same scorecards but fails a
    // check: its base results must not be taken from the head.
    edit(
        root,
        "services/rates-service/catalog-info.yaml",
        "      type: runbook\n",
        "      type: wiki\n",
    );
    std::fs::write(
        root.join("services/new.yaml"),
        component("brand-new", "payments-team"),
    )
    .unwrap();
    (tmp, base)
}

/// `check --base` runs both sides at once (`pipeline::run_pair`): one
/// history walk and results lent between them. Whatever it shares, each
/// side must say exactly what a run of that side alone says.
fn assert_pair_equals_separate_runs(policy: &str) -> usize {
    let (tmp, base) = two_commits_and_an_edit(policy);
    let root = tmp.path();
    let options = portolan::pipeline::Options {
        scorecards: true,
        today: portolan::date::Date::parse("2026-11-28").unwrap(),
    };
    let at_base = portolan::source::GitTree::open(root, &base.to_string()).unwrap();
    let work = portolan::source::WorkTree::new(root).unwrap();
    let (b, h) = portolan::pipeline::run_pair(&at_base, &work, root, options);
    let alone_b = portolan::pipeline::run(&at_base, root, options);
    let alone_h = portolan::pipeline::run(&work, root, options);
    assert!(b.facts.git.history().is_some_and(|h| !h.files.is_empty()));
    let (pb, ph, sb, sh) = (said(&b), said(&h), said(&alone_b), said(&alone_h));
    assert_eq!(pb.0, sb.0, "base diagnostics");
    assert_eq!(pb.1, sb.1, "base standings");
    assert_eq!(pb.2, sb.2, "base git facts");
    assert_eq!(ph, sh, "head");
    // The sides differ (else the test would prove nothing).
    assert_ne!(pb.1, ph.1);
    assert_ne!(pb.2, ph.2);
    b.scorecards.reused
}

#[test]
fn the_shared_run_equals_two_separate_runs() {
    // No policy reads `data`: unchanged entities take the head's results.
    let lent = assert_pair_equals_separate_runs(
        "# METADATA\n# title: Peers\n# custom:\n#   levels: [bronze]\n#   applies_to:\n#     kind: [component]\npackage acme.peers\n\nimport rego.v1\n\n# METADATA\n# title: Named\n# custom:\n#   id: named\n#   level: bronze\nnamed contains \"no name\" if {\n\tnot input.entity.metadata.name\n}\n",
    );
    assert!(lent > 10, "only {lent} entities lent");
}

#[test]
fn a_policy_reading_data_is_evaluated_on_both_sides() {
    // This check's message counts the catalog, which the PR changes for
    // every entity: nothing may be lent.
    let lent = assert_pair_equals_separate_runs(
        "# METADATA\n# title: Peers\n# custom:\n#   levels: [bronze]\n#   applies_to:\n#     kind: [component]\npackage acme.peers\n\nimport rego.v1\n\n# METADATA\n# title: Counted\n# custom:\n#   id: counted\n#   level: bronze\ncounted contains msg if {\n\tmsg := sprintf(\"one of %d\", [count(data.catalog)])\n}\n",
    );
    assert_eq!(lent, 0);
}
