//! The site-wide page families, one module each: home, the catalog index
//! and its data, scorecards, and catalog health. Each builds the context
//! its template renders (the entity page's is in `site::entity`); the
//! renderer decides when and where they are written.
//!
//! No page lists the whole catalog: long lists are capped (with the full
//! data in the JSON export) or paginated, so page sizes stay flat as the
//! catalog grows.

pub mod catalog;
pub mod conflict;
pub mod health;
pub mod home;
pub mod initiatives;
pub mod scorecards;
pub mod search_data;
