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

links(t) := [l | some l in object.get(input.entity.metadata, "links", []); l.type == t]

owner := input.relations.owner if input.relations.owner != null

owner_group := owner.entity if {
	startswith(owner.ref, "group:")
	owner.entity != null
}

# METADATA
# title: Owned by an existing group
# custom:
#   id: owner-exists
#   answers: owner
#   level: bronze
#   weight: 3
#   remediation: >-
#     Set `spec.owner` to a Group defined in the catalog, for example `owner: payments-team`.
owner_exists contains msg if {
	not owner_group
	msg := sprintf("owner `%v` is not a Group in the catalog", [object.get(input.entity.spec, "owner", "")])
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
	count(links("repository")) == 0
	annotations := object.get(input.entity.metadata, "annotations", {})
	not annotations["github.com/project-slug"]
	not annotations["gitlab.com/project-slug"]
	not annotations["backstage.io/source-location"]
}

# METADATA
# title: Has TechDocs
# custom:
#   id: docs
#   answers: docs
#   level: silver
#   weight: 2
#   remediation: >-
#     Add `backstage.io/techdocs-ref: dir:.` with an `mkdocs.yml` and a `docs/` folder next to the entity file.
docs contains "no TechDocs found" if {
	not input.docs.present
}

# METADATA
# title: Links a runbook
# custom:
#   id: runbook-link
#   answers: runbook
#   level: silver
#   weight: 2
#   remediation: >-
#     Add a link with `type: runbook` under `metadata.links`.
runbook_link contains "no link of type runbook" if {
	count(links("runbook")) == 0
}

# METADATA
# title: Links a dashboard
# custom:
#   id: dashboard-link
#   answers: dashboard
#   level: silver
#   remediation: >-
#     Add a link with `type: dashboard` under `metadata.links`.
dashboard_link contains "no link of type dashboard" if {
	count(links("dashboard")) == 0
}

# METADATA
# title: Links its deployment
# custom:
#   id: deployment-link
#   level: silver
#   answers: deployment
#   remediation: >-
#     Add a link with `type: deployment` (the pipeline or Argo CD app that ships it) under `metadata.links`.
deployment_link contains "no link of type deployment" if {
	count(links("deployment")) == 0
}

# METADATA
# title: Owner team can be reached
# custom:
#   id: owner-contact
#   answers: owner
#   level: silver
#   remediation: >-
#     Give the owning Group a link with `type: chat` or `type: oncall`.
owner_contact contains msg if {
	contacts := [l | some l in object.get(object.get(owner_group, "metadata", {}), "links", []); l.type in {"chat", "oncall"}]
	count(contacts) == 0
	msg := sprintf("owner `%v` has no chat or on-call link", [owner.ref])
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
# title: Changed within 180 days
# custom:
#   id: recently-changed
#   level: gold
#   remediation: Review the entity file; an untouched file is often a stale one.
recently_changed contains "no git history for the entity file" if {
	input.git == null
}

recently_changed contains msg if {
	input.git.age_days > 180
	msg := sprintf("entity file last changed %v days ago", [input.git.age_days])
}
