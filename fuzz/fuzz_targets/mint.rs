//! Fuzz target `mint`: see [`saidgraph::fuzz::mint`] for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| saidgraph::fuzz::mint(data));
