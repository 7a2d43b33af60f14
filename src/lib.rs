#![doc = include_str!("../README.md")]
//!
//! # Architecture
//!
//! Data flows one way: [`input`] reads each input form into positioned raw records,
//! [`model`] validates them into typed records, [`resolve`] checks references across the
//! run and mints IRIs, [`mapping`] turns records into triples, [`store`] holds them,
//! [`export`] and [`query`] write them out. [`engine`] ties the stages together, by a
//! sorted path in memory or a streamed one for inputs of any size, and
//! [`commands`] has one function per command of the binary. Beside that flow, [`link`]
//! finds the same entities in other knowledge graphs (matching names as [`link::names`]
//! normalises them) and [`rdf_input`] reads those graphs, as files or dumps.

pub mod commands;
pub mod engine;
pub mod error;
pub mod export;
pub mod fuzz;
pub mod input;
pub mod link;
pub mod mapping;
pub mod model;
pub mod output;
pub mod progress;
pub mod query;
pub mod rdf_input;
pub mod resolve;
pub mod store;
pub mod terms;
pub mod vocab;

/// The streamed path at its old place, for callers not yet moved to [`engine::stream`].
#[doc(hidden)]
pub use engine::stream;
pub use engine::{KnowledgeBase, ReadOptions};
pub use error::{Diagnostic, Diagnostics, Error, Location, Result};
pub use input::{InputFormat, InputSpec};
