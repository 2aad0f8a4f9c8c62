//! URLs: where pages live, how one page reaches another, and which catalog
//! URLs may become clickable.
//!
//! Every link the site writes is relative, so the output works under any
//! base path and straight from `file://`. Links name `index.html`
//! explicitly because a browser opening files does not map a folder to its
//! index page.

use crate::catalog::model::EntityRef;

pub use crate::escape::{fnv1a, segment};

/// The folder of an entity's page, relative to the site root:
/// `catalog/<namespace>/<kind>/<name>/`, the shape Backstage uses.
pub fn entity_dir(r: &EntityRef) -> String {
    format!(
        "catalog/{}/{}/{}/",
        segment(&r.namespace),
        segment(&r.kind),
        segment(&r.name)
    )
}

/// The entity page itself, relative to the site root.
pub fn entity_page(r: &EntityRef) -> String {
    format!("{}index.html", entity_dir(r))
}

/// A scorecard's page, relative to the site root.
pub fn scorecard_page(id: &str) -> String {
    format!("scorecards/{}/index.html", segment(id))
}

/// The prefix that leads from a page back to the site root, e.g. `../../`
/// for `a/b/index.html`.
pub fn root_of(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

pub use crate::escape::safe_url;
pub use crate::facts::answers::url_key;

/// The characters of a file name kept as they are in an "edit this file"
/// URL: RFC 3986's unreserved ones. Everything else is percent-encoded, so
/// no `/`, `\`, `%`, `?`, `#`, `&` or `@` in a name can start another
/// segment, a query, or another host.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The "edit this file" URL for `file` (relative to ROOT, `/`-separated)
/// from `[site] edit_url`, whose `{path}` stands for the file. The path is
/// built from its segments, each percent-encoded on its own, so a folder
/// named `%2e%2e` stays a folder of that name (`%252e%252e`) instead of
/// climbing out of the repository. `None` when a segment is empty, `.` or
/// `..` (no such file is in a repository), or when the result would leave
/// the scheme, host and port that `edit_url` names.
pub fn edit_url(template: &str, file: &str) -> Option<String> {
    let mut path = String::with_capacity(file.len() + 8);
    for (i, seg) in file.split('/').enumerate() {
        if seg.is_empty() || seg == "." || seg == ".." {
            return None;
        }
        if i > 0 {
            path.push('/');
        }
        path.extend(percent_encoding::utf8_percent_encode(seg, PATH_SEGMENT));
    }
    let url = safe_url(&template.replace("{path}", &path))?;
    let base = url::Url::parse(&template.replace("{path}", "")).ok()?;
    (url::Url::parse(&url).ok()?.origin() == base.origin()).then_some(url)
}

/// The class a value gets in the default theme, from a fixed list per
/// field (`of`), so a catalog value never adds a class of its own choosing
/// (`lifecycle: "production level-gold"`) or borrows another element's
/// style (a level named `summary` would be `level-summary`). Anything not
/// on the list is `other`.
pub fn css_class(of: &str, value: &str) -> &'static str {
    let known: &[&'static str] = match of {
        "lifecycle" => &["production", "experimental", "deprecated"],
        "level" => &["bronze", "silver", "gold", "platinum", "none"],
        "status" => &["pass", "fail", "waived", "error", "not-judged"],
        "severity" => &["error", "warning"],
        "method" => &[
            "get",
            "put",
            "post",
            "delete",
            "options",
            "head",
            "patch",
            "trace",
            "send",
            "receive",
            "publish",
            "subscribe",
        ],
        "kind" => {
            return crate::catalog::kinds::KINDS
                .iter()
                .map(|k| k.lower)
                .find(|k| *k == value)
                .unwrap_or("other");
        }
        _ => &[],
    };
    known
        .iter()
        .copied()
        .find(|k| *k == value)
        .unwrap_or("other")
}

/// Link text longer than this (host and path) is cut with an ellipsis.
const SHORT_URL_CHARS: usize = 60;

/// The text for a raw web URL shown as a link: host and path, without the
/// scheme, credentials, query, fragment or a trailing `.git` (`github.com/acme/orders`), cut
/// with `…` when very long. A panel of full URLs reads as noise, and the
/// full URL stays in the link's `href` and `title`. `None` when `text` is
/// not an http(s) URL, which is then shown as written.
pub fn short_url(text: &str) -> Option<String> {
    let t = text.trim();
    let scheme = t.find("://")?;
    if !matches!(t[..scheme].to_ascii_lowercase().as_str(), "http" | "https") {
        return None;
    }
    let rest = &t[scheme + 3..];
    let rest = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority.rsplit('@').next().unwrap_or(authority);
    if host.is_empty() {
        return None;
    }
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let short = format!("{}{path}", host.to_ascii_lowercase());
    if short.chars().count() <= SHORT_URL_CHARS {
        return Some(short);
    }
    let mut cut: String = short.chars().take(SHORT_URL_CHARS - 1).collect();
    cut.push('…');
    Some(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_and_mail_links_are_clickable() {
        assert_eq!(
            safe_url(" https://grafana.example/d/x?a=1 ").as_deref(),
            Some("https://grafana.example/d/x?a=1")
        );
        assert!(safe_url("mailto:team@example.com").is_some());
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "file:///etc/passwd",
            "//evil.example/x",
            "/relative",
            "java\tscript:alert(1)",
            "https://",
        ] {
            assert_eq!(safe_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn raw_urls_read_as_host_and_path() {
        assert_eq!(
            short_url("https://github.com/acme/orders.git/").as_deref(),
            Some("github.com/acme/orders")
        );
        assert_eq!(
            short_url("https://user:pw@Grafana.example/d/x?orgId=1#panel").as_deref(),
            Some("grafana.example/d/x")
        );
        let long = format!("https://git.example/{}", "a/".repeat(60));
        let s = short_url(&long).unwrap();
        assert!(
            s.ends_with('…') && s.chars().count() == SHORT_URL_CHARS,
            "{s}"
        );
        for not_a_web_url in ["acme/orders", "mailto:a@b.c", "javascript:x", "https://"] {
            assert_eq!(short_url(not_a_web_url), None, "{not_a_web_url}");
        }
    }

    #[test]
    fn edit_links_stay_in_the_repository_they_name() {
        let t = "https://github.com/acme/catalog/edit/main/{path}";
        assert_eq!(
            edit_url(t, "services/orders/catalog-info.yaml").as_deref(),
            Some("https://github.com/acme/catalog/edit/main/services/orders/catalog-info.yaml")
        );
        let climb = "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/attacker/x.yaml";
        assert_eq!(
            edit_url(t, climb).as_deref(),
            Some(
                "https://github.com/acme/catalog/edit/main/%252e%252e/%252e%252e/%252e%252e/%252e%252e/%252e%252e/attacker/x.yaml"
            )
        );
        assert_eq!(
            edit_url(t, "a\\..\\..\\b/x y#?.yaml").as_deref(),
            Some("https://github.com/acme/catalog/edit/main/a%5C..%5C..%5Cb/x%20y%23%3F.yaml")
        );
        for bad in ["../x.yaml", "a//b.yaml", "./x", ""] {
            assert_eq!(edit_url(t, bad), None, "{bad}");
        }
        // `{path}` right after the host would let a name become the host.
        assert_eq!(edit_url("https://git.example{path}", "evil.example"), None);
        assert_eq!(
            edit_url("https://git.example/blob?file={path}&x=1", "a&b=c/d.yaml").as_deref(),
            Some("https://git.example/blob?file=a%26b%3Dc/d.yaml&x=1")
        );
    }

    #[test]
    fn classes_come_from_a_fixed_list() {
        assert_eq!(css_class("lifecycle", "production"), "production");
        assert_eq!(css_class("lifecycle", "production level-gold"), "other");
        assert_eq!(css_class("level", "summary"), "other");
        assert_eq!(css_class("kind", "api"), "api");
        assert_eq!(css_class("kind", "pill"), "other");
        assert_eq!(css_class("nonsense", "x"), "other");
    }

    #[test]
    fn segments_never_escape_their_folder() {
        assert_eq!(segment("orders-service"), "orders-service");
        for bad in ["..", ".", "", "a/b", "A B", "x\\y"] {
            let s = segment(bad);
            assert!(!s.contains('/') && !s.contains('\\') && s != ".." && s != ".");
            assert!(!s.is_empty());
        }
        assert_ne!(segment("a/b"), segment("a_b"));
    }

    #[test]
    fn roots_climb_one_level_per_folder() {
        assert_eq!(root_of("index.html"), "");
        assert_eq!(
            root_of("catalog/default/component/x/index.html"),
            "../../../../"
        );
    }
}
