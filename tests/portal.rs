//! Portal pages for real catalogs: several namespaces, owners that are not
//! in the catalog, one repository written several ways, Locations,
//! Templates, spec fields Portolan has no view for, and remote API
//! definitions. Each test writes its own small catalog.

mod common;
use common::*;
use std::collections::BTreeMap;

/// Builds `files` into a site and returns every file of it.
fn site(files: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
    let cat = catalog(files);
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = build(cat.path(), &site);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    tree(&site)
}

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(files[path].clone()).unwrap()
}

/// The part of `html` from the element with `id` to the end of its section.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[at..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

#[test]
fn a_repository_is_listed_once_with_short_text_and_the_full_url_kept() {
    let long = "https://git.example/acme/platform/services/orders/tree/main/deploy/kubernetes/overlays/production";
    let svc = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: orders\n  annotations:\n    github.com/project-slug: acme/orders\n  links:\n    - url: https://GitHub.com/acme/orders.git\n      type: repository\n    - url: https://github.com/acme/orders/\n      title: Source\n    - url: {long}\n      type: deployment\n    - url: https://wiki.example/orders\n      title: Team wiki page\n      type: notes\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    );
    let files = site(&[("team.yaml", GROUP), ("svc.yaml", &svc)]);
    let page = text(&files, "catalog/default/component/orders/index.html");
    let repo_hrefs = attrs(&page, "href")
        .into_iter()
        .filter(|h| h.to_ascii_lowercase().contains("github.com/acme/orders"))
        .count();
    assert_eq!(repo_hrefs, 1, "the repository is linked once");
    // A raw URL as link text reads as host and path; href and title keep it whole.
    assert!(
        page.contains("title=\"https://github.com/acme/orders.git\">github.com/acme/orders</a>"),
        "{}",
        section(&page, "quick-answers")
    );
    assert!(page.contains(&format!("href=\"{long}\"")));
    assert!(page.contains(&format!("title=\"{long}\"")));
    let short = "git.example/acme/platform/services/orders/tree/main/deploy/…";
    assert!(
        page.contains(&format!(">{short}</a>")),
        "long paths are cut"
    );
    // A link the panel does not show stays in the links list, as titled.
    let meta = section(&page, "metadata");
    assert!(meta.contains(">Team wiki page</a>"), "{meta}");
    assert!(!meta.contains("github.com/acme/orders\""), "{meta}");
}

#[test]
fn an_owner_that_is_not_in_the_catalog_is_labelled_not_struck_through() {
    let domain = "apiVersion: backstage.io/v1alpha1\nkind: Domain\nmetadata:\n  name: payments\nspec:\n  owner: idp-team\n";
    let files = site(&[
        ("svc.yaml", &component("svc", "ghost-team")),
        ("domain.yaml", domain),
    ]);
    let page = text(&files, "catalog/default/component/svc/index.html");
    let panel = section(&page, "quick-answers");
    assert!(
        panel.contains("<span class=\"dangling\">group:default/ghost-team <span class=\"not-in-catalog\">(not in the catalog)</span></span>"),
        "{panel}"
    );
    // A page without an owner item (a domain) shows the owner in its header, labelled the same way.
    let domain = text(&files, "catalog/default/domain/payments/index.html");
    let header = &domain[domain.find("class=\"entity-header\"").unwrap()..];
    let header = &header[..header.find("</header>").unwrap()];
    assert!(header.contains("Owner</span>"), "{header}");
    assert!(
        header.contains(
            "group:default/idp-team <span class=\"not-in-catalog\">(not in the catalog)</span>"
        ),
        "{header}"
    );
    let css = text(&files, "static/style.css");
    assert!(!css.contains("line-through"), "nothing is struck through");
}

/// The facet values of `search/facets.js` (owners and systems).
fn facets(files: &BTreeMap<String, Vec<u8>>) -> serde_json::Value {
    let js = text(files, "search/facets.js");
    let json = &js[js.find(',').unwrap() + 1..js.rfind(')').unwrap()];
    serde_json::from_str(json).unwrap()
}

#[test]
fn the_index_names_namespaces_when_there_are_several_and_each_owner_once() {
    let ops_team = GROUP.replace("  name: team-a\n", "  name: team-a\n  namespace: ops\n");
    let ops_svc = component("billing", "team-a")
        .replace("  name: billing\n", "  name: billing\n  namespace: ops\n");
    let user = "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: guest\nspec:\n  memberOf: []\n";
    let files = site(&[
        ("team.yaml", GROUP),
        ("ops-team.yaml", &ops_team),
        ("svc.yaml", &component("orders", "team-a")),
        ("ops-svc.yaml", &ops_svc),
        ("user.yaml", user),
        // `guest` alone is a group that is not in the catalog; `user:guest` is the user.
        ("a.yaml", &component("a", "guest")),
        ("b.yaml", &component("b", "user:guest")),
    ]);
    let index = text(&files, "catalog/index.html");
    assert!(
        index.contains("<th scope=\"col\" class=\"col-namespace\">Namespace</th>"),
        "{index}"
    );
    assert!(index.contains("<td>ops</td>") && index.contains("<td>default</td>"));
    let owners: Vec<String> = facets(&files)["owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        owners,
        [
            "guest (group:guest)",
            "team-a (group:team-a)",
            "team-a (group:ops/team-a)",
            "guest (user:guest)"
        ]
    );

    // One namespace: no column.
    let files = site(&[
        ("team.yaml", GROUP),
        ("svc.yaml", &component("orders", "team-a")),
    ]);
    assert!(!text(&files, "catalog/index.html").contains("col-namespace"));
    assert_eq!(facets(&files)["owners"][0][1], "team-a");
}

#[test]
fn a_location_page_links_each_target_to_the_entities_it_defines() {
    let location = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  target: ./teams/team.yaml\n  targets:\n    - ../services/*.yaml\n    - ./nothing-here.yaml\n    - https://git.example/acme/other/catalog-info.yaml\n";
    let files = site(&[
        ("catalog/all.yaml", location),
        ("catalog/teams/team.yaml", GROUP),
        ("services/a.yaml", &component("svc-a", "team-a")),
        ("services/b.yaml", &component("svc-b", "team-a")),
        ("catalog/nothing-here.yaml", "# no entities yet\n"),
    ]);
    let page = text(&files, "catalog/default/location/root/index.html");
    let targets = section(&page, "targets");
    let at = |needle: &str| {
        targets
            .find(needle)
            .unwrap_or_else(|| panic!("{needle}: {targets}"))
    };
    // In the order written, each with the entity pages of its file.
    assert!(at("./teams/team.yaml") < at("../services/*.yaml"));
    assert!(at("../services/*.yaml") < at("./nothing-here.yaml"));
    assert!(targets.contains("href=\"../../../../catalog/default/group/team-a/index.html\""));
    assert!(targets.contains("href=\"../../../../catalog/default/component/svc-a/index.html\""));
    assert!(targets.contains("href=\"../../../../catalog/default/component/svc-b/index.html\""));
    assert!(
        targets.contains("catalog/nothing-here.yaml: no entity from this file is in the portal")
    );
    assert!(targets.contains(
        "<a href=\"https://git.example/acme/other/catalog-info.yaml\" rel=\"noopener noreferrer\">git.example/acme/other/catalog-info.yaml</a>"
    ));
}

#[test]
fn a_template_page_shows_its_parameters_and_steps() {
    let template = r#"apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: new-service
spec:
  owner: team-a
  type: service
  parameters:
    - title: About the service
      required: [name]
      properties:
        name:
          title: Name
          type: string
          description: Unique name of the <service>
        owner:
          title: Owner
          type: string
          ui:field: OwnerPicker
    - title: Where it lives
      properties:
        repoUrl:
          type: string
  steps:
    - id: fetch
      name: Fetch skeleton
      action: fetch:template
    - id: publish
      name: Publish
      action: publish:github
"#;
    let files = site(&[("team.yaml", GROUP), ("template.yaml", template)]);
    let page = text(&files, "catalog/default/template/new-service/index.html");
    let params = section(&page, "parameters");
    assert!(
        params.contains("<h3>About the service</h3>") && params.contains("<h3>Where it lives</h3>")
    );
    assert!(
        params.contains("<tr><td><code>name</code></td><td>Name</td><td>string</td><td>required</td><td>Unique name of the &lt;service&gt;</td></tr>"),
        "{params}"
    );
    assert!(
        params.contains(
            "<tr><td><code>owner</code></td><td>Owner</td><td>string</td><td>optional</td>"
        )
    );
    assert!(params.contains("<code>repoUrl</code>"));
    let steps = section(&page, "steps");
    let fetch = steps
        .find("<code>fetch:template</code>")
        .expect("fetch step");
    let publish = steps
        .find("<code>publish:github</code>")
        .expect("publish step");
    assert!(fetch < publish, "steps keep their order");
    assert!(steps.contains("<td>Fetch skeleton</td>"));
    // Parameters and steps are shown above, so the Spec section does not repeat them.
    assert!(!page.contains("id=\"spec\""));
}

#[test]
fn spec_fields_without_a_view_are_shown_escaped_and_bounded() {
    let mut svc = component("svc", "team-a");
    svc.push_str("  pipeline:\n    stages:\n      - name: build\n        script: \"<script>alert(1)</script>\"\n");
    // Ten levels deep, and 500 fields: both are cut.
    let mut deep = String::from("  deep:\n");
    for level in 0..10 {
        deep.push_str(&format!("{}l{level}:\n", "  ".repeat(level + 2)));
    }
    deep.push_str(&format!("{}bottom: reached\n", "  ".repeat(12)));
    svc.push_str(&deep);
    svc.push_str("  many:\n");
    for i in 0..500 {
        svc.push_str(&format!("    k{i:03}: v{i}\n"));
    }
    let files = site(&[("team.yaml", GROUP), ("svc.yaml", &svc)]);
    let page = text(&files, "catalog/default/component/svc/index.html");
    let spec = section(&page, "spec");
    assert!(spec.contains("<details"), "collapsible");
    assert!(
        spec.contains("3 other fields of <code>spec</code>"),
        "{spec}"
    );
    assert!(spec.contains("<span class=\"spec-key\">pipeline</span>"));
    assert!(spec.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("<script>alert"));
    assert!(!spec.contains("bottom"), "the tree stops at its depth");
    assert!(spec.contains("<span class=\"spec-key\">l3</span>"));
    let nodes = spec.matches("<li>").count();
    assert!(nodes <= 202, "{nodes} nodes");
    assert!(spec.contains("<span class=\"spec-value\">…</span>"));
    assert!(!spec.contains("k499"), "the tree stops at its size");
    // Fields the page shows elsewhere are not repeated.
    assert!(!spec.contains(">lifecycle<") && !spec.contains(">owner<"));
}

#[test]
fn an_api_with_a_remote_definition_links_to_it() {
    let api = |name: &str, definition: &str| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: {name}\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition: {definition}\n"
        )
    };
    let files = site(&[
        ("team.yaml", GROUP),
        (
            "remote.yaml",
            &api(
                "remote",
                "{$openapi: https://specs.example/petstore/openapi.yaml}",
            ),
        ),
        ("local.yaml", &api("local", "\"openapi: 3.0.0\"")),
        (
            "unsafe.yaml",
            &api("unsafe", "{$openapi: \"javascript:alert(1)\"}"),
        ),
    ]);
    let page = text(&files, "catalog/default/api/remote/index.html");
    assert!(
        page.contains("<span class=\"fact-label\">Definition</span> <a href=\"https://specs.example/petstore/openapi.yaml\" rel=\"noopener noreferrer\""),
        "{page}"
    );
    assert!(page.contains(">specs.example/petstore/openapi.yaml</a>"));
    for other in ["local", "unsafe"] {
        let page = text(&files, &format!("catalog/default/api/{other}/index.html"));
        assert!(!page.contains(">Definition<"), "{other}");
        assert!(!page.contains("href=\"javascript"), "{other}");
    }
}

#[test]
fn descriptions_are_inline_markdown_on_pages_and_plain_text_in_data() {
    let svc = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  description: >-\n    Moves **money** with `grpc`, see [runbook](https://runbooks.example/svc).\n    <script>window.pwned=1</script><img src=x onerror=alert(1)>\n    [bad](javascript:alert(2)) <iframe src=\"https://evil.example\"></iframe>\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n";
    let user = "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ann\n  description: \"*pager* person\"\nspec:\n  memberOf: [team-a]\n";
    let files = site(&[("team.yaml", GROUP), ("svc.yaml", svc), ("ann.yaml", user)]);
    let strong = "<strong>money</strong> with <code>grpc</code>, see <a href=\"https://runbooks.example/svc\" rel=\"noopener noreferrer\">runbook</a>.";
    let entity = text(&files, "catalog/default/component/svc/index.html");
    let lead = &entity[entity.find("<p class=\"lead\">").unwrap()..];
    let lead = &lead[..lead.find("</p>").unwrap()];
    assert!(lead.contains(strong), "{lead}");
    let team = text(&files, "catalog/default/group/team-a/index.html");
    let index = text(&files, "catalog/index.html");
    let rows = &index[index.find("<tbody>").unwrap()..index.find("</tbody>").unwrap()];
    for (page, html) in [
        ("entity", lead),
        ("team", section(&team, "owned")),
        ("index", rows),
    ] {
        assert!(html.contains(strong), "{page}: {html}");
        for bad in ["<script>window", "<img", "<iframe", "href=\"javascript"] {
            assert!(!html.contains(bad), "{page}: `{bad}` in {html}");
        }
        assert!(html.contains("&lt;script&gt;window.pwned=1"), "{page}");
    }
    assert!(
        section(&team, "members").contains("<em>pager</em> person"),
        "{team}"
    );
    // The JSON export keeps the text as written; the index data its text.
    let json: serde_json::Value =
        serde_json::from_slice(&files["api/entities/default/component/svc.json"]).unwrap();
    assert!(
        json.to_string()
            .contains("Moves **money** with `grpc`, see [runbook](https://runbooks.example/svc)."),
        "{json}"
    );
    let data: String = files
        .iter()
        .filter(|(k, _)| k.starts_with("search/r/"))
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        .collect();
    assert!(
        data.contains("Moves money with grpc, see runbook."),
        "{data}"
    );
    assert!(!data.contains("**money**"));
}
