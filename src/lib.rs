#![doc = include_str!("../README.md")]
//!
//! # Architecture
//!
//! Data flows one way, up through these layers. Each module imports only modules listed
//! before it (a test, `tests/integration/layers.rs`, reads this list and every
//! `crate::` path in `src/` and fails on an import that points up), so there is no
//! import cycle between modules:
//!
//! 1. `error` — errors, and the diagnostics that point at bad input.
//! 2. `vocab` — the ontology's IRIs as constants, and the prefixes outputs use.
//! 3. `terms` — the contract's terms that readers and the model share: record kinds,
//!    the field list, IRI checks, "did you mean" suggestions.
//! 4. `output` — where bytes go: standard output, or a file replaced whole.
//! 5. `input` — readers: each input form into positioned raw records; syntax only.
//! 6. `progress` — progress bars on a terminal.
//! 7. `model` — raw records validated into typed records.
//! 8. `resolve` — ids checked across the run and minted into IRIs.
//! 9. `mapping` — typed records into triples; pure.
//! 10. `export` — RDF serialisation: the one block writer that sorted and streamed
//!     outputs both feed.
//! 11. `store` — the Oxigraph store, in memory or on disk, and other graphs' RDF files.
//! 12. `query` — the named-query library, parameter binding, guards, results.
//! 13. `engine` — one engine for reading a knowledge base: the checking sink both paths
//!     share, the sorted path in memory, the streamed path for inputs of any size, and
//!     the choice between them.
//! 14. `link` — the same entities found in other knowledge graphs.
//! 15. `network` — who talks to whom: the network of speakers and addressees, read with
//!     SPARQL, laid out, and written as HTML, SVG, GEXF, GraphML, CSV or DOT.
//! 16. `push` — datasets delivered into other triple stores (Graph Store protocol, SPARQL
//!     Update), replaced whole and atomically, verified by `COUNT`.
//! 17. `serve` — the store as a read-only SPARQL endpoint over HTTP, and a page for
//!     people.
//! 18. `commands` — one function per command of the binary.
//! 19. `fuzz` — the checks the fuzz targets run (hidden from the documentation).
//!
//! The binary (`src/main.rs`, `src/cli.rs`, `src/options.rs`) sits above the library:
//! it parses the command line, turns it into the options below and calls [`commands`].
//!
//! # The public API
//!
//! Read a knowledge base and write it out ([`KnowledgeBase::read`] with [`NoStore`] or
//! against a store, [`KnowledgeBase::write`], [`InputSpec`], [`ReadOptions`]), run
//! any command as the binary does ([`commands`]: `validate`, `convert`, `load`,
//! `graphs`, `drop`, `export`, `query`, `link`, `network`, `push`, `serve`), with the options
//! they take re-exported here, and the
//! ontology's terms in [`vocab`]. Everything else is the crate's own.

pub mod commands;
mod engine;
mod error;
mod export;
#[doc(hidden)]
pub mod fuzz;
mod input;
mod link;
mod mapping;
mod model;
mod network;
mod output;
mod progress;
mod push;
mod query;
mod resolve;
mod serve;
mod store;
mod terms;
pub mod vocab;

pub use engine::{Fate, KnowledgeBase, LoadOptions, Order, ReadOptions};
pub use error::{Diagnostic, Diagnostics, Error, Location, Place, Result};
pub use export::{choose_format, parse_format};
pub use input::{ImportOptions, InputFormat, InputSpec, Limits, parse_size};
pub use link::{FetchOptions, LinkOptions, Outcome as LinkOutcome, Target};
pub use mapping::RdfVersion;
pub use network::{Family, LeftOut, NetworkFormat, NetworkOptions};
pub use output::Output;
pub use push::{Credentials, Outcome as PushOutcome, Preset, Protocol, PushOptions, Report as PushReport, Secret};
pub use query::{NAMED_QUERIES, NamedQuery, QueryText, ResultsFormat, STACK_SIZE};
pub use resolve::NoStore;
pub use serve::ServeOptions;
pub use terms::RecordKind;

/// What the tests reach below the public API: the streamed path's stages, the store's
/// ontology, and the pieces the property tests rebuild outputs from. Not for library
/// users; it may change at any time.
#[doc(hidden)]
pub mod testing {
    pub use crate::engine::stream::{Rereadable, check, write};
    pub use crate::export::write_sorted;
    pub use crate::mapping::reifiers;
    pub use crate::resolve::mint;
    pub use crate::store::{ontology_triples, read_quads};
    pub use crate::terms::fields_of;
    pub use crate::vocab::prefixes_for;
}
