#!/usr/bin/env bash
# Times the history-facts phase (one walk of git history for every entity
# file and docs page) on a synthetic repository: ENTITIES entities
# (bench/gen_catalog.py) and COMMITS commits, imported with
# `git fast-import` from a generated stream.
#
#   bench/git_history.sh                          # 10k entities, 5,000 commits
#   ENTITIES=1000 COMMITS=500 bench/git_history.sh
#   RUNS=5 bench/git_history.sh                   # runs (best wall time is kept)
#   BIN=/path/to/portolan bench/git_history.sh    # time this binary (no build)
#
# The first commit adds the whole catalog; each later commit changes one to
# three entity files or docs pages (round robin over all of them, so every
# file has a long history), with fixed author and committer times one hour
# apart. The figure reported is the `git history` phase of
# `PORTOLAN_TIMINGS=1 portolan check`, plus the whole check's wall time and
# peak RSS. Target (issue 14): the phase takes at most 2 s at 10k/5,000.
set -euo pipefail
cd "$(dirname "$0")/.."
ENTITIES=${ENTITIES:-10000}
COMMITS=${COMMITS:-5000}
RUNS=${RUNS:-3}
BENCH_DIR=${BENCH_DIR:-/tmp/portolan-bench}
REPO="$BENCH_DIR/git-history-$ENTITIES-$COMMITS"
mkdir -p "$BENCH_DIR"

if [[ -z ${BIN:-} ]]; then
    cargo build --release --quiet
    BIN=$PWD/target/release/portolan
fi

# shellcheck source=bench/lib.sh
source bench/lib.sh

if [[ ! -d $REPO/.git ]]; then
    rm -rf "$REPO"
    python3 bench/gen_catalog.py --entities "$ENTITIES" --out "$REPO" --docs-pages 2 >/dev/null
    git -C "$REPO" init --quiet
    # One commit an hour.
    python3 bench/gen_history.py "$REPO" "$COMMITS" 3600 | git -C "$REPO" fast-import --quiet
    git -C "$REPO" symbolic-ref HEAD refs/heads/main
    git -C "$REPO" reset --quiet --hard main
fi

echo "repository: $REPO ($(git -C "$REPO" rev-list --count HEAD) commits, $ENTITIES entities)"
best="" rss=0 wall=""
for _ in $(seq "$RUNS"); do
    phase=$(cd "$REPO" && PORTOLAN_TIMINGS=1 "$BIN" check . --format json --today 2026-12-01 2>&1 >/dev/null \
        | awk '/timing: git history/ {print $(NF-1)}')
    measure env -C "$REPO" "$BIN" check . --format json --today 2026-12-01
    if [[ -z $best ]] || awk "BEGIN{exit !($phase < $best)}"; then best=$phase; fi
    if [[ -z $wall ]] || awk "BEGIN{exit !($WALL < $wall)}"; then wall=$WALL; fi
    (( KIB > rss )) && rss=$KIB
done
printf 'history facts phase: %s ms (best of %s)   whole check: %s s, peak RSS %s MiB\n' \
    "$best" "$RUNS" "$wall" "$((rss / 1024))"
