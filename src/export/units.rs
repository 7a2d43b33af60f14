//! The sorted output of a graph that is never held whole. A graph is given as [`Units`]
//! (a knowledge base's records, say), each of which makes its triples again whenever
//! asked. What is sorted is the subjects: a first pass maps every unit once, on every
//! core, and keeps only which subjects each unit gives triples to (and the prefixes
//! the triples use); the subjects are sorted; then each chunk of subjects is mapped again
//! from its units alone, its blocks sorted, and serialised on the worker threads of
//! [`super::parallel`], the writer putting the chunks in order. Memory holds the units,
//! one entry per subject and unit, and a few chunks, not the triples.
//!
//! The bytes are those of [`super::write_sorted`] and [`super::write_sorted_quads`] over
//! all the units' triples: the same canonical order ([`sort`]), the same prefixes, the
//! same repeats dropped, the same RDF 1.2 reifiers (found from the relation nodes'
//! descriptions, and checked asserted against the subject's own units).

use std::collections::{HashMap, HashSet};
use std::io::Write;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, NamedOrBlankNode, Triple};

use crate::error::{Error, Place, Result};
use crate::mapping::{self, RdfVersion};

use super::parallel::{self, Joiner, cuts_between_subjects, serialize_chunk};
use super::sort::{sort, subject_key};
use super::turtle::{BlockWriter, PrefixTracker, write_prelude};
use super::with_prefixes;

/// Triples per chunk a worker maps, sorts and serialises at a time.
const CHUNK: usize = 8192;

/// A graph as the units that make it: unit `i` appends its triples, in graph
/// `graph(i)`, whenever asked, the same each time.
pub trait Units: Sync {
    /// How many units there are.
    fn len(&self) -> usize;

    /// The graph of unit `unit`'s triples: an index into the graphs given to
    /// [`write_units`].
    fn graph(&self, unit: usize) -> usize;

    /// Appends unit `unit`'s triples to `out`.
    fn map(&self, unit: usize, out: &mut Vec<Triple>);
}

/// One subject's triples coming from one unit.
#[derive(Debug)]
struct Entry {
    /// The rank of the graph among the graphs written.
    rank: u32,
    subject: NamedOrBlankNode,
    unit: u32,
    triples: u32,
}

/// What the first pass over a range of units found.
struct Index<'p> {
    entries: Vec<Entry>,
    tracker: PrefixTracker<'p>,
    /// For RDF 1.2: the relation nodes' descriptions, with their graph's rank.
    described: Vec<(u32, Triple)>,
    mapped: usize,
}

/// Writes the units' triples sorted and deduplicated, in `format`, as
/// [`super::write_sorted`] would write them all (a format without graphs), or as
/// [`super::write_sorted_quads`] would write them each in its graph of `graphs` (TriG,
/// N-Quads); in RDF 1.2 with each graph's reifiers. Returns how many triples the units
/// made with the reifiers, repeats included (what a caller holding them all would count).
pub fn write_units(
    units: &dyn Units,
    graphs: &[GraphName],
    rdf: RdfVersion,
    format: RdfFormat,
    prefixes: &[(String, String)],
    out: &mut dyn Write,
) -> Result<usize> {
    let io_error = |e| Error::io(Place::Output, e);
    let datasets = format.supports_datasets();
    // Graphs in the order they are written: the default graph, then by name.
    let mut order: Vec<(u8, &str, usize)> = graphs
        .iter()
        .enumerate()
        .map(|(i, graph)| match graph {
            _ if !datasets => (0, "", i),
            GraphName::DefaultGraph => (0, "", i),
            GraphName::NamedNode(n) => (1, n.as_str(), i),
            GraphName::BlankNode(b) => (2, b.as_str(), i),
        })
        .collect();
    order.sort_unstable();
    let mut ranks = vec![0u32; graphs.len()];
    let mut ranked: Vec<GraphName> = Vec::new();
    for (n, (kind, name, i)) in order.iter().enumerate() {
        if n == 0 || (order[n - 1].0, order[n - 1].1) != (*kind, *name) {
            ranked.push(if datasets {
                graphs[*i].clone()
            } else {
                GraphName::DefaultGraph
            });
        }
        ranks[*i] = (ranked.len() - 1) as u32;
    }

    let prose = matches!(format, RdfFormat::Turtle | RdfFormat::TriG);
    let track = prose || format == RdfFormat::RdfXml;
    let rdf12 = rdf == RdfVersion::Rdf12;
    let (mut entries, mut tracker, described, mapped) = index(units, &ranks, prefixes, track, rdf12);

    entries.sort_unstable_by(|a, b| {
        (a.rank, subject_key(&a.subject), a.unit).cmp(&(b.rank, subject_key(&b.subject), b.unit))
    });
    // Each subject of each graph: its entries.
    let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        match groups.last_mut() {
            Some(group) if same_subject(&entries[group.start], entry) => group.end = i + 1,
            _ => groups.push(i..i + 1),
        }
    }
    let (extras, reifiers) = if rdf12 {
        reifiers_by_group(units, &entries, &groups, &described)
    } else {
        (HashMap::new(), 0)
    };
    if track {
        extras.values().flatten().for_each(|triple| tracker.note(triple));
    }

    // Chunks: runs of subjects of one graph, of about CHUNK triples.
    let mut chunks: Vec<std::ops::Range<usize>> = Vec::new();
    let mut size = 0;
    for (g, group) in groups.iter().enumerate() {
        let triples: usize = entries[group.clone()].iter().map(|e| e.triples as usize).sum();
        match chunks.last_mut() {
            Some(chunk) if size < CHUNK && entries[groups[chunk.start].start].rank == entries[group.start].rank => {
                chunk.end = g + 1;
                size += triples;
            }
            _ => {
                chunks.push(g..g + 1);
                size = triples;
            }
        }
    }

    let used = tracker.used();
    let cut = cuts_between_subjects(format);
    // A chunk's sorted triples, and its graph's rank.
    let chunk_triples = |chunk: &std::ops::Range<usize>| -> (usize, Vec<Triple>) {
        let mut triples = Vec::new();
        let mut block = Vec::new();
        let mut made = Vec::new();
        for g in chunk.clone() {
            let group = &entries[groups[g].clone()];
            let subject = &group[0].subject;
            for entry in group {
                units.map(entry.unit as usize, &mut made);
                if made.iter().all(|t| t.subject == *subject) {
                    block.append(&mut made);
                } else {
                    block.extend(made.drain(..).filter(|t| t.subject == *subject));
                }
            }
            if let Some(extra) = extras.get(&g) {
                block.extend(extra.iter().cloned());
            }
            sort(&mut block);
            triples.append(&mut block);
        }
        (entries[groups[chunk.start].start].rank as usize, triples)
    };
    let job = |i: usize| -> Result<(usize, Vec<Triple>, Vec<u8>)> {
        let (rank, triples) = chunk_triples(&chunks[i]);
        if cut {
            let bytes = serialize_chunk(format, &used, &triples, ranked[rank].as_ref()).map_err(io_error)?;
            return Ok((rank, Vec::new(), bytes));
        }
        Ok((rank, triples, Vec::new()))
    };

    if prose {
        write_prelude(&used, out).map_err(io_error)?;
    }
    if cut {
        let mut joiner = Joiner::new(format);
        parallel::in_order(chunks.len(), job, |(_, _, bytes)| {
            joiner.write(&bytes, out).map_err(io_error)
        })?;
    } else if format == RdfFormat::TriG {
        let serializer = with_prefixes(RdfSerializer::from_format(format), used.iter().copied())?;
        let mut body = BlockWriter::new(serializer, &mut *out);
        parallel::in_order(chunks.len(), job, |(rank, triples, _)| {
            body.write_in_graph(&triples, ranked[rank].as_ref()).map_err(io_error)
        })?;
        body.finish().map_err(io_error)?;
    } else {
        let serializer = with_prefixes(RdfSerializer::from_format(format), used.iter().copied())?;
        let mut writer = serializer.for_writer(&mut *out);
        parallel::in_order(chunks.len(), job, |(rank, triples, _)| {
            triples
                .iter()
                .try_for_each(|t| writer.serialize_quad(t.as_ref().in_graph(ranked[rank].as_ref())))
                .map_err(io_error)
        })?;
        writer.finish().map_err(io_error)?;
    }
    Ok(mapped + reifiers)
}

fn same_subject(a: &Entry, b: &Entry) -> bool {
    a.rank == b.rank && a.subject == b.subject
}

/// The first pass, on every core: each unit mapped once, its subjects noted, the
/// prefixes its triples use noted (`track`), and for RDF 1.2 the relation nodes'
/// descriptions kept.
fn index<'p>(
    units: &dyn Units,
    ranks: &[u32],
    prefixes: &'p [(String, String)],
    track: bool,
    rdf12: bool,
) -> (Vec<Entry>, PrefixTracker<'p>, Vec<(u32, Triple)>, usize) {
    let scan = |range: std::ops::Range<usize>| {
        let mut index = Index {
            entries: Vec::new(),
            tracker: PrefixTracker::new(prefixes),
            described: Vec::new(),
            mapped: 0,
        };
        let mut triples = Vec::new();
        for unit in range {
            triples.clear();
            units.map(unit, &mut triples);
            let rank = ranks[units.graph(unit)];
            index.mapped += triples.len();
            let first = index.entries.len();
            for triple in &triples {
                if track {
                    index.tracker.note(triple);
                }
                if rdf12 && mapping::describes_relation(triple) {
                    index.described.push((rank, triple.clone()));
                }
                match index.entries[first..].iter_mut().find(|e| e.subject == triple.subject) {
                    Some(entry) => entry.triples += 1,
                    None => index.entries.push(Entry {
                        rank,
                        subject: triple.subject.clone(),
                        unit: unit as u32,
                        triples: 1,
                    }),
                }
            }
        }
        index
    };
    let workers = parallel::workers().min(units.len().div_ceil(1024)).max(1);
    let step = units.len().div_ceil(workers).max(1);
    let parts: Vec<Index<'p>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..units.len())
            .step_by(step)
            .skip(1)
            .map(|start| scope.spawn(move || scan(start..(start + step).min(units.len()))))
            .collect();
        let mut parts = vec![scan(0..step.min(units.len()))];
        parts.extend(
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))),
        );
        parts
    });
    let mut parts = parts.into_iter();
    let mut all = parts.next().unwrap_or_else(|| scan(0..0));
    for part in parts {
        all.entries.extend(part.entries);
        all.tracker.merge(&part.tracker);
        all.described.extend(part.described);
        all.mapped += part.mapped;
    }
    (all.entries, all.tracker, all.described, all.mapped)
}

/// RDF 1.2: the reifiers of each graph's relation nodes, by the group (subject) they go
/// to, and how many there were with repeats. A candidate `S P O` is asserted if the
/// units that give `S` triples in that graph give it.
fn reifiers_by_group(
    units: &dyn Units,
    entries: &[Entry],
    groups: &[std::ops::Range<usize>],
    described: &[(u32, Triple)],
) -> (HashMap<usize, Vec<Triple>>, usize) {
    let find = |rank: u32, subject: &NamedOrBlankNode| {
        groups
            .binary_search_by(|g| {
                let e = &entries[g.start];
                (e.rank, subject_key(&e.subject)).cmp(&(rank, subject_key(subject)))
            })
            .ok()
    };
    let mut ranks: Vec<u32> = described.iter().map(|(rank, _)| *rank).collect();
    ranks.sort_unstable();
    ranks.dedup();
    let mut asserted: HashMap<usize, HashSet<Triple>> = HashMap::new();
    let mut extras: HashMap<usize, Vec<Triple>> = HashMap::new();
    let mut count = 0;
    for rank in ranks {
        let candidates = mapping::reifier_candidates(described.iter().filter(|(r, _)| *r == rank).map(|(_, t)| t));
        for (node, triple) in candidates {
            let Some(of_subject) = find(rank, &triple.subject) else {
                continue;
            };
            let held = asserted.entry(of_subject).or_insert_with(|| {
                let mut triples = Vec::new();
                for entry in &entries[groups[of_subject].clone()] {
                    units.map(entry.unit as usize, &mut triples);
                }
                triples.into_iter().filter(|t| t.subject == triple.subject).collect()
            });
            if !held.contains(&triple) {
                continue;
            }
            let Some(of_node) = find(rank, &node) else {
                continue;
            };
            count += 1;
            extras.entry(of_node).or_default().push(mapping::reifier(node, triple));
        }
    }
    (extras, count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::sg;
    use oxigraph::model::vocab::rdf;
    use oxigraph::model::{BlankNode, Literal, NamedNode, Quad};

    fn iri(s: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("http://e.org/{s}"))
    }

    /// Units holding given triples, each in a graph.
    struct Given(Vec<(usize, Vec<Triple>)>);

    impl Units for Given {
        fn len(&self) -> usize {
            self.0.len()
        }
        fn graph(&self, unit: usize) -> usize {
            self.0[unit].0
        }
        fn map(&self, unit: usize, out: &mut Vec<Triple>) {
            out.extend(self.0[unit].1.iter().cloned());
        }
    }

    /// Units whose subjects are spread over several units (a relation's asserted triple
    /// in another unit than its subject's own), with repeats across units, blank-node
    /// subjects, relation nodes whose triple is asserted or not, two units in one graph
    /// by two indexes, and more triples than a chunk holds.
    fn units() -> Given {
        let mut units = Vec::new();
        for i in 0..700 {
            let graph = i % 3;
            let entity = iri(&format!("entity/e{}", i % 400));
            let mut triples = vec![
                Triple::new(entity.clone(), rdf::TYPE, iri("Person")),
                Triple::new(
                    entity.clone(),
                    iri("label"),
                    Literal::new_simple_literal(format!("E{}", i % 400)),
                ),
            ];
            for j in 0..6 {
                let s = iri(&format!("statement/s{i}-{j}"));
                triples.push(Triple::new(s.clone(), rdf::TYPE, sg::STATEMENT));
                triples.push(Triple::new(s.clone(), iri("speaker"), entity.clone()));
                triples.push(Triple::new(
                    s,
                    iri("text"),
                    Literal::new_simple_literal(format!("said {i} {j}")),
                ));
            }
            let node = iri(&format!("relation/r{i}"));
            let other = iri(&format!("entity/e{}", (i + 7) % 400));
            triples.extend([
                Triple::new(node.clone(), rdf::TYPE, sg::RELATION),
                Triple::new(node.clone(), sg::SUBJECT, entity.clone()),
                Triple::new(node.clone(), sg::PREDICATE, iri("knows")),
                Triple::new(node, sg::OBJECT, other.clone()),
            ]);
            let blank = BlankNode::new_unchecked(format!("b{}", i % 50));
            triples.push(Triple::new(blank, iri("note"), Literal::new_simple_literal("n")));
            units.push((graph, triples));
            // The asserted triple in a unit of its own, for two relations in three.
            if i % 3 != 2 {
                units.push((
                    if graph == 2 { 3 } else { graph },
                    vec![Triple::new(entity, iri("knows"), other)],
                ));
            }
        }
        Given(units)
    }

    /// `write_units` writes the bytes `write_sorted` and `write_sorted_quads` write of
    /// all the units' triples held at once, in every format and both RDF versions, and
    /// counts what they would count.
    #[test]
    fn units_write_what_the_whole_graph_sorted_writes() -> Result<()> {
        let units = units();
        let graphs = vec![
            GraphName::DefaultGraph,
            iri("graph/a").into(),
            iri("graph/b").into(),
            iri("graph/b").into(),
        ];
        let prefixes = vec![("e".to_owned(), "http://e.org/".to_owned())];
        let formats = [
            RdfFormat::Turtle,
            RdfFormat::NTriples,
            RdfFormat::NQuads,
            RdfFormat::TriG,
            RdfFormat::RdfXml,
            super::super::parse_format("jsonld").unwrap_or(RdfFormat::Turtle),
        ];
        for rdf in [RdfVersion::Rdf11, RdfVersion::Rdf12] {
            for format in formats {
                if rdf == RdfVersion::Rdf12 && matches!(format, RdfFormat::JsonLd { .. }) {
                    continue;
                }
                let mut quads: Vec<Quad> = units
                    .0
                    .iter()
                    .flat_map(|(g, triples)| triples.iter().map(|t| t.clone().in_graph(graphs[*g].clone())))
                    .collect();
                let mut expected = Vec::new();
                let count = if format.supports_datasets() {
                    rdf.complete_quads(&mut quads);
                    let count = quads.len();
                    super::super::write_sorted_quads(quads, format, &prefixes, &mut expected)?;
                    count
                } else {
                    let mut triples: Vec<Triple> = quads.into_iter().map(Triple::from).collect();
                    rdf.complete(&mut triples);
                    let count = triples.len();
                    super::super::write_sorted(triples, format, &prefixes, &mut expected)?;
                    count
                };
                let mut got = Vec::new();
                let written = write_units(&units, &graphs, rdf, format, &prefixes, &mut got)?;
                assert!(
                    got == expected,
                    "{format} {rdf:?}:\n{}\n---- expected ----\n{}",
                    String::from_utf8_lossy(&got[..got.len().min(3000)]),
                    String::from_utf8_lossy(&expected[..expected.len().min(3000)])
                );
                assert_eq!(written, count, "{format} {rdf:?}");
                if rdf == RdfVersion::Rdf12 {
                    assert!(
                        String::from_utf8_lossy(&got).contains("reifies"),
                        "{format}: no reifier"
                    );
                }
            }
        }
        Ok(())
    }
}
