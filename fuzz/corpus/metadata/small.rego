# METADATA
# title: Small
# description: A scorecard with one check
# custom:
#   levels: [bronze, silver, gold]
#   enforcement: advisory
package small

import rego.v1

# METADATA
# title: Has a description
# custom:
#   id: description
#   level: bronze
#   remediation: |
#     Add `metadata.description`.
#   weight: 2
deny contains msg if {
	not input.entity.metadata.description
	msg := "no description"
}

# METADATA
# scope: rule
# title: Orphan
