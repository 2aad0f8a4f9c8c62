#!/usr/bin/env bash
# Times `portolan check` on synthetic catalogs of 1k, 10k and 100k entities
# and on a hostile catalog, printing wall time and peak RSS.
#
#   bench/check.sh                     # all sizes
#   SIZES="1000 10000" bench/check.sh  # some sizes
#   RUNS=5 bench/check.sh              # runs per size (best wall time is kept)
#   BASE_BIN=/path/to/old/portolan bench/check.sh
#                                      # also time an older binary in the same
#                                      # run, one row each, for "no slowdown"
#
# The machine is small and noisy, so every size is also timed against a
# peer measured in the same run: `cat` of the same YAML files (the I/O
# floor: reading the bytes without parsing anything). The ratio
# check/peer is the figure to compare across machines.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1000 10000 100000"}
RUNS=${RUNS:-3}
BENCH_DIR=${BENCH_DIR:-/tmp/portolan-bench}
mkdir -p "$BENCH_DIR"

cargo build --release --quiet
BIN=$PWD/target/release/portolan

# shellcheck source=bench/lib.sh
source bench/lib.sh

# Runs a command $1 times; sets BEST (lowest wall), RSS (highest KiB) and CODE.
best_of() {
    local runs=$1; shift
    BEST="" RSS=0
    for _ in $(seq "$runs"); do
        measure "$@"
        if [[ -z $BEST ]] || awk "BEGIN{exit !($WALL < $BEST)}"; then BEST=$WALL; fi
        (( KIB > RSS )) && RSS=$KIB
    done
    return 0
}

# The binaries to time: this checkout's, and BASE_BIN's when it is given.
# Both are timed one after the other for each size, so they see the same
# machine noise.
BINS=("$BIN")
LABELS=(this)
if [[ -n ${BASE_BIN:-} ]]; then BINS=("$BASE_BIN" "$BIN"); LABELS=(base this); fi

printf '| binary | entities | YAML files | check, catalog only (s) | peak RSS (MiB) | check with scorecards (s) | peak RSS (MiB) | exit | peer: cat (s) | catalog check / peer |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in $SIZES; do
    dir=$BENCH_DIR/catalog-$n
    if [[ ! -f $dir/.gen-catalog.json ]]; then
        python3 bench/gen_catalog.py --entities "$n" --out "$dir" --force >&2
    fi
    runs=$RUNS
    (( n >= 100000 )) && runs=${RUNS_100K:-1}
    files=$(find "$dir" -name '*.yaml' -o -name '*.yml' | wc -l)
    # Warm the page cache once so every run measures the same thing.
    find "$dir" \( -name '*.yaml' -o -name '*.yml' \) -print0 | xargs -0 cat >/dev/null
    best_of "$runs" sh -c "find '$dir' \\( -name '*.yaml' -o -name '*.yml' \\) -print0 | xargs -0 cat"
    peer=$BEST
    for i in "${!BINS[@]}"; do
        best_of "$runs" "${BINS[$i]}" check "$dir" --format json --no-scorecards
        wall=$BEST rss=$RSS
        best_of "$runs" "${BINS[$i]}" check "$dir" --format json
        swall=$BEST srss=$RSS code=$CODE
        ratio=$(awk "BEGIN{printf \"%.2f\", $wall / ($peer > 0 ? $peer : 0.01)}")
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s× |\n' "${LABELS[$i]}" "$n" "$files" "$wall" "$((rss / 1024))" "$swall" "$((srss / 1024))" "$code" "$peer" "$ratio"
    done
done

# Scorecard evaluation against raw regorus on the same inputs, on the 10k catalog.
if [[ -f $BENCH_DIR/catalog-10000/.gen-catalog.json ]]; then
    cargo build --release --quiet --example scorecard-bench
    printf '\nscorecards on 10k entities (three default scorecards):\n'
    target/release/examples/scorecard-bench "$BENCH_DIR/catalog-10000" "${RUNS_SCORECARDS:-5}"
fi

hostile=$BENCH_DIR/hostile
python3 bench/hostile.py "$hostile" >&2
measure "$BIN" check "$hostile" --format json --no-scorecards
wall=$WALL rss=$KIB code=$CODE
count=$("$BIN" check "$hostile" --format json --no-scorecards | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["diagnostics"]), d["summary"]["entities"])' || true)
printf '\nhostile catalog: %s s wall, %s MiB peak RSS, exit %s, diagnostics and entities checked: %s\n' "$wall" "$((rss / 1024))" "$code" "$count"

# A runaway policy (a 400-million-step comprehension) must stop at the 1 s rule limit.
measure "$BIN" check tests/fixtures/policy-limit --format json
printf 'runaway policy (tests/fixtures/policy-limit): %s s wall, %s MiB peak RSS, exit %s\n' "$WALL" "$((KIB / 1024))" "$CODE"
