# METADATA
# title: Team basics
# custom:
#   levels: [bronze]
#   applies_to:
#     kind: [group]
package acme.team_basics

import rego.v1

# METADATA
# title: Has a chat channel
# custom:
#   id: chat
#   level: bronze
chat contains "no chat link" if {
	count([l | some l in object.get(input.entity.metadata, "links", []); l.type == "chat"]) == 0
}
