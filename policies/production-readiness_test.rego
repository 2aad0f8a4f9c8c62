package portolan.production_readiness_test

import rego.v1

import data.portolan.production_readiness as pr

team := {"ref": "group:default/orders-team", "entity": {"metadata": {"name": "orders-team", "links": [{"url": "https://chat.example.com/orders", "type": "chat"}]}}}

api := {"ref": "api:default/orders-api", "entity": {"spec": {"type": "openapi"}}, "definition": true}

item(url) := {"title": url, "url": url, "source": "link"}

answered := {
	"owner": {"present": true, "items": [], "ref": "group:default/orders-team"},
	"contact": {"present": true, "items": [item("https://chat.example.com/orders")]},
	"repository": {"present": true, "items": [item("https://github.com/acme/orders")]},
	"docs": {"present": true, "items": [{"title": "TechDocs (dir:.) in docs/", "url": null, "source": "backstage.io/techdocs-ref"}]},
	"dashboard": {"present": true, "items": [item("https://grafana.example.com/orders")]},
	"runbook": {"present": true, "items": [item("https://runbooks.example.com/orders")]},
	"deployment": {"present": true, "items": [item("https://deploy.example.com/orders")]},
}

# A service that passes every check except the git one.
ready := {
	"entity": {
		"metadata": {
			"name": "orders",
			"description": "Takes orders.",
			"links": [
				{"url": "https://runbooks.example.com/orders", "type": "runbook"},
				{"url": "https://grafana.example.com/orders", "type": "dashboard"},
				{"url": "https://deploy.example.com/orders", "type": "deployment"},
			],
			"annotations": {"github.com/project-slug": "acme/orders"},
		},
		"spec": {"type": "service", "lifecycle": "production", "owner": "orders-team", "dependsOn": ["resource:orders-db"]},
	},
	"relations": {"owner": team, "providesApis": [api]},
	"docs": {"present": true, "pages": 3},
	"answers": answered,
	"git": {"available": true, "age_days": 12},
}

test_a_ready_service_passes_everything if {
	count(pr.owner_exists) == 0 with input as ready
	count(pr.description) == 0 with input as ready
	count(pr.lifecycle) == 0 with input as ready
	count(pr.docs) == 0 with input as ready
	count(pr.runbook_link) == 0 with input as ready
	count(pr.dashboard_link) == 0 with input as ready
	count(pr.deployment_link) == 0 with input as ready
	count(pr.repository) == 0 with input as ready
	count(pr.owner_contact) == 0 with input as ready
	count(pr.api_definitions) == 0 with input as ready
	count(pr.dependencies) == 0 with input as ready
	count(pr.recently_changed) == 0 with input as ready
}

# object.union merges deeply, so fields are removed with object.remove.
without(key) := object.union(object.remove(ready, {"answers"}), {"answers": object.union(object.remove(answered, {key}), {key: {"present": false, "items": []}})})

test_an_owner_not_in_the_catalog_fails if {
	missing := object.union(ready, {
		"entity": object.union(ready.entity, {"spec": object.union(ready.entity.spec, {"owner": "ghost"})}),
		"answers": {"owner": {"present": false, "items": [], "ref": "group:default/ghost"}},
	})
	pr.owner_exists == {"owner `ghost` is not in the catalog"} with input as missing
}

test_each_missing_answer_fails_its_check if {
	pr.repository == {"no repository link or source-location annotation"} with input as without("repository")
	pr.docs == {"no TechDocs or docs link found"} with input as without("docs")
	pr.runbook_link == {"no runbook link or RUNBOOK.md"} with input as without("runbook")
	pr.dashboard_link == {"no dashboard link or annotation"} with input as without("dashboard")
	pr.deployment_link == {"no deployment link or annotation"} with input as without("deployment")
	pr.owner_contact == {"owner `orders-team` has no chat, on-call or email contact"} with input as without("contact")
}

test_an_answer_from_anywhere_passes if {
	# The facts stage decides where an answer comes from (a link, an
	# annotation, a repository file); the check only asks whether it exists.
	count(pr.runbook_link) == 0 with input as object.union(ready, {"answers": {"runbook": {"present": true, "items": [{"title": "services/orders/RUNBOOK.md", "url": null, "source": "repository file"}]}}})
}

with_relations(r) := object.union(object.remove(ready, {"relations"}), {"relations": r})

test_an_api_without_definition_fails_gold if {
	bare := {"ref": "api:default/bare", "entity": {"spec": {}}, "definition": false}
	pr.api_definitions == {"API `api:default/bare` has no definition"} with input as with_relations({"owner": team, "providesApis": [bare]})
}

test_no_git_history_or_a_stale_file_fails_gold if {
	pr.recently_changed == {"git history unavailable: the catalog is not in a git repository"} with input as object.union(ready, {"git": null})
	pr.recently_changed == {"git history unavailable: shallow"} with input as object.union(ready, {"git": {"available": false, "reason": "shallow"}})
	pr.recently_changed == {"entity file last changed 200 days ago (stale after 180)"} with input as object.union(ready, {"git": {"available": true, "age_days": 200, "stale": true, "stale_days": 180}})
	count(pr.recently_changed) == 0 with input as object.union(ready, {"git": {"available": true, "age_days": 200, "stale": false, "stale_days": 365}})
}
