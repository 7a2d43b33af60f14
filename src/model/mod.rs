//! The input records and their validation: raw fields in, typed records out.
//!
//! Everything that can be checked within one record is checked here (field names, types,
//! dates, acts, IRIs, language tags); every problem becomes a diagnostic naming the field.
//! Whether references point anywhere is the job of `resolve` (above this module), since
//! that needs every record of the run.
//!
//! Rooms: `records` (the typed records), `values` (dates, language tags, confidences,
//! prefixed names), `validate` (what each kind of record must hold), `fields` (taking a
//! raw record's fields apart), `ids` (ids derived from content).

mod fields;
mod ids;
mod records;
mod validate;
mod values;

// Old paths of what moved to `terms`, kept while other modules and tests still use them.
pub use records::{Entity, Record, Reference, Relation, Source, Statement};
pub use validate::Validator;
pub use values::{Prefixes, parse_date};
