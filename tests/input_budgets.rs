//! Hostile inputs from issue 10, item 1: each runs the portolan binary in a
//! child process under a 1 GiB address-space limit and a time limit, so
//! that a regression fails the test instead of exhausting the machine.
//! Fixtures are generated here, into a temporary folder.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

/// 1 GiB of address space, in KiB for `ulimit -v`.
const MEMORY_KIB: u64 = 1024 * 1024;
/// Generous for a debug build: the release build takes under 2 s on each.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `portolan ARGS` under the limits; returns its output and wall time.
fn run_limited(args: &[&str]) -> (Output, Duration) {
    common::portolan_limited(args, Path::new("."), MEMORY_KIB, TIMEOUT)
}

/// `portolan check --format json DIR` under the limits: the run must end by
/// itself with 0 or 1 (never 101 for a panic, 134 for an abort, or a kill).
fn check(dir: &Path) -> (serde_json::Value, usize) {
    let (out, took) = run_limited(&["check", "--format", "json", dir.to_str().unwrap()]);
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "exit {code:?} after {took:?} (none = killed by the time or memory limit)\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = serde_json::from_slice(&out.stdout).expect("check writes JSON");
    (json, out.stdout.len())
}

/// Every diagnostic code in a `check --format json` document.
fn codes(json: &serde_json::Value) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

fn messages(json: &serde_json::Value, code: &str) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| d["message"].as_str().unwrap().to_owned())
        .collect()
}

const GROUP: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n";

fn component(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `spec.data`: `depth` flow mappings nested in one another, each anchored,
/// `width` keys each: about 2.3 MB for 120 × 1700.
fn nested_anchors(depth: usize, width: usize) -> String {
    let keys: Vec<String> = (0..width).map(|w| format!("k{w}: {w}")).collect();
    let keys = keys.join(", ");
    let mut text = String::from("  data: ");
    for d in 0..depth {
        text.push_str(&format!("&a{d} {{{keys}, n: "));
    }
    text.push('1');
    text.push_str(&"}".repeat(depth));
    text.push('\n');
    text
}

#[test]
fn nested_anchors_without_aliases_load() {
    // Each anchored mapping used to be cloned into the anchor table: 8.9 GB
    // for one such file, and two aborted the process.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "group.yaml", GROUP);
    let body = nested_anchors(120, 1700);
    assert!(body.len() > 2_000_000);
    for i in 0..2 {
        write(
            dir.path(),
            &format!("n{i}.yaml"),
            &(component(&format!("n{i}")) + &body),
        );
    }
    let (json, _) = check(dir.path());
    assert!(
        !codes(&json).iter().any(|c| c == "E0005"),
        "{:?}",
        codes(&json)
    );
    assert_eq!(json["summary"]["entities"], 3, "{json}");
}

#[test]
fn nested_anchors_with_an_alias_stop_at_the_budget() {
    // One alias anywhere makes every anchor worth keeping; the kept copies
    // count against the node budget, so each file is E0005, not gigabytes.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "group.yaml", GROUP);
    let body = nested_anchors(120, 1700) + "  copy: *a0\n";
    for i in 0..2 {
        write(
            dir.path(),
            &format!("n{i}.yaml"),
            &(component(&format!("n{i}")) + &body),
        );
    }
    let (json, _) = check(dir.path());
    assert_eq!(
        codes(&json).iter().filter(|c| *c == "E0005").count(),
        2,
        "{json}"
    );
}

#[test]
fn an_aliased_long_string_cannot_be_copied_a_million_times() {
    // 1 MB of text aliased by 1,000,000 three-byte aliases was within the
    // node budget, and copied a terabyte.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "group.yaml", GROUP);
    let mut text = component("strings");
    text.push_str(&format!("  s: &s \"{}\"\n  l: [", "x".repeat(1_000_000)));
    text.push_str(&"*s,".repeat(900_000));
    text.push_str("*s]\n");
    write(dir.path(), "strings.yaml", &text);
    let (json, _) = check(dir.path());
    let msgs = messages(&json, "E0005");
    assert_eq!(msgs.len(), 1, "{json}");
    assert!(msgs[0].contains("copy too much"), "{msgs:?}");
}

/// `n` distinct keys under `indent`, in YAML (or in `#`-comment lines).
fn many_keys(n: usize, prefix: &str) -> String {
    (0..n).map(|i| format!("{prefix}k{i}: 1\n")).collect()
}

#[test]
fn duplicate_keys_in_a_big_mapping_are_found_quickly() {
    // 250,000 keys (3.6 MB, under max_file_bytes): the quadratic search
    // took about 10 minutes on a file this size.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "group.yaml", GROUP);
    let keys = many_keys(250_000, "    ");
    write(
        dir.path(),
        "ok.yaml",
        &(component("ok") + "  data:\n" + &keys),
    );
    write(
        dir.path(),
        "dup.yaml",
        &(component("dup") + "  data:\n" + &keys + "    k4711: again\n"),
    );
    let (json, _) = check(dir.path());
    let msgs = messages(&json, "E0004");
    assert_eq!(msgs, ["duplicate key `k4711`"], "{json}");
    assert_eq!(json["summary"]["entities"], 2, "{json}");
}

#[test]
fn waivers_and_policy_metadata_use_the_linear_duplicate_check() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "group.yaml", GROUP);
    write(
        dir.path(),
        "waivers.yaml",
        &format!(
            "waivers:\n  - check: a/b\n{}    k7: again\n",
            many_keys(250_000, "    ")
        ),
    );
    write(
        dir.path(),
        "policies/big.rego",
        &format!(
            "# METADATA\n# title: Big\n# custom:\n{}#   k7: again\npackage big\n\nimport rego.v1\n",
            many_keys(250_000, "#   ")
        ),
    );
    let (json, _) = check(dir.path());
    let waivers = messages(&json, "E0204");
    assert!(
        waivers.iter().any(|m| m.contains("duplicate key `k7`")),
        "{json}"
    );
    let metadata = messages(&json, "E0200");
    assert!(
        metadata.iter().any(|m| m.contains("duplicate key `k7`")),
        "{json}"
    );
}

fn api(name: &str, placeholders: &[String]) -> String {
    let mut text = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: {name}\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: {}\n  extra:\n",
        placeholders[0]
    );
    for p in &placeholders[1..] {
        text.push_str(&format!("    - $text: {p}\n"));
    }
    text
}

/// A text file of `lines` lines of 99 or 100 bytes: about 4 MB for 41,000
/// lines (under the 4 MiB max_file_bytes).
fn big_text(tag: &str, lines: usize) -> String {
    format!("{}\n", tag.repeat(99 / tag.len())).repeat(lines)
}

#[test]
fn one_entity_cannot_embed_a_file_500_times() {
    // 500 substitutions of a 4 MB file in one 12 KB entity took 7.8 GB and
    // wrote a 2 GB JSON file.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "group.yaml", GROUP);
    write(dir.path(), "big.txt", &big_text("x", 41_000));
    write(
        dir.path(),
        "api.yaml",
        &api("api", &vec!["./big.txt".to_owned(); 501]),
    );
    let (json, size) = check(dir.path());
    let msgs = messages(&json, "E0130");
    assert_eq!(msgs.len(), 1, "{json}");
    // 16 MiB hold four copies of the 4.1 MB file; the other 497 are refused.
    assert!(
        msgs[0].contains("this entity's 16777216 bytes")
            && msgs[0].contains("and 496 more placeholders"),
        "{msgs:?}"
    );
    assert!(size < 100_000, "check wrote {size} bytes");
}

#[test]
fn the_run_budget_is_spent_in_file_order() {
    // 200 entities each naming three 4 MB files (20 distinct ones, 12.3 MB
    // per entity, within its 16 MiB): without a budget per run, 2.5 GB of
    // text. The first entities in path order get theirs; the rest are
    // refused, the same ones every time.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "group.yaml", GROUP);
    for f in 0..20 {
        write(
            dir.path(),
            &format!("big{f:02}.txt"),
            &big_text(&format!("{f:02}"), 41_000),
        );
    }
    for i in 0..200 {
        let names: Vec<String> = (0..3)
            .map(|k| format!("./big{:02}.txt", (i + k) % 20))
            .collect();
        write(
            dir.path(),
            &format!("api{i:03}.yaml"),
            &api(&format!("api{i:03}"), &names),
        );
    }
    let (first, _) = check(dir.path());
    let refused: Vec<String> = first["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "E0130")
        .map(|d| d["file"].as_str().unwrap_or_default().to_owned())
        .collect();
    // 128 MiB hold 33 copies of a 4,059,000-byte file: api000–api010 embed
    // three each, and every later entity is refused.
    assert_eq!(refused.len(), 189, "{refused:?}");
    assert!(refused[0].ends_with("api011.yaml"), "{refused:?}");
    let (second, _) = check(dir.path());
    assert_eq!(
        first, second,
        "the same catalog must lose the same substitutions"
    );
}

/// Groups g0 … g{n-1}, each the parent's child of the next, in a ring;
/// with `fan`, g0 also lists every other group as a child.
fn group_ring(n: usize, fan: bool) -> String {
    (0..n)
        .map(|i| {
            let children = if fan && i == 0 {
                (1..n).map(|j| format!("g{j}")).collect::<Vec<_>>().join(", ")
            } else {
                String::new()
            };
            format!(
                "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: g{i}\nspec:\n  type: team\n  parent: g{}\n  children: [{children}]\n",
                (i + 1) % n
            )
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

#[test]
fn a_long_group_loop_is_reported_once_with_a_bounded_path() {
    // 8,000 groups: 2 min 41 s, 6.8 GB and 763 MB of output before.
    for fan in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "groups.yaml", &group_ring(8_000, fan));
        let (json, _) = check(dir.path());
        let msgs = messages(&json, "E0111");
        assert_eq!(msgs.len(), 1, "fan {fan}: {msgs:?}");
        // (The output also holds two scorecard warnings per group.)
        assert!(msgs[0].len() < 1_000, "fan {fan}: {}", msgs[0]);
        if fan {
            // The shortest loop through the smallest member, and how many
            // groups the whole tangle holds.
            assert_eq!(
                msgs[0],
                "the group hierarchy loops: group:default/g0 → group:default/g1 → group:default/g0 (8000 entities in all are caught in loops with it)"
            );
        } else {
            assert!(
                msgs[0].starts_with("the group hierarchy loops through 8000 entities: group:default/g0 → group:default/g1 → ")
                    && msgs[0].ends_with("group:default/g9 → … 7990 more → group:default/g0"),
                "{}",
                msgs[0]
            );
        }
    }
}
