//! The quick-answers panel: owner (with chat and on-call), repository,
//! docs, dashboard, runbook and deployment path, read from
//! `metadata.links[].type` and the well-known annotations.
//!
//! This is the panel an engineer opens a service page for, so a missing item
//! is shown as missing, next to the scorecard check that asks for it
//! (checks declare that with `custom.answers: <item>`).

use super::links::safe_url;
use crate::catalog::model::Entity;
use crate::catalog::yaml::Node;
use serde::Serialize;

/// The panel's items, in the order they are shown. The keys are the ones
/// a scorecard check may name in `custom.answers`.
pub use crate::scorecard::model::ANSWER_ITEMS as ITEMS;

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
#[derive(Clone, Debug, Serialize)]
pub struct LinkView {
    pub title: String,
    /// `None` when the value is not a web or mail link (it is shown as text).
    pub url: Option<String>,
    /// What it is (`chat`, `on-call`, the link's `type`, or the annotation).
    pub label: String,
}

/// Maps a `metadata.links[].type` (or a word in it) to a panel item.
fn classify(link_type: &str) -> Option<&'static str> {
    let t = link_type.to_ascii_lowercase();
    let t = t.trim();
    Some(match t {
        "repository" | "repo" | "source" | "source-code" | "sourcecode" | "code" | "github"
        | "gitlab" | "git" => "repository",
        "docs" | "doc" | "documentation" | "techdocs" | "wiki" | "handbook" => "docs",
        "dashboard" | "grafana" | "metrics" | "monitoring" | "observability" | "datadog" => {
            "dashboard"
        }
        "runbook" | "playbook" | "runbooks" => "runbook",
        "deployment" | "deploy" | "deployments" | "cd" | "pipeline" | "release" | "argocd"
        | "spinnaker" => "deployment",
        "chat" | "slack" | "teams" | "discord" | "channel" => "chat",
        "oncall" | "on-call" | "pagerduty" | "opsgenie" | "pager" => "oncall",
        _ => return None,
    })
}

/// `metadata.links`, as (item, view). Links of no known type are kept with
/// item `""` so the full links list still shows them.
pub fn links(e: &Entity) -> Vec<(&'static str, LinkView)> {
    let Some(list) = e.doc.at(&["metadata", "links"]).and_then(Node::as_seq) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|l| {
            let raw = l.get("url")?.as_str()?;
            let ty = l.get("type").and_then(Node::as_str).unwrap_or("");
            let title = l
                .get("title")
                .and_then(Node::as_str)
                .filter(|t| !t.trim().is_empty())
                .unwrap_or(raw);
            Some((
                classify(ty).unwrap_or(""),
                LinkView {
                    title: title.to_owned(),
                    url: safe_url(raw),
                    label: if ty.is_empty() {
                        "link".to_owned()
                    } else {
                        ty.to_owned()
                    },
                },
            ))
        })
        .collect()
}

/// The well-known annotations that answer a panel item.
pub fn from_annotations(e: &Entity) -> Vec<(&'static str, LinkView)> {
    let mut out = Vec::new();
    let Some(ann) = e
        .doc
        .at(&["metadata", "annotations"])
        .and_then(Node::as_map)
    else {
        return out;
    };
    for (k, v) in ann {
        let (Some(key), Some(value)) = (k.as_str(), v.as_str()) else {
            continue;
        };
        let value = value.trim();
        let view = |title: String, url: Option<String>| LinkView {
            title,
            url,
            label: key.to_owned(),
        };
        let item = match key {
            "github.com/project-slug" => (
                "repository",
                view(
                    value.to_owned(),
                    safe_url(&format!("https://github.com/{value}")),
                ),
            ),
            "gitlab.com/project-slug" => (
                "repository",
                view(
                    value.to_owned(),
                    safe_url(&format!("https://gitlab.com/{value}")),
                ),
            ),
            "backstage.io/source-location" => {
                let target = value.strip_prefix("url:").unwrap_or(value);
                ("repository", view(target.to_owned(), safe_url(target)))
            }
            "backstage.io/techdocs-ref" => (
                "docs",
                view(format!("TechDocs ({value}) in {}", docs_dir(e)), None),
            ),
            "backstage.io/techdocs-entity" => ("docs", view(format!("TechDocs of {value}"), None)),
            "grafana/dashboard-selector" => ("dashboard", view(format!("Grafana: {value}"), None)),
            "datadoghq.com/dashboard-url" | "newrelic.com/dashboard-url" => {
                ("dashboard", view(value.to_owned(), safe_url(value)))
            }
            "argocd/app-name" => ("deployment", view(format!("Argo CD app {value}"), None)),
            "backstage.io/kubernetes-id" => {
                ("deployment", view(format!("Kubernetes: {value}"), None))
            }
            "pagerduty.com/service-id" | "pagerduty.com/integration-key" => {
                ("oncall", view(format!("PagerDuty service {value}"), None))
            }
            "opsgenie.com/team" => ("oncall", view(format!("Opsgenie team {value}"), None)),
            "slack.com/channel" | "slack/channel" => (
                "chat",
                view(format!("Slack #{}", value.trim_start_matches('#')), None),
            ),
            _ => continue,
        };
        out.push(item);
    }
    out
}

/// Where an entity's TechDocs live (the folder holding `mkdocs.yml`).
fn docs_dir(e: &Entity) -> String {
    match e.dir() {
        "" => "docs/".to_owned(),
        d => format!("{d}/docs/"),
    }
}

/// Everything an entity says about itself for the panel: links first (they
/// carry titles), then annotations.
pub fn facts(e: &Entity) -> Vec<(&'static str, LinkView)> {
    let mut all = links(e);
    all.retain(|(item, _)| !item.is_empty());
    all.extend(from_annotations(e));
    dedupe(&mut all);
    all
}

/// Keeps the first of answers that say the same thing: one URL from a link
/// and an annotation, or one chat channel on both a service and its team.
pub fn dedupe(all: &mut Vec<(&'static str, LinkView)>) {
    let mut seen = std::collections::BTreeSet::new();
    all.retain(|(item, v)| seen.insert((*item, v.url.clone().unwrap_or_else(|| v.title.clone()))));
}
