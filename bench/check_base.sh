#!/usr/bin/env bash
# Times `portolan check --base HEAD` (the PR mode) against a plain `check`
# of the same working tree, on the git-history repository of
# bench/git_history.sh (10k entities, 5,000 commits), with one entity file
# edited in the working tree. Runs alternate, and CPU time is reported next
# to wall time because the machine is shared.
#
#   bench/check_base.sh                         # 5 runs each
#   RUNS=3 BIN=/path/to/portolan bench/check_base.sh
#   BASE_BIN=/path/to/older/portolan bench/check_base.sh   # also time that binary's --base
#
# Target (issue 14): `check --base` on the 10k catalog in at most 3 s.
set -euo pipefail
cd "$(dirname "$0")/.."
ENTITIES=${ENTITIES:-10000}
COMMITS=${COMMITS:-5000}
RUNS=${RUNS:-5}
BENCH_DIR=${BENCH_DIR:-/tmp/portolan-bench}
REPO="$BENCH_DIR/git-history-$ENTITIES-$COMMITS"

if [[ -z ${BIN:-} ]]; then
    cargo build --release --quiet
    BIN=$PWD/target/release/portolan
fi
if [[ ! -d $REPO/.git ]]; then
    # bench/git_history.sh builds the repository (and times the walk once).
    BIN=$BIN RUNS=1 ENTITIES=$ENTITIES COMMITS=$COMMITS bash bench/git_history.sh >/dev/null
fi

# One edit in the working tree: the PR. Restored on exit.
file=$(git -C "$REPO" ls-files 'components/*.yaml' | awk 'NR == 1')
trap 'git -C "$REPO" checkout --quiet -- "$file"' EXIT
sed -i '0,/description: /s//description: Edited in this pull request. /' "$REPO/$file"
git -C "$REPO" diff --stat | tail -1

# Runs a command RUNS times; prints best and median wall, median user+sys CPU, peak RSS.
time_it() {
    local label=$1
    shift
    local walls=() cpus=() rss=0 tmp w u s k
    tmp=$(mktemp)
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -o "$tmp" -f '%e %U %S %M' "$@" >/dev/null 2>&1 || true
        read -r w u s k < <(tail -n 1 "$tmp")
        walls+=("$w")
        cpus+=("$(awk "BEGIN{print $u+$s}")")
        if ((k > rss)); then rss=$k; fi
    done
    rm -f "$tmp"
    median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
    best=$(printf '%s\n' "${walls[@]}" | sort -g | head -1)
    printf '%-34s best %6.2f s  median %6.2f s wall  median %6.2f s CPU  peak %4d MiB\n' \
        "$label" "$best" "$(median "${walls[@]}")" "$(median "${cpus[@]}")" "$((rss / 1024))"
}

cd "$REPO"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
time_it "check (one run)" "$BIN" check . --format json --today 2026-12-01
time_it "check --base HEAD" "$BIN" check . --base HEAD --format markdown --today 2026-12-01
if [[ -n ${BASE_BIN:-} ]]; then
    time_it "check --base HEAD (BASE_BIN)" "$BASE_BIN" check . --base HEAD --format markdown --today 2026-12-01
fi
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
