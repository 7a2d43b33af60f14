#!/usr/bin/env bash
# The benchmark of BENCHMARKS.md: saidgraph beside the peers and beside Oxigraph's own
# handling of the very triples saidgraph produced, on knowledge bases made by
# ../shared/bench/gen_kb.py. Prints a Markdown table of medians.
#
#   bench/run.sh [SIZES] [RUNS]        e.g. bench/run.sh "100000 1000000" 3
#
# Then issue 12's items 2 and 3 at SMALL_SIZES (default "20000 100000"): sorted against
# streamed, against the rdflib script, morph-kgc and Oxigraph's own N-Triples → Turtle, each
# pair alternated. MAIN=0 ITEMS23=1 QUERIES=0 GROWTH=0 runs that part alone. Then every
# named query on the largest size (bench/queries.sh), and the growth from 10^3 to 10^7
# statements with its plot (bench/growth.sh).
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
# The Python peers live in a virtual environment of their own, never a project dependency.
venv=${BENCH_VENV:-/var/cache/saidgraph-bench-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import rdflib, morph_kgc" 2>/dev/null || "$venv/bin/pip" install -q rdflib morph-kgc
export PATH="$venv/bin:$PATH"

cargo build --release --locked --quiet
cargo bench --bench limits --no-run --quiet 2>/dev/null
saidgraph="$CARGO_TARGET_DIR/release/saidgraph"
limits=$(ls -t "$CARGO_TARGET_DIR"/release/deps/limits-* | grep -v '\.d$' | head -1)

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

# alternate A... -- B...: runs A then B, $runs times over, so that both meet the same load;
# prints "wallA peakA wallB peakB" (medians; seconds, MiB).
alternate() {
    local a=() b=() side=a wa=() ra=() wb=() rb=() wall rss
    for arg; do
        if [ "$side" = a ] && [ "$arg" = -- ]; then side=b; elif [ "$side" = a ]; then a+=("$arg"); else b+=("$arg"); fi
    done
    for _ in $(seq "$runs"); do
        for s in a b; do
            local -n cmd=$s
            /usr/bin/time -f "%e %M" -o "$work/time" "${cmd[@]}" >/dev/null 2>"$work/stderr" || {
                echo "FAILED: ${cmd[*]}" >&2; cat "$work/stderr" >&2; return 1; }
            read -r wall rss < "$work/time"
            if [ $s = a ]; then wa+=("$wall"); ra+=("$rss"); else wb+=("$wall"); rb+=("$rss"); fi
        done
    done
    echo "$(median "${wa[@]}") $(( $(median "${ra[@]}") / 1024 )) $(median "${wb[@]}") $(( $(median "${rb[@]}") / 1024 ))"
}

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

# prepare N: the knowledge bases of N statements (JSON Lines: $kb, CSV: $csv), saidgraph's
# N-Triples of it ($nt) and their count ($triples).
prepare() {
    kb="$work/kb-$1.jsonl"; csv="$work/kb-$1-csv"
    [ -f "$kb" ] || python3 "$shared/bench/gen_kb.py" --statements "$1" --form jsonl --out "$kb"
    [ -d "$csv" ] || python3 "$shared/bench/gen_kb.py" --statements "$1" --form csv --out "$csv"
    nt="$work/out-$1.nt"
    "$saidgraph" convert "$kb" -o "$nt"
    triples=$(count_triples "$nt")
}

if [ "${MAIN:-1}" = 1 ]; then
    echo "| statements | task | tool | wall (s) | triples/s | peak RSS (MiB) |"
    echo "|---:|---|---|---:|---:|---:|"
fi
# MAIN=0 leaves this table out.
for n in $([ "${MAIN:-1}" = 1 ] && echo "$sizes"); do
    prepare "$n"
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

# Issue 12, items 2 and 3 (BENCHMARKS.md, "Small and medium inputs; the serializer on both
# cores"): each comparison a pair of commands alternated under the same load, medians.
# "per triple" divides each side's time by the triples it wrote. ITEMS23=0 leaves it out.
if [ "${ITEMS23:-1}" = 1 ]; then
    echo
    echo "<!-- load average before: $(cut -d' ' -f1-3 /proc/loadavg) -->"
    echo "| statements | A | B | A wall (s) | A peak (MiB) | B wall (s) | B peak (MiB) | per triple |"
    echo "|---:|---|---|---:|---:|---:|---:|---|"
    for n in ${SMALL_SIZES:-20000 100000}; do
        prepare "$n"
        # pair A-NAME B-NAME A-TRIPLES B-TRIPLES "measure" HOW: HOW is "ratio" (A's time per
        # triple over B's) or "faster" (B's over A's: how many times faster A is).
        pair() {
            read -r wa ra wb rb <<< "$5"
            local text
            text=$(python3 -c "a=$wa/$3; b=$wb/$4; print(f'{a / b:.2f}× B' if '$6' == 'ratio' else f'A {b / a:.1f}× faster')")
            echo "| $n | $1 | $2 | $wa | $ra | $wb | $rb | $text |"
        }
        pair "saidgraph JSONL → Turtle, sorted" "saidgraph, streamed" "$triples" "$triples" \
            "$(alternate "$saidgraph" convert "$kb" --order sorted -o "$work/sorted-$n.ttl" -- \
                "$saidgraph" convert "$kb" --order input -o "$work/streamed-$n.ttl")" ratio
        pair "saidgraph JSONL → N-Triples, sorted" "saidgraph, streamed" "$triples" "$triples" \
            "$(alternate "$saidgraph" convert "$kb" --order sorted -o "$work/sorted-$n.nt" -- \
                "$saidgraph" convert "$kb" --order input -o "$work/streamed-$n.nt")" ratio
        result=$(alternate "$saidgraph" convert "$kb" -o "$work/auto-$n.ttl" -- \
            python3 "$shared/bench/rdflib_peer.py" "$kb" "$work/rdflib-$n.ttl")
        rdflib_triples=$("$limits" convert "$work/rdflib-$n.ttl" "$work/rdflib-$n.nt" 2>&1 >/dev/null | cut -d' ' -f1)
        pair "saidgraph JSONL → Turtle" "rdflib script" "$triples" "$rdflib_triples" "$result" faster
        if [ "$n" -ge 100000 ]; then
            "$saidgraph" convert "$csv" -o "$work/out-csv-$n.nt"
            csv_triples=$(count_triples "$work/out-csv-$n.nt")
            result=$(alternate "$saidgraph" convert "$csv" -o "$work/out-csv-$n.nt" -- \
                sh "$shared/bench/morph_kgc/run.sh" "$csv" "$work/morph-$n.nt")
            pair "saidgraph CSV → N-Triples" "morph-kgc" "$csv_triples" "$(count_triples "$work/morph-$n.nt")" "$result" faster
            pair "saidgraph JSONL → Turtle" "Oxigraph N-Triples → Turtle (limit)" "$triples" "$triples" \
                "$(alternate "$saidgraph" convert "$kb" -o "$work/auto-$n.ttl" -- \
                    "$limits" convert "$nt" "$work/limit-$n.ttl")" ratio
            pair "saidgraph JSONL → Turtle, sorted" "Oxigraph N-Triples → Turtle (limit)" "$triples" "$triples" \
                "$(alternate "$saidgraph" convert "$kb" --order sorted -o "$work/sorted-$n.ttl" -- \
                    "$limits" convert "$nt" "$work/limit-$n.ttl")" ratio
        fi
    done
    echo "<!-- load average after: $(cut -d' ' -f1-3 /proc/loadavg) -->"
fi

# Every named query on a store of the largest size (BENCHMARKS.md, "Named queries on a big
# store"); QUERIES=0 leaves it out.
if [ "${QUERIES:-1}" = 1 ]; then
    largest=$(printf '%s\n' $sizes | sort -n | tail -1)
    SAIDGRAPH="$saidgraph" BENCH_DIR="$work" bench/queries.sh "$largest" "$runs"
fi

# Issue 12, items 4 and 5 (BENCHMARKS.md, "Growth and loads at scale"): convert and load
# from 10^3 to 10^7 statements beside the peers, and the plot of it (assets/growth.png).
# About two hours and 40 GB of disk at 10^7; GROWTH=0 leaves it out, GROWTH_SIZES picks sizes.
if [ "${GROWTH:-1}" = 1 ]; then
    echo
    SAIDGRAPH="$saidgraph" BENCH_DIR="$work/growth" \
        bench/growth.sh "${GROWTH_SIZES:-1000 10000 100000 1000000 10000000}" "$runs"
fi
