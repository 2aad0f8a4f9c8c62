//! `portolan.toml`: optional, and every setting has a default.
//!
//! Unknown keys are errors rather than silently ignored, because a typo in a
//! severity override would otherwise quietly do nothing.

use crate::diagnostics::{Code, Diagnostic, Level, SeverityOverrides, Span};
use crate::source::{ReadError, Source};
use serde::Deserialize;
use std::collections::BTreeMap;

pub const FILE_NAME: &str = "portolan.toml";

/// Backstage entity files are small (the largest real ones embed an API
/// definition of a few hundred KiB). Anything past this is almost certainly
/// generated data or an attack, and reading it would cost memory for nothing.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// What `$text`/`$json`/`$yaml` substitutions may embed in one entity: room
/// for a large API definition (each file is also under `max_file_bytes`).
pub const DEFAULT_MAX_SUBSTITUTION_BYTES: u64 = 16 * 1024 * 1024;

/// What substitutions may embed in the whole run: a thousand API
/// definitions of 128 KiB. Embedded text is held about three times over
/// (the entity, its policy input, the cache while loading), so this keeps
/// a run within about 512 MiB.
pub const DEFAULT_MAX_TOTAL_SUBSTITUTION_BYTES: u64 = 128 * 1024 * 1024;

/// The largest value either substitution budget accepts (1 TiB).
const MAX_SUBSTITUTION_SETTING: u64 = 1 << 40;

#[derive(Clone, Debug)]
pub struct Config {
    /// Globs (relative to ROOT) of files to read. Empty means every
    /// `*.yaml` / `*.yml` file.
    pub include: Vec<String>,
    /// Globs of files and folders to skip, on top of `.gitignore`.
    pub exclude: Vec<String>,
    pub max_file_bytes: u64,
    /// Bytes that substitutions may embed in one entity.
    pub max_substitution_bytes: u64,
    /// Bytes that substitutions may embed in the whole run.
    pub max_total_substitution_bytes: u64,
    pub severity: SeverityOverrides,
    /// Whether the built-in scorecards run (`[scorecards] defaults`).
    pub builtin_scorecards: bool,
    pub site: Site,
}

/// `[site]`: how `portolan build` renders the portal.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// The portal's name, shown in the header and page titles.
    pub title: Option<String>,
    /// Where the site is published, for canonical links and the JSON export.
    /// Links inside the site stay relative either way.
    pub base_url: Option<String>,
    /// A theme folder under `theme_dir`. Without it, `ROOT/theme/` overrides
    /// the default theme when it exists.
    pub theme: Option<String>,
    /// Where named themes live, relative to ROOT (default `themes`).
    pub theme_dir: Option<String>,
    /// "Edit this file" link: `{path}` is replaced by the entity file's path
    /// relative to ROOT, e.g. `https://github.com/acme/catalog/edit/main/{path}`.
    pub edit_url: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            include: Vec::new(),
            exclude: Vec::new(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_substitution_bytes: DEFAULT_MAX_SUBSTITUTION_BYTES,
            max_total_substitution_bytes: DEFAULT_MAX_TOTAL_SUBSTITUTION_BYTES,
            severity: SeverityOverrides::default(),
            builtin_scorecards: true,
            site: Site::default(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    catalog: RawCatalog,
    #[serde(default)]
    diagnostics: BTreeMap<String, toml::Spanned<String>>,
    #[serde(default)]
    scorecards: RawScorecards,
    #[serde(default)]
    site: Site,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawScorecards {
    defaults: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    max_file_bytes: Option<u64>,
    max_substitution_bytes: Option<toml::Spanned<u64>>,
    max_total_substitution_bytes: Option<toml::Spanned<u64>>,
}

/// Loads `ROOT/portolan.toml`. A broken file yields the default config plus
/// a diagnostic, so the catalog is still checked.
pub fn load(source: &dyn Source) -> (Config, Vec<Diagnostic>) {
    match text(source) {
        Ok(Some(text)) => parse(&text),
        Ok(None) => (Config::default(), Vec::new()),
        Err(d) => (Config::default(), vec![d]),
    }
}

/// The text of `portolan.toml`: `None` when there is none.
pub fn text(source: &dyn Source) -> Result<Option<String>, Diagnostic> {
    match source.read(FILE_NAME, DEFAULT_MAX_FILE_BYTES) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(Some(text)),
            Err(_) => Err(Diagnostic::new(
                Code::Config,
                format!("cannot read {FILE_NAME}: it is not UTF-8 text"),
            )
            .at(Span::file(FILE_NAME))
            .help("save the file as UTF-8")),
        },
        Err(ReadError::Missing) => Ok(None),
        Err(e) => Err(Diagnostic::new(
            Code::Config,
            format!("cannot read {FILE_NAME}: {}", e.reason()),
        )
        .at(Span::file(FILE_NAME))
        .help("check the file's permissions; it must be a regular file inside the catalog root")),
    }
}

/// Parses the text of a `portolan.toml`.
pub fn parse(text: &str) -> (Config, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let raw: Raw = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            diags.push(
                Diagnostic::new(
                    Code::Config,
                    format!("invalid {FILE_NAME}: {}", e.message()),
                )
                .at(Span::new(FILE_NAME, line, col))
                .help("see docs/configuration.md for every setting and its default"),
            );
            return (Config::default(), diags);
        }
    };
    let mut severity = BTreeMap::new();
    for (slug, level) in &raw.diagnostics {
        let (line, col) = line_col(text, level.span().start);
        let Some(code) = Code::from_slug(slug) else {
            diags.push(
                Diagnostic::new(Code::Config, format!("unknown diagnostic `{slug}` in [diagnostics]"))
                    .at(Span::new(FILE_NAME, line, col))
                    .help("use a slug such as `dangling-ref` or a code such as `E0103`; docs/diagnostics.md lists them all"),
            );
            continue;
        };
        let parsed = match level.get_ref().as_str() {
            "error" | "deny" => Level::Error,
            "warn" | "warning" => Level::Warn,
            "allow" | "off" => Level::Allow,
            other => {
                diags.push(
                    Diagnostic::new(
                        Code::Config,
                        format!("invalid level `{other}` for `{slug}`"),
                    )
                    .at(Span::new(FILE_NAME, line, col))
                    .help("a level is one of \"error\", \"warn\" or \"allow\""),
                );
                continue;
            }
        };
        severity.insert(code, parsed);
    }
    for pattern in raw.catalog.include.iter().chain(&raw.catalog.exclude) {
        if let Err(e) = globset::Glob::new(pattern) {
            diags.push(
                Diagnostic::new(Code::Config, format!("invalid glob `{pattern}`: {e}"))
                    .at(Span::file(FILE_NAME))
                    .help("globs use `*`, `**` and `?`, like .gitignore"),
            );
        }
    }
    let mut site = raw.site;
    for (key, slot) in [
        ("base_url", &mut site.base_url),
        ("edit_url", &mut site.edit_url),
    ] {
        let Some(value) = slot.as_deref() else {
            continue;
        };
        let problem = if !url::Url::parse(&value.replace("{path}", "x"))
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            Some(format!("[site] {key} `{value}` is not an http(s) URL"))
        } else if key == "edit_url" && !value.contains("{path}") {
            Some(format!(
                "[site] edit_url `{value}` has no `{{path}}` placeholder"
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            diags.push(
                Diagnostic::new(Code::Config, message)
                    .at(Span::file(FILE_NAME))
                    .help("write a full URL; in edit_url, `{path}` stands for the entity file, e.g. `https://github.com/acme/catalog/edit/main/{path}`"),
            );
            *slot = None;
        }
    }
    let mut budget = |key: &str, value: Option<toml::Spanned<u64>>, default: u64| -> u64 {
        let Some(value) = value else { return default };
        if *value.get_ref() <= MAX_SUBSTITUTION_SETTING {
            return *value.get_ref();
        }
        let (line, col) = line_col(text, value.span().start);
        diags.push(
            Diagnostic::new(Code::Config, format!("[catalog] {key} = {} is out of range", value.get_ref()))
                .at(Span::new(FILE_NAME, line, col))
                .help(format!("use a number of bytes from 0 to {MAX_SUBSTITUTION_SETTING} (1 TiB); the default is {default}")),
        );
        default
    };
    let max_substitution_bytes = budget(
        "max_substitution_bytes",
        raw.catalog.max_substitution_bytes,
        DEFAULT_MAX_SUBSTITUTION_BYTES,
    );
    let max_total_substitution_bytes = budget(
        "max_total_substitution_bytes",
        raw.catalog.max_total_substitution_bytes,
        DEFAULT_MAX_TOTAL_SUBSTITUTION_BYTES,
    );
    let config = Config {
        include: raw.catalog.include,
        exclude: raw.catalog.exclude,
        max_file_bytes: raw.catalog.max_file_bytes.unwrap_or(DEFAULT_MAX_FILE_BYTES),
        max_substitution_bytes,
        max_total_substitution_bytes,
        severity: SeverityOverrides(severity),
        builtin_scorecards: raw.scorecards.defaults.unwrap_or(true),
        site,
    };
    (config, diags)
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_overrides_are_read_by_slug() {
        let (cfg, diags) = parse("[diagnostics]\ndangling-ref = \"warn\"\nE0112 = \"allow\"\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(cfg.severity.0.get(&Code::DanglingRef), Some(&Level::Warn));
        assert_eq!(
            cfg.severity.0.get(&Code::MembershipMismatch),
            Some(&Level::Allow)
        );
    }

    #[test]
    fn typos_are_reported_with_their_line() {
        let (_, diags) = parse("[diagnostics]\n\ndangling-rfe = \"warn\"\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::Config);
        assert_eq!(diags[0].span.as_ref().unwrap().line, 3);

        let (_, diags) = parse("[catalog]\nincldue = []\n");
        assert_eq!(diags[0].span.as_ref().unwrap().line, 2);
    }

    #[test]
    fn substitution_budgets_are_read_and_range_checked() {
        let (cfg, diags) =
            parse("[catalog]\nmax_substitution_bytes = 1000\nmax_total_substitution_bytes = 0\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            (cfg.max_substitution_bytes, cfg.max_total_substitution_bytes),
            (1000, 0)
        );
        let (cfg, diags) =
            parse("[catalog]\n\nmax_total_substitution_bytes = 9223372036854775807\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::Config);
        assert_eq!(diags[0].span.as_ref().unwrap().line, 3);
        assert!(
            diags[0].message.contains("out of range"),
            "{}",
            diags[0].message
        );
        assert_eq!(
            cfg.max_total_substitution_bytes,
            DEFAULT_MAX_TOTAL_SUBSTITUTION_BYTES
        );
    }
}
