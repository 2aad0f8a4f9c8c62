//! What `serve` keeps between runs (`pipeline::Warm`): after each kind of
//! save, a warm run must say exactly what a cold run of the same files
//! says, while parsing only the saved files and keeping the docs sites
//! when no docs file changed.

mod common;
use common::*;
use portolan::pipeline::{self, Checked, Options, Warm};
use portolan::source::WorkTree;
use std::collections::BTreeSet;
use std::path::Path;

fn options() -> Options {
    Options {
        scorecards: true,
        today: portolan::date::Date::parse("2026-11-28").unwrap(),
    }
}

/// What a run says, in a comparable form.
fn said(c: &Checked) -> String {
    let entities: Vec<String> = c
        .loaded
        .catalog
        .entities
        .values()
        .map(|e| format!("{} {} {:?}", e.eref, e.file, e.doc))
        .collect();
    // Hash maps, printed in sorted order.
    let sorted = |lines: Vec<String>| -> Vec<String> {
        let mut lines = lines;
        lines.sort();
        lines
    };
    let docs = sorted(
        c.facts
            .docs
            .iter()
            .map(|(r, d)| format!("{r} {d:?}"))
            .collect(),
    );
    let answers = sorted(
        c.facts
            .answers
            .iter()
            .map(|(r, a)| format!("{r} {a:?}"))
            .collect(),
    );
    let sites: Vec<String> = c
        .facts
        .sites
        .sites
        .iter()
        .map(|(r, s)| {
            format!(
                "{r} {:?}",
                s.pages
                    .iter()
                    .map(|p| (&p.out, &p.html))
                    .collect::<Vec<_>>()
            )
        })
        .collect();
    let apis: Vec<String> = c
        .apis
        .iter()
        .map(|(r, doc)| format!("{r} {}", serde_json::to_string(&**doc).unwrap()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // History by file, sorted (it is a hash map).
    let git = match c.facts.git.history() {
        Some(h) => {
            let mut files: Vec<String> =
                h.files.iter().map(|(f, x)| format!("{f} {x:?}")).collect();
            files.sort();
            files.join("\n")
        }
        None => format!("{:?}", c.facts.git),
    };
    format!(
        "{entities:#?}\n{:#?}\n{:#?}\n{:#?}\n{docs:#?}\n{answers:#?}\n{sites:#?}\n{:#?}\n{:?}",
        c.diagnostics, c.scorecards.standings, c.loaded.catalog.relations, apis, git
    )
}

fn cold(root: &Path) -> String {
    let source = WorkTree::new(root).unwrap();
    said(&pipeline::run(&source, root, options()))
}

/// Forgets what `changed` touched and runs warm; checks it against a cold
/// run and returns (files parsed, docs sites kept).
fn rerun(warm: &mut Warm, root: &Path, changed: &[&str], what: &str) -> (usize, bool) {
    let source = WorkTree::new(root).unwrap();
    let changed: BTreeSet<String> = changed.iter().map(|s| (*s).to_owned()).collect();
    warm.forget(&source, &changed);
    let got = said(&pipeline::run_warm(&source, root, options(), warm));
    let want = cold(root);
    assert!(got == want, "{what}: the warm run differs from a cold run");
    warm.last()
}

const TRACKING: &str = "services/tracking-service/catalog-info.yaml";

#[test]
fn warm_runs_say_what_cold_runs_say_and_redo_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("catalog");
    copy_dir(&repo().join("example-catalog"), &root);
    let extra = |name: &str, owner: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n"
        )
    };
    for (d, name) in [("a", "swap-one"), ("b", "swap-two")] {
        std::fs::create_dir_all(root.join("extra").join(d)).unwrap();
        std::fs::write(
            root.join("extra").join(d).join("catalog-info.yaml"),
            extra(name, "tracking-team"),
        )
        .unwrap();
    }
    let mut warm = Warm::default();
    let source = WorkTree::new(&root).unwrap();
    let first = said(&pipeline::run_warm(&source, &root, options(), &mut warm));
    assert!(
        first == cold(&root),
        "the first warm run differs from a cold run"
    );
    let (parsed, kept) = warm.last();
    assert!(parsed > 20, "{parsed}");
    assert!(!kept);

    // An entity file saved: that file alone is parsed again, the docs
    // sites are kept, and a changed check result shows.
    let p = root.join(TRACKING);
    replace_in(&p, "description: Stores", "description: Keeps");
    assert_eq!(
        rerun(&mut warm, &root, &[TRACKING], "description"),
        (1, true)
    );
    replace_in(&p, "  owner: tracking-team\n", "  owner: platform-team\n");
    assert_eq!(rerun(&mut warm, &root, &[TRACKING], "owner"), (1, true));
    // A field a check reads from `input.entity` emptied: the check fails
    // in the warm run, which converted the saved document again instead of
    // keeping the last run's values for the entity.
    replace_in(&p, "description: Keeps", "description: \"\" #");
    let failing = |c: &Checked| {
        check_failures(c, "description")
            .iter()
            .any(|m| m.contains("tracking-service"))
    };
    let source = WorkTree::new(&root).unwrap();
    warm.forget(&source, &BTreeSet::from([TRACKING.to_owned()]));
    let emptied = pipeline::run_warm(&source, &root, options(), &mut warm);
    assert!(failing(&emptied), "the emptied description passed");
    assert!(
        said(&emptied) == cold(&root),
        "description emptied: warm differs from cold"
    );
    replace_in(&p, "description: \"\" #", "description: Keeps");
    assert_eq!(
        rerun(&mut warm, &root, &[TRACKING], "description back"),
        (1, true)
    );

    // A docs page added, then edited in place: the docs sites are built
    // again each time.
    const FAQ: &str = "services/tracking-service/docs/faq.md";
    for (text, what) in [
        ("# FAQ\n\nAsk in the channel.\n", "docs page added"),
        (
            "# FAQ\n\nAsk in #tracking.\n\n## More\n\nRead the runbook.\n",
            "docs page edited",
        ),
    ] {
        std::fs::write(root.join(FAQ), text).unwrap();
        let (_, kept) = rerun(&mut warm, &root, &[FAQ], what);
        assert!(!kept, "{what}: the docs sites were kept");
    }

    // An API whose definition `$ref`s another file: saving that file (not
    // an entity file) changes the API's reference.
    std::fs::create_dir_all(root.join("extra/api")).unwrap();
    std::fs::write(
        root.join("extra/api/catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: things-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: tracking-team\n  definition:\n    $text: ./openapi.yaml\n",
    )
    .unwrap();
    std::fs::write(
        root.join("extra/api/openapi.yaml"),
        "openapi: 3.0.0\ninfo:\n  title: Things\n  version: 1.0.0\npaths:\n  /things:\n    get:\n      summary: List things\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: ./schemas.yaml#/Thing\n",
    )
    .unwrap();
    std::fs::write(
        root.join("extra/api/schemas.yaml"),
        "Thing:\n  type: object\n  properties:\n    colour:\n      type: string\n",
    )
    .unwrap();
    rerun(
        &mut warm,
        &root,
        &[
            "extra/api/catalog-info.yaml",
            "extra/api/openapi.yaml",
            "extra/api/schemas.yaml",
        ],
        "API added",
    );
    std::fs::write(
        root.join("extra/api/schemas.yaml"),
        "Thing:\n  type: object\n  properties:\n    weight:\n      type: number\n",
    )
    .unwrap();
    rerun(
        &mut warm,
        &root,
        &["extra/api/schemas.yaml"],
        "$ref file saved",
    );
    let source = WorkTree::new(&root).unwrap();
    let now = pipeline::run_warm(&source, &root, options(), &mut warm);
    let things = portolan::catalog::model::EntityRef::new("api", "default", "things-api");
    let doc = serde_json::to_string(&*now.apis[&things]).unwrap();
    assert!(doc.contains("weight") && !doc.contains("colour"), "{doc}");
    // Another entity file saved: the API's reference is the one kept, not
    // one built again. (Saving the API's own file builds it again: it is
    // kept only for an API entity written exactly as before.)
    replace_in(&p, "description: Keeps", "description: Holds");
    let changed = BTreeSet::from([TRACKING.to_owned()]);
    warm.forget(&source, &changed);
    let after = pipeline::run_warm(&source, &root, options(), &mut warm);
    assert!(
        std::sync::Arc::ptr_eq(&now.apis[&things], &after.apis[&things]),
        "the API reference was built again"
    );
    assert!(
        said(&after) == cold(&root),
        "another entity saved: warm differs from cold"
    );
    let api_file = root.join("extra/api/catalog-info.yaml");
    replace_in(
        &api_file,
        "name: things-api",
        "name: things-api\n  title: Things",
    );
    rerun(
        &mut warm,
        &root,
        &["extra/api/catalog-info.yaml"],
        "API entity saved",
    );

    // Two folders swapped by renaming: only the folders are reported, and
    // the files under them must not keep their old parses.
    let e = root.join("extra");
    std::fs::rename(e.join("a"), e.join("tmp")).unwrap();
    std::fs::rename(e.join("b"), e.join("a")).unwrap();
    std::fs::rename(e.join("tmp"), e.join("b")).unwrap();
    rerun(
        &mut warm,
        &root,
        &["extra/a", "extra/b", "extra/tmp"],
        "folders swapped",
    );

    // A file created and one removed.
    std::fs::write(
        root.join("extra/new.yaml"),
        extra("brand-new", "tracking-team"),
    )
    .unwrap();
    rerun(&mut warm, &root, &["extra/new.yaml"], "file created");
    std::fs::remove_file(root.join("extra/new.yaml")).unwrap();
    rerun(&mut warm, &root, &["extra/new.yaml"], "file removed");

    // A broken save, then the fix.
    let text = std::fs::read_to_string(&p).unwrap();
    replace_in(&p, "kind: Component", "kind: [Component");
    rerun(&mut warm, &root, &[TRACKING], "broken");
    std::fs::write(&p, text).unwrap();
    // The docs sites are built again: the broken run had one entity fewer.
    assert_eq!(rerun(&mut warm, &root, &[TRACKING], "fixed"), (1, false));
}

#[test]
fn history_facts_follow_new_commits() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    copy_dir(&repo().join("example-catalog"), &root);
    let repo = git2::Repository::init(&root).unwrap();
    common::git::commit_on_head(&repo, "Ada Lovelace", "2026-10-01", "first");
    let mut warm = Warm::default();
    let source = WorkTree::new(&root).unwrap();
    let first = said(&pipeline::run_warm(&source, &root, options(), &mut warm));
    assert!(first == cold(&root));
    assert!(first.contains("Ada Lovelace"), "history facts were read");

    // A save without a commit: the same history.
    let p = root.join(TRACKING);
    replace_in(&p, "description: Stores", "description: Keeps");
    rerun(&mut warm, &root, &[TRACKING], "saved, not committed");
    // A commit moves HEAD: the file's last change is the new commit.
    common::git::commit_on_head(&repo, "Grace Hopper", "2026-11-20", "second");
    rerun(&mut warm, &root, &[TRACKING], "committed");
    let source = WorkTree::new(&root).unwrap();
    let now = said(&pipeline::run_warm(&source, &root, options(), &mut warm));
    assert!(now.contains("Grace Hopper"), "the new commit shows");
}
