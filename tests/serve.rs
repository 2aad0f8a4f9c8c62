//! `portolan serve`'s incremental rebuilds, through the library: after
//! every kind of edit, the site in memory must be byte for byte the site a
//! fresh full render of the edited catalog makes, while the rebuild renders
//! only the pages the plan says the edit touches.

mod common;
use common::*;
use portolan::catalog::model::EntityRef;
use portolan::pipeline::{self, Checked, Options};
use portolan::serve::{Scope, Session, State};
use portolan::site::{self, Changes, MemoryOutput};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

const TODAY: &str = "2026-11-28";

fn options() -> Options {
    Options {
        scorecards: true,
        today: portolan::date::Date::parse(TODAY).unwrap(),
    }
}

fn start(root: &Path) -> Session {
    let (session, first) = Session::start(
        root,
        options(),
        State::new(),
        &mut |_: &mut Checked, _: &dyn portolan::source::Source| {},
    )
    .unwrap();
    assert!(first.failed.is_none(), "{:?}", first.failed);
    session
}

/// Every file the session serves.
fn served(state: &Arc<State>) -> BTreeMap<String, Vec<u8>> {
    state
        .paths()
        .into_iter()
        .map(|p| {
            let bytes = state.get(&p).unwrap().to_vec();
            (p, bytes)
        })
        .collect()
}

/// The whole site of the catalog at `root` rendered from scratch.
fn fresh(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let source = portolan::source::WorkTree::new(root).unwrap();
    let checked = pipeline::run(&source, root, options());
    let mut diags = Vec::new();
    let theme = site::theme::load(&source, &checked.loaded.config.site, &mut diags);
    let plan = site::plan(&checked, &theme);
    let out = MemoryOutput::new();
    site::render(&plan, &plan.all(), &site::Options::default(), &out).unwrap();
    out.into_files()
}

fn assert_same(session: &Session, root: &Path, what: &str) {
    // The search index is written after the reload event (serve::search).
    session.settle();
    let (got, want) = (served(session.state()), fresh(root));
    let got_paths: BTreeSet<&String> = got.keys().collect();
    let want_paths: BTreeSet<&String> = want.keys().collect();
    assert_eq!(
        got_paths
            .symmetric_difference(&want_paths)
            .collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "{what}: the served site has other files than a fresh build"
    );
    let differing: Vec<&String> = want.keys().filter(|p| got[*p] != want[*p]).collect();
    assert!(
        differing.is_empty(),
        "{what}: these served files differ from a fresh build: {differing:?}"
    );
}

fn edit(root: &Path, rel: &str, f: impl FnOnce(String) -> String) -> BTreeSet<String> {
    let p = root.join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    let edited = f(text.clone());
    assert_ne!(edited, text, "the edit of {rel} changed nothing");
    std::fs::write(&p, edited).unwrap();
    BTreeSet::from([rel.to_owned()])
}

const TRACKING: &str = "services/tracking-service/catalog-info.yaml";

#[test]
fn every_rebuild_serves_what_a_full_build_would() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("catalog");
    copy_dir(&repo().join("example-catalog"), &root);
    let mut session = start(&root);
    assert_same(&session, &root, "first build");

    // A description: the entity's own pages and the summaries.
    let saved = edit(&root, TRACKING, |t| {
        t.replace("description: Stores", "description: Keeps")
    });
    let r = session.rebuild(&saved);
    assert!(r.failed.is_none(), "{:?}", r.failed);
    assert_eq!(r.scope, Scope::Catalog);
    // The search index's files depend on every entity (a description's
    // words are in it); they are written after the reload (serve::search),
    // not by the rebuild. Every page must be left alone unless it shows the
    // entity.
    assert!(!r.rendered.iter().any(|p| p.starts_with("search/")));
    let pages = |paths: &mut dyn Iterator<Item = &String>| {
        paths.filter(|p| !p.starts_with("search/")).count()
    };
    let rendered = pages(&mut r.rendered.iter());
    let total = pages(&mut session.state().paths().iter());
    assert!(rendered < total / 2, "{rendered} of {total}");
    assert_same(&session, &root, "description edited");

    // A relation removed: the old owner's page must drop the component.
    let saved = edit(&root, TRACKING, |t| {
        t.replace("owner: tracking-team", "owner: platform-team")
    });
    let r = session.rebuild(&saved);
    assert!(r.failed.is_none(), "{:?}", r.failed);
    assert_same(&session, &root, "owner changed");

    // A docs page edited and a new one added (the site's navigation changes).
    let mut saved = edit(&root, "services/tracking-service/docs/runbook.md", |t| {
        format!("{t}\n\n## Paging\n\nPage the on-call engineer.\n")
    });
    std::fs::write(
        root.join("services/tracking-service/docs/faq.md"),
        "# FAQ\n\nAsk in the channel.\n",
    )
    .unwrap();
    saved.insert("services/tracking-service/docs/faq.md".to_owned());
    let r = session.rebuild(&saved);
    assert!(r.failed.is_none(), "{:?}", r.failed);
    assert_same(&session, &root, "docs edited");

    // A new component, then a removed one.
    std::fs::write(
        root.join("services/new-thing.yaml"),
        component("new-thing", "tracking-team"),
    )
    .unwrap();
    let r = session.rebuild(&BTreeSet::from(["services/new-thing.yaml".to_owned()]));
    assert!(r.failed.is_none(), "{:?}", r.failed);
    assert!(
        r.rendered
            .contains(&"catalog/default/component/new-thing/index.html".to_owned()),
        "{:?}",
        r.rendered
    );
    assert_same(&session, &root, "component added");
    std::fs::remove_file(root.join("services/geo-utils/catalog-info.yaml")).unwrap();
    let r = session.rebuild(&BTreeSet::from([
        "services/geo-utils/catalog-info.yaml".to_owned()
    ]));
    // The Location still lists the file: a new error, so nothing changes.
    let failure = r.failed.expect("a missing Location target is an error");
    assert!(
        failure.text.contains("location-target-missing"),
        "{}",
        failure.text
    );
    let mut saved = edit(&root, "catalog-info.yaml", |t| {
        t.replace("    - ./services/geo-utils/catalog-info.yaml\n", "")
    });
    saved.insert("services/geo-utils/catalog-info.yaml".to_owned());
    let r = session.rebuild(&saved);
    // geo-utils is depended on: removing it leaves dangling refs, which
    // are warnings in this catalog, so the rebuild goes through.
    assert!(r.failed.is_none(), "{:?}", r.failed);
    assert!(
        r.removed
            .contains(&"catalog/default/component/geo-utils/index.html".to_owned()),
        "{:?}",
        r.removed
    );
    assert_same(&session, &root, "component removed");

    // An initiative: its page, the team and entity pages that show it.
    let saved = edit(&root, "initiatives/runbooks-and-dashboards.yaml", |t| {
        t.replace("deadline: 2027-03-31", "deadline: 2027-02-28")
    });
    let r = session.rebuild(&saved);
    assert!(r.failed.is_none(), "{:?}", r.failed);
    assert_eq!(r.scope, Scope::Everything);
    assert_same(&session, &root, "initiative edited");

    // A policy: every scorecard again, the whole site rendered.
    std::fs::create_dir_all(root.join("policies")).unwrap();
    std::fs::write(
        root.join("policies/tags.rego"),
        "# METADATA\n# title: Tagging\n# custom:\n#   levels: [bronze]\npackage portolan.tagging\n\nimport rego.v1\n\n# METADATA\n# title: Has tags\n# custom:\n#   id: has-tags\n#   level: bronze\n#   remediation: Add tags.\nhas_tags contains msg if {\n\tcount(object.get(input.entity.metadata, \"tags\", [])) == 0\n\tmsg := \"no tags\"\n}\n",
    )
    .unwrap();
    let r = session.rebuild(&BTreeSet::from(["policies/tags.rego".to_owned()]));
    assert!(r.failed.is_none(), "{:?}", r.failed);
    assert_eq!(r.scope, Scope::Everything);
    // Every page but the search index, which is written after the reload.
    let index = session
        .state()
        .paths()
        .iter()
        .filter(|p| p.starts_with("search/"))
        .count();
    assert!(index > 0);
    assert_eq!(r.rendered.len() + index, session.state().len());
    assert!(
        session
            .state()
            .get("scorecards/tagging/index.html")
            .is_some()
    );
    assert_same(&session, &root, "policy added");
}

#[test]
fn a_broken_edit_keeps_the_last_good_site_until_it_is_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("catalog");
    copy_dir(&repo().join("example-catalog"), &root);
    let mut session = start(&root);
    let before = served(session.state());

    let saved = edit(&root, TRACKING, |t| {
        t.replace("  owner: tracking-team\n", "  owner: [tracking-team\n")
    });
    let r = session.rebuild(&saved);
    let failure = r.failed.expect("a YAML syntax error fails the rebuild");
    assert!(failure.errors >= 1);
    assert!(
        failure.text.contains(&format!("{TRACKING}:")),
        "the errors name the file and line: {}",
        failure.text
    );
    assert!(
        failure.text.contains("error["),
        "check's format: {}",
        failure.text
    );
    assert_eq!(
        session.state().failure().as_deref(),
        Some(failure.text.as_str())
    );
    assert_eq!(
        served(session.state()),
        before,
        "the last good site stays served"
    );

    let saved = edit(&root, TRACKING, |t| {
        t.replace("owner: [tracking-team", "owner: tracking-team")
    });
    let r = session.rebuild(&saved);
    assert!(r.failed.is_none(), "{:?}", r.failed);
    assert_eq!(
        session.state().failure(),
        None,
        "a good build clears the failure"
    );
    assert_same(&session, &root, "fixed");
}

#[test]
fn a_rebuild_renders_only_the_pages_whose_dependencies_changed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("catalog");
    copy_dir(&repo().join("example-catalog"), &root);
    let mut session = start(&root);
    let saved = edit(&root, TRACKING, |t| {
        t.replace("description: Stores", "description: Keeps")
    });
    let r = session.rebuild(&saved);
    assert!(r.failed.is_none(), "{:?}", r.failed);

    // What the plan says an edit of this one entity and file touches.
    let checked = check_at(&root, TODAY);
    let mut diags = Vec::new();
    let source = portolan::source::WorkTree::new(&root).unwrap();
    let theme = site::theme::load(&source, &checked.loaded.config.site, &mut diags);
    let plan = site::plan(&checked, &theme);
    let tracking = EntityRef::new("component", "default", "tracking-service");
    let changes = Changes {
        entities: BTreeSet::from([tracking]),
        files: saved.clone(),
    };
    // The search index is written after the reload (serve::search).
    let expected: Vec<String> = plan
        .affected(&changes)
        .into_iter()
        .map(|s| s.path.clone())
        .filter(|p| !p.starts_with("search/"))
        .collect();
    assert_eq!(r.rendered, expected);
    let page = "catalog/default/component/tracking-service/index.html".to_owned();
    assert!(r.rendered.contains(&page));
    assert!(
        r.rendered.contains(&"index.html".to_owned()),
        "summaries read everything"
    );
    // Its owner and system list it; an unrelated component does not.
    assert!(
        r.rendered
            .contains(&"catalog/default/group/tracking-team/index.html".to_owned())
    );
    assert!(
        r.rendered
            .contains(&"catalog/default/system/parcel-tracking/index.html".to_owned())
    );
    assert!(
        !r.rendered
            .contains(&"catalog/default/component/billing-service/index.html".to_owned())
    );
    // No API definition or docs asset (their files did not change).
    assert!(
        !r.rendered.iter().any(|p| p.ends_with(".svg")),
        "{:?}",
        r.rendered
    );
    let text = String::from_utf8(session.state().get(&page).unwrap().to_vec()).unwrap();
    assert!(text.contains("Keeps every scan event"));
}

#[test]
fn a_theme_edit_renders_again_without_checking_again() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("catalog");
    copy_dir(&repo().join("example-catalog"), &root);
    let toml = root.join("portolan.toml");
    let old = std::fs::read_to_string(&toml).unwrap_or_default();
    let with_theme = if old.contains("[site]") {
        old.replace("[site]", "[site]\ntheme_dir = \"theme\"")
    } else {
        format!("{old}\n[site]\ntheme_dir = \"theme\"\n")
    };
    std::fs::write(&toml, with_theme).unwrap();
    std::fs::create_dir_all(root.join("theme/static")).unwrap();
    std::fs::write(
        root.join("theme/static/extra.css"),
        "body { color: red; }\n",
    )
    .unwrap();
    let mut session = start(&root);
    assert_eq!(
        session.state().get("static/extra.css").as_deref(),
        Some(&b"body { color: red; }\n"[..])
    );
    std::fs::write(
        root.join("theme/static/extra.css"),
        "body { color: blue; }\n",
    )
    .unwrap();
    let r = session.rebuild(&BTreeSet::from(["theme/static/extra.css".to_owned()]));
    assert!(r.failed.is_none(), "{:?}", r.failed);
    assert_eq!(r.scope, Scope::Theme);
    assert_eq!(
        session.state().get("static/extra.css").as_deref(),
        Some(&b"body { color: blue; }\n"[..])
    );
    assert_same(&session, &root, "theme edited");
}

#[test]
fn serve_adds_nothing_to_build_output() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build_example(&site);
    for (path, bytes) in tree(&site) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("__portolan") && !text.contains("EventSource"),
            "{path} has serve's live-reload code"
        );
    }
}
