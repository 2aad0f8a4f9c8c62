//! API reference pages: each definition format rendered into what a reader
//! of the page sees (operations, messages, schemas, types), the raw
//! definition next to the page, and the failure cases (malformed, cyclic,
//! outside ROOT, over the limits) reported while the page still renders.

mod common;

use common::{build, catalog, portolan, repo, stderr};
use std::path::Path;

const GROUP: &str = "apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
";

/// An API entity whose definition is read from `file` with `$text`.
fn api(name: &str, kind: &str, file: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: {name}
spec:
  type: {kind}
  lifecycle: production
  owner: team-a
  definition:
    $text: ./{file}
"
    )
}

/// Builds `files` (plus the owning group) and returns the API page of
/// `name`, what `portolan check` reports, and the site folder.
fn page(files: &[(&str, &str)], name: &str) -> (String, String, tempfile::TempDir) {
    let mut all = vec![("group.yaml", GROUP)];
    all.extend_from_slice(files);
    let dir = catalog(&all);
    let site = tempfile::tempdir().unwrap();
    let run = build(dir.path(), site.path());
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let html = std::fs::read_to_string(
        site.path()
            .join(format!("catalog/default/api/{name}/index.html")),
    )
    .unwrap();
    (html, check(dir.path()), site)
}

/// Everything `portolan check` prints for the catalog at `root`.
fn check(root: &Path) -> String {
    let run = portolan(&["check", root.to_str().unwrap()], &repo());
    stderr(&run) + &common::stdout(&run)
}

/// The text of the API reference section, tags removed, whitespace folded.
fn section(html: &str) -> String {
    let start = html
        .find("id=\"api-reference\"")
        .expect("an API reference section");
    let end = ["<section id=\"relations\"", "<section id=\"source\""]
        .iter()
        .filter_map(|m| html[start..].find(m))
        .min()
        .map_or(html.len(), |e| start + e);
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The HTML of the API reference section.
fn section_html(html: &str) -> &str {
    let start = html
        .find("id=\"api-reference\"")
        .expect("an API reference section");
    &html[start..]
}

fn pos(haystack: &str, needle: &str) -> usize {
    haystack
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not found in:\n{haystack}"))
}

const OPENAPI: &str = r##"openapi: 3.0.3
info:
  title: Pet store
  version: 2.1.0
  description: "Pets <script>alert(1)</script> and orders"
tags:
  - name: pets
    description: Everything about pets
  - name: store
paths:
  /pets:
    get:
      tags: [pets]
      summary: List pets
      operationId: listPets
      parameters:
        - name: limit
          in: query
          description: How many to return
          schema: {type: integer, maximum: 100}
      responses:
        '200':
          description: A page of pets
          content:
            application/json:
              schema:
                type: array
                items: {$ref: '#/components/schemas/Pet'}
    post:
      tags: [pets]
      summary: Add a pet
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/NewPet'}
      responses:
        '201': {$ref: '#/components/responses/Created'}
  /pets/{petId}:
    parameters:
      - {name: petId, in: path, required: true, schema: {type: string, format: uuid}}
    get:
      tags: [pets]
      summary: Show one pet
      responses:
        '404': {description: No such pet}
  /store/inventory:
    get:
      tags: [store]
      summary: Inventory counts
      responses:
        '200': {description: Counts by status}
  /health:
    delete:
      summary: Untagged operation
      responses:
        '204': {description: Gone}
components:
  responses:
    Created:
      description: The pet was created
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Pet'}
  schemas:
    NewPet:
      type: object
      required: [name]
      properties:
        name: {type: string, description: The pet's name}
        kind: {type: string, enum: [cat, dog]}
    Pet:
      allOf:
        - {$ref: '#/components/schemas/NewPet'}
        - type: object
          properties:
            id: {type: string, format: uuid}
"##;

#[test]
fn openapi_operations_are_grouped_by_tag_with_parameters_bodies_and_responses() {
    let (html, err, site) = page(
        &[
            ("pets.yaml", &api("pets", "openapi", "openapi.yaml")),
            ("openapi.yaml", OPENAPI),
        ],
        "pets",
    );
    assert!(!err.contains("E051"), "{err}");
    let text = section(&html);
    // Header: format, title, version, count, download.
    assert!(
        text.contains("OpenAPI 3.0.3 · Pet store · version 2.1.0 · 5 operations"),
        "{text}"
    );
    // Groups in the order of `tags`, then `default` for untagged operations.
    let (pets, store, default) = (
        pos(&html, "<h3>pets</h3>"),
        pos(&html, "<h3>store</h3>"),
        pos(&html, "<h3>default</h3>"),
    );
    assert!(pets < store && store < default);
    // A stable anchor per operation, inside its group.
    for (id, group) in [
        ("op-get-pets", pets),
        ("op-post-pets", pets),
        ("op-get-pets-petid", pets),
        ("op-get-store-inventory", store),
        ("op-delete-health", default),
    ] {
        let at = pos(
            &html,
            &format!("<details class=\"card api-op\" id=\"{id}\">"),
        );
        assert!(at > group, "{id} is not under its tag");
        assert!(
            html.contains(&format!("href=\"#{id}\"")),
            "no deep link to {id}"
        );
    }
    assert!(html[pets..store].matches("class=\"card api-op\"").count() == 3);
    // Method, path and summary; parameters from the operation and the path.
    assert!(text.contains("GET /pets List pets"), "{text}");
    assert!(
        text.contains("limit query integer maximum: 100 optional How many to return"),
        "{text}"
    );
    assert!(
        text.contains("petId path string format: uuid required"),
        "{text}"
    );
    // The request body's `$ref` is expanded, with required fields and enums.
    let post = &html[pos(&html, "id=\"op-post-pets\"")..pos(&html, "id=\"op-get-pets-petid\"")];
    let post = section(&format!("<section id=\"api-reference\">{post}"));
    assert!(
        post.contains("Request body application/json object NewPet"),
        "{post}"
    );
    assert!(
        post.contains("name string required The pet's name"),
        "{post}"
    );
    assert!(post.contains("kind string one of: cat, dog"), "{post}");
    // A response `$ref`, whose schema is an `allOf` of another `$ref`.
    assert!(
        post.contains("201 The pet was created application/json Pet"),
        "{post}"
    );
    assert!(post.contains("allOf[0] object NewPet"), "{post}");
    assert!(post.contains("id string format: uuid"), "{post}");
    // Named schemas, linked from where they are used.
    assert!(html.contains("<details class=\"card api-schema\" id=\"schema-pet\">"));
    assert!(html.contains("href=\"#schema-newpet\""));
    // Catalog text is escaped, never markup.
    assert!(!html.contains("<script>alert"), "unescaped description");
    assert!(html.contains("Pets &lt;script&gt;alert(1)&lt;/script&gt; and orders"));
    // The raw definition is downloadable, byte for byte.
    assert!(html.contains("href=\"definition.yaml\" download"));
    let raw = std::fs::read(site.path().join("catalog/default/api/pets/definition.yaml")).unwrap();
    assert_eq!(raw, OPENAPI.as_bytes());
}

#[test]
fn swagger_2_json_body_parameters_and_definitions() {
    let swagger = r##"{
  "swagger": "2.0",
  "info": {"title": "Legacy", "version": "1"},
  "consumes": ["application/json"],
  "produces": ["application/json"],
  "paths": {
    "/users/{id}": {
      "put": {
        "tags": ["users"],
        "summary": "Replace a user",
        "parameters": [
          {"name": "id", "in": "path", "required": true, "type": "integer", "format": "int64"},
          {"name": "body", "in": "body", "schema": {"$ref": "#/definitions/User"}}
        ],
        "responses": {"200": {"description": "The user", "schema": {"$ref": "#/definitions/User"}}}
      }
    }
  },
  "definitions": {
    "User": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}}
  }
}
"##;
    let (html, err, site) = page(
        &[
            ("legacy.yaml", &api("legacy", "openapi", "swagger.json")),
            ("swagger.json", swagger),
        ],
        "legacy",
    );
    assert!(!err.contains("E051"), "{err}");
    let text = section(&html);
    assert!(text.contains("Swagger 2.0 · Legacy"), "{text}");
    assert!(html.contains("id=\"op-put-users-id\""));
    assert!(
        text.contains("id path integer format: int64 required"),
        "{text}"
    );
    // `in: body` is the request body, with the API's `consumes`.
    assert!(
        text.contains("Request body application/json object User email string required"),
        "{text}"
    );
    assert!(
        text.contains("200 The user application/json object User"),
        "{text}"
    );
    assert!(html.contains("id=\"schema-user\""));
    // JSON stays JSON when downloaded.
    assert!(html.contains("href=\"definition.json\""));
    assert!(
        site.path()
            .join("catalog/default/api/legacy/definition.json")
            .is_file()
    );
}

#[test]
fn asyncapi_2_and_3_channels_operations_and_messages() {
    let v2 = r##"asyncapi: 2.6.0
info: {title: Orders v2, version: 1.0.0}
channels:
  orders.created:
    description: New orders
    subscribe:
      operationId: onOrderCreated
      summary: Receive new orders
      message: {$ref: '#/components/messages/OrderCreated'}
  orders.cancelled:
    publish:
      message:
        oneOf:
          - {$ref: '#/components/messages/OrderCancelled'}
components:
  messages:
    OrderCreated:
      name: OrderCreated
      contentType: application/json
      payload: {$ref: '#/components/schemas/Order'}
    OrderCancelled:
      payload: {type: object, properties: {reason: {type: string}}}
  schemas:
    Order:
      type: object
      required: [orderId]
      properties:
        orderId: {type: string}
"##;
    let v3 = r##"asyncapi: 3.0.0
info: {title: Orders v3, version: 1.0.0}
channels:
  created:
    address: orders/{orderId}/created
    messages:
      created: {$ref: '#/components/messages/Created'}
operations:
  sendCreated:
    action: send
    summary: Publish a new order
    channel: {$ref: '#/channels/created'}
    messages: [{$ref: '#/channels/created/messages/created'}]
  onCreated:
    action: receive
    channel: {$ref: '#/channels/created'}
components:
  messages:
    Created:
      headers: {type: object, properties: {traceId: {type: string}}}
      payload:
        schemaFormat: application/vnd.aai.asyncapi+json;version=3.0.0
        schema: {type: object, properties: {total: {type: number}}}
"##;
    let (html, err, _site) = page(
        &[
            ("v2.yaml", &api("v2", "asyncapi", "v2.async.yaml")),
            ("v2.async.yaml", v2),
            ("v3.yaml", &api("v3", "asyncapi", "v3.async.yaml")),
            ("v3.async.yaml", v3),
        ],
        "v2",
    );
    assert!(!err.contains("E051"), "{err}");
    let text = section(&html);
    assert!(
        text.contains("AsyncAPI 2.6.0 · Orders v2 · version 1.0.0 · 2 operations"),
        "{text}"
    );
    assert!(
        text.contains("orders.created New orders SUBSCRIBE orders.created Receive new orders"),
        "{text}"
    );
    assert!(text.contains("OrderCreated application/json"), "{text}");
    assert!(
        text.contains("Payload object Order orderId string required"),
        "{text}"
    );
    assert!(text.contains("PUBLISH orders.cancelled"), "{text}");
    assert!(
        text.contains("OrderCancelled Payload object reason string"),
        "{text}"
    );
    assert!(html.contains("id=\"op-subscribe-orders-created\""));

    let v3_page =
        std::fs::read_to_string(_site.path().join("catalog/default/api/v3/index.html")).unwrap();
    let text = section(&v3_page);
    assert!(
        text.contains("AsyncAPI 3.0.0 · Orders v3 · version 1.0.0 · 2 operations"),
        "{text}"
    );
    assert!(
        text.contains("SEND orders/{orderId}/created Publish a new order"),
        "{text}"
    );
    assert!(text.contains("Headers object traceId string"), "{text}");
    // The multi-format payload shows its schema.
    assert!(text.contains("Payload object total number"), "{text}");
    // An operation without `messages` takes its channel's.
    assert!(
        text.contains("RECEIVE orders/{orderId}/created Link to this operation Operation onCreated Messages created"),
        "{text}"
    );
    assert!(v3_page.contains("id=\"op-send-orders-orderid-created\""));
    assert!(v3_page.contains("id=\"op-receive-orders-orderid-created\""));
}

#[test]
fn cyclic_refs_stop_at_the_first_repeat() {
    let def = r##"openapi: 3.1.0
info: {title: Trees, version: "1"}
paths:
  /tree:
    get:
      responses:
        '200':
          description: The tree
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Node'}
components:
  schemas:
    Node:
      type: object
      properties:
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
        partner: {$ref: '#/components/schemas/Partner'}
    Partner:
      type: object
      properties:
        back: {$ref: '#/components/schemas/Node'}
    Loop: {$ref: '#/components/schemas/Loop'}
"##;
    let dir = catalog(&[
        ("group.yaml", GROUP),
        ("trees.yaml", &api("trees", "openapi", "openapi.yaml")),
        ("openapi.yaml", def),
    ]);
    let site = tempfile::tempdir().unwrap();
    // Under a memory limit and a timeout: an unbounded expansion fails
    // here instead of exhausting the machine.
    let run = limited_build(dir.path(), site.path(), 1_000_000, 60);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let html =
        std::fs::read_to_string(site.path().join("catalog/default/api/trees/index.html")).unwrap();
    let text = section(&html);
    assert!(
        text.contains("children array [items] Node (cycle: Node again)"),
        "{text}"
    );
    assert!(
        text.contains("partner object Partner back Node (cycle: Node again)"),
        "{text}"
    );
    assert!(
        text.contains("Loop Link to this schema Loop (cycle: Loop again)"),
        "{text}"
    );
}

/// `portolan build` in `sh` with `ulimit -v KIB` and `timeout SECS`.
fn limited_build(root: &Path, site: &Path, kib: u64, secs: u64) -> std::process::Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {kib}; exec timeout {secs} \"$0\" build \"$1\" --out \"$2\" --today 2026-11-28"
        ))
        .arg(env!("CARGO_BIN_EXE_portolan"))
        .arg(root)
        .arg(site)
        .output()
        .expect("run portolan under limits")
}

#[test]
fn a_malformed_definition_is_reported_and_the_page_still_renders() {
    let broken =
        "openapi: 3.0.0\ninfo:\n  title: Broken\npaths:\n  /a:\n    get: {summary: x\n  /b: {}\n";
    let (html, err, site) = page(
        &[
            ("broken.yaml", &api("broken", "openapi", "openapi.yaml")),
            ("openapi.yaml", broken),
        ],
        "broken",
    );
    assert!(err.contains("E0510"), "{err}");
    let text = section(&html);
    assert!(
        text.contains("The definition could not be parsed (line 7"),
        "{text}"
    );
    assert!(html.contains("href=\"definition.yaml\""));
    assert_eq!(
        std::fs::read_to_string(
            site.path()
                .join("catalog/default/api/broken/definition.yaml")
        )
        .unwrap(),
        broken
    );
    // `check` reports it at the definition file's line.
    assert!(err.contains("openapi.yaml:7:"), "{err}");
}

#[test]
fn refs_to_files_inside_root_are_read_and_outside_root_never() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(
        outer.path().join("secret.yaml"),
        "Secret: {type: object, properties: {leakedPropertyName: {type: string}}}\n",
    )
    .unwrap();
    let root = outer.path().join("repo");
    let def = r##"openapi: 3.0.3
info: {title: Split, version: "1"}
paths:
  /pets:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: 'schemas/pet.yaml#/Pet'}
        '500':
          description: nope
          content:
            application/json:
              schema: {$ref: '../secret.yaml#/Secret'}
"##;
    for (name, text) in [
        ("group.yaml", GROUP),
        (
            "split.yaml",
            api("split", "openapi", "openapi.yaml").as_str(),
        ),
        ("openapi.yaml", def),
        (
            "schemas/pet.yaml",
            "Pet: {type: object, properties: {tag: {$ref: 'common.yaml#/Tag'}}}\n",
        ),
        (
            "schemas/common.yaml",
            "Tag: {type: string, description: A tag from another file}\n",
        ),
    ] {
        let p = root.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let site = tempfile::tempdir().unwrap();
    let run = build(&root, site.path());
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let err = check(&root);
    assert!(
        err.contains("E0115") && err.contains("openapi.yaml:16:"),
        "{err}"
    );
    let html =
        std::fs::read_to_string(site.path().join("catalog/default/api/split/index.html")).unwrap();
    let text = section(&html);
    // Followed into a file, and from there (relative to it) into another.
    assert!(
        text.contains("object Pet tag string Tag A tag from another file"),
        "{text}"
    );
    assert!(!html.contains("leakedPropertyName"));
    assert!(
        text.contains("Secret (in a file that was not read)"),
        "{text}"
    );
}

#[test]
fn graphql_and_proto_list_their_types_with_the_source() {
    let sdl = r#"# The schema
"""
A block description with a { brace
"""
type Query {
  orders(first: Int = 10): [Order!]! # comment with }
}
input NewOrder { sku: String! }
enum Status {
  OPEN
  CLOSED
}
union SearchResult = Order | Customer
scalar DateTime
extend type Order {
  status: Status
}
"#;
    let proto = r#"syntax = "proto3";
package shop.v1;
/* A comment with message Fake { */
service Orders {
  rpc Get (GetRequest) returns (Order);
  rpc Watch (GetRequest) returns (stream Order) {}
}
message Order {
  string id = 1; // trailing
  message Line {
    string sku = 1;
  }
  repeated Line lines = 2;
  enum State { STATE_UNSPECIFIED = 0; }
}
"#;
    let (html, err, site) = page(
        &[
            ("graph.yaml", &api("graph", "graphql", "schema.graphql")),
            ("schema.graphql", sdl),
            ("grpc.yaml", &api("grpc", "grpc", "orders.proto")),
            ("orders.proto", proto),
        ],
        "graph",
    );
    assert!(!err.contains("E051"), "{err}");
    let text = section(&html);
    for t in [
        "type Query line 5 orders(first: Int = 10): [Order!]! # comment with }",
        "input NewOrder line 8",
        "enum Status line 9 OPEN CLOSED",
        "union SearchResult line 13 Order Customer",
        "scalar DateTime line 14",
        "extend Order line 15 status: Status",
    ] {
        assert!(text.contains(t), "missing `{t}` in {text}");
    }
    // The source is highlighted at build time with classes (the CSP
    // allows no inline style), its text escaped.
    assert!(
        html.contains("<pre class=\"highlight\"><code class=\"language-graphql\"><span class=\"hl-source hl-graphql\"><span class=\"hl-comment hl-line hl-number-sign hl-graphql\"># The schema"),
        "{html}"
    );
    for span in [
        "<span class=\"hl-keyword hl-other hl-graphql\">type</span> <span class=\"hl-entity hl-name hl-type hl-graphql\">Query</span>",
        "<span class=\"hl-support hl-type hl-builtin hl-graphql\">Int</span>",
        "<span class=\"hl-string hl-quoted hl-triple hl-graphql\">",
    ] {
        assert!(html.contains(span), "missing `{span}`");
    }
    assert!(!section_html(&html).contains("style="));
    assert!(html.contains("href=\"definition.graphql\""));
    let html =
        std::fs::read_to_string(site.path().join("catalog/default/api/grpc/index.html")).unwrap();
    let text = section(&html);
    for t in [
        "service Orders line 4 rpc Get (GetRequest) returns (Order); rpc Watch (GetRequest) returns (stream Order) {}",
        "message Order line 8 string id = 1; // trailing repeated Line lines = 2;",
        "message Order.Line line 10 string sku = 1;",
        "enum Order.State line 14",
    ] {
        assert!(text.contains(t), "missing `{t}` in {text}");
    }
    let types = text.split(" Source ").next().unwrap();
    assert!(!types.contains("message Fake"), "{types}");
    for span in [
        "<span class=\"hl-keyword hl-other hl-proto\">syntax</span>",
        "<span class=\"hl-string hl-quoted hl-double hl-proto\"><span class=\"hl-punctuation hl-definition hl-string hl-begin hl-proto\">&quot;</span>proto3&quot;</span>",
        "<span class=\"hl-keyword hl-other hl-proto\">service</span> <span class=\"hl-entity hl-name hl-type hl-proto\">Orders</span>",
        "<span class=\"hl-storage hl-modifier hl-proto\">repeated</span>",
        "<span class=\"hl-comment hl-block hl-proto\">",
    ] {
        assert!(html.contains(span), "missing `{span}` in {html}");
    }
    assert!(!section_html(&html).contains("style="));
    assert!(html.contains("href=\"definition.proto\""));
}

#[test]
fn docs_highlight_off_shows_the_definition_as_escaped_text() {
    let sdl = "type Query { a(x: String = \"<b>\"): ID }\n";
    let (html, _, _) = page(
        &[
            ("portolan.toml", "[docs]\nhighlight = false\n"),
            ("graph.yaml", &api("graph", "graphql", "schema.graphql")),
            ("schema.graphql", sdl),
        ],
        "graph",
    );
    assert!(
        html.contains("<pre><code class=\"language-graphql\">type Query { a(x: String = &quot;&lt;b&gt;&quot;): ID }\n</code></pre>"),
        "{html}"
    );
    assert!(!section_html(&html).contains("hl-"));
}

#[test]
fn a_huge_definition_is_cut_at_the_operation_limit_within_time_and_memory() {
    let mut def = String::from("openapi: 3.0.3\ninfo: {title: Huge, version: '1'}\npaths:\n");
    for i in 0..2_500 {
        def.push_str(&format!(
            "  /r{i}:\n    get:\n      tags: [t{}]\n      summary: Read {i}\n      responses:\n        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/S'}}}}}}}}\n",
            i % 7
        ));
    }
    def.push_str("components:\n  schemas:\n    S: {type: object, properties: {a: {type: string}, b: {$ref: '#/components/schemas/S'}}}\n");
    let dir = catalog(&[
        ("group.yaml", GROUP),
        ("huge.yaml", &api("huge", "openapi", "openapi.yaml")),
        ("openapi.yaml", &def),
    ]);
    let site = tempfile::tempdir().unwrap();
    let run = limited_build(dir.path(), site.path(), 1_000_000, 60);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let err = check(dir.path());
    assert!(err.contains("E0512"), "{err}");
    let html =
        std::fs::read_to_string(site.path().join("catalog/default/api/huge/index.html")).unwrap();
    assert!(html.contains("Only the first 2000 of 2500 operations are shown."));
    assert_eq!(html.matches("class=\"card api-op\"").count(), 2_000);
    assert!(html.contains("id=\"op-get-r1999\"") && !html.contains("id=\"op-get-r2000\""));
}

#[test]
fn the_example_catalog_shows_real_api_references_without_warnings() {
    let site = tempfile::tempdir().unwrap();
    common::build_example(site.path());
    let out = check(&repo().join("example-catalog"));
    assert!(!out.contains("E051"), "{out}");
    let orders = std::fs::read_to_string(
        site.path()
            .join("catalog/default/api/orders-api/index.html"),
    )
    .unwrap();
    let text = section(&orders);
    assert!(
        text.contains("OpenAPI 3.0.3 · Northwind Orders API"),
        "{text}"
    );
    assert!(orders.contains("id=\"op-get-orders\""), "{text}");
    assert!(
        site.path()
            .join("catalog/default/api/orders-api/definition.yaml")
            .is_file()
    );
    let events = std::fs::read_to_string(
        site.path()
            .join("catalog/default/api/order-events/index.html"),
    )
    .unwrap();
    assert!(section(&events).contains("AsyncAPI 2.6.0"));
    let grpc = std::fs::read_to_string(
        site.path()
            .join("catalog/default/api/route-planning-api/index.html"),
    )
    .unwrap();
    assert!(section(&grpc).contains("service RoutePlanner"));
}
