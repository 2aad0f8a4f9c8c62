//! Portolan: a Backstage-compatible catalog checker and static developer portal.
//!
//! The pipeline is `config → catalog → facts → scorecard → site`; each stage
//! returns its value plus diagnostics and never prints. The CLI (`main.rs`)
//! decides how diagnostics are shown.

#![forbid(unsafe_code)]

pub mod catalog;
pub mod check;
pub mod config;
pub mod diagnostics;
pub mod escape;
pub mod scorecard;
pub mod site;
pub mod timing;
