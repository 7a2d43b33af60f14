//! Fuzz target `quotebank`: see [`saidgraph::fuzz::quotebank`] for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| saidgraph::fuzz::quotebank(data));
