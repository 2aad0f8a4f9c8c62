//! `portolan build`: the JSON export, determinism and atomic output.

mod common;
use common::*;

#[test]
fn the_export_has_every_entity_with_relations_and_scorecards() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build_example(&site);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("api/catalog.json")).unwrap()).unwrap();
    let rows = index["entities"].as_array().unwrap();
    assert_eq!(rows.len(), 94);
    let orders = rows
        .iter()
        .find(|r| r["ref"] == "component:default/orders-service")
        .unwrap();
    assert_eq!(orders["owner"], "group:default/orders-team");
    let doc: serde_json::Value = serde_json::from_slice(
        &std::fs::read(site.join(orders["json"].as_str().unwrap())).unwrap(),
    )
    .unwrap();
    assert_eq!(doc["file"], "services/orders-service/catalog-info.yaml");
    assert!(
        doc["relations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["type"] == "ownedBy" && r["targetRef"] == "group:default/orders-team")
    );
    assert!(
        doc["scorecards"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["scorecard"] == "production-readiness")
    );
    // Every row points at a file that exists.
    for r in rows {
        assert!(site.join(r["json"].as_str().unwrap()).is_file(), "{r}");
    }
}

#[test]
fn builds_are_byte_identical_and_atomic() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let site_arg = site.to_str().unwrap();
    build_example(&site);
    let first = tree(&site);
    std::fs::write(site.join("stale.txt"), "from an older build").unwrap();
    build_example(&site);
    let second = tree(&site);
    assert_eq!(
        first, second,
        "two builds of the same input are byte-identical, and stale files are gone"
    );

    // A failed build leaves the previous output untouched and no temporary folder behind.
    let failed = portolan(&["build", "no-such-catalog", "--out", site_arg], &repo());
    assert_eq!(failed.status.code(), Some(2));
    assert_eq!(tree(&site), second);
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("site")]);
}
