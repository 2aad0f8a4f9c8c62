//! The theme: tera templates plus static assets.
//!
//! The default theme is compiled into the binary so that `portolan` stays one
//! file to install. A catalog overrides any single template or asset by
//! putting a file at the same relative path in its theme folder (the way
//! mdBook and Zola themes work): `templates/entity.html` replaces the
//! default entity template, `static/style.css` the stylesheet, and new
//! files are simply added.

use crate::config::Site;
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::source::{Kind, ReadError, Source};
use std::collections::BTreeMap;
use tera::{Context, Tera};

macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../themes/default/templates/", $name)))),*]
    };
}

/// The default templates, by name.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = embed!(
    "base.html",
    "components.html",
    "entity_list.html",
    "home.html",
    "catalog.html",
    "entity.html",
    "api_reference.html",
    "conflict.html",
    "kinds/group.html",
    "kinds/user.html",
    "kinds/system.html",
    "kinds/domain.html",
    "scorecards.html",
    "scorecard.html",
    "scorecard_check.html",
    "initiatives.html",
    "initiative.html",
    "health.html",
    "docs.html",
);

/// The default static assets, by path under `static/`.
pub const DEFAULT_STATIC: &[(&str, &[u8])] = &[
    (
        "style.css",
        include_bytes!("../../themes/default/static/style.css"),
    ),
    (
        "app.js",
        include_bytes!("../../themes/default/static/app.js"),
    ),
    (
        "catalog.js",
        include_bytes!("../../themes/default/static/catalog.js"),
    ),
    // The search box and its engine (a worker where the site is served).
    (
        "search.js",
        include_bytes!("../../themes/default/static/search.js"),
    ),
    (
        "search-engine.js",
        include_bytes!("../../themes/default/static/search-engine.js"),
    ),
    (
        "docs.css",
        include_bytes!("../../themes/default/static/docs.css"),
    ),
    (
        "favicon.svg",
        include_bytes!("../../themes/default/static/favicon.svg"),
    ),
    // Mermaid, for docs pages with a diagram (static/vendor/mermaid/README.md
    // says which build; docs.html loads it only where a diagram is).
    (
        "mermaid-init.js",
        include_bytes!("../../themes/default/static/mermaid-init.js"),
    ),
    (
        "vendor/mermaid/mermaid.min.js",
        include_bytes!("../../themes/default/static/vendor/mermaid/mermaid.min.js"),
    ),
    (
        "vendor/mermaid/LICENSE",
        include_bytes!("../../themes/default/static/vendor/mermaid/LICENSE"),
    ),
];

/// Where the default theme's files appear in diagnostics.
const DEFAULT_DIR: &str = "<built-in theme>/templates";

/// A theme file may not be bigger than this: templates and assets are small,
/// and anything larger is a mistake (or an attempt to bloat every build).
const MAX_THEME_FILE: u64 = 8 * 1024 * 1024;

pub struct Theme {
    pub tera: Tera,
    /// Static files, by path under `static/`.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// Template name → the file it came from (for diagnostics).
    origins: BTreeMap<String, String>,
}

/// The folder whose files override the default theme, relative to ROOT.
/// `theme = "name"` means `<theme_dir>/name` (Zola) and `theme_dir` alone
/// is the folder itself (mdBook). A theme is code that runs on every page,
/// so without either setting no folder is used, whatever the catalog holds.
pub fn override_dir(site: &Site) -> Option<String> {
    match (&site.theme, &site.theme_dir) {
        (Some(name), dir) => Some(format!("{}/{}", dir.as_deref().unwrap_or("themes"), name)),
        (None, Some(dir)) => Some(dir.clone()),
        (None, None) => None,
    }
}

/// Folders that look like a theme but are not named in portolan.toml: each
/// gets a warning saying it is ignored and how to enable it.
const UNNAMED: &[(&str, &str)] = &[
    ("theme", "theme_dir = \"theme\""),
    ("themes", "theme = \"<name>\" (for themes/<name>/)"),
];

fn unnamed_theme_warnings(source: &dyn Source, diags: &mut Vec<Diagnostic>) {
    let listing = source.list("").unwrap_or_default();
    for (folder, setting) in UNNAMED {
        if listing
            .iter()
            .any(|e| e.name == *folder && e.kind != Kind::File)
        {
            diags.push(
                Diagnostic::new(
                    Code::ThemeNotEnabled,
                    format!("`{folder}/` is not used: a theme is code that runs on every page, so it is used only when portolan.toml names it"),
                )
                .at(Span::file(*folder))
                .help(format!("to use it, set `{setting}` under [site] in portolan.toml, and protect the folder and portolan.toml with CODEOWNERS (docs/ci.md)")),
            );
        }
    }
}

/// Checks the override folder, refusing anything that escapes ROOT
/// (through `..` or a symlink): a theme is code that runs on every page.
fn resolve_dir(source: &dyn Source, rel: &str) -> Result<Option<String>, String> {
    match source.kind(rel) {
        Ok(Kind::Dir) => Ok(Some(crate::source::clean(rel).unwrap_or_default())),
        Ok(_) => Err(format!("`{rel}` is not a folder")),
        Err(ReadError::Missing) => Ok(None),
        Err(ReadError::Outside) => Err(format!("`{rel}` lies outside the catalog root")),
        Err(_) => Err(format!("cannot resolve `{rel}`")),
    }
}

/// Where `theme` (or `theme_dir`) is set in portolan.toml, so the
/// diagnostic points at the line to change.
fn config_span(source: &dyn Source, site: &Site) -> Span {
    let key = if site.theme.is_some() {
        "theme"
    } else {
        "theme_dir"
    };
    let text = crate::config::text(source)
        .ok()
        .flatten()
        .unwrap_or_default();
    text.lines()
        .enumerate()
        .find_map(|(i, line)| {
            let rest = line.trim_start().strip_prefix(key)?;
            rest.trim_start().starts_with('=').then(|| {
                let col = line.len() - line.trim_start().len() + 1;
                Span::new(
                    crate::config::FILE_NAME,
                    u32::try_from(i + 1).unwrap_or(u32::MAX),
                    u32::try_from(col).unwrap_or(1),
                )
            })
        })
        .unwrap_or_else(|| Span::file(crate::config::FILE_NAME))
}

/// Every regular file under `dir` (relative to ROOT), as paths relative to
/// `dir`, sorted; a symlink out of ROOT is reported and not read.
fn files_under(source: &dyn Source, dir: &str, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![String::new()];
    while let Some(sub) = pending.pop() {
        let here = if sub.is_empty() {
            dir.to_owned()
        } else {
            format!("{dir}/{sub}")
        };
        for e in source.list(&here).unwrap_or_default() {
            let rel = if sub.is_empty() {
                e.name.clone()
            } else {
                format!("{sub}/{}", e.name)
            };
            match e.kind {
                Kind::File => out.push(rel),
                Kind::Dir => pending.push(rel),
                // Read at its real place only: a link to a folder could
                // make this listing loop (`templates/a -> .`).
                Kind::LinkDir => {}
                Kind::LinkOut => diags.push(
                    Diagnostic::new(
                        Code::SymlinkEscape,
                        format!(
                            "theme file `{rel}` is a symlink out of the catalog root; it was not read"
                        ),
                    )
                    .at(Span::file(format!("{dir}/{rel}")))
                    .help("copy the file into the theme folder instead of linking to it"),
                ),
            }
        }
    }
    out.sort();
    out
}

/// Loads the theme for `root`: the defaults plus the catalog's overrides.
/// Problems become diagnostics; a broken override template is reported and
/// the default one is used in its place, so `check` lists every broken
/// template at once. `build` refuses to write when any was reported.
pub fn load(source: &dyn Source, site: &Site, diags: &mut Vec<Diagnostic>) -> Theme {
    let mut templates: BTreeMap<String, (String, String)> = DEFAULT_TEMPLATES
        .iter()
        .map(|(n, t)| {
            (
                (*n).to_owned(),
                ((*t).to_owned(), format!("{DEFAULT_DIR}/{n}")),
            )
        })
        .collect();
    let mut assets: BTreeMap<String, Vec<u8>> = DEFAULT_STATIC
        .iter()
        .map(|(n, b)| ((*n).to_owned(), b.to_vec()))
        .collect();
    let Some(rel) = override_dir(site) else {
        unnamed_theme_warnings(source, diags);
        return compile(templates, assets, diags);
    };
    {
        match resolve_dir(source, &rel) {
            Ok(Some(dir)) => {
                let root_dir = rel.trim_end_matches('/').to_owned();
                let templates_dir = format!("{dir}/templates");
                for name in files_under(source, &templates_dir, diags) {
                    let shown = format!("{root_dir}/templates/{name}");
                    let read = source.read(&format!("{templates_dir}/{name}"), MAX_THEME_FILE);
                    match read.map(String::from_utf8) {
                        Ok(Ok(text)) => {
                            templates.insert(name, (text, shown));
                        }
                        Ok(Err(_)) => diags.push(
                            Diagnostic::new(Code::TemplateError, format!("template `{name}` is not UTF-8 text"))
                                .at(Span::file(&shown))
                                .help("save the template as UTF-8"),
                        ),
                        Err(e) => diags.push(
                            Diagnostic::new(Code::TemplateError, format!("cannot read template `{name}`: {}", e.reason()))
                                .at(Span::file(&shown))
                                .help("check the file's size and permissions"),
                        ),
                    }
                }
                let static_dir = format!("{dir}/static");
                for name in files_under(source, &static_dir, diags) {
                    match source.read(&format!("{static_dir}/{name}"), MAX_THEME_FILE) {
                        Ok(bytes) => {
                            assets.insert(name, bytes);
                        }
                        Err(e) => diags.push(
                            Diagnostic::new(Code::Io, format!("cannot read theme asset `{name}`: {}", e.reason()))
                                .at(Span::file(format!("{root_dir}/static/{name}")))
                                .help("check the file's size and permissions"),
                        ),
                    }
                }
            }
            Ok(None) => diags.push(
                Diagnostic::new(
                    Code::ThemeMissing,
                    format!("the theme folder `{rel}` does not exist"),
                )
                .at(config_span(source, site))
                .help("create the folder with `templates/` and `static/` inside, or remove `theme`/`theme_dir` from [site]"),
            ),
            Err(why) => diags.push(
                Diagnostic::new(Code::ThemeMissing, format!("the theme folder {why}"))
                    .at(config_span(source, site))
                    .help("keep the theme inside the catalog repository"),
            ),
        }
    }
    compile(templates, assets, diags)
}

/// A tera instance with the escaping and filters every Portolan theme gets.
fn new_tera() -> Tera {
    let mut tera = Tera::default();
    tera.autoescape_on([".html", ".xml", ".svg"]);
    // tera's HTML escaping, plus NUL and bidirectional controls shown as
    // `⟨U+202E⟩`: every `{{ value }}` of every theme goes through it.
    tera.set_escape_fn(crate::escape::html_escape_fn);
    tera.register_filter("inline_code", inline_code);
    tera.register_filter("short_url", short_url);
    tera.register_filter("link_host", link_host);
    tera.register_filter("css_class", css_class);
    tera.register_filter("num", num);
    tera
}

/// The `short_url` filter: a raw web URL used as link text becomes host and
/// path ([`super::links::short_url`]); any other text is returned as it is,
/// without the credentials of a URL in it. The result is a plain string, so
/// autoescaping still applies.
pub fn short_url(text: std::borrow::Cow<'_, str>, _: tera::Kwargs, _: &tera::State) -> String {
    super::links::short_url(&text)
        .unwrap_or_else(|| crate::escape::without_userinfo(&text).into_owned())
}

/// The `link_host` filter, on a link's `href`: where the link really goes
/// (its host, or a mail address), to show next to the link, or `""` when
/// the link's `text` (a keyword argument: the text shown) already names
/// that host. `{% set host = l.url | link_host(text=text) %}`.
pub fn link_host(
    href: std::borrow::Cow<'_, str>,
    kwargs: tera::Kwargs,
    _: &tera::State,
) -> tera::TeraResult<String> {
    let text: &str = kwargs.get("text")?.unwrap_or("");
    Ok(crate::escape::link_target(&href)
        .filter(|target| !crate::escape::text_names_target(text, target))
        .unwrap_or_default())
}

/// The `css_class` filter: a catalog or policy value used in a `class`
/// attribute is mapped to a fixed set of names
/// ([`super::links::css_class`]), so a value can neither add classes nor
/// borrow the look of another element. `{{ entity.lifecycle |
/// css_class(of="lifecycle") }}`.
pub fn css_class(
    value: std::borrow::Cow<'_, str>,
    kwargs: tera::Kwargs,
    _: &tera::State,
) -> tera::TeraResult<&'static str> {
    let of: &str = kwargs.must_get("of")?;
    Ok(super::links::css_class(of, &value))
}

/// The `num` filter: a count with thousands separators (`12,345`), so
/// large numbers read at a glance.
pub fn num(n: i64, _: tera::Kwargs, _: &tera::State) -> String {
    thousands(n)
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Compiles the templates, replacing each one that fails with its default
/// (or dropping it) and retrying, so every broken template is reported.
fn compile(
    mut templates: BTreeMap<String, (String, String)>,
    assets: BTreeMap<String, Vec<u8>>,
    diags: &mut Vec<Diagnostic>,
) -> Theme {
    let defaults: BTreeMap<&str, &str> = DEFAULT_TEMPLATES.iter().copied().collect();
    for _ in 0..=templates.len() {
        let mut tera = new_tera();
        let result =
            tera.add_raw_templates(templates.iter().map(|(n, (t, _))| (n.as_str(), t.as_str())));
        let Err(e) = result else {
            let origins = templates.into_iter().map(|(n, (_, o))| (n, o)).collect();
            return Theme {
                tera,
                assets,
                origins,
            };
        };
        let origins: BTreeMap<String, String> = templates
            .iter()
            .map(|(n, (_, o))| (n.clone(), o.clone()))
            .collect();
        let diag = to_diagnostic(&e, &origins);
        let culprit = blamed_template(&e).filter(|n| templates.contains_key(n));
        diags.push(diag);
        let Some(name) = culprit else { break };
        match defaults.get(name.as_str()) {
            Some(text) if templates[&name].0 != *text => {
                templates.insert(
                    name.clone(),
                    ((*text).to_owned(), format!("{DEFAULT_DIR}/{name}")),
                );
            }
            _ => {
                templates.remove(&name);
            }
        }
    }
    // Reached when an error names no template we could swap out; fall back
    // to the defaults so the caller still has a working theme (the error is
    // already reported, and `build` refuses to write when it is).
    let mut tera = new_tera();
    let _ = tera.add_raw_templates(DEFAULT_TEMPLATES.iter().copied());
    Theme {
        tera,
        assets,
        origins: DEFAULT_TEMPLATES
            .iter()
            .map(|(n, _)| ((*n).to_owned(), format!("{DEFAULT_DIR}/{n}")))
            .collect(),
    }
}

/// The `inline_code` filter: escapes a catalog or policy string, then shows
/// `backtick` spans as `<code>`. Diagnostics, check messages and
/// remediations are written that way, and raw backticks read poorly.
/// Escaping comes first, so the only markup in the output is `<code>`.
pub fn inline_code(
    text: std::borrow::Cow<'_, str>,
    _: tera::Kwargs,
    _: &tera::State,
) -> tera::Value {
    tera::Value::safe_string(&code_spans(&text))
}

fn code_spans(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    // An odd number of backticks leaves the last one unpaired: it stays
    // literal, glued to the text after it.
    let paired = if parts.len().is_multiple_of(2) {
        parts.len() - 1
    } else {
        parts.len()
    };
    let mut out = String::with_capacity(text.len() + 16);
    for (i, part) in parts[..paired].iter().enumerate() {
        match i % 2 {
            0 => crate::escape::push_xml(&mut out, part),
            _ => {
                out.push_str("<code>");
                crate::escape::push_xml(&mut out, part);
                out.push_str("</code>");
            }
        }
    }
    if paired < parts.len() {
        out.push('`');
        crate::escape::push_xml(&mut out, parts[paired]);
    }
    out
}

/// The template an error is about, when tera says.
fn blamed_template(e: &tera::Error) -> Option<String> {
    use tera::ErrorKind as K;
    match e.kind() {
        K::SyntaxError(r) | K::RenderingError(r) => Some(r.filename().to_owned()),
        K::MissingParent { current, .. } => Some(current.clone()),
        K::CircularExtend { tpl, .. } | K::CircularInclude { tpl, .. } => Some(tpl.clone()),
        _ => None,
    }
}

/// A tera error as a diagnostic pointing at the template's file:line:col.
fn to_diagnostic(e: &tera::Error, origins: &BTreeMap<String, String>) -> Diagnostic {
    use tera::ErrorKind as K;
    let (message, span) = match e.kind() {
        K::SyntaxError(r) | K::RenderingError(r) => {
            let file = origins
                .get(r.filename())
                .cloned()
                .unwrap_or_else(|| r.filename().to_owned());
            let s = r.span();
            let mut span = Span::new(
                file,
                u32::try_from(s.start_line).unwrap_or(u32::MAX),
                u32::try_from(s.start_col + 1).unwrap_or(u32::MAX),
            );
            if s.end_line == s.start_line {
                span.len = u32::try_from(s.end_col.saturating_sub(s.start_col).max(1)).unwrap_or(1);
            }
            (r.message().to_owned(), span)
        }
        other => {
            let name = blamed_template(e).unwrap_or_default();
            let file = origins.get(&name).cloned().unwrap_or(name);
            (other.to_string(), Span::new(file, 1, 1))
        }
    };
    Diagnostic::new(Code::TemplateError, message)
        .at(span)
        .help("fix the template; docs/theming.md lists the variables every template receives")
}

impl Theme {
    /// Renders one template; an error names the template's file:line.
    pub fn render(&self, name: &str, ctx: &Context) -> Result<String, Box<Diagnostic>> {
        self.tera
            .render(name, ctx)
            .map_err(|e| Box::new(to_diagnostic(&e, &self.origins)))
    }

    /// Renders one page within the per-page budget ([`super::budget`]):
    /// past the time or size limit the render stops with `E0011`.
    pub fn render_page(
        &self,
        name: &str,
        page: &str,
        ctx: &Context,
    ) -> Result<String, Box<Diagnostic>> {
        use super::budget::{Budgeted, PAGE_BYTES, PAGE_TIME, diagnostic};
        let mut out = Budgeted::new(PAGE_TIME, PAGE_BYTES);
        let result = self.tera.render_to(name, ctx, &mut out);
        if let Some(stop) = out.stopped {
            return Err(Box::new(diagnostic(stop, &self.origin(name), name, page)));
        }
        result.map_err(|e| Box::new(to_diagnostic(&e, &self.origins)))?;
        // Tera writes only what templates produce, and autoescaping keeps it
        // UTF-8; a lossy conversion never changes valid text.
        Ok(String::from_utf8(out.buf)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }

    /// The file a template came from, for diagnostics.
    pub fn origin(&self, name: &str) -> String {
        self.origins
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_owned())
    }

    pub fn has(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(1234567), "1,234,567");
        assert_eq!(super::thousands(-12345), "-12,345");
    }

    use super::code_spans;
    use std::collections::BTreeSet;

    #[test]
    fn the_built_in_kind_templates_are_the_ones_the_kind_specs_name() {
        let embedded: BTreeSet<&str> = super::DEFAULT_TEMPLATES
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| name.starts_with("kinds/"))
            .collect();
        let named: BTreeSet<&str> = crate::catalog::kinds::KINDS
            .iter()
            .filter_map(|k| k.template)
            .collect();
        assert_eq!(embedded, named);
    }

    #[test]
    fn backtick_spans_become_code_and_everything_else_is_escaped() {
        assert_eq!(
            code_spans("set `spec.owner` to <b>a team</b> & \"go\""),
            "set <code>spec.owner</code> to &lt;b&gt;a team&lt;/b&gt; &amp; &quot;go&quot;"
        );
        assert_eq!(code_spans("`<script>`"), "<code>&lt;script&gt;</code>");
        // An unpaired backtick stays a backtick.
        assert_eq!(code_spans("a ` b `c` d"), "a <code> b </code>c` d");
        assert_eq!(code_spans("it's"), "it&apos;s");
    }
}
