//! Fuzz target `param`: see [`saidgraph::fuzz::param`] for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| saidgraph::fuzz::param(data));
