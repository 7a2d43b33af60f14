//! Fuzz target `jsonl`: see [`saidgraph::fuzz::jsonl`] for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| saidgraph::fuzz::jsonl(data));
