package portolan.documentation_test

import rego.v1

import data.portolan.documentation as doc

documented := {
	"entity": {"metadata": {"name": "orders", "annotations": {"backstage.io/techdocs-ref": "dir:."}}},
	"docs": {"present": true, "pages": 4},
}

test_good_docs_pass if {
	count(doc.docs_found) == 0 with input as documented
	count(doc.several_pages) == 0 with input as documented
}

test_a_ref_without_docs_fails if {
	doc.docs_found == {"`dir:.` points at no TechDocs"} with input as object.union(documented, {"docs": {"present": false, "pages": 0}})
}

test_a_single_page_is_not_enough_for_silver if {
	doc.several_pages == {"only 1 page(s) of docs"} with input as object.union(documented, {"docs": {"present": true, "pages": 1}})
}

test_remote_docs_are_not_counted_against_them if {
	remote := {"entity": {"metadata": {"annotations": {"backstage.io/techdocs-ref": "url:https://docs.example.com/orders"}}}, "docs": {"present": true, "pages": 0, "remote": true}}
	count(doc.several_pages) == 0 with input as remote
	count(doc.docs_found) == 0 with input as remote
}
