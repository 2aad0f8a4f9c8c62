//! Loading behaviour: discovery, relations, Locations, compatibility with
//! Backstage's own examples, and hostile input.

mod common;
use common::*;
use portolan::catalog::{self, model::EntityRef, model::RelationType};
use portolan::diagnostics::Code;

fn r(s: &str) -> EntityRef {
    EntityRef::parse(s, None, "default").unwrap()
}

fn has(l: &catalog::Loaded, from: &str, rel: RelationType, to: &str) -> bool {
    l.catalog
        .relations_of(&r(from))
        .any(|x| x.kind == rel && x.target == r(to))
}

const ORG: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: org}
spec: {type: organization, children: [Payments]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments}
spec: {type: team, parent: org, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: jane}
spec: {memberOf: [PAYMENTS]}
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata: {name: money}
spec: {owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: billing}
spec: {owner: payments, domain: money}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: pay-api}
spec: {type: openapi, lifecycle: production, owner: payments, system: billing, definition: "openapi: 3.0.0"}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: pay-db}
spec: {type: database, owner: payments, system: billing}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: pay-svc}
spec:
  type: service
  lifecycle: production
  owner: Payments
  system: billing
  providesApis: [pay-api]
  dependsOn: [resource:pay-db]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout}
spec:
  type: website
  lifecycle: production
  owner: user:jane
  subcomponentOf: pay-svc
  consumesApis: [api:default/pay-api]
"#;

#[test]
fn all_seven_relation_pairs_are_derived_in_both_directions() {
    let dir = catalog(&[("org.yaml", ORG)]);
    let l = catalog::load(dir.path()).unwrap();
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    use RelationType::*;
    let pairs = [
        ("component:pay-svc", OwnedBy, "group:payments"),
        ("component:pay-svc", PartOf, "system:billing"),
        ("system:billing", PartOf, "domain:money"),
        ("component:checkout", PartOf, "component:pay-svc"),
        ("component:pay-svc", DependsOn, "resource:pay-db"),
        ("component:pay-svc", ProvidesApi, "api:pay-api"),
        ("component:checkout", ConsumesApi, "api:pay-api"),
        ("user:jane", MemberOf, "group:payments"),
        ("group:org", ParentOf, "group:payments"),
        ("group:payments", ChildOf, "group:org"),
        ("component:checkout", OwnedBy, "user:jane"),
    ];
    for (from, rel, to) in pairs {
        assert!(has(&l, from, rel, to), "{from} {} {to}", rel.name());
        assert!(
            has(&l, to, rel.inverse(), from),
            "{to} {} {from}",
            rel.inverse().name()
        );
    }
}

#[test]
fn refs_inherit_the_namespace_of_the_referring_entity() {
    let dir = catalog(&[
        (
            "a.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: ops, namespace: infra}\nspec: {type: team, children: []}\n",
        ),
        (
            "b.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc, namespace: infra}\nspec: {type: service, lifecycle: production, owner: ops}\n",
        ),
        (
            "c.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc2}\nspec: {type: service, lifecycle: production, owner: ops}\n",
        ),
    ]);
    let l = catalog::load(dir.path()).unwrap();
    assert!(has(
        &l,
        "component:infra/svc",
        RelationType::OwnedBy,
        "group:infra/ops"
    ));
    // svc2 lives in `default`, so `ops` means group:default/ops, which does not exist.
    let codes: Vec<_> = l
        .diagnostics
        .iter()
        .map(|d| (d.code, d.span.as_ref().unwrap().file.as_str()))
        .collect();
    assert_eq!(codes, vec![(Code::DanglingRef, "c.yaml")]);
}

#[test]
fn discovery_honours_gitignore_and_skips_noise_quietly() {
    let dir = catalog(&[
        ("group.yaml", GROUP),
        (".gitignore", "generated/\n"),
        (
            "generated/bad.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\n",
        ),
        (
            "node_modules/pkg/bad.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\n",
        ),
        (
            "target/bad.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\n",
        ),
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
        ),
        (
            "openapi.yaml",
            "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\n",
        ),
        ("mkdocs.yml", "site_name: x\nnav:\n  - index.md\n"),
        (
            "deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
        ),
        (
            "chart/templates/svc.yaml",
            "metadata:\n  name: {{ .Release.Name }}\n  {{- include \"x\" . }}\n: bad",
        ),
        ("svc.yml", &component("svc", "team-a")),
    ]);
    let l = catalog::load(dir.path()).unwrap();
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    assert_eq!(l.catalog.entities.len(), 2);
}

#[test]
fn include_and_exclude_globs_come_from_portolan_toml() {
    let dir = catalog(&[
        (
            "portolan.toml",
            "[catalog]\ninclude = [\"catalog/**/*.yaml\"]\nexclude = [\"catalog/legacy/**\"]\n",
        ),
        ("catalog/group.yaml", GROUP),
        (
            "catalog/legacy/old.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\n",
        ),
        ("elsewhere/svc.yaml", &component("svc", "nobody")),
    ]);
    let l = catalog::load(dir.path()).unwrap();
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    assert_eq!(
        l.catalog
            .entities
            .keys()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        vec!["group:default/team-a"]
    );
}

#[test]
fn location_targets_are_read_even_when_discovery_skipped_them() {
    let dir = catalog(&[
        (".gitignore", "vendored/\n"),
        (
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: root}\nspec:\n  targets: [./group.yaml, ./vendored/svc.yaml]\n",
        ),
        ("group.yaml", GROUP),
        ("vendored/svc.yaml", &component("svc", "team-a")),
    ]);
    let l = catalog::load(dir.path()).unwrap();
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    assert!(l.catalog.get(&r("component:svc")).is_some());
}

#[test]
fn text_substitution_reads_inside_root_only() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(outer.path().join("secret.yaml"), "top secret").unwrap();
    let root = outer.path().join("catalog");
    std::fs::create_dir_all(root.join("apis")).unwrap();
    std::fs::write(root.join("group.yaml"), GROUP).unwrap();
    std::fs::write(root.join("apis/openapi.yaml"), "openapi: 3.0.0\n").unwrap();
    let api = |name: &str, path: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {{name: {name}}}\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: {path}\n"
        )
    };
    std::fs::write(root.join("apis/good.yaml"), api("good", "./openapi.yaml")).unwrap();
    std::fs::write(
        root.join("apis/escape.yaml"),
        api("escape", "../../secret.yaml"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outer.path().join("secret.yaml"), root.join("apis/link.txt"))
        .unwrap();
    std::fs::write(
        root.join("apis/via-link.yaml"),
        api("via-link", "./link.txt"),
    )
    .unwrap();
    let l = catalog::load(&root).unwrap();
    let good = l.catalog.get(&r("api:good")).unwrap();
    assert_eq!(
        good.str_at(&["spec", "definition"]),
        Some("openapi: 3.0.0\n")
    );
    for name in ["api:escape", "api:via-link"] {
        let e = l.catalog.get(&r(name)).unwrap();
        assert_ne!(e.str_at(&["spec", "definition"]), Some("top secret"));
    }
    let codes: Vec<_> = l
        .diagnostics
        .iter()
        .map(|d| (d.code, d.span.as_ref().unwrap().file.clone()))
        .collect();
    assert_eq!(
        codes,
        vec![
            (Code::LocationOutsideRoot, "apis/escape.yaml".into()),
            // Every link out of ROOT is reported, whatever its name.
            (Code::SymlinkEscape, "apis/link.txt".into()),
            (Code::LocationOutsideRoot, "apis/via-link.yaml".into())
        ]
    );
}

#[test]
fn all_problems_are_reported_in_one_run() {
    let dir = catalog(&[
        ("group.yaml", GROUP),
        (
            "a.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: -bad-\n  tags: [Java]\n  links: [{url: 'nope'}]\nspec:\n  type: service\n  owner: api:x\n",
        ),
        ("b.yaml", &component("b", "ghost")),
    ]);
    let l = catalog::load(dir.path()).unwrap();
    let mut codes: Vec<_> = l.diagnostics.iter().map(|d| d.code.code()).collect();
    codes.sort();
    // invalid name, invalid tag, invalid url, missing lifecycle in a.yaml; dangling owner in b.yaml.
    assert_eq!(codes, vec!["E0102", "E0103", "E0105", "E0107", "E0113"]);
}

#[test]
fn backstage_example_catalog_loads_with_only_its_real_findings() {
    let Some(root) = compat("backstage-examples") else {
        return;
    };
    let l = catalog::load(&root).unwrap();
    let found: Vec<_> = l
        .diagnostics
        .iter()
        .map(|d| (d.code, d.span.as_ref().unwrap().file.as_str()))
        .collect();
    assert_eq!(
        found,
        // AiResource is a kind @backstage/catalog-model 1.10.3 validates, so
        // it loads (generically) without a diagnostic.
        vec![
            (Code::LocationTargetMissing, "all-apis.yaml"),
            (Code::DanglingRef, "components/petstore-component.yaml"),
            (
                Code::DanglingRef,
                "components/playback-order-component.yaml"
            ),
        ]
    );
    assert_eq!(
        l.catalog.entities.len(),
        64,
        "user:guest exists in two namespaces, so both load"
    );
    // The AiResource loads as a generic entity with relations from common fields.
    assert!(has(
        &l,
        "airesource:frontend-design",
        RelationType::OwnedBy,
        "group:team-a"
    ));
    // $text substitution from a local file.
    let hook = l.catalog.get(&r("api:petstore-webhook")).unwrap();
    assert!(
        hook.str_at(&["spec", "definition"])
            .unwrap()
            .contains("openapi")
    );
}

#[test]
fn backstage_create_app_example_loads_clean() {
    let Some(root) = compat("backstage-create-app") else {
        return;
    };
    let l = catalog::load(&root).unwrap();
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    assert_eq!(l.catalog.entities.len(), 6);
    assert!(
        l.catalog
            .get(&r("template:example-nodejs-template"))
            .is_some()
    );
}

#[test]
fn hostile_catalog_gives_one_error_per_bad_file_and_checks_the_rest() {
    let dir = catalog(&[
        ("group.yaml", GROUP),
        ("good-1.yaml", &component("good-1", "team-a")),
        ("good-2.yaml", &component("good-2", "team-b")),
    ]);
    let p = dir.path();
    let mut bomb = String::from(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: bomb\n  annotations:\n    a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..10 {
        bomb.push_str(&format!(
            "    a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(", ")
        ));
    }
    std::fs::write(p.join("bomb.yaml"), bomb).unwrap();
    let mut big = String::from(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: big\n  description: ",
    );
    big.push_str(&"x".repeat(50 * 1024 * 1024));
    std::fs::write(p.join("big.yaml"), big).unwrap();
    std::fs::write(
        p.join("binary.yaml"),
        [0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 0xff, 0xfe],
    )
    .unwrap();
    std::os::unix::fs::symlink("loop-b.yaml", p.join("loop-a.yaml")).unwrap();
    std::os::unix::fs::symlink("loop-a.yaml", p.join("loop-b.yaml")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", p.join("passwd.yaml")).unwrap();
    std::os::unix::fs::symlink("/etc", p.join("outside")).unwrap();
    let l = catalog::load(p).unwrap();
    let found: Vec<_> = l
        .diagnostics
        .iter()
        .map(|d| (d.code, d.span.as_ref().unwrap().file.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (Code::FileTooLarge, "big.yaml"),
            (Code::NotUtf8, "binary.yaml"),
            (Code::YamlBudget, "bomb.yaml"),
            (Code::DanglingRef, "good-2.yaml"),
            (Code::SymlinkLoop, "loop-a.yaml"),
            (Code::SymlinkLoop, "loop-b.yaml"),
            (Code::SymlinkEscape, "outside"),
            (Code::SymlinkEscape, "passwd.yaml"),
        ]
    );
    assert_eq!(
        l.catalog.entities.len(),
        3,
        "the good files are still checked"
    );
}

#[test]
fn a_link_to_a_file_that_is_read_anyway_does_not_duplicate_it() {
    let dir = catalog(&[
        ("group.yaml", GROUP),
        ("v2/svc.yaml", &component("svc", "team-a")),
    ]);
    std::os::unix::fs::symlink("v2/svc.yaml", dir.path().join("current.yaml")).unwrap();
    // A link to a file discovery would not read on its own is read under the link's name.
    std::fs::write(dir.path().join("other.txt"), component("other", "team-a")).unwrap();
    std::os::unix::fs::symlink("other.txt", dir.path().join("other.yaml")).unwrap();
    let l = catalog::load(dir.path()).unwrap();
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    assert_eq!(
        l.catalog.get(&r("component:svc")).unwrap().file,
        "v2/svc.yaml"
    );
    assert_eq!(
        l.catalog.get(&r("component:other")).unwrap().file,
        "other.yaml"
    );
}

#[test]
fn a_list_of_entities_in_one_document_is_an_error_not_a_silent_skip() {
    let text = format!("- {}", component("svc", "team-a").replace('\n', "\n  "));
    let dir = catalog(&[("group.yaml", GROUP), ("list.yaml", &text)]);
    let l = catalog::load(dir.path()).unwrap();
    let found: Vec<_> = l
        .diagnostics
        .iter()
        .map(|d| (d.code, d.span.as_ref().unwrap().line))
        .collect();
    assert_eq!(found, vec![(Code::WrongType, 1)]);
}

#[test]
fn a_location_target_that_is_a_directory_says_so() {
    let dir = catalog(&[
        ("group.yaml", GROUP),
        ("team/svc.yaml", &component("svc", "team-a")),
        (
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: root}\nspec:\n  targets: [./group.yaml, ./team]\n",
        ),
    ]);
    let l = catalog::load(dir.path()).unwrap();
    assert_eq!(l.diagnostics.len(), 1, "{:?}", l.diagnostics);
    assert_eq!(l.diagnostics[0].code, Code::LocationTargetMissing);
    assert!(l.diagnostics[0].message.contains("is a directory"));
}
