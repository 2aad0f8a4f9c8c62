//! What a reader sees is what they get (issue 10, items 6 and 7): a small
//! hostile catalog, generated here, built into a portal and checked in
//! every text format. Each run of the binary is under a memory limit and
//! a timeout, so a regression fails instead of exhausting the machine.

mod common;

use common::{attrs, tree};
use std::path::Path;
use std::process::Output;
use std::time::Duration;

/// Virtual memory the binary may use (`ulimit -v`, KiB) and how long it
/// may run.
const MEM_KIB: u64 = 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `portolan args…` in `cwd` under [`MEM_KIB`] and [`TIMEOUT`].
fn portolan_limited(args: &[&str], cwd: &Path) -> Output {
    common::portolan_limited(args, cwd, MEM_KIB, TIMEOUT).0
}

const GROUP: &str = "apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
";

/// A service whose links disguise where they go, whose lifecycle tries to
/// add a class, and whose text hides characters.
const SVC: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc
  title: "Pay\u202Egnp.exe"
  description: "safe \u202Eexe.txt\u0000 \u2066end\u2069 \u200F\u061C"
  annotations:
    backstage.io/source-location: "url:https://git.good.example@evil.example/src/"
  links:
    - url: https://evil.example/
      title: https://runbooks.corp.example/x
      type: runbook
    - url: https://good.example@evil.example/
      title: Dashboard
      type: dashboard
    - url: https://user:hunter2@evil.example/x
spec:
  type: service
  lifecycle: "production level-gold"
  owner: team-a
"#;

/// An owner reference that closes a Markdown code span and then starts a
/// link and an image, and another that starts a line of its own.
const INJECT: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: inject
spec:
  type: service
  lifecycle: production
  owner: "team-a`](https://evil.example) ![i](https://evil.example/i.png) <img src=x> `x"
  system: "s\n::add-mask::maskme\r\n::error::pwned\e[2J\u202E"
"#;

/// A policy (untrusted like the rest) whose scorecard title is a link and
/// an image, and whose check title and message break lines, carry a
/// terminal escape and a bidi override, and close and reopen code spans.
const POLICY: &str = r#"# METADATA
# title: "Sec [review](https://evil.example) ![i](https://evil.example/i.png)"
# custom:
#   levels: [bronze]
package portolan.hostile

import rego.v1

# METADATA
# title: "check\n::add-mask::t"
# custom:
#   id: inject
#   level: bronze
inject contains msg if {
	input.entity.kind == "Component"
	msg := "x` ![pwn](https://evil.example/p.png) [ok](https://evil.example) www.evil.example `\n::error::msg\u001b[31m\u202e ``` [a](https://evil.example)"
}
"#;

fn component(name: &str, extra: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n{extra}spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )
}

/// The hostile catalog: the service above, entity files in folders named
/// to move an "edit this file" link (`%2e%2e`, a `\`), and a kind whose
/// name is another element's class.
fn hostile_catalog() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let climb = "%2e%2e/".repeat(6);
    let files = [
        (
            "portolan.toml".to_owned(),
            "[site]\nedit_url = \"https://github.com/acme/catalog/edit/main/{path}\"\n".to_owned(),
        ),
        ("group.yaml".to_owned(), GROUP.to_owned()),
        ("svc.yaml".to_owned(), SVC.to_owned()),
        (
            format!("{climb}attacker/x.yaml"),
            component("dotdot", "  description: [a]\n"),
        ),
        (
            "a\\..\\..\\..\\..\\attacker\\b/y.yaml".to_owned(),
            component("backslash", ""),
        ),
        (
            "inject.yaml".to_owned(),
            INJECT.to_owned(),
        ),
        ("evil\n::warning::file.yaml".to_owned(), component("nl", "")),
        ("policies/hostile.rego".to_owned(), POLICY.to_owned()),
        (
            "pill.yaml".to_owned(),
            "apiVersion: backstage.io/v1alpha1\nkind: Pill\nmetadata:\n  name: p\nspec:\n  owner: team-a\n".to_owned(),
        ),
    ];
    for (name, text) in files {
        let p = dir.path().join(&name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn build(root: &Path, out: &Path) {
    let run = portolan_limited(
        &[
            "build",
            root.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--today",
            "2026-06-01",
        ],
        root,
    );
    // The broken description is an error, which `build` reports and still
    // renders (the health page lists it).
    assert!(out.join("index.html").is_file(), "{run:?}");
}

fn page(site: &Path, rel: &str) -> String {
    std::fs::read_to_string(site.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn links_show_where_they_go_and_carry_no_credentials() {
    let root = hostile_catalog();
    let site = tempfile::tempdir().unwrap();
    build(root.path(), site.path());
    let html = page(site.path(), "catalog/default/component/svc/index.html");
    // The URL-looking title is shown, and the real host right after it.
    assert!(
        html.contains(
            ">runbooks.corp.example/x</a> <span class=\"link-host\" title=\"This link goes to evil.example\">(evil.example)</span>"
        ),
        "{html}"
    );
    assert!(
        html.contains(">Dashboard</a> <span class=\"link-host\" title=\"This link goes to evil.example\">(evil.example)</span>"),
        "{html}"
    );
    // Every outbound link on the page names its host, in its text or next to it.
    for href in attrs(&html, "href")
        .into_iter()
        .filter(|h| h.contains("evil.example"))
    {
        assert_eq!(
            href.split('/').nth(2),
            Some("evil.example"),
            "credentials left in {href}"
        );
    }
    // No credentials anywhere in the portal: not in hrefs, titles, or
    // text. (The JSON export under api/ is the entity as written.)
    for (name, bytes) in tree(site.path()) {
        if name.starts_with("api/") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        for secret in ["good.example@", "hunter2", "user:"] {
            assert!(!text.contains(secret), "{name} shows `{secret}`");
        }
    }
    // The annotation's link text loses the disguise, and says where it goes.
    assert!(
        html.contains(">url:https://evil.example/src/</a>"),
        "{html}"
    );
}

#[test]
fn edit_links_stay_in_the_catalog_repository() {
    let root = hostile_catalog();
    let site = tempfile::tempdir().unwrap();
    build(root.path(), site.path());
    let prefix = "https://github.com/acme/catalog/edit/main/";
    let mut edits = Vec::new();
    for (name, bytes) in tree(site.path()) {
        if name.ends_with(".html") {
            let html = String::from_utf8(bytes).unwrap();
            edits.extend(
                attrs(&html, "href")
                    .into_iter()
                    .filter(|h| h.starts_with("https://github.com/")),
            );
        }
    }
    for href in &edits {
        assert!(href.starts_with(prefix), "{href} left the repository");
        let resolved = url::Url::parse(href).unwrap();
        assert!(
            resolved.path().starts_with("/acme/catalog/edit/main/"),
            "{href} resolves to {resolved}"
        );
    }
    let climb = "%252e%252e/".repeat(6);
    // On the entity page and on the health page (the broken description).
    let on_entity = page(site.path(), "catalog/default/component/dotdot/index.html");
    let want = format!("{prefix}{climb}attacker/x.yaml");
    assert!(
        on_entity.contains(&format!("href=\"{want}\"")),
        "{on_entity}"
    );
    assert!(
        edits.iter().filter(|h| **h == want).count() >= 2,
        "{edits:#?}"
    );
    let backslash = page(
        site.path(),
        "catalog/default/component/backslash/index.html",
    );
    assert!(
        backslash.contains(&format!(
            "href=\"{prefix}a%5C..%5C..%5C..%5C..%5Cattacker%5Cb/y.yaml\""
        )),
        "{backslash}"
    );
}

#[test]
fn catalog_values_cannot_choose_classes() {
    let root = hostile_catalog();
    let site = tempfile::tempdir().unwrap();
    build(root.path(), site.path());
    let svc = page(site.path(), "catalog/default/component/svc/index.html");
    assert!(
        svc.contains("<span class=\"lifecycle lifecycle-other\">production level-gold</span>"),
        "{svc}"
    );
    assert!(!svc.contains("level-gold\""), "{svc}");
    let pill = page(site.path(), "catalog/default/pill/p/index.html");
    assert!(
        pill.contains("<span class=\"kind-pill kind-other\">"),
        "{pill}"
    );
    // Every class on every page comes from the theme, not the catalog.
    for (name, bytes) in tree(site.path()) {
        if name.ends_with(".html") {
            let html = String::from_utf8(bytes).unwrap();
            for class in attrs(&html, "class") {
                assert!(
                    class.split(' ').all(|c| c
                        .chars()
                        .all(|ch| ch.is_ascii_lowercase() || ch == '-' || ch.is_ascii_digit())),
                    "{name}: class=\"{class}\""
                );
                assert!(!class.contains("level-gold lifecycle"), "{name}");
            }
        }
    }
}

#[test]
fn invisible_characters_are_shown_in_the_portal() {
    let root = hostile_catalog();
    let site = tempfile::tempdir().unwrap();
    build(root.path(), site.path());
    let svc = page(site.path(), "catalog/default/component/svc/index.html");
    assert!(
        svc.contains("safe ⟨U+202E⟩exe.txt⟨U+0000⟩ ⟨U+2066⟩end⟨U+2069⟩ ⟨U+200F⟩⟨U+061C⟩"),
        "{svc}"
    );
    assert!(svc.contains("<h1>Pay⟨U+202E⟩gnp.exe</h1>"), "{svc}");
    // Nowhere in the portal (pages, the catalog page's data, graphs) does
    // one of them get through. The JSON export is data and keeps the text
    // as written (JSON escapes it).
    for (name, bytes) in tree(site.path()) {
        if name.starts_with("api/") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        for c in [
            '\0', '\u{202e}', '\u{2066}', '\u{2069}', '\u{200f}', '\u{61c}',
        ] {
            assert!(
                !text.contains(c),
                "{name} passes U+{:04X} through",
                c as u32
            );
        }
    }
    let data = page(site.path(), "search/r/0.js");
    assert!(data.contains("Pay⟨U+202E⟩gnp.exe"), "{data}");
}

/// `portolan check` in `format` on the hostile catalog.
fn check(root: &Path, format: &str) -> String {
    let run = portolan_limited(
        &[
            "check",
            root.to_str().unwrap(),
            "--format",
            format,
            "--scorecard-details",
            "--today",
            "2026-06-01",
        ],
        root,
    );
    assert_eq!(run.status.code(), Some(1), "{}", common::stderr(&run));
    String::from_utf8(run.stdout).unwrap() + &String::from_utf8_lossy(&run.stderr)
}

#[test]
fn no_value_starts_a_line_or_sends_an_escape_in_any_text_format() {
    let root = hostile_catalog();
    for format in ["human", "github", "markdown", "junit", "json", "sarif"] {
        let out = check(root.path(), format);
        // The hostile values are in the output (so the test sees them) ...
        assert!(out.contains("add-mask"), "{format}: {out}");
        for line in out.lines() {
            let t = line.trim_start();
            // ... but none starts a line: GitHub's runner executes a line
            // that starts with `::`. The github format's own annotations
            // are the only such lines.
            let ours = format == "github"
                && [
                    "::error file=",
                    "::warning file=",
                    "::notice title=",
                    "::error title=",
                    "::warning title=",
                ]
                .iter()
                .any(|p| line.starts_with(p));
            assert!(
                ours || !t.starts_with("::"),
                "{format}: a value starts a line: {line:?}"
            );
        }
        assert!(!out.contains('\u{1b}'), "{format} sends an escape sequence");
        assert!(!out.contains('\r'), "{format} sends a carriage return");
        if !matches!(format, "json" | "sarif") {
            // JSON carries the text as written (escaped as JSON requires).
            assert!(!out.contains('\u{202e}'), "{format} passes U+202E through");
        }
    }
    let human = check(root.path(), "human");
    assert!(
        human.contains(
            "spec.system: s\\n::add-mask::maskme\\r\\n::error::pwned\\u{1b}[2J\\u{202e}`"
        ),
        "{human}"
    );
    assert!(human.contains("/evil\\n::warning::file.yaml:"), "{human}");
}

#[test]
fn markdown_makes_nothing_live() {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let root = hostile_catalog();
    let md = check(root.path(), "markdown");
    assert!(md.contains("evil.example"), "{md}");
    let mut problems = Vec::new();
    let mut code = Vec::new();
    for (event, range) in Parser::new_ext(&md, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                problems.push(format!("link to {dest_url}"))
            }
            Event::Start(Tag::Image { dest_url, .. }) => problems.push(format!("image {dest_url}")),
            Event::Html(h) | Event::InlineHtml(h) if h.as_ref() != "<br>" => {
                problems.push(format!("HTML {h}"))
            }
            Event::Code(_) => code.push(range),
            _ => {}
        }
    }
    // GitHub also turns a bare `https://…` or `www.…` in text into a link:
    // outside code spans, each must be broken by a backslash.
    let lower = md.to_ascii_lowercase();
    for pattern in ["://", "www."] {
        for (i, _) in lower.match_indices(pattern) {
            let in_code = code.iter().any(|r| r.contains(&i));
            if !in_code && !md[..i].ends_with('\\') {
                let line = md[..i].rsplit('\n').next().unwrap_or("");
                problems.push(format!("bare link after {line:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}\n{md}");
    // A value never ends a table row: every row has its four cells.
    let rows: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("| Severity |"))
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(rows.len() > 10, "{md}");
    for row in rows {
        assert!(
            row == "|---|---|---|---|" || (row.starts_with("| ") && row.ends_with(" |")),
            "{row:?}"
        );
    }
    // The scorecard's title reads as written, inert.
    assert!(
        md.contains(
            "Sec \\[review\\](https\\://evil.example) !\\[i\\](https\\://evil.example/i.png)"
        ),
        "{md}"
    );
}
