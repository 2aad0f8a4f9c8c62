package acme.team_basics_test

import rego.v1

import data.acme.team_basics

test_no_links_fails if {
	team_basics.chat == {"no chat link"} with input as {"entity": {"metadata": {}}}
}

# Wrong on purpose: a team with a chat link passes, so this expectation fails.
test_chat_link_fails if {
	team_basics.chat == {"no chat link"} with input as {"entity": {"metadata": {"links": [{"type": "chat"}]}}}
}

# Errors on purpose: division by zero.
test_errors if {
	1 / count([]) == 1
}
