//! The pipeline's stages import only the stages before them (README,
//! "Layout"): a stage that reached forward would make the commands, `serve`
//! and the tests build more than they need, and two modules importing each
//! other cannot be taken apart. Three merges of parallel work broke this
//! once (TechDocs imported the site, git facts the scorecards); this test
//! reads every `crate::` path in `src/` so it cannot happen silently again.

use std::collections::BTreeSet;
use std::path::Path;

/// Each stage and what it may import besides itself, in pipeline order.
/// `diagnostics`, `escape`, `date`, `timing`, `highlight` and `search` are leaves.
const STAGES: &[(&str, &[&str])] = &[
    ("escape", &[]),
    ("date", &[]),
    ("timing", &[]),
    ("highlight", &["escape"]),
    ("diagnostics", &["escape"]),
    ("source", &["diagnostics"]),
    ("config", &["source", "diagnostics"]),
    (
        "catalog",
        &["config", "source", "diagnostics", "escape", "timing"],
    ),
    (
        "facts",
        &[
            "catalog",
            "config",
            "source",
            "diagnostics",
            "escape",
            "date",
            "highlight",
        ],
    ),
    (
        "apiref",
        &["catalog", "source", "diagnostics", "escape", "highlight"],
    ),
    (
        "scorecard",
        &[
            "facts",
            "catalog",
            "config",
            "source",
            "diagnostics",
            "escape",
            "date",
            "timing",
        ],
    ),
    // The tokenizer and index writer: the site hands it plain fields.
    ("search", &[]),
    (
        "pipeline",
        &[
            "apiref",
            "catalog",
            "config",
            "date",
            "diagnostics",
            "escape",
            "facts",
            "scorecard",
            "source",
            "timing",
        ],
    ),
    (
        "history",
        &[
            "pipeline",
            "scorecard",
            "facts",
            "catalog",
            "config",
            "date",
            "diagnostics",
            "escape",
            "source",
        ],
    ),
    (
        "serve",
        &[
            "pipeline",
            "site",
            "scorecard",
            "catalog",
            "diagnostics",
            "search",
            "source",
            "timing",
        ],
    ),
    ("baseline", &["catalog", "diagnostics", "source"]),
    (
        "pr",
        &[
            "pipeline",
            "baseline",
            "scorecard",
            "catalog",
            "diagnostics",
            "source",
        ],
    ),
];

/// The `crate::name` paths used in `path` (a file or a folder), outside
/// comments.
fn imports(path: &Path, found: &mut BTreeSet<(String, String)>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            imports(&entry.unwrap().path(), found);
        }
        return;
    }
    if path.extension().is_none_or(|e| e != "rs") {
        return;
    }
    let text = std::fs::read_to_string(path).unwrap();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            found.insert((name, path.display().to_string()));
        }
    }
}

#[test]
fn every_stage_imports_only_earlier_stages() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (stage, allowed) in STAGES {
        let dir = src.join(stage);
        let path = if dir.is_dir() {
            dir
        } else {
            src.join(format!("{stage}.rs"))
        };
        assert!(path.exists(), "no stage {stage} at {}", path.display());
        let mut found = BTreeSet::new();
        imports(&path, &mut found);
        for (name, file) in found {
            if name != *stage && !allowed.contains(&name.as_str()) {
                wrong.push(format!("{file} imports crate::{name}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the pipeline order:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_a_forward_import() {
    // The scanner itself: a `crate::site` path in code is found, one in a
    // comment is not.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.rs");
    std::fs::write(&file, "// crate::cmd\nuse crate::site::links;\n").unwrap();
    let mut found = BTreeSet::new();
    imports(&file, &mut found);
    let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["site"]);
}
