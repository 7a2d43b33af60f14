//! Fuzz target `gdelt`: see [`saidgraph::fuzz::gdelt`] for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| saidgraph::fuzz::gdelt(data));
