//! Content negotiation: which results or RDF format a response is written in, from the
//! request's `Accept` header (with its q-values) or a `?format=` parameter, which wins.
//! Nothing acceptable is `406` with the list of what the endpoint can write.

use oxigraph::io::RdfFormat;
use oxigraph::sparql::results::QueryResultsFormat;

use crate::export::parse_format;

/// The kind of result a query gives, which decides the formats that fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// SELECT and ASK: the W3C results formats.
    Solutions,
    /// CONSTRUCT and DESCRIBE, and Graph Store reads: RDF formats.
    Graph,
    /// A Graph Store read of the whole dataset: RDF formats that carry graph names.
    Dataset,
}

/// A negotiated format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Results(QueryResultsFormat),
    Rdf(RdfFormat),
}

impl Format {
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Results(QueryResultsFormat::Json) => "application/sparql-results+json",
            Self::Results(QueryResultsFormat::Xml) => "application/sparql-results+xml",
            Self::Results(QueryResultsFormat::Csv) => "text/csv; charset=utf-8",
            Self::Results(QueryResultsFormat::Tsv) => "text/tab-separated-values; charset=utf-8",
            Self::Results(_) => "application/octet-stream",
            Self::Rdf(RdfFormat::Turtle) => "text/turtle; charset=utf-8",
            Self::Rdf(format) => format.media_type(),
        }
    }
}

const RESULTS: [(QueryResultsFormat, &[&str]); 4] = [
    (
        QueryResultsFormat::Json,
        &["application/sparql-results+json", "application/json"],
    ),
    (
        QueryResultsFormat::Xml,
        &["application/sparql-results+xml", "application/xml", "text/xml"],
    ),
    (QueryResultsFormat::Csv, &["text/csv"]),
    (QueryResultsFormat::Tsv, &["text/tab-separated-values"]),
];

fn rdf_formats(kind: Kind) -> Vec<(RdfFormat, Vec<&'static str>)> {
    let jsonld = RdfFormat::JsonLd {
        profile: oxigraph::io::JsonLdProfileSet::empty(),
    };
    let graph = [
        RdfFormat::Turtle,
        RdfFormat::NTriples,
        RdfFormat::RdfXml,
        jsonld,
        RdfFormat::NQuads,
        RdfFormat::TriG,
    ];
    let dataset = [RdfFormat::TriG, RdfFormat::NQuads, jsonld];
    let formats: &[RdfFormat] = if kind == Kind::Dataset { &dataset } else { &graph };
    formats
        .iter()
        .map(|f| {
            let mut types = vec![f.media_type()];
            match f {
                RdfFormat::Turtle => types.push("application/x-turtle"),
                RdfFormat::NTriples => types.push("text/plain"),
                RdfFormat::JsonLd { .. } => types.push("application/json"),
                _ => {}
            }
            (*f, types)
        })
        .collect()
}

/// The format for a result of `kind`: by `format` (a name: json, xml, csv, tsv, or an RDF
/// format's), else by `accept`; `Err` is the `406` message.
pub fn choose(kind: Kind, accept: Option<&str>, format: Option<&str>) -> Result<Format, String> {
    let offered: Vec<(Format, Vec<&str>)> = match kind {
        Kind::Solutions => RESULTS
            .iter()
            .map(|(f, types)| (Format::Results(*f), types.to_vec()))
            .collect(),
        Kind::Graph | Kind::Dataset => rdf_formats(kind)
            .into_iter()
            .map(|(f, types)| (Format::Rdf(f), types))
            .collect(),
    };
    let names = || offered.iter().map(|(_, types)| types[0]).collect::<Vec<_>>().join(", ");
    if let Some(name) = format.filter(|f| !f.is_empty()) {
        let by_name = match (kind, name.to_ascii_lowercase().as_str()) {
            (Kind::Solutions, "json") => Some(Format::Results(QueryResultsFormat::Json)),
            (Kind::Solutions, "xml") => Some(Format::Results(QueryResultsFormat::Xml)),
            (Kind::Solutions, "csv") => Some(Format::Results(QueryResultsFormat::Csv)),
            (Kind::Solutions, "tsv") => Some(Format::Results(QueryResultsFormat::Tsv)),
            (Kind::Solutions, _) => None,
            (_, lower) => parse_format(lower).map(Format::Rdf),
        };
        let by_type = offered
            .iter()
            .find(|(_, types)| types.iter().any(|t| t.eq_ignore_ascii_case(name)))
            .map(|(f, _)| *f);
        return by_name
            .or(by_type)
            .filter(|f| offered.iter().any(|(o, _)| o == f))
            .ok_or_else(|| {
                format!(
                    "format {name:?} does not fit this result; this endpoint writes {}",
                    names()
                )
            });
    }
    let ranges = parse_accept(accept.unwrap_or("*/*"));
    // The best quality, then the range's order in the header, then the server's order.
    let mut best: Option<(f32, usize, usize, Format)> = None;
    for (offer_rank, (format, types)) in offered.iter().enumerate() {
        for (range_rank, (range, quality)) in ranges.iter().enumerate() {
            // A wildcard matches a format by its own media type, not by its aliases.
            let matches = if range.contains('*') {
                media_matches(range, types[0])
            } else {
                types.iter().any(|t| media_matches(range, t))
            };
            if !matches || *quality <= 0.0 {
                continue;
            }
            let specific = usize::from(range.contains('*'));
            let candidate = (*quality, range_rank + specific * 1000, offer_rank, *format);
            let better = best.as_ref().is_none_or(|(q, r, o, _)| {
                (candidate.0 > *q) || (candidate.0 == *q && (candidate.1, candidate.2) < (*r, *o))
            });
            if better {
                best = Some(candidate);
            }
        }
    }
    best.map(|(_, _, _, f)| f).ok_or_else(|| {
        format!(
            "none of the media types in Accept: {} fits this result; this endpoint writes {}",
            accept.unwrap_or_default(),
            names()
        )
    })
}

/// `Accept`'s media ranges and their q-values, lowercased.
fn parse_accept(accept: &str) -> Vec<(String, f32)> {
    accept
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let range = pieces.next()?.trim().to_ascii_lowercase();
            if range.is_empty() {
                return None;
            }
            let quality = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            Some((range, quality))
        })
        .collect()
}

fn media_matches(range: &str, media_type: &str) -> bool {
    if range == "*/*" || range == "*" {
        return true;
    }
    match range.strip_suffix("/*") {
        Some(top) => media_type.split('/').next() == Some(top),
        None => range == media_type,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers_pick_the_best_format() {
        let json = Format::Results(QueryResultsFormat::Json);
        let csv = Format::Results(QueryResultsFormat::Csv);
        assert_eq!(choose(Kind::Solutions, None, None), Ok(json));
        assert_eq!(choose(Kind::Solutions, Some("text/csv"), None), Ok(csv));
        assert_eq!(
            choose(
                Kind::Solutions,
                Some("application/sparql-results+json;q=0.5, text/csv"),
                None
            ),
            Ok(csv)
        );
        assert_eq!(choose(Kind::Solutions, Some("text/*"), None), Ok(csv));
        assert_eq!(choose(Kind::Solutions, Some("text/html, */*;q=0.1"), None), Ok(json));
        assert!(choose(Kind::Solutions, Some("image/png"), None).is_err());
        assert!(choose(Kind::Solutions, Some("text/csv;q=0"), None).is_err());
        assert_eq!(choose(Kind::Solutions, Some("image/png"), Some("csv")), Ok(csv));
        assert!(choose(Kind::Solutions, None, Some("turtle")).is_err());
        assert_eq!(
            choose(Kind::Graph, Some("application/n-triples"), None),
            Ok(Format::Rdf(RdfFormat::NTriples))
        );
        assert_eq!(choose(Kind::Graph, None, None), Ok(Format::Rdf(RdfFormat::Turtle)));
        assert_eq!(choose(Kind::Dataset, None, None), Ok(Format::Rdf(RdfFormat::TriG)));
        assert!(choose(Kind::Dataset, None, Some("turtle")).is_err());
    }
}
