//! Fuzz target `date`: see [`saidgraph::fuzz::date`] for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| saidgraph::fuzz::date(data));
