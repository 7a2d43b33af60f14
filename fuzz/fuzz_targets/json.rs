//! Fuzz target `json`: see [`saidgraph::fuzz::json`] for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| saidgraph::fuzz::json(data));
