//! The help that dangling refs get where real catalogs go wrong: owners
//! written as email addresses, a team in another namespace, typos, and
//! names that are merely similar.

mod common;
use common::*;
use portolan::catalog;
use portolan::diagnostics::{Code, Diagnostic};

fn group(name: &str, namespace: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  type: team\n  children: []\n"
    )
}

/// The one diagnostic of `code` that the catalog gives.
fn only(files: &[(&str, &str)], code: Code) -> Diagnostic {
    let dir = catalog(files);
    let l = catalog::load(dir.path()).unwrap();
    let found: Vec<&Diagnostic> = l.diagnostics.iter().filter(|d| d.code == code).collect();
    assert_eq!(found.len(), 1, "{:?}", l.diagnostics);
    found[0].clone()
}

fn help(d: &Diagnostic) -> &str {
    d.help.as_deref().unwrap()
}

#[test]
fn an_email_owner_is_told_to_write_a_user_not_to_add_an_entity() {
    let svc = component("svc", "jane.doe@example.com");
    let d = only(
        &[("group.yaml", GROUP), ("svc.yaml", &svc)],
        Code::DanglingRef,
    );
    assert_eq!(
        d.message,
        "`spec.owner: jane.doe@example.com` is not an entity reference: entity names cannot contain `@`"
    );
    assert_eq!(d.span.as_ref().unwrap().line, 8);
    assert!(help(&d).contains("not by email"), "{}", help(&d));
    assert!(
        help(&d).contains("spec.profile.email: jane.doe@example.com")
            && help(&d).contains("`owner: user:jane.doe`"),
        "{}",
        help(&d)
    );
    assert!(!help(&d).contains("add the entity"), "{}", help(&d));

    // When the person already is a User, the help names it.
    let user = "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: jane.doe\nspec:\n  memberOf: [team-a]\n";
    let d = only(
        &[
            ("group.yaml", GROUP),
            ("user.yaml", user),
            ("svc.yaml", &svc),
        ],
        Code::DanglingRef,
    );
    assert!(
        help(&d).contains("`user:default/jane.doe` exists, write `owner: user:jane.doe`"),
        "{}",
        help(&d)
    );
}

#[test]
fn a_team_in_another_namespace_is_named_with_the_fix() {
    let svc = component("svc", "team-x");
    let d = only(
        &[
            ("group.yaml", &group("team-x", "platform")),
            ("svc.yaml", &svc),
        ],
        Code::DanglingRef,
    );
    assert!(
        help(&d).contains(
            "no Group named `team-x` in namespace `default`, but `group:platform/team-x` exists: write `owner: group:platform/team-x`"
        ),
        "{}",
        help(&d)
    );
}

#[test]
fn did_you_mean_offers_only_close_names_in_both_directions() {
    // Far apart, whichever of the two is missing.
    for (exists, written) in [
        ("team-honeybadger", "team-hydra"),
        ("team-hydra", "team-honeybadger"),
    ] {
        let d = only(
            &[
                ("group.yaml", &group(exists, "default")),
                ("svc.yaml", &component("svc", written)),
            ],
            Code::DanglingRef,
        );
        assert!(
            !help(&d).contains("did you mean"),
            "`{written}` must not suggest `{exists}`: {}",
            help(&d)
        );
        assert!(help(&d).contains("add the entity"), "{}", help(&d));
    }
    // One edit (a transposition counts as one), whichever is longer.
    for (exists, written) in [
        ("payments-team", "payment-team"),
        ("payment-team", "payments-team"),
        ("team-hydra", "team-hdyra"),
    ] {
        let d = only(
            &[
                ("group.yaml", &group(exists, "default")),
                ("svc.yaml", &component("svc", written)),
            ],
            Code::DanglingRef,
        );
        assert!(
            help(&d).contains(&format!("did you mean `{exists}`?")),
            "`{written}` should suggest `{exists}`: {}",
            help(&d)
        );
    }
}

#[test]
fn an_empty_catalog_info_is_a_warning_wherever_it_is_read_from() {
    let dir = catalog(&[
        ("group.yaml", GROUP),
        // Read through a Location from a gitignored folder, as well as by discovery.
        (".gitignore", "vendored/\n"),
        (
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets: [./vendored/catalog-info.yaml]\n",
        ),
        ("vendored/catalog-info.yaml", "\n\n# nothing yet\n"),
        ("services/a/Catalog-Info.YAML", ""),
        ("services/a/openapi.yaml", ""),
    ]);
    let l = catalog::load(dir.path()).unwrap();
    let found: Vec<(Code, &str, u32)> = l
        .diagnostics
        .iter()
        .map(|d| {
            let s = d.span.as_ref().unwrap();
            (d.code, s.file.as_str(), s.line)
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (Code::EmptyCatalogFile, "services/a/Catalog-Info.YAML", 1),
            (Code::EmptyCatalogFile, "vendored/catalog-info.yaml", 1),
        ]
    );
    assert!(
        l.diagnostics
            .iter()
            .all(|d| d.severity == portolan::diagnostics::Severity::Warning)
    );
    assert!(l.diagnostics[1].message.contains("holds only comments"));
}

#[test]
fn a_self_dependency_is_a_warning_and_draws_no_self_loop() {
    use portolan::catalog::model::{EntityRef, RelationType};
    let root = repo().join("tests/fixtures/self-dependency");
    let l = catalog::load(&root).unwrap();
    assert!(l.diagnostics.iter().all(|d| d.code == Code::SelfDependency
        && d.severity == portolan::diagnostics::Severity::Warning));
    let checkout = EntityRef::parse("component:checkout", None, "default").unwrap();
    let db = EntityRef::parse("resource:checkout-db", None, "default").unwrap();
    assert!(
        l.catalog
            .relations_of(&checkout)
            .all(|r| r.target != checkout)
    );
    assert!(l.catalog.relations_of(&db).all(|r| r.target != db));
    // The real dependency, written on both sides, is still there.
    assert!(
        l.catalog
            .relations_of(&checkout)
            .any(|r| r.kind == RelationType::DependsOn && r.target == db)
    );
    let run = portolan(
        &["check", root.to_str().unwrap(), "--no-scorecards"],
        &repo(),
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
}

#[test]
fn an_at_sign_outside_people_fields_gets_the_ordinary_help() {
    let svc = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  dependsOn: [resource:db@primary]\n";
    let d = only(
        &[("group.yaml", GROUP), ("svc.yaml", svc)],
        Code::DanglingRef,
    );
    assert!(
        d.message.contains("which is not in the catalog"),
        "{}",
        d.message
    );
    assert!(!help(&d).contains("email"), "{}", help(&d));
}
