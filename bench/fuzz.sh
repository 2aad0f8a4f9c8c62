#!/usr/bin/env bash
# Runs the fuzz targets (examples/fuzz.rs) for a fixed time each and prints
# executions per second and whether anything crashed.
#
#   bench/fuzz.sh                  # yaml and metadata, 10 minutes each
#   SECONDS_EACH=120 bench/fuzz.sh # 2 minutes each
#   TARGETS=yaml SEED=7 bench/fuzz.sh
#
# Each target runs under a 1 GiB address-space limit. A finding (a panic, or
# one input slower than 1 s) is written to fuzz/crash-TARGET-SEED-ITERATION;
# if the process itself dies (abort, stack overflow, out of memory), replay
# from the last reported iteration to catch the input:
#   cargo run --release --example fuzz -- TARGET replay SEED ITERATION
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${SECONDS_EACH:-600}
TARGETS=${TARGETS:-"yaml metadata"}
SEED=${SEED:-$RANDOM}

cargo build --release --quiet --example fuzz
status=0
for target in $TARGETS; do
    log=$(mktemp)
    if (ulimit -v 1048576; exec target/release/examples/fuzz "$target" "$SECONDS_EACH" "$SEED") >"$log" 2>&1; then
        code=0
    else
        code=$?
    fi
    grep -v '^progress:' "$log" || true
    case $code in
        0) echo "$target: no crash" ;;
        1) echo "$target: FINDINGS (see above)"; status=1 ;;
        *) echo "$target: the process died (exit $code); last progress: $(grep '^progress:' "$log" | tail -n 1)"; status=1 ;;
    esac
    rm -f "$log"
done
exit $status
