//! TechDocs, rendered natively: each entity's MkDocs site (found by
//! `facts::docs`) becomes pages under `docs/<namespace>/<kind>/<name>/`.
//!
//! Three passes, each parallel over sites or pages: discover every site
//! (config, nav, pages, assets, all read through the [`Source`]), render
//! every page (links to other pages, in any entity's docs, are rewritten
//! through one map of all pages), then check every link, anchor, image and
//! nav entry. Everything that is rendered is kept for the build, so a
//! page's markdown is parsed once per run.

pub mod markdown;
mod nav;

use crate::catalog::model::{Entity, EntityRef};
use crate::catalog::yaml::{self, Budget, Node};
use crate::diagnostics::{Code, Diagnostic, Pos, Span};
use crate::facts::docs::{Docs, Location};
use crate::source::{self, Source};
use markdown::{Heading, RawHtml, Settings};
use nav::{NavCtx, flatten, nav_items, path_nav, reorder, sort_key};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// How deep a docs folder is searched for pages.
const MAX_DEPTH: usize = 8;
/// A markdown page larger than this is not rendered (E0506).
pub const MAX_PAGE_BYTES: u64 = 8 * 1024 * 1024;
/// An asset (image, download) larger than this is not copied (E0506).
pub const MAX_ASSET_BYTES: u64 = 16 * 1024 * 1024;
/// A MkDocs config larger than this is not read.
const MAX_CONFIG_BYTES: u64 = 256 * 1024;
/// Pages and assets per site; past it the rest is left out (E0506).
pub const MAX_FILES_PER_SITE: usize = 5_000;
/// How deep `!include`d child configs may nest.
const MAX_INCLUDE_DEPTH: usize = 4;

/// Every rendered docs site of a catalog, with what the checks found.
#[derive(Debug, Default)]
pub struct Sites {
    pub sites: BTreeMap<EntityRef, Site>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Sites {
    pub fn of(&self, r: &EntityRef) -> Option<&Site> {
        self.sites.get(r)
    }
}

/// One entity's docs site.
#[derive(Debug)]
pub struct Site {
    pub name: String,
    /// Site-root-relative folder, `docs/<ns>/<kind>/<name>/`.
    pub base: String,
    /// In reading order (nav order, then the rest by path).
    pub pages: Vec<Page>,
    pub nav: Vec<NavItem>,
    pub assets: Vec<Asset>,
    /// The MkDocs config, relative to ROOT.
    pub config: Option<String>,
    /// `edit_uri` joined onto `repo_url`, when the config has both.
    pub edit_base: Option<String>,
    /// Broken links, anchors and images in its pages (E0501, E0502).
    pub broken_links: usize,
    /// `[docs] highlight`.
    pub highlight: bool,
}

impl Site {
    /// The docs home, relative to the site root.
    pub fn home(&self) -> &str {
        self.pages.first().map_or("", |p| p.out.as_str())
    }

    pub fn words(&self) -> usize {
        self.pages.iter().map(|p| p.words).sum()
    }
}

/// One rendered page.
#[derive(Debug)]
pub struct Page {
    /// The markdown file, relative to ROOT.
    pub src: String,
    /// Relative to the docs folder (what `edit_uri` is joined with).
    pub rel: String,
    /// Relative to the site root.
    pub out: String,
    pub title: String,
    pub html: String,
    pub headings: Vec<Heading>,
    pub mermaid: bool,
    pub words: usize,
    /// Code blocks, highlighted when the page is written.
    pub blocks: Vec<(String, String)>,
}

/// A file of the docs folder that is not markdown, copied next to the pages.
#[derive(Debug)]
pub struct Asset {
    pub src: String,
    pub out: String,
    pub bytes: Arc<[u8]>,
}

/// A nav entry: a page (by index into [`Site::pages`]), an external link,
/// or a section.
#[derive(Clone, Debug, Serialize)]
pub struct NavItem {
    pub title: String,
    #[serde(skip)]
    pub page: Option<usize>,
    /// Site-root-relative for pages, absolute for external links.
    pub url: Option<String>,
    pub external: bool,
    pub children: Vec<NavItem>,
}

/// A page before rendering: (src, rel, out, nav title, markdown).
type RawPage = (String, String, String, Option<String>, Arc<str>);

/// A site before rendering.
struct Found {
    entity: EntityRef,
    name: String,
    base: String,
    config: Option<String>,
    edit_base: Option<String>,
    pages: Vec<RawPage>,
    nav: Vec<NavItem>,
    assets: Vec<Asset>,
    diagnostics: Vec<Diagnostic>,
}

/// Discovers, renders and checks the docs of every entity in `docs`.
pub fn build(
    source: &dyn Source,
    entities: &BTreeMap<EntityRef, Entity>,
    docs: &HashMap<EntityRef, Docs>,
    config: crate::config::Docs,
) -> Sites {
    let settings = Settings {
        raw: match config.raw_html {
            crate::config::RawHtml::Sanitize => RawHtml::Sanitize,
            crate::config::RawHtml::Escape => RawHtml::Escape,
        },
        highlight: config.highlight,
    };
    let mut refs: Vec<&EntityRef> = docs.keys().collect();
    refs.sort_unstable();
    let found: Vec<Found> = refs
        .par_iter()
        .filter_map(|r| {
            let d = &docs[*r];
            let e = entities.get(*r)?;
            discover(source, e, d)
        })
        .collect();
    // Every page and asset of every site, by source path.
    let mut pages: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut assets: HashMap<&str, &str> = HashMap::new();
    for (s, f) in found.iter().enumerate() {
        for (i, p) in f.pages.iter().enumerate() {
            pages.entry(p.0.as_str()).or_insert((s, i));
        }
        for a in &f.assets {
            assets.entry(a.src.as_str()).or_insert(a.out.as_str());
        }
    }
    let resolve = |from_src: &str, url: &str| -> Resolved {
        resolve_target(source, &found, &pages, &assets, from_src, url)
    };
    let rendered: Vec<Vec<markdown::Rendered>> = found
        .par_iter()
        .map(|f| {
            f.pages
                .par_iter()
                .map(|(src, _, out, _, text)| {
                    markdown::render(text, settings, &|url, _| match resolve(src, url) {
                        Resolved::Page {
                            out: to, fragment, ..
                        } => {
                            format!("{}{fragment}", relative(out, &to))
                        }
                        Resolved::Asset(to) => relative(out, &to),
                        _ => url.to_owned(),
                    })
                })
                .collect()
        })
        .collect();
    // Checks need every page's headings.
    let per_site: Vec<Vec<Diagnostic>> = found
        .par_iter()
        .zip(&rendered)
        .map(|(f, pages_html)| {
            let mut out = Vec::new();
            for ((src, ..), r) in f.pages.iter().zip(pages_html) {
                for t in &r.targets {
                    check_target(
                        &resolve(src, &t.url),
                        src,
                        t,
                        &r.headings,
                        &rendered,
                        &mut out,
                    );
                }
            }
            out
        })
        .collect();
    let broken: Vec<usize> = per_site.iter().map(Vec::len).collect();
    let mut diagnostics: Vec<Diagnostic> = per_site.into_iter().flatten().collect();
    for r in refs {
        let d = &docs[r];
        if d.location == Location::Unresolved
            && d.reference.trim().starts_with("dir:")
            && let Some(e) = entities.get(r)
        {
            let pos = e
                .doc
                .at(&[
                    "metadata",
                    "annotations",
                    crate::facts::docs::REF_ANNOTATION,
                ])
                .map_or(Pos::new(1, 1), |n| n.pos);
            diagnostics.push(
                Diagnostic::new(
                    Code::DocsOutsideRoot,
                    format!(
                        "`{}` leaves the catalog root; the docs were not read",
                        d.reference.trim()
                    ),
                )
                .at(Span::at(&e.file, pos))
                .help("`dir:` is relative to the entity file and must stay inside the repository"),
            );
        }
    }
    let mut sites = BTreeMap::new();
    for ((f, rendered), broken_links) in found.into_iter().zip(rendered).zip(broken) {
        diagnostics.extend(f.diagnostics);
        let pages = f
            .pages
            .into_iter()
            .zip(rendered)
            .map(|((src, rel, out, nav_title, text), r)| {
                let title = nav_title
                    .or_else(|| {
                        r.headings
                            .iter()
                            .find(|h| h.level == 1)
                            .map(|h| h.text.clone())
                    })
                    .unwrap_or_else(|| stem(&rel));
                Page {
                    words: text.split_whitespace().count(),
                    src,
                    rel,
                    out,
                    title,
                    html: r.html,
                    headings: r.headings,
                    mermaid: r.mermaid,
                    blocks: r.blocks,
                }
            })
            .collect::<Vec<_>>();
        if pages.is_empty() {
            continue;
        }
        let mut nav = f.nav;
        fill_titles(&mut nav, &pages);
        sites.insert(
            f.entity,
            Site {
                name: f.name,
                base: f.base,
                pages,
                nav,
                assets: f.assets,
                config: f.config,
                edit_base: f.edit_base,
                broken_links,
                highlight: settings.highlight,
            },
        );
    }
    crate::diagnostics::sort(&mut diagnostics);
    Sites { sites, diagnostics }
}

/// Nav entries without a title take their page's.
fn fill_titles(nav: &mut [NavItem], pages: &[Page]) {
    for item in nav {
        if let Some(p) = item.page.and_then(|i| pages.get(i)) {
            if item.title.is_empty() {
                item.title.clone_from(&p.title);
            }
            item.url = Some(p.out.clone());
        }
        fill_titles(&mut item.children, pages);
    }
}

/// The folder pages of `r` are written to.
pub fn base_of(r: &EntityRef) -> String {
    use crate::escape::segment;
    format!(
        "docs/{}/{}/{}/",
        segment(&r.namespace),
        segment(&r.kind),
        segment(&r.name)
    )
}

/// A page's output path: `a/b.md` → `a/b/index.html`, `a/index.md` and
/// `a/README.md` → `a/index.html` (MkDocs' directory URLs).
fn page_out(base: &str, rel: &str) -> String {
    let stem = rel.strip_suffix(".md").unwrap_or(rel);
    let (dir, file) = stem.rsplit_once('/').unwrap_or(("", stem));
    let dir = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    if file == "index" || file.eq_ignore_ascii_case("readme") {
        format!("{base}{dir}index.html")
    } else {
        format!("{base}{dir}{file}/index.html")
    }
}

fn stem(rel: &str) -> String {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let name = name.strip_suffix(".md").unwrap_or(name);
    if name == "index" || name.eq_ignore_ascii_case("readme") {
        let dir = rel.rsplit('/').nth(1).unwrap_or("Home");
        return title_case(dir);
    }
    title_case(name)
}

fn title_case(s: &str) -> String {
    let s = s.replace(['-', '_'], " ");
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// `to` as seen from the page `from` (both relative to the site root).
pub fn relative(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len().saturating_sub(1)];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dirs
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len().saturating_sub(1));
    let mut out = "../".repeat(from_dirs.len() - common);
    out.push_str(&to_parts[common..].join("/"));
    out
}

/// Reads one entity's site: its config, nav, pages and assets. A site
/// whose docs folder leaves ROOT keeps its diagnostics and has no pages.
fn discover(source: &dyn Source, e: &Entity, d: &Docs) -> Option<Found> {
    let Location::Local {
        dir,
        config,
        docs_dir,
    } = &d.location
    else {
        return None;
    };
    let (dir, config) = (dir.clone(), config.clone());
    let base = base_of(&e.eref);
    let mut f = Found {
        entity: e.eref.clone(),
        name: e.title().to_owned(),
        base: base.clone(),
        config: config.clone(),
        edit_base: None,
        pages: Vec::new(),
        nav: Vec::new(),
        assets: Vec::new(),
        diagnostics: Vec::new(),
    };
    let doc = config
        .as_deref()
        .and_then(|c| read_config(source, c, &mut f.diagnostics));
    if let (Some(config), Some(doc)) = (&config, &doc) {
        apply_config(config, doc, &mut f);
    }
    let Some(docs_dir) = source::join_rel(&dir, docs_dir) else {
        // Never read: not the folder, and not a default in its place.
        let config = config.unwrap_or_default();
        let key = crate::facts::docs::Format::of(&config).docs_dir_key();
        let pos = doc
            .as_ref()
            .and_then(|d| d.get(key))
            .map_or(Pos::new(1, 1), |n| n.pos);
        f.diagnostics
            .push(outside_root(&config, pos, key, docs_dir));
        return Some(f);
    };
    let nav_nodes = doc.as_ref().and_then(|d| d.get("nav"));
    // Pages and assets of the main docs folder.
    let mut by_rel: BTreeMap<String, usize> = BTreeMap::new();
    add_folder(source, &docs_dir, "", &base, &mut f, &mut by_rel);
    match nav_nodes.and_then(Node::as_seq) {
        Some(items) => {
            let cfg = config.clone().unwrap_or_default();
            let mut used = HashSet::new();
            let mut ctx = NavCtx {
                source,
                config: &cfg,
                config_dir: &dir,
                docs_dir: &docs_dir,
                prefix: String::new(),
                base: &base,
                depth: 0,
            };
            f.nav = nav_items(&mut ctx, items, &mut f, &mut by_rel, &mut used);
            // Reading order: nav order, then unreached pages by path.
            let mut order: Vec<usize> = Vec::new();
            flatten(&f.nav, &mut order);
            let mut seen = HashSet::new();
            order.retain(|i| seen.insert(*i));
            for (i, p) in f.pages.iter().enumerate() {
                if !seen.contains(&i) {
                    f.diagnostics.push(
                        Diagnostic::new(
                            Code::DocsUnreachable,
                            format!("docs page `{}` is not in the nav of `{cfg}`", p.0),
                        )
                        .at(Span::file(&p.0))
                        .help("add it to `nav:` in the MkDocs config, or delete it"),
                    );
                    order.push(i);
                }
            }
            reorder(&mut f, &order);
        }
        None => {
            // Path order, `index.md`/`README.md` first in each folder.
            let mut order: Vec<usize> = (0..f.pages.len()).collect();
            order.sort_by_key(|&i| sort_key(&f.pages[i].1));
            reorder(&mut f, &order);
            f.nav = path_nav(&f.pages);
        }
    }
    Some(f)
}

/// The site name and edit link from a config; for `techdocs.yaml`, its
/// format checks.
fn apply_config(config: &str, doc: &Node, f: &mut Found) {
    let format = crate::facts::docs::Format::of(config);
    if let Some(n) = doc.get(format.title_key()).and_then(Node::as_str) {
        f.name = n.trim().to_owned();
    }
    let repo = doc.get("repo_url").and_then(Node::as_str);
    let edit = doc.get("edit_uri").and_then(Node::as_str);
    if let (Some(repo), Some(edit)) = (repo, edit) {
        let joined = format!("{}/{}", repo.trim_end_matches('/'), edit.trim_matches('/'));
        f.edit_base = crate::escape::safe_url(&joined);
    }
    if format == crate::facts::docs::Format::TechDocs {
        check_techdocs_yaml(config, doc, &mut f.diagnostics);
    }
}

/// Backstage accepts `techdocs.yaml` only with `version: 1` and the keys
/// `version`, `title`, `docsDir` and `nav`; Portolan says so (E0500) and
/// still uses what it understands.
fn check_techdocs_yaml(config: &str, doc: &Node, diags: &mut Vec<Diagnostic>) {
    const KEYS: &[&str] = &["version", "title", "docsDir", "nav"];
    let version = doc.get("version");
    if version.and_then(Node::scalar_text).as_deref() != Some("1") {
        diags.push(
            Diagnostic::new(Code::DocsConfig, format!("`{config}` needs `version: 1`"))
                .at(Span::at(config, version.map_or(Pos::new(1, 1), |v| v.pos)))
                .help("`techdocs.yaml` starts with `version: 1`, as Backstage requires"),
        );
    }
    for (key, _) in doc.as_map().unwrap_or_default() {
        let name = key.scalar_text().unwrap_or_default();
        if !KEYS.contains(&name.as_str()) {
            diags.push(
                Diagnostic::new(
                    Code::DocsConfig,
                    format!("`{config}` has `{name}`, which `techdocs.yaml` does not support"),
                )
                .at(Span::at(config, key.pos))
                .help("`techdocs.yaml` has only `version`, `title`, `docsDir` and `nav`; MkDocs settings belong in `mkdocs.yml`"),
            );
        }
    }
}

/// E0505 for a docs folder (`key` in `config`) that leaves ROOT.
fn outside_root(config: &str, pos: Pos, key: &str, value: &str) -> Diagnostic {
    Diagnostic::new(
        Code::DocsOutsideRoot,
        format!("`{key}: {value}` leaves the catalog root; the docs were not read"),
    )
    .at(Span::at(config, pos))
    .help(format!(
        "`{key}` is relative to the config's folder and must stay inside the repository"
    ))
}

/// Adds the markdown pages and assets under `docs_dir` (mounted at
/// `prefix` inside the site).
fn add_folder(
    source: &dyn Source,
    docs_dir: &str,
    prefix: &str,
    base: &str,
    f: &mut Found,
    by_rel: &mut BTreeMap<String, usize>,
) {
    for rel in source::files_under(source, docs_dir, MAX_DEPTH) {
        if rel.split('/').any(|s| s.starts_with('.')) {
            continue;
        }
        let src = format!("{docs_dir}/{rel}")
            .trim_start_matches('/')
            .to_owned();
        let site_rel = format!("{prefix}{rel}");
        if f.pages.len() + f.assets.len() >= MAX_FILES_PER_SITE {
            f.diagnostics.push(
                Diagnostic::new(
                    Code::DocsLimit,
                    format!(
                        "the docs under `{docs_dir}` have more than {MAX_FILES_PER_SITE} files; the rest are not published"
                    ),
                )
                .at(Span::file(&src)),
            );
            return;
        }
        if rel.ends_with(".md") {
            let out = page_out(base, &site_rel);
            if f.pages.iter().any(|p| p.2 == out) {
                continue; // `index.md` wins over `README.md`.
            }
            match source::read_text(source, &src, MAX_PAGE_BYTES) {
                Ok(text) => {
                    by_rel.insert(site_rel.clone(), f.pages.len());
                    f.pages.push((src, site_rel, out, None, Arc::from(text)));
                }
                Err(d) => f.diagnostics.push(limit_diag(d, &src)),
            }
        } else {
            match source.read(&src, MAX_ASSET_BYTES) {
                Ok(bytes) if !inert(&rel, &bytes) => f.diagnostics.push(
                    Diagnostic::new(
                        Code::DocsUnsafeAsset,
                        format!("`{src}` could run script in the portal's origin; it is not published"),
                    )
                    .at(Span::file(&src))
                    .help("docs folders may hold images and downloads, not HTML, JavaScript or SVG with scripts or event handlers"),
                ),
                Ok(bytes) => f.assets.push(Asset {
                    out: format!("{base}{site_rel}"),
                    src,
                    bytes: Arc::from(bytes),
                }),
                Err(e) => f
                    .diagnostics
                    .push(limit_diag(source::read_error(&src, e), &src)),
            }
        }
    }
}

/// Whether an asset is safe to serve from the portal's origin: opened
/// directly, an HTML page or an SVG with a script would run there, with no
/// CSP meta tag to stop it.
fn inert(rel: &str, bytes: &[u8]) -> bool {
    let ext = rel
        .rsplit_once('.')
        .map_or(String::new(), |(_, e)| e.to_ascii_lowercase());
    if matches!(
        ext.as_str(),
        "html" | "htm" | "xhtml" | "xht" | "shtml" | "js" | "mjs" | "xml" | "xsl" | "xslt" | "svgz"
    ) {
        return false;
    }
    if ext != "svg" {
        return true;
    }
    let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
    if [
        "<script",
        "javascript:",
        "foreignobject",
        "<iframe",
        "<embed",
        "<object",
        "data:text/html",
    ]
    .iter()
    .any(|bad| text.contains(bad))
    {
        return false;
    }
    // Event handlers: `on<letters>=` after whitespace or a slash.
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(at) = text[i..].find("on") {
        let start = i + at;
        i = start + 2;
        let before = start.checked_sub(1).map(|j| b[j]);
        if !before.is_some_and(|c| c.is_ascii_whitespace() || c == b'/' || c == b'"' || c == b'\'')
        {
            continue;
        }
        let mut j = start + 2;
        while j < b.len() && b[j].is_ascii_alphabetic() {
            j += 1;
        }
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j > start + 2 && b.get(j) == Some(&b'=') {
            return false;
        }
    }
    true
}

fn limit_diag(d: Diagnostic, src: &str) -> Diagnostic {
    Diagnostic::new(
        Code::DocsLimit,
        format!("docs file not published: {}", d.message),
    )
    .at(d.span.unwrap_or_else(|| Span::file(src)))
    .help("docs pages must be UTF-8 and at most 8 MiB; assets at most 16 MiB")
}

/// Reads and parses a MkDocs config; E0500 when it does not parse.
fn read_config(source: &dyn Source, config: &str, diags: &mut Vec<Diagnostic>) -> Option<Node> {
    let text = match source::read_text(source, config, MAX_CONFIG_BYTES) {
        Ok(t) => t,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    match yaml::parse_documents(&text, Budget::default()) {
        Ok(docs) => match docs.into_iter().next() {
            Some(doc) if doc.as_map().is_some() => Some(doc),
            Some(doc) if !doc.is_null() => {
                diags.push(
                    Diagnostic::new(
                        Code::DocsConfig,
                        format!("`{config}` is not a mapping of MkDocs settings"),
                    )
                    .at(Span::at(config, doc.pos))
                    .help("a MkDocs config is a YAML mapping such as `site_name: …`"),
                );
                None
            }
            _ => None,
        },
        Err(e) => {
            diags.push(
                Diagnostic::new(
                    Code::DocsConfig,
                    format!("`{config}` is not valid YAML: {}", e.message),
                )
                .at(Span::at(config, Pos::new(e.line.max(1), e.col.max(1))))
                .help("fix the YAML; the docs are published without its nav and settings"),
            );
            None
        }
    }
}

/// What a link or image target in a page names.
enum Resolved {
    /// Not checked: an absolute URL, a mail link, a site-absolute path.
    External,
    /// `#fragment` on the same page.
    Anchor(String),
    Page {
        out: String,
        fragment: String,
        /// (site, page) in the discovery order.
        at: (usize, usize),
    },
    Asset(String),
    /// A file inside ROOT that is not part of any docs site.
    Unpublished(String),
    Missing(String),
    Outside,
}

fn resolve_target(
    source: &dyn Source,
    found: &[Found],
    pages: &HashMap<&str, (usize, usize)>,
    assets: &HashMap<&str, &str>,
    from_src: &str,
    url: &str,
) -> Resolved {
    let url = url.trim();
    if url.is_empty() || url.starts_with('/') || url.contains(':') {
        return Resolved::External;
    }
    let (path, fragment) = match url.find(['#', '?']) {
        Some(i) => (&url[..i], &url[i..]),
        None => (url, ""),
    };
    if path.is_empty() {
        return Resolved::Anchor(fragment.trim_start_matches('#').to_owned());
    }
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let dir = from_src.rsplit_once('/').map_or("", |(d, _)| d);
    let Some(target) = source::join_rel(dir, &decoded) else {
        return Resolved::Outside;
    };
    let fragment = if fragment.starts_with('#') {
        fragment.to_owned()
    } else {
        String::new()
    };
    let candidates = [
        target.clone(),
        format!("{}/index.md", target.trim_end_matches('/')),
        format!("{}/README.md", target.trim_end_matches('/')),
        format!("{}.md", target.trim_end_matches('/')),
    ];
    for c in &candidates {
        if let Some(&(s, i)) = pages.get(c.as_str()) {
            return Resolved::Page {
                out: found[s].pages[i].2.clone(),
                fragment,
                at: (s, i),
            };
        }
    }
    if let Some(out) = assets.get(target.as_str()) {
        return Resolved::Asset((*out).to_owned());
    }
    if source.kind(&target).is_ok() {
        Resolved::Unpublished(target)
    } else {
        Resolved::Missing(target)
    }
}

fn check_target(
    resolved: &Resolved,
    src: &str,
    t: &markdown::Target,
    own: &[Heading],
    rendered: &[Vec<markdown::Rendered>],
    out: &mut Vec<Diagnostic>,
) {
    let at = Span::new(src, t.line, 1);
    let what = if t.image { "image" } else { "link" };
    match resolved {
        Resolved::Anchor(id) if !id.is_empty() && !own.iter().any(|h| &h.id == id) => out.push(
            Diagnostic::new(
                Code::DocsBrokenLink,
                format!("link to `#{id}`: no heading on this page has that anchor"),
            )
            .at(at)
            .help(anchor_help(own)),
        ),
        Resolved::Page {
            fragment,
            at: (s, i),
            ..
        } if fragment.len() > 1 => {
            let id = &fragment[1..];
            let theirs = rendered
                .get(*s)
                .and_then(|p| p.get(*i))
                .map_or(&[][..], |r| &r.headings[..]);
            if !theirs.iter().any(|h| h.id == id) {
                out.push(
                    Diagnostic::new(
                        Code::DocsBrokenLink,
                        format!(
                            "link to `{}`: the page has no heading with anchor `{id}`",
                            t.url
                        ),
                    )
                    .at(at)
                    .help(anchor_help(theirs)),
                );
            }
        }
        Resolved::Missing(path) => out.push(
            Diagnostic::new(
                if t.image {
                    Code::DocsMissingImage
                } else {
                    Code::DocsBrokenLink
                },
                format!("{what} `{}`: `{path}` does not exist", t.url),
            )
            .at(at)
            .help("fix the path; it is relative to this page's file"),
        ),
        Resolved::Outside => out.push(
            Diagnostic::new(
                Code::DocsBrokenLink,
                format!("{what} `{}` leaves the catalog root", t.url),
            )
            .at(at)
            .help("link to files inside the repository, or use an absolute URL"),
        ),
        Resolved::Unpublished(path) if t.image => out.push(
            Diagnostic::new(
                Code::DocsMissingImage,
                format!(
                    "image `{}`: `{path}` is outside every docs folder, so it is not published",
                    t.url
                ),
            )
            .at(at)
            .help("move the image under the docs folder (`docs_dir`)"),
        ),
        _ => {}
    }
}

fn anchor_help(own: &[Heading]) -> String {
    if own.is_empty() {
        return "this page has no headings".to_owned();
    }
    let ids: Vec<&str> = own.iter().take(8).map(|h| h.id.as_str()).collect();
    format!("anchors on this page: {}", ids.join(", "))
}
