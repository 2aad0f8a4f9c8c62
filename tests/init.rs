//! `portolan init`: a catalog repository that passes check, policy test and
//! build with no edits, and never overwrites anything unasked.

mod common;
use common::*;
use std::path::Path;

fn run(args: &[&str]) -> std::process::Output {
    portolan(args, &repo())
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn init_makes_a_repository_that_checks_tests_and_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("catalog");
    let out = run(&["init", s(&dir)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("portolan serve"), "{}", stdout(&out));
    for f in [
        "portolan.toml",
        ".gitignore",
        "README.md",
        "org/teams.yaml",
        "components/storefront-web/docs/runbook.md",
        "components/payments-service/openapi.yaml",
        "resources/payments-db.yaml",
        "policies/documentation_test.rego",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    // The CI workflows are the documented ones (tests/ci_workflows.rs
    // validates those).
    for (ours, doc) in [
        (".github/workflows/catalog-pr.yml", "docs/ci/github-pr.yml"),
        (".github/workflows/portal.yml", "docs/ci/github-pages.yml"),
    ] {
        assert_eq!(
            std::fs::read_to_string(dir.join(ours)).unwrap(),
            std::fs::read_to_string(repo().join(doc)).unwrap()
        );
    }
    let toml = std::fs::read_to_string(dir.join("portolan.toml")).unwrap();
    assert!(
        toml.lines().filter(|l| l.starts_with('#')).count() > 5,
        "commented"
    );

    let check = run(&["check", s(&dir), "--today", "2026-11-28"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
    // What was asked for: a domain, a system, two teams, three users, two
    // components, an API and a resource (12 with the organization).
    let json = run(&[
        "check",
        s(&dir),
        "--format",
        "json",
        "--today",
        "2026-11-28",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["summary"]["entities"], 12, "{report}");
    assert_eq!(report["summary"]["errors"], 0, "{report}");

    let test = run(&["policy", "test", s(&dir)]);
    assert_eq!(
        test.status.code(),
        Some(0),
        "{}{}",
        stdout(&test),
        stderr(&test)
    );
    assert!(
        stdout(&test).contains(" passed, 0 failed"),
        "{}",
        stdout(&test)
    );

    let site = tmp.path().join("site");
    let built = build(&dir, &site);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let page =
        std::fs::read_to_string(site.join("catalog/default/component/storefront-web/index.html"))
            .unwrap();
    assert!(page.contains("qa-"), "the page has a quick-answers panel");
    assert!(
        !page.contains("qa-missing"),
        "no Missing answer for the documented component"
    );
    assert!(!page.contains("Missing."));
    assert!(
        site.join("docs/default/component/storefront-web/runbook/index.html")
            .is_file()
    );
    let api =
        std::fs::read_to_string(site.join("catalog/default/api/payments-api/index.html")).unwrap();
    assert!(
        api.contains("createPayment") || api.contains("/payments/{id}"),
        "API reference"
    );
}

#[test]
fn init_never_overwrites_unless_forced_and_never_follows_links() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("catalog");
    assert_eq!(run(&["init", s(&dir)]).status.code(), Some(0));
    let toml = dir.join("portolan.toml");
    std::fs::write(&toml, "# mine\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "keep").unwrap();

    let again = run(&["init", s(&dir)]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("portolan.toml"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read_to_string(&toml).unwrap(), "# mine\n");

    // One existing file blocks everything: nothing is half written.
    let other = tmp.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("README.md"), "mine").unwrap();
    assert_eq!(run(&["init", s(&other)]).status.code(), Some(2));
    assert_eq!(std::fs::read_dir(&other).unwrap().count(), 1);

    let forced = run(&["init", s(&dir), "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert!(std::fs::read_to_string(&toml).unwrap().contains("[site]"));
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "keep"
    );

    #[cfg(unix)]
    {
        let linked = tmp.path().join("linked");
        let target = tmp.path().join("elsewhere");
        std::fs::create_dir_all(&linked).unwrap();
        std::fs::create_dir_all(&target).unwrap();
        std::os::unix::fs::symlink(&target, linked.join("org")).unwrap();
        let out = run(&["init", s(&linked), "--force"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("symlink"), "{}", stderr(&out));
        assert_eq!(std::fs::read_dir(&target).unwrap().count(), 0);
        assert_eq!(
            std::fs::read_dir(&linked).unwrap().count(),
            1,
            "nothing written"
        );
    }
}
