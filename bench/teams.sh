#!/usr/bin/env bash
# The team-lead targets of issue 13 on a synthetic catalog (default 10k):
#
#   bench/teams.sh                  # 10k entities
#   SIZE=60 bench/teams.sh          # any size
#   BIN=path/to/portolan bench/teams.sh   # a binary already built (the site is
#                                    # the same bytes whatever the profile)
#
# It generates the catalog (bench/gen_catalog.py) plus one initiative, builds
# it with the release binary (--no-history: the synthetic catalog is not a
# git repository), then
#   1. lists every file over 300 KB outside the data (search/ index shards,
#      the api/ JSON exports and vendored assets) and fails if there is one;
#      prints the largest HTML page of each family;
#   2. runs bench/teams_pages.mjs: clicks from home to a team's failing checks
#      with remediation (target: at most 2), and the median render time of
#      the initiative, scorecard, check-list and team pages in headless
#      Chromium (target: under 100 ms), next to a blank page's;
#   3. prints the build's wall time and peak memory.
# Needs `npm ci --prefix tests/browser` and Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
SIZE=${SIZE:-10000}
OUT_DIR=${OUT_DIR:-/dev/shm/portolan-teams-bench}
CAT="$OUT_DIR/catalog-$SIZE"
SITE="$OUT_DIR/site-$SIZE"
mkdir -p "$OUT_DIR"
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=${CARGO_TARGET_DIR:-target}/release/portolan
fi
python3 bench/gen_catalog.py --entities "$SIZE" --out "$CAT" --docs-pages 3 --force >/dev/null
ROOT_GROUP=$(awk '/^  name:/ {print $2; exit}' "$CAT"/groups/groups-0000.yaml)
mkdir -p "$CAT/initiatives"
cat >"$CAT/initiatives/runbooks.yaml" <<YAML
title: Runbooks and dashboards for every service
owner: group:default/$ROOT_GROUP
asks:
  - check: production-readiness/runbook-link
  - check: production-readiness/dashboard-link
applies_to:
  kind: component
start: 2026-11-01
deadline: 2027-03-31
YAML
rm -rf "$SITE"
measure "$BIN" build "$CAT" --out "$SITE" --today 2026-12-03 --no-history
echo "build of $SIZE entities: ${WALL}s wall, $((KIB / 1024)) MiB peak (exit $CODE)"
[ "$CODE" -le 1 ] || exit 1

echo "largest HTML page per family:"
(cd "$SITE" && find . -name '*.html' -printf '%s %p\n' | sed -E 's#^([0-9]+) \./(catalog/[^/]+/[^/]+|scorecards/[^/]+/checks|scorecards|initiatives|health|docs|[^/]+)(/.*)?$#\1 \2 &#' \
  | sort -k2,2 -k1,1nr | awk '!seen[$2]++ {printf "  %-40s %7.1f KB  %s\n", $2, $1/1024, $4}')
over=$(cd "$SITE" && find . -type f -size +300k ! -path './search/*' ! -path './api/*' ! -path './static/vendor/*' -printf '%s %p\n')
if [ -n "$over" ]; then
  echo "FAIL: files over 300 KB outside the data:"; echo "$over"; exit 1
fi
echo "no file outside the data (search/, api/, static/vendor/) is over 300 KB; the data files over it:"
(cd "$SITE" && find . -type f -size +300k -printf '  %s bytes %p\n' | sort -rn)
node bench/teams_pages.mjs "$SITE" "${RUNS:-7}"
