//! From a request's URL to a file of the in-memory site, and the file's
//! MIME type.
//!
//! The site is a map from relative paths to bytes, so no request ever
//! reaches the file system; still, a URL that tries to climb (`..`, its
//! percent-encoded forms, an encoded `/` or `\`, a backslash, NUL, an
//! absolute or empty segment) is refused outright rather than normalized,
//! so that nothing a browser or a proxy might resolve differently is
//! served.

use percent_encoding::percent_decode_str;

/// Where a URL leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// A path into the site (`catalog/index.html`), before looking it up.
    File(String),
    /// A folder named without its trailing slash (`/catalog`): redirect to
    /// `/catalog/` so that the page's relative links resolve.
    Slash(String),
    /// Nothing this server will look up.
    Refused,
}

/// Resolves a request target (`/catalog/?q=1`) to a site path. `is_dir`
/// says whether the site has `<path>/index.html`.
pub fn resolve(url: &str, is_dir: &dyn Fn(&str) -> bool) -> Target {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let Some(path) = path.strip_prefix('/') else {
        return Target::Refused;
    };
    let mut segments = Vec::new();
    let raw: Vec<&str> = path.split('/').collect();
    for (i, seg) in raw.iter().enumerate() {
        let last = i + 1 == raw.len();
        if seg.is_empty() {
            if last {
                continue;
            }
            // `//x` or `a//b`: an absolute or empty segment.
            return Target::Refused;
        }
        let Ok(decoded) = percent_decode_str(seg).decode_utf8() else {
            return Target::Refused;
        };
        if decoded == "."
            || decoded == ".."
            || decoded.contains(['/', '\\', '\0', ':'])
            || decoded.chars().any(char::is_control)
        {
            return Target::Refused;
        }
        segments.push(decoded.into_owned());
    }
    let joined = segments.join("/");
    if joined.is_empty() {
        return Target::File("index.html".to_owned());
    }
    if path.ends_with('/') {
        return Target::File(format!("{joined}/index.html"));
    }
    if is_dir(&joined) {
        return Target::Slash(format!("/{path}/"));
    }
    Target::File(joined)
}

/// The Content-Type of a site file, by extension.
pub fn mime(path: &str) -> &'static str {
    let ext = path
        .rsplit('/')
        .next()
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "xml" => "application/xml",
        "txt" | "md" | "graphql" | "gql" | "proto" | "csv" => "text/plain; charset=utf-8",
        "yaml" | "yml" => "application/yaml",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(url: &str) -> Target {
        resolve(url, &|p| p == "catalog")
    }

    #[test]
    fn folders_and_files_resolve() {
        assert_eq!(file("/"), Target::File("index.html".into()));
        assert_eq!(file("/catalog/"), Target::File("catalog/index.html".into()));
        assert_eq!(file("/catalog"), Target::Slash("/catalog/".into()));
        assert_eq!(
            file("/static/app.js?v=1"),
            Target::File("static/app.js".into())
        );
        assert_eq!(file("/a%20b.html"), Target::File("a b.html".into()));
    }

    #[test]
    fn climbing_urls_are_refused() {
        for url in [
            "/../etc/passwd",
            "/catalog/../../x",
            "/%2e%2e/x",
            "/%2E%2E/x",
            "/.%2e/x",
            "/catalog%2f..%2f..%2fx",
            "/catalog%2Fx",
            "/..\\x",
            "/%5c..%5cx",
            "/a\\b",
            "//etc/passwd",
            "/a//b",
            "/x%00.html",
            "/./index.html",
            "/C:/x",
            "x",
            "/%ff",
        ] {
            assert_eq!(file(url), Target::Refused, "{url}");
        }
    }

    #[test]
    fn types_follow_the_extension() {
        assert_eq!(mime("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(mime("static/app.JS"), "text/javascript; charset=utf-8");
        assert_eq!(mime("api/catalog.json"), "application/json");
        assert_eq!(mime("x.svg"), "image/svg+xml");
        assert_eq!(mime("noext"), "application/octet-stream");
        assert_eq!(mime("dir.v2/noext"), "application/octet-stream");
    }
}
