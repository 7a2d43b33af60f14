#!/usr/bin/env bash
# The push benchmark of BENCHMARKS.md: `saidgraph push` of about 1,000,000 triples to a
# private Virtuoso 7 and a private Oxigraph server (both on loopback), beside one Graph
# Store PUT of the very same N-Triples and each server's own bulk loader (Virtuoso's
# ld_dir + rdf_loader_run + checkpoint; `oxigraph load`, offline). Each figure is one run
# on a fresh server; prints a Markdown table.
#
#   bench/push.sh [STATEMENTS] [--only-new]
#
# STATEMENTS defaults to 107000 (about 1,000,000 triples). --only-new keeps the runs the
# 2x target compares (a push of a new graph beside one PUT and the loader), plus Virtuoso's
# replacing push, and leaves out the slow ones: Oxigraph's replacing and chunked pushes
# (over an hour each at 1,000,000 statements) and Virtuoso with its default limit.
#
# Needs: virtuoso-opensource (Debian), oxigraph from PyPI ($SAIDGRAPH_OXIGRAPH or the venv
# .ci/run makes), curl, python3. $SAIDGRAPH is the binary (default: the release build).
set -euo pipefail
cd "$(dirname "$0")/.."
statements=${1:-107000}
only_new=${2:-}
shared=${SHARED:-../shared}
work=${BENCH_DIR:-/tmp/saidgraph-push-bench}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/saidgraph/target}"
saidgraph=${SAIDGRAPH:-}
if [ -z "$saidgraph" ]; then
    cargo build --release --locked --quiet
    saidgraph="$CARGO_TARGET_DIR/release/saidgraph"
fi
oxigraph=${SAIDGRAPH_OXIGRAPH:-/var/cache/saidgraph/oxigraph-venv/bin/oxigraph}
rm -rf "$work" && mkdir -p "$work/load"
kb="$work/kb.jsonl"
python3 "$shared/bench/gen_kb.py" --statements "$statements" --form jsonl --out "$kb"
"$saidgraph" convert "$kb" -f nt -o "$work/load/kb.nt"
triples=$(wc -l < "$work/load/kb.nt")
graph="https://kb.example.org/graph/kb"
encoded="https%3A%2F%2Fkb.example.org%2Fgraph%2Fkb"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
since() { python3 -c "print(f'{$(now) - $1:.1f}')"; }
rows=()
# row TEXT: one line of the table, kept for the end and printed at once to stderr, so that a
# long run that stops part way still shows what it measured.
row() { rows+=("$1"); echo "$1" >&2; }
# timed SERVER WHAT COMMAND...: one row for a push, its wall time and push's own line (the
# time after "in "), or FAILED.
timed() {
    local server=$1 what=$2 t out; shift 2
    t=$(now); out=$("$@") || out="in FAILED"
    row "| $server | $what | $(since "$t") | ${out##*in } |"
}

# --- Virtuoso -------------------------------------------------------------------------
virtuoso_start() { # $1: TransactionAfterImageLimit line or empty
    local dir="$work/virtuoso"
    rm -rf "$dir" && mkdir -p "$dir/db" "$dir/vsp"
    vhttp=$(free_port); vsql=$(free_port)
    cat > "$dir/virtuoso.ini" <<EOF
[Database]
DatabaseFile=$dir/db/virtuoso.db
ErrorLogFile=$dir/db/virtuoso.log
LockFile=$dir/db/virtuoso.lck
TransactionFile=$dir/db/virtuoso.trx
xa_persistent_file=$dir/db/virtuoso.pxa
TempStorage=TempDatabase
[TempDatabase]
DatabaseFile=$dir/db/virtuoso-temp.db
TransactionFile=$dir/db/virtuoso-temp.trx
[Parameters]
ServerPort=127.0.0.1:$vsql
DisableUnixSocket=1
DirsAllowed=., $work/load
NumberOfBuffers=100000
MaxDirtyBuffers=75000
$1
[HTTPServer]
ServerPort=127.0.0.1:$vhttp
ServerRoot=$dir/vsp
ServerThreads=10
[SPARQL]
ResultSetMaxRows=100000
MaxQueryExecutionTime=600
EOF
    virtuoso-t +configfile "$dir/virtuoso.ini" +foreground >/dev/null 2>&1 &
    vpid=$!
    until curl -sf "http://127.0.0.1:$vhttp/sparql?query=ASK%7B%7D" >/dev/null; do sleep 0.5; done
}
virtuoso_stop() { kill -9 "$vpid"; wait "$vpid" 2>/dev/null || true; }
export PUSH_BENCH_PASSWORD=dba
vpush() { "$saidgraph" push -i "$kb" --to "http://127.0.0.1:$vhttp" --preset virtuoso --user dba --password-env PUSH_BENCH_PASSWORD "$@"; }

limit="TransactionAfterImageLimit=1500000000"
virtuoso_start "$limit"
timed Virtuoso "saidgraph push, new graph" vpush
timed Virtuoso "saidgraph push, replacing it" vpush
virtuoso_stop
virtuoso_start "$limit"
t=$(now)
curl -sf --digest -u dba:dba -X PUT -H 'Content-Type: application/n-triples' -T "$work/load/kb.nt" \
    "http://127.0.0.1:$vhttp/sparql-graph-crud-auth?graph=$encoded" -o /dev/null && took=$(since "$t") || took=FAILED
row "| Virtuoso | one Graph Store PUT (not atomic) | $took | |"
virtuoso_stop
virtuoso_start "$limit"
t=$(now)
isql-vt "127.0.0.1:$vsql" dba dba exec="ld_dir('$work/load','kb.nt','$graph'); rdf_loader_run(); checkpoint;" >/dev/null
row "| Virtuoso | ld_dir + rdf_loader_run + checkpoint | $(since "$t") | |"
virtuoso_stop
# With Virtuoso's default TransactionAfterImageLimit (50 MB) the final update is refused.
if [ "$only_new" != --only-new ]; then
    virtuoso_start ""
    t=$(now); if out=$(vpush 2>&1); then verdict="pushed"; else verdict="refused: ${out:0:60}…"; fi
    row "| Virtuoso, default TransactionAfterImageLimit | saidgraph push | $(since "$t") | $verdict |"
    virtuoso_stop
fi

# --- Oxigraph server ------------------------------------------------------------------
oxigraph_start() {
    rm -rf "$work/oxigraph"
    oport=$(free_port)
    "$oxigraph" serve --location "$work/oxigraph" --bind "127.0.0.1:$oport" >/dev/null 2>&1 &
    opid=$!
    until curl -sf "http://127.0.0.1:$oport/query?query=ASK%7B%7D" >/dev/null; do sleep 0.2; done
}
oxigraph_stop() { kill -TERM "$opid"; wait "$opid" 2>/dev/null || true; }
opush() { "$saidgraph" push -i "$kb" --to "http://127.0.0.1:$oport" --preset oxigraph "$@"; }
oxigraph_start
timed "Oxigraph server" "saidgraph push, new graph" opush
if [ "$only_new" != --only-new ]; then
    timed "Oxigraph server" "saidgraph push, replacing it" opush
    # The same push through a staging graph in chunks of 50,000 (what --chunk asks for).
    timed "Oxigraph server" "saidgraph push --chunk 50000 (staged), replacing it" opush --chunk 50000
fi
oxigraph_stop
oxigraph_start
t=$(now)
curl -sf -X PUT -H 'Content-Type: application/n-triples' -T "$work/load/kb.nt" \
    "http://127.0.0.1:$oport/store?graph=$encoded" -o /dev/null && took=$(since "$t") || took=FAILED
row "| Oxigraph server | one Graph Store PUT (atomic) | $took | |"
oxigraph_stop
rm -rf "$work/oxigraph"
t=$(now)
"$oxigraph" load --location "$work/oxigraph" --file "$work/load/kb.nt" --graph "$graph" >/dev/null 2>&1
row "| Oxigraph | oxigraph load (offline) | $(since "$t") | |"

echo "$triples triples ($statements statements), $(du -h "$work/load/kb.nt" | cut -f1) of N-Triples"
echo
echo "| server | how | wall s | saidgraph's own line |"
echo "|---|---|---:|---|"
printf '%s\n' "${rows[@]}"
