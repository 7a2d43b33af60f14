//! Raw records: what a reader delivers, before anything means anything. Every record,
//! field and value keeps the 1-based line and column where it was written, so that the
//! model's diagnostics can point at it.

use crate::error::Location;
use crate::terms::RecordKind;

/// A 1-based line and column within one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

impl Pos {
    pub fn new(line: u64, column: u64) -> Self {
        Self { line, column }
    }
}

/// A value as written, before it means anything.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    Null,
    Bool(bool),
    /// A JSON number, as written.
    Number(String),
    /// A JSON string or a CSV cell.
    String(String),
    List(Vec<(RawValue, Pos)>),
    Object(Vec<RawField>),
}

impl RawValue {
    /// What the value is, for messages such as "expected a string, found a list".
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::Number(_) => "a number",
            Self::String(_) => "a string",
            Self::List(_) => "a list",
            Self::Object(_) => "an object",
        }
    }
}

/// A field of a record: its name and value, each with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct RawField {
    pub name: String,
    pub pos: Pos,
    pub value: RawValue,
    pub value_pos: Pos,
}

/// One record as read: its kind, where it starts, and its fields in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRecord {
    pub kind: RecordKind,
    pub pos: Pos,
    pub fields: Vec<RawField>,
    /// CSV cells are all strings; numbers in them are read from text.
    pub from_csv: bool,
    /// Triples an importer adds beyond the contract's fields, already as RDF terms
    /// (never set by the contract's readers, so input cannot smuggle them in).
    pub extra: Vec<(oxigraph::model::NamedNode, oxigraph::model::Term)>,
    /// An importer's record that may come again (an actor of many events, a source of
    /// many quotations): later copies with the same id are dropped, not reported.
    pub repeatable: bool,
}

/// One input (or one CSV table) as a reader announces it before its records: its name
/// for messages, and its own `base` and `prefixes`.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub name: String,
    pub base: Option<(String, Pos)>,
    pub prefixes: Vec<(String, String, Pos)>,
}

impl Document {
    pub fn location(&self, pos: Pos) -> Location {
        Location::new(self.name.clone(), pos.line, pos.column)
    }
}
