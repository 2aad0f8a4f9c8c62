//! The context of a TechDocs page (rendered by `crate::facts::techdocs`): the
//! entity it belongs to, the site's nav, the page's table of contents,
//! previous and next pages, and the "edit this page" link; and the docs
//! lists of entity and team pages.

use super::model::{EntityLink, SiteModel};
use crate::catalog::model::{Entity, EntityRef};
use crate::facts::techdocs::markdown::Heading;
use crate::facts::techdocs::{NavItem, Site};
use serde::Serialize;

#[derive(Serialize)]
pub struct Context<'a> {
    pub entity: EntityLink,
    pub docs: DocsView<'a>,
}

#[derive(Serialize)]
pub struct DocsView<'a> {
    pub site_name: &'a str,
    /// The docs home, relative to the site root.
    pub home: &'a str,
    pub title: &'a str,
    /// Sanitized HTML of the page body.
    pub content: String,
    pub nav: &'a [NavItem],
    /// Headings of levels 2 and 3.
    pub toc: Vec<&'a Heading>,
    pub prev: Option<PageLink<'a>>,
    pub next: Option<PageLink<'a>>,
    pub edit_url: Option<String>,
    /// The markdown file, relative to ROOT.
    pub source: &'a str,
    /// "DATE by AUTHOR" of the last commit that changed the page, from the
    /// same history walk as the entity pages' line.
    pub last_change: Option<String>,
    pub mermaid: bool,
}

#[derive(Serialize)]
pub struct PageLink<'a> {
    pub title: &'a str,
    pub url: &'a str,
}

pub fn context<'a>(model: &SiteModel, e: &Entity, site: &'a Site, index: usize) -> Context<'a> {
    let page = &site.pages[index];
    let link = |i: usize| {
        site.pages.get(i).map(|p| PageLink {
            title: &p.title,
            url: &p.out,
        })
    };
    let edit_url = match &site.edit_base {
        Some(base) => crate::escape::safe_url(&format!("{base}/{}", page.rel)),
        None => model.edit_url(&page.src),
    };
    Context {
        entity: model.link(&e.eref),
        docs: DocsView {
            site_name: &site.name,
            home: site.home(),
            title: &page.title,
            content: crate::facts::techdocs::markdown::finish(
                &page.html,
                &page.blocks,
                site.highlight,
            ),
            nav: &site.nav,
            toc: page
                .headings
                .iter()
                .filter(|h| (2..=3).contains(&h.level))
                .collect(),
            prev: index.checked_sub(1).and_then(link),
            next: link(index + 1),
            edit_url,
            source: &page.src,
            last_change: model
                .checked
                .facts
                .git
                .history()
                .and_then(|h| h.file(&page.src))
                .map(|f| format!("{} by {}", f.last_change.date(), f.last_change.author)),
            mermaid: page.mermaid,
        },
    }
}

/// An entity's docs site as entity and team pages list it.
#[derive(Serialize)]
pub struct SiteList<'a> {
    pub entity: EntityLink,
    pub site_name: &'a str,
    /// The docs home, relative to the site root.
    pub home: &'a str,
    /// Its pages in reading order (nav order, then the pages no nav
    /// reaches), at most the cap the caller gave.
    pub pages: Vec<PageLink<'a>>,
    pub total: usize,
    /// Pages beyond the cap.
    pub more: usize,
}

/// The docs site of `r`, listing at most `cap` pages; `None` without one.
pub fn site_list<'a>(model: &SiteModel<'a>, r: &EntityRef, cap: usize) -> Option<SiteList<'a>> {
    let site = model.checked.facts.sites.of(r)?;
    let pages: Vec<PageLink<'a>> = site
        .pages
        .iter()
        .take(cap)
        .map(|p| PageLink {
            title: &p.title,
            url: &p.out,
        })
        .collect();
    Some(SiteList {
        entity: model.link(r),
        site_name: &site.name,
        home: site.home(),
        more: site.pages.len() - pages.len(),
        total: site.pages.len(),
        pages,
    })
}

/// The docs sites of what `owner` owns, by ref, at most `cap` of them,
/// and how many more there are.
pub fn owned_sites<'a>(
    model: &SiteModel<'a>,
    owner: &EntityRef,
    cap: usize,
) -> (Vec<SiteList<'a>>, usize) {
    let all: Vec<&EntityRef> = model
        .targets(owner, crate::catalog::model::RelationType::OwnerOf)
        .into_iter()
        .filter(|r| model.checked.facts.sites.of(r).is_some())
        .collect();
    let sites = all
        .iter()
        .take(cap)
        .filter_map(|r| site_list(model, r, 0))
        .collect::<Vec<_>>();
    let more = all.len() - sites.len();
    (sites, more)
}
