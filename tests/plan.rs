//! The page plan: an entity page's dependencies name every entity it
//! shows, and re-rendering only the pages an edit affects gives the same
//! site as rendering everything again.

mod common;
use common::*;
use portolan::catalog::model::EntityRef;
use portolan::date::Date;
use portolan::pipeline::{self, Checked};
use portolan::site::{self, Changes, Deps, Family, MemoryOutput, PageSpec, Plan, theme::Theme};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn check(root: &Path) -> Checked {
    let options = pipeline::Options {
        scorecards: true,
        today: Date::parse("2026-11-28").unwrap(),
    };
    pipeline::check(root, options).expect("the catalog loads")
}

fn theme(checked: &Checked) -> Theme {
    let mut diags = Vec::new();
    let source = portolan::source::WorkTree::new(&checked.loaded.catalog.root).unwrap();
    let theme = site::theme::load(&source, &checked.loaded.config.site, &mut diags);
    assert!(diags.is_empty(), "{diags:?}");
    theme
}

/// Renders `pages` of `plan` into `out`.
fn render(plan: &Plan, pages: &[&PageSpec], out: &MemoryOutput) {
    site::render(plan, pages, &site::Options::default(), out).expect("the site renders");
}

/// The entity whose page `path` is (`catalog/<ns>/<kind>/<name>/index.html`).
fn entity_of_page(path: &str) -> Option<EntityRef> {
    let rest = path.strip_prefix("catalog/")?.strip_suffix("/index.html")?;
    match rest.split('/').collect::<Vec<_>>()[..] {
        [namespace, kind, name] => Some(EntityRef::new(kind, namespace, name)),
        _ => None,
    }
}

#[test]
fn an_entity_pages_deps_name_every_entity_it_links_to() {
    let checked = check(&repo().join("example-catalog"));
    let theme = theme(&checked);
    let plan = site::plan(&checked, &theme);
    let out = MemoryOutput::new();
    render(&plan, &plan.all(), &out);
    let (mut pages, mut links) = (0, 0);
    for spec in plan.pages() {
        if !matches!(spec.family, Family::EntityPage { .. }) {
            continue;
        }
        pages += 1;
        let deps = plan.deps(spec);
        let html = String::from_utf8(out.get(&spec.path).unwrap()).unwrap();
        for href in attrs(&html, "href") {
            let href = href.split('#').next().unwrap_or_default();
            if href.contains(':') {
                continue; // http(s), mailto
            }
            if let Some(r) = entity_of_page(&resolve(&spec.path, href)) {
                links += 1;
                assert!(
                    deps.names_entity(&r),
                    "{} links to {r}, which its deps do not name: {deps:?}",
                    spec.path
                );
            }
        }
    }
    assert_eq!(pages, checked.loaded.catalog.entities.len());
    assert!(links > 400, "only {links} entity links were checked");

    let orders = plan
        .pages()
        .iter()
        .find(|p| p.path == "catalog/default/component/orders-service/index.html")
        .unwrap();
    let deps = plan.deps(orders);
    for r in [
        "component:default/orders-service",
        "group:default/orders-team",
        "system:default/order-management",
        "api:default/orders-api",
        "resource:default/orders-db",
    ] {
        let r = EntityRef::parse(r, None, "default").unwrap();
        assert!(deps.names_entity(&r), "{r} is not in {deps:?}");
    }
    assert!(deps.names_file("services/orders-service/catalog-info.yaml"));
    assert!(!deps.names_file("services/rates-service/catalog-info.yaml"));
    let home = plan
        .pages()
        .iter()
        .find(|p| p.path == "index.html")
        .unwrap();
    assert_eq!(plan.deps(home), Deps::Everything);
}

#[test]
fn a_render_into_memory_equals_the_disk_build() {
    let checked = check(&repo().join("example-catalog"));
    let theme = theme(&checked);
    let plan = site::plan(&checked, &theme);
    let memory = MemoryOutput::new();
    render(&plan, &plan.all(), &memory);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let built = site::build(&checked, &theme, &out, &site::Options::default()).unwrap();
    let disk = tree(&out);
    assert_eq!(built.files, disk.len());
    assert_eq!(built.files, plan.pages().len());
    let memory = memory.into_files();
    assert_eq!(
        memory.keys().collect::<Vec<_>>(),
        disk.keys().collect::<Vec<_>>()
    );
    assert!(memory == disk, "the same paths, but different bytes");
}

/// Every entity's standings, as JSON, by ref.
fn standings(checked: &Checked) -> BTreeMap<EntityRef, String> {
    let mut out: BTreeMap<EntityRef, String> = BTreeMap::new();
    for s in &checked.scorecards.standings {
        out.entry(s.entity.clone())
            .or_default()
            .push_str(&serde_json::to_string(s).unwrap());
    }
    out
}

/// What an edit of `file` changed, the way `serve` would tell: the
/// entities in the file before and after, and every entity whose
/// standings moved.
fn changes(old: &Checked, new: &Checked, file: &str) -> Changes {
    let mut entities: BTreeSet<EntityRef> = [old, new]
        .iter()
        .flat_map(|c| c.loaded.catalog.entities.values())
        .filter(|e| e.file == file || e.includes.iter().any(|i| i == file))
        .map(|e| e.eref.clone())
        .collect();
    let (before, after) = (standings(old), standings(new));
    for r in before.keys().chain(after.keys()) {
        if before.get(r) != after.get(r) {
            entities.insert(r.clone());
        }
    }
    Changes {
        entities,
        files: BTreeSet::from([file.to_owned()]),
    }
}

/// Renders a copy of the example catalog, applies `edit` to `file`,
/// re-renders only the affected pages on top, and compares that with a
/// fresh render of the edited catalog. Returns the paths whose bytes
/// changed and the paths re-rendered.
fn rerender_after_edit(file: &str, edit: impl Fn(&str) -> String) -> (Vec<String>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("catalog");
    copy_dir(&repo().join("example-catalog"), &root);
    let old_checked = check(&root);
    let old_theme = theme(&old_checked);
    let old_plan = site::plan(&old_checked, &old_theme);
    let live = MemoryOutput::new();
    render(&old_plan, &old_plan.all(), &live);
    let before = live.snapshot();

    let text = std::fs::read_to_string(root.join(file)).unwrap();
    let edited = edit(&text);
    assert_ne!(text, edited, "the edit changes the file");
    std::fs::write(root.join(file), edited).unwrap();
    let new_checked = check(&root);
    let new_theme = theme(&new_checked);
    let new_plan = site::plan(&new_checked, &new_theme);

    let changes = changes(&old_checked, &new_checked, file);
    // An edit that removes a relation shows only in the old plan's deps.
    let paths: BTreeSet<&str> = old_plan
        .affected(&changes)
        .into_iter()
        .chain(new_plan.affected(&changes))
        .map(|p| p.path.as_str())
        .collect();
    let subset: Vec<&PageSpec> = new_plan
        .pages()
        .iter()
        .filter(|p| paths.contains(p.path.as_str()))
        .collect();
    let kept: BTreeSet<&str> = new_plan.pages().iter().map(|p| p.path.as_str()).collect();
    for gone in old_plan
        .pages()
        .iter()
        .filter(|p| !kept.contains(p.path.as_str()))
    {
        live.remove(&gone.path);
    }
    render(&new_plan, &subset, &live);

    let fresh = MemoryOutput::new();
    render(&new_plan, &new_plan.all(), &fresh);
    let (live, fresh) = (live.into_files(), fresh.into_files());
    assert_eq!(live.len(), fresh.len());
    for (path, bytes) in &fresh {
        assert!(
            live.get(path) == Some(bytes),
            "{path} differs from a full render after editing {file}"
        );
    }
    // The search index's files are written at plan time (their shards
    // depend on every word of the catalog) and re-writing them is a copy,
    // so they do not count here; everything else must be a small subset.
    let rendered = |pages: &[&portolan::site::PageSpec]| {
        pages
            .iter()
            .filter(|p| !p.path.starts_with("search/"))
            .count()
    };
    let all: Vec<&portolan::site::PageSpec> = new_plan.pages().iter().collect();
    assert!(
        rendered(&subset) < rendered(&all) / 2,
        "{} of {} files were re-rendered",
        rendered(&subset),
        rendered(&all)
    );
    let changed: Vec<String> = fresh
        .iter()
        .filter(|(path, bytes)| before.get(*path) != Some(*bytes))
        .map(|(path, _)| path.clone())
        .collect();
    let rerendered: Vec<String> = subset.iter().map(|p| p.path.clone()).collect();
    for path in &changed {
        assert!(
            rerendered.contains(path),
            "{path} changed but was not re-rendered"
        );
    }
    (changed, rerendered)
}

const ORDERS: &str = "services/orders-service/catalog-info.yaml";

#[test]
fn editing_a_description_re_renders_exactly_the_pages_that_read_it() {
    let (changed, rerendered) = rerender_after_edit(ORDERS, |text| {
        text.replace(
            "description: Books shipments,",
            "description: Books every shipment,",
        )
    });
    for page in [
        "catalog/default/component/orders-service/index.html",
        "api/entities/default/component/orders-service.json",
        // Lists orders-service (with its description) among its parts.
        "catalog/default/system/order-management/index.html",
    ] {
        assert!(changed.iter().any(|p| p == page), "{page} did not change");
    }
    // An entity that never mentions orders-service is left alone.
    let unrelated = "catalog/default/component/sms-sender/index.html";
    assert!(!rerendered.iter().any(|p| p == unrelated));
}

#[test]
fn editing_a_docs_config_re_renders_the_pages_that_list_the_docs() {
    let (changed, _) = rerender_after_edit("services/orders-service/mkdocs.yml", |text| {
        text.replace(
            "site_name: Orders Service\n",
            "site_name: Orders handbook\n",
        )
    });
    for page in [
        "catalog/default/component/orders-service/index.html",
        // Lists the docs sites of what the team owns.
        "catalog/default/group/orders-team/index.html",
    ] {
        assert!(changed.iter().any(|p| p == page), "{page} did not change");
    }
}

#[test]
fn removing_a_relation_re_renders_the_former_target() {
    let (changed, _) = rerender_after_edit(ORDERS, |text| {
        text.replace("    - component:kafka-client-kit\n", "")
    });
    // The library's page listed orders-service as a dependent; only the
    // plan from before the edit says so.
    let library = "catalog/default/component/kafka-client-kit/index.html";
    assert!(changed.iter().any(|p| p == library), "{changed:?}");
}

#[test]
fn a_changed_file_affects_its_entities_pages_and_the_summaries() {
    let checked = check(&repo().join("example-catalog"));
    let theme = theme(&checked);
    let plan = site::plan(&checked, &theme);
    assert!(plan.affected(&Changes::default()).is_empty());
    let changes = Changes {
        files: BTreeSet::from([ORDERS.to_owned()]),
        ..Changes::default()
    };
    let affected: Vec<&str> = plan
        .affected(&changes)
        .iter()
        .map(|p| p.path.as_str())
        .collect();
    let entity_files: Vec<&&str> = affected
        .iter()
        .filter(|p| p.starts_with("catalog/default/") || p.starts_with("api/entities/"))
        .collect();
    assert_eq!(
        entity_files,
        [
            &"catalog/default/component/orders-service/index.html",
            &"api/entities/default/component/orders-service.json"
        ]
    );
    for summary in ["index.html", "catalog/index.html", "health/index.html"] {
        assert!(affected.contains(&summary), "{summary}");
    }
    for untouched in [".portolan-site", "static/style.css"] {
        assert!(!affected.contains(&untouched), "{untouched}");
    }
}

#[test]
fn editing_a_substituted_definition_re_renders_its_api() {
    const DEFINITION: &str = "apis/billing-api/openapi.yaml";
    let checked = check(&repo().join("example-catalog"));
    let theme = theme(&checked);
    let plan = site::plan(&checked, &theme);
    let changes = Changes {
        files: BTreeSet::from([DEFINITION.to_owned()]),
        ..Changes::default()
    };
    let affected: Vec<&str> = plan
        .affected(&changes)
        .iter()
        .map(|p| p.path.as_str())
        .collect();
    assert!(affected.contains(&"catalog/default/api/billing-api/index.html"));
    assert!(affected.contains(&"api/entities/default/api/billing-api.json"));
    // The raw definition published next to the page.
    assert!(affected.contains(&"catalog/default/api/billing-api/definition.yaml"));
    let (changed, _) =
        rerender_after_edit(DEFINITION, |text| text.replace("title:", "title: Edited"));
    assert!(
        changed
            .iter()
            .any(|p| p == "api/entities/default/api/billing-api.json"),
        "the definition is in the API's export: {changed:?}"
    );
}

#[test]
fn editing_a_file_that_a_definitions_ref_reads_re_renders_its_api_page() {
    let dir = catalog(&[
        (
            "api.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: split\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./openapi.yaml\n",
        ),
        (
            "openapi.yaml",
            "openapi: 3.0.3\ninfo: {title: Split, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Pet: {$ref: 'schemas/pet.yaml#/Pet'}\n",
        ),
        ("schemas/pet.yaml", "Pet: {type: object}\n"),
    ]);
    let checked = check(dir.path());
    let theme = theme(&checked);
    let plan = site::plan(&checked, &theme);
    let changes = Changes {
        files: BTreeSet::from(["schemas/pet.yaml".to_owned()]),
        ..Changes::default()
    };
    let affected: Vec<&str> = plan
        .affected(&changes)
        .iter()
        .map(|p| p.path.as_str())
        .collect();
    assert!(
        affected.contains(&"catalog/default/api/split/index.html"),
        "{affected:?}"
    );
}

#[test]
fn a_location_pages_deps_name_the_entities_its_targets_define() {
    let location = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  targets:\n    - ./team.yaml\n    - ./svc/*.yaml\n";
    let cat = catalog(&[
        ("all.yaml", location),
        ("team.yaml", GROUP),
        ("svc/a.yaml", &component("svc-a", "team-a")),
    ]);
    let checked = check(cat.path());
    let theme = theme(&checked);
    let plan = site::plan(&checked, &theme);
    let page = plan
        .pages()
        .iter()
        .find(|s| s.path == "catalog/default/location/root/index.html")
        .expect("the location page");
    let deps = plan.deps(page);
    for r in ["group:default/team-a", "component:default/svc-a"] {
        let (kind, rest) = r.split_once(':').unwrap();
        let (ns, name) = rest.split_once('/').unwrap();
        assert!(deps.names_entity(&EntityRef::new(kind, ns, name)), "{r}");
    }
}
