//! RDF serialisation: every format of the contract, sorted so that the same graph always
//! gives the same bytes.
//!
//! Triples are sorted by subject, with `rdf:type` first and then by predicate and
//! object; Turtle and TriG declare only the prefixes they use and leave a blank line
//! between subject blocks, which keeps diffs of a knowledge base small.

use std::io::Write;
use std::path::Path;

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphNameRef, Term, TermRef, Triple};

use crate::error::{Error, Result};

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

/// Writes `triples` (in the default graph) sorted and deduplicated. `prefixes` are the
/// candidates; Turtle and TriG declare the ones they use.
pub fn write_sorted(
    mut triples: Vec<Triple>,
    format: RdfFormat,
    prefixes: &[(String, String)],
    out: &mut dyn Write,
) -> Result<()> {
    sort(&mut triples);
    let mut serializer = RdfSerializer::from_format(format);
    let prose = matches!(format, RdfFormat::Turtle | RdfFormat::TriG);
    let mut tracker = PrefixTracker::new(prefixes);
    if prose || matches!(format, RdfFormat::RdfXml) {
        for triple in &triples {
            tracker.note(triple);
        }
        for (prefix, namespace) in tracker.used() {
            serializer = serializer
                .with_prefix(prefix, namespace)
                .map_err(|e| Error::Usage(format!("prefix {prefix}: {e}")))?;
        }
    }
    if prose {
        write_prelude(&tracker.used(), out).map_err(|e| Error::io(crate::output::UNNAMED, e))?;
        let mut blocks = Blocks::new(out);
        serialize(serializer, &triples, &mut blocks)?;
        blocks.flush().map_err(|e| Error::io(crate::output::UNNAMED, e))
    } else {
        serialize(serializer, &triples, out)
    }
}

fn serialize(serializer: RdfSerializer, triples: &[Triple], out: &mut dyn Write) -> Result<()> {
    let mut writer = serializer.for_writer(out);
    for triple in triples {
        writer
            .serialize_quad(triple.as_ref().in_graph(GraphNameRef::DefaultGraph))
            .map_err(|e| Error::io(crate::output::UNNAMED, e))?;
    }
    writer.finish().map_err(|e| Error::io(crate::output::UNNAMED, e))?;
    Ok(())
}

/// Sorts triples into the canonical order and drops repeats.
pub fn sort(triples: &mut Vec<Triple>) {
    triples.sort_unstable_by(|a, b| {
        let not_type = |t: &Triple| t.predicate.as_ref() != rdf::TYPE;
        (subject_key(a), not_type(a), a.predicate.as_str(), term_key(&a.object)).cmp(&(
            subject_key(b),
            not_type(b),
            b.predicate.as_str(),
            term_key(&b.object),
        ))
    });
    triples.dedup();
}

/// IRIs sort by their text (so `x` comes before `x-y`), blank nodes after them.
fn subject_key(triple: &Triple) -> (u8, &str) {
    match &triple.subject {
        oxigraph::model::NamedOrBlankNode::NamedNode(n) => (0, n.as_str()),
        oxigraph::model::NamedOrBlankNode::BlankNode(b) => (1, b.as_str()),
    }
}

/// IRIs, then blank nodes, then literals by text, language and datatype.
fn term_key(term: &Term) -> (u8, &str, &str, &str) {
    match term {
        Term::NamedNode(n) => (0, n.as_str(), "", ""),
        Term::BlankNode(b) => (1, b.as_str(), "", ""),
        Term::Literal(l) => (2, l.value(), l.language().unwrap_or(""), l.datatype().as_str()),
        #[expect(unreachable_patterns, reason = "triple terms exist only with the rdf-12 feature")]
        _ => (3, "", "", ""),
    }
}

/// Finds the prefixes Turtle output uses, triple by triple: for each IRI, the first
/// candidate whose namespace starts it with a local name Turtle can write, trying the
/// longest namespace first as oxttl does.
#[derive(Debug)]
pub struct PrefixTracker<'a> {
    candidates: Vec<(&'a str, &'a str)>,
    used: Vec<bool>,
    /// The candidate that matched last: IRIs come in runs of one namespace.
    last: Option<usize>,
}

impl<'a> PrefixTracker<'a> {
    pub fn new(candidates: &'a [(String, String)]) -> Self {
        let mut candidates: Vec<(&str, &str)> = candidates.iter().map(|(p, n)| (p.as_str(), n.as_str())).collect();
        candidates.sort_by_key(|(_, namespace)| std::cmp::Reverse(namespace.len()));
        Self {
            used: vec![false; candidates.len()],
            candidates,
            last: None,
        }
    }

    fn note_iri(&mut self, iri: &str) {
        let matches = |(_, namespace): &(&str, &str)| iri.strip_prefix(namespace).is_some_and(is_writable_local_name);
        if let Some(last) = self.last
            && matches(&self.candidates[last])
            && self.candidates[..last].iter().all(|c| !iri.starts_with(c.1))
        {
            return;
        }
        if let Some(i) = self.candidates.iter().position(matches) {
            self.used[i] = true;
            self.last = Some(i);
        }
    }

    /// Notes the IRIs of a triple that Turtle would abbreviate.
    pub fn note(&mut self, triple: &Triple) {
        if let oxigraph::model::NamedOrBlankNode::NamedNode(s) = &triple.subject {
            self.note_iri(s.as_str());
        }
        if triple.predicate.as_ref() != rdf::TYPE {
            self.note_iri(triple.predicate.as_str());
        }
        match triple.object.as_ref() {
            TermRef::NamedNode(o) => self.note_iri(o.as_str()),
            TermRef::Literal(l) => {
                let datatype = l.datatype();
                let plain = l.language().is_some() || datatype == oxigraph::model::vocab::xsd::STRING;
                // oxttl writes these bare when their text allows.
                let value = l.value();
                let digits = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
                let unsigned = value.strip_prefix(['-', '+']).unwrap_or(value);
                let inline = match datatype.as_str() {
                    "http://www.w3.org/2001/XMLSchema#decimal" => unsigned
                        .split_once('.')
                        .is_some_and(|(i, f)| (i.is_empty() || digits(i)) && digits(f)),
                    "http://www.w3.org/2001/XMLSchema#integer" => digits(unsigned),
                    "http://www.w3.org/2001/XMLSchema#boolean" => matches!(value, "true" | "false"),
                    _ => false,
                };
                if !plain && !inline {
                    self.note_iri(datatype.as_str());
                }
            }
            _ => {}
        }
    }

    /// The prefixes used, by name.
    pub fn used(&self) -> Vec<(&'a str, &'a str)> {
        let mut used: Vec<(&str, &str)> = self
            .candidates
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| **used)
            .map(|(c, _)| *c)
            .collect();
        used.sort_unstable();
        used
    }
}

/// Writes the `@prefix` lines and the blank line after them.
pub fn write_prelude(prefixes: &[(&str, &str)], out: &mut dyn Write) -> std::io::Result<()> {
    for (prefix, namespace) in prefixes {
        writeln!(out, "@prefix {prefix}: <{namespace}> .")?;
    }
    if !prefixes.is_empty() {
        writeln!(out)?;
    }
    Ok(())
}

/// Takes oxttl's Turtle and drops its prelude (the caller writes its own, of the prefixes
/// used, by name) and leaves a blank line between subject blocks. Literals never span
/// lines in oxttl's output, so a line ending in ` .` always closes a block.
#[derive(Debug)]
pub struct Blocks<W: Write> {
    inner: W,
    line: Vec<u8>,
    after_block: bool,
}

impl<W: Write> Blocks<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            line: Vec::with_capacity(256),
            after_block: false,
        }
    }

    fn line_done(&mut self) -> std::io::Result<()> {
        if self.line.starts_with(b"@prefix") || self.line.starts_with(b"@base") {
            self.line.clear();
            return Ok(());
        }
        if self.after_block {
            self.inner.write_all(b"\n")?;
        }
        self.inner.write_all(&self.line)?;
        self.after_block = self.line.ends_with(b" .\n");
        self.line.clear();
        Ok(())
    }
}

impl<W: Write> Write for Blocks<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            self.line.extend_from_slice(&rest[..=end]);
            self.line_done()?;
            rest = &rest[end + 1..];
        }
        self.line.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.line.is_empty() {
            self.line_done()?;
        }
        self.inner.flush()
    }
}

/// Whether oxttl can write `local` after a prefix (PN_LOCAL, with `\` escapes).
fn is_writable_local_name(local: &str) -> bool {
    let escapable = |c: char| "_~.-!$&'()*+,;=/?#@%".contains(c);
    let mut chars = local.chars().peekable();
    let Some(first) = chars.next() else {
        return true;
    };
    if !(is_pn_chars_u(first) || first == ':' || first.is_ascii_digit() || escapable(first)) {
        return false;
    }
    while let Some(c) = chars.next() {
        let last = chars.peek().is_none();
        if !(is_pn_chars(c) || c == ':' || (c == '.' && !last) || escapable(c)) {
            return false;
        }
    }
    true
}

fn is_pn_chars_base(c: char) -> bool {
    matches!(c,
        'A'..='Z' | 'a'..='z' | '\u{00C0}'..='\u{00D6}' | '\u{00D8}'..='\u{00F6}' | '\u{00F8}'..='\u{02FF}'
        | '\u{0370}'..='\u{037D}' | '\u{037F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}'
        | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

fn is_pn_chars_u(c: char) -> bool {
    is_pn_chars_base(c) || c == '_'
}

fn is_pn_chars(c: char) -> bool {
    is_pn_chars_u(c) || matches!(c, '-' | '0'..='9' | '\u{00B7}' | '\u{0300}'..='\u{036F}' | '\u{203F}'..='\u{2040}')
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn local_names_follow_turtle() {
        assert!(is_writable_local_name("Q7747"));
        assert!(is_writable_local_name("south-korea"));
        assert!(is_writable_local_name("a%20b"));
        assert!(!is_writable_local_name("a b"));
        assert!(!is_writable_local_name("a\"b"));
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
