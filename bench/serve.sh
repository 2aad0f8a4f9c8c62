#!/usr/bin/env bash
# `portolan serve` on the 10k-entity catalog: from saving one component file
# to the reload event reaching a listening client (20 edits; p50 and p95),
# serve's memory after the first build and after the 20 edits, and a
# bounded loopback load (CONCURRENCY requests at once, ROUNDS times).
# The peer is Hugo's server (`hugo server`, Debian package `hugo`) on the
# same docs markdown as bench/build.sh, in the same run: one docs page
# saved 20 times, timed to its LiveReload message.
#
#   bench/serve.sh                              # 10k catalog, 20 edits, 500 concurrent x 4 rounds, both
#   N=1000 EDITS=5 HUGO=0 bench/serve.sh        # smaller, no peer
#   N=10000 EDITS=20 PORTOLAN=0 bench/serve.sh  # the Hugo peer alone (no cargo build)
#   SAVE=rename HUGO=0 bench/serve.sh           # each save a temporary file renamed over the file, as `sed -i` does
#   HUGO_POLL=500ms bench/serve.sh              # Hugo polls instead of inotify (fallback only, see README)
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
PORTOLAN=${PORTOLAN:-1}
HUGO_POLL=${HUGO_POLL:-}
BENCH_DIR=${BENCH_DIR:-/dev/shm/portolan-bench-serve}
CLIENT=bench/serve_client.py

mkdir -p "$BENCH_DIR"
src=$BENCH_DIR/catalog-$N
if [[ ! -d $src ]]; then
    python3 bench/gen_catalog.py --entities "$N" --out "$src" --docs-pages 3 >/dev/null
fi

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# CPU seconds (user + system) a process has used so far.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz}' "/proc/$1/stat"; }
pct() { python3 -c "import json,sys; v=sorted(json.load(sys.stdin)['ms']); import math; p=float(sys.argv[1]); print(round(v[min(len(v)-1, math.ceil(p/100*len(v))-1)]))" "$1"; }
ms_list() { python3 -c "import json,sys; print(' '.join(str(round(x)) for x in json.loads(sys.argv[1])['ms']))" "$1"; }

p50=- p95=- rss_row=- load_row=-
if [[ $PORTOLAN != 0 ]]; then
    cargo build --release --quiet
    bin=${CARGO_TARGET_DIR:-target}/release/portolan
    work=$BENCH_DIR/work-$N
    rm -rf "$work"
    cp -r "$src" "$work"
    # The component file the edits save: its description line is the marker.
    file=$(find "$work/components" -name catalog-info.yaml | sort | awk 'NR == 1')
    sed -i '0,/^  description:.*/s//  description: bench-edit start/' "$file"

    log=$BENCH_DIR/serve.log
    "$bin" serve "$work" --port 0 >"$log" 2>&1 &
    pid=$!
    trap 'kill -INT $pid 2>/dev/null || true' EXIT
    for _ in $(seq 1 600); do grep -q '^serving ' "$log" && break; sleep 0.5; done
    port=$(grep -o '127.0.0.1:[0-9]*' "$log" | head -n 1 | cut -d: -f2)
    first_build=$(head -n 1 "$log")
    rss_first=$(rss_kib "$pid")
    lat=$(python3 "$CLIENT" latency-sse 127.0.0.1 "$port" "$file" "$EDITS")
    # Memory at rest: once the last edit's search index is swapped in (serve
    # writes it after the reload event, at idle priority, and says so),
    # and the last run is freed off the rebuild thread.
    for _ in $(seq 1 240); do
        [[ $(grep -E 'changed|search index' "$log" | tail -n 1) == "search index"* ]] && break
        sleep 0.5
    done
    search_line=$(grep 'search index' "$log" | tail -n 1)
    sleep 2
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
    echo "saved $rel $EDITS times; reload event after (ms): $(ms_list "$lat")"
    echo "rebuild lines: see $log (PORTOLAN_TIMINGS=1 adds each phase)"
    echo "last search index update: $search_line"
    echo "portolan: p50 $p50 ms, p95 $p95 ms; RSS $((rss_first / 1024)) -> $((rss_after / 1024)) MiB ($growth); load: $rps"
    rss_row="$((rss_first / 1024)) → $((rss_after / 1024)) MiB ($growth)"
    load_row=$rps
fi

hp50=- hp95=- hrss_row=-
if [[ $HUGO != 0 ]]; then
    command -v hugo >/dev/null || { echo "hugo not found: apt-get install -y hugo, or HUGO=0" >&2; exit 1; }
    site=$BENCH_DIR/hugo-site-$N
    hugo_peer_site "$src" "$site" >/dev/null
    hfile=$(find "$site/content/docs" -name '*.md' ! -name '_index.md' | sort | awk 'NR == 1')
    printf '\ndescription: bench-edit start\n' >>"$hfile"
    hlog=$BENCH_DIR/hugo.log
    hport=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
    poll=()
    [[ -z $HUGO_POLL ]] || poll=(--poll "$HUGO_POLL")
    hugo server --source "$site" --bind 127.0.0.1 --port "$hport" --disableFastRender "${poll[@]}" >"$hlog" 2>&1 &
    hpid=$!
    trap 'kill $hpid 2>/dev/null || true' EXIT
    for _ in $(seq 1 600); do
        grep -q 'Web Server is available' "$hlog" && break
        kill -0 "$hpid" 2>/dev/null || { echo "hugo server exited before serving:" >&2; cat "$hlog" >&2; exit 1; }
        sleep 0.5
    done
    grep -q 'Web Server is available' "$hlog" || { echo "hugo server not serving after 300 s (see $hlog)" >&2; exit 1; }
    hrss_first=$(rss_kib "$hpid")
    hcpu_first=$(cpu_s "$hpid")
    # Hugo 0.111 ignores the error of every watcher.Add: a directory over
    # fs.inotify.max_user_watches is silently not watched. Its inotify
    # watches must number its content and layouts directories plus the
    # config file.
    dirs=$(find "$site/content" "$site/layouts" -type d | wc -l)
    watches=$(cat /proc/"$hpid"/fdinfo/* 2>/dev/null | grep -c '^inotify wd:' || true)
    if [[ -n $HUGO_POLL ]]; then
        watch_note="polling every $HUGO_POLL (--poll), no inotify"
    else
        watch_note="$watches inotify watches for $dirs directories + config.toml (fs.inotify.max_user_watches $(cat /proc/sys/fs/inotify/max_user_watches))"
        if (( watches < dirs + 1 )); then
            echo "hugo server holds $watches inotify watches for $dirs directories + config.toml: the watch limit bites, edits may go unseen (raise fs.inotify.max_user_watches, or HUGO_POLL=500ms)" >&2
        fi
    fi
    if hlat=$(python3 "$CLIENT" latency-ws 127.0.0.1 "$hport" "$hfile" "$EDITS"); then
        hp50=$(pct 50 <<<"$hlat")
        hp95=$(pct 95 <<<"$hlat")
    else
        hlat='{"ms": [], "extra_reloads": 0}'
        echo "hugo server: no LiveReload message measured (see $hlog)" >&2
    fi
    hrss_after=$(rss_kib "$hpid")
    hcpu_after=$(cpu_s "$hpid")
    kill "$hpid"; wait "$hpid" || true
    trap - EXIT
    rebuilds=$(grep -c '^Change detected' "$hlog" || true)
    totals=$(grep -o '^Total in [0-9]* ms' "$hlog" | awk '{print $3}' | tr '\n' ' ' || true)
    extra=$(python3 -c "import json,sys; print(json.loads(sys.argv[1]).get('extra_reloads', 0))" "$hlat")
    echo "hugo server ($(hugo version | awk '{print $2}')), same docs: $(grep -m1 'Built in' "$hlog" || true), $hcpu_first CPU s until serving; RSS $((hrss_first / 1024)) -> $((hrss_after / 1024)) MiB"
    echo "watching: $watch_note"
    echo "saved ${hfile#"$site"/} $EDITS times; reload message after (ms): $(ms_list "$hlat") ($extra extra reloads)"
    echo "hugo rebuilds: $rebuilds 'Change detected' for $EDITS saves; 'Total in' (ms): ${totals:-none}; $(awk -v a="$hcpu_first" -v b="$hcpu_after" 'BEGIN {printf "%.2f", b - a}') CPU s over the saves; log $hlog"
    problems='^(ERROR|WARN)|Error while watching|too many open files|no space left'
    if grep -qE "$problems" "$hlog"; then
        echo "hugo log has errors or warnings:" >&2
        grep -E "$problems" "$hlog" | head -n 10 >&2
    fi
    (( rebuilds == EDITS )) || echo "hugo server: $rebuilds rebuilds for $EDITS saves (see $hlog)" >&2
    hrss_row="$((hrss_first / 1024)) → $((hrss_after / 1024)) MiB"
fi

echo
echo "| measure | portolan serve | hugo server | target |"
echo "|---|---|---|---|"
ms() { if [[ $1 == - ]]; then echo -; else echo "$1 ms"; fi; }
echo "| save to reload event, p50 | $(ms "$p50") | $(ms "$hp50") | ≤300 ms |"
echo "| save to reload event, p95 | $(ms "$p95") | $(ms "$hp95") | ≤600 ms |"
echo "| RSS after first build → after $EDITS edits | $rss_row | $hrss_row | ≤+10% |"
echo "| $CONCURRENCY concurrent requests × $ROUNDS rounds (loopback) | $load_row | | 0 errors |"
