#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, one after the other.
#
#   fuzz/run.sh [SECONDS] [TARGET…]      # default: 1200 s (20 minutes) each, all targets
#
# Targets: json jsonl csv gdelt quotebank date mint param query (fuzz/fuzz_targets/; what each
# checks is in src/fuzz.rs). Each starts from fuzz/corpus/<target>/, whose seed-* files are
# committed, and adds what it finds there (new inputs are not committed: .gitignore).
# libFuzzer runs in fork mode, so a crash, hang (over 10 s) or out-of-memory (over 2 GB)
# does not stop the target: each finding's input is left in fuzz/artifacts/<target>/ and
# fuzzing goes on for the whole time. The script lists the findings at the end. Reproduce one with `cargo fuzz run TARGET fuzz/artifacts/TARGET/FILE`, then keep it as
# a test in tests/integration/regressions.rs named after what it found.
#
# `cargo fuzz run` rebuilds before each target: run this in a snapshot of a commit
# (`git worktree add ../fuzz-snapshot HEAD`), not in a tree being edited, or a target
# can fail to build minutes in.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain for the sanitizer
# flags; without nightly, stable Rust is told to accept them with RUSTC_BOOTSTRAP=1 (its
# sanitizer runtimes ship with it; that fallback has not been tried where nightly was). The
# targets are built without the `rocksdb` feature, so no RocksDB build. Runs under
# `nice -n 19`: fuzzing takes a whole core.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-1200}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(json jsonl csv gdelt quotebank date mint param query)
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
    before=$(ls "artifacts/$target" | wc -l)
    nice -n 19 "${cargo[@]}" fuzz run "${fuzz_flags[@]}" "$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
        -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        >"artifacts/$target.log" 2>&1 || status=$?
    elapsed=$(( $(date +%s) - start ))
    grep -E "^#[0-9]+: cov: " "artifacts/$target.log" | tail -n 1 | sed "s/^/   last: /" || true
    grep -E "(ERROR: libFuzzer|==[0-9]+== ?ERROR|^SUMMARY|panicked at)" "artifacts/$target.log" \
        | sort | uniq -c | sed "s/^/   /" || true
    new=$(( $(ls "artifacts/$target" | wc -l) - before ))
    echo "   ran ${elapsed} s, exit ${status}, corpus $(ls "corpus/$target" | wc -l) inputs, ${new} new findings"
    if [ "$new" -gt 0 ] || [ "$status" -ne 0 ]; then
        found+=("$target: ${new} in fuzz/artifacts/$target/ (exit ${status})")
    fi
done

if [ ${#found[@]} -gt 0 ]; then
    echo "== findings (inputs in fuzz/artifacts/, logs in fuzz/artifacts/TARGET.log):"
    printf '   %s\n' "${found[@]}"
    exit 1
fi
echo "== no findings"
