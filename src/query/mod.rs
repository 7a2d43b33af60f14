//! SPARQL: the named-query library, parameter binding, and results in the W3C formats
//! or as a table for people.
//!
//! Queries run over the data and the ontology together (the default graph is the union
//! of the store's graphs). `--param NAME=VALUE` is bound as an RDF term by Oxigraph's
//! variable substitution, never by pasting text into the query.
//!
//! This module is the pipeline, [`parse`] then [`run`]; its rooms are `library` (the
//! named queries and reading a query's text), `guards` (limits, and the scan that names an
//! undeclared prefix), `bind` (parameters and the algebra rewrites), `checkpoint` (where a
//! cancellable evaluation checks its token beyond Oxigraph's reads), `sort` (a query's root
//! `ORDER BY`, sorted here with each row's keys computed once), `page` (the first page of
//! a query ordered by a date, without sorting every row), `by_count` (by a count),
//! `kept` (groupings answered from the counts `load` keeps) and `results` (the writer).

mod bind;
mod by_count;
mod checkpoint;
mod guards;
mod kept;
mod library;
mod page;
mod results;
mod sort;

use std::io::Write;
use std::path::PathBuf;

use oxigraph::model::{NamedNode, Term};
use oxigraph::sparql::{
    CancellationToken, QueryEvaluationError, QueryExplanation, QueryResults, SparqlEvaluator, Variable,
};
use spargebra::algebra::GraphPattern;

use crate::error::{Error, Result};
use crate::store::GraphStore;

pub use bind::{bind_value, split_param};
pub use checkpoint::catch_stopped;
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
    let (results, explanation) = start(store, prepared, prefixes, &Evaluation::default())?;
    results::write_results(results, format, prefixes, out)?;
    // The statistics are complete once the results are read, so the plan is written last.
    if let Some((path, explanation)) = explanation {
        let mut json = Vec::new();
        explanation
            .write_in_json(&mut json)
            .and_then(|()| std::fs::write(&path, json))
            .map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

/// How a query is evaluated beyond its text: a token that stops it, the dataset a SPARQL
/// Protocol request names, and whether `SERVICE` may reach out.
#[derive(Clone, Default)]
pub struct Evaluation {
    /// Cancels the evaluation (the server's timeout, a client gone). The query gets
    /// checkpoints (see `checkpoint`), which stop even a sort once it is cancelled when
    /// its results are read inside [`catch_stopped`].
    pub cancel: Option<CancellationToken>,
    /// The protocol's `default-graph-uri` and `named-graph-uri`: when either is given, the
    /// dataset is exactly these graphs, whatever the query's `FROM` says.
    pub default_graphs: Vec<NamedNode>,
    pub named_graphs: Vec<NamedNode>,
    /// Whether the query's own `FROM`/`FROM NAMED` are kept (without them the default
    /// graph is the union of all graphs). The command line always uses the union.
    pub keep_query_dataset: bool,
    /// Refuse `SERVICE` clauses rather than fetch other endpoints.
    pub no_service: bool,
}

impl std::fmt::Debug for Evaluation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Evaluation")
            .field("cancellable", &self.cancel.is_some())
            .field("default_graphs", &self.default_graphs)
            .field("named_graphs", &self.named_graphs)
            .field("keep_query_dataset", &self.keep_query_dataset)
            .field("no_service", &self.no_service)
            .finish()
    }
}

/// Parses, binds and starts evaluating a query; the results are read as they are made.
pub fn evaluate(
    store: &GraphStore,
    prepared: Prepared,
    prefixes: &[(String, String)],
    evaluation: &Evaluation,
) -> Result<QueryResults<'static>> {
    Ok(start(store, prepared, prefixes, evaluation)?.0)
}

/// [`evaluate`], with Oxigraph's plan and where `prepared` asks it written, when it asks.
fn start(
    store: &GraphStore,
    prepared: Prepared,
    prefixes: &[(String, String)],
    evaluation: &Evaluation,
) -> Result<(QueryResults<'static>, Option<(PathBuf, QueryExplanation)>)> {
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
    // A first page of a query ordered by a date or a label reads only the first values'
    // rows (`page`), of one ordered by a count only the pairs with the most (`by_count`).
    let default_dataset = evaluation.default_graphs.is_empty()
        && evaluation.named_graphs.is_empty()
        && !(evaluation.keep_query_dataset && query_has_dataset(&query));
    // A grouping the counts `load` keeps answer is replaced by them (`kept`: `acts`).
    if explain.is_none() && bindings.is_empty() && default_dataset {
        kept::answer_from_counts(store, &mut query, evaluation.cancel.as_ref())?;
    }
    if let (Some(limit), None, true, true) = (limit, &explain, bindings.is_empty(), default_dataset) {
        if let Some(order) = by_count::CountOrder::declared(&text, &origin, prefixes)?
            && let Some(results) = order.first_page(store, &query, limit, evaluation)?
        {
            return Ok((results, None));
        }
        if let Some(page) = page::FirstPage::declared(&text, &origin, prefixes)?
            && let Some(results) = page.first_page(store, &query, limit, evaluation)?
        {
            return Ok((results, None));
        }
    }
    let (results, explanation) = execute(store, query, bindings, evaluation, explain.is_some())?;
    Ok((results, explain.zip(explanation)))
}

/// Evaluates a parsed query as `evaluation` asks, with `bindings` substituted, and with
/// Oxigraph's plan when `explain`.
fn execute(
    store: &GraphStore,
    mut query: spargebra::Query,
    bindings: Vec<(Variable, Term)>,
    evaluation: &Evaluation,
    explain: bool,
) -> Result<(QueryResults<'static>, Option<QueryExplanation>)> {
    // Split before the checkpoints, which would add a key of their own to the order.
    let order = sort::split(&mut query);
    let mut evaluator = SparqlEvaluator::new();
    if let Some(token) = &evaluation.cancel {
        checkpoint::add_checkpoints(&mut query);
        evaluator = evaluator
            .with_custom_function(checkpoint::name(), checkpoint::function(token.clone()))
            .with_cancellation_token(token.clone());
    }
    if evaluation.no_service {
        evaluator = evaluator.without_default_http_service_handler();
    }
    let own_dataset = evaluation.keep_query_dataset && query_has_dataset(&query);
    let mut prepared = evaluator.for_query(query);
    if !evaluation.default_graphs.is_empty() || !evaluation.named_graphs.is_empty() {
        let dataset = prepared.dataset_mut();
        dataset.set_default_graph(evaluation.default_graphs.iter().cloned().map(Into::into).collect());
        dataset.set_available_named_graphs(evaluation.named_graphs.iter().cloned().map(Into::into).collect());
    } else if !own_dataset {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    for (variable, term) in bindings {
        prepared = prepared.substitute_variable(variable, term);
    }
    let bound = prepared.on_store(store.store());
    let (results, explanation) = if explain {
        let (results, explanation) = bound.compute_statistics().explain();
        (results, Some(explanation))
    } else {
        (bound.execute(), None)
    };
    let results = results.map_err(|e| match e {
        QueryEvaluationError::NotExistingSubstitutedVariable(v) => {
            Error::Param(format!("{}: the query has no variable {v} to bind", v.as_str()))
        }
        other => Error::QueryEvaluation(other),
    })?;
    let results = match (order, results) {
        (Some(order), QueryResults::Solutions(solutions)) => order.sort(solutions),
        (_, results) => results,
    };
    Ok((results, explanation))
}

/// Whether a query names its own dataset with `FROM` or `FROM NAMED`.
fn query_has_dataset(query: &spargebra::Query) -> bool {
    match query {
        spargebra::Query::Select { dataset, .. }
        | spargebra::Query::Construct { dataset, .. }
        | spargebra::Query::Describe { dataset, .. }
        | spargebra::Query::Ask { dataset, .. } => dataset.is_some(),
    }
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
