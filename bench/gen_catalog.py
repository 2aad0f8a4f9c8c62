#!/usr/bin/env python3
"""Generate a synthetic, realistic Backstage catalog of any size.

    python3 bench/gen_catalog.py --entities N --out DIR [--docs-pages 3]
                                 [--teams T] [--seed S] [--batch 100] [--force]

Python 3 standard library only. The output is deterministic for a given set
of arguments (one seeded RNG drives the plan; each component's and API's own
files use an RNG derived from the seed and the entity name).

Layout of DIR:

    components/<name>/catalog-info.yaml   one Component (with TechDocs)
    components/<name>/mkdocs.yml
    components/<name>/docs/*.md           --docs-pages pages, index.md first
    apis/<name>/catalog-info.yaml         one API, definition: {$text: ./openapi.yaml}
    apis/<name>/openapi.yaml              a small OpenAPI 3 document
    groups/groups-NNNN.yaml               multi-document files, --batch entities each
    users/users-NNNN.yaml
    domains/domains-NNNN.yaml
    systems/systems-NNNN.yaml
    resources/resources-NNNN.yaml
    .gen-catalog.json                     parameters and counts (not YAML)

Every reference resolves: owners, systems, domains, provided/consumed APIs,
dependsOn targets, parents/children, memberOf/members, subcomponentOf and
subdomainOf all point at generated entities, and the hierarchies are acyclic.
"""

import argparse
import json
import multiprocessing
import os
import random
import shutil
import sys
import time

MARKER = ".gen-catalog.json"
API_VERSION = "backstage.io/v1alpha1"

# --------------------------------------------------------------------------
# Word pools. Only lowercase ASCII letters, so they are safe in names, tags
# and plain YAML scalars.
# --------------------------------------------------------------------------

AREAS = [
    "payments", "billing", "identity", "search", "checkout", "catalog",
    "shipping", "inventory", "pricing", "orders", "accounts", "messaging",
    "notifications", "analytics", "reporting", "fraud", "risk", "ledger",
    "onboarding", "loyalty", "marketing", "ads", "media", "content",
    "storage", "compute", "network", "observability", "security", "platform",
    "mobile", "web", "data", "ml", "recommendations", "support", "partners",
    "compliance", "tax", "logistics",
]
NOUNS = [
    "gateway", "service", "worker", "scheduler", "indexer", "ingest",
    "router", "proxy", "adapter", "engine", "store", "cache", "broker",
    "exporter", "importer", "collector", "processor", "aggregator", "api",
    "backend", "frontend", "portal", "console", "sync", "bridge", "monitor",
    "resolver", "validator", "renderer", "tracker",
]
API_NOUNS = [w for w in NOUNS if w not in ("api", "backend", "frontend", "console", "portal")]
COMPONENT_TYPES = [("service", 70), ("website", 15), ("library", 15)]
LIFECYCLES = [("production", 70), ("experimental", 20), ("deprecated", 10)]
RESOURCE_TYPES = [
    ("database", "db"), ("s3-bucket", "bucket"), ("queue", "queue"),
    ("cache", "cache"), ("topic", "topic"),
]
TAGS = [
    "java", "go", "python", "typescript", "rust", "kotlin", "scala", "grpc",
    "rest", "graphql", "kafka", "postgres", "redis", "react", "spring",
    "kubernetes", "serverless", "pci", "gdpr", "tier-1", "tier-2", "tier-3",
    "internal", "public", "batch", "streaming", "c++", "node",
]
FIRST = [
    "alex", "sam", "jordan", "taylor", "morgan", "casey", "riley", "jamie",
    "avery", "quinn", "maria", "jose", "wei", "li", "fatima", "omar", "anna",
    "ivan", "olga", "pierre", "sofia", "lucas", "emma", "noah", "mia",
    "liam", "aisha", "kenji", "yuki", "ravi", "priya", "chen", "sara",
    "david", "elena", "mateo", "nina", "tom", "zoe", "hugo",
]
LAST = [
    "smith", "garcia", "chen", "nguyen", "kim", "patel", "mueller", "rossi",
    "silva", "kowalski", "novak", "jensen", "larsen", "dubois", "martin",
    "tanaka", "sato", "singh", "khan", "ali", "brown", "wilson", "moore",
    "clark", "lopez", "gonzalez", "petrov", "ivanova", "fischer", "weber",
    "schmidt", "costa", "santos", "oliveira", "hansen", "berg", "lind",
]
LINK_KINDS = [
    # (type, host, title, icon)
    ("runbook", "runbooks.example.com", "Runbook", "docs"),
    ("dashboard", "grafana.example.com", "Dashboard", "dashboard"),
    ("deployment", "deploy.example.com", "Deployments", "cloud"),
    ("repository", "git.example.com", "Source", "github"),
]
ADJ = [
    "reliable", "internal", "customer-facing", "high-throughput", "legacy",
    "shared", "event-driven", "stateless", "multi-region", "batch",
]
VERBS = [
    "handles", "serves", "owns", "processes", "exposes", "tracks",
    "stores", "publishes", "validates", "coordinates",
]

SENTENCES = [
    "The @@NAME@@ component {verb} {area} requests for the rest of the platform.",
    "Most traffic arrives through the edge gateway and is routed by tenant.",
    "Requests are authenticated with short-lived tokens issued by the identity service.",
    "State lives in a primary database with asynchronous read replicas.",
    "Writes are idempotent, so clients may retry safely after a timeout.",
    "Every change is published as an event so downstream consumers can react.",
    "The service is deployed to three regions behind a global load balancer.",
    "Configuration is read at startup and can be reloaded without a restart.",
    "Latency budgets are tracked per endpoint and alert when the p99 drifts.",
    "Feature flags gate every user-visible change until it has been verified.",
    "Background jobs run on a fixed schedule and report their progress as metrics.",
    "Logs are structured and shipped to the central pipeline within seconds.",
    "Schema migrations are backwards compatible and applied before the rollout.",
    "Capacity is reviewed every quarter against the forecast from the {area} team.",
    "On-call engineers should read the runbook before acknowledging a page.",
    "Rate limits protect shared dependencies from bursts of retried requests.",
    "Secrets are injected at runtime and never written to disk.",
    "Dependencies are pinned and upgraded weekly by an automated pull request.",
    "Integration tests run against an ephemeral environment for every change.",
    "The public contract is versioned and old versions are supported for a year.",
    "Data older than ninety days is archived to cold storage.",
    "Personal data is encrypted at rest and access to it is audited.",
    "A circuit breaker sheds load when an upstream dependency degrades.",
    "Dashboards show saturation, errors and latency for each region.",
    "Incidents are reviewed blamelessly and follow-ups are tracked as tickets.",
    "The {area} domain relies on this component for consistent reads.",
    "Local development uses containers that mirror the production topology.",
    "Canary releases receive one percent of traffic for the first hour.",
    "Cache entries expire after five minutes unless invalidated by an event.",
    "Backfills must be coordinated with the data platform team in advance.",
]
HEADINGS = [
    "Overview", "Architecture", "Configuration", "Deployment", "Operations",
    "Monitoring", "Troubleshooting", "Dependencies", "Data model", "Security",
    "Scaling", "Testing", "Release process", "Known issues", "Glossary",
]
PAGE_NAMES = [
    ("architecture", "Architecture"), ("runbook", "Runbook"),
    ("deployment", "Deployment"), ("api", "API usage"),
    ("troubleshooting", "Troubleshooting"), ("monitoring", "Monitoring"),
    ("onboarding", "Onboarding"), ("security", "Security"),
    ("data-model", "Data model"), ("faq", "FAQ"),
]
CODE_BLOCKS = [
    ("bash", [
        "make build",
        "docker compose up -d",
        "./scripts/migrate.sh --env=staging",
        "curl -sf http://localhost:8080/healthz",
        "kubectl -n @@NAME@@ rollout status deploy/@@NAME@@",
        "kubectl -n @@NAME@@ logs -l app=@@NAME@@ --tail=100",
        "export LOG_LEVEL=debug",
        "go test ./...",
        "npm run lint && npm test",
        "helm upgrade --install @@NAME@@ ./chart -f values.yaml",
    ]),
    ("yaml", [
        "server:",
        "  port: 8080",
        "  readTimeout: 5s",
        "database:",
        "  host: db.internal.example.com",
        "  pool: 20",
        "cache:",
        "  ttl: 300",
        "features:",
        "  newCheckout: false",
    ]),
    ("python", [
        "import requests",
        "",
        "def fetch(item_id):",
        "    url = f'https://@@NAME@@.example.com/v1/items/{item_id}'",
        "    resp = requests.get(url, timeout=5)",
        "    resp.raise_for_status()",
        "    return resp.json()",
        "",
        "if __name__ == '__main__':",
        "    print(fetch('42'))",
    ]),
    ("go", [
        "package main",
        "",
        "import \"net/http\"",
        "",
        "func main() {",
        "\thttp.HandleFunc(\"/healthz\", func(w http.ResponseWriter, r *http.Request) {",
        "\t\tw.WriteHeader(http.StatusOK)",
        "\t})",
        "\thttp.ListenAndServe(\":8080\", nil)",
        "}",
    ]),
]
TABLE_ROWS = [
    ("PORT", "8080", "Port the HTTP server listens on"),
    ("LOG_LEVEL", "info", "One of debug, info, warn, error"),
    ("DB_POOL_SIZE", "20", "Maximum open database connections"),
    ("CACHE_TTL", "300", "Seconds before a cache entry expires"),
    ("REGION", "eu-west-1", "Primary deployment region"),
    ("TIMEOUT_MS", "5000", "Upstream request timeout"),
    ("RETRIES", "3", "Retries for idempotent calls"),
    ("FEATURE_X", "false", "Enables the experimental flow"),
    ("METRICS_PORT", "9090", "Port for Prometheus scraping"),
    ("WORKERS", "8", "Background worker concurrency"),
]
LIST_ITEMS = [
    "Check the dashboard for elevated error rates",
    "Confirm the latest deployment finished in every region",
    "Look for saturation on the primary database",
    "Verify that the upstream dependencies are healthy",
    "Roll back with the deployment tool if the canary fails",
    "Page the owning team if the issue persists for ten minutes",
    "Record the timeline in the incident channel",
    "Open a follow-up ticket for any manual step",
    "Review the alert thresholds after the incident",
    "Update this page if anything here was wrong",
]


def weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


# --------------------------------------------------------------------------
# Planning: decide every entity and every reference before writing anything.
# --------------------------------------------------------------------------


def kind_counts(n, teams):
    comps = round(n * 0.64)
    apis = max(1, round(n * 0.08))
    resources = max(1, round(n * 0.06))
    systems = max(1, round(n * 0.02))
    domains = max(1, round(n * 0.005))
    groups = teams if teams else max(8, n // 100)
    if groups < 3:
        raise SystemExit("--teams must be at least 3 (root, one department, one team)")
    users = n - comps - apis - resources - systems - domains - groups
    if users < 1:
        raise SystemExit(
            f"--entities {n} is too small for {groups} groups; use more entities or fewer --teams")
    return {
        "Component": comps, "API": apis, "Resource": resources,
        "System": systems, "Domain": domains, "Group": groups, "User": users,
    }


def owner_ref(rng, group):
    x = rng.random()
    if x < 0.70:
        return group
    if x < 0.85:
        return "group:" + group
    return "group:default/" + group


def plan(n, teams, seed):
    rng = random.Random(seed)
    counts = kind_counts(n, teams)

    # ---- Groups: root -> departments -> teams ------------------------------
    n_groups = counts["Group"]
    n_depts = max(1, min(n_groups - 2, round((n_groups - 1) ** 0.5 / 2)))
    n_teams = n_groups - 1 - n_depts
    root = "acme"
    depts = []
    for i in range(n_depts):
        area = AREAS[i % len(AREAS)]
        depts.append(f"dept-{area}" if i < len(AREAS) else f"dept-{area}-{i}")
    team_names = []
    team_dept = []
    for i in range(n_teams):
        d = i % n_depts if i < n_depts else rng.randrange(n_depts)
        team_names.append(f"team-{rng.choice(AREAS)}-{rng.choice(NOUNS)}-{i}")
        team_dept.append(d)

    # ---- Users -------------------------------------------------------------
    users = []
    team_members = [[] for _ in range(n_teams)]
    for i in range(counts["User"]):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first}-{last}-{i}"
        t = i % n_teams if i < n_teams else rng.randrange(n_teams)
        team_members[t].append(name)
        users.append((name, first, last, t))

    # ---- Domains (some are subdomains of earlier ones) ----------------------
    domains = []
    for i in range(counts["Domain"]):
        area = AREAS[i % len(AREAS)]
        name = f"{area}" if i < len(AREAS) else f"{area}-{i}"
        parent = domains[rng.randrange(i)][0] if i >= 4 and rng.random() < 0.3 else None
        owner = owner_ref(rng, depts[rng.randrange(n_depts)])
        domains.append((name, area, owner, parent))

    # ---- Systems -------------------------------------------------------------
    systems = []
    for i in range(counts["System"]):
        d = i % len(domains) if i < len(domains) else rng.randrange(len(domains))
        area = domains[d][1]
        name = f"{area}-{rng.choice(NOUNS)}-platform-{i}"
        owner_team = rng.randrange(n_teams)
        systems.append((name, area, d, owner_team))

    # ---- Resources -----------------------------------------------------------
    resources = []
    for i in range(counts["Resource"]):
        rtype, prefix = RESOURCE_TYPES[rng.randrange(len(RESOURCE_TYPES))]
        s = rng.randrange(len(systems))
        name = f"{prefix}-{systems[s][1]}-{i}"
        resources.append((name, rtype, s, rng.randrange(n_teams)))

    # ---- APIs ------------------------------------------------------------------
    apis = []
    for i in range(counts["API"]):
        s = rng.randrange(len(systems))
        noun = rng.choice(API_NOUNS)
        name = f"{systems[s][1]}-{noun}-api-{i}"
        apis.append((name, s, rng.randrange(n_teams)))

    # ---- Components --------------------------------------------------------------
    n_comps = counts["Component"]
    comps = []
    for i in range(n_comps):
        s = i % len(systems) if i < len(systems) else rng.randrange(len(systems))
        area = systems[s][1]
        ctype = weighted(rng, COMPONENT_TYPES)
        noun = "web" if ctype == "website" else ("lib" if ctype == "library" else rng.choice(NOUNS))
        name = f"{area}-{noun}-{i}"
        owner_team = systems[s][3] if rng.random() < 0.6 else rng.randrange(n_teams)
        comps.append({
            "name": name, "system": s, "type": ctype, "owner_team": owner_team,
            "lifecycle": weighted(rng, LIFECYCLES),
            "provides": [], "consumes": [], "depends": [], "sub": None,
        })
    # Every API is provided by one component (services preferred).
    for a in range(len(apis)):
        c = rng.randrange(n_comps)
        comps[c]["provides"].append(a)
    for i, c in enumerate(comps):
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            a = rng.randrange(len(apis))
            if a not in c["consumes"] and a not in c["provides"]:
                c["consumes"].append(a)
        for _ in range(rng.choice((0, 1, 1, 2))):
            r = rng.randrange(len(resources))
            ref = ("r", r)
            if ref not in c["depends"]:
                c["depends"].append(ref)
        if i > 0:
            for _ in range(rng.choice((0, 0, 1, 2))):
                j = rng.randrange(i)
                ref = ("c", j)
                if ref not in c["depends"]:
                    c["depends"].append(ref)
            # Parent always has a lower index, so the chain is acyclic.
            if rng.random() < 0.03:
                c["sub"] = rng.randrange(i)

    return {
        "counts": counts, "root": root, "depts": depts, "team_names": team_names,
        "team_dept": team_dept, "team_members": team_members, "users": users,
        "domains": domains, "systems": systems, "resources": resources,
        "apis": apis, "comps": comps, "seed": seed,
    }


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def write_file(path, text):
    data = text.encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
    finally:
        os.close(fd)


def write_batched(out, folder, prefix, docs, batch):
    d = os.path.join(out, folder)
    os.makedirs(d, exist_ok=True)
    files = 0
    for start in range(0, len(docs), batch):
        chunk = docs[start:start + batch]
        write_file(os.path.join(d, f"{prefix}-{start // batch:04d}.yaml"), "---\n".join(chunk))
        files += 1
    return files


def yaml_list(lines, indent, items):
    pad = " " * indent
    for it in items:
        lines.append(f"{pad}- {it}")


def sentence(rng, area="@@AREA@@"):
    s = SENTENCES[rng.randrange(len(SENTENCES))]
    if "{" in s:
        s = s.format(verb=VERBS[rng.randrange(len(VERBS))], area=area)
    return s


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))


# Pools of ready-made text, built once from the seed (see text_pools). Pages
# pick from them with one random number each, which keeps 100k components
# cheap to render. `@@NAME@@` and `@@AREA@@` are filled in per page.
POOL_SIZE = 1024


def text_pools(seed):
    rng = random.Random(f"{seed}/text-pools")
    paras = [paragraph(rng) for _ in range(POOL_SIZE)]
    notes = ["> **Note:** " + sentence(rng) for _ in range(POOL_SIZE // 4)]
    rows = [f"| `{a}` | `{b}` | {c} |" for a, b, c in TABLE_ROWS]
    return {"paras": paras, "notes": notes, "rows": rows}


def rotated(seq, k):
    k %= len(seq)
    return seq[k:] + seq[:k]


def doc_page(rng, pools, name, area, title, page_title, is_index):
    r = rng.random
    paras, notes, rows = pools["paras"], pools["notes"], pools["rows"]
    npara, nnotes = len(paras), len(notes)
    target = 40 + int(r() * 41)
    out = [f"# {page_title}", ""]
    if is_index:
        out += [f"Welcome to the documentation of **{title}** (`{name}`), part of the "
                f"{area} area. Use the navigation to find architecture notes, runbooks "
                f"and operational guides.", ""]
    out += [paras[int(r() * npara)], ""]
    headings = rotated(HEADINGS, int(r() * len(HEADINGS)))
    # A fenced code block.
    lang, code = CODE_BLOCKS[int(r() * len(CODE_BLOCKS))]
    k = 5 + int(r() * (len(code) - 4))
    out += [f"## {headings[0]}", "", paras[int(r() * npara)], "", f"```{lang}"]
    out += code[:k]
    out += ["```", ""]
    # A GFM table.
    out += [f"## {headings[1]}", "", "| Setting | Default | Description |",
            "| --- | ---: | --- |"]
    out += rotated(rows, int(r() * len(rows)))[:3 + int(r() * 5)]
    out.append("")
    # A list (bulleted, then numbered).
    items = rotated(LIST_ITEMS, int(r() * len(LIST_ITEMS)))
    out += [f"## {headings[2]}", "", paras[int(r() * npara)], ""]
    nb = 3 + int(r() * 4)
    out += ["- " + it for it in items[:nb]]
    out.append("")
    out += [f"{i}. {s}" for i, s in enumerate(items[nb:nb + 3], 1)]
    out.append("")
    # Pad with further sections to reach the target length.
    h = 3
    while len(out) < target - 1:
        x = r()
        if h < 7 and x < 0.4:
            out += [f"## {headings[h]}", ""]
            h += 1
        elif x > 0.85:
            out += [f"### {headings[h + 3]} notes", ""]
        out += [paras[int(r() * npara)], ""]
        if x < 0.1:
            out += [notes[int(r() * nnotes)], ""]
    text = "\n".join(out)
    return text.replace("@@NAME@@", name).replace("@@AREA@@", area)


def page_list(k):
    pages = [("index", "Home")]
    for i in range(1, k):
        if i - 1 < len(PAGE_NAMES):
            pages.append(PAGE_NAMES[i - 1])
        else:
            pages.append((f"page-{i}", f"Page {i}"))
    return pages


def titleize(name):
    return " ".join(w.capitalize() for w in name.split("-") if not w.isdigit())


def render_component(p, c, out_dir, pages):
    name = c["name"]
    rng = random.Random(f"{p['seed']}/component/{name}")
    sys_name, area = p["systems"][c["system"]][0], p["systems"][c["system"]][1]
    title = titleize(name)
    team = p["team_names"][c["owner_team"]]
    lines = [
        f"apiVersion: {API_VERSION}",
        "kind: Component",
        "metadata:",
        f"  name: {name}",
        f"  title: {title}",
        f"  description: {ADJ[rng.randrange(len(ADJ))].capitalize()} {c['type']} that "
        f"{VERBS[rng.randrange(len(VERBS))]} {area} traffic for the {sys_name} system.",
    ]
    tags = rng.sample(TAGS, rng.randint(1, 4))
    if tags:
        lines.append("  tags:")
        yaml_list(lines, 4, tags)
    if rng.random() < 0.5:
        lines += ["  labels:", f"    tier: \"{rng.randint(1, 3)}\""]
    lines += [
        "  annotations:",
        "    backstage.io/techdocs-ref: dir:.",
        f"    example.com/project-slug: acme/{name}",
    ]
    if rng.random() < 0.3:
        lines.append(f"    pagerduty.com/service-id: P{rng.randrange(16**6):06X}")
    links = [lk for lk in LINK_KINDS if rng.random() < 0.8]
    if links:
        lines.append("  links:")
        for ltype, host, ltitle, icon in links:
            lines += [
                f"    - url: https://{host}/{name}",
                f"      title: {ltitle}",
                f"      icon: {icon}",
                f"      type: {ltype}",
            ]
    owner = owner_ref(rng, team)
    lines += [
        "spec:",
        f"  type: {c['type']}",
        f"  lifecycle: {c['lifecycle']}",
        f"  owner: {owner}",
        f"  system: {sys_name}" if rng.random() < 0.8 else f"  system: system:default/{sys_name}",
    ]
    if c["sub"] is not None:
        lines.append(f"  subcomponentOf: component:default/{p['comps'][c['sub']]['name']}")
    if c["provides"]:
        lines.append("  providesApis:")
        yaml_list(lines, 4, [p["apis"][a][0] for a in c["provides"]])
    if c["consumes"]:
        lines.append("  consumesApis:")
        yaml_list(lines, 4, [
            p["apis"][a][0] if rng.random() < 0.5 else "api:default/" + p["apis"][a][0]
            for a in c["consumes"]])
    if c["depends"]:
        lines.append("  dependsOn:")
        yaml_list(lines, 4, [
            ("resource:default/" + p["resources"][i][0]) if k == "r"
            else ("component:default/" + p["comps"][i]["name"])
            for k, i in c["depends"]])
    lines.append("")

    base = os.path.join(out_dir, "components", name)
    os.makedirs(os.path.join(base, "docs"), exist_ok=True)
    write_file(os.path.join(base, "catalog-info.yaml"), "\n".join(lines))
    mk = [f"site_name: {title}", f"site_description: Documentation for {name}", "nav:"]
    mk += [f"  - {t}: {f}.md" for f, t in pages]
    mk += ["plugins:", "  - techdocs-core", ""]
    write_file(os.path.join(base, "mkdocs.yml"), "\n".join(mk))
    for i, (fname, ptitle) in enumerate(pages):
        page_title = title if i == 0 else ptitle
        write_file(os.path.join(base, "docs", fname + ".md"),
                   doc_page(rng, _SHARED["pools"], name, area, title, page_title, i == 0)
                   + "\n")
    return 2 + len(pages)


def openapi_doc(rng, name, title, res):
    Res = res.capitalize()
    one = res[:-1] if res.endswith("s") else res
    One = one.capitalize()
    extra = rng.sample(["status", "createdAt", "updatedAt", "owner", "amount", "region",
                        "priority", "labels"], rng.randint(1, 4))
    typ = {"status": "string", "createdAt": "string", "updatedAt": "string",
           "owner": "string", "amount": "number", "region": "string",
           "priority": "integer", "labels": "array"}
    props = []
    for f in extra:
        props.append(f"        {f}:")
        props.append(f"          type: {typ[f]}")
        if f in ("createdAt", "updatedAt"):
            props.append("          format: date-time")
        if f == "labels":
            props += ["          items:", "            type: string"]
    return "\n".join([
        "openapi: 3.0.3",
        "info:",
        f"  title: {title}",
        f"  version: {rng.randint(1, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
        f"  description: Public contract of {name}.",
        "servers:",
        f"  - url: https://{name}.api.example.com/v1",
        "paths:",
        f"  /{res}:",
        "    get:",
        f"      summary: List {res}",
        f"      operationId: list{Res}",
        "      parameters:",
        "        - name: limit",
        "          in: query",
        "          schema:",
        "            type: integer",
        "            minimum: 1",
        "            maximum: 100",
        "      responses:",
        "        '200':",
        f"          description: A page of {res}",
        "          content:",
        "            application/json:",
        "              schema:",
        "                type: array",
        "                items:",
        f"                  $ref: '#/components/schemas/{One}'",
        "    post:",
        f"      summary: Create a {one}",
        f"      operationId: create{One}",
        "      requestBody:",
        "        required: true",
        "        content:",
        "          application/json:",
        "            schema:",
        f"              $ref: '#/components/schemas/{One}'",
        "      responses:",
        "        '201':",
        "          description: Created",
        f"  /{res}/{{id}}:",
        "    get:",
        f"      summary: Get one {one}",
        f"      operationId: get{One}",
        "      parameters:",
        "        - name: id",
        "          in: path",
        "          required: true",
        "          schema:",
        "            type: string",
        "      responses:",
        "        '200':",
        f"          description: The {one}",
        "          content:",
        "            application/json:",
        "              schema:",
        f"                $ref: '#/components/schemas/{One}'",
        "        '404':",
        "          description: Not found",
        "components:",
        "  schemas:",
        f"    {One}:",
        "      type: object",
        "      required: [id, name]",
        "      properties:",
        "        id:",
        "          type: string",
        "          format: uuid",
        "        name:",
        "          type: string",
        *props,
        "",
    ])


def render_api(p, a, out_dir):
    name, s, team = p["apis"][a]
    rng = random.Random(f"{p['seed']}/api/{name}")
    sys_name = p["systems"][s][0]
    title = titleize(name).replace(" Api", " API")
    res = rng.choice(["items", "orders", "accounts", "events", "invoices", "users",
                      "payments", "reports", "jobs", "documents"])
    lines = [
        f"apiVersion: {API_VERSION}",
        "kind: API",
        "metadata:",
        f"  name: {name}",
        f"  title: {title}",
        f"  description: REST API for {res} in the {sys_name} system.",
        "  tags:",
        "    - rest",
        "    - openapi",
        "  links:",
        f"    - url: https://docs.example.com/apis/{name}",
        "      title: Reference",
        "      type: documentation",
        "spec:",
        "  type: openapi",
        f"  lifecycle: {weighted(rng, LIFECYCLES)}",
        f"  owner: {owner_ref(rng, p['team_names'][team])}",
        f"  system: {sys_name}",
        "  definition:",
        "    $text: ./openapi.yaml",
        "",
    ]
    base = os.path.join(out_dir, "apis", name)
    os.makedirs(base, exist_ok=True)
    write_file(os.path.join(base, "catalog-info.yaml"), "\n".join(lines))
    write_file(os.path.join(base, "openapi.yaml"), openapi_doc(rng, name, title, res))
    return 2


def render_groups(p, rng):
    docs = []
    root, depts, teams = p["root"], p["depts"], p["team_names"]
    dept_children = [[] for _ in depts]
    for t, d in enumerate(p["team_dept"]):
        dept_children[d].append(teams[t])

    def group(name, gtype, display, parent, children, members):
        lines = [
            f"apiVersion: {API_VERSION}",
            "kind: Group",
            "metadata:",
            f"  name: {name}",
            f"  description: The {display} {gtype}.",
            "spec:",
            f"  type: {gtype}",
            "  profile:",
            f"    displayName: {display}",
            f"    email: {name}@example.com",
        ]
        if parent:
            lines.append(f"  parent: {parent}")
        if children:
            lines.append("  children:")
            yaml_list(lines, 4, children)
        else:
            lines.append("  children: []")
        if members:
            lines.append("  members:")
            yaml_list(lines, 4, members)
        lines.append("")
        return "\n".join(lines)

    docs.append(group(root, "organization", "ACME Corp", None, depts, []))
    for d, name in enumerate(depts):
        docs.append(group(name, "department", titleize(name[5:]), root, dept_children[d], []))
    for t, name in enumerate(teams):
        members = p["team_members"][t]
        docs.append(group(name, "team", titleize(name[5:]), depts[p["team_dept"][t]],
                          [], members))
    return docs


def render_users(p):
    docs = []
    teams = p["team_names"]
    for name, first, last, t in p["users"]:
        docs.append("\n".join([
            f"apiVersion: {API_VERSION}",
            "kind: User",
            "metadata:",
            f"  name: {name}",
            "spec:",
            "  profile:",
            f"    displayName: {first.capitalize()} {last.capitalize()}",
            f"    email: {name}@example.com",
            "  memberOf:",
            f"    - {teams[t]}",
            "",
        ]))
    return docs


def render_domains(p):
    docs = []
    for name, area, owner, parent in p["domains"]:
        lines = [
            f"apiVersion: {API_VERSION}",
            "kind: Domain",
            "metadata:",
            f"  name: {name}",
            f"  title: {titleize(name)}",
            f"  description: Everything about {area}.",
            "spec:",
            f"  owner: {owner}",
        ]
        if parent:
            lines.append(f"  subdomainOf: {parent}")
        lines.append("")
        docs.append("\n".join(lines))
    return docs


def render_systems(p, rng):
    docs = []
    for name, area, d, team in p["systems"]:
        dom = p["domains"][d][0]
        docs.append("\n".join([
            f"apiVersion: {API_VERSION}",
            "kind: System",
            "metadata:",
            f"  name: {name}",
            f"  title: {titleize(name)}",
            f"  description: The {area} platform.",
            "  tags:",
            f"    - {area}",
            "spec:",
            f"  owner: {owner_ref(rng, p['team_names'][team])}",
            f"  domain: {dom}" if rng.random() < 0.8 else f"  domain: domain:default/{dom}",
            "",
        ]))
    return docs


def render_resources(p, rng):
    docs = []
    for name, rtype, s, team in p["resources"]:
        lines = [
            f"apiVersion: {API_VERSION}",
            "kind: Resource",
            "metadata:",
            f"  name: {name}",
            f"  description: A {rtype} used by the {p['systems'][s][0]} system.",
            "spec:",
            f"  type: {rtype}",
            f"  owner: {owner_ref(rng, p['team_names'][team])}",
        ]
        if rng.random() < 0.9:
            lines.append(f"  system: {p['systems'][s][0]}")
        lines.append("")
        docs.append("\n".join(lines))
    return docs


# The plan, shared with forked workers (read-only).
_SHARED = {}


def _render_chunk(task):
    kind, start, end = task
    p, out, pages = _SHARED["p"], _SHARED["out"], _SHARED["pages"]
    files = 0
    if kind == "api":
        for a in range(start, end):
            files += render_api(p, a, out)
    else:
        comps = p["comps"]
        for i in range(start, end):
            files += render_component(p, comps[i], out, pages)
    return files


def render_parallel(p, out, docs_pages, jobs):
    """Writes the per-entity folders (APIs and Components). Each entity's
    content comes from its own RNG, so the output does not depend on the
    number of workers or the order they run in."""
    _SHARED.update(p=p, out=out, pages=page_list(docs_pages), pools=text_pools(p["seed"]))
    chunk = 500
    tasks = [("api", s, min(s + chunk, len(p["apis"]))) for s in range(0, len(p["apis"]), chunk)]
    tasks += [("comp", s, min(s + chunk, len(p["comps"])))
              for s in range(0, len(p["comps"]), chunk)]
    if jobs > 1 and len(tasks) > 1 and "fork" in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return sum(pool.imap_unordered(_render_chunk, tasks))
    return sum(_render_chunk(t) for t in tasks)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entities", type=int, required=True, help="total number of entities")
    ap.add_argument("--out", required=True, help="output directory (created)")
    ap.add_argument("--docs-pages", type=int, default=3,
                    help="markdown pages per component, index.md included (default 3)")
    ap.add_argument("--teams", type=int, default=None,
                    help="number of Group entities (default max(8, N/100))")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--batch", type=int, default=100,
                    help="entities per multi-document YAML file (default 100)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="worker processes for writing files (default: CPU count); "
                         "the output is the same for any value")
    ap.add_argument("--force", action="store_true",
                    help=f"replace DIR if it is an earlier output (has {MARKER})")
    args = ap.parse_args(argv)
    if args.entities < 1 or args.docs_pages < 1 or args.batch < 1:
        ap.error("--entities, --docs-pages and --batch must be positive")

    t0 = time.monotonic()
    out = args.out
    if os.path.exists(out):
        if not os.path.isdir(out):
            ap.error(f"{out} exists and is not a directory")
        if os.listdir(out):
            if args.force and os.path.isfile(os.path.join(out, MARKER)):
                shutil.rmtree(out)
            else:
                ap.error(f"{out} is not empty (use --force to replace an earlier output)")
    os.makedirs(out, exist_ok=True)

    p = plan(args.entities, args.teams, args.seed)
    rng = random.Random(args.seed + 1)  # for batched files, after planning

    files = 0
    files += write_batched(out, "groups", "groups", render_groups(p, rng), args.batch)
    files += write_batched(out, "users", "users", render_users(p), args.batch)
    files += write_batched(out, "domains", "domains", render_domains(p), args.batch)
    files += write_batched(out, "systems", "systems", render_systems(p, rng), args.batch)
    files += write_batched(out, "resources", "resources", render_resources(p, rng), args.batch)
    files += render_parallel(p, out, args.docs_pages, args.jobs)

    counts = p["counts"]
    yaml_files = files - len(p["comps"]) * args.docs_pages
    summary = {
        "generator": "bench/gen_catalog.py",
        "entities": args.entities, "seed": args.seed, "docs_pages": args.docs_pages,
        "teams": args.teams, "batch": args.batch, "counts": counts,
        "files": files, "yaml_files": yaml_files,
    }
    write_file(os.path.join(out, MARKER), json.dumps(summary, indent=2) + "\n")
    elapsed = time.monotonic() - t0
    parts = " ".join(f"{k}={v}" for k, v in counts.items())
    print(f"generated {sum(counts.values())} entities ({parts}) in {files} files "
          f"({yaml_files} YAML) under {out} in {elapsed:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
