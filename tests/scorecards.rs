//! Scorecard levels, scores, enforcement and the input contract.

mod common;
use common::*;
use portolan::diagnostics::{Code, Severity};
use portolan::pipeline as check;

const POLICY: &str = r#"# METADATA
# title: Service basics
# custom:
#   levels: [bronze, silver]
#   applies_to:
#     kind: [component]
package acme.basics

import rego.v1

# METADATA
# title: Owner is a group
# custom:
#   id: owner
#   level: bronze
#   weight: 3
owner contains "owner is not a group" if {
	not startswith(input.relations.owner.ref, "group:")
}

# METADATA
# title: Has a runbook
# custom:
#   id: runbook
#   level: silver
#   remediation: Add a runbook link.
runbook contains "no runbook" if {
	count([l | some l in object.get(input.entity.metadata, "links", []); l.type == "runbook"]) == 0
}
"#;

fn standing<'a>(c: &'a check::Checked, entity: &str) -> &'a portolan::scorecard::Standing {
    c.scorecards
        .standings
        .iter()
        .find(|s| s.entity.to_string() == entity)
        .expect(entity)
}

#[test]
fn levels_follow_the_ladder_and_scores_are_weighted() {
    let runbook = "  links:\n    - {url: 'https://runbooks.example.com/a', type: runbook}\n";
    let dir = catalog(&[
        ("portolan.toml", "[scorecards]\ndefaults = false\n"),
        ("policies/basics.rego", POLICY),
        ("group.yaml", GROUP),
        (
            "a.yaml",
            &component("a", "team-a").replace("spec:\n", &format!("{runbook}spec:\n")),
        ),
        ("b.yaml", &component("b", "team-a")),
        (
            "c.yaml",
            &component("c", "team-a").replace("team-a", "user:nobody"),
        ),
    ]);
    let c = check::check(
        dir.path(),
        check::Options {
            scorecards: true,
            ..Default::default()
        },
    )
    .unwrap();
    let a = standing(&c, "component:default/a");
    assert_eq!((a.level.as_deref(), a.score), (Some("silver"), 100.0));
    let b = standing(&c, "component:default/b");
    assert_eq!((b.level.as_deref(), b.score), (Some("bronze"), 75.0));
    // c fails bronze, so it has no level even though... it also fails silver.
    let cc = standing(&c, "component:default/c");
    assert_eq!((cc.level.as_deref(), cc.score), (None, 0.0));
    // Groups are not components: the scorecard does not apply.
    assert!(
        c.scorecards
            .standings
            .iter()
            .all(|s| s.entity.kind == "component")
    );
    let failed: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::CheckFailed)
        .collect();
    assert_eq!(failed.len(), 3);
    assert!(
        failed.iter().all(|d| d.severity == Severity::Warning),
        "advisory by default"
    );
    let b_runbook = failed
        .iter()
        .find(|d| d.message.contains("component:default/b"))
        .unwrap();
    assert_eq!(b_runbook.help.as_deref(), Some("Add a runbook link."));
    assert_eq!(b_runbook.span.as_ref().unwrap().file, "b.yaml");
    assert_eq!(b_runbook.span.as_ref().unwrap().line, 4);
}

#[test]
fn required_checks_fail_the_run_and_advisory_ones_only_warn() {
    let required = POLICY.replace(
        "#   levels: [bronze, silver]",
        "#   levels: [bronze, silver]\n#   enforcement: required",
    );
    for (policy, code) in [(POLICY.to_owned(), 0), (required, 1)] {
        let dir = catalog(&[
            ("portolan.toml", "[scorecards]\ndefaults = false\n"),
            ("policies/basics.rego", &policy),
            ("group.yaml", GROUP),
            ("b.yaml", &component("b", "team-a")),
        ]);
        let out = portolan(&["check", ".", "--scorecard-details"], dir.path());
        assert_eq!(out.status.code(), Some(code), "{}", stdout(&out));
        assert!(stdout(&out).contains("[E0300 check-failed]"));
    }
}

#[test]
fn the_default_scorecards_give_the_example_catalog_a_spread_of_levels() {
    let c = check::check(
        &repo().join("example-catalog"),
        check::Options {
            scorecards: true,
            ..Default::default()
        },
    )
    .unwrap();
    let levels = |card: &str| {
        let mut v: Vec<_> = c
            .scorecards
            .standings
            .iter()
            .filter(|s| s.scorecard == card)
            .map(|s| s.level.clone().unwrap_or_default())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    assert!(
        levels("production-readiness").len() >= 2,
        "{:?}",
        levels("production-readiness")
    );
    assert!(
        c.diagnostics
            .iter()
            .all(|d| d.severity == Severity::Warning)
    );
}

fn waiver(expires: &str) -> String {
    format!(
        "waivers:\n  - check: basics/runbook\n    entity: component:b\n    reason: Retiring this quarter.\n    expires: {expires}\n    approver: group:team-a\n"
    )
}

#[test]
fn a_waiver_shows_as_waived_until_it_expires() {
    let dir = catalog(&[
        ("portolan.toml", "[scorecards]\ndefaults = false\n"),
        ("policies/basics.rego", POLICY),
        ("group.yaml", GROUP),
        ("b.yaml", &component("b", "team-a")),
        ("waivers.yaml", &waiver("2027-01-31")),
    ]);
    let day = |d: &str| check::Options {
        scorecards: true,
        today: portolan::date::Date::parse(d).unwrap(),
    };
    let live = check::check(dir.path(), day("2027-01-31")).unwrap();
    let b = standing(&live, "component:default/b");
    let runbook = b.checks.iter().find(|c| c.id == "runbook").unwrap();
    assert!(
        matches!(
            runbook.outcome,
            portolan::scorecard::eval::Outcome::Waived { .. }
        ),
        "{:?}",
        runbook.outcome
    );
    assert_eq!(
        b.level.as_deref(),
        Some("silver"),
        "a waived check does not block the level"
    );
    assert_eq!(b.score, 100.0, "waived checks are left out of the score");
    assert!(!live.diagnostics.iter().any(|d| d.code == Code::CheckFailed));

    let expired = check::check(dir.path(), day("2027-02-01")).unwrap();
    let b = standing(&expired, "component:default/b");
    assert_eq!(b.level.as_deref(), Some("bronze"));
    let codes: Vec<_> = expired.diagnostics.iter().map(|d| d.code).collect();
    assert!(
        codes.contains(&Code::WaiverExpired) && codes.contains(&Code::CheckFailed),
        "{codes:?}"
    );
    let failed = expired
        .diagnostics
        .iter()
        .find(|d| d.code == Code::CheckFailed)
        .unwrap();
    assert!(
        failed.message.contains("waiver expired on 2027-01-31"),
        "{}",
        failed.message
    );
}

#[test]
fn enforce_from_turns_an_advisory_check_into_a_required_one_on_its_date() {
    let staged = POLICY.replace(
        "#   level: silver\n",
        "#   level: silver\n#   enforce_from: 2027-03-01\n",
    );
    let dir = catalog(&[
        ("portolan.toml", "[scorecards]\ndefaults = false\n"),
        ("policies/basics.rego", &staged),
        ("group.yaml", GROUP),
        ("b.yaml", &component("b", "team-a")),
    ]);
    let before = portolan(&["check", ".", "--today", "2027-02-28"], dir.path());
    assert_eq!(before.status.code(), Some(0), "{}", stdout(&before));
    let after = portolan(&["check", ".", "--today", "2027-03-01"], dir.path());
    assert_eq!(after.status.code(), Some(1), "{}", stdout(&after));
    let bad = portolan(&["check", ".", "--today", "2027-02-30"], dir.path());
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn policy_test_passes_on_the_shipped_policies_with_coverage() {
    let out = portolan(&["policy", "test", "."], &repo());
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for file in ["production-readiness", "ownership-hygiene", "documentation"] {
        assert!(
            text.contains(&format!("policies/{file}_test.rego:")),
            "{text}"
        );
        assert!(
            text.contains(&format!("policies/{file}.rego (")),
            "coverage for {file}: {text}"
        );
    }
    assert!(text.contains(" 0 failed, 0 errors"), "{text}");
    assert!(!text.contains("FAIL"), "{text}");
}

#[test]
fn policy_test_reports_failures_and_errors_and_exits_1() {
    let out = portolan(
        &["policy", "test", "tests/policy-fixtures/failing", "--json"],
        &repo(),
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let status = |name: &str| {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .map(|r| r["status"].clone())
            .unwrap()
    };
    assert_eq!(status("test_no_links_fails"), "pass");
    assert_eq!(status("test_chat_link_fails"), "fail");
    assert_eq!(status("test_errors"), "error");
    let text = stdout(&portolan(
        &["policy", "test", "tests/policy-fixtures/failing"],
        &repo(),
    ));
    assert!(
        text.contains("FAIL  test_chat_link_fails (policies/teams_test.rego:12)"),
        "{text}"
    );
    assert!(text.contains("1 passed, 1 failed, 1 errors"), "{text}");
}

#[test]
fn markdown_has_a_level_table_and_json_lists_standings_and_waivers() {
    let dir = catalog(&[
        ("portolan.toml", "[scorecards]\ndefaults = false\n"),
        ("policies/basics.rego", POLICY),
        ("group.yaml", GROUP),
        ("b.yaml", &component("b", "team-a")),
        ("waivers.yaml", &waiver("2999-01-01")),
    ]);
    let md = stdout(&portolan(
        &["check", ".", "--format", "markdown"],
        dir.path(),
    ));
    assert!(md.contains("| Entity | Service basics |"), "{md}");
    assert!(
        md.contains("| `component:default/b` | silver (100%) |"),
        "{md}"
    );
    let out = portolan(&["check", ".", "--format", "json"], dir.path());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let b = v["standings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["entity"] == "component:default/b")
        .unwrap();
    assert_eq!(b["level"], "silver");
    let runbook = b["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "runbook")
        .unwrap();
    assert_eq!(runbook["status"], "waived");
    assert_eq!(runbook["waiver"]["approver"], "group:team-a");
    assert_eq!(v["waivers"][0]["expires"], "2999-01-01");
    assert_eq!(v["scorecards"][0]["checks"][1]["id"], "runbook");
}

#[test]
fn recursive_policies_are_reported_never_crash() {
    let recursive = POLICY.replace(
        "import rego.v1\n",
        "import rego.v1\n\nf(x) := f(x + 1)\n\na if b\n\nb if a\n",
    );
    let dir = catalog(&[
        ("portolan.toml", "[scorecards]\ndefaults = false\n"),
        ("policies/basics.rego", &recursive),
        ("group.yaml", GROUP),
        ("b.yaml", &component("b", "team-a")),
    ]);
    let out = portolan(&["check", ".", "--format", "json"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "E0201")
        .expect("E0201");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("data.acme.basics.f → data.acme.basics.f"),
        "{d}"
    );
    assert_eq!(d["file"], "policies/basics.rego");
    assert_eq!(d["line"], 11);
    // The catalog itself is still checked and the entities still counted.
    assert_eq!(v["summary"]["entities"], 2);
}

#[test]
fn the_input_carries_relations_docs_and_repository_facts() {
    // Every fact the contract promises, surfaced as a failing message so the test can read it back.
    let policy = r#"# METADATA
# title: Facts
# custom:
#   levels: [bronze]
#   applies_to:
#     kind: [component]
package acme.facts

import rego.v1

# METADATA
# title: Echo
# custom:
#   id: echo
#   level: bronze
echo contains sprintf("v=%v ref=%v owner=%v readme=%v codeowners=%v docs=%v pages=%v git=%v catalog=%v", [
	input.version, input.ref, input.relations.owner.ref, input.repo.readme, input.repo.codeowners,
	input.docs.present, input.docs.pages, input.git, count(data.catalog),
])
"#;
    let dir = catalog(&[
        ("portolan.toml", "[scorecards]\ndefaults = false\n"),
        ("policies/facts.rego", policy),
        ("group.yaml", GROUP),
        (
            "svc/catalog-info.yaml",
            &component("svc", "team-a").replace(
                "metadata:\n",
                "metadata:\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n",
            ),
        ),
        ("svc/README.md", "# svc\n"),
        ("svc/mkdocs.yml", "site_name: svc\nnav:\n  - index.md\n"),
        ("svc/docs/index.md", "# Home\n"),
        ("svc/docs/more.md", "# More\n"),
    ]);
    let c = check::check(
        dir.path(),
        check::Options {
            scorecards: true,
            ..Default::default()
        },
    )
    .unwrap();
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.code == Code::CheckFailed)
        .expect("echo");
    assert!(
        d.message.contains("v=1 ref=component:default/svc owner=group:default/team-a readme=true codeowners=false docs=true pages=2 git=null catalog=2"),
        "{}",
        d.message
    );
}

#[test]
fn the_input_relations_are_exactly_the_documented_keys() {
    // `input.relations` is part of the versioned contract (docs/policies.md),
    // so a change to the relation table must not move, drop or reshape a key.
    let policy = r#"# METADATA
# title: Keys
# custom:
#   levels: [bronze]
#   applies_to:
#     kind: [component]
package acme.keys

import rego.v1

# METADATA
# title: Echo
# custom:
#   id: echo
#   level: bronze
echo contains sprintf("keys=%v owner=%v system=%v domain=%v parent=%v lists=%v", [
	sort([k | some k, _ in input.relations]),
	input.relations.owner.ref, input.relations.system.ref, input.relations.domain.ref,
	input.relations.parent,
	[k | some k in ["providesApis", "consumesApis", "dependsOn", "dependencyOf", "members", "children"]; is_array(input.relations[k])],
])
"#;
    let dir = catalog(&[
        ("portolan.toml", "[scorecards]\ndefaults = false\n"),
        ("policies/keys.rego", policy),
        ("group.yaml", GROUP),
        (
            "system.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: billing}\nspec: {owner: team-a, domain: money}\n---\napiVersion: backstage.io/v1alpha1\nkind: Domain\nmetadata: {name: money}\nspec: {owner: team-a}\n",
        ),
        (
            "svc.yaml",
            &format!("{}  system: billing\n", component("svc", "team-a")),
        ),
    ]);
    let c = check::check(
        dir.path(),
        check::Options {
            scorecards: true,
            ..Default::default()
        },
    )
    .unwrap();
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.code == Code::CheckFailed)
        .expect("echo");
    assert!(
        d.message.contains(r#"keys=["children", "consumesApis", "dependencyOf", "dependsOn", "domain", "members", "owner", "parent", "providesApis", "system"] owner=group:default/team-a system=system:default/billing domain=domain:default/money parent=null lists=["providesApis", "consumesApis", "dependsOn", "dependencyOf", "members", "children"]"#),
        "{}",
        d.message
    );
}

#[test]
fn failing_checks_land_on_the_entity_line_in_github_sarif_and_junit() {
    let dir = catalog(&[
        ("portolan.toml", "[scorecards]\ndefaults = false\n"),
        ("policies/basics.rego", POLICY),
        ("group.yaml", GROUP),
        ("b.yaml", &component("b", "team-a")),
    ]);
    let gh = stdout(&portolan(&["check", ".", "--format", "github"], dir.path()));
    assert!(
        gh.contains("::warning file=b.yaml,line=4,col=9,title=E0300 check-failed::"),
        "{gh}"
    );
    assert!(gh.contains("help: Add a runbook link."), "{gh}");
    let sarif: serde_json::Value =
        serde_json::from_slice(&portolan(&["check", ".", "--format", "sarif"], dir.path()).stdout)
            .unwrap();
    let r = &sarif["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "E0300");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );
    let junit = stdout(&portolan(&["check", ".", "--format", "junit"], dir.path()));
    let doc = roxmltree::Document::parse(&junit).unwrap();
    let case = doc
        .descendants()
        .find(|n| n.attribute("name") == Some("b.yaml"))
        .unwrap();
    let out = case
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .expect("advisory failures are reported");
    assert!(out.text().unwrap().contains("b.yaml:4:9"), "{junit}");
}

#[test]
fn a_check_that_errors_on_every_entity_is_reported_once() {
    let broken = POLICY.replace("count([l | some l in object.get(input.entity.metadata, \"links\", []); l.type == \"runbook\"]) == 0", "1 / count([]) == 0");
    let mut files = vec![
        (
            "portolan.toml".to_owned(),
            "[scorecards]\ndefaults = false\n".to_owned(),
        ),
        ("policies/basics.rego".to_owned(), broken),
        ("group.yaml".to_owned(), GROUP.to_owned()),
    ];
    for i in 0..5 {
        files.push((format!("c{i}.yaml"), component(&format!("c{i}"), "team-a")));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = catalog(&refs);
    let c = check::check(
        dir.path(),
        check::Options {
            scorecards: true,
            ..Default::default()
        },
    )
    .unwrap();
    let errors: Vec<_> = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::PolicyRuntime)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].message.contains("(and on 4 more entities)"),
        "{}",
        errors[0].message
    );
    assert_eq!(
        errors[0].span.as_ref().unwrap().file,
        "policies/basics.rego"
    );
}

#[test]
fn an_unreadable_policy_is_an_error_and_the_rest_still_runs() {
    let dir = catalog(&[
        ("policies/basics.rego", POLICY),
        ("group.yaml", GROUP),
        ("b.yaml", &component("b", "team-a")),
    ]);
    std::fs::write(
        dir.path().join("policies/latin1.rego"),
        b"package x\n# caf\xe9\n",
    )
    .unwrap();
    let c = check::check(
        dir.path(),
        check::Options {
            scorecards: true,
            ..Default::default()
        },
    )
    .unwrap();
    let d = c
        .diagnostics
        .iter()
        .find(|d| d.code == Code::PolicyError)
        .expect("E0201");
    assert_eq!(d.span.as_ref().unwrap().file, "policies/latin1.rego");
    assert!(c.scorecards.scorecards.iter().any(|s| s.id == "basics"));
    assert!(
        c.scorecards
            .scorecards
            .iter()
            .any(|s| s.id == "production-readiness"),
        "built-ins still run"
    );
}
