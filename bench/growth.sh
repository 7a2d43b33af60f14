#!/usr/bin/env bash
# Issue 12, items 4 and 5 (BENCHMARKS.md, "Growth" and "Loads at scale"): wall time and
# peak memory against size, 10^3 to 10^7 statements, for convert and load, beside the
# peers where they run, in one run; then draws them (assets/growth.png) with matplotlib.
#
#   bench/growth.sh [SIZES] [RUNS]       e.g. bench/growth.sh "1000 10000 100000 1000000 10000000" 3
#
# Per size, from ../shared/bench/gen_kb.py output (JSON Lines, and CSV for morph-kgc):
#   saidgraph convert → Turtle and → N-Triples; Oxigraph's own N-Triples → Turtle (the
#   serializer's limit, benches/limits.rs); the rdflib script (up to RDFLIB_MAX, default
#   100,000: it takes minutes beyond); morph-kgc CSV → N-Triples (up to MORPH_MAX, default
#   1,000,000); `saidgraph load` into a new store (validation, mapping, bulk load and
#   compaction) against Oxigraph's bulk loader on saidgraph's N-Triples of the same input:
#   into the default graph (Oxigraph's own fastest way), and as saidgraph lays a dataset
#   out (one named graph, whose six indexes take twice the disk of the default graph's
#   three, then Oxigraph's optimize, the compaction `load` ends with); with each store's
#   size on disk.
# Each figure is the median of RUNS runs up to 100,000 statements and one run beyond.
# Prints a Markdown table; the figures also go to $BENCH_DIR/growth.tsv, the plot to
# $PLOT (default assets/growth.png).
#
# Needs python3 with pip (rdflib, morph-kgc and matplotlib go into the bench venv),
# /usr/bin/time. Work files go to $BENCH_DIR (default /tmp/saidgraph-growth); 10^7
# statements take about 40 GB there.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-"1000 10000 100000 1000000 10000000"}
runs=${2:-3}
shared=${SHARED:-../shared}
work=${BENCH_DIR:-/tmp/saidgraph-growth}
plot=${PLOT:-assets/growth.png}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/saidgraph/target}"
mkdir -p "$work"

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
venv=${BENCH_VENV:-/var/cache/saidgraph-bench-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import rdflib, morph_kgc, matplotlib" 2>/dev/null \
    || "$venv/bin/pip" install -q rdflib morph-kgc matplotlib
export PATH="$venv/bin:$PATH"

if [ -z "${SAIDGRAPH:-}" ]; then
    cargo build --release --locked --quiet
    SAIDGRAPH="$CARGO_TARGET_DIR/release/saidgraph"
fi
cargo bench --bench limits --no-run --quiet 2>/dev/null
limits=$(ls -t "$CARGO_TARGET_DIR"/release/deps/limits-* | grep -v '\.d$' | head -1)

tsv="$work/growth.tsv"
printf 'statements\ttriples\ttask\ttool\twall_s\tpeak_mib\tdisk_mib\n' > "$tsv"
echo "<!-- load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores -->"
echo "| statements | triples | task | tool | wall (s) | peak RSS (MiB) | store on disk (MiB) |"
echo "|---:|---:|---|---|---:|---:|---:|"

# measure N TASK TOOL [--before CMD] [--disk DIR] -- COMMAND...: runs COMMAND (median of
# $reps runs; CMD before each), then prints and records the row.
measure() {
    local n=$1 task=$2 tool=$3 before="" disk=""; shift 3
    while [ "$1" != -- ]; do
        case $1 in --before) before=$2 ;; --disk) disk=$2 ;; esac
        shift 2
    done
    shift
    local walls=() rsss=() wall rss
    for _ in $(seq "$reps"); do
        [ -n "$before" ] && eval "$before"
        if ! /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr"; then
            echo "| $n | $triples | $task | $tool | FAILED | | |"
            printf '%s\t%s\t%s\t%s\tFAILED\t\t\n' "$n" "$triples" "$task" "$tool" >> "$tsv"
            tail -3 "$work/stderr" >&2
            return 0
        fi
        read -r wall rss < <(tail -1 "$work/time")
        walls+=("$wall"); rsss+=("$rss")
    done
    local mid=$(( (reps + 1) / 2 ))
    wall=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "${mid}p")
    rss=$(( $(printf '%s\n' "${rsss[@]}" | sort -n | sed -n "${mid}p") / 1024 ))
    local mib=""
    [ -n "$disk" ] && mib=$(( $(du -sk "$disk" | cut -f1) / 1024 ))
    echo "| $n | $triples | $task | $tool | $wall | $rss | $mib |"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$triples" "$task" "$tool" "$wall" "$rss" "$mib" >> "$tsv"
}

for n in $sizes; do
    reps=$runs
    [ "$n" -gt 100000 ] && reps=1
    kb="$work/kb-$n.jsonl"; csv="$work/kb-$n-csv"; nt="$work/out-$n.nt"
    [ -f "$kb" ] || python3 "$shared/bench/gen_kb.py" --statements "$n" --form jsonl --out "$kb"
    "$SAIDGRAPH" convert "$kb" -o "$nt" 2>/dev/null
    triples=$(wc -l < "$nt" | tr -d ' ')

    measure "$n" "JSONL → Turtle" saidgraph -- "$SAIDGRAPH" convert "$kb" -o "$work/out-$n.ttl"
    measure "$n" "JSONL → N-Triples" saidgraph -- "$SAIDGRAPH" convert "$kb" -o "$nt"
    measure "$n" "N-Triples → Turtle" "Oxigraph (limit)" -- "$limits" convert "$nt" "$work/limit-$n.ttl"
    rm -f "$work/out-$n.ttl" "$work/limit-$n.ttl"
    if [ "$n" -le "${RDFLIB_MAX:-100000}" ]; then
        measure "$n" "JSONL → Turtle" "rdflib script" -- python3 "$shared/bench/rdflib_peer.py" "$kb" "$work/rdflib-$n.ttl"
        rm -f "$work/rdflib-$n.ttl"
    fi
    if [ "$n" -le "${MORPH_MAX:-1000000}" ]; then
        [ -d "$csv" ] || python3 "$shared/bench/gen_kb.py" --statements "$n" --form csv --out "$csv"
        measure "$n" "CSV → N-Triples" saidgraph -- "$SAIDGRAPH" convert "$csv" -o "$work/csv-$n.nt"
        measure "$n" "CSV → N-Triples" morph-kgc -- sh "$shared/bench/morph_kgc/run.sh" "$csv" "$work/morph-$n.nt"
        rm -f "$work/csv-$n.nt" "$work/morph-$n.nt"
    fi

    store="$work/store-$n"
    measure "$n" "load, on disk" saidgraph --before "rm -rf '$store'" --disk "$store" -- \
        "$SAIDGRAPH" load "$kb" --store "$store"
    rm -rf "$store"
    measure "$n" "N-Triples bulk load" "Oxigraph" --before "rm -rf '$store'" --disk "$store" -- \
        "$limits" load "$nt" "$store"
    measure "$n" "N-Triples bulk load, one named graph, + optimize" "Oxigraph" --before "rm -rf '$store'" --disk "$store" -- \
        "$limits" load "$nt" "$store" named
    rm -rf "$store" "$nt"
done
echo "<!-- load average after: $(cut -d' ' -f1-3 /proc/loadavg) -->"

python3 bench/growth_plot.py "$tsv" "$plot"
echo "<!-- plot: $plot -->"
