//! The slot for git history facts (last change, first commit, authors per
//! entity file). The git stage fills it; until then it stays empty and the
//! policy input's `git` is `null`.

use crate::catalog::model::EntityRef;
use std::collections::HashMap;

/// What git says about one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileHistory {
    /// Seconds since the epoch of the last commit that touched the file.
    pub last_change: i64,
    pub last_author: String,
    pub last_summary: String,
    /// Seconds since the epoch of the first commit that added it.
    pub first_commit: i64,
    pub contributors: usize,
}

/// History facts per entity (of its file).
#[derive(Clone, Debug, Default)]
pub struct History {
    pub entities: HashMap<EntityRef, FileHistory>,
}
