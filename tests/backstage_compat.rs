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
