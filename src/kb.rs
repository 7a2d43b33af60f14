//! A run's knowledge base: every input read, validated and resolved, or every problem
//! found in them.
//!
//! This is where the data flow's first three stages meet: [`crate::input`] reads,
//! [`crate::model`] validates records, [`crate::resolve`] checks references across all
//! inputs (and the store being loaded into). Only a knowledge base without a single
//! problem comes out, so nothing downstream can write half of a bad input.

use oxigraph::model::Triple;

use crate::error::{Diagnostics, Location, Result};
use crate::input::{self, InputSpec};
use crate::mapping;
use crate::model::{Prefixes, Record, Validator};
use crate::resolve::{self, KnownIds, Placed, Resolver};

/// How to read inputs.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Overrides every input's `base`.
    pub base: Option<String>,
}

/// One input's validated records, with the base its IRIs are minted from.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub base: String,
    pub records: Vec<Record>,
}

/// Every record of a run, valid and resolved.
#[derive(Debug)]
pub struct KnowledgeBase {
    pub parts: Vec<Part>,
    pub resolver: Resolver,
}

impl KnowledgeBase {
    /// Reads, validates and resolves `inputs`. References may also name records `store`
    /// holds. Every problem of every input is reported together.
    pub fn read(inputs: &[InputSpec], options: &ReadOptions, store: &dyn KnownIds) -> Result<Self> {
        let base_override = match &options.base {
            Some(base) => Some(resolve::normalize_base(base).map_err(crate::Error::Usage)?),
            None => None,
        };
        let mut diagnostics = Diagnostics::new();
        let mut parts = Vec::new();
        let mut file_order = Vec::new();
        let mut invalid_ids = Vec::new();
        for spec in inputs {
            for document in input::read(spec, &mut diagnostics)? {
                file_order.push(document.name.clone());
                let mut prefixes = Prefixes::default();
                for (prefix, namespace, pos) in &document.prefixes {
                    if let Err(e) = prefixes.bind(prefix, namespace) {
                        diagnostics.error(document.location(*pos), &format!("prefixes.{prefix}"), e);
                    }
                }
                let base = match (&base_override, &document.base) {
                    (Some(base), _) => base.clone(),
                    (None, Some((base, pos))) => resolve::normalize_base(base).unwrap_or_else(|e| {
                        diagnostics.error(document.location(*pos), "base", e);
                        resolve::DEFAULT_BASE.to_owned()
                    }),
                    (None, None) => resolve::DEFAULT_BASE.to_owned(),
                };
                let name = document.name.clone();
                let validator = Validator {
                    file: &name,
                    prefixes: &prefixes,
                };
                let mut records = Vec::with_capacity(document.records.len());
                for raw in document.records {
                    let kind = raw.kind;
                    let id = raw_id(&raw);
                    match validator.record(raw, &mut diagnostics) {
                        Some(record) => records.push(record),
                        None => invalid_ids.extend(id.map(|id| (kind, id))),
                    }
                }
                parts.push(Part {
                    name: name.clone(),
                    base,
                    records,
                });
            }
        }
        let mut resolver = Resolver::define(placed(&parts), &mut diagnostics);
        resolver.tolerate(invalid_ids);
        resolver.check(placed(&parts), store, &mut diagnostics);
        diagnostics.into_result(&file_order)?;
        Ok(Self { parts, resolver })
    }

    /// The knowledge base as triples, in input order.
    pub fn triples(&self) -> Vec<Triple> {
        let mut triples = Vec::new();
        for part in &self.parts {
            for record in &part.records {
                mapping::map_record(record, &part.base, &self.resolver, &mut triples);
            }
        }
        triples
    }

    /// How many records of each kind: sources, entities, statements, relations.
    pub fn counts(&self) -> [usize; 4] {
        let mut counts = [0; 4];
        for record in self.parts.iter().flat_map(|p| &p.records) {
            counts[record.kind() as usize] += 1;
        }
        counts
    }

    /// The bases the inputs mint with, first first, without repeats.
    pub fn bases(&self) -> Vec<&str> {
        let mut bases: Vec<&str> = Vec::new();
        for part in &self.parts {
            if !bases.contains(&part.base.as_str()) {
                bases.push(&part.base);
            }
        }
        bases
    }
}

/// The id an invalid record gives itself, if any.
fn raw_id(raw: &input::RawRecord) -> Option<String> {
    raw.fields.iter().find(|f| f.name == "id").and_then(|f| match &f.value {
        input::RawValue::String(id) | input::RawValue::Number(id) => Some(id.clone()),
        _ => None,
    })
}

fn placed(parts: &[Part]) -> impl Iterator<Item = Placed<'_>> {
    parts.iter().flat_map(|part| {
        part.records.iter().map(move |record| Placed {
            file: &part.name,
            base: &part.base,
            record,
        })
    })
}

/// Where a record is, for messages.
pub fn location(part: &Part, record: &Record) -> Location {
    Location::new(part.name.clone(), record.pos().line, record.pos().column)
}
