# METADATA
# title: Ownership hygiene
# description: Can every team be found, reached and placed in the organisation?
# custom:
#   levels: [bronze, silver]
#   applies_to:
#     kind: [group]
package portolan.ownership_hygiene

import rego.v1

# METADATA
# title: Has members
# custom:
#   id: members
#   level: bronze
#   weight: 2
#   remediation: Add users with `spec.memberOf` naming this group, or list them in the group's `spec.members`.
members contains "the group has no members" if {
	object.get(input.entity.spec, "type", "") == "team"
	count(input.relations.members) == 0
}

# METADATA
# title: Has a parent unless it is the root
# custom:
#   id: parent
#   level: bronze
#   remediation: Set `spec.parent` to the department or organisation the team belongs to.
parent contains "the group has no parent" if {
	object.get(input.entity.spec, "type", "") != "organization"
	input.relations.parent == null
}

# METADATA
# title: Has a contact
# custom:
#   id: contact
#   level: silver
#   remediation: >-
#     Add `spec.profile.email`, or a link with `type: chat` or `type: oncall`.
contact contains "no email, chat or on-call contact" if {
	object.get(object.get(input.entity.spec, "profile", {}), "email", "") == ""
	count([l | some l in object.get(input.entity.metadata, "links", []); l.type in {"chat", "oncall"}]) == 0
}
