//! Where an entity's TechDocs are: resolved once, for the policies, the
//! quick-answers panel and (later) the docs pages alike.
//!
//! `backstage.io/techdocs-ref: dir:<path>` is relative to the entity file
//! and names the folder holding the docs config ([`CONFIG_NAMES`]), whose
//! `docs_dir` (`docsDir` in `techdocs.yaml`; default `docs`) holds the
//! markdown. `url:<address>` is remote: it is recorded as a link and never
//! read. A `docs_dir` that leaves ROOT names no folder: nothing is read and
//! the docs stage reports it (E0505).

use crate::catalog::model::Entity;
use crate::catalog::yaml::{self, Budget};
use crate::source::{self, Source};

pub const REF_ANNOTATION: &str = "backstage.io/techdocs-ref";
/// The docs config files of a `dir:` folder, in the order they are looked
/// for; the first that exists is the site's config.
///
/// Backstage's TechDocs (`@backstage/plugin-techdocs-node`,
/// `stages/generate/source.ts`, its MkDocs-free source renderer) reads
/// `techdocs.yaml` or `techdocs.yml` (`version: 1` with only `title`,
/// `docsDir` and `nav`) and falls back to `mkdocs.yml`/`mkdocs.yaml` only
/// when neither exists, so the TechDocs names come first here too. Between
/// the two MkDocs names Portolan keeps `mkdocs.yml` first, as it always
/// has; Backstage's MkDocs generator (`getMkdocsYml`) tries `mkdocs.yaml`
/// first and its source renderer refuses a folder with both, so a catalog
/// that has both is ambiguous in Backstage anyway.
pub const CONFIG_NAMES: &[&str] = &["techdocs.yaml", "techdocs.yml", "mkdocs.yml", "mkdocs.yaml"];

/// The two config formats, told apart by file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `mkdocs.yml`: `site_name`, `docs_dir`, `nav`, `repo_url`, `edit_uri`.
    MkDocs,
    /// `techdocs.yaml`: `version: 1`, `title`, `docsDir`, `nav`.
    TechDocs,
}

impl Format {
    pub fn of(config: &str) -> Self {
        let name = config.rsplit('/').next().unwrap_or(config);
        if name.starts_with("techdocs.") {
            Format::TechDocs
        } else {
            Format::MkDocs
        }
    }

    /// The key naming the markdown folder.
    pub fn docs_dir_key(self) -> &'static str {
        match self {
            Format::MkDocs => "docs_dir",
            Format::TechDocs => "docsDir",
        }
    }

    /// The key naming the site.
    pub fn title_key(self) -> &'static str {
        match self {
            Format::MkDocs => "site_name",
            Format::TechDocs => "title",
        }
    }
}
/// How deep a docs folder is searched for pages.
pub const MAX_DEPTH: usize = 8;
/// A mkdocs config larger than this is not read for `docs_dir`.
const MAX_CONFIG_BYTES: u64 = 256 * 1024;

/// Where the docs are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// In the catalog: `dir` holds the MkDocs config `config` (both
    /// relative to ROOT), and the pages are under `dir/docs_dir`.
    Local {
        dir: String,
        config: Option<String>,
        docs_dir: String,
    },
    /// Published elsewhere; only linked.
    Remote { url: String },
    /// The ref is not one Portolan can follow (another scheme, or a path
    /// that leaves ROOT).
    Unresolved,
}

/// An entity's docs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Docs {
    /// The annotation as written.
    pub reference: String,
    pub location: Location,
    /// Markdown pages found (0 for remote docs, which cannot be counted).
    pub pages: usize,
}

impl Docs {
    /// Docs a reader can open: a local site with a config and at least one
    /// page, or a remote one.
    pub fn present(&self) -> bool {
        match &self.location {
            Location::Local { config, .. } => config.is_some() && self.pages > 0,
            Location::Remote { .. } => true,
            Location::Unresolved => false,
        }
    }

    pub fn remote_url(&self) -> Option<&str> {
        match &self.location {
            Location::Remote { url } => Some(url),
            _ => None,
        }
    }

    /// The markdown folder, relative to ROOT, for a local site.
    pub fn pages_dir(&self) -> Option<String> {
        match &self.location {
            Location::Local { dir, docs_dir, .. } => source::join_rel(dir, docs_dir),
            _ => None,
        }
    }
}

/// Resolves an entity's TechDocs; `None` when it declares none.
pub fn resolve(source: &dyn Source, e: &Entity) -> Option<Docs> {
    let reference = e.str_at(&["metadata", "annotations", REF_ANNOTATION])?;
    let location = match reference.trim().split_once(':') {
        Some(("dir", path)) => match source::join_rel(e.dir(), path.trim()) {
            Some(dir) => local(source, dir),
            None => Location::Unresolved,
        },
        Some(("url", url)) => Location::Remote {
            url: url.trim().to_owned(),
        },
        _ => Location::Unresolved,
    };
    let pages = match &location {
        Location::Local { dir, docs_dir, .. } => {
            source::join_rel(dir, docs_dir).map_or(0, |d| count_pages(source, &d))
        }
        _ => 0,
    };
    Some(Docs {
        reference: reference.to_owned(),
        location,
        pages,
    })
}

fn local(source: &dyn Source, dir: String) -> Location {
    let config = CONFIG_NAMES
        .iter()
        .map(|name| source::join_rel(&dir, name).unwrap_or_default())
        .find(|path| source.is_file(path));
    let docs_dir = config
        .as_deref()
        .and_then(|c| docs_dir(source, c))
        .unwrap_or_else(|| "docs".to_owned());
    Location::Local {
        dir,
        config,
        docs_dir,
    }
}

/// `docs_dir` (or `docsDir`) from a docs config. A config that does not
/// parse keeps the default: MkDocs-only tags (`!!python/name:`) must not
/// cost the docs.
fn docs_dir(source: &dyn Source, config: &str) -> Option<String> {
    let key = Format::of(config).docs_dir_key();
    let text = source::read_text(source, config, MAX_CONFIG_BYTES).ok()?;
    if !text.contains(key) {
        return None;
    }
    let docs = yaml::parse_documents(&text, Budget::default()).ok()?;
    let dir = docs.first()?.get(key)?.as_str()?.trim();
    (!dir.is_empty()).then(|| dir.to_owned())
}

fn count_pages(source: &dyn Source, dir: &str) -> usize {
    source::files_under(source, dir, MAX_DEPTH)
        .iter()
        .filter(|f| f.ends_with(".md"))
        .count()
}
