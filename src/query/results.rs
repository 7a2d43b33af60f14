//! Writing results: [`ResultsFormat`], and the writer that prints solutions, booleans
//! and graphs in the W3C results formats, an RDF format, or as a table for people.

use std::io::Write;

use oxigraph::io::RdfFormat;
use oxigraph::model::{Term, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryResults, Variable};

use crate::error::{Error, Result};

/// How to print results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResultsFormat {
    /// Aligned columns for people.
    Table,
    /// One of the W3C SPARQL results formats.
    W3c(QueryResultsFormat),
    /// For CONSTRUCT and DESCRIBE: an RDF format.
    Rdf(RdfFormat),
}

/// Writes `results` in `format`; `prefixes` shorten IRIs in tables and RDF results.
pub(super) fn write_results(
    results: QueryResults<'_>,
    format: ResultsFormat,
    prefixes: &[(String, String)],
    out: &mut dyn Write,
) -> Result<()> {
    let io = |e| Error::io(crate::error::Place::Output, e);
    match (results, format) {
        (QueryResults::Solutions(solutions), ResultsFormat::Table) => {
            let variables: Vec<Variable> = solutions.variables().to_vec();
            let mut rows = Vec::new();
            for solution in solutions {
                let solution = solution?;
                rows.push(
                    variables
                        .iter()
                        .map(|v| solution.get(v).map(|t| display_term(t, prefixes)).unwrap_or_default())
                        .collect(),
                );
            }
            let header: Vec<&str> = variables.iter().map(Variable::as_str).collect();
            write_table(&header, rows, out).map_err(io)
        }
        (QueryResults::Solutions(solutions), ResultsFormat::W3c(format)) => {
            let mut writer = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(out, solutions.variables().to_vec())
                .map_err(io)?;
            for solution in solutions {
                writer.serialize(&solution?).map_err(io)?;
            }
            writer.finish().map_err(io)?;
            Ok(())
        }
        (QueryResults::Boolean(value), ResultsFormat::Table) => writeln!(out, "{value}").map_err(io),
        (QueryResults::Boolean(value), ResultsFormat::W3c(format)) => {
            QueryResultsSerializer::from_format(format)
                .serialize_boolean_to_writer(out, value)
                .map_err(io)?;
            Ok(())
        }
        (QueryResults::Graph(triples), format) => {
            let rdf_format = match format {
                ResultsFormat::Rdf(f) => f,
                _ => RdfFormat::Turtle,
            };
            let triples = triples.collect::<Result<Vec<Triple>, _>>()?;
            crate::export::write_sorted(triples, rdf_format, prefixes, out)
        }
        (_, ResultsFormat::Rdf(_)) => Err(Error::Usage(
            "an RDF result format only fits CONSTRUCT and DESCRIBE queries; use table, csv, tsv, json or xml"
                .to_owned(),
        )),
    }
}

/// A term as a person reads it in a table: literals as their text, IRIs under a known
/// namespace as prefixed names.
fn display_term(term: &Term, prefixes: &[(String, String)]) -> String {
    match term {
        Term::Literal(literal) => literal.value().to_owned(),
        Term::NamedNode(iri) => prefixes
            .iter()
            .filter_map(|(prefix, namespace)| {
                let local = iri.as_str().strip_prefix(namespace.as_str())?;
                let simple = !local.is_empty()
                    && local
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '%'));
                simple.then(|| (namespace.len(), format!("{prefix}:{local}")))
            })
            .max_by_key(|(length, _)| *length)
            .map_or_else(|| iri.to_string(), |(_, short)| short),
        other => other.to_string(),
    }
}

fn write_table(header: &[&str], rows: Vec<Vec<String>>, out: &mut dyn Write) -> std::io::Result<()> {
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    let count = rows.len();
    for row in rows {
        table.add_row(row);
    }
    writeln!(out, "{table}")?;
    writeln!(out, "{count} row{}", if count == 1 { "" } else { "s" })
}
