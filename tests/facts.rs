//! The facts stage: the quick-answers panel and the checks that ask for a
//! quick answer agree, on the example catalog and Backstage's own.

mod common;

use common::{compat, repo};
use portolan::pipeline::{self, Options};
use portolan::scorecard::eval::Outcome;
use portolan::site::model::SiteModel;

fn options() -> Options {
    Options {
        scorecards: true,
        today: portolan::date::Date::parse("2026-06-01").unwrap(),
    }
}

/// For every entity and every check declaring `custom.answers`, the panel
/// shows the item exactly when the check passes. Returns how many
/// (entity, check) pairs were compared.
fn panel_agrees_with_checks(root: &std::path::Path) -> usize {
    let checked = pipeline::check(root, options()).unwrap();
    let model = SiteModel::new(&checked, None);
    let mut compared = 0;
    let mut disagreements = Vec::new();
    for (r, e) in &checked.loaded.catalog.entities {
        let ctx = portolan::site::entity::context(&model, e);
        for standing in model.standings_of(r) {
            let card = model.scorecard_by_id[standing.scorecard.as_str()];
            for result in &standing.checks {
                let check = card.checks.iter().find(|c| c.id == result.id).unwrap();
                let Some(item) = check.answers.as_deref() else {
                    continue;
                };
                let passes = match &result.outcome {
                    Outcome::Pass => true,
                    Outcome::Fail { .. } => false,
                    Outcome::Waived { .. } | Outcome::Error { .. } | Outcome::NotJudged { .. } => {
                        continue;
                    }
                };
                // The owner row shows the contact answer as its items.
                let key = if item == "contact" { "owner" } else { item };
                let shown = ctx.answers.iter().find(|a| a.key == key).map(|a| {
                    if item == "contact" {
                        !a.items.is_empty()
                    } else {
                        !a.missing
                    }
                });
                let Some(shown) = shown else {
                    disagreements.push(format!(
                        "{r}: check {} asks for `{item}`, which the panel does not show",
                        check.id
                    ));
                    continue;
                };
                compared += 1;
                if shown != passes {
                    disagreements.push(format!(
                        "{r}: panel shows `{item}` = {shown}, check `{}` passes = {passes}",
                        check.id
                    ));
                }
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    compared
}

#[test]
fn the_panel_and_the_checks_agree_on_the_example_catalog() {
    let compared = panel_agrees_with_checks(&repo().join("example-catalog"));
    eprintln!("compared {compared} (entity, check) pairs");
    // 18 services × 7 answer checks: the comparison really ran.
    assert!(compared >= 100, "only {compared} comparisons");
}

#[test]
fn the_panel_and_the_checks_agree_on_backstages_catalogs() {
    let mut compared = 0;
    for name in ["backstage-examples", "backstage-create-app"] {
        let Some(root) = compat(name) else { return };
        compared += panel_agrees_with_checks(&root);
    }
    // backstage-examples has services; create-app's only component is a website.
    assert!(compared > 0, "nothing compared");
}

/// The cases that used to disagree: a chat annotation on the owner team, a
/// dashboard link known only by its title and icon, a runbook file, and a
/// remote TechDocs ref.
#[test]
fn answers_come_from_annotations_titles_icons_files_and_remote_docs() {
    let dir = common::catalog(&[
        (
            "team.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\n  annotations:\n    slack.com/channel: team-a\nspec:\n  type: team\n  children: []\n",
        ),
        (
            "svc/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  annotations:\n    backstage.io/techdocs-ref: url:https://docs.example.com/svc\n  links:\n    - url: https://grafana.example.com/d/svc\n      title: Dashboard\n      icon: dashboard\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
        ),
        ("svc/RUNBOOK.md", "# Runbook\n"),
    ]);
    let checked = pipeline::check(dir.path(), options()).unwrap();
    let svc = portolan::catalog::model::EntityRef::new("component", "default", "svc");
    let answers = checked.facts.answers_of(&svc).unwrap();
    for key in ["owner", "contact", "docs", "dashboard", "runbook"] {
        assert!(answers.present(key), "{key} should be answered");
    }
    assert!(!answers.present("deployment"));
    let docs = checked.facts.docs_of(&svc).unwrap();
    assert_eq!(docs.remote_url(), Some("https://docs.example.com/svc"));
    assert!(
        docs.present() && docs.pages_dir().is_none(),
        "remote docs are never a local folder"
    );
    let standing = checked
        .scorecards
        .standings
        .iter()
        .find(|s| s.entity == svc && s.scorecard == "production-readiness")
        .unwrap();
    for id in ["owner-contact", "dashboard-link", "runbook-link", "docs"] {
        let c = standing.checks.iter().find(|c| c.id == id).unwrap();
        assert!(matches!(c.outcome, Outcome::Pass), "{id}: {:?}", c.outcome);
    }
}

#[test]
fn local_docs_honour_mkdocs_yaml_and_docs_dir() {
    let dir = common::catalog(&[
        (
            "svc/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
        ),
        (
            "svc/mkdocs.yaml",
            "site_name: svc\ndocs_dir: pages\nmarkdown_extensions:\n  - pymdownx.superfences:\n      custom_fences:\n        - name: mermaid\n          format: !!python/name:pymdownx.superfences.fence_code_format\n",
        ),
        ("svc/pages/index.md", "# Svc\n"),
        ("svc/pages/guide/setup.md", "# Setup\n"),
        ("svc/docs/ignored.md", "# not the docs_dir\n"),
    ]);
    let checked = pipeline::check(dir.path(), options()).unwrap();
    let svc = portolan::catalog::model::EntityRef::new("component", "default", "svc");
    let docs = checked.facts.docs_of(&svc).unwrap();
    assert_eq!(docs.pages, 2);
    assert_eq!(docs.pages_dir().as_deref(), Some("svc/pages"));
    assert!(docs.present());
}
