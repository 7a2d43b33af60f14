#!/usr/bin/env bash
# The "Named queries on a big store" table of BENCHMARKS.md: every named query on a store
# loaded from ../shared/bench/gen_kb.py output (2,000 entities), each run from a fresh
# process as a new user would: the first page (`--limit 100 -r csv`), and the whole result
# of the aggregating ones. Prints a Markdown table of medians: wall and CPU seconds.
#
#   bench/queries.sh [STATEMENTS] [RUNS] [TIMEOUT_S]     e.g. bench/queries.sh 1000000 3 120
#
# Needs: python3, /usr/bin/time. Work files go to $BENCH_DIR (default /tmp/saidgraph-bench);
# the 1,000,000-statement store takes about 1.2 GB. $SAIDGRAPH picks another binary (the
# default is this clone's release build). A run past TIMEOUT_S is shown as "> TIMEOUT_S".
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${2:-3}
timeout_s=${3:-120}
shared=${SHARED:-../shared}
work=${BENCH_DIR:-/tmp/saidgraph-bench}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/saidgraph/target}"
mkdir -p "$work"

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
if [ -z "${SAIDGRAPH:-}" ]; then
    cargo build --release --locked --quiet
    SAIDGRAPH="$CARGO_TARGET_DIR/release/saidgraph"
fi

kb="$work/kb-$n-e2000.jsonl"
store="$work/query-store-$n"
[ -f "$kb" ] || python3 "$shared/bench/gen_kb.py" --statements "$n" --entities 2000 --form jsonl --out "$kb"
if [ ! -d "$store" ]; then
    /usr/bin/time -f "%e %U %S" -o "$work/load-time" "$SAIDGRAPH" load "$kb" --store "$store" >/dev/null 2>&1
    read -r wall user sys < "$work/load-time"
    echo "<!-- load of $n statements, compaction included: ${wall} s wall, $(printf '%.2f' "$(echo "$user + $sys" | bc)") s CPU -->"
fi

# time_query ARGS...: runs `saidgraph query --store STORE ARGS` $runs times; prints the
# median "wall cpu" in seconds, or "> TIMEOUT" when a run did not finish.
time_query() {
    local walls=() cpus=()
    for _ in $(seq "$runs"); do
        if ! /usr/bin/time -f "%e %U %S" -o "$work/query-time" \
            timeout "$timeout_s" "$SAIDGRAPH" query --store "$store" -r csv "$@" >/dev/null 2>"$work/query-stderr"; then
            if grep -q "Command exited with non-zero status 124" "$work/query-time"; then
                echo "> $timeout_s"; return; fi
            echo "FAILED: $*" >&2; cat "$work/query-stderr" >&2; exit 1
        fi
        read -r wall user sys < <(tail -1 "$work/query-time")
        walls+=("$wall"); cpus+=("$(printf '%.2f' "$(echo "$user + $sys" | bc)")")
    done
    local mid=$(( (runs + 1) / 2 ))
    echo "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "${mid}p") $(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "${mid}p")"
}

row() { # label, then the query's arguments
    local label=$1; shift
    local result; result=$(time_query "$@")
    case $result in
        ">"*) echo "| $label | $result | – |" ;;
        *) read -r wall cpu <<< "$result"; echo "| $label | $wall | $cpu |" ;;
    esac
}

echo "| $n statements: named query | wall (s) | CPU (s) |"
echo "|---|---:|---:|"
for name in who-said-what-to-whom statements-by statements-about replies timeline stance-on \
            interaction-matrix linked-entities quotes acts entity statements-by-party; do
    row "\`$name\`, first 100" "$name" --limit 100
done
row "\`statements-by\` one speaker, first 100" statements-by --param speaker=e42 --limit 100
row "\`statements-by\` one speaker, all" statements-by --param speaker=e42
row "\`statements-about\` one topic, first 100" statements-about --param topic=e42 --limit 100
row "\`stance-on\` one topic, all" stance-on --param topic=e42
row "\`interaction-matrix\` one speaker, all" interaction-matrix --param speaker=e42
row "\`entity\` one entity" entity --param entity=e42
for name in acts interaction-matrix stance-on; do
    row "\`$name\`, whole result" "$name"
done
