//! The catalog health report: the summary by diagnostic code, what could
//! not be loaded, and every diagnostic, in pages of [`HEALTH_PAGE`].

use crate::catalog::Skipped;
use crate::diagnostics::Diagnostic;
use crate::site::model::SiteModel;
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
    pub pager: Pager,
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

/// How many pages the report has: one even when the catalog is clean.
pub fn page_count(diags: &[Diagnostic]) -> usize {
    diags.len().div_ceil(HEALTH_PAGE).max(1)
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
    let rows = model
        .checked
        .diagnostics
        .iter()
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
    Context {
        summary,
        skipped: if n == 1 {
            &skipped[..skipped.len().min(HEALTH_PAGE)]
        } else {
            &[]
        },
        diagnostics: rows,
        pager: pager(n, pages),
    }
}
