//! Ids to IRIs: minting, the run's id table, and the check that every reference points
//! at a record of the right kind.
//!
//! An id becomes `BASE` + `entity/` (or `statement/`, `source/`, `relation/`) + the id,
//! percent-encoded as an IRI path segment, so any id gives a valid IRI and two distinct
//! ids never give the same one.

mod table;

use std::collections::HashMap;

use iri_string::percent_encode::PercentEncodedForIri;
use oxigraph::model::NamedNode;

use crate::error::{Diagnostics, Location};
use crate::model::{Record, Reference};
use crate::terms::{self, RecordKind};

use table::IdTable;

/// The base used when neither `--base` nor the input gives one.
pub const DEFAULT_BASE: &str = "https://kb.example.org/";

/// Checks a base IRI and gives it a trailing `/` unless it ends in `/` or `#`, so that
/// `https://example.org/kb` mints `https://example.org/kb/entity/x`.
pub fn normalize_base(base: &str) -> Result<String, String> {
    terms::check_iri(base)?;
    if base.contains('?') {
        return Err(format!("base IRI {base:?} has a query part; ids are appended to it"));
    }
    Ok(if base.ends_with('/') || base.ends_with('#') {
        base.to_owned()
    } else {
        format!("{base}/")
    })
}

/// The path segment of each kind of record's IRIs.
pub fn segment(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Source => "source/",
        RecordKind::Entity => "entity/",
        RecordKind::Statement => "statement/",
        RecordKind::Relation => "relation/",
    }
}

/// Percent-encodes an id as one IRI path segment. `.` and `..` are encoded too, since
/// IRI normalisation would otherwise remove them.
pub fn encode_id(id: &str) -> String {
    match id {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => PercentEncodedForIri::from_path_segment(id).to_string(),
    }
}

/// The named graph of the dataset `name`: `base` + `graph/` + encoded name.
pub fn graph_iri(base: &str, name: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{base}graph/{}", encode_id(name)))
}

/// The IRI of a record: `base` + kind segment + encoded id.
pub fn mint(base: &str, kind: RecordKind, id: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{base}{}{}", segment(kind), encode_id(id)))
}

/// How an id came to be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Defined by a valid record of the run.
    Record,
    /// Defined by a record that has errors (already reported): references to it are
    /// not reported again.
    Invalid,
    /// Not in the run, but in the store being loaded into.
    Store,
}

/// What the id table keeps of a defined record: 16 bytes, so that millions of ids fit
/// (with the id's own bytes and [`IdTable`]'s index, about 30 bytes beyond the id).
#[derive(Debug, Clone, Copy)]
struct Defined {
    /// The document that defines it (for a store id, the one that referred to it): its
    /// base mints the IRI, its name locates messages.
    document: u32,
    line: u32,
    column: u32,
    origin: Origin,
}

/// A reference to an id not known when it was read, checked again at the end.
#[derive(Debug)]
struct Pending {
    kind: RecordKind,
    id: Box<str>,
    document: u32,
    line: u32,
    column: u32,
    field: &'static str,
}

/// The documents of a run and every id they define, by kind.
///
/// Ids are defined and references checked as records stream by; a reference to an id
/// not yet seen waits until [`Resolver::finish`], so memory grows with the number of ids
/// and of forward references, not with the number of records.
#[derive(Debug, Default)]
pub struct Resolver {
    documents: Vec<(String, String)>,
    /// One table per kind of record, indexed by `RecordKind as usize`.
    ids: [IdTable<Defined>; 4],
    languages: HashMap<Box<str>, Box<str>>,
    pending: Vec<Pending>,
}

/// Looks up ids that the run does not define but a store being loaded into may hold.
pub trait KnownIds {
    /// The IRI of `id` of `kind` if the store holds it (minted with `base`).
    fn find(&self, kind: RecordKind, base: &str, id: &str) -> Option<NamedNode>;

    /// The name of the dataset of the store that already defines `id` of `kind`, when the
    /// run may not define it again (ids are unique across a store's datasets).
    fn defined_elsewhere(&self, _kind: RecordKind, _base: &str, _id: &str) -> Option<String> {
        None
    }
}

/// No store: only the run's own ids exist.
#[derive(Debug, Clone, Copy)]
pub struct NoStore;

impl KnownIds for NoStore {
    fn find(&self, _: RecordKind, _: &str, _: &str) -> Option<NamedNode> {
        None
    }
}

fn small(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Resolver {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a document (its name for messages, its base for IRIs); returns its index.
    pub fn add_document(&mut self, name: String, base: String) -> u32 {
        self.documents.push((name, base));
        small(self.documents.len() as u64 - 1)
    }

    /// The base of a document.
    pub fn base(&self, document: u32) -> &str {
        &self.documents[document as usize].1
    }

    /// The distinct bases of the run's documents, first first.
    pub fn bases(&self) -> Vec<String> {
        let mut bases: Vec<String> = Vec::new();
        for (_, base) in &self.documents {
            if !bases.contains(base) {
                bases.push(base.clone());
            }
        }
        bases
    }

    fn location(&self, document: u32, line: u32, column: u32) -> Location {
        let name = self
            .documents
            .get(document as usize)
            .map_or("<store>", |(n, _)| n.as_str());
        Location::new(name, u64::from(line), u64::from(column))
    }

    /// Registers a valid record's id, reporting an id defined twice.
    pub fn define(&mut self, document: u32, record: &Record, diagnostics: &mut Diagnostics) {
        let kind = record.kind();
        let pos = record.pos();
        let defined = Defined {
            document,
            line: small(pos.line),
            column: small(pos.column),
            origin: Origin::Record,
        };
        let ids = &mut self.ids[kind as usize];
        match ids.get_mut(record.id()) {
            Some(first) if first.origin == Origin::Store => *first = defined,
            Some(first) => {
                let first = *first;
                let first_at = self.location(first.document, first.line, first.column);
                let here = self.location(document, defined.line, defined.column);
                let message = if record.id_derived() {
                    format!(
                        "{} without an id has the same content as the one at {first_at}; give them ids, or drop the repeat",
                        kind.name()
                    )
                } else {
                    format!(
                        "{} id {:?} is defined twice; first at {first_at}",
                        kind.name(),
                        record.id()
                    )
                };
                diagnostics.error(here, "id", message);
                return;
            }
            None => ids.insert_new(record.id(), defined),
        }
        if let Record::Source(source) = record
            && let Some(language) = &source.language
        {
            self.languages
                .insert(source.id.as_str().into(), language.as_str().into());
        }
    }

    /// [`Resolver::define`], after checking that no other dataset of `store` defines the
    /// id; one that does is reported at the record, naming the dataset.
    pub fn define_checked(
        &mut self,
        document: u32,
        record: &Record,
        diagnostics: &mut Diagnostics,
        store: &dyn KnownIds,
    ) {
        let kind = record.kind();
        if let Some(dataset) = store.defined_elsewhere(kind, self.base(document), record.id()) {
            let pos = record.pos();
            diagnostics.error(
                self.location(document, small(pos.line), small(pos.column)),
                "id",
                format!(
                    "{} id {:?} is already defined by the dataset {dataset:?} in the store; ids are unique \
                     across a store's datasets: use another id, or load this record into that dataset",
                    kind.name(),
                    record.id()
                ),
            );
            return;
        }
        self.define(document, record, diagnostics);
    }

    /// Takes note of the id of an invalid record (its errors are already reported), so
    /// that references to it do not add a second, misleading error.
    pub fn tolerate(&mut self, document: u32, kind: RecordKind, id: &str) {
        let ids = &mut self.ids[kind as usize];
        if !ids.contains(id) {
            let invalid = Defined {
                document,
                line: 0,
                column: 0,
                origin: Origin::Invalid,
            };
            ids.insert_new(id, invalid);
        }
    }

    /// Checks the references of a record read from `document`: known ids pass, ids the
    /// store holds become known, the rest wait for [`Resolver::finish`].
    pub fn check(&mut self, document: u32, record: &Record, store: &dyn KnownIds) {
        for (kind, reference) in references(record) {
            if self.knows(kind, &reference.id) {
                continue;
            }
            let (line, column) = (small(reference.pos.line), small(reference.pos.column));
            if store.find(kind, self.base(document), &reference.id).is_some() {
                let origin = Origin::Store;
                let defined = Defined {
                    document,
                    line,
                    column,
                    origin,
                };
                self.ids[kind as usize].insert_new(&reference.id, defined);
                continue;
            }
            self.pending.push(Pending {
                kind,
                id: reference.id.as_str().into(),
                document,
                line,
                column,
                field: reference.field,
            });
        }
    }

    /// Reports every reference that still names no record, with the closest id of the
    /// right kind as a suggestion and a note when the id is of another kind.
    pub fn finish(&mut self, diagnostics: &mut Diagnostics) {
        let pending = std::mem::take(&mut self.pending);
        let mut suggestions_left = 100usize;
        for reference in pending {
            let kind = reference.kind;
            if self.knows(kind, &reference.id) {
                continue;
            }
            let hint = if suggestions_left > 0 {
                suggestions_left -= 1;
                terms::suggestion(&reference.id, self.ids[kind as usize].ids())
            } else {
                String::new()
            };
            let wrong_kind = RecordKind::ALL
                .into_iter()
                .find(|k| *k != kind && self.knows(*k, &reference.id))
                .map(|k| {
                    format!(
                        "; {:?} is {}, not {}",
                        reference.id,
                        k.with_article(),
                        kind.with_article()
                    )
                })
                .unwrap_or_default();
            diagnostics.error(
                self.location(reference.document, reference.line, reference.column),
                reference.field,
                format!("unknown {} {:?}{hint}{wrong_kind}", kind.name(), reference.id),
            );
        }
    }

    /// Whether an id of this kind is known.
    pub fn knows(&self, kind: RecordKind, id: &str) -> bool {
        self.ids[kind as usize].contains(id)
    }

    /// The IRI of an id that [`Resolver::check`] accepted.
    pub fn iri(&self, kind: RecordKind, id: &str) -> Option<NamedNode> {
        let defined = self.ids[kind as usize].get(id)?;
        Some(mint(self.base(defined.document), kind, id))
    }

    /// The language of a source, if it has one.
    pub fn source_language(&self, id: &str) -> Option<&str> {
        self.languages.get(id).map(|l| &**l)
    }

    /// The number of ids known.
    pub fn len(&self) -> usize {
        self.ids.iter().map(IdTable::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Every reference a record makes, with the kind of record it must name.
pub fn references(record: &Record) -> Vec<(RecordKind, &Reference)> {
    let mut out = Vec::new();
    let entity = RecordKind::Entity;
    match record {
        Record::Source(s) => out.extend(s.publisher.iter().map(|r| (entity, r))),
        Record::Entity(_) => {}
        Record::Statement(s) => {
            out.push((entity, &s.speaker));
            out.extend(s.addressees.iter().map(|r| (entity, r)));
            out.extend(s.about.iter().map(|r| (entity, r)));
            out.extend(s.place.iter().map(|r| (entity, r)));
            out.extend(s.reported_by.iter().map(|r| (entity, r)));
            out.extend(s.sources.iter().map(|r| (RecordKind::Source, r)));
            out.extend(s.in_reply_to.iter().map(|r| (RecordKind::Statement, r)));
        }
        Record::Relation(r) => {
            out.push((entity, &r.subject));
            out.push((entity, &r.object));
            out.extend(r.source.iter().map(|s| (RecordKind::Source, s)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_encoded_into_valid_distinct_iris() {
        let base = "https://kb.example.org/";
        let ids = [
            "a b",
            "a#b",
            "a%20b",
            "a/b",
            "<x>",
            "\"q\"",
            "a\\b",
            "новости",
            "😀",
            "a\nb",
            ".",
            "..",
            "a?b",
        ];
        let mut seen = std::collections::HashSet::new();
        for id in ids {
            let iri = mint(base, RecordKind::Entity, id);
            assert!(iri_string::types::IriStr::new(iri.as_str()).is_ok(), "{iri}");
            assert!(NamedNode::new(iri.as_str()).is_ok(), "{iri}");
            assert!(seen.insert(iri.clone()), "collision on {id:?}: {iri}");
        }
        assert_eq!(
            mint(base, RecordKind::Entity, "a b").as_str(),
            "https://kb.example.org/entity/a%20b"
        );
        assert_eq!(
            mint(base, RecordKind::Statement, "новости").as_str(),
            "https://kb.example.org/statement/новости"
        );
    }

    #[test]
    fn bases_get_a_trailing_slash() {
        assert_eq!(normalize_base("https://x.org/kb").as_deref(), Ok("https://x.org/kb/"));
        assert_eq!(normalize_base("https://x.org/kb#").as_deref(), Ok("https://x.org/kb#"));
        assert!(normalize_base("kb").is_err());
    }
}
