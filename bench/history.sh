#!/usr/bin/env bash
# Times `portolan build` with the score history off, with a cold history
# cache and with a warm one, on a synthetic repository: ENTITIES entities
# (bench/gen_catalog.py) and COMMITS commits spread evenly over SPAN_DAYS
# days (default 182: the default 26 weekly samples all land on distinct
# commits), imported with `git fast-import` as in bench/git_history.sh.
#
#   bench/history.sh                               # 1k entities, 200 commits
#   ENTITIES=10000 COMMITS=5000 bench/history.sh
#   RUNS=5 bench/history.sh                        # runs per case (best wall time is kept)
#   BIN=/path/to/portolan bench/history.sh         # time this binary (no build)
#
# Each commit after the first changes one to three entity files or docs
# pages. Target (issue 14): a rebuild with a warm history cache costs at
# most 10% more than a build without history. Each line reports wall,
# user and system seconds and peak RSS (`/usr/bin/time -f '%e %U %S %M'`).
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
ENTITIES=${ENTITIES:-1000}
COMMITS=${COMMITS:-200}
SPAN_DAYS=${SPAN_DAYS:-182}
RUNS=${RUNS:-3}
BENCH_DIR=${BENCH_DIR:-/tmp/portolan-bench}
REPO="$BENCH_DIR/history-$ENTITIES-$COMMITS-$SPAN_DAYS"
CACHE="$BENCH_DIR/history-cache-$ENTITIES-$COMMITS-$SPAN_DAYS"
# The site goes to tmpfs when there is one, as in build.sh: on ext4, replacing
# a 3,000-file site right after deleting one costs more kernel time than the
# build, and that (not the history) dominated the first figures.
if [[ -z ${OUT:-} ]]; then
    if [[ -d /dev/shm && -w /dev/shm ]]; then OUT=/dev/shm/portolan-history-site; else OUT="$BENCH_DIR/history-site"; fi
fi
mkdir -p "$BENCH_DIR"

if [[ -z ${BIN:-} ]]; then
    cargo build --release --quiet
    BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/portolan
fi

if [[ ! -d $REPO/.git ]]; then
    rm -rf "$REPO"
    python3 bench/gen_catalog.py --entities "$ENTITIES" --out "$REPO" --docs-pages 2 >/dev/null
    git -C "$REPO" init --quiet
    step=$(( SPAN_DAYS * 86400 / (COMMITS > 1 ? COMMITS - 1 : 1) ))
    python3 bench/gen_history.py "$REPO" "$COMMITS" "$step" | git -C "$REPO" fast-import --quiet
    git -C "$REPO" symbolic-ref HEAD refs/heads/main
    git -C "$REPO" reset --quiet --hard main
fi

# Runs one build; prints "wall user sys maxrss_kib".
run() {
    local tmp
    tmp=$(mktemp)
    if ! /usr/bin/time -o "$tmp" -f '%e %U %S %M' "$BIN" build "$REPO" --out "$OUT" --today 2026-12-01 "$@" >/dev/null 2>&1; then
        echo "error: $BIN build $* failed" >&2
        rm -f "$tmp"
        return 1
    fi
    tail -n 1 "$tmp"
    rm -f "$tmp"
}

# Best (lowest wall) of RUNS runs of `run "$@"`; `cold` clears the cache first.
best() {
    local mode=$1 b="" line
    shift
    for _ in $(seq "$RUNS"); do
        [[ $mode == cold ]] && rm -rf "$CACHE"
        line=$(run "$@")
        if [[ -z $b ]] || awk "BEGIN{exit !(${line%% *} < ${b%% *})}"; then b=$line; fi
    done
    echo "$b"
}

echo "repository: $REPO ($(git -C "$REPO" rev-list --count HEAD) commits over $SPAN_DAYS days, $ENTITIES entities)"
off=$(best off --no-history)
cold=$(best cold --history-cache "$CACHE")
warm=$(best warm --history-cache "$CACHE")
stats=$(PORTOLAN_TIMINGS=1 "$BIN" build "$REPO" --out "$OUT" --today 2026-12-01 --history-cache "$CACHE" 2>&1 >/dev/null | grep '^history:' || true)
printf '%-14s %8s %8s %8s %10s\n' case wall_s user_s sys_s rss_mib
for c in off cold warm; do
    read -r w u s m <<<"${!c}"
    printf '%-14s %8s %8s %8s %10s\n' "$c" "$w" "$u" "$s" "$((m / 1024))"
done
read -r woff uoff soff _ <<<"$off"
read -r wwarm uwarm swarm _ <<<"$warm"
awk -v a="$woff" -v b="$wwarm" -v c="$uoff" -v d="$soff" -v e="$uwarm" -v f="$swarm" \
    'BEGIN { printf "warm vs off: wall %+.1f%%, cpu (user+sys) %+.1f%% (target: at most +10%%)\n", (b/a-1)*100, ((e+f)/(c+d)-1)*100 }'
echo "$stats"
