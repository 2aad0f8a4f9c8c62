//! How the quick-answers panel shows the answers the facts stage worked
//! out (`facts::answers`): which items each kind's page shows, and their
//! headings.
//!
//! This is the panel an engineer opens a service page for, so a missing item
//! is shown as missing, next to the scorecard check that asks for it
//! (checks declare that with `custom.answers: <item>`).

/// The panel's items, in the order they are shown. The owner item also
/// shows the `contact` answer (chat, on-call, email).
pub const ITEMS: [&str; 6] = [
    "owner",
    "repository",
    "docs",
    "dashboard",
    "runbook",
    "deployment",
];

/// An item's heading in the panel.
pub fn label(item: &str) -> &'static str {
    match item {
        "owner" => "Owner",
        "repository" => "Repository",
        "docs" => "Docs",
        "dashboard" => "Dashboard",
        "runbook" => "Runbook",
        "deployment" => "Deployment",
        _ => "Other",
    }
}

/// Which items a kind's page asks for. An API or a library has no runbook
/// of its own and a Resource no repository, so those would only be noise.
pub fn items_for(kind: &str, spec_type: Option<&str>) -> &'static [&'static str] {
    match kind {
        "component" if spec_type == Some("library") => &["owner", "repository", "docs"],
        "component" => &ITEMS,
        "system" => &["owner", "repository", "docs", "dashboard", "runbook"],
        "api" => &["owner", "repository", "docs"],
        "resource" => &["owner", "dashboard", "runbook"],
        "group" | "user" | "domain" | "location" | "template" => &[],
        _ => &["owner", "repository", "docs"],
    }
}

/// One link or fact shown in the panel or the links list.
pub type LinkView = crate::facts::answers::Item;

/// `metadata.links`, for the page's full links list.
pub use crate::facts::answers::links;
