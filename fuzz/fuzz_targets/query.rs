//! Fuzz target `query`: see [`saidgraph::fuzz::query`] for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| saidgraph::fuzz::query(data));
