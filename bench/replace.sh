#!/usr/bin/env bash
# Issue 11's figure: replacing a dataset inside a big store, against loading it fresh.
# A knowledge base of N statements from ../shared/bench/gen_kb.py is split into `base`
# (everything but the last PART statements) and `part` (the last PART statements, which
# refer to base's entities and sources); then, on a release build:
#   1. base into a new store;  2. part added beside it (loading it fresh);
#   3. a corrected part (every other quote changed) loaded again: a replacement;
#   4. for comparison, the whole into a new store (a rebuild).
# Prints wall, CPU and peak memory of each, and the store's size.
#
#   bench/replace.sh [STATEMENTS=1000000] [PART=100000]
#
# Needs python3, /usr/bin/time. Work files go to $BENCH_DIR (default /tmp/saidgraph-replace).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
part=${2:-100000}
shared=${SHARED:-../shared}
work=${BENCH_DIR:-/tmp/saidgraph-replace}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/saidgraph/target}"
if [ -z "${SAIDGRAPH:-}" ]; then
    cargo build --release --locked --quiet
    SAIDGRAPH="$CARGO_TARGET_DIR/release/saidgraph"
fi
rm -rf "$work" && mkdir -p "$work/fixed"
python3 "$shared/bench/gen_kb.py" --statements "$n" --entities 2000 --form jsonl --out "$work/kb.jsonl"
# Statements are the file's last lines: part is the last $part of them.
total=$(wc -l < "$work/kb.jsonl")
head -n $(( total - part )) "$work/kb.jsonl" > "$work/base.jsonl"
tail -n "$part" "$work/kb.jsonl" > "$work/part.jsonl"
sed -E '1~2s/"quote": "([A-Z])/"quote": "Corrected: \1/' "$work/part.jsonl" > "$work/fixed/part.jsonl"
cmp -s "$work/part.jsonl" "$work/fixed/part.jsonl" && { echo "the correction changed nothing" >&2; exit 1; }

row() { # row LABEL COMMAND...: one Markdown row of wall, CPU and peak memory
    local label=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    read -r wall user sys kb < "$work/time"
    printf '| %s | %.0f s | %.0f s | %.0f MB |\n' "$label" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$kb / 1024" | bc)"
}
echo "| case | wall | CPU | peak memory |"
echo "|---|---:|---:|---:|"
row "load base ($(( n - part )) statements) into a new store" "$SAIDGRAPH" load "$work/base.jsonl" --store "$work/store"
row "load part ($part) fresh, beside base" "$SAIDGRAPH" load "$work/part.jsonl" --store "$work/store"
echo "<!-- store after the add: $(du -sh "$work/store" | cut -f1) -->"
row "replace part inside the $n-statement store" "$SAIDGRAPH" load "$work/fixed/part.jsonl" --store "$work/store"
echo "<!-- store after the replacement: $(du -sh "$work/store" | cut -f1) -->"
row "rebuild: all $n into a new store" "$SAIDGRAPH" load "$work/base.jsonl" "$work/fixed/part.jsonl" --store "$work/rebuild"
"$SAIDGRAPH" graphs --store "$work/store" -r csv | cut -d, -f1,5,6
