//! Portolan: a Backstage-compatible catalog checker and static developer portal.
//!
//! The pipeline is `source → config → catalog → facts → apiref → scorecard → site`:
//! every read goes through a [`source::Source`], each stage returns its
//! value plus diagnostics and never prints, and a stage imports only the
//! stages before it. The CLI (`main.rs` and `src/cmd/`, one file per
//! command) decides how diagnostics are shown.

#![forbid(unsafe_code)]

pub mod apiref;
pub mod baseline;
pub mod catalog;
pub mod config;
pub mod date;
pub mod diagnostics;
pub mod escape;
pub mod facts;
pub mod highlight;
pub mod history;
pub mod pipeline;
pub mod pr;
pub mod scorecard;
pub mod search;
pub mod serve;
pub mod site;
pub mod source;
pub mod timing;
