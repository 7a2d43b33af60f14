#!/usr/bin/env bash
# Two saidgraph binaries on the same tasks, alternating run by run, medians of RUNS: the
# check that a change (a refactor, say) makes no figure worse. Build each with
# `cargo build --release` from its commit and copy the binary aside first.
#
#   bench/ab.sh OLD_BINARY NEW_BINARY [RUNS] [SIZES]     e.g. bench/ab.sh /tmp/old /tmp/new 5
#
# Knowledge bases come from ../shared/bench/gen_kb.py into $BENCH_DIR
# (default /tmp/saidgraph-bench), as bench/run.sh makes them. Needs /usr/bin/time.
set -euo pipefail
old=$(realpath "$1"); new=$(realpath "$2"); runs=${3:-5}; sizes=${4:-"20000 100000"}
shared=$(realpath "${SHARED:-$(dirname "$0")/../../shared}")
work=${BENCH_DIR:-/tmp/saidgraph-bench}
mkdir -p "$work"; cd "$work"

median() { sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }

# task NAME COMMAND: COMMAND with BIN replaced by each binary in turn.
task() {
    local name=$1 template=$2 which bin
    local -A walls=() peaks=()
    for _ in $(seq "$runs"); do
        for which in old new; do
            bin=${!which}
            rm -rf "$work/ab-store"
            /usr/bin/time -f "%e %M" -o "$work/ab-time" bash -c "${template//BIN/$bin}" >/dev/null 2>"$work/ab-err" || {
                echo "FAILED: $name ($which)" >&2; cat "$work/ab-err" >&2; return 1; }
            read -r wall peak < "$work/ab-time"
            walls[$which]+="$wall "; peaks[$which]+="$peak "
        done
    done
    printf '| %s | %s | %s | %s | %s |\n' "$name" \
        "$(tr ' ' '\n' <<< "${walls[old]}" | grep . | median)" \
        "$(tr ' ' '\n' <<< "${walls[new]}" | grep . | median)" \
        "$(( $(tr ' ' '\n' <<< "${peaks[old]}" | grep . | median) / 1024 ))" \
        "$(( $(tr ' ' '\n' <<< "${peaks[new]}" | grep . | median) / 1024 ))"
}

echo "| statements, task | old (s) | new (s) | old peak (MiB) | new peak (MiB) |"
echo "|---|---:|---:|---:|---:|"
for n in $sizes; do
    kb="$work/kb-$n.jsonl"; csv="$work/kb-$n-csv"
    [ -f "$kb" ] || python3 "$shared/bench/gen_kb.py" --statements "$n" --form jsonl --out "$kb"
    [ -d "$csv" ] || python3 "$shared/bench/gen_kb.py" --statements "$n" --form csv --out "$csv"
    task "$n JSONL → Turtle" "BIN convert $kb -f turtle -o $work/ab-out.ttl"
    task "$n JSONL → N-Triples" "BIN convert $kb -f ntriples -o $work/ab-out.nt"
    task "$n CSV → N-Triples" "BIN convert $csv -f ntriples -o $work/ab-out.nt"
    task "$n validate" "BIN validate $kb"
    task "$n load, on disk" "BIN load $kb --store $work/ab-store"
done
