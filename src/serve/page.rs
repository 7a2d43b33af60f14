//! The page for people: `/` (the named queries as forms, a SPARQL editor, results as
//! tables with downloads), `/entity/ID` (one entity: who it is, what it said, what others
//! said to or about it), its assets, and two small JSON feeds the page reads: `/meta`
//! (bases, prefixes, limits) and `/entities?q=` (the entity pickers, from the store's
//! labels). The binary carries every asset (`include_str!`), and a Content-Security-Policy
//! of `'self'` forbids the page any request off the server.

use oxigraph::model::{NamedNodeRef, NamedOrBlankNode, Term};

use crate::resolve::mint;
use crate::terms::RecordKind;
use crate::vocab::std_terms;

use super::Context;
use super::http::{Request, Response};

const PAGE: &str = include_str!("assets/page.html");
const STYLE: &str = include_str!("assets/page.css");
const SCRIPT: &str = include_str!("assets/page.js");

/// What the page may load: this server, nothing else.
const POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                      connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The most entities `/entities` answers with.
const MAX_MATCHES: usize = 30;

/// Everything not under `/sparql`, `/store` or `/queries`.
pub fn serve(request: &Request, context: &Context, path: &str) -> Response {
    if !matches!(request.method.as_str(), "GET" | "HEAD") {
        return Response::text(405, "pages answer GET and HEAD").with_header("Allow", "GET, HEAD");
    }
    match path {
        "/" | "/index.html" => html(PAGE),
        "/assets/page.css" => asset("text/css; charset=utf-8", STYLE),
        "/assets/page.js" => asset("text/javascript; charset=utf-8", SCRIPT),
        "/meta" => meta(context),
        "/entities" => entities(request, context),
        _ if path.starts_with("/entity/") => entity(context, &path["/entity/".len()..]),
        _ => Response::text(
            404,
            format!("no page {path}; the page is at /, the SPARQL endpoint at /sparql"),
        ),
    }
}

/// An HTML page with the server's Content-Security-Policy and safety headers.
pub fn html(text: &str) -> Response {
    Response::new(200, "text/html; charset=utf-8", text)
        .with_header("Content-Security-Policy", POLICY)
        .with_header("X-Content-Type-Options", "nosniff")
        .with_header("Referrer-Policy", "no-referrer")
}

fn asset(content_type: &str, text: &str) -> Response {
    Response::new(200, content_type, text)
        .with_header("Cache-Control", "max-age=300")
        .with_header("X-Content-Type-Options", "nosniff")
}

/// `/entity/ID`: the page, which reads the entity's rows itself; `404` for an id the
/// store does not know.
fn entity(context: &Context, segment: &str) -> Response {
    let id: String = percent_decode(segment);
    let snapshot = context.source.snapshot();
    let known = snapshot
        .bases
        .iter()
        .any(|base| snapshot.store.has_subject(mint(base, RecordKind::Entity, &id).as_ref()));
    if known {
        html(PAGE)
    } else {
        Response::text(404, format!("no entity {id:?} in this store"))
    }
}

/// `/meta`: what the page needs to know of the store and the server.
fn meta(context: &Context) -> Response {
    let snapshot = context.source.snapshot();
    let prefixes: serde_json::Map<String, serde_json::Value> = snapshot
        .prefixes
        .iter()
        .map(|(p, n)| (p.clone(), serde_json::Value::from(n.as_str())))
        .collect();
    let body = serde_json::json!({
        "bases": snapshot.bases,
        "prefixes": prefixes,
        "maxResults": context.options.max_results,
        "timeoutSeconds": context.options.timeout.as_secs_f64(),
    });
    Response::new(200, "application/json", body.to_string())
}

/// `/entities?q=TEXT`: entities whose label contains the text (any case), at most
/// [`MAX_MATCHES`], as `{"id", "label", "iri"}`.
fn entities(request: &Request, context: &Context) -> Response {
    let params = request.params();
    let wanted = params
        .iter()
        .find(|(n, _)| n == "q")
        .map(|(_, v)| v.to_lowercase())
        .unwrap_or_default();
    let snapshot = context.source.snapshot();
    let deadline = std::time::Instant::now() + context.options.timeout.min(std::time::Duration::from_secs(2));
    let mut found = Vec::new();
    let labels = snapshot
        .store
        .store()
        .quads_for_pattern(None, Some(std_terms::RDFS_LABEL), None, None);
    for (i, quad) in labels.enumerate() {
        if found.len() >= MAX_MATCHES || (i % 4096 == 0 && std::time::Instant::now() > deadline) {
            break;
        }
        let Ok(quad) = quad else { break };
        let (NamedOrBlankNode::NamedNode(iri), Term::Literal(label)) = (&quad.subject, &quad.object) else {
            continue;
        };
        let Some(id) = entity_id(iri.as_ref(), &snapshot.bases) else {
            continue;
        };
        if label.value().to_lowercase().contains(&wanted) && !found.iter().any(|(i, _, _): &(String, _, _)| *i == id) {
            found.push((id, label.value().to_owned(), iri.as_str().to_owned()));
        }
    }
    found.sort_by_key(|a| a.1.to_lowercase());
    let body: Vec<serde_json::Value> = found
        .into_iter()
        .map(|(id, label, iri)| serde_json::json!({"id": id, "label": label, "iri": iri}))
        .collect();
    Response::new(200, "application/json", serde_json::Value::from(body).to_string()).with_header("Vary", "Accept")
}

/// The id of an entity IRI minted from one of `bases`.
fn entity_id(iri: NamedNodeRef<'_>, bases: &[String]) -> Option<String> {
    bases.iter().find_map(|base| {
        let prefix = mint(base, RecordKind::Entity, "").into_string();
        iri.as_str().strip_prefix(prefix.as_str()).map(percent_decode)
    })
}

/// `%XX` escapes decoded (as UTF-8, lossily).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_back_from_their_iris() {
        let bases = ["https://kb.example.org/".to_owned()];
        let iri = mint(&bases[0], RecordKind::Entity, "kim jong-un/é");
        assert_eq!(entity_id(iri.as_ref(), &bases).as_deref(), Some("kim jong-un/é"));
        assert_eq!(percent_decode("a%2Fb%zz"), "a/b%zz");
    }
}
