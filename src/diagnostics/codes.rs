//! The table of diagnostic codes. Codes are stable: once published, a code
//! keeps its number and slug forever (users put slugs in portolan.toml and
//! CI filters on numbers). Add new codes at the end of their family.

use super::Severity;
use serde::{Serialize, Serializer};

macro_rules! codes {
    ($($variant:ident = $code:literal, $slug:literal, $sev:ident, $summary:literal;)*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant),* }

        impl Code {
            /// Every code, in table order (used by docs, SARIF rules and tests).
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable number, like `E0103`.
            pub fn code(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            /// The stable slug, like `dangling-ref`, used in portolan.toml.
            pub fn slug(self) -> &'static str {
                match self { $(Code::$variant => $slug),* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev),* }
            }

            /// One line saying what the code means.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary),* }
            }
        }
    };
}

codes! {
    // E00xx: reading files and configuration.
    Io = "E0001", "io-error", Error, "A file or directory could not be read.";
    NotUtf8 = "E0002", "not-utf8", Error, "A catalog file is not UTF-8 text (binary or another encoding).";
    FileTooLarge = "E0003", "file-too-large", Error, "A catalog file is larger than `max_file_bytes`.";
    YamlSyntax = "E0004", "yaml-syntax", Error, "A catalog file is not valid YAML.";
    YamlBudget = "E0005", "yaml-budget", Error, "A YAML file exceeds the parser's resource budget (alias bomb, too deep, too many nodes).";
    SymlinkEscape = "E0006", "symlink-escape", Error, "A symlink points outside the catalog root and was not followed.";
    SymlinkLoop = "E0007", "symlink-loop", Error, "A symlink loops back on itself and was not followed.";
    Config = "E0008", "config", Error, "portolan.toml is invalid.";
    BaselineInvalid = "E0009", "baseline-invalid", Error, "portolan-baseline.json cannot be read or is malformed; nothing counts as baselined.";
    ThemeNotEnabled = "E0010", "theme-not-enabled", Warning, "A `theme/` or `themes/` folder exists but portolan.toml does not name it, so it is not used.";
    TemplateLimit = "E0011", "template-limit", Error, "A theme template ran past the time or output budget of one page and was stopped.";
    // E01xx: entity structure, references and catalog semantics.
    InvalidApiVersion = "E0100", "invalid-api-version", Error, "`apiVersion` is malformed or not valid for the kind.";
    UnknownField = "E0101", "unknown-field", Error, "An entity has a root field Backstage does not allow.";
    MissingField = "E0102", "missing-field", Error, "A required field is missing.";
    DanglingRef = "E0103", "dangling-ref", Warning, "A reference points at an entity that is not in the catalog (Backstage accepts it; set it to \"error\" to require a complete catalog).";
    WrongType = "E0104", "wrong-type", Error, "A field has the wrong YAML type (for example a list where a string is expected).";
    InvalidName = "E0105", "invalid-name", Error, "`metadata.name` breaks Backstage's naming rules.";
    InvalidNamespace = "E0106", "invalid-namespace", Error, "`metadata.namespace` breaks Backstage's namespace rules.";
    InvalidTag = "E0107", "invalid-tag", Error, "A tag breaks Backstage's tag rules.";
    InvalidRef = "E0108", "invalid-ref", Error, "An entity reference is malformed or lacks a kind where none is implied.";
    WrongRefKind = "E0109", "wrong-ref-kind", Warning, "A reference points at an entity of a kind the field does not expect (Backstage accepts it).";
    DuplicateEntity = "E0110", "duplicate-entity", Error, "Two files define the same entity.";
    Cycle = "E0111", "cycle", Warning, "A parent/child, subcomponentOf or subdomainOf chain loops (Backstage accepts it).";
    MembershipMismatch = "E0112", "membership-mismatch", Warning, "A group's `members` and its users' `memberOf` disagree.";
    InvalidUrl = "E0113", "invalid-url", Error, "A link URL is not a valid absolute URL.";
    LocationTargetMissing = "E0114", "location-target-missing", Error, "A Location target does not exist.";
    LocationOutsideRoot = "E0115", "location-outside-root", Error, "A Location target or `$text` file lies outside the catalog root.";
    Substitution = "E0116", "substitution", Error, "A `$text`, `$json`, `$yaml`, `$openapi` or `$asyncapi` substitution could not be read.";
    UnknownKind = "E0117", "unknown-kind", Error, "An entity has a kind stock Backstage rejects (unknown, or a known kind spelled in another case); with the severity lowered it loads as a generic entity.";
    InvalidMetadataKey = "E0118", "invalid-metadata-key", Error, "A label or annotation key or value breaks Backstage's rules.";
    InvalidKind = "E0119", "invalid-kind", Error, "`kind` is malformed.";
    UnsafeLinkScheme = "E0120", "unsafe-link-scheme", Warning, "A link uses a scheme other than http, https or mailto and will not be clickable.";
    RemoteLocation = "E0121", "remote-location", Warning, "A Location target is a remote URL; Portolan reads only files in the repository.";
    EmptyCatalogFile = "E0122", "empty-catalog-file", Warning, "A `catalog-info.yaml` is empty or holds only comments, so it defines no entity.";
    SelfDependency = "E0123", "self-dependency", Warning, "`dependsOn` or `dependencyOf` names the entity itself.";
    YamlMergeKey = "E0124", "yaml-merge-key", Warning, "A YAML merge key (`<<`) is used; Backstage's YAML 1.2 parser keeps it as a literal key, so the merge never happens there.";
    InvalidValue = "E0125", "invalid-value", Error, "A field's value breaks Backstage's schema (an empty string, or a value outside the allowed set).";
    SubstitutionBudget = "E0130", "substitution-budget", Error, "A substitution was not made: the entity's or the run's substitution budget is spent.";
    // E02xx: scorecard policies.
    PolicyMetadata = "E0200", "policy-metadata", Error, "A policy's `# METADATA` block is malformed or incomplete.";
    PolicyError = "E0201", "policy-error", Error, "A policy does not compile or defines a recursive function.";
    PolicyRuntime = "E0202", "policy-runtime", Error, "A check raised an error while evaluating an entity.";
    PolicyLimit = "E0203", "policy-limit", Error, "A check exceeded a limit (its time, a builtin's output size, its result size, or the scorecard stage's time budget) and was stopped.";
    WaiverInvalid = "E0204", "waiver-invalid", Error, "An entry in waivers.yaml is malformed or names an unknown check or entity.";
    InitiativeInvalid = "E0205", "initiative-invalid", Error, "An initiative file (`initiatives/*.yaml`) is malformed: invalid YAML, a missing or mistyped field, a bad date, or a deadline before its start.";
    InitiativeUnknownRef = "E0206", "initiative-unknown-ref", Error, "An initiative asks for a scorecard, check or level that no scorecard defines, or names an owner that is not in the catalog.";
    // E03xx: scorecard results.
    CheckFailed = "E0300", "check-failed", Warning, "An entity fails a scorecard check (an error when the check is required).";
    WaiverExpired = "E0301", "waiver-expired", Error, "A waiver has expired, so the check it covered fails again.";
    // E04xx: the portal's theme.
    TemplateError = "E0400", "template-error", Error, "A theme template does not compile or fails to render.";
    ThemeMissing = "E0401", "theme-missing", Error, "The theme named in portolan.toml does not exist inside the catalog root.";
    // E05xx: TechDocs and API reference.
    DocsConfig = "E0500", "docs-config", Error, "A docs config (`mkdocs.yml`, `techdocs.yaml`) is not valid YAML or not a mapping, or a `techdocs.yaml` lacks `version: 1` or has a key it does not support; the docs are published with what could be read.";
    DocsBrokenLink = "E0501", "docs-broken-link", Warning, "A docs page links to a file or an anchor that does not exist.";
    DocsMissingImage = "E0502", "docs-missing-image", Warning, "A docs page shows an image that does not exist or lies outside every docs folder.";
    DocsNavMissing = "E0503", "docs-nav-missing", Warning, "A `nav` entry (or an `!include`) of a MkDocs config names a file that does not exist.";
    DocsUnreachable = "E0504", "docs-unreachable", Warning, "A docs page is not reached by the `nav` of its MkDocs config.";
    DocsOutsideRoot = "E0505", "docs-outside-root", Error, "A TechDocs ref, `docs_dir` (`docsDir`), nav entry or `!include` leaves the catalog root; it was not read.";
    DocsLimit = "E0506", "docs-limit", Warning, "A docs file cannot be published (over the size limit, or a page that is not UTF-8), or a docs site is over the file-count limit.";
    DocsUnsafeAsset = "E0507", "docs-unsafe-asset", Warning, "A file in a docs folder could run script in the portal's origin (HTML, JavaScript, an SVG with a script or handler); it is not published.";
    ApiMalformed = "E0510", "api-definition-malformed", Warning, "An API's definition does not parse (YAML/JSON syntax, no version field, unbalanced braces); its page shows the raw definition.";
    ApiRefUnresolved = "E0511", "api-ref-unresolved", Warning, "A `$ref` in an API definition points at nothing (a missing JSON pointer or file).";
    ApiLimit = "E0512", "api-reference-limit", Warning, "An API definition is larger than the API reference shows (operations, schemas or files read for `$ref`s); the page shows part of it.";
    // E06xx: git.
    GitShallow = "E0600", "git-shallow", Warning, "The repository is a shallow clone, so git history facts (last change, contributors) are unavailable.";
    HistoryCache = "E0601", "history-cache", Error, "`[history] cache_dir` in portolan.toml leaves the catalog root, or the score history cache cannot be used; history is still built, without the cache.";
    CheckNotJudged = "E0602", "check-not-judged", Warning, "A check needs git history (`custom.needs: [git]`) that this run does not have (no git repository, or a shallow clone), so it was not judged: it neither passes nor fails.";
}

impl Code {
    pub fn from_slug(slug: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.slug() == slug || c.code().eq_ignore_ascii_case(slug))
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_and_slugs_are_unique() {
        let codes: BTreeSet<_> = Code::ALL.iter().map(|c| c.code()).collect();
        let slugs: BTreeSet<_> = Code::ALL.iter().map(|c| c.slug()).collect();
        assert_eq!(codes.len(), Code::ALL.len());
        assert_eq!(slugs.len(), Code::ALL.len());
        assert_eq!(Code::from_slug("dangling-ref"), Some(Code::DanglingRef));
        assert_eq!(Code::from_slug("E0103"), Some(Code::DanglingRef));
    }
}
