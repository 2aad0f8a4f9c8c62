#!/usr/bin/env bash
# `portolan serve` on the 10k-entity catalog: from saving one component file
# to the reload event reaching a listening client (20 edits; p50 and p95),
# serve's memory after the first build and after the 20 edits, and a
# bounded loopback load (CONCURRENCY requests at once, ROUNDS times).
# The peer is Hugo's server (`hugo server`, Debian package `hugo`) on the
# same docs markdown as bench/build.sh, in the same run: one docs page
# saved 20 times, timed to its LiveReload message.
#
#   bench/serve.sh                        # 10k catalog, 20 edits, 500 concurrent x 4 rounds
#   N=1000 EDITS=5 HUGO=0 bench/serve.sh  # smaller, no peer
#
# bench/serve_client.py does the measuring (standard library only). The
# catalog is generated once into BENCH_DIR and copied fresh for each run,
# since the edits change it.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
N=${N:-10000}
EDITS=${EDITS:-20}
CONCURRENCY=${CONCURRENCY:-500}
ROUNDS=${ROUNDS:-4}
HUGO=${HUGO:-1}
BENCH_DIR=${BENCH_DIR:-/dev/shm/portolan-bench-serve}
CLIENT=bench/serve_client.py

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/portolan
mkdir -p "$BENCH_DIR"
src=$BENCH_DIR/catalog-$N
if [[ ! -d $src ]]; then
    python3 bench/gen_catalog.py --entities "$N" --out "$src" --docs-pages 3 >/dev/null
fi
work=$BENCH_DIR/work-$N
rm -rf "$work"
cp -r "$src" "$work"
# The component file the edits save: its description line is the marker.
file=$(find "$work/components" -name catalog-info.yaml | sort | awk 'NR == 1')
sed -i '0,/^  description:.*/s//  description: bench-edit start/' "$file"

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
pct() { python3 -c "import json,sys; v=sorted(json.load(sys.stdin)['ms']); import math; p=float(sys.argv[1]); print(round(v[min(len(v)-1, math.ceil(p/100*len(v))-1)]))" "$1"; }

log=$BENCH_DIR/serve.log
"$bin" serve "$work" --port 0 >"$log" 2>&1 &
pid=$!
trap 'kill -INT $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q '^serving ' "$log" && break; sleep 0.5; done
port=$(grep -o '127.0.0.1:[0-9]*' "$log" | head -n 1 | cut -d: -f2)
first_build=$(head -n 1 "$log")
rss_first=$(rss_kib "$pid")
lat=$(python3 "$CLIENT" latency-sse 127.0.0.1 "$port" "$file" "$EDITS")
sleep 2   # the last run is freed off the rebuild thread
rss_after=$(rss_kib "$pid")
rel=${file#"$work"/}
name=$(basename "$(dirname "$file")")
page="/catalog/default/component/$name/"
load=$(python3 "$CLIENT" load 127.0.0.1 "$port" "$CONCURRENCY" "$ROUNDS" / /catalog/ "$page" /static/style.css /static/app.js /scorecards/)
kill -INT "$pid"
wait "$pid" || true
trap - EXIT
p50=$(pct 50 <<<"$lat")
p95=$(pct 95 <<<"$lat")
growth=$(python3 -c "print(f'{($rss_after / $rss_first - 1) * 100:+.1f}%')")
rps=$(python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(f\"{d['rps']:.0f} req/s, {d['requests']} requests, {d['errors']} errors\")" "$load")

echo "portolan serve, $N entities: $first_build"
echo "saved $rel $EDITS times; reload event after (ms): $(python3 -c "import json,sys; print(' '.join(str(round(x)) for x in json.loads(sys.argv[1])['ms']))" "$lat")"
echo "rebuild lines: see $log (PORTOLAN_TIMINGS=1 adds each phase)"
echo "portolan: p50 $p50 ms, p95 $p95 ms; RSS $((rss_first / 1024)) -> $((rss_after / 1024)) MiB ($growth); load: $rps"

hp50=- hp95=-
if [[ $HUGO != 0 ]]; then
    command -v hugo >/dev/null || { echo "hugo not found: apt-get install -y hugo, or HUGO=0" >&2; exit 1; }
    site=$BENCH_DIR/hugo-site-$N
    hugo_peer_site "$src" "$site" >/dev/null
    hfile=$(find "$site/content/docs" -name '*.md' ! -name '_index.md' | sort | awk 'NR == 1')
    printf '\ndescription: bench-edit start\n' >>"$hfile"
    hlog=$BENCH_DIR/hugo.log
    hport=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
    hugo server --source "$site" --bind 127.0.0.1 --port "$hport" --disableFastRender >"$hlog" 2>&1 &
    hpid=$!
    trap 'kill $hpid 2>/dev/null || true' EXIT
    for _ in $(seq 1 600); do grep -q 'Web Server is available' "$hlog" && break; sleep 0.5; done
    hrss_first=$(rss_kib "$hpid")
    if hlat=$(python3 "$CLIENT" latency-ws 127.0.0.1 "$hport" "$hfile" "$EDITS"); then
        hp50=$(pct 50 <<<"$hlat")
        hp95=$(pct 95 <<<"$hlat")
    else
        hlat='{"ms": []}'
        echo "hugo server: no LiveReload message measured (see $hlog)" >&2
    fi
    hrss_after=$(rss_kib "$hpid")
    kill "$hpid"; wait "$hpid" || true
    trap - EXIT
    echo "hugo server ($(hugo version | awk '{print $2}')), same docs: $(grep -m1 'Built in' "$hlog" || true); RSS $((hrss_first / 1024)) -> $((hrss_after / 1024)) MiB"
    echo "saved ${hfile#"$site"/} $EDITS times; reload message after (ms): $(python3 -c "import json,sys; print(' '.join(str(round(x)) for x in json.loads(sys.argv[1])['ms']))" "$hlat")"
fi

echo
echo "| measure | portolan serve | hugo server | target |"
echo "|---|---|---|---|"
echo "| save to reload event, p50 | $p50 ms | $hp50 ms | ≤300 ms |"
echo "| save to reload event, p95 | $p95 ms | $hp95 ms | ≤600 ms |"
echo "| RSS after first build → after $EDITS edits | $((rss_first / 1024)) → $((rss_after / 1024)) MiB ($growth) | | ≤+10% |"
echo "| $CONCURRENCY concurrent requests × $ROUNDS rounds (loopback) | $rps | | 0 errors |"
