//! The catalog index's data: a compact, sharded JSON index that the catalog
//! page filters in the browser.
//!
//! It is written as JavaScript files (`catalog/data/*.js`) rather than
//! `.json` because a page opened from `file://` may load scripts but not
//! fetch files. Rows refer to facet values by number, so a 100k-entity index
//! stays small, and it is split into shards the page loads one after the
//! other: the first page of results appears before the last shard arrives.

use crate::catalog::model::{Entity, EntityRef, RelationType};
use crate::site::links::segment;
use crate::site::model::{SiteModel, kind_label};
use serde::Serialize;
use std::collections::BTreeMap;

pub const SHARD_ROWS: usize = 2000;
/// Descriptions are cut here in the index (the entity page has them whole).
const DESCRIPTION_CHARS: usize = 160;

/// Interns strings in first-seen order, then renumbers them sorted, so the
/// output does not depend on iteration details.
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
    fn numbered(&self) -> BTreeMap<&str, usize> {
        self.values
            .keys()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect()
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
    fn list(&self) -> Vec<[&str; 2]> {
        self.values
            .iter()
            .map(|(k, v)| [k.as_str(), v.as_str()])
            .collect()
    }
}

#[derive(Serialize)]
struct Facets<'a> {
    version: u32,
    total: usize,
    shards: usize,
    /// Each facet is a list of `[value, label]`.
    kinds: Vec<[&'a str; 2]>,
    types: Vec<[&'a str; 2]>,
    lifecycles: Vec<[&'a str; 2]>,
    owners: Vec<[&'a str; 2]>,
    systems: Vec<[&'a str; 2]>,
    tags: Vec<[&'a str; 2]>,
}

/// One row: `[path, kind, title, name, type, lifecycle, owner, system,
/// [tags], description]`, with facet values as indexes (-1 for none) and
/// `path` the entity page's folder relative to `catalog/`.
type Row = (
    String,
    usize,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    Vec<usize>,
    String,
);

fn idx(map: &BTreeMap<&str, usize>, key: Option<&str>) -> i64 {
    key.and_then(|k| map.get(k))
        .map_or(-1, |i| i64::try_from(*i).unwrap_or(-1))
}

/// Where the facets live, relative to the site root.
pub const FACETS_PATH: &str = "catalog/data/facets.js";

/// Where shard `i` (0-based) lives, relative to the site root.
pub fn shard_path(i: usize) -> String {
    format!("catalog/data/shard-{i}.js")
}

/// How many shards an index of `entities` rows has.
pub fn shard_count(entities: usize) -> usize {
    entities.div_ceil(SHARD_ROWS)
}

/// The index, built once per render; each data file serializes its part.
pub struct Data {
    kinds: Facet,
    types: Facet,
    lifecycles: Facet,
    owners: Facet,
    systems: Facet,
    tags: Facet,
    rows: Vec<Row>,
}

/// An entity with its owner and system refs, as facet keys.
struct Pre<'a> {
    e: &'a Entity,
    owner: Option<(String, &'a EntityRef)>,
    system: Option<(String, &'a EntityRef)>,
}

impl Data {
    pub fn new(model: &SiteModel) -> Data {
        let pre: Vec<Pre> = model
            .catalog
            .entities
            .values()
            .map(|e| {
                let owner = model.owner(&e.eref).map(|r| (r.to_string(), r));
                let system = model
                    .targets(&e.eref, RelationType::PartOf)
                    .into_iter()
                    .find(|t| t.kind == "system")
                    .map(|r| (r.to_string(), r));
                Pre { e, owner, system }
            })
            .collect();
        let mut data = Data {
            kinds: Facet::default(),
            types: Facet::default(),
            lifecycles: Facet::default(),
            owners: Facet::default(),
            systems: Facet::default(),
            tags: Facet::default(),
            rows: Vec::new(),
        };
        for p in &pre {
            data.add_facets(model, p);
        }
        data.owners.disambiguate();
        data.systems.disambiguate();
        data.rows = data.build_rows(&pre);
        data
    }

    fn add_facets(&mut self, model: &SiteModel, p: &Pre) {
        self.kinds.add(&p.e.eref.kind, &kind_label(&p.e.eref.kind));
        if let Some(t) = p.e.spec_type() {
            self.types.add(t, t);
        }
        if let Some(l) = p.e.lifecycle() {
            self.lifecycles.add(l, l);
        }
        for (facet, r) in [(&mut self.owners, &p.owner), (&mut self.systems, &p.system)] {
            if let Some((key, r)) = r
                && !facet.values.contains_key(key)
            {
                facet.add(key, &model.link(r).title);
            }
        }
        for t in p.e.tags() {
            self.tags.add(t, t);
        }
    }

    fn build_rows(&self, pre: &[Pre]) -> Vec<Row> {
        let (nk, nt, nl, no, ns, ntag) = (
            self.kinds.numbered(),
            self.types.numbered(),
            self.lifecycles.numbered(),
            self.owners.numbered(),
            self.systems.numbered(),
            self.tags.numbered(),
        );
        pre.iter()
            .map(|p| {
                let e = p.e;
                let r = &e.eref;
                let plain = e.description().map(crate::site::inline::plain);
                let plain = plain.as_deref().unwrap_or("");
                let mut desc: String = plain.chars().take(DESCRIPTION_CHARS).collect();
                let visible = |s: &str| crate::escape::visible(s).into_owned();
                desc = visible(&desc);
                if plain.chars().count() > DESCRIPTION_CHARS {
                    desc.push('…');
                }
                (
                    format!(
                        "{}/{}/{}/",
                        segment(&r.namespace),
                        segment(&r.kind),
                        segment(&r.name)
                    ),
                    nk.get(r.kind.as_str()).copied().unwrap_or(0),
                    visible(e.title()),
                    visible(&format!("{}:{}/{}", r.kind, r.namespace, r.name)),
                    idx(&nt, e.spec_type()),
                    idx(&nl, e.lifecycle()),
                    idx(&no, p.owner.as_ref().map(|o| o.0.as_str())),
                    idx(&ns, p.system.as_ref().map(|o| o.0.as_str())),
                    e.tags()
                        .iter()
                        .filter_map(|t| ntag.get(t).copied())
                        .collect(),
                    desc,
                )
            })
            .collect()
    }

    /// `catalog/data/facets.js`: the facet values and the shard count.
    pub fn facets(&self) -> Vec<u8> {
        let facets = Facets {
            version: 1,
            total: self.rows.len(),
            shards: shard_count(self.rows.len()),
            kinds: self.kinds.list(),
            types: self.types.list(),
            lifecycles: self.lifecycles.list(),
            owners: self.owners.list(),
            systems: self.systems.list(),
            tags: self.tags.list(),
        };
        js_call("portolanFacets", &[&json(&facets)])
    }

    /// `catalog/data/shard-<i>.js`: rows `i * SHARD_ROWS` onwards (empty
    /// past the end).
    pub fn shard(&self, i: usize) -> Vec<u8> {
        let shard = self.rows.chunks(SHARD_ROWS).nth(i).unwrap_or_default();
        js_call("portolanShard", &[&i.to_string(), &json(shard)])
    }
}

/// JSON that is safe inside a script: `<`, `>` and `&` are escaped so a
/// title like `</script>` cannot end the script, and U+2028/2029 (valid
/// JSON, invalid in old JS) are escaped too.
fn json<T: Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "null".to_owned())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

fn js_call(f: &str, args: &[&str]) -> Vec<u8> {
    format!("window.{f}&&window.{f}({});\n", args.join(",")).into_bytes()
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
        let labels: Vec<&str> = f.list().iter().map(|p| p[1]).collect();
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
    fn script_data_cannot_close_the_script() {
        let s = super::json(&["</script><script>alert(1)</script>", "a&b", "\u{2028}"]);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert!(!s.contains('\u{2028}'));
        let back: Vec<String> = serde_json::from_str(&s).unwrap();
        assert_eq!(back[0], "</script><script>alert(1)</script>");
    }
}
