//! A docs site's navigation: the `nav` of its config (nested sections,
//! external links, `!include`d child sites) or, without one, its pages by
//! path; and the reading order that follows from it.

use super::{Found, MAX_INCLUDE_DEPTH, NavItem, RawPage, add_folder, read_config, title_case};
use crate::catalog::yaml::{self, Node};
use crate::diagnostics::{Code, Diagnostic, Pos, Span};
use crate::source::{self, Source};
use std::collections::{BTreeMap, HashSet};

/// Puts pages in `order` and renumbers the nav.
pub(super) fn reorder(f: &mut Found, order: &[usize]) {
    let mut new_index = vec![0; f.pages.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut old: Vec<Option<_>> = std::mem::take(&mut f.pages).into_iter().map(Some).collect();
    f.pages = order.iter().filter_map(|&i| old[i].take()).collect();
    fn renumber(items: &mut [NavItem], map: &[usize]) {
        for it in items {
            if let Some(p) = it.page.as_mut() {
                *p = map[*p];
            }
            renumber(&mut it.children, map);
        }
    }
    renumber(&mut f.nav, &new_index);
}

pub(super) fn flatten(items: &[NavItem], out: &mut Vec<usize>) {
    for it in items {
        out.extend(it.page);
        flatten(&it.children, out);
    }
}

/// Sort key of a page path: folder by folder, `index.md`/`README.md` first.
pub(super) fn sort_key(rel: &str) -> Vec<(bool, String)> {
    let parts: Vec<&str> = rel.split('/').collect();
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let last = i + 1 == parts.len();
            let index = last && (*p == "index.md" || p.eq_ignore_ascii_case("readme.md"));
            // Files before folders at the same level, index first.
            (!index, format!("{}{p}", if last { "0" } else { "1" }))
        })
        .collect()
}

/// The nav of a site without `nav:`: its folders as sections.
pub(super) fn path_nav(pages: &[RawPage]) -> Vec<NavItem> {
    let mut root: Vec<NavItem> = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        let mut level = &mut root;
        let parts: Vec<&str> = p.1.split('/').collect();
        for dir in &parts[..parts.len() - 1] {
            let title = title_case(dir);
            let pos = match level
                .iter()
                .position(|n| n.page.is_none() && n.title == title)
            {
                Some(pos) => pos,
                None => {
                    level.push(NavItem {
                        title,
                        page: None,
                        url: None,
                        external: false,
                        children: Vec::new(),
                    });
                    level.len() - 1
                }
            };
            level = &mut level[pos].children;
        }
        level.push(NavItem {
            title: String::new(),
            page: Some(i),
            url: None,
            external: false,
            children: Vec::new(),
        });
    }
    root
}

pub(super) struct NavCtx<'a> {
    pub(super) source: &'a dyn Source,
    /// The config the entries are written in (for positions).
    pub(super) config: &'a str,
    pub(super) config_dir: &'a str,
    pub(super) docs_dir: &'a str,
    /// Where this config's pages are mounted inside the site.
    pub(super) prefix: String,
    pub(super) base: &'a str,
    pub(super) depth: usize,
}

pub(super) fn nav_items(
    ctx: &mut NavCtx,
    items: &[Node],
    f: &mut Found,
    by_rel: &mut BTreeMap<String, usize>,
    used: &mut HashSet<usize>,
) -> Vec<NavItem> {
    let mut out = Vec::new();
    for item in items {
        let (title, value) = match &item.value {
            yaml::Value::Map(pairs) if pairs.len() == 1 => {
                (pairs[0].0.scalar_text().unwrap_or_default(), &pairs[0].1)
            }
            _ => (String::new(), item),
        };
        if let Some(children) = value.as_seq() {
            let children = nav_items(ctx, children, f, by_rel, used);
            out.push(NavItem {
                title,
                page: None,
                url: None,
                external: false,
                children,
            });
            continue;
        }
        let Some(target) = value.as_str().map(str::trim) else {
            continue;
        };
        if target.contains("://") || target.starts_with("mailto:") {
            out.push(NavItem {
                title: if title.is_empty() {
                    target.to_owned()
                } else {
                    title
                },
                page: None,
                url: crate::escape::safe_url(target),
                external: true,
                children: Vec::new(),
            });
            continue;
        }
        if target.ends_with("mkdocs.yml") || target.ends_with("mkdocs.yaml") {
            if let Some(section) = include(ctx, &title, target, value.pos, f, by_rel, used) {
                out.push(section);
            }
            continue;
        }
        let rel = format!("{}{}", ctx.prefix, target.trim_start_matches("./"));
        match source::join_rel(ctx.docs_dir, target) {
            None => f.diagnostics.push(
                Diagnostic::new(
                    Code::DocsOutsideRoot,
                    format!("nav entry `{target}` leaves the catalog root; it was not read"),
                )
                .at(Span::at(ctx.config, value.pos))
                .help("nav entries name files inside `docs_dir`"),
            ),
            Some(_) => match by_rel.get(&rel) {
                Some(&i) => {
                    used.insert(i);
                    if title.is_empty() {
                        f.pages[i].3 = None;
                    } else {
                        f.pages[i].3 = Some(title.clone());
                    }
                    out.push(NavItem {
                        title,
                        page: Some(i),
                        url: None,
                        external: false,
                        children: Vec::new(),
                    });
                }
                None => f.diagnostics.push(
                    Diagnostic::new(
                        Code::DocsNavMissing,
                        format!(
                            "nav entry `{target}` names no page: `{}` does not exist",
                            source::join_rel(ctx.docs_dir, target).unwrap_or_default()
                        ),
                    )
                    .at(Span::at(ctx.config, value.pos))
                    .help("fix the path (it is relative to `docs_dir`) or remove the entry"),
                ),
            },
        }
    }
    out
}

/// `!include ./sub/mkdocs.yml` (the monorepo plugin): the child site's
/// pages, mounted under the child's folder, as one section.
fn include(
    ctx: &mut NavCtx,
    title: &str,
    target: &str,
    pos: Pos,
    f: &mut Found,
    by_rel: &mut BTreeMap<String, usize>,
    used: &mut HashSet<usize>,
) -> Option<NavItem> {
    let target = target.trim_start_matches("!include").trim();
    let Some(child) = source::join_rel(ctx.config_dir, target) else {
        f.diagnostics.push(
            Diagnostic::new(
                Code::DocsOutsideRoot,
                format!("`!include {target}` leaves the catalog root; it was not read"),
            )
            .at(Span::at(ctx.config, pos))
            .help("`!include` paths are relative to the config's folder and must stay inside the repository"),
        );
        return None;
    };
    if ctx.depth >= MAX_INCLUDE_DEPTH || !ctx.source.is_file(&child) {
        f.diagnostics.push(
            Diagnostic::new(
                Code::DocsNavMissing,
                if ctx.depth >= MAX_INCLUDE_DEPTH {
                    format!("`!include {target}` nests more than {MAX_INCLUDE_DEPTH} configs deep; it was not read")
                } else {
                    format!("`!include {target}` names no file: `{child}` does not exist")
                },
            )
            .at(Span::at(ctx.config, pos))
            .help("fix the path (relative to this config's folder) or remove the entry"),
        );
        return None;
    }
    let doc = read_config(ctx.source, &child, &mut f.diagnostics)?;
    let child_dir = child.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
    let key = crate::facts::docs::Format::of(&child).docs_dir_key();
    let docs_dir = doc
        .get(key)
        .and_then(Node::as_str)
        .unwrap_or("docs")
        .trim()
        .to_owned();
    let Some(child_docs) = source::join_rel(&child_dir, &docs_dir) else {
        let pos = doc.get(key).map_or(Pos::new(1, 1), |n| n.pos);
        f.diagnostics
            .push(super::outside_root(&child, pos, key, &docs_dir));
        return None;
    };
    // Mounted at its folder relative to the parent's docs folder.
    let mount = child_docs
        .strip_prefix(ctx.config_dir)
        .unwrap_or(&child_docs)
        .trim_matches('/')
        .to_owned();
    let prefix = format!("{}{mount}/", ctx.prefix);
    add_folder(ctx.source, &child_docs, &prefix, ctx.base, f, by_rel);
    let name = doc
        .get("site_name")
        .and_then(Node::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| title_case(&mount));
    let mut sub = NavCtx {
        source: ctx.source,
        config: &child,
        config_dir: &child_dir,
        docs_dir: &child_docs,
        prefix: prefix.clone(),
        base: ctx.base,
        depth: ctx.depth + 1,
    };
    let children = match doc.get("nav").and_then(Node::as_seq) {
        Some(items) => nav_items(&mut sub, items, f, by_rel, used),
        None => {
            let mut children = Vec::new();
            for (rel, &i) in by_rel.iter() {
                if rel.starts_with(&prefix) {
                    used.insert(i);
                    children.push(NavItem {
                        title: String::new(),
                        page: Some(i),
                        url: None,
                        external: false,
                        children: Vec::new(),
                    });
                }
            }
            children
        }
    };
    Some(NavItem {
        title: if title.is_empty() {
            name
        } else {
            title.to_owned()
        },
        page: None,
        url: None,
        external: false,
        children,
    })
}
