//! What the portal's search index holds (`search/*.js`, written by
//! [`crate::search`]): every entity's words and display row, and every
//! docs section. The top bar's search, the catalog index's filters and the
//! full results page all read this one index with one script
//! (`static/search-engine.js`).
//!
//! A row is `[path, kind, title, ref, type, lifecycle, owner, system,
//! [tags], description, owner title]`: facet values as numbers into the
//! facet lists (-1 for none), `path` the entity page relative to the site
//! root. A section row is `[url, page title, heading, entity title,
//! snippet]`.

use crate::catalog::Catalog;
use crate::catalog::model::{Entity, EntityRef, RelationType};
use crate::pipeline::Checked;
use crate::search::{self, Entry, Input, Section};
use crate::site::links;
use crate::site::model::kind_label;
use rayon::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Descriptions are cut here in the rows (the entity page has them whole).
const DESCRIPTION_CHARS: usize = 160;
/// A docs hit shows this much of its section.
const SNIPPET_CHARS: usize = 140;
/// The index reads at most this much of a section's HTML (it keeps its
/// first 64 distinct words anyway): a 1 MB section costs no more than a
/// short one.
const SECTION_HTML_BYTES: usize = 8 * 1024;

/// Interns facet values, numbered in sorted order so the output does not
/// depend on iteration details.
#[derive(Default)]
struct Facet {
    values: BTreeMap<String, String>,
}

impl Facet {
    /// Labels are shown by the page's script as text: invisible characters
    /// are made visible here ([`crate::escape::visible`]), as the
    /// templates' escaping does for the rest of the portal.
    fn add(&mut self, key: &str, label: &str) {
        self.values
            .entry(key.to_owned())
            .or_insert_with(|| crate::escape::visible(label).into_owned());
    }
    /// Makes labels unique: two owners can share a title (a user and a
    /// group both called `guest`, or `team-a` in two namespaces), and a
    /// filter listing "guest" twice cannot be used. A label that is not
    /// unique gets its ref, without the default namespace.
    fn disambiguate(&mut self) {
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        for label in self.values.values() {
            *count.entry(label.to_lowercase()).or_default() += 1;
        }
        for (key, label) in &mut self.values {
            if count[&label.to_lowercase()] > 1 {
                let short = crate::escape::visible(key).replacen(":default/", ":", 1);
                *label = format!("{label} ({short})");
            }
        }
    }
    fn list(&self) -> Value {
        Value::Array(self.values.iter().map(|(k, v)| json!([k, v])).collect())
    }
    /// Value → number, for rows (a linear `index` per row is too slow at
    /// 100k entities).
    fn numbered(&self) -> BTreeMap<&str, i64> {
        self.values
            .keys()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i64::try_from(i).unwrap_or(-1)))
            .collect()
    }
}

#[derive(Default)]
struct Facets {
    kinds: Facet,
    types: Facet,
    lifecycles: Facet,
    owners: Facet,
    systems: Facet,
    tags: Facet,
}

/// An entity with what its row and words need.
struct Pre<'a> {
    e: &'a Entity,
    owner: Option<&'a EntityRef>,
    system: Option<&'a EntityRef>,
}

/// The title of `r`'s entity, or its name when it is not in the catalog.
fn title_of<'a>(catalog: &'a Catalog, r: &'a EntityRef) -> &'a str {
    catalog
        .entities
        .get(r)
        .map_or(r.name.as_str(), Entity::title)
}

fn visible(s: &str) -> String {
    crate::escape::visible(s).into_owned()
}

/// `text` cut to `n` characters, with an ellipsis when cut.
fn cut(text: &str, n: usize) -> String {
    let mut out: String = text.chars().take(n).collect();
    if text.chars().nth(n).is_some() {
        out.push('…');
    }
    visible(&out)
}

/// Writes the index of a checked catalog.
pub fn build(checked: &Checked) -> Vec<search::File> {
    let catalog = &checked.loaded.catalog;
    let mut ranked: Vec<(_, &Entity)> = catalog
        .entities
        .values()
        .map(|e| {
            let r = &e.eref;
            let key = search::rank_key(&r.kind, catalog.relations_of(r).count(), &r.to_string());
            (key, e)
        })
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0));
    let pre: Vec<Pre> = ranked
        .iter()
        .map(|(_, e)| Pre {
            e,
            owner: catalog
                .relations_of(&e.eref)
                .find(|rel| rel.kind == RelationType::OwnedBy)
                .map(|rel| &rel.target),
            system: catalog
                .relations_of(&e.eref)
                .find(|rel| rel.kind == RelationType::PartOf && rel.target.kind == "system")
                .map(|rel| &rel.target),
        })
        .collect();
    let facets = facets(catalog, &pre);
    let entries = entries(catalog, &pre, &facets);
    let rank: BTreeMap<&EntityRef, usize> = pre
        .iter()
        .enumerate()
        .map(|(i, p)| (&p.e.eref, i))
        .collect();
    let mut meta = serde_json::Map::new();
    meta.insert("kinds".into(), facets.kinds.list());
    meta.insert("types".into(), facets.types.list());
    meta.insert("lifecycles".into(), facets.lifecycles.list());
    meta.insert("tags".into(), facets.tags.list());
    // Entities are numbered in rank order, kind first: where each kind's
    // numbers start tells the browser an entity's kind (teams and people are
    // a group of their own) before it loads any row.
    let mut starts: Vec<Value> = Vec::new();
    let mut last: Option<&str> = None;
    for (i, p) in pre.iter().enumerate() {
        let kind = p.e.eref.kind.as_str();
        if last != Some(kind) {
            starts.push(json!([kind, i]));
            last = Some(kind);
        }
    }
    meta.insert("kindStarts".into(), Value::Array(starts));
    let input = Input {
        entries,
        sections: sections(checked, &rank),
        meta,
        facets: json!({ "owners": facets.owners.list(), "systems": facets.systems.list() }),
    };
    search::build(&input)
}

fn facets(catalog: &Catalog, pre: &[Pre]) -> Facets {
    let mut f = Facets::default();
    for p in pre {
        let e = p.e;
        f.kinds.add(&e.eref.kind, &kind_label(&e.eref.kind));
        if let Some(t) = e.spec_type() {
            f.types.add(t, t);
        }
        if let Some(l) = e.lifecycle() {
            f.lifecycles.add(l, l);
        }
        if let Some(o) = p.owner {
            f.owners.add(&o.to_string(), title_of(catalog, o));
        }
        if let Some(s) = p.system {
            f.systems.add(&s.to_string(), title_of(catalog, s));
        }
        for t in e.tags() {
            f.tags.add(t, t);
        }
    }
    f.owners.disambiguate();
    f.systems.disambiguate();
    f
}

fn entries(catalog: &Catalog, pre: &[Pre], f: &Facets) -> Vec<Entry> {
    let (nk, nt, nl, no, ns, ntag) = (
        f.kinds.numbered(),
        f.types.numbered(),
        f.lifecycles.numbered(),
        f.owners.numbered(),
        f.systems.numbered(),
        f.tags.numbered(),
    );
    let at =
        |m: &BTreeMap<&str, i64>, k: Option<&str>| k.and_then(|k| m.get(k)).copied().unwrap_or(-1);
    pre.par_iter()
        .map(|p| {
            let e = p.e;
            let r = &e.eref;
            let description = e
                .description()
                .map(crate::site::inline::plain)
                .unwrap_or_default();
            let owner = p.owner.map(|o| (o.to_string(), o));
            let owner_title = p.owner.map_or("", |o| title_of(catalog, o));
            let row = json!([
                links::entity_page(r),
                at(&nk, Some(&r.kind)),
                visible(e.title()),
                visible(&r.to_string()),
                at(&nt, e.spec_type()),
                at(&nl, e.lifecycle()),
                at(&no, owner.as_ref().map(|o| o.0.as_str())),
                at(&ns, p.system.map(|s| s.to_string()).as_deref()),
                e.tags()
                    .iter()
                    .filter_map(|t| ntag.get(t).copied())
                    .collect::<Vec<_>>(),
                cut(&description, DESCRIPTION_CHARS),
                visible(owner_title),
            ]);
            let mut tags: Vec<String> = e.tags().iter().map(|t| (*t).to_owned()).collect();
            tags.extend(chat_channels(e));
            Entry {
                name: r.name.clone(),
                title: e.title().to_owned(),
                tags,
                owner: p
                    .owner
                    .map(|o| format!("{} {}", o.name, owner_title))
                    .unwrap_or_default(),
                description,
                row,
            }
        })
        .collect()
}

/// The titles of an entity's `chat` links (`#team-orders`): people search
/// for a team by its channel.
fn chat_channels(e: &Entity) -> Vec<String> {
    let Some(links) = e.doc.at(&["metadata", "links"]).and_then(|l| l.as_seq()) else {
        return Vec::new();
    };
    links
        .iter()
        .filter(|l| l.at(&["type"]).and_then(|t| t.as_str()) == Some("chat"))
        .filter_map(|l| l.at(&["title"]).and_then(|t| t.as_str()))
        .map(str::to_owned)
        .collect()
}

/// Every docs section, in the rank order of the entities the docs belong to.
fn sections(checked: &Checked, rank: &BTreeMap<&EntityRef, usize>) -> Vec<Section> {
    let catalog = &checked.loaded.catalog;
    let mut sites: Vec<_> = checked
        .facts
        .sites
        .sites
        .iter()
        .filter_map(|(r, site)| Some((*rank.get(r)?, catalog.entities.get(r)?, site)))
        .collect();
    sites.sort_by_key(|s| s.0);
    let per_site: Vec<Vec<Section>> = sites
        .par_iter()
        .map(|(_, e, site)| {
            site.pages
                .iter()
                .flat_map(|page| page_sections(e, page))
                .collect()
        })
        .collect();
    per_site.into_iter().flatten().collect()
}

/// A docs page split at its headings: the text before the first heading
/// (under the page title) and the text under each heading.
fn page_sections(e: &Entity, page: &crate::facts::techdocs::Page) -> Vec<Section> {
    let html = page.html.as_str();
    let mut cuts: Vec<(usize, Option<&crate::facts::techdocs::markdown::Heading>)> =
        vec![(0, None)];
    let mut from = 0;
    for h in &page.headings {
        let needle = format!(" id=\"{}\"", h.id);
        if let Some(i) = html[from..].find(&needle) {
            let at = html[..from + i].rfind('<').unwrap_or(from + i);
            cuts.push((at, Some(h)));
            from += i + needle.len();
        }
    }
    let mut out = Vec::new();
    for (k, (start, heading)) in cuts.iter().enumerate() {
        let end = cuts.get(k + 1).map_or(html.len(), |c| c.0);
        let mut cut_at = end.min(start + SECTION_HTML_BYTES);
        while !html.is_char_boundary(cut_at) {
            cut_at -= 1;
        }
        let mut text = plain_text(&html[*start..cut_at]);
        // What the section is called, and the heading text its HTML starts
        // with (dropped from the snippet, with the heading's `#` anchor).
        let (heading_text, shown, url) = match heading {
            Some(h) if h.level > 1 => (
                h.text.as_str(),
                h.text.as_str(),
                format!("{}#{}", page.out, h.id),
            ),
            // The page's own title heading: the section is the page.
            Some(h) => (page.title.as_str(), h.text.as_str(), page.out.clone()),
            None => (page.title.as_str(), "", page.out.clone()),
        };
        if let Some(rest) = text.trim_start().strip_prefix(shown) {
            text = rest.trim_start().trim_start_matches('#').trim().to_owned();
        }
        if heading.is_none() && text.trim().is_empty() {
            continue;
        }
        out.push(Section {
            heading: format!("{} {}", page.title, heading_text),
            row: json!([
                url,
                visible(&page.title),
                visible(heading_text),
                visible(e.title()),
                cut(text.trim(), SNIPPET_CHARS),
            ]),
            text,
        });
    }
    out
}

/// The text of sanitized HTML: tags dropped, the common entities decoded,
/// whitespace collapsed.
fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut in_tag = false;
    let mut space = true;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                if !space {
                    out.push(' ');
                    space = true;
                }
            }
            _ if in_tag => {}
            c if c.is_whitespace() => {
                if !space {
                    out.push(' ');
                    space = true;
                }
            }
            c => {
                out.push(c);
                space = false;
            }
        }
    }
    if !out.contains('&') {
        return out;
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    #[test]
    fn facet_labels_are_unique() {
        let mut f = super::Facet::default();
        f.add("group:default/guest", "guest");
        f.add("user:default/guest", "guest");
        f.add("group:ops/team-a", "Team A");
        f.add("group:default/team-a", "team a");
        f.add("group:default/solo", "Solo");
        f.disambiguate();
        let labels: Vec<String> = f
            .list()
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p[1].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            labels,
            [
                "guest (group:guest)",
                "Solo",
                "team a (group:team-a)",
                "Team A (group:ops/team-a)",
                "guest (user:guest)"
            ]
        );
    }

    #[test]
    fn html_becomes_text() {
        assert_eq!(
            super::plain_text("<p>a &amp; <code>b&lt;c</code></p>\n<ul><li>d</li></ul>"),
            "a & b<c d "
        );
    }
}
