//! Scoring and deciding, over data already fetched: each entity's candidates (target
//! resources with a matching name and a type that does not rule them out), their scores,
//! and whether the best one is linked or the entity goes to review. Nothing here reads
//! the target: [`super::link`] fetches the context the decision needs beforehand.

use std::collections::{BTreeSet, HashMap, HashSet};

use oxigraph::model::{NamedNode, Triple};

use super::classes::TypeFilter;
use super::entities::Entity;
use super::index::{TargetIndex, distinct_keys};
use super::names::{Name, Tier};
use super::review::{Reason, ReviewRow};
use super::{Outcome, Points};
use crate::vocab::std_terms;

const ALIAS_PENALTY: Points = 5;
const CONTEXT_BONUS: Points = 10;
const MAX_SHARED: usize = 2;

fn points(tier: Tier) -> Points {
    (tier.score() * 100.0).round() as Points
}

/// A target resource an entity may be: its best name match and, once context is
/// counted, the IRIs it shares with the entity.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    resource: u32,
    name_points: Points,
    tier: Tier,
    label: u32,
    shared: usize,
    typed: bool,
}

impl Candidate {
    fn points(&self) -> Points {
        self.name_points + CONTEXT_BONUS * self.shared.min(MAX_SHARED) as Points
    }
}

/// The candidates of one entity: every target resource with a matching name and a type
/// that does not rule it out, best name match each.
fn candidates_of(entity: &Entity, index: &TargetIndex, accepted: Option<&HashSet<u32>>) -> Vec<Candidate> {
    let mut best: HashMap<u32, Candidate> = HashMap::new();
    for (name, own) in &entity.names {
        let mut seen = HashSet::new();
        for key in distinct_keys(name) {
            for label_id in index.lookup(&key) {
                if !seen.insert(label_id) {
                    continue;
                }
                let label = &index.labels[label_id as usize];
                // Keys of different tiers may be equal, and hashes collide: the names
                // themselves decide.
                let Some(tier) = name.matches(&Name::parse(&label.text)) else {
                    continue;
                };
                let penalty = ALIAS_PENALTY * (Points::from(!own) + Points::from(!label.preferred));
                let name_points = points(tier).saturating_sub(penalty);
                // The best match, then the strictest tier, then the first label by text, so
                // that the order the target gave its triples in changes nothing.
                let better = best.get(&label.subject).is_none_or(|c| {
                    let other = &*index.labels[c.label as usize].text;
                    (name_points, std::cmp::Reverse(tier), std::cmp::Reverse(&*label.text))
                        > (c.name_points, std::cmp::Reverse(c.tier), std::cmp::Reverse(other))
                });
                if better {
                    best.insert(
                        label.subject,
                        Candidate {
                            resource: label.subject,
                            name_points,
                            tier,
                            label: label_id,
                            shared: 0,
                            typed: true,
                        },
                    );
                }
            }
        }
    }
    let mut found: Vec<Candidate> = best
        .into_values()
        .filter_map(|mut candidate| {
            if let Some(accepted) = accepted {
                let mut types = TargetIndex::range(&index.types, candidate.resource).peekable();
                if types.peek().is_none() {
                    candidate.typed = false;
                } else if !types.any(|t| accepted.contains(&t)) {
                    return None;
                }
            }
            Some(candidate)
        })
        .collect();
    found.sort_by(|a, b| {
        (std::cmp::Reverse(a.name_points), index.iris.iri(a.resource))
            .cmp(&(std::cmp::Reverse(b.name_points), index.iris.iri(b.resource)))
    });
    found
}

/// Every entity's candidates, in entity order.
pub(super) fn candidates(entities: &[Entity], index: &TargetIndex, types: &mut TypeFilter) -> Vec<Vec<Candidate>> {
    entities
        .iter()
        .map(|entity| {
            let accepted = types.accepted(&entity.classes, index);
            candidates_of(entity, index, accepted.as_ref())
        })
        .collect()
}

/// The candidates of entities with several: context decides between those only, so only
/// theirs need fetching.
pub(super) fn contested(found: &[Vec<Candidate>]) -> BTreeSet<u32> {
    found
        .iter()
        .filter(|c| c.len() > 1)
        .flat_map(|c| c.iter().map(|c| c.resource))
        .collect()
}

/// Decides each entity from its candidates and the target's context (fetched before):
/// links for the clear cases, review rows for the rest, and the counts. Leaves
/// [`Outcome::index`] and [`Outcome::matching`] to the caller.
pub(super) fn decide(
    entities: &[Entity],
    found: Vec<Vec<Candidate>>,
    index: &TargetIndex,
    min_points: Points,
    margin: Points,
) -> Outcome {
    let mut outcome = Outcome::default();
    for (entity, mut candidates) in entities.iter().zip(found) {
        outcome.counts.entities += 1;
        if entity.same_as.iter().any(|iri| index.has_resource(iri)) {
            outcome.counts.already_linked += 1;
            continue;
        }
        // An importer's own candidates (Quotebank's qids) are decided among first.
        let theirs = among_importers(entity, &candidates, index);
        let from_importer = !theirs.is_empty();
        if from_importer {
            candidates = theirs;
            outcome.counts.from_candidates += 1;
        }
        if candidates.is_empty() {
            outcome.counts.unmatched += 1;
            continue;
        }
        if candidates.len() > 1 {
            rank_by_context(entity, &mut candidates, index);
        }
        let best = &candidates[0];
        let rivals = candidates[1..]
            .iter()
            .filter(|c| c.points() == best.points() || c.points() + margin > best.points())
            .count();
        match verdict(best, rivals, min_points) {
            None => {
                outcome.counts.linked += 1;
                outcome.links.push(Triple::new(
                    entity.iri.clone(),
                    std_terms::OWL_SAME_AS,
                    NamedNode::new_unchecked(index.iris.iri(best.resource)),
                ));
            }
            Some(reason) => {
                match reason {
                    Reason::Ambiguous => outcome.counts.ambiguous += 1,
                    Reason::Weak => outcome.counts.weak += 1,
                    Reason::TypeUnknown => outcome.counts.type_unknown += 1,
                }
                let shown = match reason {
                    Reason::Ambiguous => rivals + 1,
                    _ => 1,
                }
                .max(candidates.len().min(5));
                for (rank, candidate) in candidates.iter().take(shown).enumerate() {
                    let label = &index.labels[candidate.label as usize];
                    outcome.review.push(ReviewRow {
                        entity: entity.iri.as_str().to_owned(),
                        entity_label: entity.label.clone(),
                        reason,
                        rank: rank + 1,
                        candidate: index.iris.iri(candidate.resource).to_owned(),
                        candidate_label: label.text.to_string(),
                        score: f64::from(candidate.points()) / 100.0,
                        name_score: f64::from(candidate.name_points) / 100.0,
                        shared_links: candidate.shared,
                        matched: describe(candidate, label.preferred, from_importer),
                    });
                }
            }
        }
    }
    outcome
}

/// Counts the IRIs each candidate shares with the entity's context, then orders the
/// candidates by score, name score and IRI.
fn rank_by_context(entity: &Entity, candidates: &mut [Candidate], index: &TargetIndex) {
    let context: HashSet<u32> = entity.context.iter().filter_map(|iri| index.iris.get(iri)).collect();
    for candidate in candidates.iter_mut() {
        candidate.shared = TargetIndex::range(&index.context, candidate.resource)
            .filter(|o| context.contains(o))
            .collect::<HashSet<_>>()
            .len();
    }
    candidates.sort_by(|a, b| {
        (
            std::cmp::Reverse(a.points()),
            std::cmp::Reverse(a.name_points),
            index.iris.iri(a.resource),
        )
            .cmp(&(
                std::cmp::Reverse(b.points()),
                std::cmp::Reverse(b.name_points),
                index.iris.iri(b.resource),
            ))
    });
}

/// Why the best candidate (with `rivals` others within the margin) is not linked, or
/// `None` when it is.
fn verdict(best: &Candidate, rivals: usize, min_points: Points) -> Option<Reason> {
    if best.name_points < min_points {
        Some(Reason::Weak)
    } else if rivals > 0 {
        Some(Reason::Ambiguous)
    } else if !best.typed {
        Some(Reason::TypeUnknown)
    } else {
        None
    }
}

/// The candidates that are among the entity's `sg:sameAsCandidate`s, in the same order.
fn among_importers(entity: &Entity, candidates: &[Candidate], index: &TargetIndex) -> Vec<Candidate> {
    if entity.candidates.is_empty() {
        return Vec::new();
    }
    candidates
        .iter()
        .filter(|c| entity.candidates.iter().any(|iri| iri == index.iris.iri(c.resource)))
        .cloned()
        .collect()
}

fn describe(candidate: &Candidate, preferred: bool, from_importer: bool) -> String {
    let mut text = candidate.tier.describe().to_owned();
    if !preferred {
        text.push_str(" (an alias)");
    }
    if from_importer {
        text.push_str("; among Quotebank's candidates (sg:sameAsCandidate)");
    }
    if !candidate.typed {
        text.push_str("; no type in the target");
    }
    text
}
