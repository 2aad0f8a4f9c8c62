#!/usr/bin/env bash
# Times `portolan build` of a catalog whose one API has a ~5 MB OpenAPI
# document (the issue's target: under 500 ms), against the same catalog
# with a one-operation definition (the floor: everything but the API
# reference), and prints the `api reference` phase from PORTOLAN_TIMINGS.
#
#   bench/apiref.sh                  # 5 MB YAML, best of 5 runs
#   MB=20 RUNS=3 bench/apiref.sh     # a bigger document
#   FORMAT=json bench/apiref.sh      # the same document as JSON
#
# The document is generated: MB megabytes of paths (GET and POST each, a
# path parameter, a query parameter, a request body and three responses,
# every body a `$ref` to one of the named schemas) and 12-property schemas
# that refer to each other. `[catalog] max_file_bytes` is raised to 64 MiB
# in the generated portolan.toml (the default, 4 MiB, refuses the file).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
MB=${MB:-5}
RUNS=${RUNS:-5}
FORMAT=${FORMAT:-yaml}
BENCH_DIR=${BENCH_DIR:-/tmp/portolan-bench-apiref}
OUT_DIR=${OUT_DIR:-/dev/shm/portolan-bench-apiref-out}
BIN=${CARGO_TARGET_DIR:-target}/release/portolan

cargo build --release --locked --quiet
rm -rf "$BENCH_DIR" "$OUT_DIR"
mkdir -p "$BENCH_DIR" "$OUT_DIR"
trap 'rm -rf "$OUT_DIR"' EXIT

python3 - "$BENCH_DIR" "$MB" "$FORMAT" <<'PY'
import json, os, sys
root, mb, fmt = sys.argv[1], float(sys.argv[2]), sys.argv[3]
target = int(mb * 1_000_000)

def schema(i, n):
    props = {f"field{j}": {"type": "string", "description": f"Field {j} of schema {i}", "maxLength": 64}
             for j in range(10)}
    props["child"] = {"$ref": f"#/components/schemas/S{(i * 7 + 1) % n}"}
    props["items"] = {"type": "array", "items": {"$ref": f"#/components/schemas/S{(i * 13 + 5) % n}"}}
    return {"type": "object", "required": ["field0", "field1"], "description": f"Schema number {i}", "properties": props}

def path_item(i, n):
    ref = {"$ref": f"#/components/schemas/S{i % n}"}
    resp = {
        "200": {"description": "OK", "content": {"application/json": {"schema": ref}}},
        "404": {"description": "Not found", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        "500": {"description": "Server error"},
    }
    params = [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}},
        {"name": "expand", "in": "query", "description": "Related resources to include", "schema": {"type": "array", "items": {"type": "string"}}},
    ]
    return {
        "get": {"tags": [f"tag{i % 40}"], "operationId": f"get{i}", "summary": f"Read resource {i}",
                "description": "Returns the resource with its related resources when asked.", "parameters": params, "responses": resp},
        "post": {"tags": [f"tag{i % 40}"], "operationId": f"post{i}", "summary": f"Replace resource {i}",
                 "parameters": params[:1], "requestBody": {"content": {"application/json": {"schema": ref}}}, "responses": resp},
    }

def to_yaml(v, indent=0):
    pad = "  " * indent
    out = []
    if isinstance(v, dict):
        for k, x in v.items():
            key = json.dumps(k) if not k.replace("_", "").isalnum() else k
            if isinstance(x, (dict, list)) and x:
                out.append(f"{pad}{key}:")
                out.append(to_yaml(x, indent + 1))
            else:
                out.append(f"{pad}{key}: {json.dumps(x)}")
    else:
        for x in v:
            if isinstance(x, (dict, list)) and x:
                inner = to_yaml(x, indent + 1).lstrip()
                out.append(f"{pad}- {inner}")
            else:
                out.append(f"{pad}- {json.dumps(x)}")
    return "\n".join(out)

# Grow until the document, as written, reaches the target size.
n_schemas, n_paths = 100, 100
while True:
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "Generated", "version": "1.0.0", "description": "A large generated API."},
        "tags": [{"name": f"tag{t}", "description": f"Tag {t}"} for t in range(40)],
        "paths": {f"/resources{i}/{{id}}": path_item(i, n_schemas) for i in range(n_paths)},
        "components": {"schemas": {**{f"S{i}": schema(i, n_schemas) for i in range(n_schemas)},
                                   "Error": {"type": "object", "properties": {"code": {"type": "string"}}}}},
    }
    body = json.dumps(doc, indent=1) if fmt == "json" else to_yaml(doc) + "\n"
    if len(body) >= target:
        break
    grow = target / len(body)
    n_schemas, n_paths = int(n_schemas * grow) + 1, int(n_paths * grow) + 1

name = "openapi.json" if fmt == "json" else "openapi.yaml"
small = {"openapi": "3.0.3", "info": {"title": "Small", "version": "1"},
         "paths": {"/a": {"get": {"responses": {"200": {"description": "OK"}}}}}}
for sub, content in (("big", body), ("floor", json.dumps(small))):
    d = os.path.join(root, sub)
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), "w").write(content)
    open(os.path.join(d, "portolan.toml"), "w").write("[catalog]\nmax_file_bytes = 67108864\n")
    open(os.path.join(d, "catalog-info.yaml"), "w").write(f"""apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: generated
spec:
  type: openapi
  lifecycle: production
  owner: team-a
  definition:
    $openapi: ./{name}
""")
print(f"{name}: {len(body) / 1e6:.1f} MB, {n_paths} paths ({2 * n_paths} operations), {n_schemas + 1} schemas",
      file=sys.stderr)
PY

run() {
    local dir=$1 best_wall="" best_kib=""
    for i in $(seq "$RUNS"); do
        measure "$BIN" build "$dir" --out "$OUT_DIR/$i"
        [ "$CODE" = 0 ] || { echo "build of $dir failed ($CODE)" >&2; exit 1; }
        rm -rf "${OUT_DIR:?}/$i"
        if [ -z "$best_wall" ] || awk -v a="$WALL" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
            best_wall=$WALL best_kib=$KIB
        fi
    done
    echo "$best_wall $best_kib"
}

cat "$BENCH_DIR"/big/* >/dev/null
read -r big_wall big_kib < <(run "$BENCH_DIR/big")
read -r floor_wall floor_kib < <(run "$BENCH_DIR/floor")
phase=$(PORTOLAN_TIMINGS=1 "$BIN" build "$BENCH_DIR/big" --out "$OUT_DIR/t" 2>&1 | grep -E "api reference|entity pages" | tr -s ' ' | paste -sd ';' -)
size=$(du -b "$BENCH_DIR"/big/openapi.* | cut -f1)
echo
echo "| catalog | definition | build wall (best of $RUNS) | peak RSS |"
echo "|---|---|---|---|"
printf '| big | %s bytes (%s) | %s s | %s MiB |\n' "$size" "$FORMAT" "$big_wall" "$((big_kib / 1024))"
printf '| floor | one operation | %s s | %s MiB |\n' "$floor_wall" "$((floor_kib / 1024))"
echo
echo "PORTOLAN_TIMINGS (big): $phase"
