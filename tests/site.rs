//! The HTML portal: every link resolves, catalog content stays inert,
//! themes override single files, and template errors point at file:line
//! without touching the previous output.

mod common;
use common::*;
use std::collections::BTreeMap;

fn example_site() -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build_example(&site);
    let files = tree(&site);
    (out, files)
}

/// Every relative `href`/`src` in every page points at a file of the site
/// (and at an element with the fragment's id); returns how many were checked.
fn assert_links_resolve(files: &BTreeMap<String, Vec<u8>>) -> usize {
    let pages: Vec<_> = files.keys().filter(|p| p.ends_with(".html")).collect();
    let mut checked = 0;
    let mut broken = Vec::new();
    for page in &pages {
        let html = String::from_utf8(files[*page].clone()).unwrap();
        let mut urls = attrs(&html, "href");
        urls.extend(attrs(&html, "src"));
        for url in urls {
            if url.starts_with("https://")
                || url.starts_with("http://")
                || url.starts_with("mailto:")
            {
                continue;
            }
            assert!(
                !url.starts_with('/') && !url.contains("://"),
                "{page}: links must be relative: {url}"
            );
            let (path, fragment) = url.split_once('#').unwrap_or((&url, ""));
            let path = path.split('?').next().unwrap();
            let target = if path.is_empty() {
                (*page).clone()
            } else {
                resolve(page, path)
            };
            checked += 1;
            let Some(body) = files.get(&target) else {
                broken.push(format!("{page}: {url} -> {target}"));
                continue;
            };
            if !fragment.is_empty() {
                let body = String::from_utf8_lossy(body);
                if !body.contains(&format!("id=\"{fragment}\"")) {
                    broken.push(format!("{page}: {url}: no id `{fragment}` in {target}"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    checked
}

#[test]
fn every_internal_link_in_the_example_portal_resolves() {
    let (_dir, files) = example_site();
    let pages = files.keys().filter(|p| p.ends_with(".html")).count();
    assert!(pages > 100, "only {pages} pages");
    let checked = assert_links_resolve(&files);
    assert!(checked > 2000, "only {checked} links checked");
}

#[test]
fn backstages_own_example_catalogs_build_into_portals_without_broken_links() {
    for name in ["backstage-examples", "backstage-create-app"] {
        let Some(root) = compat(name) else { continue };
        let out = tempfile::tempdir().unwrap();
        let site = out.path().join("site");
        let run = build(&root, &site);
        assert_eq!(run.status.code(), Some(0), "{name}: {}", stderr(&run));
        let files = tree(&site);
        let entities = files
            .keys()
            .filter(|p| {
                p.starts_with("catalog/")
                    && p.ends_with("/index.html")
                    && p.matches('/').count() == 4
            })
            .count();
        assert!(entities > 5, "{name}: only {entities} entity pages");
        assert_links_resolve(&files);
    }
}

#[test]
fn every_page_has_a_csp_and_loads_nothing_from_elsewhere() {
    let (_dir, files) = example_site();
    for (path, body) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(body);
        assert!(
            html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;; script-src &#39;self&#39;;"),
            "{path} has no restrictive CSP"
        );
        for src in attrs(&html, "src") {
            assert!(!src.contains(':'), "{path} loads {src}");
        }
        assert!(!html.contains("<style"), "{path} has inline style");
        assert!(!html.contains(" style=\""), "{path} has a style attribute");
        assert!(!html.contains("<script>"), "{path} has an inline script");
        assert!(
            html.contains("<main id=\"main\""),
            "{path} has no main landmark"
        );
    }
    for (path, body) in files
        .iter()
        .filter(|(p, _)| p.ends_with(".css") || p.ends_with(".js"))
        // The vendored Mermaid bundle has fetch code it never runs here;
        // tests/browser.rs checks that no page requests anything elsewhere.
        .filter(|(p, _)| !p.starts_with("static/vendor/"))
    {
        let text = String::from_utf8_lossy(body);
        assert!(
            !text.contains("@import") && !text.contains("url(http"),
            "{path}"
        );
        assert!(
            !text.contains("fetch(") && !text.contains("XMLHttpRequest"),
            "{path}"
        );
    }
}

#[test]
fn the_entity_page_answers_the_questions_engineers_come_with() {
    let (_dir, files) = example_site();
    let page =
        String::from_utf8(files["catalog/default/component/orders-service/index.html"].clone())
            .unwrap();
    let panel = &page[page.find("id=\"quick-answers\"").expect("panel")..];
    let panel = &panel[..panel.find("</section>").unwrap()];
    for key in [
        "owner",
        "repository",
        "docs",
        "dashboard",
        "runbook",
        "deployment",
    ] {
        assert!(panel.contains(&format!("data-answer=\"{key}\"")), "{key}");
    }
    assert!(panel.contains("href=\"../../../../catalog/default/group/orders-team/index.html\""));
    assert!(panel.contains("https://runbooks.northwind.example/orders-service"));
    assert!(panel.contains("https://grafana.northwind.example/d/orders-service"));
    assert!(panel.contains("https://deploy.northwind.example/apps/orders-service"));
    assert!(
        !panel.contains("qa missing"),
        "orders-service answers everything"
    );
    // Relations, scorecards and the source file are on the page too.
    assert!(page.contains("data-relation=\"providesApi\""));
    assert!(page.contains("data-relation=\"dependsOn\""));
    assert!(page.contains("id=\"scorecard-production-readiness\""));
    assert!(page.contains("services/orders-service/catalog-info.yaml"));

    // A service without a runbook says so, naming the check that asks for it.
    let missing: Vec<_> = files
        .iter()
        .filter(|(p, _)| p.starts_with("catalog/default/component/"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .filter(|h| h.contains("qa missing\" data-answer=\"runbook\""))
        .collect();
    assert!(
        !missing.is_empty(),
        "the example catalog has services without runbooks"
    );
    for h in missing
        .iter()
        .filter(|h| h.contains("id=\"scorecard-production-readiness\""))
    {
        let at = h.find("qa missing\" data-answer=\"runbook\"").unwrap();
        let item = &h[at..at + h[at..].find("</div>").unwrap()];
        assert!(item.contains("Missing."), "{item}");
        assert!(item.contains("#check-runbook-link"), "{item}");
    }
}

#[test]
fn team_pages_list_members_subteams_contacts_and_what_they_own() {
    let (_dir, files) = example_site();
    let groups: Vec<_> = files
        .keys()
        .filter(|p| p.starts_with("catalog/default/group/"))
        .collect();
    assert!(groups.len() >= 10);
    let page =
        String::from_utf8(files["catalog/default/group/orders-team/index.html"].clone()).unwrap();
    for id in [
        "contacts",
        "members",
        "subteams",
        "owned",
        "team-scorecards",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(page.contains("../../../../catalog/default/component/orders-service/index.html"));
    assert!(
        page.contains("../../../../catalog/default/user/"),
        "members link to user pages"
    );
    assert!(page.contains("Production readiness"));
    // Every group with a parent links back to it.
    let user = files
        .keys()
        .find(|p| p.starts_with("catalog/default/user/"))
        .unwrap();
    let user_page = String::from_utf8_lossy(&files[user]);
    assert!(
        user_page.contains("../../../../catalog/default/group/"),
        "users link to their teams"
    );
}

#[test]
fn systems_and_domains_draw_a_deterministic_inline_graph() {
    let (_dir, files) = example_site();
    let (_dir2, again) = example_site();
    let systems: Vec<_> = files
        .keys()
        .filter(|p| {
            p.starts_with("catalog/default/system/") || p.starts_with("catalog/default/domain/")
        })
        .collect();
    assert!(systems.len() >= 8);
    let mut drawn = 0;
    for s in systems {
        let html = String::from_utf8_lossy(&files[s]);
        if html.contains("<svg") {
            drawn += 1;
            assert!(html.contains("class=\"graph\""), "{s}");
            assert!(html.contains("role=\"group\" aria-labelledby="), "{s}");
        }
        assert_eq!(files[s], again[s], "{s} differs between builds");
    }
    assert!(drawn >= 8, "only {drawn} graphs");
}

const HOSTILE: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: evil
  title: "<script>alert('title')</script>"
  description: "{{ site.title }} {% if true %}tera{% endif %} <img src=x onerror=alert(1)>"
  annotations:
    backstage.io/source-location: "url:javascript:alert(1)"
    example.com/note: "\"><svg onload=alert(2)>"
  links:
    - url: "javascript:alert(3)"
      title: "<b>click</b>"
      type: runbook
    - url: "data:text/html,<script>alert(4)</script>"
      title: data
    - url: "https://ok.example/x?a=1&b=\"2\""
      title: fine
      type: dashboard
spec:
  type: service
  lifecycle: production
  owner: team-a
"#;

#[test]
fn catalog_content_is_escaped_and_never_evaluated_or_clickable_when_unsafe() {
    let cat = catalog(&[("team.yaml", GROUP), ("evil.yaml", HOSTILE)]);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = build(cat.path(), &site);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let files = tree(&site);
    let page =
        String::from_utf8(files["catalog/default/component/evil/index.html"].clone()).unwrap();
    assert!(!page.contains("<script>alert"), "script tag got through");
    assert!(!page.contains("<img src=x"), "img tag got through");
    assert!(!page.contains("<svg onload"), "svg tag got through");
    assert!(!page.contains("<b>click</b>"));
    assert!(
        page.contains("&lt;script&gt;alert("),
        "the title is shown, escaped"
    );
    // Tera syntax in data is printed literally, not evaluated.
    assert!(page.contains("{{ site.title }} {% if true %}tera{% endif %}"));
    for (path, body) in &files {
        let text = String::from_utf8_lossy(body);
        for href in attrs(&text, "href") {
            let lower = href.to_ascii_lowercase();
            assert!(
                !lower.starts_with("javascript:") && !lower.starts_with("data:"),
                "{path}: {href}"
            );
        }
    }
    assert!(
        page.contains("href=\"https://ok.example/x?a=1&amp;b=%222%22\""),
        "safe links stay clickable"
    );
    // The JSON index cannot break out of its script.
    let shard = String::from_utf8(files["search/r/0.js"].clone()).unwrap();
    assert!(!shard.contains("</script"));
    assert!(shard.contains("\\u003cscript\\u003e"));
}

#[test]
fn a_theme_overrides_single_files_and_a_broken_template_keeps_the_last_good_site() {
    let cat = catalog(&[
        ("team.yaml", GROUP),
        ("svc.yaml", &component("svc", "team-a")),
        (
            "theme/templates/home.html",
            "{% extends \"base.html\" %}{% block content %}<h1 id=\"custom\">Welcome to {{ site.title }}</h1>{% endblock content %}",
        ),
        ("theme/static/extra.css", "body { color: red }"),
        (
            "portolan.toml",
            "[site]\ntitle = \"ACME portal\"\ntheme_dir = \"theme\"\n",
        ),
    ]);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = build(cat.path(), &site);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let good = tree(&site);
    let home = String::from_utf8_lossy(&good["index.html"]);
    assert!(home.contains("<h1 id=\"custom\">Welcome to ACME portal</h1>"));
    assert!(good.contains_key("static/extra.css"));
    assert!(good.contains_key("static/style.css"), "defaults stay");
    // Other pages still use the default templates.
    assert!(
        String::from_utf8_lossy(&good["catalog/default/component/svc/index.html"])
            .contains("quick-answers")
    );

    // A syntax error: reported at the template's file:line, nothing written.
    std::fs::write(
        cat.path().join("theme/templates/entity.html"),
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ entity.title }</h1>\n{% endblock content %}\n",
    )
    .unwrap();
    let run = build(cat.path(), &site);
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    assert!(err.contains("E0400"), "{err}");
    assert!(err.contains("theme/templates/entity.html:3:"), "{err}");
    assert_eq!(tree(&site), good, "the previous output is untouched");

    // `portolan check` reports the same error, so a pull request catches it.
    let check = portolan(
        &["check", cat.path().to_str().unwrap(), "--format", "json"],
        &repo(),
    );
    assert_eq!(check.status.code(), Some(1));
    assert!(stdout(&check).contains("theme/templates/entity.html"));

    // A render error (an unknown variable) also names the file and line.
    std::fs::remove_file(cat.path().join("theme/templates/entity.html")).unwrap();
    std::fs::write(
        cat.path().join("theme/templates/home.html"),
        "{% extends \"base.html\" %}\n{% block content %}\n\n<p>{{ home.no_such_field }}</p>\n{% endblock content %}\n",
    )
    .unwrap();
    let run = build(cat.path(), &site);
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    assert!(err.contains("theme/templates/home.html:4:"), "{err}");
    assert_eq!(tree(&site), good);
}

#[test]
fn a_named_theme_must_exist_inside_the_root() {
    let cat = catalog(&[
        ("team.yaml", GROUP),
        (
            "themes/corp/templates/home.html",
            "{% extends \"base.html\" %}{% block content %}corp home{% endblock content %}",
        ),
        ("portolan.toml", "[site]\ntheme = \"corp\"\n"),
    ]);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = build(cat.path(), &site);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(
        String::from_utf8_lossy(&std::fs::read(site.join("index.html")).unwrap())
            .contains("corp home")
    );

    std::fs::write(
        cat.path().join("portolan.toml"),
        "[site]\ntheme = \"nope\"\n",
    )
    .unwrap();
    let run = build(cat.path(), &site);
    assert_eq!(run.status.code(), Some(1));
    assert!(stderr(&run).contains("E0401"), "{}", stderr(&run));
    std::fs::write(
        cat.path().join("portolan.toml"),
        "[site]\ntheme_dir = \"../..\"\n",
    )
    .unwrap();
    let run = build(cat.path(), &site);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr(&run).contains("outside the catalog root"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn no_page_grows_with_the_catalog_except_the_index_data() {
    // 60 components versus 600 (both past the 50 rows the index renders): entity pages and the home page stay the same size class.
    let make = |n: usize| {
        let mut files: Vec<(String, String)> = vec![("team.yaml".into(), GROUP.into())];
        for i in 0..n {
            files.push((
                format!("c{i}.yaml"),
                component(&format!("svc-{i:04}"), "team-a"),
            ));
        }
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in &files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    };
    let sizes = |n: usize| {
        let cat = make(n);
        let out = tempfile::tempdir().unwrap();
        let site = out.path().join("site");
        let run = build(cat.path(), &site);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        let files = tree(&site);
        let largest = |prefix: &str| {
            files
                .iter()
                .filter(|(p, _)| p.starts_with(prefix) && p.ends_with(".html"))
                .map(|(_, b)| b.len())
                .max()
                .unwrap()
        };
        (
            files["index.html"].len(),
            files["catalog/index.html"].len(),
            largest("catalog/default/component/"),
        )
    };
    let small = sizes(60);
    let big = sizes(600);
    assert!(big.0 < small.0 + 2048, "home grew: {small:?} -> {big:?}");
    assert!(
        big.1 < small.1 + 2048,
        "catalog index grew: {small:?} -> {big:?}"
    );
    assert!(
        big.2 < small.2 + 2048,
        "entity pages grew: {small:?} -> {big:?}"
    );
}

#[test]
fn entities_that_cannot_load_are_listed_on_the_health_page_not_dropped() {
    let cat = catalog(&[
        ("team.yaml", GROUP),
        ("ok.yaml", &component("fine", "team-a")),
        ("bad-name.yaml", &component("Bad Name!", "team-a")),
        (
            "broken.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: [unclosed\n",
        ),
        ("dup.yaml", &component("fine", "team-a")),
    ]);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = build(cat.path(), &site);
    assert_eq!(
        run.status.code(),
        Some(0),
        "a catalog with errors still builds: {}",
        stderr(&run)
    );
    let files = tree(&site);
    let health = String::from_utf8_lossy(&files["health/index.html"]).into_owned();
    let skipped = &health[health.find("id=\"skipped\"").expect("skipped section")..];
    let skipped = &skipped[..skipped.find("</section>").unwrap()];
    assert!(
        skipped.contains("Component `Bad Name!`") && skipped.contains("bad-name.yaml:1"),
        "{skipped}"
    );
    assert!(skipped.contains("E0105 invalid-name"), "{skipped}");
    assert!(
        skipped.contains("every entity in the file") && skipped.contains("broken.yaml"),
        "{skipped}"
    );
    // Without git history, neither of two definitions of one ref is
    // published: both are listed, and the ref's page shows the conflict.
    assert!(
        skipped.contains(
            "component:default/fine` (also defined in `dup.yaml`; neither definition is published)"
        ) && skipped.contains(
            "component:default/fine` (also defined in `ok.yaml`; neither definition is published)"
        ),
        "{skipped}"
    );
    assert!(
        String::from_utf8_lossy(&files["index.html"]).contains("4 entities are not in the portal")
    );
    let index: serde_json::Value = serde_json::from_slice(&files["api/catalog.json"]).unwrap();
    assert_eq!(index["skipped"].as_array().unwrap().len(), 4);
    let fine = String::from_utf8_lossy(&files["catalog/default/component/fine/index.html"]);
    assert!(fine.contains("Defined in 2 files"), "{fine}");
}

#[cfg(unix)]
#[test]
fn a_theme_file_linked_from_outside_the_root_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("home.html"),
        "{% extends \"base.html\" %}{% block content %}STOLEN{% endblock content %}",
    )
    .unwrap();
    let cat = catalog(&[
        ("team.yaml", GROUP),
        ("portolan.toml", "[site]\ntheme_dir = \"theme\"\n"),
    ]);
    std::fs::create_dir_all(cat.path().join("theme/templates")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("home.html"),
        cat.path().join("theme/templates/home.html"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = build(cat.path(), &site);
    // Refused, not silently skipped: the build stops and says which file.
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(stderr(&run).contains("E0006") && stderr(&run).contains("theme/templates/home.html"));
    assert!(!site.exists(), "nothing was written");
    let check = portolan(
        &["check", cat.path().to_str().unwrap(), "--format", "json"],
        &repo(),
    );
    let report = stdout(&check);
    assert!(
        report.contains("E0006") && report.contains("theme/templates/home.html"),
        "{report}"
    );
}

#[test]
fn a_build_never_replaces_a_folder_it_did_not_write() {
    let cat = catalog(&[("team.yaml", GROUP)]);
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("thesis.tex"), "years of work").unwrap();
    let run = build(cat.path(), out.path());
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("not written by `portolan build`"),
        "{}",
        stderr(&run)
    );
    assert_eq!(
        std::fs::read_to_string(out.path().join("thesis.tex")).unwrap(),
        "years of work"
    );
    // Nor the catalog itself.
    let run = build(cat.path(), cat.path());
    assert_eq!(run.status.code(), Some(2));
    assert!(cat.path().join("team.yaml").is_file());
    // A previous site is replaced as usual.
    let site = out.path().join("site");
    assert_eq!(build(cat.path(), &site).status.code(), Some(0));
    assert!(site.join(".portolan-site").is_file());
    assert_eq!(build(cat.path(), &site).status.code(), Some(0));
}

#[test]
fn a_chat_channel_on_both_a_service_and_its_team_is_shown_once() {
    let team = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\n  links:\n    - url: https://chat.example/team-a\n      type: chat\nspec:\n  type: team\n  children: []\n";
    let svc = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  links:\n    - url: https://chat.example/team-a\n      type: slack\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n";
    let cat = catalog(&[("team.yaml", team), ("svc.yaml", svc)]);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = build(cat.path(), &site);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let page =
        std::fs::read_to_string(site.join("catalog/default/component/svc/index.html")).unwrap();
    let panel = &page[page.find("data-answer=\"owner\"").unwrap()..];
    let panel = &panel[..panel.find("</div>").unwrap()];
    assert_eq!(
        panel
            .matches("href=\"https://chat.example/team-a\"")
            .count(),
        1,
        "{panel}"
    );
}
