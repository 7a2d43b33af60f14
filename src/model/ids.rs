//! Ids derived from a record's content, for statements and relations that give none.

use sha2::{Digest, Sha256};

use super::records::{Reference, Relation, Statement};
use crate::terms::RecordKind;

/// An id derived from a record's validated content: a letter for the kind and 20 hex
/// digits of the SHA-256 of its fields, so the same content gives the same id whatever
/// form (JSON, JSON Lines, CSV) it was written in.
fn derived_id(kind: RecordKind, fields: &[(&str, String)]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(kind.name());
    for (name, value) in fields.iter().filter(|(_, v)| !v.is_empty()) {
        hasher.update([0x1e]);
        hasher.update(name);
        hasher.update([0x1f]);
        hasher.update(value);
    }
    let hex: String = hasher.finalize().iter().take(10).map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", &kind.name()[..1])
}

impl Statement {
    pub(super) fn content_id(&self) -> String {
        let join = |refs: &[Reference]| refs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join("\u{1f}");
        let one = |r: &Option<Reference>| r.as_ref().map(|r| r.id.clone()).unwrap_or_default();
        derived_id(
            RecordKind::Statement,
            &[
                ("speaker", self.speaker.id.clone()),
                ("act", self.act.name.to_owned()),
                ("addressees", join(&self.addressees)),
                ("about", join(&self.about)),
                ("quote", self.quote.clone().unwrap_or_default()),
                ("quote_lang", self.quote_lang.clone().unwrap_or_default()),
                ("summary", self.summary.clone().unwrap_or_default()),
                (
                    "date",
                    self.date.as_ref().map(|d| d.lexical.clone()).unwrap_or_default(),
                ),
                ("place", one(&self.place)),
                ("source", join(&self.sources)),
                ("reported_by", one(&self.reported_by)),
                ("in_reply_to", one(&self.in_reply_to)),
                ("stance", self.stance.map(|s| s.as_str().to_owned()).unwrap_or_default()),
                ("confidence", self.confidence.clone().unwrap_or_default()),
            ],
        )
    }
}

impl Relation {
    pub(super) fn content_id(&self) -> String {
        derived_id(
            RecordKind::Relation,
            &[
                ("subject", self.subject.id.clone()),
                ("predicate", self.predicate.as_str().to_owned()),
                ("object", self.object.id.clone()),
                ("source", self.source.as_ref().map(|r| r.id.clone()).unwrap_or_default()),
                (
                    "date",
                    self.date.as_ref().map(|d| d.lexical.clone()).unwrap_or_default(),
                ),
            ],
        )
    }
}
