//! A first run a team can adopt: human output that fits on a screen, GitHub
//! annotations within GitHub's budget, and a baseline of known problems.

mod common;
use common::*;
use std::path::Path;

/// A scorecard with one required check, so a failure is an error.
const REQUIRED_POLICY: &str = r#"# METADATA
# title: Service basics
# custom:
#   levels: [bronze]
#   enforcement: required
#   applies_to:
#     kind: [component]
package acme.basics

import rego.v1

# METADATA
# title: Has a runbook
# custom:
#   id: runbook
#   level: bronze
#   remediation: Add a runbook link.
runbook contains "no runbook" if {
	count([l | some l in object.get(input.entity.metadata, "links", []); l.type == "runbook"]) == 0
}
"#;

fn check(dir: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["check", ".", "--today", "2026-11-28"];
    args.extend_from_slice(extra);
    let out = portolan(&args, dir);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    (out.status.code(), stdout(&out))
}

#[test]
fn the_backstage_examples_fit_on_a_screen() {
    let Some(dir) = compat("backstage-examples") else {
        return;
    };
    let out = portolan(&["check", dir.to_str().unwrap()], &repo());
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let lines = text.lines().count();
    assert!(lines <= 60, "{lines} lines:\n{text}");
    // The catalog's real problems are all there, before the scorecards.
    // Dangling refs are warnings (Backstage accepts them); the missing
    // Location target is the one error.
    assert_eq!(
        text.matches("warning[E0103 dangling-ref]").count(),
        2,
        "{text}"
    );
    assert_eq!(text.matches("error[E0114").count(), 1, "{text}");
    let last_error = text.rfind("warning[E0103").unwrap();
    let scorecards = text.find("scorecard Production readiness").expect(&text);
    assert!(last_error < scorecards, "{text}");
    // Advisory failures are summarised, with the checks that fail most.
    assert!(!text.contains("warning[E0300"), "{text}");
    assert!(
        text.contains("entities fail `docs` (silver): Has docs"),
        "{text}"
    );
    assert!(text.contains("`--scorecard-details`"), "{text}");
    // The closing line still counts everything.
    let closing = text.lines().last().unwrap();
    assert!(
        closing.starts_with("error: checked 64 entities in 47 files: 1 error, ")
            && closing.ends_with(" warnings"),
        "{closing}"
    );
}

#[test]
fn scorecard_details_lists_every_failing_check() {
    let dir = catalog(&[
        ("group.yaml", GROUP),
        ("svc.yaml", &component("svc", "team-a")),
    ]);
    let (code, summary) = check(dir.path(), &[]);
    assert_eq!(code, Some(0), "{summary}");
    assert!(!summary.contains("warning[E0300"), "{summary}");
    let (code, details) = check(dir.path(), &["--scorecard-details"]);
    assert_eq!(code, Some(0), "{details}");
    assert!(details.contains("warning[E0300 check-failed]"), "{details}");
    assert!(
        details.contains("= help: Add a link with `type: runbook` under `metadata.links`"),
        "{details}"
    );
    // Both close with the same count.
    assert_eq!(summary.lines().last(), details.lines().last());
    let warnings = details.matches("warning[E0300").count();
    assert!(
        summary.contains(&format!(
            "note: {warnings} advisory check failures summarised"
        )),
        "{summary}"
    );
}

#[test]
fn required_failures_are_listed_even_without_details() {
    let dir = catalog(&[
        ("portolan.toml", "[scorecards]\ndefaults = false\n"),
        ("policies/basics.rego", REQUIRED_POLICY),
        ("group.yaml", GROUP),
        ("svc.yaml", &component("svc", "team-a")),
    ]);
    let (code, text) = check(dir.path(), &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("error[E0300 check-failed]"), "{text}");
    assert!(text.contains("= help: Add a runbook link."), "{text}");
    assert!(
        text.contains("1 entity fails `runbook` (bronze): Has a runbook"),
        "{text}"
    );
}

/// 12 dangling owners (errors, by configuration), 3 unknown kinds (catalog
/// warnings, by configuration) and the default scorecards' advisory
/// failures (many more warnings).
fn noisy_catalog() -> tempfile::TempDir {
    let mut files: Vec<(String, String)> = vec![
        ("group.yaml".into(), GROUP.into()),
        (
            "portolan.toml".into(),
            "[diagnostics]\ndangling-ref = \"error\"\nunknown-kind = \"warn\"\n".into(),
        ),
    ];
    for i in 0..12 {
        files.push((
            format!("svc-{i:02}.yaml"),
            component(&format!("svc-{i:02}"), "nobody"),
        ));
    }
    for i in 0..3 {
        files.push((
            format!("widget-{i}.yaml"),
            format!("apiVersion: backstage.io/v1alpha1\nkind: Widget\nmetadata:\n  name: w{i}\n"),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    catalog(&refs)
}

#[test]
fn github_annotations_stay_within_the_budget_and_say_what_was_left_out() {
    let dir = noisy_catalog();
    let (code, text) = check(dir.path(), &["--format", "github"]);
    assert_eq!(code, Some(1), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let errors: Vec<_> = lines.iter().filter(|l| l.starts_with("::error ")).collect();
    let warnings: Vec<_> = lines
        .iter()
        .filter(|l| l.starts_with("::warning "))
        .collect();
    assert_eq!(errors.len(), 10, "{text}");
    assert_eq!(warnings.len(), 10, "{text}");
    // Errors first, then the catalog's warnings before scorecard failures.
    let first_warning = lines
        .iter()
        .position(|l| l.starts_with("::warning "))
        .unwrap();
    assert!(
        lines[..first_warning]
            .iter()
            .all(|l| l.starts_with("::error ")),
        "{text}"
    );
    assert!(
        errors
            .iter()
            .all(|l| l.contains("title=E0103 dangling-ref::")),
        "{text}"
    );
    assert!(
        warnings[..3]
            .iter()
            .all(|l| l.contains("title=E0117 unknown-kind::")),
        "{text}"
    );
    // Then the scorecard run: the gold check that needs git history was
    // not judged (the catalog is not in a repository), then the failures.
    // It is about a built-in policy, not a file of the repository, so it
    // is annotated on the run, without a `file=`.
    assert!(
        warnings[3].starts_with("::warning title=E0602 check-not-judged::"),
        "{text}"
    );
    assert!(
        warnings[4..]
            .iter()
            .all(|l| l.contains("title=E0300 check-failed::")),
        "{text}"
    );
    // Data stays escaped: the help line is on the same annotation.
    assert!(errors[0].contains("%0Ahelp: "), "{}", errors[0]);
    // The notice counts what was left out and says where the rest is.
    let json = portolan(
        &["check", ".", "--today", "2026-11-28", "--format", "json"],
        dir.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let total = v["diagnostics"].as_array().unwrap().len();
    let notice = lines
        .iter()
        .find(|l| l.starts_with("::notice "))
        .expect(&text);
    assert!(
        notice.contains(&format!(
            "::{} problems not shown as annotations",
            total - 20
        )),
        "{notice}"
    );
    assert!(notice.contains("portolan check --format json"), "{notice}");
    assert!(
        lines.last().unwrap().starts_with("portolan check: "),
        "{text}"
    );
    // Deterministic.
    assert_eq!(check(dir.path(), &["--format", "github"]).1, text);
}

#[test]
fn a_small_run_needs_no_notice() {
    let dir = catalog(&[
        ("group.yaml", GROUP),
        ("svc.yaml", &component("svc", "nobody")),
        STRICT,
    ]);
    let (_, text) = check(dir.path(), &["--format", "github", "--no-scorecards"]);
    assert!(!text.contains("::notice"), "{text}");
    assert_eq!(text.matches("::error ").count(), 1, "{text}");
}
