//! Fuzz target `csv`: see [`saidgraph::fuzz::csv`] for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| saidgraph::fuzz::csv(data));
