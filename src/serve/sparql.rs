//! The SPARQL 1.1 Protocol at `/sparql`, read-only: a query by GET, by a form POST or
//! as an `application/sparql-query` body, its dataset from `default-graph-uri` and
//! `named-graph-uri`, its results in the negotiated format; updates are `405`. With no
//! query, a GET is answered with the service description.
//!
//! Every query runs the same way ([`run`], which the named queries use too): within the
//! bounds of `bounds` (a slot among `--max-concurrent`, waited for in a fair line, or
//! `503` with `Retry-After`; a watchdog that cancels the evaluation when `--timeout`
//! passes or the client hangs up), and with the results gathered, up to
//! `--max-results`, before the status line is sent. So a query that runs out of time is a
//! `504` with a message, never a `200` that looks complete, and a cut is announced in the
//! `Saidgraph-Truncated` header of the response it cut.

use std::net::TcpStream;

use oxigraph::model::{NamedNode, Triple};
use oxigraph::sparql::results::QueryResultsSerializer;
use oxigraph::sparql::{QueryEvaluationError, QueryResults, QuerySolution};

use crate::error::Error;
use crate::query::{self, Evaluation, Prepared};

use super::Context;
use super::bounds::bounded;
use super::http::{Request, Response};
use super::negotiate::{self, Format, Kind};

/// `/sparql`.
pub fn endpoint(request: &Request, context: &Context, connection: &TcpStream) -> Response {
    let mut params = request.params();
    let mut body_query = None;
    match request.method.as_str() {
        "GET" | "HEAD" => {}
        "POST" => match request.content_type().as_deref() {
            Some("application/x-www-form-urlencoded") => {
                let Ok(body) = std::str::from_utf8(&request.body) else {
                    return Response::text(400, "the form is not UTF-8");
                };
                params.extend(form_urlencoded::parse(body.as_bytes()).into_owned());
            }
            Some("application/sparql-query") => match String::from_utf8(request.body.clone()) {
                Ok(text) => body_query = Some(text),
                Err(e) => {
                    return Response::text(
                        400,
                        format!("the query is not UTF-8 (at byte {})", e.utf8_error().valid_up_to()),
                    );
                }
            },
            Some("application/sparql-update") => return read_only(),
            Some(other) => {
                return Response::text(
                    415,
                    format!(
                        "a query is POSTed as application/sparql-query or application/x-www-form-urlencoded, not {other}"
                    ),
                );
            }
            None => {
                return Response::text(
                    415,
                    "a POST needs a Content-Type: application/sparql-query or application/x-www-form-urlencoded",
                );
            }
        },
        _ => {
            return Response::text(405, "the SPARQL endpoint answers GET, HEAD and POST")
                .with_header("Allow", "GET, HEAD, POST");
        }
    }
    if params
        .iter()
        .any(|(name, _)| name == "update" || name == "using-graph-uri")
    {
        return read_only();
    }
    let mut queries: Vec<String> = params
        .iter()
        .filter(|(name, _)| name == "query")
        .map(|(_, value)| value.clone())
        .collect();
    queries.extend(body_query);
    let text = match queries.len() {
        1 => queries.remove(0),
        0 if request.method != "POST" && params.is_empty() => return service_description(request),
        0 => return Response::text(400, "no query: give it as the `query` parameter"),
        n => return Response::text(400, format!("{n} queries in one request; send one")),
    };
    let graphs = |name: &str| -> Result<Vec<NamedNode>, Response> {
        params
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, iri)| {
                NamedNode::new(iri).map_err(|e| Response::text(400, format!("{name} {iri:?}: not an IRI: {e}")))
            })
            .collect()
    };
    let evaluation = match (graphs("default-graph-uri"), graphs("named-graph-uri")) {
        (Ok(default_graphs), Ok(named_graphs)) => Evaluation {
            default_graphs,
            named_graphs,
            keep_query_dataset: true,
            ..Evaluation::default()
        },
        (Err(response), _) | (_, Err(response)) => return response,
    };
    let format = params.iter().find(|(n, _)| n == "format").map(|(_, v)| v.clone());
    let prepared = Prepared {
        text,
        origin: "query".to_owned(),
        bindings: Vec::new(),
        limit: None,
        explain: None,
    };
    run(
        request,
        context,
        connection,
        Job {
            prepared,
            evaluation,
            format,
        },
    )
}

fn read_only() -> Response {
    Response::text(
        405,
        "this endpoint is read-only: updates are refused (load data with `saidgraph load`)",
    )
    .with_header("Allow", "GET, HEAD, POST")
}

/// A query to run for a request.
#[derive(Debug)]
pub struct Job {
    pub prepared: Prepared,
    pub evaluation: Evaluation,
    /// `?format=`, which wins over `Accept`.
    pub format: Option<String>,
}

/// Runs a query within the server's bounds and answers with its results or the error.
pub fn run(request: &Request, context: &Context, connection: &TcpStream, job: Job) -> Response {
    let Job {
        prepared,
        mut evaluation,
        format,
    } = job;
    let max = context.options.max_results;
    let accept = request.header("accept").map(str::to_owned);
    let answer = bounded(context, connection, move |snapshot, token| {
        evaluation.cancel = Some(token);
        evaluation.no_service = true;
        query::evaluate(&snapshot.store, prepared, &snapshot.prefixes, &evaluation)
            .and_then(|results| gather(results, max, accept.as_deref(), format.as_deref()))
    });
    match answer {
        Err(response) | Ok((Gathered::Refused(response), _)) => response,
        Ok((Gathered::Results(results), snapshot)) => results.respond(&snapshot.prefixes, max),
    }
}

/// The status and message of a failed query.
pub fn error_response(error: &Error) -> Response {
    let status = match error {
        Error::QuerySyntax { .. }
        | Error::QueryPrefix { .. }
        | Error::QueryTooDeep { .. }
        | Error::Param(_)
        | Error::Usage(_) => 400,
        Error::UnknownQuery { .. } => 404,
        Error::QueryEvaluation(
            QueryEvaluationError::Service(_)
            | QueryEvaluationError::UnsupportedService(_)
            | QueryEvaluationError::UnboundService
            | QueryEvaluationError::InvalidServiceName(_),
        ) => {
            return Response::text(
                400,
                "SERVICE clauses are refused by this server: they would let any client make it fetch other URLs",
            );
        }
        _ => 500,
    };
    Response::text(status, error)
}

enum Gathered {
    Results(Results),
    Refused(Response),
}

/// Results read whole (up to the cap), and whether there were more.
struct Results {
    format: Format,
    kind: Body,
    truncated: bool,
}

enum Body {
    Solutions(Vec<oxigraph::sparql::Variable>, Vec<QuerySolution>),
    Boolean(bool),
    Graph(Vec<Triple>),
}

fn gather(
    results: QueryResults<'static>,
    max: usize,
    accept: Option<&str>,
    format: Option<&str>,
) -> crate::error::Result<Gathered> {
    let kind = match &results {
        QueryResults::Graph(_) => Kind::Graph,
        _ => Kind::Solutions,
    };
    let format = match negotiate::choose(kind, accept, format) {
        Ok(format) => format,
        Err(message) => return Ok(Gathered::Refused(Response::text(406, message))),
    };
    let mut truncated = false;
    let kind = match results {
        QueryResults::Boolean(value) => Body::Boolean(value),
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            let rows;
            (rows, truncated) = at_most(solutions, max)?;
            Body::Solutions(variables, rows)
        }
        QueryResults::Graph(triples) => {
            let graph;
            (graph, truncated) = at_most(triples, max)?;
            Body::Graph(graph)
        }
    };
    Ok(Gathered::Results(Results {
        format,
        kind,
        truncated,
    }))
}

/// The first `max` items, and whether there were more.
fn at_most<T, E: Into<Error>>(
    items: impl Iterator<Item = Result<T, E>>,
    max: usize,
) -> crate::error::Result<(Vec<T>, bool)> {
    let mut kept = Vec::new();
    for item in items {
        if kept.len() == max {
            return Ok((kept, true));
        }
        kept.push(item.map_err(Into::into)?);
    }
    Ok((kept, false))
}

impl Results {
    fn respond(self, prefixes: &[(String, String)], max: usize) -> Response {
        let mut bytes = Vec::new();
        let (rows, written) = match (self.kind, self.format) {
            (Body::Boolean(value), Format::Results(format)) => (
                1,
                QueryResultsSerializer::from_format(format)
                    .serialize_boolean_to_writer(&mut bytes, value)
                    .map(drop)
                    .map_err(|e| e.to_string()),
            ),
            (Body::Solutions(variables, rows), Format::Results(format)) => {
                let count = rows.len();
                let written = (|| {
                    let mut writer = QueryResultsSerializer::from_format(format)
                        .serialize_solutions_to_writer(&mut bytes, variables)?;
                    for row in &rows {
                        writer.serialize(row)?;
                    }
                    writer.finish().map(drop)
                })();
                (count, written.map_err(|e| e.to_string()))
            }
            (Body::Graph(triples), Format::Rdf(format)) => {
                let count = triples.len();
                let written = crate::export::write_sorted(triples, format, prefixes, &mut bytes);
                (count, written.map_err(|e| e.to_string()))
            }
            _ => (0, Err("the negotiated format does not fit the results".to_owned())),
        };
        if let Err(message) = written {
            return Response::text(500, format!("writing the results: {message}"));
        }
        let mut response = Response::new(200, self.format.media_type(), bytes)
            .with_header("Vary", "Accept")
            .with_header("Saidgraph-Results", rows.to_string());
        if self.truncated {
            response = response.with_header(
                "Saidgraph-Truncated",
                format!("the results were cut at {max} (the server's --max-results); more exist"),
            );
        }
        response.rows = Some(rows);
        response
    }
}

/// The SPARQL 1.1 Service Description of this endpoint, in Turtle (or another RDF format
/// by `Accept`).
fn service_description(request: &Request) -> Response {
    let format = match negotiate::choose(Kind::Graph, request.header("accept"), None) {
        Ok(Format::Rdf(format)) => format,
        Ok(Format::Results(_)) | Err(_) => oxigraph::io::RdfFormat::Turtle,
    };
    let host = request.header("host").unwrap_or("localhost");
    let endpoint = format!("http://{host}/sparql");
    let text = format!(
        "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n\
         @prefix formats: <http://www.w3.org/ns/formats/> .\n\
         [] a sd:Service ;\n\
         \x20 sd:endpoint <{endpoint}> ;\n\
         \x20 sd:supportedLanguage sd:SPARQL11Query ;\n\
         \x20 sd:resultFormat formats:SPARQL_Results_JSON, formats:SPARQL_Results_XML, formats:SPARQL_Results_CSV,\n\
         \x20   formats:SPARQL_Results_TSV, formats:Turtle, formats:N-Triples, formats:RDF_XML, formats:JSON-LD ;\n\
         \x20 sd:feature sd:UnionDefaultGraph ;\n\
         \x20 sd:defaultDataset [ a sd:Dataset ;  sd:defaultGraph [ a sd:Graph ] ] .\n"
    );
    let graph: Result<Vec<Triple>, _> = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .for_slice(text.as_bytes())
        .map(|q| q.map(Triple::from))
        .collect();
    let mut bytes = Vec::new();
    let prefixes = [
        (
            "sd".to_owned(),
            "http://www.w3.org/ns/sparql-service-description#".to_owned(),
        ),
        ("formats".to_owned(), "http://www.w3.org/ns/formats/".to_owned()),
    ];
    match graph
        .map_err(|e| e.to_string())
        .and_then(|graph| crate::export::write_sorted(graph, format, &prefixes, &mut bytes).map_err(|e| e.to_string()))
    {
        Ok(()) => Response::new(200, Format::Rdf(format).media_type(), bytes).with_header("Vary", "Accept"),
        Err(message) => Response::text(500, message),
    }
}
