//! TechDocs in the portal: discovery (nav, no nav, `mkdocs.yaml`,
//! `!include`), rendering into `docs/<ns>/<kind>/<name>/`, link rewriting,
//! assets, the panel's Docs answer, and hostile docs staying inert.

mod common;
use common::*;
use std::collections::BTreeMap;

const SVC: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n";

fn site(files: &[(&str, &str)]) -> (BTreeMap<String, Vec<u8>>, String) {
    let cat = catalog(files);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = build(cat.path(), &site);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    (tree(&site), stderr(&run) + &stdout(&run))
}

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(
        files
            .get(path)
            .unwrap_or_else(|| {
                panic!(
                    "no {path}; docs files: {:?}",
                    files
                        .keys()
                        .filter(|k| k.starts_with("docs/"))
                        .collect::<Vec<_>>()
                )
            })
            .clone(),
    )
    .unwrap()
}

/// The nav's link texts in order.
fn nav(html: &str) -> Vec<String> {
    let nav = &html[html.find("class=\"docs-nav\"").unwrap()..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    nav.split("<a href=")
        .skip(2) // the site name link
        .map(|a| {
            let t = &a[a.find('>').unwrap() + 1..];
            t[..t.find('<').unwrap()].to_owned()
        })
        .collect()
}

const BASE: &str = "docs/default/component/svc/";

#[test]
fn nested_nav_orders_pages_and_links_are_rewritten() {
    let (files, _) = site(&[
        ("team.yaml", GROUP),
        ("svc.yaml", SVC),
        (
            "mkdocs.yml",
            "site_name: Svc docs\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\nnav:\n  - Home: index.md\n  - Guides:\n      - Setup: guides/setup.md\n      - guides/usage.md\n  - External: https://example.com/x\n",
        ),
        (
            "docs/index.md",
            "# Welcome\n\nSee [setup](guides/setup.md#install) and ![diagram](img/d.png).\n",
        ),
        (
            "docs/guides/setup.md",
            "# Setup\n\n## Install\n\nBack [home](../index.md).\n",
        ),
        ("docs/guides/usage.md", "# Usage guide\n"),
        ("docs/img/d.png", "PNG"),
    ]);
    let home = text(&files, &format!("{BASE}index.html"));
    assert_eq!(nav(&home), ["Home", "Setup", "Usage guide", "External"]);
    let page = format!("{BASE}index.html");
    let hrefs = attrs(&home, "href");
    // The link in the text keeps its anchor.
    let setup = hrefs
        .iter()
        .find(|h| h.contains("setup") && h.contains('#'))
        .unwrap();
    assert!(
        setup.ends_with("guides/setup/index.html#install"),
        "{setup}"
    );
    assert_eq!(
        resolve(&page, setup.trim_end_matches("#install")),
        format!("{BASE}guides/setup/index.html")
    );
    let img = attrs(&home, "src")
        .into_iter()
        .find(|s| s.contains("d.png"))
        .unwrap();
    assert_eq!(resolve(&page, &img), format!("{BASE}img/d.png"));
    assert_eq!(files[&format!("{BASE}img/d.png")], b"PNG");
    // Previous and next follow the nav; the breadcrumbs lead to the entity.
    let setup_html = text(&files, &format!("{BASE}guides/setup/index.html"));
    assert!(
        setup_html.contains("rel=\"prev\"") && setup_html.contains("← Home"),
        "{setup_html}"
    );
    assert!(setup_html.contains("Usage guide →"));
    assert!(setup_html.contains("catalog/default/component/svc/index.html"));
    // The right-hand table of contents.
    assert!(setup_html.contains("<li class=\"toc-h2\"><a href=\"#install\">Install</a>"));
}

#[test]
fn without_nav_pages_go_by_path_with_index_first_and_mkdocs_yaml_is_read() {
    let (files, _) = site(&[
        ("team.yaml", GROUP),
        ("svc.yaml", SVC),
        ("mkdocs.yaml", "site_name: Yaml name\ndocs_dir: pages\n"),
        ("pages/zeta.md", "# Zeta\n"),
        ("pages/README.md", "# Readme home\n"),
        ("pages/alpha.md", "# Alpha\n"),
        ("pages/sub/index.md", "# Sub home\n"),
        ("pages/sub/b.md", "# B\n"),
    ]);
    let home = text(&files, &format!("{BASE}index.html"));
    assert!(home.contains("Yaml name"));
    assert_eq!(
        nav(&home),
        ["Readme home", "Alpha", "Zeta", "Sub home", "B"]
    );
}

#[test]
fn an_included_child_site_is_mounted_as_a_section() {
    let (files, _) = site(&[
        ("team.yaml", GROUP),
        ("svc.yaml", SVC),
        (
            "mkdocs.yml",
            "site_name: Mono\nnav:\n  - Home: index.md\n  - Backend: !include ./backend/mkdocs.yml\n",
        ),
        ("docs/index.md", "# Mono\n"),
        (
            "backend/mkdocs.yml",
            "site_name: Backend\nnav:\n  - Start: index.md\n",
        ),
        ("backend/docs/index.md", "# Backend start\n"),
    ]);
    let home = text(&files, &format!("{BASE}index.html"));
    assert_eq!(nav(&home), ["Home", "Start"]);
    assert!(
        home.contains("<span class=\"docs-section\">Backend</span>"),
        "{home}"
    );
    assert!(files.contains_key(&format!("{BASE}backend/docs/index.html")));
}

#[test]
fn the_panel_links_to_the_docs_home_and_other_entities_docs_link_across() {
    let other = SVC.replace("name: svc", "name: other");
    let (files, _) = site(&[
        ("team.yaml", GROUP),
        ("svc/catalog-info.yaml", SVC),
        ("svc/mkdocs.yml", "site_name: Svc\n"),
        (
            "svc/docs/index.md",
            "# Svc\n\nSee [other](../../other/docs/index.md#usage).\n",
        ),
        ("other/catalog-info.yaml", &other),
        ("other/mkdocs.yml", "site_name: Other\n"),
        ("other/docs/index.md", "# Other\n\n## Usage\n"),
    ]);
    let entity = text(&files, "catalog/default/component/svc/index.html");
    let docs = &entity[entity.find("data-answer=\"docs\"").unwrap()..];
    let href = attrs(docs, "href").into_iter().next().unwrap();
    assert_eq!(
        resolve("catalog/default/component/svc/index.html", &href),
        format!("{BASE}index.html")
    );
    let page = text(&files, &format!("{BASE}index.html"));
    let link = attrs(&page, "href")
        .into_iter()
        .find(|h| h.contains("other"))
        .unwrap();
    assert_eq!(
        resolve(&format!("{BASE}index.html"), &link),
        "docs/default/component/other/index.html#usage"
    );
}

#[test]
fn hostile_docs_are_inert() {
    let (files, _) = site(&[
        ("team.yaml", GROUP),
        ("svc.yaml", SVC),
        ("mkdocs.yml", "site_name: \"<script>alert(0)</script>\"\n"),
        (
            "docs/index.md",
            "# <img src=x onerror=alert(1)>\n\n<script>alert(2)</script>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n<a href=\"javascript:alert(3)\" onmouseover=\"alert(4)\">x</a>\n\n[y](javascript:alert(5))\n\n!!! note \"<script>alert(6)</script>\"\n    <svg onload=alert(7)></svg>\n\n<object data=\"x.swf\"></object><embed src=\"x\">\n",
        ),
        (
            "docs/evil.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(8)</script></svg>",
        ),
        ("docs/evil.html", "<script>alert(9)</script>"),
    ]);
    let page = text(&files, &format!("{BASE}index.html"));
    let lower = page.to_ascii_lowercase();
    let body = &lower[lower.find("<main").unwrap()..];
    for bad in [
        "<script",
        "onerror",
        "onload",
        "onmouseover",
        "javascript:",
        "<iframe",
        "<object",
        "<embed",
    ] {
        assert!(!body.contains(bad), "`{bad}` survived in {body}");
    }
    // The only scripts of the page are the site's own (app.js, search.js).
    assert_eq!(lower.matches("<script").count(), 2, "{page}");
    assert!(
        lower.contains("static/app.js\" defer></script>")
            && lower.contains("static/search.js\" defer></script>"),
        "{page}"
    );
    assert!(
        !files
            .keys()
            .any(|k| k.ends_with("evil.svg") || k.ends_with("evil.html"))
    );
}

#[test]
fn the_example_catalog_docs_render_every_feature_without_docs_warnings() {
    let out = tempfile::tempdir().unwrap();
    let root = repo().join("example-catalog");
    let check = portolan(
        &["check", root.to_str().unwrap(), "--today", "2026-11-28"],
        &repo(),
    );
    let said = stdout(&check) + &stderr(&check);
    assert!(!said.contains("[E05"), "{said}");
    let site = out.path().join("site");
    build_example(&site);
    let files = tree(&site);
    let page = text(
        &files,
        "docs/default/component/orders-service/developing/index.html",
    );
    for want in [
        "<div class=\"admonition warning\">",
        "<details class=\"admonition tip\">",
        "class=\"tabbed-set\"",
        "<span class=\"hl-",
        "<pre class=\"mermaid\">",
        "<h2 id=\"order-lifecycle\">",
    ] {
        assert!(page.contains(want), "no `{want}` in the developing page");
    }
    // Every entity with local TechDocs has a docs home.
    for name in [
        "orders-service",
        "billing-service",
        "route-optimizer",
        "tracking-service",
        "auth-service",
        "notification-service",
    ] {
        assert!(
            files.contains_key(&format!("docs/default/component/{name}/index.html")),
            "{name}"
        );
    }
}

#[test]
fn docs_settings_escape_raw_html_and_turn_highlighting_off() {
    let (files, _) = site(&[
        (
            "portolan.toml",
            "[docs]\nraw_html = \"escape\"\nhighlight = false\n",
        ),
        ("team.yaml", GROUP),
        ("svc.yaml", SVC),
        ("mkdocs.yml", "site_name: Svc\n"),
        (
            "docs/index.md",
            "# Svc\n\n<b>bold</b>\n\n```rust\nfn main() {}\n```\n",
        ),
    ]);
    let page = text(&files, &format!("{BASE}index.html"));
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt;"), "{page}");
    assert!(
        page.contains("<code class=\"language-rust\">fn main() {}"),
        "{page}"
    );
    assert!(!page.contains("hl-"), "{page}");
}

#[test]
fn techdocs_yaml_wins_over_mkdocs_yml_with_title_docs_dir_and_nav() {
    let (files, said) = site(&[
        ("team.yaml", GROUP),
        ("svc.yaml", SVC),
        (
            "techdocs.yaml",
            "version: 1\ntitle: From techdocs.yaml\ndocsDir: pages\nnav:\n  - Start: start.md\n  - Guides:\n      - Other page: guides/other.md\n",
        ),
        ("mkdocs.yml", "site_name: From mkdocs.yml\n"),
        ("docs/index.md", "# Not these docs\n"),
        ("pages/start.md", "# Start\n"),
        ("pages/guides/other.md", "# Other\n"),
    ]);
    assert!(!said.contains("E05"), "{said}");
    let home = text(&files, &format!("{BASE}start/index.html"));
    assert!(home.contains("From techdocs.yaml"), "{home}");
    assert!(!home.contains("From mkdocs.yml"));
    assert_eq!(nav(&home), ["Start", "Other page"]);
    // The home is the first nav page; `docs/` is not the docs folder here.
    assert!(!files.contains_key(&format!("{BASE}index.html")));
    let entity = text(&files, "catalog/default/component/svc/index.html");
    let docs = &entity[entity.find("data-answer=\"docs\"").unwrap()..];
    let href = attrs(docs, "href").into_iter().next().unwrap();
    assert_eq!(
        resolve("catalog/default/component/svc/index.html", &href),
        format!("{BASE}start/index.html")
    );
}

#[test]
fn techdocs_yml_is_read_and_is_not_a_catalog_file() {
    let (files, said) = site(&[
        ("team.yaml", GROUP),
        ("svc.yaml", SVC),
        // `kind` in a nav title must not make it a candidate entity file.
        (
            "techdocs.yml",
            "version: 1\ntitle: Yml site\nnav:\n  - What kind: index.md\n",
        ),
        ("docs/index.md", "# Home\n"),
    ]);
    assert!(!said.contains("E0"), "{said}");
    let home = text(&files, &format!("{BASE}index.html"));
    assert!(home.contains("Yml site"));
    assert_eq!(nav(&home), ["What kind"]);
}

#[test]
fn a_docs_dir_that_leaves_root_is_an_error_and_nothing_stands_in_for_it() {
    let cat = catalog(&[
        ("team.yaml", GROUP),
        ("svc.yaml", SVC),
        ("mkdocs.yml", "site_name: Svc\ndocs_dir: ../../../etc\n"),
        ("docs/index.md", "# The default folder\n"),
    ]);
    let check = portolan(&["check", cat.path().to_str().unwrap()], cat.path());
    let said = stdout(&check) + &stderr(&check);
    assert_eq!(check.status.code(), Some(1), "{said}");
    assert!(said.contains("E0505 docs-outside-root"), "{said}");
    assert!(said.contains("mkdocs.yml:2:11"), "{said}");
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(cat.path(), &site);
    let files = tree(&site);
    assert!(
        !files.keys().any(|k| k.starts_with("docs/")),
        "{:?}",
        files
            .keys()
            .filter(|k| k.starts_with("docs/"))
            .collect::<Vec<_>>()
    );
}

/// The link texts and resolved targets of the links in `html`.
fn links(page: &str, html: &str) -> Vec<(String, String)> {
    html.split("<a href=\"")
        .skip(1)
        .map(|a| {
            let href = &a[..a.find('"').unwrap()];
            let t = &a[a.find('>').unwrap() + 1..];
            (t[..t.find('<').unwrap()].to_owned(), resolve(page, href))
        })
        .collect()
}

fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[at..];
    &rest[..rest.find("</section>").unwrap()]
}

#[test]
fn the_entity_page_lists_its_docs_pages_in_nav_order_and_the_team_page_its_docs_sites() {
    let bare = SVC
        .replace("name: svc", "name: bare")
        .replace("    backstage.io/techdocs-ref: dir:.\n", "    x: y\n");
    let (files, _) = site(&[
        ("team.yaml", GROUP),
        ("svc/catalog-info.yaml", SVC),
        (
            "svc/mkdocs.yml",
            "site_name: Svc handbook\nnav:\n  - Home: index.md\n  - Zebra first: z.md\n  - Guides:\n      - a.md\n",
        ),
        ("svc/docs/index.md", "# Welcome\n"),
        ("svc/docs/z.md", "# Zebra\n"),
        ("svc/docs/a.md", "# Alpha guide\n"),
        ("bare.yaml", &bare),
    ]);
    let page = "catalog/default/component/svc/index.html";
    let entity = text(&files, page);
    assert_eq!(
        links(page, section(&entity, "docs")),
        [
            ("Svc handbook", format!("{BASE}index.html")),
            ("Home", format!("{BASE}index.html")),
            ("Zebra first", format!("{BASE}z/index.html")),
            ("Alpha guide", format!("{BASE}a/index.html")),
        ]
        .map(|(t, u)| (t.to_owned(), u))
    );
    let bare_page = text(&files, "catalog/default/component/bare/index.html");
    assert!(!bare_page.contains("id=\"docs\""));
    let team_page = "catalog/default/group/team-a/index.html";
    let team = text(&files, team_page);
    let docs = section(&team, "team-docs");
    assert_eq!(
        links(team_page, docs),
        [("Svc handbook".to_owned(), format!("{BASE}index.html"))]
    );
    assert!(docs.contains("3 pages"), "{docs}");
}
