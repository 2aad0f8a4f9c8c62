//! What Backstage accepts, Portolan accepts: catalogs shaped like real ones
//! that Backstage ingests load here too, with at most a warning.

mod common;
use common::*;
use portolan::catalog::{self, model::EntityRef, model::RelationType};
use portolan::diagnostics::{Code, Severity};

fn r(s: &str) -> EntityRef {
    EntityRef::parse(s, None, "default").unwrap()
}

fn has(l: &catalog::Loaded, from: &str, rel: RelationType, to: &str) -> bool {
    l.catalog
        .relations_of(&r(from))
        .any(|x| x.kind == rel && x.target == r(to))
}

fn codes(l: &catalog::Loaded) -> Vec<(Code, String, u32)> {
    l.diagnostics
        .iter()
        .map(|d| {
            let s = d.span.as_ref().unwrap();
            (d.code, s.file.clone(), s.line)
        })
        .collect()
}

#[test]
fn a_ref_to_another_kind_is_a_warning_and_keeps_its_relation() {
    let root = repo().join("tests/fixtures/wrong-ref-kind");
    let l = catalog::load(&root).unwrap();
    assert!(
        l.diagnostics
            .iter()
            .all(|d| d.code == Code::WrongRefKind && d.severity == Severity::Warning),
        "{:?}",
        l.diagnostics
    );
    assert_eq!(l.diagnostics.len(), 2);
    assert!(has(
        &l,
        "component:svc",
        RelationType::OwnedBy,
        "domain:payments"
    ));
    assert!(has(
        &l,
        "domain:payments",
        RelationType::OwnerOf,
        "component:svc"
    ));
    assert!(has(
        &l,
        "component:svc",
        RelationType::PartOf,
        "domain:payments"
    ));
    // `check` passes, and `build` renders the unusual owner.
    let run = portolan(
        &["check", root.to_str().unwrap(), "--no-scorecards"],
        &repo(),
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let out = tempfile::tempdir().unwrap();
    let built = build(&root, &out.path().join("site"));
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));

    // A ref of the wrong kind that does not exist either is dangling (an
    // error), and its help says which kinds the field expects.
    let dir = catalog(&[
        ("group.yaml", GROUP),
        ("svc.yaml", &component("svc", "domain:nowhere")),
    ]);
    let l = catalog::load(dir.path()).unwrap();
    assert_eq!(codes(&l), vec![(Code::DanglingRef, "svc.yaml".into(), 8)]);
    let help = l.diagnostics[0].help.as_deref().unwrap();
    assert!(
        help.contains("`spec.owner` should point at a Group or User"),
        "{help}"
    );
}

#[test]
fn a_duplicate_definition_is_fully_checked_but_does_not_win_the_page() {
    let first = component("payments", "team-a");
    // The second definition has its own dangling owner, a dangling
    // dependency, a type error and a ref to a real entity.
    let second = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\nspec:\n  type: service\n  lifecycle: [production]\n  owner: team-b\n  dependsOn:\n    - resource:ledger-db\n    - component:checkout\n";
    let dir = catalog(&[
        ("group.yaml", GROUP),
        ("a/catalog-info.yaml", &first),
        ("b/catalog-info.yaml", second),
        ("checkout.yaml", &component("checkout", "team-a")),
    ]);
    let l = catalog::load(dir.path()).unwrap();
    let mut found = codes(&l);
    found.sort();
    assert_eq!(
        found,
        vec![
            (Code::DanglingRef, "b/catalog-info.yaml".into(), 8),
            (Code::DanglingRef, "b/catalog-info.yaml".into(), 10),
            (Code::WrongType, "b/catalog-info.yaml".into(), 7),
            (Code::DuplicateEntity, "a/catalog-info.yaml".into(), 4),
            (Code::DuplicateEntity, "b/catalog-info.yaml".into(), 4),
        ]
    );
    // Each E0110 names the other file, and neither calls itself the original.
    for d in l
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::DuplicateEntity)
    {
        let here = &d.span.as_ref().unwrap().file;
        let other = if here == "a/catalog-info.yaml" {
            "b/catalog-info.yaml"
        } else {
            "a/catalog-info.yaml"
        };
        assert_eq!(
            d.message,
            format!("`component:default/payments` is also defined in `{other}`")
        );
        assert_eq!(d.related.len(), 1);
        assert_eq!(d.related[0].span.file, other);
        assert_eq!(d.related[0].message, "also defined here");
    }
    // Without git history neither definition is the entity (a file name
    // must not decide it): the ref is a conflict holding both, and neither
    // definition adds relations.
    assert!(l.catalog.get(&r("component:payments")).is_none());
    let defs: Vec<&str> = l.catalog.conflicts[&r("component:payments")]
        .iter()
        .map(|e| e.file.as_str())
        .collect();
    assert_eq!(defs, ["a/catalog-info.yaml", "b/catalog-info.yaml"]);
    assert!(!has(
        &l,
        "component:payments",
        RelationType::OwnedBy,
        "group:team-a"
    ));
    assert!(!has(
        &l,
        "component:payments",
        RelationType::DependsOn,
        "component:checkout"
    ));
    assert!(
        l.catalog
            .relations_of(&r("component:checkout"))
            .all(|x| x.kind != RelationType::DependencyOf)
    );
}

#[test]
fn a_url_location_with_a_relative_target_reads_the_file_next_to_it() {
    let location = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  type: url\n  targets:\n    - ./catalog/all.yaml\n    - ./catalog/gone.yaml\n    - https://git.example.com/org/repo/blob/main/catalog-info.yaml\n";
    let all = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: all\nspec:\n  type: url\n  target: ./teams/team-a.yaml\n";
    let dir = catalog(&[
        // The folder is gitignored, so only the Locations lead to it.
        (".gitignore", "catalog/\n"),
        ("catalog-info.yaml", location),
        ("catalog/all.yaml", all),
        ("catalog/teams/team-a.yaml", GROUP),
        ("svc.yaml", &component("svc", "team-a")),
    ]);
    let l = catalog::load(dir.path()).unwrap();
    assert_eq!(
        codes(&l),
        vec![
            (Code::LocationTargetMissing, "catalog-info.yaml".into(), 9),
            (Code::RemoteLocation, "catalog-info.yaml".into(), 10),
        ]
    );
    assert!(l.catalog.get(&r("location:all")).is_some());
    assert!(has(
        &l,
        "component:svc",
        RelationType::OwnedBy,
        "group:team-a"
    ));
    assert!(
        l.catalog
            .files
            .contains(&"catalog/teams/team-a.yaml".to_owned())
    );
}

#[test]
fn openapi_and_asyncapi_placeholders_read_local_files_and_keep_urls() {
    let root = repo().join("tests/fixtures/substitution");
    let l = catalog::load(&root).unwrap();
    let mut found = codes(&l);
    found.sort();
    assert_eq!(
        found,
        vec![
            (Code::Substitution, "api.yaml".into(), 10),
            (Code::Substitution, "apis/shipping-events.yaml".into(), 10),
        ]
    );
    // A local `$openapi` is embedded like `$text`, and the entity depends on the file.
    let orders = l.catalog.get(&r("api:orders-api")).unwrap();
    let definition = orders.str_at(&["spec", "definition"]).unwrap();
    assert!(definition.starts_with("openapi: 3.0.3\n"), "{definition}");
    assert!(definition.contains("List orders"), "{definition}");
    assert_eq!(orders.includes, vec!["apis/orders.openapi.yaml".to_owned()]);
    // A remote `$asyncapi` stays in place as a map, for the API page to link.
    let events = l.catalog.get(&r("api:order-events")).unwrap();
    assert_eq!(
        events.str_at(&["spec", "definition", "$asyncapi"]),
        Some("https://git.example.com/shop/orders/raw/main/asyncapi.yaml")
    );
    // The schema check accepts a remote `$openapi` map in `spec.definition`
    // and still refuses a map that is no placeholder.
    let api = |definition: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: pay\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    {definition}\n"
        )
    };
    let dir = catalog(&[
        ("group.yaml", GROUP),
        ("a.yaml", &api("$openapi: https://example.com/pay.yaml")),
    ]);
    let l = catalog::load(dir.path()).unwrap();
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    let dir = catalog(&[
        ("group.yaml", GROUP),
        ("a.yaml", &api("$swagger: https://example.com/pay.yaml")),
    ]);
    let l = catalog::load(dir.path()).unwrap();
    assert_eq!(codes(&l), vec![(Code::WrongType, "a.yaml".into(), 10)]);
    // The portal builds with both kinds of definition.
    let out = tempfile::tempdir().unwrap();
    let built = build(&root, &out.path().join("site"));
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
}

#[test]
fn an_empty_member_of_or_members_list_is_not_a_mismatch() {
    let root = repo().join("tests/fixtures/membership-mismatch");
    let l = catalog::load(&root).unwrap();
    // Only bob, who writes `memberOf: [team-a]` while team-a's non-empty list leaves him out.
    assert_eq!(
        codes(&l),
        vec![(Code::MembershipMismatch, "org.yaml".into(), 22)]
    );
    // Both sides are merged, as in Backstage.
    assert!(has(
        &l,
        "user:carol",
        RelationType::MemberOf,
        "group:team-a"
    ));
    assert!(has(
        &l,
        "group:team-a",
        RelationType::HasMember,
        "user:carol"
    ));
    assert!(has(&l, "user:dave", RelationType::MemberOf, "group:team-b"));
    assert!(has(
        &l,
        "group:team-b",
        RelationType::HasMember,
        "user:dave"
    ));
}
