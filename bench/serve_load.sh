#!/usr/bin/env bash
# Load on `saidgraph serve` (issue 13): 100 connections for 30 s on loopback (wrk, from
# Debian) over a mix of named queries (bench/serve_mix.lua) on a store of N generated
# statements; then the same with a slow query hammering in parallel; then the warm
# first-page latency of every named query. Each run prints wrk's median, p99, requests/s,
# socket errors and non-2xx answers (wrk counts statuses of 400 and over), and the
# statuses the server logged for it. Not a test: it prints the figures that BENCHMARKS.md
# gives. Run it on a release build (the default binary); SAIDGRAPH names another.
#
#   bench/serve_load.sh [STATEMENTS=1000000] [SECONDS=30] [CONNECTIONS=100]
#
# SG_TIMEOUT (seconds, 30), SG_MAX_CONCURRENT and SG_QUEUE_WAIT (e.g. 5s) set the server's
# bounds; without them it runs with its defaults.
# Needs wrk (apt-get install wrk), curl, python3 and ../shared/bench/gen_kb.py; the store
# is made once in $SG_BENCH_DIR (default /tmp/sg-serve-bench) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
statements=${1:-1000000}
seconds=${2:-30}
connections=${3:-100}
timeout=${SG_TIMEOUT:-30}
dir=${SG_BENCH_DIR:-/tmp/sg-serve-bench}
bin=${SAIDGRAPH:-${CARGO_TARGET_DIR:-target}/release/saidgraph}
entities=$(( statements / 50 > 2000 ? statements / 50 : 2000 ))
mkdir -p "$dir"
store="$dir/kb-$statements.db"
if [ ! -f "$store/CURRENT" ]; then
    python3 ../shared/bench/gen_kb.py --statements "$statements" --entities "$entities" \
        --sources $(( entities / 4 )) --out "$dir/kb-$statements.jsonl"
    "$bin" load "$dir/kb-$statements.jsonl" --store "$store"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The server's own defaults for the slots and the line unless told: 8 slots, 5 s in line.
limits=()
[ -n "${SG_MAX_CONCURRENT:-}" ] && limits+=(--max-concurrent "$SG_MAX_CONCURRENT")
[ -n "${SG_QUEUE_WAIT:-}" ] && limits+=(--queue-wait "$SG_QUEUE_WAIT")
"$bin" serve --store "$store" --bind "127.0.0.1:$port" --timeout "${timeout}s" ${limits[@]+"${limits[@]}"} \
    2>"$dir/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/queries" >/dev/null && break; sleep 0.2; done
url="http://127.0.0.1:$port"
echo "store: $statements statements; server: $("$bin" --version 2>/dev/null || echo saidgraph)," \
    "--timeout ${timeout}s ${limits[*]:-(default slots and line)}; $connections connections, ${seconds}s per run"

# The statuses the server logged for the requests of one run (its log lines from $1 on):
# the mix's GETs, and the slow queries' POSTs.
statuses() {
    tail -n +"$1" "$dir/serve.log" | awk -v method="$2" '$1 == method { n[$3]++ }
        END { for (s in n) printf "%s=%d ", s, n[s]; print "" }'
}
# One wrk run over the mix; prints wrk's figures and the server's statuses.
mix() {
    local from=$(( $(wc -l < "$dir/serve.log") + 1 ))
    SG_ENTITIES=$entities wrk -t2 -c"$connections" -d"${seconds}s" --timeout 30s --latency \
        -s bench/serve_mix.lua "$url" > "$dir/wrk-$1.txt"
    grep '^SG' "$dir/wrk-$1.txt"
    echo "   mix statuses logged: $(statuses "$from" GET)"
    echo "$from" > "$dir/from-$1"
}

echo "== run 1: the mix alone"
mix alone

echo "== run 2: the mix, with 4 clients sending a slow query one after another"
slow='SELECT ?act (COUNT(*) AS ?n) WHERE { ?s sg:act ?act ; sg:speaker ?p . ?p rdfs:label ?l } GROUP BY ?act'
hammer() {
    local end=$(( $(date +%s) + seconds ))
    while [ "$(date +%s)" -lt "$end" ]; do
        curl -s -o /dev/null --max-time 120 "$url/sparql" --data-urlencode "query=$slow" || true
    done
}
hammers=()
for _ in 1 2 3 4; do hammer & hammers+=($!); done
mix slow
wait "${hammers[@]}"
echo "   slow queries' statuses logged: $(statuses "$(cat "$dir/from-slow")" POST)"
echo "== warm first-page latency of every named query (ms; second of two runs)"
for name in $(curl -s "$url/queries" | python3 -c 'import json,sys; print(" ".join(q["name"] for q in json.load(sys.stdin)["queries"]))'); do
    params="limit=100&format=json"
    case $name in
        statements-by) params="$params&speaker=e1" ;;
        statements-about|stance-on) params="$params&topic=e1" ;;
        entity) params="$params&entity=e1" ;;
    esac
    # The first run warms the caches; one out of time (504) is not asked again.
    status=$(curl -s -o /dev/null -w "%{http_code}" --max-time 120 "$url/queries/$name?$params" || true)
    if [ "$status" = 504 ]; then echo "$name 504 (over the server's --timeout of ${timeout}s)"; continue; fi
    curl -s -o /dev/null -w "$name %{http_code} %{time_total}\n" --max-time 120 "$url/queries/$name?$params" \
        | awk '{ printf "%-24s %s %8.1f\n", $1, $2, $3 * 1000 }'
done

grep -c ' 200 ' "$dir/serve.log" | sed 's/^/log lines with 200: /'
