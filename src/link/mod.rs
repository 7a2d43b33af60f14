//! Links to other knowledge graphs: finds, for each entity of the knowledge base, the
//! resource of another graph that is the same thing, and says `owl:sameAs` only when
//! one candidate is clearly best.
//!
//! The target (RDF files or SPARQL endpoints) is read once into a [`TargetIndex`]: every
//! label (`rdfs:label`, `skos:prefLabel`, `schema:name`; `skos:altLabel` and
//! `schema:alternateName` as aliases) under the keys of [`names`], sorted for
//! binary search, with each resource's types and the IRIs it points to. Each entity then
//! looks its names up tier by tier, so linking costs one pass over the target and a few
//! look-ups per entity, never a scan per entity.
//!
//! Candidates must have a compatible type: a person matches only `wdt:P31 wd:Q5`,
//! `schema:Person`, `foaf:Person` or `sg:Person`, or a class the target declares
//! equivalent to (`owl:equivalentClass`) or narrower than (`rdfs:subClassOf`,
//! `wdt:P279`) one of those. The same goes for the other types, from the superclasses
//! and close matches the ontology gives them; an entity of type `other` takes any type.
//! Each candidate scores its best name match ([`names::Tier::score`], less 0.05
//! when the target's label is an alias and 0.05 when the entity's name is); context
//! (IRIs the entity's own links and its related entities' links share with what the
//! candidate points to, such as a country or a party) adds 0.1 per shared IRI, at most
//! 0.2. Context only breaks ties: the name alone must reach the minimum score. A
//! candidate is accepted when its name score reaches the minimum, it leads every other
//! candidate by the margin, and the target gives it a compatible type; otherwise the
//! entity and its candidates go to the review report, never to `owl:sameAs`.
//!
//! One file per concern: `target.rs` reads the target (files and endpoints: all of
//! linking's I/O) into the index of `index.rs`; [`names`] normalises names into keys;
//! `classes.rs` says which types are compatible; `entities.rs` takes our entities from
//! the knowledge base; `decide.rs` scores and decides, over data already fetched;
//! `review.rs` writes what was left for a person. This file holds the entry point,
//! [`link`], which runs them in that order, and what it takes and gives.

use std::time::{Duration, Instant};

use oxigraph::model::Triple;

use self::classes::TypeFilter;
use crate::error::{Error, Result};

mod classes;
mod decide;
mod endpoint;
mod entities;
mod index;
pub mod names;
pub(crate) mod polite;
mod review;
mod target;
mod variants;

pub use self::endpoint::default_languages;
pub use self::entities::{Entity, entities};
pub use self::index::TargetIndex;
pub use self::polite::{FetchOptions, RequestStats};
pub use self::review::{ReviewRow, write_review};
pub use self::target::{IndexStats, Target};

/// Scores are kept in hundredths, so that comparisons are exact.
pub type Points = u32;

/// How strict linking is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkOptions {
    /// The lowest name score a link may have (0 to 1).
    pub min_score: f64,
    /// How far the best candidate must lead the next one (0 to 1).
    pub margin: f64,
}

impl Default for LinkOptions {
    fn default() -> Self {
        Self {
            min_score: 0.8,
            margin: 0.1,
        }
    }
}

impl LinkOptions {
    /// Checks both numbers are from 0 to 1; gives them in hundredths.
    pub fn check(&self) -> Result<(Points, Points)> {
        let valid = |value: f64, flag: &str| {
            if (0.0..=1.0).contains(&value) {
                Ok((value * 100.0).round() as Points)
            } else {
                Err(Error::Usage(format!("{flag} {value}: expected a number from 0 to 1")))
            }
        };
        Ok((valid(self.min_score, "--min-score")?, valid(self.margin, "--margin")?))
    }
}

/// How many entities went where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkCounts {
    pub entities: usize,
    pub linked: usize,
    pub ambiguous: usize,
    pub weak: usize,
    pub type_unknown: usize,
    pub unmatched: usize,
    pub already_linked: usize,
    /// Entities decided among an importer's own candidates (Quotebank's qids).
    pub from_candidates: usize,
}

impl std::fmt::Display for LinkCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} entities: {} linked, {} to review ({} ambiguous, {} weak, {} type unknown), {} unmatched, {} already linked",
            self.entities,
            self.linked,
            self.ambiguous + self.weak + self.type_unknown,
            self.ambiguous,
            self.weak,
            self.type_unknown,
            self.unmatched,
            self.already_linked
        )?;
        if self.from_candidates > 0 {
            write!(f, ", {} decided among Quotebank's candidates", self.from_candidates)?;
        }
        Ok(())
    }
}

/// What linking found.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// `entity owl:sameAs candidate`, one per linked entity.
    pub links: Vec<Triple>,
    /// Entities left for review, with their candidates, in entity order.
    pub review: Vec<ReviewRow>,
    pub counts: LinkCounts,
    pub index: IndexStats,
    /// Time spent matching, after the index was built (asking endpoints included).
    pub matching: Duration,
    /// What asking endpoints cost; all zero for files.
    pub requests: RequestStats,
}

impl std::fmt::Display for Outcome {
    /// Two lines for people: what the target held and how long it took, then the counts.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "target: {} labels of {} resources from {} triples, indexed in {:.2} s; matched in {:.2} s",
            self.index.labels,
            self.index.resources,
            self.index.triples,
            self.index.elapsed.as_secs_f64(),
            self.matching.as_secs_f64()
        )?;
        let asked = self.requests;
        if asked.queries > 0 {
            writeln!(
                f,
                "endpoints: {} queries, {} requests sent, {} answered from the cache, {} waits on 429/503",
                asked.queries, asked.requests, asked.cached, asked.waited
            )?;
        }
        write!(f, "{}", self.counts)
    }
}

/// Links `entities` to the target: accepted links, and a review report of the rest.
/// The same entities and target always give the same outcome.
pub fn link(entities: &[Entity], index: &mut TargetIndex, options: &LinkOptions) -> Result<Outcome> {
    let (min_points, margin) = options.check()?;
    let start = Instant::now();
    let mut types = TypeFilter::load()?;
    // Endpoints are asked only about these entities' names and candidates.
    index.fetch_for(entities)?;
    let found = decide::candidates(entities, index, &mut types);
    // Context decides between candidates only: fetch it for entities with several.
    index.fetch_context(&decide::contested(&found))?;
    let mut outcome = decide::decide(entities, found, index, min_points, margin);
    outcome.matching = start.elapsed();
    outcome.requests = index.client.as_ref().map(polite::Polite::stats).unwrap_or_default();
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::review::Reason;
    use super::*;
    use oxigraph::io::{RdfFormat, RdfParser};

    fn index_of(turtle: &str) -> Result<TargetIndex> {
        let mut index = TargetIndex::default();
        for quad in RdfParser::from_format(RdfFormat::Turtle).for_slice(turtle.as_bytes()) {
            let quad = quad.map_err(|source| Error::RdfParse {
                origin: "test".into(),
                source: source.into(),
            })?;
            index.add(quad.subject.as_ref(), quad.predicate.as_ref(), quad.object.as_ref());
        }
        index.finish();
        Ok(index)
    }

    fn kb(turtle: &str) -> Result<Vec<Entity>> {
        let triples: Vec<Triple> = RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(turtle.as_bytes())
            .map(|q| q.map(Triple::from))
            .collect::<Result<_, _>>()
            .map_err(|source| Error::RdfParse {
                origin: "test".into(),
                source: source.into(),
            })?;
        Ok(entities(&triples))
    }

    const PREFIXES: &str = "@prefix wd: <http://www.wikidata.org/entity/> . \
        @prefix wdt: <http://www.wikidata.org/prop/direct/> . \
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . \
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> . \
        @prefix owl: <http://www.w3.org/2002/07/owl#> . \
        @prefix sg: <https://w3id.org/saidgraph#> . \
        @prefix e: <https://kb.example.org/entity/> . \
        @prefix ex: <http://example.org/> .\n";

    fn linked(outcome: &Outcome) -> Vec<(String, String)> {
        outcome
            .links
            .iter()
            .map(|t| (t.subject.to_string(), t.object.to_string()))
            .collect()
    }

    #[test]
    fn a_person_matches_only_a_human_or_an_equivalent_class() -> Result<()> {
        let mut index = index_of(&format!(
            "{PREFIXES}
            wd:Q1 rdfs:label \"Georgia\"@en ; wdt:P31 wd:Q3624078 .
            wd:Q2 rdfs:label \"Georgia\"@en ; wdt:P31 wd:Q5 .
            ex:p1 rdfs:label \"Jordan Peel\" ; a ex:Politician .
            ex:Politician owl:equivalentClass wd:Q5 .
            ex:s1 rdfs:label \"Jordan Peel\" ; a ex:Ship .
            ex:p2 rdfs:label \"Ann Lee\" ; a ex:Senator .
            ex:Senator rdfs:subClassOf ex:Politician .
            ex:s2 rdfs:label \"Ann Lee\" ; a ex:Ship ."
        ))?;
        let entities = kb(&format!(
            "{PREFIXES}
            e:g a sg:Person ; rdfs:label \"Georgia\" .
            e:c a sg:Country ; rdfs:label \"Georgia\" .
            e:j a sg:Person ; rdfs:label \"Jordan Peel\" .
            e:a a sg:Person ; rdfs:label \"Ann Lee\" ."
        ))?;
        let outcome = link(&entities, &mut index, &LinkOptions::default())?;
        assert_eq!(
            linked(&outcome),
            [
                (
                    "<https://kb.example.org/entity/a>".into(),
                    "<http://example.org/p2>".into()
                ),
                (
                    "<https://kb.example.org/entity/g>".into(),
                    "<http://www.wikidata.org/entity/Q2>".into()
                ),
                (
                    "<https://kb.example.org/entity/j>".into(),
                    "<http://example.org/p1>".into()
                ),
            ]
        );
        // The country is neither the person nor, without a declared class, the state.
        assert_eq!(outcome.counts.unmatched, 1);
        Ok(())
    }

    #[test]
    fn equal_candidates_go_to_review_and_context_breaks_ties() -> Result<()> {
        let target = format!(
            "{PREFIXES}
            wd:Q10 rdfs:label \"Mike Thompson\"@en ; wdt:P31 wd:Q5 ; wdt:P102 wd:Q29552 .
            wd:Q11 rdfs:label \"Mike Thompson\"@en ; wdt:P31 wd:Q5 ; wdt:P102 wd:Q29468 ."
        );
        let alone = kb(&format!("{PREFIXES} e:m a sg:Person ; rdfs:label \"Mike Thompson\" ."))?;
        let outcome = link(&alone, &mut index_of(&target)?, &LinkOptions::default())?;
        assert!(outcome.links.is_empty());
        assert_eq!(outcome.counts.ambiguous, 1);
        let candidates: Vec<&str> = outcome.review.iter().map(|r| r.candidate.as_str()).collect();
        assert_eq!(
            candidates,
            [
                "http://www.wikidata.org/entity/Q10",
                "http://www.wikidata.org/entity/Q11"
            ]
        );
        assert!(
            outcome
                .review
                .iter()
                .all(|r| r.reason == Reason::Ambiguous && r.score == 1.0)
        );

        let in_party = kb(&format!(
            "{PREFIXES}
            e:m a sg:Person ; rdfs:label \"Mike Thompson\" ; sg:memberOf e:dem .
            e:dem a sg:Organization ; rdfs:label \"Democratic Party\" ; owl:sameAs wd:Q29552 ."
        ))?;
        let outcome = link(&in_party, &mut index_of(&target)?, &LinkOptions::default())?;
        assert_eq!(
            linked(&outcome),
            [(
                "<https://kb.example.org/entity/m>".into(),
                "<http://www.wikidata.org/entity/Q10>".into()
            )]
        );
        Ok(())
    }

    #[test]
    fn the_order_of_the_target_changes_nothing() -> Result<()> {
        let lines = [
            "wd:Q10 rdfs:label \"Mike Thompson\"@en ; skos:altLabel \"MIKE THOMPSON\" , \"Mike thompson\" ; wdt:P31 wd:Q5 .",
            "wd:Q11 skos:altLabel \"Mike Thompson\"@en , \"Michael Thompson\" ; wdt:P31 wd:Q5 .",
            "wd:Q12 rdfs:label \"Michael Thompson\"@de , \"Michael Thompson\"@en ; wdt:P31 wd:Q5 .",
            "wd:Q13 rdfs:label \"Kamala Harris\" ; wdt:P31 wd:Q5 .",
        ];
        let entities = kb(&format!(
            "{PREFIXES} e:m a sg:Person ; rdfs:label \"mike thompson\" . e:k a sg:Person ; rdfs:label \"Sen. Kamala Harris\" ."
        ))?;
        let forward = link(
            &entities,
            &mut index_of(&format!("{PREFIXES}{}", lines.join("\n")))?,
            &LinkOptions::default(),
        )?;
        let mut reversed_lines = lines;
        reversed_lines.reverse();
        let reversed = link(
            &entities,
            &mut index_of(&format!("{PREFIXES}{}", reversed_lines.join("\n")))?,
            &LinkOptions::default(),
        )?;
        assert_eq!(forward.links, reversed.links);
        assert_eq!(forward.review, reversed.review);
        assert_eq!(forward.review.len(), 3, "{:?}", forward.review);
        Ok(())
    }

    #[test]
    fn a_link_the_entity_already_has_breaks_a_tie() -> Result<()> {
        let mut index = index_of(&format!(
            "{PREFIXES}
            ex:a rdfs:label \"John Smith\" ; a sg:Person ; owl:sameAs wd:Q100 .
            ex:b rdfs:label \"John Smith\" ; a sg:Person ; owl:sameAs wd:Q200 ."
        ))?;
        let entities = kb(&format!(
            "{PREFIXES}
            e:j a sg:Person ; rdfs:label \"John Smith\" ; owl:sameAs wd:Q200 .
            e:k a sg:Person ; rdfs:label \"John Smith\" ."
        ))?;
        let outcome = link(&entities, &mut index, &LinkOptions::default())?;
        assert_eq!(
            linked(&outcome),
            [(
                "<https://kb.example.org/entity/j>".into(),
                "<http://example.org/b>".into()
            )]
        );
        assert_eq!(outcome.counts.ambiguous, 1, "without the link, a tie");
        let shared: Vec<usize> = outcome.review.iter().map(|r| r.shared_links).collect();
        assert_eq!(shared, [0, 0]);
        Ok(())
    }

    #[test]
    fn weak_untyped_and_already_linked_entities_are_not_linked() -> Result<()> {
        let mut index = index_of(&format!(
            "{PREFIXES}
            wd:Q20 rdfs:label \"Robert Jones Portman\"@en ; wdt:P31 wd:Q5 .
            wd:Q21 rdfs:label \"Nancy Pelosi\"@en .
            wd:Q22 rdfs:label \"Joe Biden\"@en ; wdt:P31 wd:Q5 ."
        ))?;
        let entities = kb(&format!(
            "{PREFIXES}
            e:p a sg:Person ; rdfs:label \"Rob Portman\" .
            e:n a sg:Person ; rdfs:label \"Nancy Pelosi\" .
            e:b a sg:Person ; rdfs:label \"Joe Biden\" ; owl:sameAs wd:Q22 .
            e:x a sg:Person ; rdfs:label \"Nobody Known\" ."
        ))?;
        let strict = LinkOptions {
            min_score: 0.85,
            ..LinkOptions::default()
        };
        let outcome = link(&entities, &mut index, &strict)?;
        assert!(outcome.links.is_empty(), "{:?}", outcome.links);
        assert_eq!(
            outcome.counts,
            LinkCounts {
                entities: 4,
                weak: 1,
                type_unknown: 1,
                unmatched: 1,
                already_linked: 1,
                ..LinkCounts::default()
            }
        );
        let reasons: Vec<(&str, Reason)> = outcome
            .review
            .iter()
            .map(|r| (r.entity_label.as_str(), r.reason))
            .collect();
        assert_eq!(
            reasons,
            [("Nancy Pelosi", Reason::TypeUnknown), ("Rob Portman", Reason::Weak)]
        );
        // At the default minimum, the nickname match is good enough.
        let outcome = link(&entities, &mut index, &LinkOptions::default())?;
        assert_eq!(outcome.counts.linked, 1);
        Ok(())
    }

    #[test]
    fn options_out_of_range_are_usage_errors() {
        let bad = LinkOptions {
            min_score: 1.5,
            ..LinkOptions::default()
        };
        assert!(matches!(bad.check(), Err(Error::Usage(_))));
    }
}
