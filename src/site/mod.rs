//! `portolan build`: renders the checked catalog into a static folder.
//!
//! In progress (the portal issue): only the JSON export is written so far,
//! atomically. HTML pages, docs and search come next.

pub mod export;
pub mod write;

use crate::check::Checked;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot write the site to `{path}`: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// Writes the site for a checked catalog into `out`, replacing it only when
/// every file was written.
pub fn build(checked: &Checked, out: &Path) -> Result<usize, BuildError> {
    let err = |source| BuildError::Write {
        path: out.display().to_string(),
        source,
    };
    let staging = write::Staging::new(out).map_err(err)?;
    let files = export::files(&checked.loaded.catalog, &checked.scorecards);
    let count = files.len();
    for (path, bytes) in files {
        staging.write(&path, &bytes).map_err(err)?;
    }
    staging.commit().map_err(err)?;
    Ok(count)
}
