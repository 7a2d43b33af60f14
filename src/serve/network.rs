//! The network view: `/network` (the page of `saidgraph network -f html`, drawn by the
//! same script from the same JSON, which this page embeds), `/network.json` (that JSON
//! document, [`network::to_json`]) and the page's scripts and style, served from the
//! binary: Cytoscape.js as vendored, with its licence, and the network page's own script
//! unchanged. Both routes take the command line's filters as parameters (`from`, `to`,
//! `topic`, `act`, `speaker`, `dataset`, each repeatable where the flag is, `min-weight`,
//! `top`), checked by the network module exactly as the flags are, so a bad value is a
//! `400` naming it. The network is built within the server's bounds, like a query: a slot
//! among `--max-concurrent`, and `--timeout` or a client hanging up stop its queries.

use std::net::TcpStream;

use crate::network::{self, NetworkOptions};

use super::Context;
use super::bounds;
use super::http::{Request, Response};
use super::page;

/// The bar above the network page: the server's links and the form of its filters.
const BAR: &str = include_str!("assets/network.html");

/// What the page's head loads in place of the inline style. The stylesheet's id tells
/// Cytoscape.js its container rule is there, so that it injects no `<style>` of its own,
/// which the Content-Security-Policy would refuse; the empty icon spares a `/favicon.ico`.
const HEAD: &str = "<link rel=\"icon\" href=\"data:,\">\n\
<link rel=\"stylesheet\" id=\"__________cytoscape_stylesheet\" href=\"/assets/network.css\">\n";

/// The scripts, after the data, in place of the inline ones.
const SCRIPTS: &str =
    "<script src=\"/assets/cytoscape.min.js\"></script>\n<script src=\"/assets/network.js\"></script>\n";
/// What the server's network page adds to the network page's style.
const EXTRA_STYLE: &str = include_str!("assets/network.css");

/// The vendored scripts change only with the binary: a day's cache, revalidated by name.
const LONG_CACHE: &str = "public, max-age=86400";

/// The parameters the network routes take.
const PARAMETERS: &str = "from, to, topic, act, speaker, dataset, min-weight, top";

/// Whether `path` is one of this module's.
pub fn owns(path: &str) -> bool {
    matches!(
        path,
        "/network"
            | "/network.json"
            | "/assets/cytoscape.min.js"
            | "/assets/cytoscape.LICENSE.txt"
            | "/assets/network.js"
            | "/assets/network.css"
    )
}

/// Answers one of the paths [`owns`] says are this module's.
pub fn serve(request: &Request, context: &Context, connection: &TcpStream) -> Response {
    if !matches!(request.method.as_str(), "GET" | "HEAD") {
        return Response::text(405, "the network answers GET and HEAD").with_header("Allow", "GET, HEAD");
    }
    match request.path.as_str() {
        "/assets/cytoscape.min.js" => script(network::CYTOSCAPE),
        "/assets/network.js" => script(network::PAGE_SCRIPT),
        "/assets/cytoscape.LICENSE.txt" => Response::new(200, "text/plain; charset=utf-8", network::CYTOSCAPE_LICENSE)
            .with_header("Cache-Control", LONG_CACHE),
        "/assets/network.css" => Response::new(
            200,
            "text/css; charset=utf-8",
            format!("{}{EXTRA_STYLE}", network::PAGE_STYLE),
        )
        .with_header("Cache-Control", LONG_CACHE)
        .with_header("X-Content-Type-Options", "nosniff"),
        "/network.json" => json(request, context, connection),
        _ => page(request, context, connection),
    }
}

fn script(text: &'static str) -> Response {
    Response::new(200, "text/javascript; charset=utf-8", text)
        .with_header("Cache-Control", LONG_CACHE)
        .with_header("X-Content-Type-Options", "nosniff")
}

/// The filters of a request, as `saidgraph network` reads its flags; empty values are
/// unset, as a form leaves them. `top` is `None` when not given (and `0` keeps all).
fn options(request: &Request) -> Result<(NetworkOptions, Option<usize>), Response> {
    let mut options = NetworkOptions {
        min_weight: 1,
        ..NetworkOptions::default()
    };
    let mut top = None;
    for (name, value) in request.params() {
        if value.is_empty() {
            continue;
        }
        let number = |what: &str| Response::text(400, format!("{name} {value:?}: expected {what}, as --{name} takes"));
        match name.as_str() {
            "from" => options.from = Some(value),
            "to" => options.to = Some(value),
            "topic" => options.topics.push(value),
            "act" => options.acts.push(value),
            "speaker" => options.speakers.push(value),
            "dataset" => options.datasets.push(value),
            "min-weight" => options.min_weight = value.parse().map_err(|_| number("a whole number of statements"))?,
            "top" => top = Some(value.parse().map_err(|_| number("a whole number of edges"))?),
            _ => {
                return Err(Response::text(
                    400,
                    format!("the network has no parameter {name:?}; it takes {PARAMETERS}"),
                ));
            }
        }
    }
    Ok((options, top))
}

/// Builds the network within the server's bounds; `default_top` applies when the request
/// gives no `top` (`top=0` keeps every edge).
fn build(
    request: &Request,
    context: &Context,
    connection: &TcpStream,
    default_top: Option<usize>,
) -> Result<(network::Network, NetworkOptions, Option<usize>), Response> {
    let (mut options, top) = options(request)?;
    options.top = match top {
        Some(0) => None,
        None => default_top,
        given => given,
    };
    let asked = options.clone();
    let (drawn, _) = bounds::bounded(context, connection, move |snapshot, token| {
        network::build_cancellable(&snapshot.store, &snapshot.bases, &options, Some(&token))
    })?;
    Ok((drawn, asked, top))
}

/// `/network.json`: the document the page draws; every edge unless `top` is given.
fn json(request: &Request, context: &Context, connection: &TcpStream) -> Response {
    match build(request, context, connection, None) {
        Ok((drawn, _, _)) => {
            let rows = drawn.edges.len();
            let mut response = Response::new(200, "application/json", network::to_json(&drawn).to_string());
            response.rows = Some(rows);
            response
        }
        Err(response) => response,
    }
}

/// `/network`: the page, with the network embedded as `saidgraph network -f html` embeds
/// it; the heaviest [`network::DEFAULT_PICTURE_TOP`] edges unless `top` says otherwise.
fn page(request: &Request, context: &Context, connection: &TcpStream) -> Response {
    let (drawn, asked, top) = match build(request, context, connection, Some(network::DEFAULT_PICTURE_TOP)) {
        Ok(built) => built,
        Err(response) => return response,
    };
    let json_link = if request.query.is_empty() {
        "/network.json".to_owned()
    } else {
        format!("/network.json?{}", request.query)
    };
    // One field per value given (ids may hold spaces), and the filters the form has no
    // field for kept as hidden ones, so that redrawing keeps them.
    let fields = |name: &str, values: &[String], hint: &str| {
        let one = |value: &str| {
            format!(
                "<input name=\"{name}\" value=\"{}\" placeholder=\"{hint}\" autocomplete=\"off\">",
                attribute(value)
            )
        };
        if values.is_empty() {
            one("")
        } else {
            values.iter().map(|v| one(v)).collect::<Vec<_>>().join(" ")
        }
    };
    let hidden: String = [
        ("from", asked.from.iter().cloned().collect::<Vec<_>>()),
        ("to", asked.to.iter().cloned().collect()),
    ]
    .into_iter()
    .chain([("act", asked.acts.clone()), ("topic", asked.topics.clone())])
    .flat_map(|(name, values)| {
        values.into_iter().map(move |v| {
            format!(
                "  <input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
                attribute(&v)
            )
        })
    })
    .collect();
    let bar = BAR
        .replacen(
            "/*SPEAKERS*/",
            &fields("speaker", &asked.speakers, "an id, e.g. putin"),
            1,
        )
        .replacen(
            "/*DATASETS*/",
            &fields("dataset", &asked.datasets, "a dataset's name"),
            1,
        )
        .replacen("/*HIDDEN*/", &hidden, 1)
        .replacen("/*MIN-WEIGHT*/", &asked.min_weight.to_string(), 1)
        .replacen("/*TOP*/", &top.map(|n| n.to_string()).unwrap_or_default(), 1)
        .replacen("/*JSON*/", &attribute(&json_link), 1);
    let mut response = page::html(&network::page_for_server(&drawn, HEAD, SCRIPTS, &bar));
    response.rows = Some(drawn.edges.len());
    response
}

/// Text safe inside a double-quoted HTML attribute.
fn attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_has_its_placeholders_once_and_attributes_are_escaped() {
        for placeholder in [
            "/*SPEAKERS*/",
            "/*DATASETS*/",
            "/*HIDDEN*/",
            "/*MIN-WEIGHT*/",
            "/*TOP*/",
            "/*JSON*/",
        ] {
            assert_eq!(BAR.matches(placeholder).count(), 1, "{placeholder}");
        }
        assert_eq!(attribute("a\"<b>&"), "a&quot;&lt;b&gt;&amp;");
    }
}
