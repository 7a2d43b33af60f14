//! Errors, and the diagnostics that point at bad input.
//!
//! Bad input is never one error: a run collects every [`Diagnostic`] it finds into
//! [`Diagnostics`] and reports them together as `path:line:column: field: message`.
//! Positions are stored 1-based, as they are shown. I/O, store and query failures are
//! kept apart from data errors so the binary can tell bad data (exit 1) from the rest.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Where something is in an input: the file as the user named it, and a 1-based line
/// and column. For CSV tables the line is the row's line and the column the field's
/// position in the row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: String,
    pub line: u64,
    pub column: u64,
}

impl Location {
    pub fn new(file: impl Into<String>, line: u64, column: u64) -> Self {
        Self {
            file: file.into(),
            line,
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Where an I/O or store error happened: a file as the user named it, or a place without a
/// file name, shown as `<stdin>`, `<stdout>`, `<memory>`, `<review>` or `<output>`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Place {
    File(PathBuf),
    Stdin,
    Stdout,
    /// An in-memory store.
    Memory,
    /// The review report of `link`, while it is written.
    Review,
    /// The output a writer was given, not knowing where it goes; `output` names it.
    Output,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Stdin => f.write_str("<stdin>"),
            Self::Stdout => f.write_str("<stdout>"),
            Self::Memory => f.write_str("<memory>"),
            Self::Review => f.write_str("<review>"),
            Self::Output => f.write_str("<output>"),
        }
    }
}

impl From<PathBuf> for Place {
    fn from(path: PathBuf) -> Self {
        Self::File(path)
    }
}

impl From<&Path> for Place {
    fn from(path: &Path) -> Self {
        Self::File(path.to_owned())
    }
}

impl From<&PathBuf> for Place {
    fn from(path: &PathBuf) -> Self {
        Self::File(path.clone())
    }
}

impl From<&str> for Place {
    fn from(path: &str) -> Self {
        Self::File(PathBuf::from(path))
    }
}

/// One problem with the input: where it is, which field, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub location: Location,
    /// The field the problem is in; empty when it is about the record or the syntax.
    pub field: String,
    pub message: String,
}

impl Diagnostic {
    pub fn new(location: Location, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            location,
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.location, self.message)
        } else {
            write!(f, "{}: {}: {}", self.location, self.field, self.message)
        }
    }
}

/// At most this many problems are kept and listed; past it they are only counted, so
/// that an input that is wrong on every one of its million lines is reported in bounded
/// memory.
pub const MAX_LISTED: usize = 10_000;

/// Every problem a run found, in input order: the first `MAX_LISTED` (10,000) of them, and how
/// many more there were.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    listed: Vec<Diagnostic>,
    omitted: u64,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        if self.listed.len() < MAX_LISTED {
            self.listed.push(diagnostic);
        } else {
            self.omitted += 1;
        }
    }

    pub fn error(&mut self, location: Location, field: &str, message: impl Into<String>) {
        self.push(Diagnostic::new(location, field, message));
    }

    pub fn extend(&mut self, other: Diagnostics) {
        for diagnostic in other.listed {
            self.push(diagnostic);
        }
        self.omitted += other.omitted;
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// How many problems are listed.
    pub fn len(&self) -> usize {
        self.listed.len()
    }

    /// How many problems were found, listed or not.
    pub fn total(&self) -> u64 {
        self.listed.len() as u64 + self.omitted
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.listed.iter()
    }

    /// `Ok(())` when nothing was found, else every diagnostic as one error. Errors are
    /// put in input order (files as given, then line and column) so reports read
    /// top to bottom whatever order the checks ran in.
    pub fn into_result(mut self, file_order: &[String]) -> Result<(), Error> {
        if self.listed.is_empty() {
            return Ok(());
        }
        let rank = |file: &str| file_order.iter().position(|f| f == file).unwrap_or(usize::MAX);
        self.listed.sort_by(|a, b| {
            (rank(&a.location.file), a.location.line, a.location.column).cmp(&(
                rank(&b.location.file),
                b.location.line,
                b.location.column,
            ))
        });
        self.listed.dedup();
        Err(Error::Invalid(self))
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.listed.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        if self.omitted > 0 {
            write!(
                f,
                "\n… and {} more (only the first {MAX_LISTED} problems are listed)",
                self.omitted
            )?;
        }
        Ok(())
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.listed.into_iter()
    }
}

/// Everything that can go wrong in saidgraph.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is invalid; nothing was written.
    #[error("{0}\n{n} error{s} found; nothing was written", n = .0.total(), s = if .0.total() == 1 { "" } else { "s" })]
    Invalid(Diagnostics),
    /// A file or stream could not be read or written.
    #[error("{place}: {source}")]
    Io {
        place: Place,
        #[source]
        source: io::Error,
    },
    /// The on-disk store could not be opened or written.
    #[error("store {place}: {source}")]
    Store {
        place: Place,
        #[source]
        source: oxigraph::store::StorageError,
    },
    /// An input changed while it was read twice (validated, then mapped).
    #[error(
        "{}: the input changed while saidgraph read it (it is read twice: to validate, then \
         to map); a store or an -o file is left as it was; run again on an input that stays put",
        path.display()
    )]
    InputChanged { path: PathBuf },
    /// The second pass stopped before the end of its inputs; what stopped it is the
    /// error reported (this one is only passed between the two threads).
    #[error("the mapping stopped before the end of the inputs")]
    MappingIncomplete,
    /// Another process holds the on-disk store for writing.
    #[error(
        "store {path} is in use: another process has it open for writing (a `saidgraph load` \
         still running?); nothing was changed, try again when it has finished ({source})"
    )]
    StoreInUse {
        path: PathBuf,
        #[source]
        source: oxigraph::store::StorageError,
    },
    /// Loading into the store failed.
    #[error("store: {0}")]
    Loader(#[from] oxigraph::store::LoaderError),
    /// Writing RDF failed.
    #[error("serializing RDF: {0}")]
    Serialize(#[from] oxigraph::store::SerializerError),
    /// The SPARQL query does not parse.
    #[error("{origin}: {source}")]
    QuerySyntax {
        origin: String,
        #[source]
        source: oxigraph::sparql::SparqlSyntaxError,
    },
    /// The SPARQL query uses a prefix that neither it nor saidgraph declares.
    #[error(
        "{origin}: error at {line}:{column}: the prefix `{prefix}:` is not declared{hint}; declare it \
         with `PREFIX {prefix}: <…>`, or use one that saidgraph declares: {declared}"
    )]
    QueryPrefix {
        origin: String,
        line: usize,
        column: usize,
        prefix: String,
        hint: String,
        declared: String,
    },
    /// The SPARQL query nests deeper than saidgraph evaluates.
    #[error(
        "{origin}: the query nests {depth} levels deep (parentheses, braces, or chains such as \
         `a + b + …` or `{{…}} UNION {{…}} UNION …`), more than the {max} saidgraph runs; simplify it"
    )]
    QueryTooDeep { origin: String, depth: usize, max: usize },
    /// The SPARQL query failed while running.
    #[error("query: {0}")]
    QueryEvaluation(#[from] oxigraph::sparql::QueryEvaluationError),
    /// A query name that is not in the library.
    #[error("no named query {name:?}{hint}; `saidgraph queries` lists them")]
    UnknownQuery { name: String, hint: String },
    /// A `--param` that cannot be bound.
    #[error("--param {0}")]
    Param(String),
    /// A bad option value (base IRI, format for the output at hand, …).
    #[error("{0}")]
    Usage(String),
    /// A change to a store's datasets that would break it (a drop or a replacement
    /// leaving other datasets' references dangling, an unknown dataset); nothing changed.
    #[error("{0}")]
    Refused(String),
    /// A fault in saidgraph itself, not in what it was given (a thread that panicked, a
    /// serializer refusing one of saidgraph's own prefixes): exit status 1, never 2.
    #[error("internal error: {0}; this is a bug in saidgraph, please report it")]
    Internal(String),
    /// A SPARQL endpoint could not be queried.
    #[error("SPARQL endpoint {url}: {source}")]
    Endpoint {
        url: String,
        #[source]
        source: oxigraph::sparql::QueryEvaluationError,
    },
    /// A push to another triple store failed; `message` is the server's own where it gave one.
    #[error("push to {url}: {message}")]
    Push { url: String, message: String },
    /// Reading RDF (the ontology, `--with` graphs, link targets) failed.
    #[error("{origin}: {source}")]
    RdfParse {
        origin: String,
        #[source]
        source: oxigraph::io::RdfParseError,
    },
}

impl Error {
    pub(crate) fn io(place: impl Into<Place>, source: io::Error) -> Self {
        Self::Io {
            place: place.into(),
            source,
        }
    }

    /// Whether this is an on-disk store missing one of its own files: while another
    /// process writes to the store, a reader may find a file listed and then removed.
    pub fn is_vanished_store_file(&self) -> bool {
        matches!(self, Self::Store { .. }) && self.to_string().contains("No such file or directory")
    }

    /// Whether this is a bad command line (exit status 2).
    pub fn is_usage(&self) -> bool {
        matches!(self, Self::Usage(_))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_asks_for_a_report_and_is_not_usage() {
        let error = Error::Internal("the mapping thread panicked".to_owned());
        assert_eq!(
            error.to_string(),
            "internal error: the mapping thread panicked; this is a bug in saidgraph, please report it"
        );
        assert!(!error.is_usage());
    }
}
