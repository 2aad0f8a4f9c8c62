package portolan.production_readiness_test

import rego.v1

import data.portolan.production_readiness as pr

team := {"ref": "group:default/orders-team", "entity": {"metadata": {"name": "orders-team", "links": [{"url": "https://chat.example.com/orders", "type": "chat"}]}}}

api := {"ref": "api:default/orders-api", "entity": {"spec": {"type": "openapi"}}, "definition": true}

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
	"git": {"age_days": 12},
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

test_a_dangling_owner_fails if {
	pr.owner_exists == {"owner `ghost` is not a Group in the catalog"} with input as object.union(ready, {
		"entity": object.union(ready.entity, {"spec": object.union(ready.entity.spec, {"owner": "ghost"})}),
		"relations": {"owner": {"ref": "group:default/ghost", "entity": null}, "providesApis": [api]},
	})
}

test_a_user_owner_is_not_a_group if {
	count(pr.owner_exists) == 1 with input as object.union(ready, {"relations": {"owner": {"ref": "user:default/jane", "entity": {}}, "providesApis": [api]}})
}

# object.union merges deeply, so fields are removed with object.remove.
with_entity(e) := object.union(object.remove(ready, {"entity"}), {"entity": e})

with_relations(r) := object.union(object.remove(ready, {"relations"}), {"relations": r})

test_missing_links_fail_silver if {
	no_links := with_entity({"metadata": object.remove(ready.entity.metadata, {"links"}), "spec": ready.entity.spec})
	pr.runbook_link == {"no link of type runbook"} with input as no_links
	pr.dashboard_link == {"no link of type dashboard"} with input as no_links
}

test_an_owner_without_contacts_fails if {
	quiet := {"ref": "group:default/orders-team", "entity": {"metadata": {"name": "orders-team"}}}
	pr.owner_contact == {"owner `group:default/orders-team` has no chat or on-call link"} with input as with_relations({"owner": quiet, "providesApis": [api]})
}

test_an_api_without_definition_fails_gold if {
	bare := {"ref": "api:default/bare", "entity": {"spec": {}}, "definition": false}
	pr.api_definitions == {"API `api:default/bare` has no definition"} with input as object.union(ready, {"relations": {"owner": team, "providesApis": [bare]}})
}

test_no_git_history_or_a_stale_file_fails_gold if {
	pr.recently_changed == {"no git history for the entity file"} with input as object.union(ready, {"git": null})
	pr.recently_changed == {"entity file last changed 200 days ago"} with input as object.union(ready, {"git": {"age_days": 200}})
}

test_no_docs_fails if {
	pr.docs == {"no TechDocs found"} with input as object.union(ready, {"docs": {"present": false, "pages": 0}})
}

with_metadata(meta) := object.union(object.remove(ready, ["entity"]), {"entity": {"metadata": meta, "spec": ready.entity.spec}})

test_a_repository_comes_from_a_link_or_an_annotation if {
	bare := object.remove(ready.entity.metadata, ["annotations"])
	count(pr.repository) == 1 with input as with_metadata(bare)
	linked := object.union(bare, {"links": array.concat(bare.links, [{"url": "https://git.example.com/orders", "type": "repository"}])})
	count(pr.repository) == 0 with input as with_metadata(linked)
	located := object.union(bare, {"annotations": {"backstage.io/source-location": "url:https://git.example.com/orders"}})
	count(pr.repository) == 0 with input as with_metadata(located)
}

test_a_missing_deployment_link_fails_silver if {
	no_links := object.union(ready.entity.metadata, {"links": []})
	pr.deployment_link == {"no link of type deployment"} with input as with_metadata(no_links)
}
