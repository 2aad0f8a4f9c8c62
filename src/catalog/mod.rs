//! Loading a catalog: discover → parse → validate shape → follow Locations
//! → index → resolve refs → whole-catalog checks.
//!
//! Loading never stops at the first problem: a broken file costs only its
//! own entities, and every problem becomes a diagnostic.

pub mod cache;
pub mod dangling;
pub mod discover;
pub mod kinds;
pub mod location;
pub mod model;
pub mod names;
pub mod parse;
pub mod relations;
pub mod resolve;
pub mod schema;
pub mod validate;
pub mod yaml;

use crate::config::Config;
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::source::Source;
use discover::FileEntry;
use model::{Entity, EntityRef, KnownKind, Relation};
use parse::Parsed;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The loaded catalog: an index from ref to entity, with relations in both
/// directions.
#[derive(Debug, Default)]
pub struct Catalog {
    pub root: PathBuf,
    pub entities: BTreeMap<EntityRef, Entity>,
    pub relations: BTreeMap<EntityRef, BTreeSet<Relation>>,
    /// Every file that was read, relative to the root, sorted.
    pub files: Vec<String>,
    /// Entities (or whole files) that could not be loaded, so the portal
    /// can list them instead of dropping them silently. Sorted by place.
    pub skipped: Vec<Skipped>,
    /// Refs that several files define with no way to tell which one is the
    /// entity (see [`resolve::keeper`]): none of the definitions is
    /// published, and the portal shows the conflict instead. Each holds
    /// every definition, in file order.
    pub conflicts: BTreeMap<EntityRef, Vec<Entity>>,
}

/// An entity left out of the catalog, and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Skipped {
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// What was lost: `Component "bad name!"`, or `every entity in the file`.
    pub what: String,
    /// The diagnostic that caused it: `E0105 invalid-name: ...`.
    pub because: String,
}

impl Skipped {
    fn new(file: &str, pos: yaml::Pos, what: String, because: Option<&Diagnostic>) -> Self {
        Skipped {
            file: file.to_owned(),
            line: pos.line,
            column: pos.col,
            what,
            because: because.map_or_else(String::new, |d| {
                format!("{} {}: {}", d.code.code(), d.code.slug(), d.message)
            }),
        }
    }
}

impl Catalog {
    pub fn get(&self, r: &EntityRef) -> Option<&Entity> {
        self.entities.get(r)
    }

    pub fn relations_of(&self, r: &EntityRef) -> impl Iterator<Item = &Relation> {
        self.relations.get(r).into_iter().flatten()
    }
}

/// A catalog plus everything that was found wrong with it.
pub struct Loaded {
    pub catalog: Catalog,
    pub config: Config,
    /// Sorted, with severity overrides from portolan.toml applied.
    pub diagnostics: Vec<Diagnostic>,
    /// Wall time per loading phase, for `PORTOLAN_TIMINGS=1` and the benchmarks.
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

pub use crate::source::worktree::RootError as LoadError;

/// Loads the catalog in the folder `root`, with its `portolan.toml`: the
/// working-tree convenience that tests and tools use. Commands run the whole
/// pipeline instead (`crate::pipeline`).
pub fn load(root: &Path) -> Result<Loaded, LoadError> {
    let source = crate::source::WorkTree::new(root)?;
    let (config, diags) = crate::config::load(&source);
    Ok(load_from(&source, root, config, diags, None, None))
}

/// Given every file that defines a ref more than once, how to tell which of
/// two files git added first ([`resolve::AddedBefore`]), or `None` without
/// trustworthy history. The facts stage's git reader implements it; the
/// catalog cannot import that stage, so the pipeline passes it in.
pub type Seniority<'a> = &'a dyn Fn(&[String]) -> Option<resolve::AddedBeforeFn>;

/// Loads the catalog that `source` holds. `root` is where it lives, for
/// display only; every read goes through `source`. `diags` are the
/// config's diagnostics, reported with the catalog's. `seniority` settles
/// which definition of a duplicated ref keeps it; without it every
/// duplicated ref is a conflict. With `cache`, the file list and the
/// parses of files an earlier load in this process kept are reused (see
/// [`cache`]), and this load's are kept.
pub fn load_from(
    source: &dyn Source,
    root: &Path,
    config: Config,
    mut diags: Vec<Diagnostic>,
    seniority: Option<Seniority>,
    mut cache: Option<&mut cache::Cache>,
) -> Loaded {
    let mut clock = crate::timing::Clock::default();
    let found = match cache.as_deref_mut() {
        Some(c) => c.discovered(|| discover::discover(source, &config)),
        None => discover::discover(source, &config),
    };
    diags.extend(found.diagnostics);
    clock.lap("discover");

    let loader = Loader {
        source,
        config: &config,
    };
    // Documents with `$text`-style placeholders are set aside by the
    // parallel pass and substituted afterwards one at a time, in sorted
    // file order, so that the run's substitution budget is spent the same
    // way every time.
    let kept = cache.as_deref().map(cache::Cache::parses);
    let per_file: Vec<(FileLoad, bool)> = found
        .files
        .par_iter()
        .map(|f| match kept.and_then(|k| k.get(&f.rel)) {
            Some((_, load)) => (load.clone(), true),
            None => (loader.load_file(f, None), false),
        })
        .collect();
    if let Some(c) = cache {
        c.keep(&found.files, &per_file);
    }
    let per_file = per_file.into_iter().map(|(load, _)| load);
    let mut files: BTreeSet<String> = found.files.iter().map(|f| f.rel.clone()).collect();
    let mut subs = location::Substitutions::new(
        config.max_substitution_bytes,
        config.max_total_substitution_bytes,
    );
    let mut entities = Vec::new();
    let mut skipped = Vec::new();
    for (load, file) in per_file.into_iter().zip(&found.files) {
        entities.extend(load.entities);
        diags.extend(load.diagnostics);
        skipped.extend(load.skipped);
        for doc in load.deferred {
            match loader.finish_doc(doc, &file.rel, &mut subs, &mut diags) {
                Ok(e) => entities.push(e),
                Err(lost) => skipped.push(lost),
            }
        }
    }
    clock.lap("parse");
    loader.follow_locations(
        &mut entities,
        &mut files,
        &mut subs,
        &mut diags,
        &mut skipped,
    );
    // The files substitutions read are in the entities now.
    drop(subs);
    clock.lap("locations");

    entities.sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    // History is asked about only the files of duplicated refs (usually
    // none, so usually no git walk here).
    let added_before = seniority.and_then(|ask| {
        let files = duplicated_files(&entities);
        if files.is_empty() { None } else { ask(&files) }
    });
    let indexed = resolve::index(entities, added_before.as_deref(), &mut diags, &mut skipped);
    let duplicates = indexed.duplicates;
    skipped.sort();
    let mut catalog = Catalog {
        root: root.to_path_buf(),
        entities: indexed.entities,
        conflicts: indexed.conflicts,
        relations: BTreeMap::new(),
        files: files.into_iter().collect(),
        skipped,
    };
    clock.lap("index");
    resolve::resolve(&mut catalog, &duplicates, &mut diags);
    clock.lap("resolve");
    validate::validate(&catalog, &mut diags);
    let diagnostics = config.severity.apply(diags);
    clock.lap("validate");
    Loaded {
        catalog,
        config,
        diagnostics,
        timings: clock.laps,
    }
}

struct Loader<'a> {
    source: &'a dyn Source,
    config: &'a Config,
}

/// What one file gave.
#[derive(Clone, Default)]
pub(crate) struct FileLoad {
    entities: Vec<Entity>,
    diagnostics: Vec<Diagnostic>,
    skipped: Vec<Skipped>,
    /// Entity documents with placeholders, left for [`Loader::finish_doc`]
    /// when no substitution budget was at hand.
    deferred: Vec<yaml::Node>,
}

/// The first error among diagnostics, for saying why something was skipped.
fn first_error(diags: &[Diagnostic]) -> Option<&Diagnostic> {
    diags
        .iter()
        .find(|d| d.severity == crate::diagnostics::Severity::Error)
}

impl Loader<'_> {
    /// Parses one file into validated entities. Without `subs`, documents
    /// that need substitution are returned in `deferred`.
    fn load_file(
        &self,
        file: &FileEntry,
        mut subs: Option<&mut location::Substitutions>,
    ) -> FileLoad {
        let mut diags = Vec::new();
        let mut skipped = Vec::new();
        let docs = match parse::parse_file(self.source, file, self.config.max_file_bytes) {
            Parsed::Docs(docs) => docs,
            Parsed::NotCatalog => {
                return FileLoad {
                    diagnostics: diags,
                    skipped,
                    ..FileLoad::default()
                };
            }
            Parsed::Empty(d) => {
                return FileLoad {
                    diagnostics: vec![d],
                    skipped,
                    ..FileLoad::default()
                };
            }
            Parsed::Broken(d) => {
                let pos = d
                    .span
                    .as_ref()
                    .map_or(yaml::Pos::new(1, 1), |s| yaml::Pos::new(s.line, s.column));
                skipped.push(Skipped::new(
                    &file.rel,
                    pos,
                    "every entity in the file".to_owned(),
                    Some(&d),
                ));
                return FileLoad {
                    diagnostics: vec![d],
                    skipped,
                    ..FileLoad::default()
                };
            }
        };
        let mut entities = Vec::new();
        let mut deferred = Vec::new();
        for doc in docs {
            if !self.is_entity_doc(&doc, &file.rel, &mut diags) {
                continue;
            }
            let finished = match subs.as_deref_mut() {
                Some(subs) => self.finish_doc(doc, &file.rel, subs, &mut diags),
                None if location::has_placeholders(&doc) => {
                    deferred.push(doc);
                    continue;
                }
                None => self.finish_doc(
                    doc,
                    &file.rel,
                    &mut location::Substitutions::new(0, 0),
                    &mut diags,
                ),
            };
            match finished {
                Ok(e) => entities.push(e),
                Err(lost) => skipped.push(lost),
            }
        }
        FileLoad {
            entities,
            diagnostics: diags,
            skipped,
            deferred,
        }
    }

    /// Whether one YAML document of `file` is meant as an entity; a list of
    /// entities in one document is reported, and so is anything but an
    /// entity in a `catalog-info.yaml`.
    fn is_entity_doc(&self, doc: &yaml::Node, file: &str, diags: &mut Vec<Diagnostic>) -> bool {
        if !schema::is_entity_candidate(doc) {
            let listed = doc.as_seq().map_or(0, |s| {
                s.iter().filter(|d| schema::is_entity_candidate(d)).count()
            });
            // A `catalog-info.yaml` promises entities, as a file registered
            // in Backstage does: every document in it must be one.
            let promised = parse::is_catalog_info(file);
            if listed > 0 {
                diags.push(
                    Diagnostic::new(
                        Code::WrongType,
                        format!("this document is a list of {listed} entities; each entity must be its own YAML document"),
                    )
                    .at(Span::at(file, doc.pos))
                    .help("remove the leading `- ` and separate the entities with `---` lines"),
                );
                return false;
            }
            if !promised {
                return false;
            }
            if doc.as_map().is_none() {
                diags.push(
                    Diagnostic::new(Code::WrongType, format!("a catalog file's document must be a mapping (an entity), found {}", doc.type_name()))
                        .at(Span::at(file, doc.pos))
                        .help("write the entity as `apiVersion:`, `kind:`, `metadata:` and `spec:` keys; separate several entities with `---` lines"),
                );
                return false;
            }
        }
        true
    }

    /// An entity document, substituted and validated: the entity, or what
    /// was lost when it is too broken to index.
    fn finish_doc(
        &self,
        mut doc: yaml::Node,
        file: &str,
        subs: &mut location::Substitutions,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<Entity, Skipped> {
        let start = diags.len();
        let includes = location::substitute(
            &mut doc,
            file,
            self.source,
            self.config.max_file_bytes,
            subs,
            diags,
        );
        let before = diags.len();
        // A failed substitution leaves an empty string, already reported:
        // the schema's "must not be empty" would say it twice.
        let failed: Vec<u32> = diags[start..before]
            .iter()
            .filter_map(|d| d.span.as_ref().map(|s| s.line))
            .collect();
        let pos = doc.pos;
        let what = format!(
            "{} `{}`",
            doc.get("kind")
                .and_then(yaml::Node::as_str)
                .unwrap_or("entity"),
            doc.at(&["metadata", "name"])
                .and_then(yaml::Node::scalar_text)
                .unwrap_or_else(|| "(no name)".to_owned())
        );
        let entity = schema::to_entity(doc, file, diags);
        if !failed.is_empty() {
            let mut i = before;
            while i < diags.len() {
                let d = &diags[i];
                let at_failed = d.code == Code::InvalidValue
                    && d.span.as_ref().is_some_and(|s| failed.contains(&s.line));
                if at_failed {
                    diags.remove(i);
                } else {
                    i += 1;
                }
            }
        }
        match entity {
            Some(e) => Ok(Entity { includes, ..e }),
            None => Err(Skipped::new(file, pos, what, first_error(&diags[before..]))),
        }
    }

    /// Reads the targets of Location entities that discovery did not find
    /// (for example files excluded by .gitignore), and reports targets that
    /// are missing or outside ROOT.
    fn follow_locations(
        &self,
        entities: &mut Vec<Entity>,
        files: &mut BTreeSet<String>,
        subs: &mut location::Substitutions,
        diags: &mut Vec<Diagnostic>,
        skipped: &mut Vec<Skipped>,
    ) {
        let mut queue: Vec<usize> = (0..entities.len())
            .filter(|&i| entities[i].kind == Some(KnownKind::Location))
            .collect();
        while let Some(i) = queue.pop() {
            let loc = &entities[i];
            let dir = loc.dir().to_owned();
            let file = loc.file.clone();
            // Backstage skips a missing target of an optional Location.
            let optional = loc
                .doc
                .at(&["spec", "presence"])
                .and_then(yaml::Node::as_str)
                == Some("optional");
            let targets: Vec<(String, yaml::Pos)> = location::targets(loc)
                .into_iter()
                .map(|(t, p)| (t.to_owned(), p))
                .collect();
            let mut new_files = Vec::new();
            for (target, pos) in targets {
                let span = Span::at(&file, pos);
                // Backstage resolves a relative target against the Location's
                // own place whatever its `type`, so `type: url` with
                // `./catalog/all.yaml` is a file in the repository too.
                if location::is_remote(&target) {
                    diags.push(
                        Diagnostic::new(Code::RemoteLocation, format!("Location target `{target}` is a remote URL and was not fetched"))
                            .at(span)
                            .help("Portolan reads only the repository; vendor the file into the catalog and point at it with a relative path"),
                    );
                    continue;
                }
                let Some(rel) = location::join_rel(&dir, &target) else {
                    diags.push(outside(&target, span));
                    continue;
                };
                if location::is_glob(&target) {
                    // Globs match files already discovered; nothing new to read.
                    continue;
                }
                if files.contains(&rel) {
                    continue;
                }
                match location::resolve_file(self.source, &rel) {
                    Ok(entry) => new_files.push(entry),
                    Err(location::PathError::Outside) => diags.push(outside(&target, span)),
                    Err(location::PathError::Directory) => diags.push(
                        Diagnostic::new(
                            Code::LocationTargetMissing,
                            format!("Location target `{target}` is a directory, not a file"),
                        )
                        .at(span)
                        .help("point at the YAML file itself, for example `./team/catalog-info.yaml`, or use a glob such as `./team/*.yaml`"),
                    ),
                    Err(location::PathError::Missing) if optional => {}
                    Err(location::PathError::Missing) => diags.push(
                        Diagnostic::new(Code::LocationTargetMissing, format!("Location target `{target}` does not exist (looked for `{rel}`)"))
                            .at(span)
                            .help("targets are relative to the Location's own file; fix the path or remove the target"),
                    ),
                }
            }
            for entry in new_files {
                files.insert(entry.rel.clone());
                let load = self.load_file(&entry, Some(subs));
                diags.extend(load.diagnostics);
                skipped.extend(load.skipped);
                for e in load.entities {
                    if e.kind == Some(KnownKind::Location) {
                        queue.push(entities.len());
                    }
                    entities.push(e);
                }
            }
        }
    }
}

fn outside(target: &str, span: Span) -> Diagnostic {
    Diagnostic::new(Code::LocationOutsideRoot, format!("Location target `{target}` is outside the catalog root"))
        .at(span)
        .help("Portolan reads only files inside ROOT; move the file into the catalog or run portolan on a higher root")
}

/// The files that define a ref more than once, sorted.
fn duplicated_files(entities: &[Entity]) -> Vec<String> {
    let mut by_ref: std::collections::HashMap<&EntityRef, Vec<&str>> =
        std::collections::HashMap::new();
    for e in entities {
        by_ref.entry(&e.eref).or_default().push(&e.file);
    }
    let mut files: Vec<String> = by_ref
        .into_values()
        .filter(|f| f.len() > 1)
        .flatten()
        .map(str::to_owned)
        .collect();
    files.sort_unstable();
    files.dedup();
    files
}
