//! The differential test against Backstage itself: the same catalog files go
//! through Backstage's own validation (`tests/backstage/verdict.cjs`, with
//! `@backstage/catalog-model` 1.10.3 from npm) and through `portolan check`,
//! and the two verdicts must agree on every file. A file fails in Backstage
//! when any of its entities is rejected; it fails in Portolan when any
//! error-severity diagnostic points into it.
//!
//! The cases are hand-written files for each rule (YAML-level ones among
//! them: merge keys, kind case, YAML 1.2 scalars) and generated ones: every
//! field of a valid entity of each kind, mutated (removed, empty, blank,
//! wrong type, too long, bad characters, other case).
//!
//! Locally, a missing Node.js or `npm ci --prefix tests/backstage` is a loud
//! skip; under `CI=true` it is a failure (`.ci/run` installs both).

mod common;
use common::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

fn unavailable(why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the Backstage differential test cannot run under CI=true: {why}");
    }
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED the Backstage differential test: {why}. Install with `npm ci --prefix tests/backstage`. ***\n"
    );
}

/// One valid entity per kind Backstage validates. Names are replaced per
/// case so that no two cases define the same entity.
fn bases() -> Vec<(&'static str, Value)> {
    let meta = |name: &str| {
        json!({
            "name": name,
            "title": "A title",
            "description": "Something useful.",
            "tags": ["java", "c++"],
            "labels": {"tier": "one"},
            "annotations": {"backstage.io/techdocs-ref": "dir:."},
            "links": [{"url": "https://example.com/x", "title": "Runbook", "icon": "docs", "type": "runbook"}]
        })
    };
    vec![
        (
            "component",
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": meta("c"),
                "spec": {"type": "service", "lifecycle": "production", "owner": "team-a", "system": "sys",
                         "subcomponentOf": "parent", "providesApis": ["api-a"], "consumesApis": ["api-b"],
                         "dependsOn": ["resource:db"]}}),
        ),
        (
            "api",
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "API", "metadata": meta("a"),
                "spec": {"type": "openapi", "lifecycle": "production", "owner": "team-a", "system": "sys",
                         "definition": "openapi: 3.0.0\n"}}),
        ),
        (
            "resource",
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Resource", "metadata": meta("r"),
                "spec": {"type": "database", "owner": "team-a", "system": "sys", "dependsOn": ["component:c"]}}),
        ),
        (
            "system",
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "System", "metadata": meta("s"),
                "spec": {"owner": "team-a", "domain": "dom", "type": "product"}}),
        ),
        (
            "domain",
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Domain", "metadata": meta("d"),
                "spec": {"owner": "team-a", "subdomainOf": "parent-domain", "type": "product-area"}}),
        ),
        (
            "group",
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": meta("g"),
                "spec": {"type": "team", "parent": "org", "children": [], "members": ["someone"],
                         "profile": {"displayName": "Team", "email": "t@example.com", "picture": "https://example.com/p.png"}}}),
        ),
        (
            "user",
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "User", "metadata": meta("u"),
                "spec": {"memberOf": ["team-a"],
                         "profile": {"displayName": "Someone", "email": "s@example.com", "picture": "https://example.com/p.png"}}}),
        ),
        (
            "location",
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Location", "metadata": meta("l"),
                "spec": {"type": "url", "targets": ["https://example.com/a.yaml"], "presence": "optional"}}),
        ),
        (
            "template",
            json!({"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template", "metadata": meta("t"),
                "spec": {"type": "service", "owner": "team-a",
                         "parameters": [{"title": "Name", "properties": {"name": {"type": "string"}}}],
                         "steps": [{"id": "fetch", "name": "Fetch", "action": "fetch:template", "input": {"url": "./skeleton"}}]}}),
        ),
    ]
}

/// The values each field is replaced with (`None`: the field is removed).
fn mutations() -> Vec<(&'static str, Option<Value>)> {
    vec![
        ("removed", None),
        ("empty", Some(json!(""))),
        ("blank", Some(json!("   "))),
        ("null", Some(Value::Null)),
        ("number", Some(json!(42))),
        ("bool", Some(json!(true))),
        ("list", Some(json!(["x"]))),
        ("empty-list", Some(json!([]))),
        ("map", Some(json!({"a": "b"}))),
        ("long", Some(json!("a".repeat(64)))),
        ("very-long", Some(json!("a".repeat(300)))),
        ("spaces", Some(json!("foo bar"))),
        ("upper", Some(json!("Foo"))),
        ("dash-edge", Some(json!("-foo-"))),
        ("underscore", Some(json!("foo_bar"))),
        ("colon", Some(json!("group:foo"))),
        ("ref-no-name", Some(json!("group:"))),
        ("url", Some(json!("https://example.com/a"))),
        ("relative", Some(json!("./a"))),
        ("list-of-empty", Some(json!([""]))),
        ("list-of-number", Some(json!([1]))),
    ]
}

/// Every dotted path of a JSON value that leads to a scalar, list or map,
/// except inside Template parameters and steps (free-form in Backstage).
fn paths(v: &Value, prefix: &str, out: &mut Vec<String>) {
    if let Value::Object(m) = v {
        for (k, child) in m {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            out.push(p.clone());
            if !matches!(
                k.as_str(),
                "parameters" | "steps" | "annotations" | "labels"
            ) {
                paths(child, &p, out);
            }
        }
    }
}

fn set(v: &mut Value, path: &str, new: Option<Value>) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().unwrap();
    let mut cur = v;
    for p in parts {
        cur = cur.get_mut(p).unwrap();
    }
    let m = cur.as_object_mut().unwrap();
    match new {
        Some(n) => {
            m.insert(last.to_string(), n);
        }
        None => {
            m.remove(last);
        }
    }
}

/// The generated cases: each field of each base entity with each mutation.
/// JSON is YAML 1.2, so the text is read the same way by both tools.
fn generated() -> Vec<(String, String)> {
    let mut cases = Vec::new();
    for (kind, base) in bases() {
        let mut fields = Vec::new();
        paths(&base, "", &mut fields);
        // Fields a base does not set but Backstage's schemas know.
        for extra in [
            "metadata.namespace",
            "metadata.uid",
            "metadata.etag",
            "spec.lifecycle",
            "spec.definition",
            "spec.presence",
            "spec.target",
        ] {
            if !fields.iter().any(|f| f == extra) {
                fields.push(extra.to_string());
            }
        }
        for field in fields {
            for (mname, value) in mutations() {
                let mut e = base.clone();
                if set_checked(&mut e, &field, value).is_none() {
                    continue;
                }
                let id = format!("{kind}-{}-{mname}", field.replace('.', "-"));
                if field != "metadata.name" {
                    // Fails only where `metadata` itself is the mutated field.
                    let _ = set_checked(&mut e, "metadata.name", Some(json!(slug(&id))));
                }
                cases.push((id, serde_json::to_string_pretty(&e).unwrap()));
            }
        }
        // The base itself, and the base with every kind spelling Backstage
        // sees as another kind.
        let mut e = base.clone();
        set(
            &mut e,
            "metadata.name",
            Some(json!(format!("{kind}-valid"))),
        );
        cases.push((
            format!("{kind}-valid"),
            serde_json::to_string_pretty(&e).unwrap(),
        ));
        let k = base["kind"].as_str().unwrap();
        for (spelling, name) in [(k.to_lowercase(), "lower"), (k.to_uppercase(), "upper")] {
            if spelling == k {
                continue;
            }
            let mut e = base.clone();
            set(&mut e, "kind", Some(json!(spelling)));
            set(
                &mut e,
                "metadata.name",
                Some(json!(format!("{kind}-kind-case-{name}"))),
            );
            cases.push((
                format!("{kind}-kind-case-{name}"),
                serde_json::to_string_pretty(&e).unwrap(),
            ));
        }
    }
    cases
}

/// Like `set`, but `None` when the parent of the path is not a mapping.
fn set_checked(v: &mut Value, path: &str, new: Option<Value>) -> Option<()> {
    let mut parts: Vec<&str> = path.split('.').collect();
    parts.pop();
    let mut cur = &*v;
    for p in &parts {
        cur = cur.get(*p)?;
    }
    cur.as_object()?;
    set(v, path, new);
    Some(())
}

fn slug(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    s.chars()
        .take(63)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

const HEADER: &str = "apiVersion: backstage.io/v1alpha1\n";

/// Hand-written files, one rule each, in the shapes people write.
fn handwritten() -> Vec<(String, String)> {
    let comp = |name: &str, extra: &str| {
        format!(
            "{HEADER}kind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n{extra}"
        )
    };
    let mut v: Vec<(&str, String)> = vec![
        // YAML merge keys: Backstage's YAML 1.2 parser keeps `<<` as a key.
        (
            "merge-key-supplies-required-fields",
            format!(
                "{HEADER}kind: Component\nmetadata:\n  name: merged\nspec:\n  <<: &defaults\n    type: service\n    lifecycle: production\n    owner: team-a\n"
            ),
        ),
        (
            "merge-key-in-metadata-with-fields-present",
            format!(
                "{HEADER}kind: Component\nmetadata:\n  name: merged-meta\n  <<: {{title: Merged}}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
            ),
        ),
        (
            "merge-key-at-root",
            "x-defaults: &d\n  apiVersion: backstage.io/v1alpha1\n---\n<<: *d\nkind: Component\nmetadata:\n  name: merged-root\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n".to_string(),
        ),
        // An anchor and alias without a merge is plain YAML.
        (
            "anchor-and-alias",
            format!(
                "{HEADER}kind: Component\nmetadata:\n  name: anchored\n  tags: &t [java]\n  labels: {{}}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  dependsOn: []\n"
            ),
        ),
        // YAML 1.2 scalars: `yes`, `on` and `no` are strings, `1.0` a number.
        ("yaml12-yes-lifecycle", comp("yes-lifecycle", "").replace("lifecycle: production", "lifecycle: yes")),
        ("yaml12-on-type", comp("on-type", "").replace("type: service", "type: on")),
        ("yaml12-number-type", comp("number-type", "").replace("type: service", "type: 1.0")),
        ("yaml12-null-owner", comp("null-owner", "").replace("owner: team-a", "owner: ~")),
        ("yaml12-quoted-number", comp("quoted-number", "").replace("type: service", "type: \"1.0\"")),
        ("name-number", comp("1234", "")),
        ("name-quoted-number", comp("\"1234\"", "")),
        ("name-bool", comp("true", "")),
        ("root-relations", format!("{}relations: []\n", comp("with-relations", ""))),
        ("root-status", format!("{}status: {{}}\n", comp("with-status", ""))),
        ("root-extra", format!("{}extra: 1\n", comp("with-extra", ""))),
        ("root-list", "- a\n- b\n".to_string()),
        ("root-scalar", "just a string\n".to_string()),
        ("empty-document-between", format!("---\n---\n{}", comp("after-empty", ""))),
        ("duplicate-key", comp("dup-key", "  type: other\n")),
        ("tabs-in-indent", comp("tabs", "").replace("  owner", "\towner")),
        ("missing-kind", format!("{HEADER}metadata:\n  name: no-kind\nspec: {{}}\n")),
        ("missing-metadata", format!("{HEADER}kind: Component\nspec: {{}}\n")),
        ("missing-api-version", "kind: Component\nmetadata:\n  name: no-version\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n".to_string()),
        ("api-version-v1beta1", comp("v1beta1", "").replace("v1alpha1", "v1beta1")),
        ("api-version-other-group", comp("other-group", "").replace("backstage.io/v1alpha1", "example.com/v1")),
        ("api-version-no-group", comp("no-group", "").replace("backstage.io/v1alpha1", "v1")),
        ("unknown-kind", format!("{HEADER}kind: Widget\nmetadata:\n  name: widget\nspec:\n  owner: team-a\n")),
        ("kind-with-dash", format!("{HEADER}kind: My-Kind\nmetadata:\n  name: dashed\n")),
        ("ref-with-spaces", comp("ref-spaces", "").replace("owner: team-a", "owner: team a")),
        ("ref-kind-only-colon", comp("ref-colon", "").replace("owner: team-a", "owner: \"group:\"")),
        ("ref-namespace-empty", comp("ref-ns-empty", "").replace("owner: team-a", "owner: group:/x")),
        ("ref-wrong-kind", comp("ref-wrong-kind", "").replace("owner: team-a", "owner: api:x")),
        ("ref-uppercase", comp("ref-upper", "").replace("owner: team-a", "owner: Group:Default/Team-A")),
        ("depends-on-without-kind", comp("dep-no-kind", "  dependsOn: [db]\n")),
        ("depends-on-with-kind", comp("dep-kind", "  dependsOn: [resource:db]\n")),
        ("system-other-kind", comp("sys-kind", "  system: domain:y\n")),
        ("location-no-target", format!("{HEADER}kind: Location\nmetadata:\n  name: loc-none\nspec:\n  type: url\n")),
        ("location-empty-spec", format!("{HEADER}kind: Location\nmetadata:\n  name: loc-empty\nspec: {{}}\n")),
        ("location-presence-bad", format!("{HEADER}kind: Location\nmetadata:\n  name: loc-presence\nspec:\n  type: url\n  targets: [https://example.com/a.yaml]\n  presence: sometimes\n")),
        ("user-no-member-of", format!("{HEADER}kind: User\nmetadata:\n  name: lonely\nspec: {{}}\n")),
        ("user-member-of-empty", format!("{HEADER}kind: User\nmetadata:\n  name: lonely-but-ok\nspec:\n  memberOf: []\n")),
        ("user-no-spec", format!("{HEADER}kind: User\nmetadata:\n  name: no-spec\n")),
        ("group-no-children", format!("{HEADER}kind: Group\nmetadata:\n  name: childless\nspec:\n  type: team\n")),
        ("api-no-definition", format!("{HEADER}kind: API\nmetadata:\n  name: undefined-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n")),
        ("api-mcp-no-definition", format!("{HEADER}kind: API\nmetadata:\n  name: mcp\nspec:\n  type: mcp-server\n  lifecycle: production\n  owner: team-a\n  remotes:\n    - type: streamable-http\n      url: https://mcp.example.com/\n")),
        ("api-mcp-no-remotes", format!("{HEADER}kind: API\nmetadata:\n  name: mcp-bare\nspec:\n  type: mcp-server\n  lifecycle: production\n  owner: team-a\n")),
        ("api-definition-text-placeholder-remote", format!("{HEADER}kind: API\nmetadata:\n  name: remote-def\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition: \"see https://example.com/openapi.yaml\"\n")),
        ("link-relative-url", comp("link-rel", "").replace("metadata:\n", "metadata:\n  links:\n    - url: /relative\n")),
        ("link-mailto", comp("link-mailto", "").replace("metadata:\n", "metadata:\n  links:\n    - url: mailto:a@example.com\n")),
        ("link-other-scheme", comp("link-scheme", "").replace("metadata:\n", "metadata:\n  links:\n    - url: slack://channel\n")),
        ("link-no-url", comp("link-no-url", "").replace("metadata:\n", "metadata:\n  links:\n    - title: Docs\n")),
        ("link-extra-field", comp("link-extra", "").replace("metadata:\n", "metadata:\n  links:\n    - url: https://example.com/\n      color: red\n")),
        ("annotation-number-value", comp("ann-num", "").replace("metadata:\n", "metadata:\n  annotations:\n    example.com/n: 5\n")),
        ("annotation-bad-key", comp("ann-key", "").replace("metadata:\n", "metadata:\n  annotations:\n    \"bad key\": x\n")),
        ("annotation-two-slashes", comp("ann-slashes", "").replace("metadata:\n", "metadata:\n  annotations:\n    a/b/c: x\n")),
        ("label-empty-value", comp("label-empty", "").replace("metadata:\n", "metadata:\n  labels:\n    tier: \"\"\n")),
        ("label-bad-value", comp("label-bad", "").replace("metadata:\n", "metadata:\n  labels:\n    tier: \"a b\"\n")),
        ("tag-colon", comp("tag-colon", "").replace("metadata:\n", "metadata:\n  tags: [\"lang:java\"]\n")),
        ("tag-upper", comp("tag-upper", "").replace("metadata:\n", "metadata:\n  tags: [Java]\n")),
        ("description-number", comp("desc-num", "").replace("metadata:\n", "metadata:\n  description: 5\n")),
        ("metadata-extra-field", comp("meta-extra", "").replace("metadata:\n", "metadata:\n  team: a\n")),
        ("spec-extra-field", comp("spec-extra", "  pipeline:\n    stages: [build]\n")),
        ("spec-not-a-map", format!("{HEADER}kind: Component\nmetadata:\n  name: spec-list\nspec: [a]\n")),
        ("namespace-upper", comp("ns-upper", "").replace("metadata:\n", "metadata:\n  namespace: Team\n")),
        ("namespace-ok", comp("ns-ok", "").replace("metadata:\n", "metadata:\n  namespace: team-a\n")),
        ("template-v1beta2", "apiVersion: backstage.io/v1beta2\nkind: Template\nmetadata:\n  name: old-template\nspec:\n  type: service\n  steps: []\n".to_string()),
        ("template-no-steps", "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: stepless\nspec:\n  type: service\n".to_string()),
        ("component-v1beta2", comp("beta2", "").replace("v1alpha1", "v1beta2")),
        ("multi-doc-one-bad", format!("{}---\n{}", comp("good-one", ""), comp("bad-one", "").replace("  owner: team-a\n", ""))),
    ];
    v.sort_by(|a, b| a.0.cmp(b.0));
    v.into_iter()
        .map(|(id, text)| (format!("hand-{id}"), text))
        .collect()
}

#[test]
fn portolan_check_agrees_with_backstage_on_every_case() {
    if Command::new("node").arg("--version").output().is_err() {
        return unavailable("node not found");
    }
    let harness = repo().join("tests/backstage");
    if !harness
        .join("node_modules/@backstage/catalog-model")
        .is_dir()
    {
        return unavailable("tests/backstage/node_modules is not installed");
    }
    let mut cases = handwritten();
    cases.extend(generated());
    let mut seen = BTreeSet::new();
    let dups: Vec<&str> = cases
        .iter()
        .map(|(id, _)| id.as_str())
        .filter(|id| !seen.insert(*id))
        .collect();
    assert!(dups.is_empty(), "case ids are unique: {dups:?}");

    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, (id, text)) in cases.iter().enumerate() {
        // `catalog-info.yaml`, the name that promises entities, as a file
        // registered in Backstage does.
        let name = format!("case-{i:04}/catalog-info.yaml");
        std::fs::create_dir_all(dir.path().join(format!("case-{i:04}"))).unwrap();
        std::fs::write(dir.path().join(&name), text).unwrap();
        files.push((name, id.as_str()));
    }

    // Backstage's verdicts.
    let started = std::time::Instant::now();
    let mut child = Command::new("node")
        .arg(harness.join("verdict.cjs"))
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("run node");
    let list: String = files.iter().map(|(f, _)| format!("{f}\n")).collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(list.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the Backstage harness failed");
    let mut backstage: BTreeMap<String, (bool, String)> = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        backstage.insert(
            v["file"].as_str().unwrap().to_string(),
            (
                v["ok"].as_bool().unwrap(),
                v["reason"].as_str().unwrap_or("").to_string(),
            ),
        );
    }
    assert_eq!(backstage.len(), files.len());
    let node_time = started.elapsed();
    let started = std::time::Instant::now();

    // Portolan's verdicts: the error codes pointing into each file.
    let out = portolan(
        &["check", ".", "--format", "json", "--no-scorecards"],
        dir.path(),
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    eprintln!(
        "Backstage took {node_time:.1?}; portolan check took {:.1?}",
        started.elapsed()
    );
    let mut errors: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for d in report["diagnostics"].as_array().unwrap() {
        if d["severity"] == "error" {
            let file = d["file"].as_str().unwrap_or("<none>").to_string();
            errors.entry(file).or_default().insert(format!(
                "{} {}",
                d["code"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            ));
        }
    }
    let stray: Vec<_> = errors
        .keys()
        .filter(|f| !backstage.contains_key(*f))
        .collect();
    assert!(
        stray.is_empty(),
        "errors outside the case files: {stray:?} {errors:?}"
    );

    let mut disagreements = Vec::new();
    for (file, id) in &files {
        let (ok, reason) = &backstage[file];
        let ours = errors.get(file);
        if *ok != ours.is_none() {
            disagreements.push(format!(
                "{id} ({file}):\n    Backstage: {}\n    Portolan:  {}",
                if *ok {
                    "accepts".to_string()
                } else {
                    format!("rejects: {reason}")
                },
                ours.map_or("accepts".to_string(), |e| format!(
                    "rejects: {}",
                    e.iter().cloned().collect::<Vec<_>>().join(" | ")
                )),
            ));
        }
    }
    let rejected = backstage.values().filter(|(ok, _)| !ok).count();
    eprintln!(
        "Backstage differential: {} cases ({} rejected by Backstage), {} agree, {} disagree",
        files.len(),
        rejected,
        files.len() - disagreements.len(),
        disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} cases disagree with Backstage:\n{}",
        disagreements.len(),
        files.len(),
        disagreements.join("\n")
    );
}
