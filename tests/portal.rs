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

/// The facet values of `catalog/data/facets.js`.
fn facets(files: &BTreeMap<String, Vec<u8>>) -> serde_json::Value {
    let js = text(files, "catalog/data/facets.js");
    let json = &js[js.find('(').unwrap() + 1..js.rfind(')').unwrap()];
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
