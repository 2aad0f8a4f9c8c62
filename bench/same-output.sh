#!/usr/bin/env bash
# Shows that a change left Portolan's output byte-identical: builds the
# release binary at REV (default HEAD~1) in a throwaway worktree and the
# working tree's binary, runs both on the same catalogs with the same
# `--today`, and diffs every `check` format and the whole built site.
#
#   bench/same-output.sh [REV]                 # example catalog + 10k synthetic
#   SIZES= bench/same-output.sh 5c8112f        # example catalog only
#   CATALOGS="a b" bench/same-output.sh REV    # extra catalogs to compare
#   OLD_BIN=/tmp/portolan-old bench/same-output.sh   # compare with a binary built earlier
#
# Exits 0 when everything is identical; otherwise prints the differing
# files (and a short diff of each check format) and exits 1. Intended
# differences (a fix that changes a page) show up here and are explained
# in the commit that makes them.
set -euo pipefail
cd "$(dirname "$0")/.."
REV=${1:-HEAD~1}
SIZES=${SIZES-10000}
TODAY=${TODAY:-2026-06-01}
BENCH_DIR=${BENCH_DIR:-/tmp/portolan-bench}
WORK=${WORK:-/tmp/portolan-same-output}
rm -rf "$WORK"
mkdir -p "$WORK"

# The old binary: a detached worktree at REV, built in its own target dir
# so the working tree's incremental build is not thrown away.
# OLD_BIN=path skips that and uses a binary built earlier.
if [[ -n ${OLD_BIN:-} ]]; then
    OLD=$OLD_BIN
else
    old_src=$WORK/src-old
    git worktree add --detach --force "$old_src" "$REV" >/dev/null 2>&1
    trap 'git worktree remove --force "$old_src" >/dev/null 2>&1 || true' EXIT
    CARGO_TARGET_DIR=${OLD_TARGET_DIR:-/tmp/portolan-old-target} cargo build --release --quiet --manifest-path "$old_src/Cargo.toml"
    OLD=${OLD_TARGET_DIR:-/tmp/portolan-old-target}/release/portolan
fi
cargo build --release --quiet
NEW=${CARGO_TARGET_DIR:-$PWD/target}/release/portolan

catalogs=("example-catalog")
for n in $SIZES; do
    dir=$BENCH_DIR/catalog-$n
    if [[ ! -f $dir/.gen-catalog.json ]]; then
        python3 bench/gen_catalog.py --entities "$n" --docs-pages 3 --out "$dir" --force >&2
    fi
    catalogs+=("$dir")
done
for c in ${CATALOGS:-}; do catalogs+=("$c"); done
for c in ../shared/compat/backstage-examples ../shared/compat/backstage-create-app; do
    [[ -d $c ]] && catalogs+=("$c")
done

status=0
for cat in "${catalogs[@]}"; do
    name=$(basename "$cat")
    for which in old new; do
        bin=$OLD; [[ $which == new ]] && bin=$NEW
        mkdir -p "$WORK/$which/$name"
        for fmt in human json github sarif junit markdown; do
            NO_COLOR=1 "$bin" check "$cat" --format "$fmt" --today "$TODAY" >"$WORK/$which/$name/check.$fmt" 2>/dev/null || true
        done
        "$bin" build "$cat" --out "$WORK/$which/$name/site" --today "$TODAY" >/dev/null 2>&1 || echo "build failed: $which $name" >&2
    done
    if diff -rq "$WORK/old/$name" "$WORK/new/$name" >"$WORK/$name.diff"; then
        echo "identical: $name ($(find "$WORK/new/$name" -type f | wc -l) files)"
    else
        status=1
        echo "DIFFERENT: $name ($(wc -l <"$WORK/$name.diff") files differ)"
        head -n 20 "$WORK/$name.diff"
        for fmt in human json; do
            diff -u "$WORK/old/$name/check.$fmt" "$WORK/new/$name/check.$fmt" | head -n 30 || true
        done
    fi
done
echo "outputs kept in $WORK/old and $WORK/new"
exit $status
