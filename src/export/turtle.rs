//! Turtle and TriG as saidgraph writes them, sorted or streamed alike: a prelude of the
//! prefixes the triples use ([`PrefixTracker`], [`write_prelude`]), then oxttl's output
//! through [`Blocks`], which drops oxttl's own prelude and leaves a blank line between
//! subject blocks. [`BlockWriter`] is the one writer of that body that both paths feed.

use std::io::{self, Write};

use oxigraph::io::{RdfSerializer, WriterQuadSerializer};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphNameRef, NamedOrBlankNodeRef, TermRef, Triple, TripleRef};

#[cfg(doc)]
use super::with_prefixes;
use super::write_triples;

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

    /// Notes the IRIs of a triple that Turtle would abbreviate, those inside triple terms
    /// (RDF 1.2's reifiers) included.
    pub fn note(&mut self, triple: &Triple) {
        self.note_triple(triple.as_ref(), true);
    }

    /// `top`: a triple of the graph, whose `rdf:type` oxttl writes `a`; inside a triple
    /// term it writes `rdf:type`.
    fn note_triple(&mut self, triple: TripleRef<'_>, top: bool) {
        if let NamedOrBlankNodeRef::NamedNode(s) = triple.subject {
            self.note_iri(s.as_str());
        }
        if !top || triple.predicate != rdf::TYPE {
            self.note_iri(triple.predicate.as_str());
        }
        match triple.object {
            TermRef::NamedNode(o) => self.note_iri(o.as_str()),
            TermRef::Literal(l) => {
                let datatype = l.datatype();
                let plain = l.language().is_some() || datatype == xsd::STRING;
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
            TermRef::Triple(inner) => self.note_triple(inner.as_ref(), false),
            TermRef::BlankNode(_) => {}
        }
    }

    /// Adds what `other`, a tracker of the same candidates, found used.
    pub fn merge(&mut self, other: &Self) {
        for (used, other) in self.used.iter_mut().zip(&other.used) {
            *used |= *other;
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
pub fn write_prelude(prefixes: &[(&str, &str)], out: &mut dyn Write) -> io::Result<()> {
    for (prefix, namespace) in prefixes {
        writeln!(out, "@prefix {prefix}: <{namespace}> .")?;
    }
    if !prefixes.is_empty() {
        writeln!(out)?;
    }
    Ok(())
}

/// The body of Turtle or TriG output, after the prelude: oxttl, knowing the prefixes,
/// writes into [`Blocks`]. The sorted output feeds it the whole sorted graph, the
/// streamed output each batch as it comes, so the two are written alike by construction.
pub struct BlockWriter<W: Write> {
    writer: WriterQuadSerializer<Blocks<W>>,
}

impl<W: Write> std::fmt::Debug for BlockWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockWriter").finish_non_exhaustive()
    }
}

impl<W: Write> BlockWriter<W> {
    /// `serializer` is Turtle's or TriG's, with the prefixes declared ([`with_prefixes`]).
    pub fn new(serializer: RdfSerializer, out: W) -> Self {
        Self {
            writer: serializer.for_writer(Blocks::new(out)),
        }
    }

    /// Writes `triples`, in the default graph.
    pub fn write(&mut self, triples: &[Triple]) -> io::Result<()> {
        write_triples(&mut self.writer, triples)
    }

    /// Writes `triples` in the graph `graph` (TriG).
    pub fn write_in_graph(&mut self, triples: &[Triple], graph: GraphNameRef<'_>) -> io::Result<()> {
        for triple in triples {
            self.writer.serialize_quad(triple.as_ref().in_graph(graph))?;
        }
        Ok(())
    }

    /// Ends the body, flushed, and gives back what it was written to.
    pub fn finish(self) -> io::Result<W> {
        let mut blocks = self.writer.finish()?;
        blocks.flush()?;
        Ok(blocks.inner)
    }
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

    fn line_done(&mut self) -> io::Result<()> {
        if self.line.starts_with(b"@prefix") || self.line.starts_with(b"@base") {
            self.line.clear();
            return Ok(());
        }
        // TriG: a graph's closing brace follows its last block directly.
        if self.after_block && !self.line.starts_with(b"}") {
            self.inner.write_all(b"\n")?;
        }
        self.inner.write_all(&self.line)?;
        self.after_block = self.line.ends_with(b" .\n") || self.line == b"}\n";
        self.line.clear();
        Ok(())
    }
}

impl<W: Write> Write for Blocks<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            self.line.extend_from_slice(&rest[..=end]);
            self.line_done()?;
            rest = &rest[end + 1..];
        }
        self.line.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
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

    /// The IRIs inside a triple term are abbreviated too, `rdf:type` there among them
    /// (oxttl writes `a` only as a triple's own predicate).
    #[test]
    fn prefixes_inside_triple_terms_are_noted() {
        let iri = |s: &str| oxigraph::model::NamedNode::new_unchecked(s);
        let candidates = vec![
            ("e".to_owned(), "http://e.org/".to_owned()),
            (
                "rdf".to_owned(),
                "http://www.w3.org/1999/02/22-rdf-syntax-ns#".to_owned(),
            ),
            ("x".to_owned(), "http://x.org/".to_owned()),
        ];
        let inner = Triple::new(iri("http://x.org/a"), rdf::TYPE, iri("http://x.org/B"));
        let mut tracker = PrefixTracker::new(&candidates);
        tracker.note(&Triple::new(
            iri("http://e.org/r"),
            iri("http://e.org/reifies"),
            oxigraph::model::Term::Triple(Box::new(inner)),
        ));
        let used: Vec<&str> = tracker.used().into_iter().map(|(p, _)| p).collect();
        assert_eq!(used, ["e", "rdf", "x"]);
    }

    #[test]
    fn local_names_follow_turtle() {
        assert!(is_writable_local_name("Q7747"));
        assert!(is_writable_local_name("south-korea"));
        assert!(is_writable_local_name("a%20b"));
        assert!(!is_writable_local_name("a b"));
        assert!(!is_writable_local_name("a\"b"));
    }
}
