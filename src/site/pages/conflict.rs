//! The page of a contested ref: several files define it and nothing tells
//! which one is the entity (`catalog::resolve::keeper`), so no definition
//! is published. The page names every file and the owner each one claims,
//! as plain text, and shows nothing else from any of them: no links, no
//! runbook, no quick answers, no relations and no scorecards, since any of
//! those could come from the newcomer.

use crate::catalog::model::{Entity, EntityRef};
use crate::site::model::{SiteModel, kind_label};
use serde::Serialize;

#[derive(Serialize)]
pub struct ConflictContext {
    pub conflict: Conflict,
}

#[derive(Serialize)]
pub struct Conflict {
    #[serde(rename = "ref")]
    pub eref: String,
    pub kind: String,
    pub kind_label: String,
    pub name: String,
    pub definitions: Vec<Definition>,
}

#[derive(Serialize)]
pub struct Definition {
    pub file: String,
    pub line: u32,
    /// `spec.owner` as written (text only: it is not resolved into a link).
    pub owner: Option<String>,
    pub edit_url: Option<String>,
}

pub fn context(model: &SiteModel, r: &EntityRef, defs: &[Entity]) -> ConflictContext {
    ConflictContext {
        conflict: Conflict {
            eref: r.to_string(),
            kind: r.kind.clone(),
            kind_label: kind_label(&r.kind),
            name: r.name.clone(),
            definitions: defs
                .iter()
                .map(|e| Definition {
                    file: e.file.clone(),
                    line: e
                        .doc
                        .at(&["metadata", "name"])
                        .map_or(e.pos, |n| n.pos)
                        .line,
                    owner: e.str_at(&["spec", "owner"]).map(str::to_owned),
                    edit_url: model.edit_url(&e.file),
                })
                .collect(),
        },
    }
}
