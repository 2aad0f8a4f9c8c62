# METADATA
# title: Documentation
# description: Are the docs there and worth reading?
# custom:
#   levels: [bronze, silver]
#   applies_to:
#     annotations: [backstage.io/techdocs-ref]
package portolan.documentation

import rego.v1

has_docs_ref if input.entity.metadata.annotations["backstage.io/techdocs-ref"]

# METADATA
# title: TechDocs build
# custom:
#   id: docs-found
#   level: bronze
#   weight: 2
#   remediation: >-
#     `backstage.io/techdocs-ref: dir:.` needs an `mkdocs.yml` and a `docs/` folder with at least one page next to the entity file.
docs_found contains msg if {
	has_docs_ref
	not input.docs.present
	msg := sprintf("`%v` points at no TechDocs", [input.entity.metadata.annotations["backstage.io/techdocs-ref"]])
}

# METADATA
# title: More than a landing page
# custom:
#   id: several-pages
#   level: silver
#   remediation: Add pages such as architecture, runbook and onboarding under `docs/` and list them in `mkdocs.yml` `nav`.
several_pages contains msg if {
	has_docs_ref
	# Remote docs (`url:`) cannot be counted, so they are not held against this.
	not input.docs.remote
	input.docs.pages < 3
	msg := sprintf("only %v page(s) of docs", [input.docs.pages])
}
