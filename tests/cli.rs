//! The `portolan check` command as CI sees it: exit codes and every format.

mod common;
use common::*;

#[test]
fn example_catalog_checks_clean() {
    let out = portolan(&["check", "example-catalog", "--no-scorecards"], &repo());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("no problems found"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn example_catalog_has_no_errors_and_shows_its_scorecards() {
    let out = portolan(&["check", "example-catalog"], &repo());
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains("error["), "{text}");
    assert!(
        text.contains("scorecard Production readiness: 18 entities"),
        "{text}"
    );
    // Advisory checks are summarised per scorecard by default ...
    assert!(!text.contains("warning[E0300 check-failed]"), "{text}");
    assert!(text.contains("`--scorecard-details`"), "{text}");
    // ... and warn one by one, with their remediation, on request.
    let out = portolan(
        &["check", "example-catalog", "--scorecard-details"],
        &repo(),
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("warning[E0300 check-failed]"), "{text}");
    assert!(
        text.contains("= help: Add a link with `type: runbook` under `metadata.links`, or a `RUNBOOK.md` next to the entity file."),
        "{text}"
    );
}

#[test]
fn exit_codes_distinguish_clean_errors_and_usage() {
    let bad = catalog(&[
        ("group.yaml", GROUP),
        ("svc.yaml", &component("svc", "team-b")),
        STRICT,
    ]);
    let out = portolan(&["check", "."], bad.path());
    assert_eq!(out.status.code(), Some(1));
    let out = portolan(&["check", "does-not-exist"], bad.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
    let out = portolan(&["check", ".", "--format", "yaml"], bad.path());
    assert_eq!(out.status.code(), Some(2));
    // Warnings alone do not fail the gate: a dangling ref is one by
    // default, as Backstage accepts it.
    let warn = catalog(&[
        ("group.yaml", GROUP),
        ("svc.yaml", &component("svc", "team-b")),
    ]);
    let out = portolan(&["check"], warn.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("warning[E0103 dangling-ref]"));
}

#[test]
fn human_output_quotes_the_line_with_a_caret_and_no_colour_when_piped() {
    let bad = catalog(&[
        ("group.yaml", GROUP),
        ("svc.yaml", &component("svc", "team-b")),
        STRICT,
    ]);
    let text = stdout(&portolan(&["check", "."], bad.path()));
    assert!(
        !text.contains('\u{1b}'),
        "piped output must not contain ANSI escapes"
    );
    assert!(text.contains("error[E0103 dangling-ref]"), "{text}");
    assert!(text.contains("svc.yaml:8:10"), "{text}");
    assert!(text.contains("  owner: team-b"), "{text}");
    assert!(text.contains("^^^^^^"), "{text}");
    assert!(text.contains("help:"), "{text}");
}

#[test]
fn json_output_is_versioned_and_complete() {
    let bad = catalog(&[
        ("group.yaml", GROUP),
        ("svc.yaml", &component("svc", "team-b")),
        STRICT,
    ]);
    let out = portolan(&["check", ".", "--format", "json"], bad.path());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["summary"]["entities"], 2);
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "E0103")
        .expect("E0103");
    assert_eq!(d["code"], "E0103");
    assert_eq!(d["name"], "dangling-ref");
    assert_eq!(d["file"], "svc.yaml");
    assert_eq!(d["line"], 8);
    assert_eq!(d["column"], 10);
    assert!(d["help"].as_str().unwrap().contains("team-b"));
}

#[test]
fn github_annotations_point_at_file_and_line_and_escape_data() {
    let bad = catalog(&[
        ("group.yaml", GROUP),
        ("svc.yaml", &component("svc", "team-b")),
        STRICT,
    ]);
    let text = stdout(&portolan(&["check", ".", "--format", "github"], bad.path()));
    let line = text
        .lines()
        .find(|l| l.starts_with("::error "))
        .expect(&text);
    assert!(
        line.starts_with("::error file=svc.yaml,line=8,col=10,title=E0103 dangling-ref::"),
        "{line}"
    );
    assert!(
        line.contains("%0Ahelp: "),
        "multi-line messages are escaped: {line}"
    );
    // A root given on the command line prefixes paths, so annotations land on the repo file.
    let parent = bad.path().parent().unwrap();
    let name = bad.path().file_name().unwrap().to_str().unwrap();
    let text = stdout(&portolan(&["check", name, "--format", "github"], parent));
    assert!(
        text.contains(&format!("file={name}/svc.yaml,line=8")),
        "{text}"
    );
}

#[test]
fn sarif_is_sarif_2_1_0() {
    let bad = catalog(&[
        ("group.yaml", GROUP),
        ("svc.yaml", &component("svc", "team-b")),
        STRICT,
    ]);
    let out = portolan(&["check", ".", "--format", "sarif"], bad.path());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "portolan");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "E0103")
        .expect("E0103");
    let idx = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], result["ruleId"]);
    assert_eq!(result["ruleId"], "E0103");
    assert_eq!(result["level"], "error");
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "svc.yaml");
    assert_eq!(loc["region"]["startLine"], 8);
    assert_eq!(loc["region"]["startColumn"], 10);
}

#[test]
fn junit_is_well_formed_with_one_case_per_file() {
    let bad = catalog(&[
        ("group.yaml", GROUP),
        ("svc.yaml", &component("svc", "team-b")),
        ("odd.yaml", &component("x<&>\"", "team-a")),
        STRICT,
    ]);
    let out = portolan(&["check", ".", "--format", "junit"], bad.path());
    let text = stdout(&out);
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    // One case per catalog file, plus the run's own ("portolan"): outside
    // a git repository the gold check that needs history is not judged,
    // which is a warning about the run and does not fail it.
    let names: Vec<_> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
    assert_eq!(
        names,
        vec!["group.yaml", "odd.yaml", "portolan", "svc.yaml"]
    );
    let failed: Vec<_> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert_eq!(failed, vec!["odd.yaml", "svc.yaml"]);
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("failures"), Some("2"));
}

#[test]
fn markdown_summary_is_a_table_that_cannot_be_broken_by_data() {
    let bad = catalog(&[
        ("group.yaml", GROUP),
        ("svc.yaml", &component("svc", "'team|<b>x</b>'")),
        STRICT,
    ]);
    let text = stdout(&portolan(
        &["check", ".", "--format", "markdown"],
        bad.path(),
    ));
    assert!(
        text.starts_with("## ❌ Portolan catalog check: 1 error"),
        "{text}"
    );
    assert!(text.contains("| Severity | Code | Location | Problem |"));
    let row = text.lines().find(|l| l.contains("E0103")).expect(&text);
    assert!(row.contains("`svc.yaml:8:10`"), "{row}");
    // HTML from the catalog is inert: inside a code span it is shown as
    // written, and nowhere does it become markup.
    let markup: Vec<String> =
        pulldown_cmark::Parser::new_ext(&text, pulldown_cmark::Options::ENABLE_TABLES)
            .filter_map(|e| match e {
                pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h)
                    if h.as_ref() != "<br>" =>
                {
                    Some(h.into_string())
                }
                _ => None,
            })
            .collect();
    assert!(
        markup.is_empty(),
        "HTML from the catalog must be escaped: {markup:?}\n{row}"
    );
    assert!(row.contains("`spec.owner: team\\|<b>x</b>`"), "{row}");
    assert!(row.contains("team\\|"), "pipes must be escaped: {row}");
    let clean = stdout(&portolan(
        &[
            "check",
            "example-catalog",
            "--format",
            "markdown",
            "--no-scorecards",
        ],
        &repo(),
    ));
    assert!(clean.starts_with("## ✅"), "{clean}");
}

/// Runs the binary on a pseudo-terminal (util-linux `script`), so colour
/// detection sees a TTY.
fn on_tty(dir: &std::path::Path, no_color: bool) -> Option<String> {
    let script = std::path::Path::new("/usr/bin/script");
    if !script.exists() {
        eprintln!("SKIPPED: /usr/bin/script (util-linux) is absent; TTY colour not checked");
        return None;
    }
    let cmd = format!("{} check .", env!("CARGO_BIN_EXE_portolan"));
    let mut c = std::process::Command::new(script);
    c.args(["-qec", &cmd, "/dev/null"])
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("TERM", "xterm");
    if no_color {
        c.env("NO_COLOR", "1");
    }
    Some(String::from_utf8_lossy(&c.output().unwrap().stdout).into_owned())
}

#[test]
fn colour_on_a_terminal_unless_no_color_is_set() {
    let bad = catalog(&[
        ("group.yaml", GROUP),
        ("svc.yaml", &component("svc", "team-b")),
        STRICT,
    ]);
    let Some(coloured) = on_tty(bad.path(), false) else {
        return;
    };
    assert!(
        coloured.contains("\u{1b}["),
        "a TTY gets colour: {coloured}"
    );
    let plain = on_tty(bad.path(), true).unwrap();
    assert!(plain.contains("error[E0103 dangling-ref]"), "{plain}");
    assert!(
        !plain.contains("\u{1b}["),
        "NO_COLOR disables colour: {plain}"
    );
}

#[test]
fn output_is_byte_identical_across_runs() {
    for format in ["json", "human", "sarif", "junit", "markdown", "github"] {
        let args = [
            "check",
            "example-catalog",
            "--format",
            format,
            "--today",
            "2026-11-28",
        ];
        let a = portolan(&args, &repo());
        let b = portolan(&args, &repo());
        assert_eq!(a.stdout, b.stdout, "{format} output differs between runs");
    }
}
