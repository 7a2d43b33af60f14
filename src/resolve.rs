//! Ids to IRIs: minting, the run's id table, and the check that every reference points
//! at a record of the right kind.
//!
//! An id becomes `BASE` + `entity/` (or `statement/`, `source/`, `relation/`) + the id,
//! percent-encoded as an IRI path segment, so any id gives a valid IRI and two distinct
//! ids never give the same one.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use iri_string::percent_encode::PercentEncodedForIri;
use oxigraph::model::NamedNode;

use crate::error::{Diagnostics, Location};
use crate::input::{self, RecordKind};
use crate::model::{Record, Reference};

/// The base used when neither `--base` nor the input gives one.
pub const DEFAULT_BASE: &str = "https://kb.example.org/";

/// Checks a base IRI and gives it a trailing `/` unless it ends in `/` or `#`, so that
/// `https://example.org/kb` mints `https://example.org/kb/entity/x`.
pub fn normalize_base(base: &str) -> Result<String, String> {
    crate::model::check_iri(base)?;
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

/// The IRI of a record: `base` + kind segment + encoded id.
pub fn mint(base: &str, kind: RecordKind, id: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{base}{}{}", segment(kind), encode_id(id)))
}

/// What the id table knows of a defined record.
#[derive(Debug, Clone)]
struct Defined {
    iri: NamedNode,
    location: Location,
    /// For sources: their `language`, the default language of quotes read in them.
    language: Option<String>,
}

/// Every id of a run, by kind, with its IRI.
#[derive(Debug, Default)]
pub struct Resolver {
    ids: HashMap<(RecordKind, String), Defined>,
}

/// A record as the resolver sees it: where it is and which base its document mints with.
#[derive(Debug, Clone, Copy)]
pub struct Placed<'a> {
    pub file: &'a str,
    pub base: &'a str,
    pub record: &'a Record,
}

/// Looks up ids that the run does not define but a store being loaded into may hold.
pub trait KnownIds {
    /// The IRI of `id` of `kind` if the store holds it (minted with `base`).
    fn find(&self, kind: RecordKind, base: &str, id: &str) -> Option<NamedNode>;
}

/// No store: only the run's own ids exist.
#[derive(Debug, Clone, Copy)]
pub struct NoStore;

impl KnownIds for NoStore {
    fn find(&self, _: RecordKind, _: &str, _: &str) -> Option<NamedNode> {
        None
    }
}

impl Resolver {
    /// Registers every record's id, reporting ids defined twice.
    pub fn define<'a>(records: impl IntoIterator<Item = Placed<'a>>, diagnostics: &mut Diagnostics) -> Self {
        let mut resolver = Self::default();
        for placed in records {
            let record = placed.record;
            let kind = record.kind();
            let location = Location::new(placed.file, record.pos().line, record.pos().column);
            match resolver.ids.entry((kind, record.id().to_owned())) {
                Entry::Occupied(first) if record.id_derived() => diagnostics.error(
                    location,
                    "id",
                    format!(
                        "{} without an id has the same content as the one at {}; give them ids, or drop the repeat",
                        kind.name(),
                        first.get().location
                    ),
                ),
                Entry::Occupied(first) => diagnostics.error(
                    location,
                    "id",
                    format!(
                        "{} id {:?} is defined twice; first at {}",
                        kind.name(),
                        record.id(),
                        first.get().location
                    ),
                ),
                Entry::Vacant(slot) => {
                    let language = match record {
                        Record::Source(source) => source.language.clone(),
                        _ => None,
                    };
                    slot.insert(Defined {
                        iri: mint(placed.base, kind, record.id()),
                        location,
                        language,
                    });
                }
            }
        }
        resolver
    }

    /// Takes note of ids whose records are invalid (and already reported), so that
    /// references to them do not add a second, misleading error.
    pub fn tolerate(&mut self, ids: impl IntoIterator<Item = (RecordKind, String)>) {
        for (kind, id) in ids {
            self.ids.entry((kind, id)).or_insert_with(|| Defined {
                iri: NamedNode::new_unchecked("urn:saidgraph:invalid"),
                location: Location::new("<invalid record>", 0, 0),
                language: None,
            });
        }
    }

    /// Checks that every reference of every record points at a record of the right kind,
    /// defined in the run or known to `store`.
    pub fn check<'a>(
        &mut self,
        records: impl IntoIterator<Item = Placed<'a>>,
        store: &dyn KnownIds,
        diagnostics: &mut Diagnostics,
    ) {
        let mut suggestions_left = 100usize;
        for placed in records {
            for (kind, reference) in references(placed.record) {
                if self.ids.contains_key(&(kind, reference.id.clone())) {
                    continue;
                }
                if let Some(iri) = store.find(kind, placed.base, &reference.id) {
                    self.ids.insert(
                        (kind, reference.id.clone()),
                        Defined {
                            iri,
                            location: Location::new("<store>", 0, 0),
                            language: None,
                        },
                    );
                    continue;
                }
                let hint = if suggestions_left > 0 {
                    suggestions_left -= 1;
                    let candidates = self.ids.keys().filter(|(k, _)| *k == kind).map(|(_, id)| id.as_str());
                    input::suggestion(&reference.id, candidates)
                } else {
                    String::new()
                };
                let wrong_kind = RecordKind::ALL
                    .into_iter()
                    .find(|k| *k != kind && self.ids.contains_key(&(*k, reference.id.clone())))
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
                    Location::new(placed.file, reference.pos.line, reference.pos.column),
                    reference.field,
                    format!("unknown {} {:?}{hint}{wrong_kind}", kind.name(), reference.id),
                );
            }
        }
    }

    /// The IRI of a reference that [`Resolver::check`] accepted.
    pub fn iri(&self, kind: RecordKind, id: &str) -> Option<&NamedNode> {
        self.ids.get(&(kind, id.to_owned())).map(|d| &d.iri)
    }

    /// The language of a source, if it has one.
    pub fn source_language(&self, id: &str) -> Option<&str> {
        self.ids
            .get(&(RecordKind::Source, id.to_owned()))
            .and_then(|d| d.language.as_deref())
    }

    /// The number of ids known.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
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
            out.extend(s.source.iter().map(|r| (RecordKind::Source, r)));
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
