#!/usr/bin/env bash
# The benchmark of BENCHMARKS.md: saidgraph beside the peers and beside Oxigraph's own
# handling of the very triples saidgraph produced, on knowledge bases made by
# ../shared/bench/gen_kb.py. Prints a Markdown table of medians.
#
#   bench/run.sh [SIZES] [RUNS]        e.g. bench/run.sh "100000 1000000" 3
#
# Needs: python3 with pip (installs rdflib and morph-kgc if missing), /usr/bin/time.
# Work files go to $BENCH_DIR (default /tmp/saidgraph-bench); they are large.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-"100000 1000000"}
runs=${2:-3}
shared=${SHARED:-../shared}
work=${BENCH_DIR:-/tmp/saidgraph-bench}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/saidgraph/target}"
mkdir -p "$work"

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
python3 -c "import rdflib" 2>/dev/null || pip install -q rdflib
python3 -c "import morph_kgc" 2>/dev/null || pip install -q morph-kgc

cargo build --release --locked --quiet
cargo bench --bench limits --no-run --quiet 2>/dev/null
saidgraph="$CARGO_TARGET_DIR/release/saidgraph"
limits=$(ls -t "$CARGO_TARGET_DIR"/release/deps/limits-* | grep -v '\.d$' | head -1)

# measure NAME COMMAND...: runs it $runs times; prints "NAME wall_s peak_MiB" (medians).
measure() {
    local name=$1; shift
    local walls=() rsss=()
    for _ in $(seq "$runs"); do
        [ -n "${before:-}" ] && eval "$before"
        /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || {
            echo "FAILED: $name" >&2; cat "$work/stderr" >&2; return 1; }
        read -r wall rss < "$work/time"
        walls+=("$wall"); rsss+=("$rss")
    done
    local w r
    w=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
    r=$(printf '%s\n' "${rsss[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
    echo "$name $w $((r / 1024))"
}

count_triples() { wc -l < "$1" | tr -d ' '; }

echo "| statements | task | tool | wall (s) | triples/s | peak RSS (MiB) |"
echo "|---:|---|---|---:|---:|---:|"
for n in $sizes; do
    kb="$work/kb-$n.jsonl"; csv="$work/kb-$n-csv"
    [ -f "$kb" ] || python3 "$shared/bench/gen_kb.py" --statements "$n" --form jsonl --out "$kb"
    [ -d "$csv" ] || python3 "$shared/bench/gen_kb.py" --statements "$n" --form csv --out "$csv"
    nt="$work/out-$n.nt"
    "$saidgraph" convert "$kb" -o "$nt"
    triples=$(count_triples "$nt")
    row() { # task tool measure-output [no-rate]
        read -r _ wall rss <<< "$3"
        local rate="–"
        [ -z "${4:-}" ] && rate=$(python3 -c "print(f'{$triples / max($wall, 0.001):,.0f}')")
        echo "| $n | $1 | $2 | $wall | $rate | $rss |"
    }
    row "JSONL → Turtle" saidgraph "$(measure a "$saidgraph" convert "$kb" -o "$work/out-$n.ttl")"
    row "JSONL → N-Triples" saidgraph "$(measure a "$saidgraph" convert "$kb" -o "$work/out2-$n.nt")"
    row "CSV → N-Triples" saidgraph "$(measure a "$saidgraph" convert "$csv" -o "$work/out-csv-$n.nt")"
    row "N-Triples → Turtle (limit)" "oxigraph, no store" "$(measure a "$limits" convert "$nt" "$work/limit-$n.ttl")"
    row "N-Triples → N-Triples (limit)" "oxigraph, no store" "$(measure a "$limits" convert "$nt" "$work/limit-$n.nt")"
    before="rm -rf '$work/store-$n'"
    row "load, on disk" saidgraph "$(measure a "$saidgraph" load "$kb" --store "$work/store-$n")"
    before="rm -rf '$work/limit-store-$n'"
    row "N-Triples bulk load (limit)" "oxigraph" "$(measure a "$limits" load "$nt" "$work/limit-store-$n")"
    before=""
    du -sh "$work/store-$n" | awk -v n="$n" '{print "<!-- store size " n ": " $1 " -->"}'
    row "query who-said-what-to-whom (first 100)" saidgraph \
        "$(measure a "$saidgraph" query --store "$work/store-$n" who-said-what-to-whom --limit 100)" no-rate
    row "query statements-by one speaker" saidgraph \
        "$(measure a "$saidgraph" query --store "$work/store-$n" statements-by --param speaker=e42)" no-rate
    row "query acts (whole store)" saidgraph "$(measure a "$saidgraph" query --store "$work/store-$n" acts)" no-rate
    if [ "$n" -le 100000 ]; then
        row "JSONL → Turtle" "rdflib script" "$(measure a python3 "$shared/bench/rdflib_peer.py" "$kb" "$work/rdflib-$n.ttl")"
    fi
    row "CSV → N-Triples" "morph-kgc" "$(measure a sh "$shared/bench/morph_kgc/run.sh" "$csv" "$work/morph-$n.nt")"
    echo "<!-- morph-kgc wrote $(count_triples "$work/morph-$n.nt") triples for $n statements -->"
done

# Every named query on a store of the largest size (BENCHMARKS.md, "Named queries on a big
# store"); QUERIES=0 leaves it out.
if [ "${QUERIES:-1}" = 1 ]; then
    largest=$(printf '%s\n' $sizes | sort -n | tail -1)
    SAIDGRAPH="$saidgraph" BENCH_DIR="$work" bench/queries.sh "$largest" "$runs"
fi
