#!/usr/bin/env bash
# Times `portolan build` on synthetic catalogs and, on the 10k catalog,
# against Hugo rendering the same docs markdown in the same run.
#
#   bench/build.sh                     # 10k (with the Hugo peer) and 100k
#   SIZES=10000 RUNS=1 bench/build.sh  # one size, one run
#   RUNS=5 RUNS_100K=2 bench/build.sh  # runs per size (best wall time is kept)
#   HUGO=0 bench/build.sh              # skip the Hugo peer
#
# The peer is Hugo (Debian package `hugo`, installed when missing and
# running as root) with a three-file theme and no sitemap, RSS, robots.txt,
# 404, taxonomies or syntax highlighting (Portolan does none of these),
# building one page per component docs/*.md file of the 10k catalog into
# content/docs/<component>/ (index.md becomes the component's section
# page; 6,400 top-level sections instead make Hugo 0.111 about 2x slower
# and 3x larger). Hugo renders only those docs while Portolan renders its own
# pages, so pages/s is the figure to compare; the wall-time ratio is
# printed too.
#
# Outputs go to OUT_DIR (default: a folder on /dev/shm), a fresh folder per
# run, removed only at the end. Both tools write tens of thousands of
# files; on this machine's ext4 disk, creating inodes right after tens of
# thousands were deleted costs up to 5x more kernel time (ext4 skips
# recently freed inodes), so a run's speed depended on what the previous
# run deleted. tmpfs takes that disk state out for both tools alike.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"10000 100000"}
RUNS=${RUNS:-3}
HUGO=${HUGO:-1}
PEER_SIZE=10000
BENCH_DIR=${BENCH_DIR:-/tmp/portolan-bench}
mkdir -p "$BENCH_DIR"
if [[ -z ${OUT_DIR:-} ]]; then
    if [[ -d /dev/shm && -w /dev/shm ]]; then OUT_DIR=/dev/shm/portolan-bench-out; else OUT_DIR=$BENCH_DIR/out; fi
fi
rm -rf "$OUT_DIR"
mkdir -p "$OUT_DIR"
trap 'rm -rf "$OUT_DIR"' EXIT

if [[ $HUGO != 0 ]] && ! command -v hugo >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "hugo not found: installing the Debian package" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y hugo >&2 || { apt-get update >&2 && apt-get install -y hugo >&2; }
    else
        echo "error: hugo is not installed; run \`sudo apt-get install -y hugo\`, or HUGO=0 $0 to skip the Hugo peer" >&2
        exit 1
    fi
fi

cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/portolan

# shellcheck source=bench/lib.sh
source bench/lib.sh

# best_of RUNS PARENT CMD...: runs CMD RUNS times, each time with `{out}`
# in its arguments replaced by a fresh folder PARENT/run-N (never one that
# a previous run wrote or deleted); sets BEST (lowest wall), RSS (highest
# KiB) and CODE (of the last run). PARENT/run-1 is kept for inspection.
best_of() {
    local runs=$1 parent=$2 i; shift 2
    BEST="" RSS=0
    for i in $(seq "$runs"); do
        local cmd=("${@//\{out\}/$parent/run-$i}")
        measure "${cmd[@]}"
        if [[ -z $BEST ]] || awk "BEGIN{exit !($WALL < $BEST)}"; then BEST=$WALL; fi
        (( KIB > RSS )) && RSS=$KIB
    done
    return 0
}

# Generates the catalog of $1 entities once; prints its folder.
catalog() {
    local dir=$BENCH_DIR/catalog-$1
    if [[ ! -f $dir/.gen-catalog.json ]]; then
        python3 bench/gen_catalog.py --entities "$1" --out "$dir" --docs-pages 3 --force >&2
    fi
    echo "$dir"
}

# Reads every file of a folder once so every run measures the same thing.
warm() {
    find "$1" -type f -print0 | xargs -0 cat >/dev/null
}

# count_files DIR [FIND PREDICATES...]: the number of files, 0 if DIR does not exist.
count_files() {
    local dir=$1; shift
    if [[ -d $dir ]]; then find "$dir" -type f "$@" | wc -l; else echo 0; fi
}

# The largest file matching find's predicates under $1, as "bytes (path)", or n/a.
largest() {
    local dir=$1; shift
    find "$dir" -type f "$@" -printf '%s (%P)\n' | sort -n | tail -n 1 | grep . || echo n/a
}

mib() { awk "BEGIN{printf \"%.0f\", $1 / 1024}"; }

# Pages per second, or n/a when nothing was rendered.
rate() { awk "BEGIN{if ($1 > 0) printf \"%.0f\", $1 / ($2 > 0 ? $2 : 0.01); else printf \"n/a\"}"; }

# Times `portolan build` of the catalog of $1 entities into $BENCH_DIR/out-portolan-$1/site;
# sets P_WALL, P_RSS, P_CODE, P_FILES, P_HTML, P_ENTITIES and P_OUT.
declare -A P_WALL P_RSS P_CODE P_FILES P_HTML P_ENTITIES P_OUT
build_portolan() {
    local n=$1 dir runs parent out
    dir=$(catalog "$n")
    runs=$RUNS
    (( n >= 100000 )) && runs=${RUNS_100K:-1}
    warm "$dir"
    parent=$OUT_DIR/portolan-$n
    out=$parent/run-1/site
    best_of "$runs" "$parent" "$BIN" build "$dir" --out "{out}/site"
    P_WALL[$n]=$BEST P_RSS[$n]=$RSS P_CODE[$n]=$CODE P_OUT[$n]=$out
    P_FILES[$n]=$(count_files "$out")
    P_HTML[$n]=$(count_files "$out" -name '*.html')
    P_ENTITIES[$n]=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["entities"])' "$dir/.gen-catalog.json")
}

printf '## portolan build\n\n'
printf '| entities | files written | HTML pages | wall (s) | peak RSS (MiB) | HTML pages/s | exit | largest HTML page (bytes) | largest file outside api/, search/ (bytes) | 100k target: ≤60 s, ≤3 GiB |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---|---|---|\n'
for n in $SIZES; do
    build_portolan "$n"
    out=${P_OUT[$n]}
    if [[ -d $out ]]; then
        big_html=$(largest "$out" -name '*.html')
        big_file=$(largest "$out" -not -path "$out/api/*" -not -path "$out/search/*")
    else
        big_html=n/a big_file=n/a
    fi
    target=—
    if (( n >= 100000 )); then
        if awk "BEGIN{exit !(${P_WALL[$n]} <= 60 && ${P_RSS[$n]} <= 3 * 1024 * 1024)}"; then target=met; else target=missed; fi
    fi
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${P_ENTITIES[$n]}" "${P_FILES[$n]}" "${P_HTML[$n]}" \
        "${P_WALL[$n]}" "$(mib "${P_RSS[$n]}")" "$(rate "${P_HTML[$n]}" "${P_WALL[$n]}")" "${P_CODE[$n]}" \
        "$big_html" "$big_file" "$target"
done

[[ $HUGO == 0 ]] && exit 0

# The Hugo site: a minimal theme, and one content page per component docs/*.md.
n=$PEER_SIZE
dir=$(catalog "$n")
site=$BENCH_DIR/hugo-site-$n
docs=$(hugo_peer_site "$dir" "$site")
warm "$site"
best_of "$RUNS" "$OUT_DIR/hugo-$n" hugo --quiet --source "$site" --destination "{out}"
hwall=$BEST hrss=$RSS hcode=$CODE
hhtml=$(count_files "$OUT_DIR/hugo-$n/run-1" -name '*.html')

if [[ -z ${P_WALL[$n]:-} ]]; then build_portolan "$n"; fi
pwall=${P_WALL[$n]} prss=${P_RSS[$n]} phtml=${P_HTML[$n]}

printf '\n## portolan build against Hugo (%s) on the %s-entity catalog (%s docs pages), best of %s\n\n' \
    "$(hugo version | awk '{print $2}')" "$n" "$docs" "$RUNS"
printf '| build | HTML pages | wall (s) | peak RSS (MiB) | HTML pages/s | exit |\n'
printf '|---|---:|---:|---:|---:|---:|\n'
printf '| portolan build (%s entities) | %s | %s | %s | %s | %s |\n' "${P_ENTITIES[$n]}" "$phtml" "$pwall" "$(mib "$prss")" "$(rate "$phtml" "$pwall")" "${P_CODE[$n]}"
printf '| hugo (%s docs pages) | %s | %s | %s | %s | %s |\n' "$docs" "$hhtml" "$hwall" "$(mib "$hrss")" "$(rate "$hhtml" "$hwall")" "$hcode"

# ratio NUM DEN: NUM/DEN with two decimals, n/a if either is not positive.
ratio() { awk "BEGIN{if ($1 > 0 && $2 > 0) printf \"%.2f×\", $1 / $2; else printf \"n/a\"}"; }
# verdict VALUE OP TARGET: met or missed, or nothing when VALUE is n/a.
verdict() {
    [[ $1 == n/a ]] && return 0
    if awk "BEGIN{exit !(${1%×} $2 $3)}"; then echo met; else echo missed; fi
}
speed=$(ratio "$(awk "BEGIN{print $phtml / ($pwall > 0 ? $pwall : 0.01)}")" "$(awk "BEGIN{print $hhtml / ($hwall > 0 ? $hwall : 0.01)}")")
walls=$(ratio "$hwall" "$pwall")
rss=$(ratio "$prss" "$hrss")
printf '\n| ratio | value | target | |\n|---|---:|---:|---|\n'
printf '| portolan speed / hugo, HTML pages/s | %s | ≥5× | %s |\n' "$speed" "$(verdict "$speed" '>=' 5)"
printf '| portolan speed / hugo, wall time (hugo s / portolan s) | %s | ≥5× | %s |\n' "$walls" "$(verdict "$walls" '>=' 5)"
printf '| portolan peak RSS / hugo peak RSS | %s | ≤0.25× | %s |\n' "$rss" "$(verdict "$rss" '<=' 0.25)"
