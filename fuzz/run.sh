#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, one after the other.
#
#   fuzz/run.sh [SECONDS] [TARGET…]      # default: 1200 s (20 minutes) each, all targets
#
# Targets: json jsonl csv gdelt quotebank date mint param (fuzz/fuzz_targets/; what each
# checks is in src/fuzz.rs). Each starts from fuzz/corpus/<target>/, whose seed-* files are
# committed, and adds what it finds there (new inputs are not committed: .gitignore). A
# crash, hang (over 10 s) or out-of-memory (over 2 GB) stops that target and leaves the
# input in fuzz/artifacts/<target>/; the script goes on with the next and lists them at the
# end. Reproduce one with `cargo fuzz run TARGET fuzz/artifacts/TARGET/FILE`, then keep it as
# a test in tests/regressions.rs named after what it found.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain for the sanitizer
# flags; without nightly, stable Rust is told to accept them with RUSTC_BOOTSTRAP=1. The
# targets are built without the `rocksdb` feature, so no RocksDB build. Runs under
# `nice -n 19`: fuzzing takes a whole core.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-1200}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(json jsonl csv gdelt quotebank date mint param)
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/saidgraph-fuzz}"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "run.sh: cargo-fuzz is missing; install it with: cargo install cargo-fuzz" >&2
    exit 2
fi
if rustup run nightly rustc --version >/dev/null 2>&1; then
    cargo=(cargo +nightly)
else
    echo "run.sh: no nightly toolchain; using stable with RUSTC_BOOTSTRAP=1" >&2
    export RUSTC_BOOTSTRAP=1
    cargo=(cargo)
fi

# Release with debug assertions (overflow checks) and AddressSanitizer.
fuzz_flags=(-O --debug-assertions --sanitizer address)
nice -n 19 "${cargo[@]}" fuzz build "${fuzz_flags[@]}"

found=()
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    echo "== $target: ${seconds} s"
    start=$(date +%s)
    status=0
    nice -n 19 "${cargo[@]}" fuzz run "${fuzz_flags[@]}" "$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
        -print_final_stats=1 2>"artifacts/$target.log" || status=$?
    elapsed=$(( $(date +%s) - start ))
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+== ERROR|SUMMARY)" \
        "artifacts/$target.log" | sed "s/^/   /" || true
    echo "   ran ${elapsed} s, exit ${status}, corpus $(ls "corpus/$target" | wc -l) inputs"
    if [ "$status" -ne 0 ]; then
        found+=("$target: $(ls -t "artifacts/$target" | head -n 1)")
    fi
done

if [ ${#found[@]} -gt 0 ]; then
    echo "== findings (inputs in fuzz/artifacts/, logs in fuzz/artifacts/TARGET.log):"
    printf '   %s\n' "${found[@]}"
    exit 1
fi
echo "== no findings"
