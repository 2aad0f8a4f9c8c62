//! Hostile policies and settings (issue 10, items 2, 6 and 8): each must end
//! in a diagnostic, never in an abort (exit 134), a panic (101), a stack
//! overflow or a hang. Every run is a child process under a 1 GiB address
//! space limit and a timeout, so a regression fails instead of taking the
//! machine down.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

/// Runs the binary under `ulimit -v` (1 GiB) and a timeout.
fn limited(args: &[&str], cwd: &Path, timeout_secs: u64) -> (Output, Duration) {
    common::portolan_limited(args, cwd, 1024 * 1024, Duration::from_secs(timeout_secs))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A scorecard policy with one check per `(id, body)`.
fn policy(package: &str, checks: &[(&str, &str)]) -> String {
    let mut p = format!(
        "# METADATA\n# title: Hostile\n# custom:\n#   levels: [bronze]\npackage {package}\n"
    );
    for (i, (id, body)) in checks.iter().enumerate() {
        p.push_str(&format!(
            "\n# METADATA\n# title: {id}\n# custom:\n#   id: {id}\n#   level: bronze\nrule_{i} contains msg if {{\n{body}\n}}\n"
        ));
    }
    p
}

fn group(name: &str) -> String {
    common::GROUP.replace("team-a", name)
}

const NO_DEFAULTS: &str = "[scorecards]\ndefaults = false\n";

/// Exit 1 (the catalog has errors), not a crash, and within `secs`.
fn assert_clean_exit(o: &Output, took: Duration, secs: u64) {
    let all = text(o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(took < Duration::from_secs(secs), "took {took:?}: {all}");
    assert!(!all.contains("panicked"), "{all}");
}

#[test]
fn builtin_bombs_are_policy_limit_diagnostics_and_the_run_goes_on() {
    let mut doubling = String::from("  s0 := \"xxxxxxxxxxxxxxxx\"\n");
    for i in 1..=40 {
        doubling.push_str(&format!(
            "  s{i} := concat(\"\", [s{}, s{}])\n",
            i - 1,
            i - 1
        ));
    }
    doubling.push_str("  msg := sprintf(\"%d\", [count(s40)])");
    let p = policy(
        "hostile",
        &[
            (
                "range",
                "  x := numbers.range(0, 1e12)\n  msg := sprintf(\"%d\", [count(x)])",
            ),
            (
                "range-step",
                "  x := numbers.range_step(0, 9e18, 1)\n  msg := sprintf(\"%d\", [count(x)])",
            ),
            ("sprintf-width", "  msg := sprintf(\"%2000000000d\", [1])"),
            ("concat-doubling", &doubling),
            (
                "ordinary",
                "  msg := sprintf(\"%s has no owner team\", [input.entity.metadata.name])",
            ),
        ],
    );
    let dir = common::catalog(&[
        ("portolan.toml", NO_DEFAULTS),
        ("team-a.yaml", &group("team-a")),
        ("team-b.yaml", &group("team-b")),
        ("policies/hostile.rego", &p),
    ]);
    let (o, took) = limited(&["check", "."], dir.path(), 60);
    assert_clean_exit(&o, took, 30);
    let all = text(&o);
    let line_of = |needle: &str| p.lines().position(|l| l.contains(needle)).unwrap() + 1;
    for (id, why, line) in [
        (
            "range",
            "`numbers.range`: the number of elements would be 1000000000001, over Portolan's policy limit of 1000000",
            line_of("numbers.range("),
        ),
        (
            "range-step",
            "`numbers.range_step`: the number of elements would be 9000000000000000001",
            line_of("numbers.range_step("),
        ),
        (
            "sprintf-width",
            "`sprintf`: a width or precision in the format would be 2000000000, over Portolan's policy limit of 10000",
            line_of("%2000000000d"),
        ),
        (
            "concat-doubling",
            "`concat`: the joined string's length would be 33554432, over Portolan's policy limit of 16777216",
            line_of("s21 := "),
        ),
    ] {
        let head = format!(
            "error[E0203 policy-limit]: check `{id}` on `group:default/team-a` was stopped: "
        );
        let found = all.lines().position(|l| l.starts_with(&head));
        let at = found.unwrap_or_else(|| panic!("no E0203 for {id}:\n{all}"));
        assert!(all.lines().nth(at).unwrap().contains(why), "{id}: {all}");
        assert!(
            all.lines()
                .nth(at)
                .unwrap()
                .ends_with("(and on 1 more entities)"),
            "{all}"
        );
        let loc = all.lines().nth(at + 1).unwrap();
        assert!(
            loc.contains(&format!("policies/hostile.rego:{line}:")),
            "{id}: {loc}"
        );
    }
    // The ordinary check still ran on every entity.
    assert!(
        all.contains("1 entity fails") || all.contains("2 entities fail `ordinary`"),
        "{all}"
    );
    assert!(!all.contains("check `ordinary` on"), "{all}");
}

#[test]
fn recursion_in_any_spelling_is_refused_in_check_build_and_policy_test() {
    let spellings = [
        ("through-data", "f(x) := data.hostile.f(x)\n", (0, 1)),
        (
            "indented",
            "    f(x) := y if {\n        y := f(x)\n    }\n",
            (0, 5),
        ),
        (
            "hash-in-string",
            "f(x) := y if {\n  s := \"#\"\n  y := f(concat(s, [x]))\n}\n",
            (0, 1),
        ),
        (
            "import-alias",
            "import data.hostile as me\nf(x) := me.f(x)\n",
            (0, 1),
        ),
    ];
    for (name, def, (line, col)) in spellings {
        let mut p = policy(
            "hostile",
            &[("uses-f", "  y := f(\"a\")\n  msg := sprintf(\"%v\", [y])")],
        ) + "\n"
            + def;
        // Imports belong after the package line.
        if let Some(import) = def.lines().find(|l| l.starts_with("import ")) {
            p = p
                .replace(&format!("{import}\n"), "")
                .replace("package hostile\n", &format!("package hostile\n{import}\n"));
        }
        let t = "package hostile_test\n\nimport data.hostile\n\ntest_f if { hostile.f(1) == 1 }\n";
        let line = p
            .lines()
            .position(|l| l.trim_start().starts_with("f(x) :="))
            .unwrap()
            + 1
            + line;
        let dir = common::catalog(&[
            ("portolan.toml", NO_DEFAULTS),
            ("team-a.yaml", &group("team-a")),
            ("policies/hostile.rego", &p),
            ("policies/hostile_test.rego", t),
        ]);
        let (o, took) = limited(&["check", "."], dir.path(), 60);
        assert_clean_exit(&o, took, 30);
        let all = text(&o);
        assert!(
            all.contains("error[E0201 policy-error]: policy is recursive: data.hostile.f → data.hostile.f (Rego forbids recursion)"),
            "{name}: {all}"
        );
        assert!(
            all.contains(&format!("policies/hostile.rego:{line}:{col}")),
            "{name}: {all}"
        );

        let out = dir.path().join("site");
        let (o, took) = limited(
            &["build", ".", "--out", out.to_str().unwrap()],
            dir.path(),
            60,
        );
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{name}: {}",
            text(&o)
        );
        assert!(took < Duration::from_secs(30));

        let (o, took) = limited(&["policy", "test", "."], dir.path(), 60);
        assert_clean_exit(&o, took, 30);
        assert!(
            text(&o).contains("recursion data.hostile.f → data.hostile.f"),
            "{name}: {}",
            text(&o)
        );
    }
}

#[test]
fn slow_checks_cannot_stall_the_run() {
    // Each check runs into the 1 s rule limit on every entity: 3 × 51 s of
    // work with per-rule limits alone (80 s measured before the fix).
    let slow = "  x := numbers.range(1, 1000000)\n  z := [w | some i in x; some j in x; w := i + j]\n  msg := sprintf(\"%d\", [count(z)])";
    let p = policy("slow", &[("a", slow), ("b", slow), ("c", slow)]);
    let mut files: Vec<(String, String)> = (0..51)
        .map(|i| (format!("g{i:02}.yaml"), group(&format!("team-{i:02}"))))
        .collect();
    files.push(("portolan.toml".into(), NO_DEFAULTS.into()));
    files.push(("policies/slow.rego".into(), p));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = common::catalog(&refs);

    // Default settings: each check is benched after it timed out twice.
    let (o, took) = limited(&["check", "."], dir.path(), 60);
    assert_clean_exit(&o, took, 12);
    let all = text(&o);
    for id in ["a", "b", "c"] {
        let head = format!(
            "error[E0203 policy-limit]: check `{id}` hit its time limit (1000 ms) or result-size limit on 2 entities, so it was not run on "
        );
        assert!(all.contains(&head), "{id}: {all}");
    }

    // A stage budget cuts the run even when every check is slow only once.
    std::fs::write(
        dir.path().join("portolan.toml"),
        format!("{NO_DEFAULTS}time_budget_secs = 1\n"),
    )
    .unwrap();
    let (o, took) = limited(&["check", "."], dir.path(), 60);
    assert_clean_exit(&o, took, 12);
    let all = text(&o);
    let budget = all
        .lines()
        .position(|l| {
            l.starts_with(
                "error[E0203 policy-limit]: the scorecard stage used up its time budget of 1 s: ",
            )
        })
        .unwrap_or_else(|| panic!("{all}"));
    assert!(
        all.lines()
            .nth(budget)
            .unwrap()
            .contains("of 51 entities were not evaluated and count as `error`"),
        "{all}"
    );
    assert!(
        all.lines()
            .nth(budget + 1)
            .unwrap()
            .contains("portolan.toml:3:20"),
        "{all}"
    );
}

#[test]
fn a_check_may_not_return_the_catalog() {
    let p = policy("leak", &[("leak", "  msg := json.marshal(data.catalog)")]);
    let mut files: Vec<(String, String)> = (0..400)
        .map(|i| {
            let g = group(&format!("team-{i:03}"));
            let described = g.replace(
                "metadata:\n",
                &format!("metadata:\n  description: {}\n", "d".repeat(300)),
            );
            (format!("g{i:03}.yaml"), described)
        })
        .collect();
    files.push(("portolan.toml".into(), NO_DEFAULTS.into()));
    files.push(("policies/leak.rego".into(), p));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = common::catalog(&refs);
    let (o, took) = limited(&["check", "."], dir.path(), 60);
    assert_clean_exit(&o, took, 30);
    let all = text(&o);
    assert!(
        all.contains("error[E0203 policy-limit]: check `leak` on `group:default/team-000` returned more than 65536 bytes, over the `max_result_bytes` limit, so its result was dropped (and on "),
        "{all}"
    );
    assert!(
        all.contains("error[E0203 policy-limit]: check `leak` hit its time limit (1000 ms) or result-size limit on 2 entities, so it was not run on "),
        "{all}"
    );
    // The catalog never reaches the output.
    assert!(all.len() < 10_000, "{} bytes of output", all.len());
}

#[test]
fn scorecard_ids_are_slugs_and_unique_across_all_policies() {
    let clash = policy("mine", &[("x", "  false\n  msg := \"x\"")]).replace(
        "#   levels: [bronze]",
        "#   id: production-readiness\n#   levels: [bronze]",
    );
    let bad = policy("bad", &[("x", "  false\n  msg := \"x\"")]).replace(
        "#   levels: [bronze]",
        "#   id: ../../etc\n#   levels: [bronze]",
    );
    let dir = common::catalog(&[
        ("team-a.yaml", &group("team-a")),
        ("policies/mine.rego", &clash),
        ("policies/bad.rego", &bad),
    ]);
    let (o, took) = limited(&["check", "."], dir.path(), 60);
    assert_clean_exit(&o, took, 30);
    let all = text(&o);
    assert!(all.contains("error[E0200 policy-metadata]: scorecard id `production-readiness` is already used by <builtin>/production-readiness.rego, so this scorecard is left out\n --> policies/mine.rego:4:9"), "{all}");
    assert!(all.contains("error[E0200 policy-metadata]: scorecard id `../../etc` is not a slug\n --> policies/bad.rego:4:9"), "{all}");
    // The built-in still runs, and the portal builds.
    let out = dir.path().join("site");
    let (o, _) = limited(
        &["build", ".", "--out", out.to_str().unwrap()],
        dir.path(),
        60,
    );
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    assert!(
        out.join("scorecards/production-readiness/index.html")
            .is_file()
    );
    let page =
        std::fs::read_to_string(out.join("scorecards/production-readiness/index.html")).unwrap();
    assert!(
        page.contains("Production readiness"),
        "the built-in was replaced"
    );
}

#[test]
fn numeric_settings_are_range_checked() {
    for (toml, at, message, hint) in [
        (
            "[catalog]\nmax_file_bytes = 18446744073709551615\n",
            "portolan.toml:2:18",
            "[catalog] max_file_bytes: 18446744073709551615 is out of range; the default (4194304) is used",
            "`max_file_bytes` takes a whole number of bytes from 1 to 268435456 (default 4194304)",
        ),
        (
            "[catalog]\nmax_file_bytes = -1\n",
            "portolan.toml:2:18",
            "[catalog] max_file_bytes: -1 is out of range",
            "from 1 to 268435456",
        ),
        (
            "[scorecards]\ntime_budget_secs = 0\n",
            "portolan.toml:2:20",
            "[scorecards] time_budget_secs: 0 is out of range; the default (300) is used",
            "`time_budget_secs` takes a whole number of seconds from 1 to 86400 (default 300)",
        ),
        (
            "[scorecards]\nmax_result_bytes = 1.5\n",
            "portolan.toml:2:20",
            "[scorecards] max_result_bytes: 1.5 is not a whole number",
            "from 256 to 16777216 (default 65536)",
        ),
    ] {
        let dir = common::catalog(&[("portolan.toml", toml), ("team-a.yaml", &group("team-a"))]);
        let (o, took) = limited(&["check", "."], dir.path(), 60);
        assert_clean_exit(&o, took, 30);
        let all = text(&o);
        assert!(
            all.contains(&format!("error[E0008 config]: {message}")),
            "{toml}: {all}"
        );
        assert!(all.contains(at), "{toml}: {all}");
        assert!(all.contains(hint), "{toml}: {all}");
        // The default applies: the entity is read, not skipped as too large or empty.
        assert!(all.contains("checked 1 entity in 1 file"), "{all}");
    }
}
