//! The catalog health report: the summary by diagnostic code, what could
//! not be loaded, and every diagnostic, in pages of [`HEALTH_PAGE`].

use crate::catalog::Skipped;
use crate::diagnostics::Diagnostic;
use crate::facts::git::Git;
use crate::site::model::{EntityLink, SiteModel};
use crate::site::summary::{HealthSummary, severity_name};
use serde::Serialize;

/// Diagnostics per page of the health report.
pub const HEALTH_PAGE: usize = 500;

/// What `health.html` gets besides the common variables.
#[derive(Serialize)]
pub struct Context<'s> {
    pub summary: HealthSummary,
    /// On the first page only, at most [`HEALTH_PAGE`].
    pub skipped: &'s [Skipped],
    pub diagnostics: Vec<DiagnosticRow>,
    /// The codes and files on this page, for the filters.
    pub filters: Filters,
    pub pager: Pager,
    /// Entities whose file has not changed in `[git] stale_days`; on the
    /// first page only.
    pub stale: Option<Stale>,
}

#[derive(Serialize)]
pub struct Filters {
    pub codes: Vec<&'static str>,
    pub files: Vec<String>,
}

/// The stale-entity section of the health report.
#[derive(Serialize)]
pub struct Stale {
    /// `[git] stale_days`.
    pub days: u64,
    /// The day ages are counted to (`--today`), `YYYY-MM-DD`.
    pub today: String,
    /// Why no entity can be called stale (outside git, a shallow clone);
    /// `None` when history facts are available.
    pub unavailable: Option<String>,
    /// The oldest first (then by ref), at most [`HEALTH_PAGE`].
    pub entities: Vec<StaleRow>,
    /// How many entities are stale in all.
    pub total: usize,
}

#[derive(Serialize)]
pub struct StaleRow {
    pub entity: EntityLink,
    pub file: String,
    pub age_days: i64,
    /// The last change's day, `YYYY-MM-DD`.
    pub date: String,
    pub author: String,
    pub summary: String,
}

/// The stale entities of the build, from the history facts.
pub fn stale(model: &SiteModel) -> Stale {
    let facts = &model.checked.facts;
    let unavailable = match &facts.git {
        Git::Absent => Some(
            "the catalog is not in a git repository, so there is no history to judge by".to_owned(),
        ),
        Git::Unavailable { reason } => Some(format!(
            "git history is unavailable: {reason}; fetch the whole history (`fetch-depth: 0`)"
        )),
        Git::Available(_) => None,
    };
    let mut rows: Vec<StaleRow> = model
        .catalog
        .entities
        .values()
        .filter_map(|e| {
            let (f, age_days) = facts.stale(e)?;
            let c = &f.last_change;
            Some(StaleRow {
                entity: model.link_to(e),
                file: e.file.clone(),
                age_days,
                date: c.date().to_string(),
                author: c.author.clone(),
                summary: c.summary.clone(),
            })
        })
        .collect();
    // Entities come in ref order; the sort is stable.
    rows.sort_by_key(|r| std::cmp::Reverse(r.age_days));
    let total = rows.len();
    rows.truncate(HEALTH_PAGE);
    Stale {
        days: facts.staleness.days,
        today: facts.staleness.today.to_string(),
        unavailable,
        entities: rows,
        total,
    }
}

#[derive(Serialize)]
pub struct DiagnosticRow {
    pub severity: &'static str,
    pub code: &'static str,
    pub slug: &'static str,
    pub message: String,
    pub help: Option<String>,
    pub file: Option<String>,
    pub line: u32,
    pub column: u32,
    pub edit_url: Option<String>,
}

#[derive(Serialize)]
pub struct Pager {
    pub page: usize,
    pub pages: usize,
    /// Relative to the current page's folder.
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// The file name of page `n` (1-based) of a paginated list in one folder.
fn page_file(n: usize) -> String {
    if n == 1 {
        "index.html".to_owned()
    } else {
        format!("page-{n}.html")
    }
}

pub fn pager(page: usize, pages: usize) -> Pager {
    Pager {
        page,
        pages,
        prev: (page > 1).then(|| page_file(page - 1)),
        next: (page < pages).then(|| page_file(page + 1)),
    }
}

/// What the health report lists: the catalog's own problems, errors first
/// and then warnings, each group in file order. Failing scorecard checks
/// are not catalog health: they are on the scorecard, team and entity
/// pages, next to their remediation.
pub fn listed(diags: &[Diagnostic]) -> Vec<&Diagnostic> {
    let mut out: Vec<&Diagnostic> = diags.iter().filter(|d| is_health(d)).collect();
    // The list is sorted by file already; the sort is stable.
    out.sort_by_key(|d| d.severity != crate::diagnostics::Severity::Error);
    out
}

pub use crate::site::summary::is_health;

/// How many pages the report has: one even when the catalog is clean.
pub fn page_count(diags: &[Diagnostic]) -> usize {
    listed(diags).len().div_ceil(HEALTH_PAGE).max(1)
}

/// Page `n` (1-based) of the report, relative to the site root.
pub fn path(n: usize) -> String {
    format!("health/{}", page_file(n))
}

/// Page `n` of `pages`. `summary` is shared by every page (and the home
/// page), so the renderer computes it once.
pub fn context<'m>(
    model: &SiteModel<'m>,
    summary: HealthSummary,
    n: usize,
    pages: usize,
) -> Context<'m> {
    let skipped = &model.catalog.skipped;
    let listed = listed(&model.checked.diagnostics);
    let rows: Vec<DiagnosticRow> = listed
        .into_iter()
        .skip((n - 1) * HEALTH_PAGE)
        .take(HEALTH_PAGE)
        .map(|d| DiagnosticRow {
            severity: severity_name(d.severity),
            code: d.code.code(),
            slug: d.code.slug(),
            message: d.message.clone(),
            help: d.help.clone(),
            file: d.span.as_ref().map(|s| s.file.clone()),
            line: d.span.as_ref().map_or(0, |s| s.line),
            column: d.span.as_ref().map_or(0, |s| s.column),
            edit_url: d
                .span
                .as_ref()
                .filter(|s| !s.file.starts_with('<'))
                .and_then(|s| model.edit_url(&s.file)),
        })
        .collect();
    let mut codes: Vec<&'static str> = rows.iter().map(|r| r.code).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut files: Vec<String> = rows.iter().filter_map(|r| r.file.clone()).collect();
    files.sort();
    files.dedup();
    Context {
        filters: Filters { codes, files },
        summary,
        skipped: if n == 1 {
            &skipped[..skipped.len().min(HEALTH_PAGE)]
        } else {
            &[]
        },
        diagnostics: rows,
        pager: pager(n, pages),
        stale: (n == 1).then(|| stale(model)),
    }
}
