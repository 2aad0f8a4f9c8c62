# METADATA
# title: Production readiness
# description: Can this service be operated by someone who did not write it?
# custom:
#   levels: [bronze, silver, gold]
#   applies_to:
#     kind: [component]
#     type: [service]
package portolan.production_readiness

import rego.v1

# The checks that ask for a quick answer read `input.answers`, which is what
# the portal's panel shows, so a check and its panel item never disagree.

# METADATA
# title: Owned by a team in the catalog
# custom:
#   id: owner-exists
#   answers: owner
#   level: bronze
#   weight: 3
#   remediation: >-
#     Set `spec.owner` to a Group (or User) defined in the catalog, for example `owner: payments-team`.
owner_exists contains msg if {
	not input.answers.owner.present
	msg := sprintf("owner `%v` is not in the catalog", [object.get(input.entity.spec, "owner", "")])
}

# METADATA
# title: Has a description
# custom:
#   id: description
#   level: bronze
#   remediation: Add `metadata.description` with one sentence saying what the service does.
description contains "no metadata.description" if {
	trim_space(object.get(input.entity.metadata, "description", "")) == ""
}

# METADATA
# title: Declares a lifecycle
# custom:
#   id: lifecycle
#   level: bronze
#   remediation: Set `spec.lifecycle` to `experimental`, `production` or `deprecated`.
lifecycle contains "no spec.lifecycle" if {
	trim_space(object.get(input.entity.spec, "lifecycle", "")) == ""
}

# METADATA
# title: Links its repository
# custom:
#   id: repository
#   level: bronze
#   answers: repository
#   remediation: >-
#     Add a link with `type: repository`, or the `github.com/project-slug` or `backstage.io/source-location` annotation.
repository contains "no repository link or source-location annotation" if {
	not input.answers.repository.present
}

# METADATA
# title: Has docs
# custom:
#   id: docs
#   answers: docs
#   level: silver
#   weight: 2
#   remediation: >-
#     Add `backstage.io/techdocs-ref: dir:.` with an `mkdocs.yml` and a `docs/` folder next to the entity file, or a link with `type: docs`.
docs contains "no TechDocs or docs link found" if {
	not input.answers.docs.present
}

# METADATA
# title: Links a runbook
# custom:
#   id: runbook-link
#   answers: runbook
#   level: silver
#   weight: 2
#   remediation: >-
#     Add a link with `type: runbook` under `metadata.links`, or a `RUNBOOK.md` next to the entity file.
runbook_link contains "no runbook link or RUNBOOK.md" if {
	not input.answers.runbook.present
}

# METADATA
# title: Links a dashboard
# custom:
#   id: dashboard-link
#   answers: dashboard
#   level: silver
#   remediation: >-
#     Add a link with `type: dashboard` under `metadata.links`, or a `grafana/dashboard-selector` annotation.
dashboard_link contains "no dashboard link or annotation" if {
	not input.answers.dashboard.present
}

# METADATA
# title: Links its deployment
# custom:
#   id: deployment-link
#   level: silver
#   answers: deployment
#   remediation: >-
#     Add a link with `type: deployment` (the pipeline or Argo CD app that ships it) under `metadata.links`, or an `argocd/app-name` annotation.
deployment_link contains "no deployment link or annotation" if {
	not input.answers.deployment.present
}

# METADATA
# title: Owner team can be reached
# custom:
#   id: owner-contact
#   answers: contact
#   level: silver
#   remediation: >-
#     Give the owning Group a link with `type: chat` or `type: oncall` (or a `slack.com/channel` annotation, or `spec.profile.email`).
owner_contact contains msg if {
	not input.answers.contact.present
	msg := sprintf("owner `%v` has no chat, on-call or email contact", [object.get(input.entity.spec, "owner", "")])
}

# METADATA
# title: Provided APIs have definitions
# custom:
#   id: api-definitions
#   level: gold
#   weight: 2
#   remediation: >-
#     Declare `spec.providesApis`, and give each API a `spec.definition` (for example `$text: ./openapi.yaml`).
api_definitions contains "provides no APIs" if {
	count(input.relations.providesApis) == 0
}

api_definitions contains msg if {
	some api in input.relations.providesApis
	not api.definition
	msg := sprintf("API `%v` has no definition", [api.ref])
}

# METADATA
# title: Dependencies declared
# custom:
#   id: dependencies
#   level: gold
#   remediation: List what the service needs at runtime under `spec.dependsOn` (for example `resource:orders-db`).
dependencies contains "no spec.dependsOn" if {
	count(object.get(input.entity.spec, "dependsOn", [])) == 0
}

# METADATA
# title: Changed recently
# description: The entity file changed within `[git] stale_days` in portolan.toml (default 180 days); an older one is stale.
# custom:
#   id: recently-changed
#   level: gold
#   needs: [git]
#   remediation: Review the entity file; an untouched file is often a stale one.
recently_changed contains "git history unavailable: the catalog is not in a git repository" if {
	input.git == null
}

recently_changed contains msg if {
	input.git.available == false
	msg := sprintf("git history unavailable: %v", [input.git.reason])
}

recently_changed contains msg if {
	input.git.stale == true
	msg := sprintf("entity file last changed %v days ago (stale after %v)", [input.git.age_days, input.git.stale_days])
}
