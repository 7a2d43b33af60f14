//! The review report: the entities left for a person to decide, why ([`Reason`]), and
//! their best candidates, written as CSV.

use std::io::Write;

use crate::error::{Error, Place, Result};

/// Why an entity was left for a person to decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// Several candidates are about as good as the best.
    Ambiguous,
    /// The best candidate's name is too far from the entity's.
    Weak,
    /// The target gives the best candidate no type to check.
    TypeUnknown,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ambiguous => "ambiguous",
            Self::Weak => "weak",
            Self::TypeUnknown => "type unknown",
        }
    }
}

/// A candidate of the review report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRow {
    pub entity: String,
    pub entity_label: String,
    pub reason: Reason,
    pub rank: usize,
    pub candidate: String,
    pub candidate_label: String,
    /// Name score plus context, as a number from 0 (two decimals).
    pub score: f64,
    pub name_score: f64,
    pub shared_links: usize,
    pub matched: String,
}

/// Writes the review report as CSV with a header row, one row per candidate.
pub fn write_review(rows: &[ReviewRow], out: &mut dyn Write) -> Result<()> {
    let io = |e: csv::Error| Error::io(Place::Review, e.into());
    let mut writer = csv::Writer::from_writer(out);
    writer
        .write_record([
            "entity",
            "entity_label",
            "reason",
            "rank",
            "candidate",
            "candidate_label",
            "score",
            "name_score",
            "shared_links",
            "match",
        ])
        .map_err(io)?;
    for row in rows {
        writer
            .write_record([
                row.entity.as_str(),
                &row.entity_label,
                row.reason.as_str(),
                &row.rank.to_string(),
                &row.candidate,
                &row.candidate_label,
                &format!("{:.2}", row.score),
                &format!("{:.2}", row.name_score),
                &row.shared_links.to_string(),
                &row.matched,
            ])
            .map_err(io)?;
    }
    writer.flush().map_err(|e| Error::io(Place::Review, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_review_report_is_csv_with_a_header() -> Result<()> {
        let row = ReviewRow {
            entity: "https://kb.example.org/entity/m".into(),
            entity_label: "Thompson, Mike".into(),
            reason: Reason::Ambiguous,
            rank: 1,
            candidate: "http://www.wikidata.org/entity/Q10".into(),
            candidate_label: "Mike \"the\" Thompson".into(),
            score: 1.1,
            name_score: 1.0,
            shared_links: 1,
            matched: "same name".into(),
        };
        let mut out = Vec::new();
        write_review(&[row], &mut out)?;
        let text = String::from_utf8(out).map_err(|e| Error::Internal(e.to_string()))?;
        assert_eq!(
            text,
            "entity,entity_label,reason,rank,candidate,candidate_label,score,name_score,shared_links,match\n\
             https://kb.example.org/entity/m,\"Thompson, Mike\",ambiguous,1,http://www.wikidata.org/entity/Q10,\
             \"Mike \"\"the\"\" Thompson\",1.10,1.00,1,same name\n"
        );
        Ok(())
    }
}
