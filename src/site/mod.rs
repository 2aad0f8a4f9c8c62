//! `portolan build`: renders the checked catalog into a static portal.
//!
//! The site is a [`Plan`]: every file, what renders it and what it reads.
//! [`render`] renders any subset of a plan into any [`Output`]; [`build`]
//! renders all of it into an atomic disk folder. Pages are written as they
//! are rendered (holding 100k rendered pages in memory would cost
//! gigabytes), and the disk folder replaces the output only when every page
//! rendered.

pub mod answers;
pub mod budget;
pub mod docs;
pub mod entity;
pub mod export;
pub mod graph;
pub mod inline;
pub mod links;
pub mod location;
pub mod model;
pub mod output;
pub mod pages;
pub mod plan;
pub mod renderer;
pub mod spec;
pub mod summary;
pub mod team;
pub mod theme;
pub mod trend;
pub mod write;

use crate::diagnostics::Diagnostic;
use crate::pipeline::Checked;
use model::SiteModel;
use output::{DiskOutput, OutputError};
use std::path::Path;

pub use output::{MemoryOutput, Output};
pub use plan::{Changes, Deps, Family, PageSpec, Plan};
pub use renderer::{CSP, CSP_DIAGRAMS};

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot write the site to `{path}`: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("the theme has {} error(s); nothing was written", .0.len())]
    Theme(Vec<Diagnostic>),
    #[error("{0}")]
    Refused(String),
    /// An [`Output`] refused a file.
    #[error("cannot write the site: {0}")]
    Output(OutputError),
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--base-url`: where the site is published (overrides `[site] base_url`).
    pub base_url: Option<String>,
    /// What to do when a template hangs without writing (see
    /// [`budget`]); `None` leaves such a render running until it ends.
    pub on_hang: Option<budget::OnHang>,
}

/// What a build (or a render) wrote.
#[derive(Debug, Default)]
pub struct Built {
    pub files: usize,
    pub pages: usize,
    /// Wall time per phase (the writer thread overlaps all of them).
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// Writes the site for a checked catalog into `out` with a loaded theme,
/// replacing `out` only when every file was written.
pub fn build(
    checked: &Checked,
    theme: &theme::Theme,
    out: &Path,
    options: &Options,
) -> Result<Built, BuildError> {
    let root = &checked.loaded.catalog.root;
    let disk = DiskOutput::create(root, out).map_err(|e| output_error(out, e))?;
    let started = std::time::Instant::now();
    let plan = Plan::new(checked, theme);
    let planned = started.elapsed();
    let mut built = render(&plan, &plan.all(), options, &disk).map_err(|e| match e {
        BuildError::Output(e) => output_error(out, e),
        e => e,
    })?;
    built.timings.insert(0, ("plan", planned));
    built
        .timings
        .insert(1, ("  of which search index", plan.search_time()));
    let started = std::time::Instant::now();
    disk.commit().map_err(|e| output_error(out, e))?;
    built.timings.push(("commit", started.elapsed()));
    Ok(built)
}

/// Plans the site of a checked catalog with a loaded theme (load it once
/// per run with [`theme::load`]).
pub fn plan<'a>(checked: &'a Checked, theme: &'a theme::Theme) -> Plan<'a> {
    Plan::new(checked, theme)
}

/// Renders `pages` (a subset of `plan`, in plan order for the timings to
/// make sense) into `out`. Fails with the template errors, if any, or with
/// a file `out` refused; what was written stays in `out` (the disk output
/// discards it unless committed). The whole plan renders what `build`
/// writes, byte for byte.
pub fn render(
    plan: &Plan,
    pages: &[&PageSpec],
    options: &Options,
    out: &dyn Output,
) -> Result<Built, BuildError> {
    let model = SiteModel::new(plan.checked(), options.base_url.clone());
    let rendered = renderer::Renderer::new(&model, plan.theme(), out).render(pages, options);
    if !rendered.errors.is_empty() {
        return Err(BuildError::Theme(rendered.errors));
    }
    if let Some(e) = rendered.refused {
        return Err(BuildError::Output(e));
    }
    Ok(Built {
        files: rendered.files,
        pages: rendered.pages,
        timings: rendered.timings,
    })
}

/// The disk output's errors, as `build` has always reported them.
fn output_error(out: &Path, e: OutputError) -> BuildError {
    match e {
        OutputError::Refused(why) => BuildError::Refused(why),
        OutputError::Io { path, source } => BuildError::Write { path, source },
        OutputError::Closed => BuildError::Write {
            path: out.display().to_string(),
            source: std::io::Error::other(e),
        },
    }
}
