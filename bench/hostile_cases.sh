#!/usr/bin/env bash
# Wall time and peak RSS of every hostile case of issue 10 (the suites that
# run the binary under `ulimit -v` 1 GiB and a timeout), on the release
# build: each case's run of `portolan` is wrapped in /usr/bin/time through
# PORTOLAN_MEASURE (tests/common), one line per run:
#
#   bench/hostile_cases.sh            # all four suites
#   SUITES="trust" bench/hostile_cases.sh
#
# Prints `wall s  peak KiB  test  command`, sorted by test, then the worst
# wall time and the largest peak. The target is 5 s and 1 GiB per case.
set -euo pipefail
cd "$(dirname "$0")/.."
SUITES=${SUITES:-"input_budgets policy_limits trust hostile_output"}
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
args=()
for s in $SUITES; do args+=(--test "$s"); done
PORTOLAN_MEASURE=$OUT cargo test --release --quiet "${args[@]}" -- --test-threads=1 >/dev/null
# /usr/bin/time writes "Command exited with non-zero status N" before the
# figures of a run that exits 1 (most of these do, by design).
grep -v '^Command exited' "$OUT" > "$OUT.runs"
mv "$OUT.runs" "$OUT"
sort -k5,5 -k6,6 "$OUT" | awk '{printf "%8s s %9s KiB  %s %s\n", $1, $3, $5, $6}'
awk '$1+0 > w {w = $1+0} $3+0 > m {m = $3+0} END {printf "worst wall %.2f s, largest peak %.0f MiB, %d runs\n", w, m/1024, NR}' "$OUT"
