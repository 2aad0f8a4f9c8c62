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

/// The numeric settings, each with its allowed range (inclusive) and default.
pub const MAX_FILE_BYTES: Setting = Setting {
    section: "catalog",
    key: "max_file_bytes",
    min: 1,
    max: 256 * 1024 * 1024,
    default: DEFAULT_MAX_FILE_BYTES,
    unit: "bytes",
};
pub const TIME_BUDGET_SECS: Setting = Setting {
    section: "scorecards",
    key: "time_budget_secs",
    min: 1,
    max: 24 * 60 * 60,
    default: 300,
    unit: "seconds",
};
pub const MAX_RESULT_BYTES: Setting = Setting {
    section: "scorecards",
    key: "max_result_bytes",
    min: 256,
    max: 16 * 1024 * 1024,
    default: 64 * 1024,
    unit: "bytes",
};

/// What `$text`/`$json`/`$yaml` substitutions may embed in one entity: room
/// for a large API definition (each file is also under `max_file_bytes`).
pub const MAX_SUBSTITUTION_BYTES: Setting = Setting {
    section: "catalog",
    key: "max_substitution_bytes",
    min: 0,
    max: 1 << 40,
    default: 16 * 1024 * 1024,
    unit: "bytes",
};
/// What substitutions may embed in the whole run: a thousand API
/// definitions of 128 KiB. Embedded text is held about three times over
/// (the entity, its policy input, the cache while loading), so this keeps
/// a run within about 512 MiB.
pub const MAX_TOTAL_SUBSTITUTION_BYTES: Setting = Setting {
    section: "catalog",
    key: "max_total_substitution_bytes",
    min: 0,
    max: 1 << 40,
    default: 128 * 1024 * 1024,
    unit: "bytes",
};
/// An entity whose file has not changed in more than this many days (by
/// git history, counted to `--today`) is stale: listed on the health page
/// and `input.git.stale` for policies. Half a year by default.
pub const STALE_DAYS: Setting = Setting {
    section: "git",
    key: "stale_days",
    min: 1,
    max: 36_500,
    default: 180,
    unit: "days",
};
/// `[history] samples`: how many past points the score history shows
/// (one per interval, counting back from the built commit); 0 turns it off.
pub const HISTORY_SAMPLES: Setting = Setting {
    section: "history",
    key: "samples",
    min: 0,
    max: 520,
    default: 26,
    unit: "samples",
};
/// `[history] interval_days`: the days between two samples.
pub const HISTORY_INTERVAL_DAYS: Setting = Setting {
    section: "history",
    key: "interval_days",
    min: 1,
    max: 366,
    default: 7,
    unit: "days",
};
/// Where the score history cache lives by default, relative to ROOT.
pub const DEFAULT_HISTORY_CACHE_DIR: &str = ".portolan-cache";
pub const DEFAULT_MAX_SUBSTITUTION_BYTES: u64 = MAX_SUBSTITUTION_BYTES.default;
pub const DEFAULT_MAX_TOTAL_SUBSTITUTION_BYTES: u64 = MAX_TOTAL_SUBSTITUTION_BYTES.default;

/// A numeric setting of portolan.toml and the values it accepts.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    pub section: &'static str,
    pub key: &'static str,
    pub min: u64,
    pub max: u64,
    pub default: u64,
    pub unit: &'static str,
}

/// A number as written in portolan.toml, before its range is checked:
/// TOML integers are signed 64-bit, but the parser also hands over larger
/// unsigned ones, floats, and (by mistake) strings.
#[derive(Clone, Debug)]
pub enum Number {
    Int(i128),
    Other(String),
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a whole number")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Number, E> {
                Ok(Number::Int(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Number, E> {
                Ok(Number::Int(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Number, E> {
                Ok(Number::Other(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Number, E> {
                Ok(Number::Other(format!("{v:?}")))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Number, E> {
                Ok(Number::Other(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl Setting {
    /// The value of this setting: the default when it is absent, and the
    /// default plus an `E0008` (at the value) when it is not a whole number
    /// within the range.
    pub fn read(
        &self,
        text: &str,
        value: Option<&toml::Spanned<Number>>,
        diags: &mut Vec<Diagnostic>,
    ) -> u64 {
        let Some(value) = value else {
            return self.default;
        };
        let (line, col) = line_col(text, value.span().start);
        let problem = match value.get_ref() {
            Number::Int(n) if (i128::from(self.min)..=i128::from(self.max)).contains(n) => {
                return u64::try_from(*n).unwrap_or(self.default);
            }
            Number::Int(n) => format!("{n} is out of range"),
            Number::Other(v) => format!("{v} is not a whole number"),
        };
        diags.push(
            Diagnostic::new(
                Code::Config,
                format!(
                    "[{}] {}: {problem}; the default ({}) is used",
                    self.section, self.key, self.default
                ),
            )
            .at(Span::new(FILE_NAME, line, col))
            .help(format!(
                "`{}` takes a whole number of {} from {} to {} (default {})",
                self.key, self.unit, self.min, self.max, self.default
            )),
        );
        self.default
    }
}

/// Limits on the scorecard stage as a whole (`[scorecards]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScorecardLimits {
    /// Wall time for evaluating every check on every entity. Checks not
    /// started when it runs out are `error` without being evaluated.
    pub time_budget: std::time::Duration,
    /// Largest result one check may return for one entity, written out as JSON.
    pub max_result_bytes: u64,
    /// Where `time_budget_secs` is set in portolan.toml (line, column), if it is.
    pub time_budget_at: Option<(u32, u32)>,
}

impl Default for ScorecardLimits {
    fn default() -> Self {
        ScorecardLimits {
            time_budget: std::time::Duration::from_secs(TIME_BUDGET_SECS.default),
            max_result_bytes: MAX_RESULT_BYTES.default,
            time_budget_at: None,
        }
    }
}

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
    /// `[scorecards] time_budget_secs` and `max_result_bytes`.
    pub scorecard_limits: ScorecardLimits,
    pub site: Site,
    pub docs: Docs,
    /// `[git] stale_days`: days without a change after which an entity is stale.
    pub stale_days: u64,
    /// `[history]`: the score history `portolan build` draws.
    pub history: History,
}

/// `[history]`: which past commits `build` scores, and where results are
/// cached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History {
    pub samples: u64,
    pub interval_days: u64,
    /// Relative to ROOT, `/`-separated, checked to stay inside it (no
    /// `..`, not absolute). `--history-cache` overrides it.
    pub cache_dir: String,
}

impl Default for History {
    fn default() -> Self {
        History {
            samples: HISTORY_SAMPLES.default,
            interval_days: HISTORY_INTERVAL_DAYS.default,
            cache_dir: DEFAULT_HISTORY_CACHE_DIR.to_owned(),
        }
    }
}

/// `[docs]`: how TechDocs pages are rendered.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Docs {
    /// Raw HTML in markdown: `"sanitize"` (safe markup kept) or `"escape"`
    /// (shown as text).
    #[serde(default)]
    pub raw_html: RawHtml,
    /// Highlight code blocks at build time (the costliest part of a docs page).
    #[serde(default = "yes")]
    pub highlight: bool,
}

fn yes() -> bool {
    true
}

impl Default for Docs {
    fn default() -> Self {
        Docs {
            raw_html: RawHtml::default(),
            highlight: true,
        }
    }
}

/// `[docs] raw_html`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RawHtml {
    #[default]
    Sanitize,
    Escape,
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
            scorecard_limits: ScorecardLimits::default(),
            site: Site::default(),
            docs: Docs::default(),
            stale_days: STALE_DAYS.default,
            history: History::default(),
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
    #[serde(default)]
    docs: Docs,
    #[serde(default)]
    git: RawGit,
    #[serde(default)]
    history: RawHistory,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawHistory {
    samples: Option<toml::Spanned<Number>>,
    interval_days: Option<toml::Spanned<Number>>,
    cache_dir: Option<toml::Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawGit {
    stale_days: Option<toml::Spanned<Number>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawScorecards {
    defaults: Option<bool>,
    time_budget_secs: Option<toml::Spanned<Number>>,
    max_result_bytes: Option<toml::Spanned<Number>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    max_file_bytes: Option<toml::Spanned<Number>>,
    max_substitution_bytes: Option<toml::Spanned<Number>>,
    max_total_substitution_bytes: Option<toml::Spanned<Number>>,
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
        Err(ReadError::Outside) => Err(crate::source::escape_diagnostic(FILE_NAME)),
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
    let max_file_bytes = MAX_FILE_BYTES.read(text, raw.catalog.max_file_bytes.as_ref(), &mut diags);
    let budget = &raw.scorecards.time_budget_secs;
    let scorecard_limits = ScorecardLimits {
        time_budget: std::time::Duration::from_secs(TIME_BUDGET_SECS.read(
            text,
            budget.as_ref(),
            &mut diags,
        )),
        max_result_bytes: MAX_RESULT_BYTES.read(
            text,
            raw.scorecards.max_result_bytes.as_ref(),
            &mut diags,
        ),
        time_budget_at: budget.as_ref().map(|b| line_col(text, b.span().start)),
    };
    let max_substitution_bytes = MAX_SUBSTITUTION_BYTES.read(
        text,
        raw.catalog.max_substitution_bytes.as_ref(),
        &mut diags,
    );
    let max_total_substitution_bytes = MAX_TOTAL_SUBSTITUTION_BYTES.read(
        text,
        raw.catalog.max_total_substitution_bytes.as_ref(),
        &mut diags,
    );
    let stale_days = STALE_DAYS.read(text, raw.git.stale_days.as_ref(), &mut diags);
    let history = history(text, &raw.history, &mut diags);
    let config = Config {
        include: raw.catalog.include,
        exclude: raw.catalog.exclude,
        max_file_bytes,
        max_substitution_bytes,
        max_total_substitution_bytes,
        severity: SeverityOverrides(severity),
        builtin_scorecards: raw.scorecards.defaults.unwrap_or(true),
        scorecard_limits,
        site,
        docs: raw.docs,
        stale_days,
        history,
    };
    (config, diags)
}

/// `[history]`, range-checked. A `cache_dir` that could leave ROOT is
/// `E0601` and the default is used: portolan.toml is untrusted, and only
/// `--history-cache` may put the cache elsewhere.
fn history(text: &str, raw: &RawHistory, diags: &mut Vec<Diagnostic>) -> History {
    let mut history = History {
        samples: HISTORY_SAMPLES.read(text, raw.samples.as_ref(), diags),
        interval_days: HISTORY_INTERVAL_DAYS.read(text, raw.interval_days.as_ref(), diags),
        ..History::default()
    };
    if let Some(dir) = &raw.cache_dir {
        match inside_root(dir.get_ref()) {
            Some(clean) => history.cache_dir = clean,
            None => {
                let (line, col) = line_col(text, dir.span().start);
                diags.push(
                    Diagnostic::new(
                        Code::HistoryCache,
                        format!(
                            "[history] cache_dir `{}` is not a folder inside the catalog root; `{DEFAULT_HISTORY_CACHE_DIR}` is used",
                            dir.get_ref()
                        ),
                    )
                    .at(Span::new(FILE_NAME, line, col))
                    .help("write a relative path without `..` (e.g. `.portolan-cache`); to keep the cache outside the root, pass `--history-cache DIR` to `portolan build`"),
                );
            }
        }
    }
    history
}

/// `dir` as a clean relative path inside ROOT, or `None` when it is
/// absolute, empty, has `..` or a drive or backslash (`C:\x`, `\\host`).
pub fn inside_root(dir: &str) -> Option<String> {
    if dir.starts_with('/') || dir.contains('\\') || dir.contains(':') || dir.contains('\0') {
        return None;
    }
    let parts: Vec<&str> = dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() || parts.contains(&"..") {
        return None;
    }
    Some(parts.join("/"))
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

    #[test]
    fn stale_days_defaults_to_180_and_is_range_checked() {
        assert_eq!(parse("").0.stale_days, 180);
        let (cfg, diags) = parse("[git]\nstale_days = 90\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(cfg.stale_days, 90);
        for bad in ["0", "36501", "1.5", "\"90\""] {
            let (cfg, diags) = parse(&format!("[git]\nstale_days = {bad}\n"));
            assert_eq!(diags.len(), 1, "{bad}: {diags:?}");
            assert_eq!(diags[0].code, Code::Config);
            assert_eq!(diags[0].span.as_ref().unwrap().line, 2);
            assert_eq!(cfg.stale_days, 180);
        }
        let (_, diags) = parse("[git]\nstale_dyas = 90\n");
        assert_eq!(diags.len(), 1, "{diags:?}");
    }

    #[test]
    fn history_settings_are_range_checked_and_the_cache_stays_inside_the_root() {
        let cfg = parse("").0.history;
        assert_eq!((cfg.samples, cfg.interval_days), (26, 7));
        assert_eq!(cfg.cache_dir, ".portolan-cache");
        let (cfg, diags) =
            parse("[history]\nsamples = 0\ninterval_days = 30\ncache_dir = \"./cache//x/\"\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!((cfg.history.samples, cfg.history.interval_days), (0, 30));
        assert_eq!(cfg.history.cache_dir, "cache/x");
        for bad in [
            "/tmp/x",
            "../x",
            "a/../../x",
            "",
            ".",
            "C:\\\\x",
            "\\\\\\\\host\\\\x",
        ] {
            let (cfg, diags) = parse(&format!("[history]\ncache_dir = \"{bad}\"\n"));
            assert_eq!(diags.len(), 1, "{bad}: {diags:?}");
            assert_eq!(diags[0].code, Code::HistoryCache);
            assert_eq!(diags[0].span.as_ref().unwrap().line, 2);
            assert_eq!(cfg.history.cache_dir, ".portolan-cache");
        }
        let (_, diags) = parse("[history]\nsamples = 521\ninterval_days = 0\n");
        assert_eq!(diags.len(), 2, "{diags:?}");
    }
}
