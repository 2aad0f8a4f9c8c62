//! Initiatives (initiatives/*.yaml): progress, enforcement at the deadline
//! through `check`, `portolan report`, and their pages; the team view.

mod common;
use common::*;
use portolan::diagnostics::{Code, Severity};

/// A catalog with two teams under a department, services with and without
/// runbooks and dashboards, and an initiative asking for both.
fn fleet(initiative: &str) -> tempfile::TempDir {
    let group = |name: &str, parent: Option<&str>| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\nspec:\n  type: team\n{}  children: []\n",
            parent
                .map(|p| format!("  parent: {p}\n"))
                .unwrap_or_default()
        )
    };
    let svc = |name: &str, owner: &str, links: &[&str]| {
        let links: String = links
            .iter()
            .map(|t| format!("    - url: https://{t}.example/{name}\n      type: {t}\n"))
            .collect();
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  description: The {name}.\n{}spec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n",
            if links.is_empty() {
                String::new()
            } else {
                format!("  links:\n{links}")
            }
        )
    };
    let files = [
        ("org/dept.yaml".to_owned(), group("dept", None)),
        ("org/team-a.yaml".to_owned(), group("team-a", Some("dept"))),
        ("org/team-b.yaml".to_owned(), group("team-b", Some("dept"))),
        (
            "svc/a1.yaml".to_owned(),
            svc("a1", "team-a", &["runbook", "dashboard"]),
        ),
        ("svc/a2.yaml".to_owned(), svc("a2", "team-a", &["runbook"])),
        ("svc/b1.yaml".to_owned(), svc("b1", "team-b", &[])),
        (
            "svc/b2.yaml".to_owned(),
            svc("b2", "team-b", &["runbook", "dashboard"]),
        ),
        (
            "initiatives/ops-links.yaml".to_owned(),
            initiative.to_owned(),
        ),
    ];
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    catalog(&refs)
}

const OPS_LINKS: &str = "title: Runbooks and dashboards\nowner: dept\nasks:\n  - check: production-readiness/runbook-link\n  - check: production-readiness/dashboard-link\napplies_to:\n  kind: component\nstart: 2026-11-01\ndeadline: 2027-01-31\ndiscussion: https://chat.example/ops\n";

#[test]
fn progress_counts_covered_entities_per_team() {
    let dir = fleet(OPS_LINKS);
    let checked = check_at(dir.path(), "2026-12-01");
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| matches!(d.code, Code::InitiativeInvalid | Code::InitiativeUnknownRef))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let t = &checked.scorecards.initiatives[0];
    assert_eq!(t.initiative.id, "ops-links");
    assert_eq!((t.progress.done, t.progress.total), (2, 4));
    assert_eq!(t.progress.days_left, 61);
    assert!(!t.progress.enforced);
    let left: Vec<String> = t
        .progress
        .left
        .iter()
        .map(|l| l.entity.name.clone())
        .collect();
    assert_eq!(left, ["a2", "b1"]);
    let b1 = &t.progress.left[1];
    let missing: Vec<&str> = b1.missing.iter().map(|m| m.check.as_str()).collect();
    assert_eq!(missing, ["dashboard-link", "runbook-link"]);
    let teams: Vec<(String, usize, usize)> = t
        .progress
        .teams
        .iter()
        .map(|p| (p.team.as_ref().unwrap().name.clone(), p.done, p.total))
        .collect();
    assert_eq!(teams, [("team-a".into(), 1, 2), ("team-b".into(), 1, 2)]);
    // Initiative files are not catalog entities.
    assert!(
        checked
            .loaded
            .catalog
            .files
            .iter()
            .all(|f| !f.starts_with("initiatives/"))
    );
}

#[test]
fn after_the_deadline_the_asked_checks_fail_check_on_covered_entities_only() {
    let dir = fleet(OPS_LINKS);
    let severity_of = |today: &str, entity: &str, check: &str| {
        let c = check_at(dir.path(), today);
        c.diagnostics
            .iter()
            .find(|d| {
                d.code == Code::CheckFailed
                    && d.message.contains(&format!("component:default/{entity}`"))
                    && d.message.contains(check)
            })
            .map(|d| (d.severity, d.help.clone().unwrap_or_default()))
    };
    // On the deadline day it is still advisory; the day after, required.
    let (sev, _) = severity_of("2027-01-31", "b1", "runbook-link").unwrap();
    assert_eq!(sev, Severity::Warning);
    let (sev, help) = severity_of("2027-02-01", "b1", "runbook-link").unwrap();
    assert_eq!(sev, Severity::Error);
    assert!(
        help.contains("initiative `ops-links` passed its deadline 2027-01-31"),
        "{help}"
    );
    // A check the initiative does not ask for stays advisory.
    let (sev, _) = severity_of("2027-02-01", "b1", "production-readiness/docs").unwrap();
    assert_eq!(sev, Severity::Warning);
    // The CLI exits 1 from that day, 0 before.
    let root = dir.path().to_str().unwrap();
    let before = portolan(&["check", root, "--today", "2027-01-31"], &repo());
    assert_eq!(before.status.code(), Some(0), "{}", stdout(&before));
    let after = portolan(&["check", root, "--today", "2027-02-01"], &repo());
    assert_eq!(after.status.code(), Some(1));
    assert!(stdout(&after).contains("required since initiative `ops-links`"));
}

#[test]
fn an_initiative_outside_its_selector_enforces_nothing() {
    let narrow = OPS_LINKS.replace(
        "  kind: component\n",
        "  kind: component\n  tags: [tier-1]\n",
    );
    let dir = fleet(&narrow);
    let c = check_at(dir.path(), "2027-06-01");
    assert!(
        c.diagnostics
            .iter()
            .all(|d| d.code != Code::CheckFailed || d.severity == Severity::Warning)
    );
    assert_eq!(c.scorecards.initiatives[0].progress.total, 0);
}

#[test]
fn report_prints_markdown_and_json_for_an_initiative_and_a_team() {
    let dir = fleet(OPS_LINKS);
    let root = dir.path().to_str().unwrap();
    let md = portolan(
        &[
            "report",
            root,
            "--initiative",
            "ops-links",
            "--today",
            "2026-12-01",
        ],
        &repo(),
    );
    assert_eq!(md.status.code(), Some(0));
    let text = stdout(&md);
    assert!(
        text.contains("**2 of 4 done (50%)** · deadline 2027-01-31 (61 days left)"),
        "{text}"
    );
    assert!(text.contains("| team-b | 1/2 | 1 |"), "{text}");
    assert!(
        text.contains("- `component:default/b1` (team-b): `dashboard-link`, `runbook-link`"),
        "{text}"
    );
    assert!(
        text.contains("[discussion](<https://chat.example/ops>)"),
        "{text}"
    );
    let json = portolan(
        &[
            "report",
            root,
            "--initiative",
            "ops-links",
            "--format",
            "json",
            "--today",
            "2026-12-01",
        ],
        &repo(),
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["initiative"]["progress"]["done"], 2);
    assert_eq!(
        doc["initiative"]["progress"]["left"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // The department's report rolls up both teams.
    let team = portolan(
        &["report", root, "--team", "dept", "--today", "2026-12-01"],
        &repo(),
    );
    let text = stdout(&team);
    assert!(
        text.contains("## Team report: dept (with 2 sub-teams)"),
        "{text}"
    );
    assert!(
        text.contains("Runbooks and dashboards: 2/4 of this team's entities done"),
        "{text}"
    );
    assert!(
        text.contains("| `production-readiness/dashboard-link`"),
        "{text}"
    );
    // Unknown subjects are usage errors.
    let bad = portolan(&["report", root, "--initiative", "nope"], &repo());
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("found: ops-links"));
    let bad = portolan(&["report", root, "--team", "ghost"], &repo());
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn report_markdown_keeps_catalog_text_inert() {
    let hostile = OPS_LINKS.replace(
        "title: Runbooks and dashboards",
        "title: \"[click](https://evil.example) <img src=x onerror=alert(1)> @channel **bold**\"",
    );
    let dir = fleet(&hostile);
    let out = portolan(
        &[
            "report",
            dir.path().to_str().unwrap(),
            "--initiative",
            "ops-links",
        ],
        &repo(),
    );
    let text = stdout(&out);
    let title = text.lines().next().unwrap();
    assert!(title.contains("\\[click\\]"), "{title}");
    assert!(title.contains("&lt;img"), "{title}");
    assert!(title.contains("\\*\\*bold\\*\\*"), "{title}");
    assert!(!title.contains("https://evil"), "{title}");
}

#[test]
fn the_team_view_orders_fixes_by_what_lifts_most_entities() {
    let dir = fleet(OPS_LINKS);
    let c = check_at(dir.path(), "2026-12-01");
    let dept = portolan::catalog::model::EntityRef::new("group", "default", "dept");
    let view = portolan::scorecard::team::view(&c.loaded.catalog, &c.scorecards, &dept);
    assert_eq!(view.teams.len(), 3, "the department and its two teams");
    assert_eq!(view.entities, 4);
    // Every fix lists its failing entities, and the order is by entities
    // lifted a level on their own, then by entities needing it.
    for pair in view.fixes.windows(2) {
        assert!((pair[0].unlocks, pair[0].blocks_next) >= (pair[1].unlocks, pair[1].blocks_next));
    }
    let dash = view
        .fixes
        .iter()
        .find(|f| f.check == "dashboard-link")
        .unwrap();
    let names: Vec<&str> = dash.entities.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["a2", "b1"]);
    // Rows: closest to the next level first.
    for pair in view.rows.windows(2) {
        let key = |r: &portolan::scorecard::team::Row| (r.next.is_none(), r.to_next.len());
        assert!(key(&pair[0]) <= key(&pair[1]));
    }
}

#[test]
fn the_portal_has_initiative_pages_and_team_and_entity_sections() {
    let dir = fleet(OPS_LINKS);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = build(dir.path(), &site);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let read = |p: &str| std::fs::read_to_string(site.join(p)).unwrap();
    let index = read("initiatives/index.html");
    assert!(index.contains("Runbooks and dashboards"));
    let page = read("initiatives/ops-links/index.html");
    for text in [
        "2 / 4",
        "days to the deadline",
        "id=\"teams\"",
        "id=\"left\"",
        "How to fix",
        "2 of 4 done today",
    ] {
        assert!(page.contains(text), "initiative page lacks {text}");
    }
    assert!(page.contains("../../catalog/default/component/b1/index.html"));
    let team = read("catalog/default/group/dept/index.html");
    assert!(team.contains("id=\"team-scorecards\""));
    assert!(team.contains("this team: 2 of 4 done"), "sub-teams roll up");
    assert!(team.contains("How to fix"));
    let entity = read("catalog/default/component/b1/index.html");
    assert!(entity.contains("id=\"initiatives\""));
    assert!(entity.contains("still to do:"));
    let done = read("catalog/default/component/a1/index.html");
    assert!(done.contains("✓ done"));
}

#[test]
fn broken_initiatives_are_diagnostics_with_lines() {
    let bad = "title: [not, a, string]\nowner: nobody-here\nasks: []\nstart: 2026-13-01\ndeadline: soon\n";
    let dir = fleet(bad);
    let c = check_at(dir.path(), "2026-12-01");
    let found: Vec<(Code, u32)> = c
        .diagnostics
        .iter()
        .filter(|d| {
            d.span
                .as_ref()
                .is_some_and(|s| s.file == "initiatives/ops-links.yaml")
        })
        .map(|d| (d.code, d.span.as_ref().unwrap().line))
        .collect();
    assert_eq!(
        found,
        [
            (Code::InitiativeInvalid, 1),
            (Code::InitiativeUnknownRef, 2),
            (Code::InitiativeInvalid, 3),
            (Code::InitiativeInvalid, 4),
            (Code::InitiativeInvalid, 5),
        ]
    );
    assert!(c.scorecards.initiatives.is_empty());
}
