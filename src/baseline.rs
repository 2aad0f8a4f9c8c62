//! What `portolan check` needs around the baseline logic in
//! [`diagnostics::baseline`](crate::diagnostics::baseline): reading the
//! file through the run's [`Source`] (it is untrusted input from the
//! catalog repository, so it gets a size limit and a diagnostic when it is
//! bad) and naming the entity each diagnostic sits in (the part of the key
//! that survives edits, which only the catalog knows).

use crate::catalog::Catalog;
use crate::diagnostics::baseline::{self, Baseline, FILE, MAX_BYTES};
use crate::diagnostics::{Code, Diagnostic, Span};
use crate::source::{ReadError, Source};
use std::collections::BTreeMap;

/// Which entity a diagnostic sits in: the last entity document that starts
/// at or before the diagnostic's line in its file. A document that was left
/// out of the catalog (a broken entity) counts as "no entity", so its
/// problems are keyed by file rather than blamed on its neighbour.
pub struct Subjects {
    by_file: BTreeMap<String, Vec<(u32, Option<String>)>>,
}

impl Subjects {
    pub fn new(catalog: &Catalog) -> Self {
        let mut by_file: BTreeMap<String, Vec<(u32, Option<String>)>> = BTreeMap::new();
        for e in catalog.entities.values() {
            by_file
                .entry(e.file.clone())
                .or_default()
                .push((e.pos.line, Some(e.eref.to_string())));
        }
        for s in &catalog.skipped {
            by_file
                .entry(s.file.clone())
                .or_default()
                .push((s.line, None));
        }
        for starts in by_file.values_mut() {
            starts.sort();
        }
        Subjects { by_file }
    }

    /// The entity ref of the document that holds `d`, if any.
    pub fn of(&self, d: &Diagnostic) -> Option<String> {
        let span = d.span.as_ref()?;
        let starts = self.by_file.get(&span.file)?;
        let after = starts.partition_point(|(line, _)| *line <= span.line);
        starts[..after].last().and_then(|(_, r)| r.clone())
    }
}

/// Reads `ROOT/portolan-baseline.json` if there is one. `Ok(None)` means
/// the catalog has no baseline; a file that cannot be used is an `E0009`
/// diagnostic (and then nothing counts as baselined, so the run shows
/// every problem rather than silently passing).
pub fn load(source: &dyn Source) -> Result<Option<Baseline>, Diagnostic> {
    if let Err(ReadError::Missing) = source.kind(FILE) {
        return Ok(None);
    }
    let text = crate::source::read_text(source, FILE, MAX_BYTES).map_err(|d| {
        invalid(
            format!("cannot use `{FILE}`: {}", d.message),
            Span::file(FILE),
        )
    })?;
    baseline::parse(&text).map(Some).map_err(|e| {
        let span = e
            .position()
            .map_or_else(|| Span::file(FILE), |(l, c)| Span::new(FILE, l, c));
        invalid(format!("cannot use `{FILE}`: {e}"), span)
    })
}

fn invalid(message: String, span: Span) -> Diagnostic {
    Diagnostic::new(Code::BaselineInvalid, message)
        .at(span)
        .help(format!(
            "run `portolan check --write-baseline` to record the current problems again, or delete `{FILE}`"
        ))
}
