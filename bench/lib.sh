# shellcheck shell=bash
# Shared by the bench scripts (sourced, not run).
# shellcheck disable=SC2034 # WALL, KIB and CODE are read by the scripts that source this file

# Runs a command once; sets WALL (s), KIB (peak RSS) and CODE (exit code).
measure() {
    local tmp
    tmp=$(mktemp)
    if /usr/bin/time -o "$tmp" -f '%e %M' "$@" >/dev/null 2>&1; then CODE=0; else CODE=$?; fi
    # On failure /usr/bin/time writes "Command exited with non-zero status N" first.
    read -r WALL KIB < <(tail -n 1 "$tmp")
    rm -f "$tmp"
}
