//! The integration tests, as one test binary: each binary links the whole library and
//! RocksDB, so one binary with a module per concern links once where eleven linked
//! eleven times. Run one concern by its module's name, e.g.
//! `cargo test --test integration golden::` or, for the linking benchmark's figures,
//! `cargo test --test integration -- --nocapture link_benchmark::`.
//!
//! The tests here run in parallel threads of one process, so none of them may change
//! process-wide state (environment variables, the working folder): each reads the
//! environment only, writes only in its own temporary folder and asks the system for
//! free ports. The fault tests (`tests/faults/`) stay a binary of their own: they kill
//! loads at fractions of a timed run, which other tests' work in the same process would
//! skew.

#[path = "../common/mod.rs"]
mod common;

mod assets;
mod bad_inputs;
mod cameo;
mod cli;
mod datasets;
mod golden;
mod hostile;
mod importers;
mod layers;
mod link;
mod link_benchmark;
mod link_endpoint;
mod network;
mod properties;
mod push;
mod push_servers;
mod query_scale;
mod rdf12;
mod regressions;
mod serve;
mod serve_bounds;
mod serve_network;
mod serve_page;
mod serve_protocol;
mod shapes;
