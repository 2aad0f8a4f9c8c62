//! The context of a TechDocs page (rendered by `crate::facts::techdocs`): the
//! entity it belongs to, the site's nav, the page's table of contents,
//! previous and next pages, and the "edit this page" link.

use super::model::{EntityLink, SiteModel};
use crate::catalog::model::Entity;
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
            mermaid: page.mermaid,
        },
    }
}
