#![doc = include_str!("../README.md")]
//!
//! # Architecture
//!
//! Data flows one way: [`input`] reads each input form into positioned raw records,
//! [`model`] validates them into typed records, [`resolve`] checks references across the
//! run and mints IRIs, [`mapping`] turns records into triples, [`store`] holds them,
//! [`export`] and [`query`] write them out. [`kb`] ties the first three together and
//! [`commands`] has one function per command of the binary. Beside that flow, [`link`]
//! finds the same entities in other knowledge graphs (matching names as [`names`]
//! normalises them) and [`rdf_input`] reads those graphs, as files or dumps.

pub mod commands;
pub mod error;
pub mod export;
pub mod fuzz;
pub mod input;
pub mod kb;
pub mod link;
pub mod mapping;
pub mod model;
pub mod names;
pub mod output;
pub mod progress;
pub mod query;
pub mod rdf_input;
pub mod resolve;
pub mod store;
pub mod stream;
pub mod terms;
pub mod vocab;

pub use error::{Diagnostic, Diagnostics, Error, Location, Result};
pub use input::{InputFormat, InputSpec};
pub use kb::{KnowledgeBase, ReadOptions};
