//! RDF serialisation: every format of the contract, sorted so that the same graph always
//! gives the same bytes.
//!
//! This module owns the format names and [`write_sorted`]; [`sort`](fn@sort) holds the
//! canonical order (by subject, `rdf:type` first, then by predicate and object) and
//! `turtle` the Turtle and TriG writer: only the prefixes used are declared, and a blank
//! line is left between subject blocks, which keeps diffs of a knowledge base small.
//! `units` writes the same sorted output for a graph given as the units that make it
//! ([`write_units`]: a knowledge base's records, mapped again chunk by chunk, so that
//! only subjects are sorted and the triples are never all held), and `parallel`
//! serialises chunks of whole subject blocks on every core, writing them in order. The
//! streamed output of the engine writes with the same pieces.

mod parallel;
mod sort;
mod turtle;
mod units;

use std::io::Write;
use std::path::Path;

use oxigraph::io::{RdfFormat, RdfSerializer, WriterQuadSerializer};
use oxigraph::model::{GraphName, GraphNameRef, Quad, Triple};

use crate::error::{Error, Result};

pub use parallel::{Joiner, in_order_streamed, regroup, serialize_chunk};
pub use sort::sort;
pub use turtle::{BlockWriter, PrefixTracker, write_prelude};
pub use units::{Units, write_units};

/// The RDF format a name of the contract means (`turtle`/`ttl`, `ntriples`/`nt`, …).
pub fn parse_format(name: &str) -> Option<RdfFormat> {
    Some(match name.to_ascii_lowercase().as_str() {
        "turtle" | "ttl" => RdfFormat::Turtle,
        "ntriples" | "nt" | "n-triples" => RdfFormat::NTriples,
        "nquads" | "nq" | "n-quads" => RdfFormat::NQuads,
        "trig" => RdfFormat::TriG,
        "rdfxml" | "rdf" | "xml" | "rdf/xml" => RdfFormat::RdfXml,
        "jsonld" | "json-ld" => RdfFormat::JsonLd {
            profile: oxigraph::io::JsonLdProfileSet::empty(),
        },
        _ => return None,
    })
}

/// The format an output file's extension implies.
pub fn format_for_path(path: &Path) -> Option<RdfFormat> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "owl" => Some(RdfFormat::RdfXml),
        "json" => parse_format("jsonld"),
        other => parse_format(other),
    }
}

/// The format to write: the one asked for, else the output file's, else Turtle.
pub fn choose_format(asked: Option<RdfFormat>, output: Option<&Path>) -> RdfFormat {
    asked
        .or_else(|| output.and_then(format_for_path))
        .unwrap_or(RdfFormat::Turtle)
}

/// Triples per chunk serialised on a worker thread.
const CHUNK: usize = 8192;

/// Writes `triples` (in the default graph) sorted and deduplicated, serialised on every
/// core where the format allows (N-Triples, Turtle). `prefixes` are the
/// candidates; Turtle and TriG declare the ones they use.
pub fn write_sorted(
    mut triples: Vec<Triple>,
    format: RdfFormat,
    prefixes: &[(String, String)],
    out: &mut dyn Write,
) -> Result<()> {
    let io_error = |e| Error::io(crate::error::Place::Output, e);
    sort(&mut triples);
    let prose = matches!(format, RdfFormat::Turtle | RdfFormat::TriG);
    let mut tracker = PrefixTracker::new(prefixes);
    if prose || matches!(format, RdfFormat::RdfXml) {
        for triple in &triples {
            tracker.note(triple);
        }
    }
    let used = tracker.used();
    if parallel::cuts_between_subjects(format) {
        if prose {
            write_prelude(&used, out).map_err(io_error)?;
        }
        let chunks = parallel::cut(&triples, CHUNK);
        let mut joiner = Joiner::new(format);
        let job = |i: usize| {
            let chunk = &triples[chunks[i].clone()];
            serialize_chunk(format, &used, chunk, GraphNameRef::DefaultGraph).map_err(io_error)
        };
        return parallel::in_order(chunks.len(), job, |bytes| joiner.write(&bytes, out).map_err(io_error));
    }
    let serializer = with_prefixes(RdfSerializer::from_format(format), used.iter().copied())?;
    if prose {
        write_prelude(&used, out).map_err(io_error)?;
        let mut body = BlockWriter::new(serializer, out);
        body.write(&triples).map_err(io_error)?;
        body.finish().map_err(io_error)?;
    } else {
        let mut writer = serializer.for_writer(out);
        write_triples(&mut writer, &triples).map_err(io_error)?;
        writer.finish().map_err(io_error)?;
    }
    Ok(())
}

/// Writes `quads` in a format with graphs (TriG, N-Quads), graph by graph (the default
/// graph first, then by name), each graph sorted as [`write_sorted`] sorts, without
/// repeats; TriG declares the prefixes it uses. A format without graphs gets the union.
pub fn write_sorted_quads(
    quads: Vec<Quad>,
    format: RdfFormat,
    prefixes: &[(String, String)],
    out: &mut dyn Write,
) -> Result<()> {
    if !format.supports_datasets() {
        return write_sorted(quads.into_iter().map(Triple::from).collect(), format, prefixes, out);
    }
    let io_error = |e| Error::io(crate::error::Place::Output, e);
    let mut graphs: std::collections::BTreeMap<(u8, String), (GraphName, Vec<Triple>)> = Default::default();
    for quad in quads {
        let key = match &quad.graph_name {
            GraphName::DefaultGraph => (0, String::new()),
            GraphName::NamedNode(n) => (1, n.as_str().to_owned()),
            GraphName::BlankNode(b) => (2, b.as_str().to_owned()),
        };
        let graph = quad.graph_name.clone();
        graphs
            .entry(key)
            .or_insert_with(|| (graph, Vec::new()))
            .1
            .push(quad.into());
    }
    let mut tracker = PrefixTracker::new(prefixes);
    for (_, triples) in graphs.values_mut() {
        sort(triples);
        for triple in triples.iter() {
            tracker.note(triple);
        }
    }
    let used = tracker.used();
    if format == RdfFormat::TriG {
        write_prelude(&used, out).map_err(io_error)?;
        let serializer = with_prefixes(RdfSerializer::from_format(format), used.iter().copied())?;
        let mut body = BlockWriter::new(serializer, out);
        for (graph, triples) in graphs.values() {
            body.write_in_graph(triples, graph.as_ref()).map_err(io_error)?;
        }
        body.finish().map_err(io_error)?;
        return Ok(());
    }
    let mut writer = RdfSerializer::from_format(format).for_writer(out);
    for (graph, triples) in graphs.values() {
        for triple in triples {
            writer
                .serialize_quad(triple.as_ref().in_graph(graph.as_ref()))
                .map_err(io_error)?;
        }
    }
    writer.finish().map_err(io_error)?;
    Ok(())
}

/// The serializer with each of `prefixes` declared.
pub fn with_prefixes<'p>(
    mut serializer: RdfSerializer,
    prefixes: impl IntoIterator<Item = (&'p str, &'p str)>,
) -> Result<RdfSerializer> {
    for (prefix, namespace) in prefixes {
        serializer = serializer
            .with_prefix(prefix, namespace)
            .map_err(|e| Error::Internal(format!("prefix {prefix}: {e}")))?;
    }
    Ok(serializer)
}

/// Writes `triples` in the default graph: the serialise loop of every output.
pub fn write_triples<W: Write>(writer: &mut WriterQuadSerializer<W>, triples: &[Triple]) -> std::io::Result<()> {
    for triple in triples {
        writer.serialize_quad(triple.as_ref().in_graph(GraphNameRef::DefaultGraph))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::vocab::rdf;
    use oxigraph::model::{Literal, NamedNode};

    fn iri(s: &str) -> NamedNode {
        NamedNode::new_unchecked(s)
    }

    #[test]
    fn turtle_is_sorted_with_only_used_prefixes_and_blank_lines() -> Result<()> {
        let triples = vec![
            Triple::new(
                iri("http://e.org/b"),
                iri("http://schema.org/name"),
                Literal::new_simple_literal("B"),
            ),
            Triple::new(
                iri("http://e.org/a"),
                iri("http://schema.org/name"),
                Literal::new_simple_literal("A"),
            ),
            Triple::new(iri("http://e.org/a"), rdf::TYPE, iri("http://schema.org/Person")),
            Triple::new(iri("http://e.org/a"), rdf::TYPE, iri("http://schema.org/Person")),
        ];
        let prefixes = vec![
            ("e".to_owned(), "http://e.org/".to_owned()),
            ("foaf".to_owned(), "http://xmlns.com/foaf/0.1/".to_owned()),
            ("schema".to_owned(), "http://schema.org/".to_owned()),
        ];
        let mut out = Vec::new();
        write_sorted(triples, RdfFormat::Turtle, &prefixes, &mut out)?;
        assert_eq!(
            String::from_utf8_lossy(&out),
            "@prefix e: <http://e.org/> .\n@prefix schema: <http://schema.org/> .\n\n\
             e:a a schema:Person ;\n\tschema:name \"A\" .\n\n\
             e:b schema:name \"B\" .\n"
        );
        Ok(())
    }

    #[test]
    fn formats_by_name_and_extension() {
        assert_eq!(parse_format("ttl"), Some(RdfFormat::Turtle));
        assert_eq!(parse_format("nq"), Some(RdfFormat::NQuads));
        assert_eq!(format_for_path(Path::new("x.rdf")), Some(RdfFormat::RdfXml));
        assert_eq!(choose_format(None, Some(Path::new("x.nt"))), RdfFormat::NTriples);
        assert_eq!(choose_format(None, None), RdfFormat::Turtle);
    }
}
