package portolan.ownership_hygiene_test

import rego.v1

import data.portolan.ownership_hygiene as oh

team := {
	"entity": {"metadata": {"name": "orders-team"}, "spec": {"type": "team", "profile": {"email": "orders@example.com"}}},
	"relations": {"members": [{"ref": "user:default/jane"}], "parent": {"ref": "group:default/shipping"}},
}

test_a_healthy_team_passes if {
	count(oh.members) == 0 with input as team
	count(oh.parent) == 0 with input as team
	count(oh.contact) == 0 with input as team
}

test_an_empty_team_fails if {
	oh.members == {"the group has no members"} with input as object.union(team, {"relations": {"members": [], "parent": {"ref": "group:default/shipping"}}})
}

test_only_the_root_may_lack_a_parent if {
	orphan := object.union(team, {"relations": {"members": [{"ref": "user:default/jane"}], "parent": null}})
	oh.parent == {"the group has no parent"} with input as orphan
	root := object.union(orphan, {"entity": {"metadata": {"name": "org"}, "spec": {"type": "organization", "profile": {"email": "x@example.com"}}}})
	count(oh.parent) == 0 with input as root
}

test_a_chat_link_is_a_contact if {
	no_email := {"metadata": {"name": "t", "links": [{"url": "https://chat.example.com/t", "type": "chat"}]}, "spec": {"type": "team"}}
	# object.union merges deeply, so the entity is replaced with object.remove first.
	base := object.remove(team, {"entity"})
	count(oh.contact) == 0 with input as object.union(base, {"entity": no_email})
	oh.contact == {"no email, chat or on-call contact"} with input as object.union(base, {"entity": {"metadata": {"name": "t"}, "spec": {"type": "team"}}})
}
