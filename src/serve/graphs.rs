//! The Graph Store Protocol, for reading, at `/store`: `GET`/`HEAD ?graph=IRI` serves a
//! named graph (a dataset, the ontology, the datasets' metadata), `?default` the data:
//! the union of the datasets, which is what queries see as their default graph beside the
//! ontology (the store's own default graph is empty once data is in datasets), and no
//! parameter the whole store as quads. Writes are `405`.
//!
//! A graph is streamed as it is read, never cut at `--max-results` (a graph is whole or
//! it is not): if `--timeout` passes while it streams, the connection is closed before the
//! last chunk, so that the client sees a broken transfer rather than a short graph.

use std::io::Write;
use std::time::Instant;

use oxigraph::io::RdfSerializer;
use oxigraph::model::{GraphName, NamedNode};

use crate::store::is_data_graph;

use super::Context;
use super::http::{Body, Request, Response};
use super::negotiate::{self, Format, Kind};

/// `/store`.
pub fn store(request: &Request, context: &Context) -> Response {
    if !matches!(request.method.as_str(), "GET" | "HEAD") {
        return Response::text(
            405,
            "the graph store is read-only here: it answers GET and HEAD (load data with `saidgraph load`)",
        )
        .with_header("Allow", "GET, HEAD");
    }
    let params = request.params();
    let graph = params.iter().find(|(n, _)| n == "graph").map(|(_, v)| v.as_str());
    let default = params.iter().any(|(n, _)| n == "default");
    let format = params.iter().find(|(n, _)| n == "format").map(|(_, v)| v.as_str());
    let target = match (graph, default) {
        (Some(_), true) => return Response::text(400, "give ?graph=IRI or ?default, not both"),
        (Some(iri), false) => match NamedNode::new(iri) {
            Ok(iri) => Some(GraphName::NamedNode(iri)),
            Err(e) => return Response::text(400, format!("graph {iri:?}: not an IRI: {e}")),
        },
        (None, true) => Some(GraphName::DefaultGraph),
        (None, false) => None,
    };
    let kind = if target.is_some() { Kind::Graph } else { Kind::Dataset };
    let rdf_format = match negotiate::choose(kind, request.header("accept"), format) {
        Ok(Format::Rdf(format)) => format,
        Ok(Format::Results(_)) => return Response::text(500, "no RDF format negotiated"),
        Err(message) => return Response::text(406, message),
    };
    let snapshot = context.source.snapshot();
    if let Some(GraphName::NamedNode(iri)) = &target {
        match snapshot.store.store().contains_named_graph(iri) {
            Ok(true) => {}
            Ok(false) => return Response::text(404, format!("no graph {iri} in this store")),
            Err(e) => return Response::text(500, e),
        }
    }
    let deadline = Instant::now() + context.options.timeout;
    let prefixes = snapshot.prefixes.clone();
    let write = move |out: &mut dyn Write| -> std::io::Result<bool> {
        let mut serializer = RdfSerializer::from_format(rdf_format);
        for (prefix, namespace) in &prefixes {
            if let Ok(with) = serializer.clone().with_prefix(prefix, namespace) {
                serializer = with;
            }
        }
        let mut writer = serializer.for_writer(out);
        let store = snapshot.store.store();
        // `?default` reads every graph and keeps the data's.
        let union = target == Some(GraphName::DefaultGraph);
        let pattern = target.as_ref().filter(|_| !union).map(GraphName::as_ref);
        let quads = store.quads_for_pattern(None, None, None, pattern);
        for (i, quad) in quads.enumerate() {
            let quad = quad.map_err(std::io::Error::other)?;
            if i % 1024 == 0 && Instant::now() >= deadline {
                return Ok(false);
            }
            if union && !is_data_graph(quad.graph_name.as_ref()) {
                continue;
            }
            if target.is_some() {
                writer.serialize_triple(quad.as_ref())?;
            } else {
                writer.serialize_quad(quad.as_ref())?;
            }
        }
        writer.finish()?;
        Ok(true)
    };
    Response {
        status: 200,
        headers: vec![
            (
                "Content-Type".to_owned(),
                Format::Rdf(rdf_format).media_type().to_owned(),
            ),
            ("Vary".to_owned(), "Accept".to_owned()),
        ],
        body: Body::Stream(Box::new(write)),
        rows: None,
    }
}
