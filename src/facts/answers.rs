//! The quick answers: who owns an entity and how to reach them, and where
//! its repository, docs, dashboard, runbook and deployment are.
//!
//! One function works them out, and both the portal's panel and the policy
//! input (`input.answers`) carry the result, so a panel item and the check
//! that asks for it can never disagree. Answers come from
//! `metadata.links` (by `type`, else by `icon`, else by a word of the
//! title), from the well-known annotations, from the docs and repository
//! facts, and, for contacts, from the owner entity.

use super::docs::Docs;
use super::repo::Repo;
use crate::catalog::Catalog;
use crate::catalog::model::{Entity, EntityRef, RelationType};
use crate::catalog::yaml::Node;
use crate::escape::safe_url;
use serde::Serialize;

/// The answer keys a check may name in `custom.answers`, in panel order.
/// `contact` is the owner row's chat, on-call or email.
pub const KEYS: [&str; 7] = [
    "owner",
    "contact",
    "repository",
    "docs",
    "dashboard",
    "runbook",
    "deployment",
];

/// One thing that answers a question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    /// `repository`, `docs`, `dashboard`, `runbook`, `deployment`, or for
    /// the owner row `chat`, `oncall` or `email`.
    #[serde(skip)]
    pub answer: &'static str,
    pub title: String,
    /// `None` when the value is not a web or mail link (shown as text).
    pub url: Option<String>,
    /// Where it came from: the link's `type`, `link`, an annotation key,
    /// `email`, or a repository file.
    pub label: String,
}

/// An entity's quick answers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answers {
    /// The owner as referenced (it may not be in the catalog).
    pub owner: Option<EntityRef>,
    /// Whether the owner is an entity of the catalog.
    pub owner_found: bool,
    pub items: Vec<Item>,
}

impl Answers {
    /// Whether `key` (one of [`KEYS`]) is answered.
    pub fn present(&self, key: &str) -> bool {
        match key {
            "owner" => self.owner_found,
            "contact" => self.items.iter().any(|i| is_contact(i.answer)),
            _ => self.items.iter().any(|i| i.answer == key),
        }
    }

    /// The items answering `key`; for `contact`, the owner row's items.
    pub fn items_for<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.items.iter().filter(move |i| match key {
            "contact" | "owner" => is_contact(i.answer),
            k => i.answer == k,
        })
    }
}

fn is_contact(answer: &str) -> bool {
    matches!(answer, "chat" | "oncall" | "email")
}

/// Works out an entity's answers. `docs` and `repo` are its facts;
/// `owner_entity` finds the owner's own links (chat, on-call, email).
pub fn answers(catalog: &Catalog, e: &Entity, docs: Option<&Docs>, repo: Option<&Repo>) -> Answers {
    let owner = catalog
        .relations_of(&e.eref)
        .find(|rel| rel.kind == RelationType::OwnedBy)
        .map(|rel| rel.target.clone());
    let owner_entity = owner.as_ref().and_then(|o| catalog.get(o));
    let mut items = own_items(e, docs);
    if let Some(file) = repo.and_then(|r| r.file("runbook")) {
        items.push(Item {
            answer: "runbook",
            title: file.to_owned(),
            url: None,
            label: "repository file".to_owned(),
        });
    }
    if let Some(o) = owner_entity {
        items.extend(
            own_items(o, None)
                .into_iter()
                .filter(|i| is_contact(i.answer)),
        );
        if let Some(mail) = o.str_at(&["spec", "profile", "email"]) {
            items.push(Item {
                answer: "email",
                title: mail.to_owned(),
                url: safe_url(&format!("mailto:{mail}")),
                label: "email".to_owned(),
            });
        }
    }
    dedupe(&mut items);
    Answers {
        owner_found: owner_entity.is_some(),
        owner,
        items,
    }
}

/// What an entity says about itself: links first (they carry titles),
/// then annotations, then its docs.
fn own_items(e: &Entity, docs: Option<&Docs>) -> Vec<Item> {
    let mut all: Vec<Item> = links(e)
        .into_iter()
        .filter(|i| !i.answer.is_empty())
        .collect();
    all.extend(from_annotations(e, docs));
    all
}

/// Keeps the first of items that say the same thing: one URL from a link
/// and an annotation, or one chat channel on both a service and its team.
/// URLs are compared by [`url_key`]: `github.com/project-slug` and a link
/// to `https://GitHub.com/acme/orders.git` name the same repository.
fn dedupe(all: &mut Vec<Item>) {
    let mut seen = std::collections::BTreeSet::new();
    all.retain(|i| {
        // An owner's email is shown among its chat channels.
        let kind = if i.answer == "email" {
            "chat"
        } else {
            i.answer
        };
        seen.insert((
            kind,
            i.url.as_deref().map_or_else(|| i.title.clone(), url_key),
        ))
    });
}

/// A URL as a comparison key: the scheme and host lowercased (they are
/// case-insensitive), and a trailing `/` or `.git` on the path dropped,
/// since authors write the same repository all these ways. The path, query
/// and fragment are otherwise kept as written: on most servers they are
/// case-sensitive.
pub fn url_key(url: &str) -> String {
    let url = url.trim();
    let (main, tail) = url.find(['?', '#']).map_or((url, ""), |i| url.split_at(i));
    let origin_end = main.find("://").map_or(main.len(), |i| {
        main[i + 3..].find('/').map_or(main.len(), |j| i + 3 + j)
    });
    let (origin, path) = main.split_at(origin_end);
    let path = path.trim_end_matches('/');
    let path = path
        .strip_suffix(".git")
        .unwrap_or(path)
        .trim_end_matches('/');
    format!("{}{path}{tail}", origin.to_ascii_lowercase())
}

/// Maps a link `type` or `icon`, or a word, to an answer.
fn classify(word: &str) -> Option<&'static str> {
    let t = word.trim().to_ascii_lowercase();
    Some(match t.as_str() {
        "repository" | "repo" | "source" | "source-code" | "sourcecode" | "code" | "github"
        | "gitlab" | "git" | "bitbucket" => "repository",
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

/// A link's answer: its `type` decides; without one, its `icon`; without
/// either, the first word of its title that names an answer ("Grafana
/// board", "Runbook"). A typed link of an unknown type answers nothing.
fn classify_link(ty: &str, icon: &str, title: &str) -> Option<&'static str> {
    if !ty.trim().is_empty() {
        return classify(ty);
    }
    if let Some(a) = classify(icon) {
        return Some(a);
    }
    classify(title).or_else(|| {
        title
            .split(|c: char| !(c.is_alphanumeric() || c == '-'))
            .find_map(classify)
    })
}

/// `metadata.links` as items. Links that answer nothing are kept with
/// answer `""`, so the page's full links list still shows them.
pub fn links(e: &Entity) -> Vec<Item> {
    let Some(list) = e.doc.at(&["metadata", "links"]).and_then(Node::as_seq) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|l| {
            let raw = l.get("url")?.as_str()?;
            let text = |k: &str| l.get(k).and_then(Node::as_str).unwrap_or("");
            let ty = text("type");
            let title = Some(text("title"))
                .filter(|t| !t.trim().is_empty())
                .unwrap_or(raw);
            Some(Item {
                answer: classify_link(ty, text("icon"), text("title")).unwrap_or(""),
                title: title.to_owned(),
                url: safe_url(raw),
                label: if ty.is_empty() {
                    "link".to_owned()
                } else {
                    ty.to_owned()
                },
            })
        })
        .collect()
}

/// The well-known annotations that answer a question.
fn from_annotations(e: &Entity, docs: Option<&Docs>) -> Vec<Item> {
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
        let item = |answer, title: String, url: Option<String>| Item {
            answer,
            title,
            url,
            label: key.to_owned(),
        };
        let found = match key {
            "github.com/project-slug" => item(
                "repository",
                value.to_owned(),
                safe_url(&format!("https://github.com/{value}")),
            ),
            "gitlab.com/project-slug" => item(
                "repository",
                value.to_owned(),
                safe_url(&format!("https://gitlab.com/{value}")),
            ),
            "backstage.io/source-location" => {
                let target = value.strip_prefix("url:").unwrap_or(value);
                item("repository", target.to_owned(), safe_url(target))
            }
            super::docs::REF_ANNOTATION => match docs {
                Some(d) if d.present() => match d.remote_url() {
                    Some(url) => item("docs", url.to_owned(), safe_url(url)),
                    None => item(
                        "docs",
                        format!(
                            "TechDocs ({value}) in {}/",
                            d.pages_dir().unwrap_or_default()
                        ),
                        None,
                    ),
                },
                _ => continue,
            },
            "backstage.io/techdocs-entity" => item("docs", format!("TechDocs of {value}"), None),
            "grafana/dashboard-selector" => item("dashboard", format!("Grafana: {value}"), None),
            "datadoghq.com/dashboard-url" | "newrelic.com/dashboard-url" => {
                item("dashboard", value.to_owned(), safe_url(value))
            }
            "argocd/app-name" => item("deployment", format!("Argo CD app {value}"), None),
            "backstage.io/kubernetes-id" => {
                item("deployment", format!("Kubernetes: {value}"), None)
            }
            "pagerduty.com/service-id" | "pagerduty.com/integration-key" => {
                item("oncall", format!("PagerDuty service {value}"), None)
            }
            "opsgenie.com/team" => item("oncall", format!("Opsgenie team {value}"), None),
            "slack.com/channel" | "slack/channel" => item(
                "chat",
                format!("Slack #{}", value.trim_start_matches('#')),
                None,
            ),
            _ => continue,
        };
        out.push(found);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::url_key;

    #[test]
    fn one_repository_written_several_ways_has_one_key() {
        let key = url_key("https://github.com/acme/orders");
        for same in [
            "https://github.com/acme/orders/",
            "https://GitHub.com/acme/orders.git",
            "HTTPS://github.com/acme/orders.git/",
            " https://github.com/acme/orders ",
        ] {
            assert_eq!(url_key(same), key, "{same}");
        }
        assert_ne!(url_key("https://github.com/acme/Orders"), key);
        assert_ne!(url_key("https://github.com/acme/orders?tab=1"), key);
        assert_eq!(url_key("https://example.com"), "https://example.com");
        assert_eq!(
            url_key("https://example.com/?q=a/"),
            "https://example.com?q=a/"
        );
    }
}
