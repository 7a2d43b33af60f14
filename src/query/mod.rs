//! SPARQL: the named-query library, parameter binding, and results in the W3C formats
//! or as a table for people.
//!
//! Queries run over the data and the ontology together (the default graph is the union
//! of the store's graphs). `--param NAME=VALUE` is bound as an RDF term by Oxigraph's
//! variable substitution, never by pasting text into the query.
//!
//! This module is the pipeline, [`parse`] then [`run`]; its rooms are `library` (the
//! named queries and reading a query's text), `guards` (limits, and the scan that names an
//! undeclared prefix), `bind` (parameters and the algebra rewrites) and `results` (the
//! writer).

mod bind;
mod guards;
mod library;
mod results;

use std::io::Write;
use std::path::PathBuf;

use oxigraph::model::Term;
use oxigraph::sparql::{QueryEvaluationError, SparqlEvaluator, Variable};
use spargebra::algebra::GraphPattern;

use crate::error::{Error, Result};
use crate::store::GraphStore;

pub use bind::{bind_value, split_param};
pub use guards::STACK_SIZE;
pub use library::{NAMED_QUERIES, NamedQuery, QueryText};
pub use results::ResultsFormat;

/// A query ready to run: its text, where it came from (for messages), the terms bound
/// to its variables, how many results at most, and where to write Oxigraph's plan.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub text: String,
    pub origin: String,
    pub bindings: Vec<(Variable, Term)>,
    pub limit: Option<usize>,
    /// Write the plan Oxigraph evaluated, with the number of rows each step produced, to
    /// this file as JSON (Oxigraph's explanation format) once the results are written.
    pub explain: Option<PathBuf>,
}

/// Runs a query against `store` and writes its results. `prefixes` shorten IRIs in
/// tables and RDF results.
pub fn run(
    store: &GraphStore,
    prepared: Prepared,
    format: ResultsFormat,
    prefixes: &[(String, String)],
    out: &mut dyn Write,
) -> Result<()> {
    let Prepared {
        text,
        origin,
        bindings,
        limit,
        explain,
    } = prepared;
    let mut query = parse(&text, &origin, prefixes)?;
    if let Some(limit) = limit {
        bind::limit_solutions(&mut query, limit);
    }
    for (variable, term) in &bindings {
        bind::restrict_query(&mut query, variable, term);
    }
    let mut prepared = SparqlEvaluator::new().for_query(query);
    prepared.dataset_mut().set_default_graph_as_union();
    for (variable, term) in bindings {
        prepared = prepared.substitute_variable(variable, term);
    }
    let bound = prepared.on_store(store.store());
    let (results, explanation) = match &explain {
        Some(_) => {
            let (results, explanation) = bound.compute_statistics().explain();
            (results, Some(explanation))
        }
        None => (bound.execute(), None),
    };
    let results = results.map_err(|e| match e {
        QueryEvaluationError::NotExistingSubstitutedVariable(v) => {
            Error::Param(format!("{}: the query has no variable {v} to bind", v.as_str()))
        }
        other => Error::QueryEvaluation(other),
    })?;
    // The statistics are complete once the results are read, so the plan is written last.
    results::write_results(results, format, prefixes, out)?;
    if let (Some(path), Some(explanation)) = (explain, explanation) {
        let mut json = Vec::new();
        explanation
            .write_in_json(&mut json)
            .and_then(|()| std::fs::write(&path, json))
            .map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

/// Parses a query with `prefixes` declared, the same ones results are shortened with (the
/// built-in prefixes, and `entity:`, `statement:`, … for one base); the query's own
/// `PREFIX` lines override them. When the query does not parse and uses a prefix declared
/// nowhere, the error names that prefix: the parser alone lists the characters it expected
/// at some later point.
///
/// Queries nested deeper than [`MAX_QUERY_NESTING`], in their text or their algebra, are
/// refused before they can overflow the stack of the parser or the evaluator.
pub fn parse(text: &str, origin: &str, prefixes: &[(String, String)]) -> Result<spargebra::Query> {
    guards::check_nesting(origin, guards::bracket_depth(text))?;
    let mut parser = spargebra::SparqlParser::new();
    for (prefix, namespace) in prefixes {
        if let Ok(with) = parser.clone().with_prefix(prefix, namespace) {
            parser = with;
        }
    }
    let mut query = parser
        .parse_query(text)
        .map_err(|source| guards::syntax_error(text, origin, prefixes, source))?;
    guards::check_nesting(origin, guards::algebra_depth(root_pattern(&mut query)))?;
    Ok(query)
}

/// The graph pattern at the root of a query, whatever its form: where the guards measure
/// it and the rewrites change it.
fn root_pattern(query: &mut spargebra::Query) -> &mut GraphPattern {
    match query {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. }
        | spargebra::Query::Ask { pattern, .. } => pattern,
    }
}
