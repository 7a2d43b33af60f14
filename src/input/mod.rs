//! Readers for every input form of the contract, down to positioned raw records.
//!
//! A reader only knows syntax: it turns a JSON document, JSON Lines, or a folder of CSV
//! tables into [`RawRecord`]s whose every field and value keeps its line and column, and
//! reports syntax problems as diagnostics. What the fields mean is the model's job (the
//! `model` module, above this one); the few contract terms a reader needs, such as the
//! fields of each kind of record, come from [`crate::terms`], below it.
//!
//! Rooms: `source` (inputs and their formats), `open` (bytes, decompressed),
//! `lines` (limits and positions), `raw` (what readers deliver), `read` (which
//! reader reads an input), and one file per reader.

mod csv;
pub mod gdelt;
mod json;
mod jsonl;
mod lines;
mod open;
pub mod quotebank;
mod raw;
mod read;
mod source;

// Old paths of what moved to `terms`, kept while other modules still use them.
pub use lines::{Limits, parse_size};
pub(crate) use lines::{Line, LineIndex, RowLimit, read_line, too_long};
pub use open::{Compression, bytes_read};
pub(crate) use open::{open_file, strip_bom};
pub use raw::{Document, Pos, RawField, RawRecord, RawValue};
pub use read::{read_bytes, read_csv_table, read_into};
pub(crate) use source::table_file;
pub use source::{ImportOptions, InputFormat, InputSpec};

use crate::error::Diagnostics;

/// Where readers deliver what they read, record by record, so that an input of any size
/// flows through without being held in memory.
pub trait Sink {
    /// A document starts; its records follow until the next `begin`.
    fn begin(&mut self, document: &Document, diagnostics: &mut Diagnostics);
    /// One record of the current document.
    fn record(&mut self, record: RawRecord, diagnostics: &mut Diagnostics);
    /// Whether records need their fields' positions. A sink that reads input already
    /// validated says no, and JSON Lines are then parsed by a faster parser that keeps
    /// no positions.
    fn needs_positions(&self) -> bool {
        true
    }
    /// An importer left out a row of its input, for this reason.
    fn skipped(&mut self, _reason: &'static str) {}
    /// A record read without positions, from a reader that can read it again with them.
    /// The sink takes it (`true`) only if it has nothing to report about it; `false` asks
    /// for the positioned record, which then comes through [`Sink::record`]. By default
    /// every record is asked for again.
    fn record_unpositioned(&mut self, _record: RawRecord) -> bool {
        false
    }
}

/// A sink that keeps everything: each document with its records.
#[derive(Debug, Default)]
pub struct Collect(pub Vec<(Document, Vec<RawRecord>)>);

impl Sink for Collect {
    fn begin(&mut self, document: &Document, _: &mut Diagnostics) {
        self.0.push((document.clone(), Vec::new()));
    }

    fn record(&mut self, record: RawRecord, _: &mut Diagnostics) {
        if let Some((_, records)) = self.0.last_mut() {
            records.push(record);
        }
    }
}
