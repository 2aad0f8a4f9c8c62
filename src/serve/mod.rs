//! `portolan serve`: the portal built in memory, served over HTTP, rebuilt
//! on save and reloaded in the browser.
//!
//! - [`session`]: the last good run and site, and incremental rebuilds
//!   through the page plan's dependencies;
//! - [`state`]: what the server reads (the files, the last failure, the
//!   browsers listening);
//! - [`http`]: tiny_http, paths ([`paths`]) and MIME types;
//! - [`reload`]: Server-Sent Events and the script that listens;
//! - [`search`]: the search index, written after the reload;
//! - [`watch`]: notify, debounced.
//!
//! serve is the last stage: it uses the pipeline and the site, and nothing
//! imports it.

pub mod http;
pub mod paths;
pub mod reload;
pub mod search;
pub mod session;
pub mod state;
pub mod watch;

pub use session::{Failure, Rebuilt, Scope, Session};
pub use state::State;
