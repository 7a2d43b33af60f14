//! The named queries over HTTP: `/queries` lists the library as JSON (name, what each
//! answers, its parameters and their descriptions); `/queries/NAME?param=value` runs one,
//! each parameter bound as an RDF term exactly as `--param` binds it on the command line
//! (an id the store knows is its IRI, `<…>` an IRI, `prefix:local` a prefixed name,
//! anything else a plain string). `format` picks the results format, else `Accept`;
//! `limit` keeps the first N rows (at most `--max-results`). Empty parameters are unbound,
//! as a form leaves them.

use std::net::TcpStream;

use crate::query::{self, Evaluation, NAMED_QUERIES, NamedQuery, Prepared};

use super::Context;
use super::http::{Request, Response};
use super::sparql::{self, Job};

/// `/queries`: the library, as JSON.
pub fn list(request: &Request) -> Response {
    if !matches!(request.method.as_str(), "GET" | "HEAD") {
        return Response::text(405, "/queries answers GET and HEAD").with_header("Allow", "GET, HEAD");
    }
    let queries: Vec<serde_json::Value> = NAMED_QUERIES
        .iter()
        .map(|query| {
            let parameters: Vec<serde_json::Value> = query
                .parameters()
                .into_iter()
                .map(|(name, description)| serde_json::json!({"name": name, "description": description}))
                .collect();
            serde_json::json!({
                "name": query.name,
                "summary": query.summary(),
                "parameters": parameters,
                "url": format!("/queries/{}", query.name),
            })
        })
        .collect();
    let body = serde_json::to_vec_pretty(&serde_json::json!({ "queries": queries })).unwrap_or_default();
    Response::new(200, "application/json", body)
}

/// `/queries/NAME`: runs a named query.
pub fn run(request: &Request, context: &Context, connection: &TcpStream, name: &str) -> Response {
    if !matches!(request.method.as_str(), "GET" | "HEAD") {
        return Response::text(405, "a named query is run by GET").with_header("Allow", "GET, HEAD");
    }
    let named = match NamedQuery::find(name) {
        Ok(named) => named,
        Err(error) => return sparql::error_response(&error),
    };
    let declared = named.parameters();
    let snapshot = context.source.snapshot();
    let mut bindings = Vec::new();
    let mut format = None;
    let mut limit = None;
    for (param, value) in request.params() {
        match param.as_str() {
            "format" => format = Some(value),
            "limit" => match value.parse::<usize>() {
                Ok(n) => limit = Some(n),
                Err(_) => return Response::text(400, format!("limit {value:?}: expected a number of rows")),
            },
            _ if value.is_empty() => {}
            _ if declared.iter().any(|(n, _)| *n == param) => {
                let Ok(variable) = oxigraph::sparql::Variable::new(&param) else {
                    return Response::text(400, format!("{param:?} is not a variable name"));
                };
                match query::bind_value(&value, &snapshot.store, &snapshot.bases) {
                    Ok(term) => bindings.push((variable, term)),
                    Err(error) => return sparql::error_response(&error),
                }
            }
            _ => {
                let names: Vec<&str> = declared.iter().map(|(n, _)| *n).collect();
                return Response::text(
                    400,
                    format!(
                        "{}: no parameter {param:?}; it takes {} (and format, limit)",
                        named.name,
                        if names.is_empty() {
                            "none".to_owned()
                        } else {
                            names.join(", ")
                        }
                    ),
                );
            }
        }
    }
    drop(snapshot);
    let job = Job {
        prepared: Prepared {
            text: named.text.to_owned(),
            origin: format!("queries/{}.rq", named.name),
            bindings,
            limit,
            explain: None,
        },
        evaluation: Evaluation::default(),
        format,
    };
    sparql::run(request, context, connection, job)
}
