//! `portolan check --write-baseline` and later runs against the baseline,
//! through the real binary.

mod common;
use common::*;
use std::path::Path;

const BASELINE: &str = "portolan-baseline.json";

fn check(dir: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["check", ".", "--today", "2026-11-28"];
    args.extend_from_slice(extra);
    let out = portolan(&args, dir);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    (out.status.code(), stdout(&out))
}

/// A catalog with two known errors (dangling owners) and scorecard warnings.
fn messy() -> tempfile::TempDir {
    catalog(&[
        ("group.yaml", GROUP),
        ("a.yaml", &component("a", "ghost-team")),
        ("b.yaml", &component("b", "team-a")),
        (
            "c.yaml",
            &format!(
                "{}---\n{}",
                component("c1", "other-ghost"),
                component("c2", "other-ghost")
            ),
        ),
        STRICT,
    ])
}

fn write_baseline(dir: &Path) -> String {
    let (code, text) = check(dir, &["--write-baseline"]);
    assert_eq!(
        code,
        Some(0),
        "writing the baseline accepts today's problems: {text}"
    );
    std::fs::read_to_string(dir.join(BASELINE)).unwrap()
}

fn baselined(text: &str) -> usize {
    let closing = text.lines().last().unwrap();
    let (head, _) = closing.rsplit_once(" baselined").expect(closing);
    head.rsplit(' ').next().unwrap().parse().unwrap()
}

#[test]
fn a_clean_rerun_passes_and_says_how_many_are_baselined() {
    let dir = messy();
    let (code, before) = check(dir.path(), &[]);
    assert_eq!(code, Some(1), "{before}");
    let file = write_baseline(dir.path());
    let v: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(v["version"], 1);
    // Keyed by entity, not by line.
    let problems = v["problems"].as_array().unwrap();
    assert!(problems.iter().all(|p| p.get("line").is_none()), "{file}");
    assert!(
        problems
            .iter()
            .any(|p| p["entity"] == "component:default/c2" && p["code"] == "E0103"),
        "{file}"
    );
    // Writing twice gives the same file.
    assert_eq!(write_baseline(dir.path()), file);

    let (code, text) = check(dir.path(), &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(!text.contains("error["), "{text}");
    assert!(text.contains("no new problems"), "{text}");
    assert!(baselined(&text) > 3, "{text}");
    assert!(!text.contains("no longer occur"), "{text}");
}

#[test]
fn a_new_error_still_fails_the_run() {
    let dir = messy();
    write_baseline(dir.path());
    std::fs::write(dir.path().join("d.yaml"), component("d", "new-ghost")).unwrap();
    let (code, text) = check(dir.path(), &[]);
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(
        text.matches("error[E0103 dangling-ref]").count(),
        1,
        "{text}"
    );
    assert!(text.contains("new-ghost"), "{text}");
    assert!(
        !text.contains("ghost-team"),
        "baselined problems are not listed: {text}"
    );
    let closing = text.lines().last().unwrap();
    assert!(
        closing.starts_with("error: ") && closing.contains("1 error"),
        "{closing}"
    );
    // JSON keeps every diagnostic and marks the known ones.
    let out = portolan(
        &["check", ".", "--today", "2026-11-28", "--format", "json"],
        dir.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["errors"], 1);
    let diags = v["diagnostics"].as_array().unwrap();
    let known = diags.iter().filter(|d| d["baselined"] == true).count();
    assert_eq!(v["summary"]["baselined"], known);
    assert_eq!(
        known,
        diags.len()
            - 1
            - diags
                .iter()
                .filter(|d| d["file"] == "d.yaml" && d["code"] == "E0300")
                .count()
    );
    let ghost = diags
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("ghost-team"))
        .unwrap();
    assert_eq!(ghost["baselined"], true);
    // GitHub annotates only the new problems.
    let (_, gh) = check(dir.path(), &["--format", "github"]);
    assert!(!gh.contains("ghost-team"), "{gh}");
    assert!(gh.contains("new-ghost"), "{gh}");
}

#[test]
fn a_fixed_problem_is_reported_so_the_file_can_shrink() {
    let dir = messy();
    write_baseline(dir.path());
    std::fs::write(dir.path().join("a.yaml"), component("a", "team-a")).unwrap();
    let (code, text) = check(dir.path(), &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("2 baselined problems in portolan-baseline.json no longer occur"),
        "{text}"
    );
    assert!(
        text.contains("E0103 component:default/a: `spec.owner: ghost-team`"),
        "{text}"
    );
    let out = portolan(
        &["check", ".", "--today", "2026-11-28", "--format", "json"],
        dir.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["baseline"]["fixed"][0]["entity"], "component:default/a");
    // Rewriting shrinks it.
    let before = std::fs::read_to_string(dir.path().join(BASELINE)).unwrap();
    let after = write_baseline(dir.path());
    assert!(!after.contains("ghost-team") && before.contains("ghost-team"));
    let (_, text) = check(dir.path(), &[]);
    assert!(!text.contains("no longer occur"), "{text}");
}

#[test]
fn edits_that_shift_lines_keep_the_baseline_valid() {
    let dir = messy();
    write_baseline(dir.path());
    let (_, first) = check(dir.path(), &[]);
    // Comments at the top of a file and a new entity before the others
    // in c.yaml move every diagnostic to other lines.
    let c = std::fs::read_to_string(dir.path().join("c.yaml")).unwrap();
    std::fs::write(
        dir.path().join("c.yaml"),
        format!(
            "# owned by nobody yet\n# really\n{}---\n{c}",
            component("c0", "team-a")
        ),
    )
    .unwrap();
    let a = std::fs::read_to_string(dir.path().join("a.yaml")).unwrap();
    std::fs::write(dir.path().join("a.yaml"), format!("\n\n# moved\n{a}")).unwrap();
    let (code, text) = check(dir.path(), &["--scorecard-details"]);
    assert!(!text.contains("no longer occur"), "{text}");
    assert!(!text.contains("E0103"), "{text}");
    assert_eq!(baselined(&text), baselined(&first), "{text}");
    // Only the new entity c0's own scorecard results are new.
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.lines()
            .filter(|l| l.starts_with("warning["))
            .all(|l| l.contains("component:default/c0")),
        "{text}"
    );
}

#[test]
fn a_corrupted_baseline_is_a_diagnostic_not_a_crash() {
    let dir = messy();
    write_baseline(dir.path());
    for bad in [
        "{ not json",
        "{\"version\": 99, \"problems\": []}",
        "{\"version\": 1, \"problems\": [{\"code\": \"E0103\", \"severity\": \"error\", \"message\": 7}]}",
        "\u{1b}[31m",
    ] {
        std::fs::write(dir.path().join(BASELINE), bad).unwrap();
        let (code, text) = check(dir.path(), &[]);
        assert_eq!(code, Some(1), "{text}");
        assert!(
            text.contains("error[E0009 baseline-invalid]"),
            "{bad}: {text}"
        );
        // Nothing counts as baselined: every problem shows.
        assert!(text.contains("ghost-team"), "{text}");
        let (_, json) = check(dir.path(), &["--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(
            v["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == "E0009")
        );
    }
    // A file over the size limit is refused before it is parsed.
    let big = format!(
        "{{\"version\": 1, \"problems\": [], \"pad\": \"{}\"}}",
        "x".repeat(33 * 1024 * 1024)
    );
    std::fs::write(dir.path().join(BASELINE), big).unwrap();
    let (code, text) = check(dir.path(), &["--no-scorecards"]);
    assert_eq!(code, Some(1));
    assert!(
        text.contains("error[E0009 baseline-invalid]"),
        "{}",
        &text[..text.len().min(2000)]
    );
    // --write-baseline replaces a bad file.
    write_baseline(dir.path());
    let (code, _) = check(dir.path(), &[]);
    assert_eq!(code, Some(0));
}

#[test]
fn a_baseline_entry_cannot_write_to_the_terminal() {
    let dir = messy();
    let file = write_baseline(dir.path());
    // JSON escapes decode to real control characters.
    let evil = file.replacen(
        "component:default/a\"",
        "component:default/\\u001b]0;pwned\\u0007\"",
        1,
    );
    assert_ne!(evil, file);
    std::fs::write(dir.path().join(BASELINE), evil).unwrap();
    let (_, text) = check(dir.path(), &[]);
    assert!(text.contains("no longer occur"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
}
