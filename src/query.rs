//! SPARQL: the named-query library, parameter binding, and results in the W3C formats
//! or as a table for people.
//!
//! Queries run over the data and the ontology together (the default graph is the union
//! of the store's graphs). `--param NAME=VALUE` is bound as an RDF term by Oxigraph's
//! variable substitution, never by pasting text into the query.

use std::io::Write;

use oxigraph::io::RdfFormat;
use oxigraph::model::{Literal, NamedNode, Term, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryEvaluationError, QueryResults, SparqlEvaluator, Variable};

use crate::error::{Error, Result};
use crate::input::{self, RecordKind};
use crate::model::Prefixes;
use crate::resolve::mint;
use crate::store::GraphStore;

/// A query of the library in `queries/`, compiled in.
#[derive(Debug, Clone, Copy)]
pub struct NamedQuery {
    pub name: &'static str,
    pub text: &'static str,
}

macro_rules! named_queries {
    ($($name:literal),* $(,)?) => {
        /// Every query of `queries/`, by name.
        pub const NAMED_QUERIES: &[NamedQuery] = &[
            $(NamedQuery { name: $name, text: include_str!(concat!("../queries/", $name, ".rq")) }),*
        ];
    };
}

named_queries!(
    "who-said-what-to-whom",
    "statements-by",
    "statements-about",
    "statements-by-party",
    "replies",
    "timeline",
    "stance-on",
    "interaction-matrix",
    "linked-entities",
    "quotes",
    "acts",
    "entity",
);

impl NamedQuery {
    pub fn find(name: &str) -> Result<&'static Self> {
        let name = name.strip_suffix(".rq").unwrap_or(name);
        NAMED_QUERIES
            .iter()
            .find(|q| q.name == name)
            .ok_or_else(|| Error::UnknownQuery {
                name: name.to_owned(),
                hint: input::suggestion(name, NAMED_QUERIES.iter().map(|q| q.name)),
            })
    }

    /// The header comment's first sentence: what the query answers.
    pub fn summary(&self) -> &'static str {
        self.header().next().unwrap_or_default()
    }

    /// The parameters the header declares: name and description.
    pub fn parameters(&self) -> Vec<(&'static str, &'static str)> {
        let mut in_parameters = false;
        let mut parameters = Vec::new();
        for line in self.header() {
            if let Some(rest) = line.strip_prefix("Parameters:") {
                in_parameters = rest.trim() != "none";
                continue;
            }
            if in_parameters && !line.is_empty() {
                let (name, description) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                parameters.push((name, description.trim()));
            }
        }
        parameters
    }

    /// The lines of the opening comment block, without `#` and surrounding spaces.
    fn header(&self) -> impl Iterator<Item = &'static str> {
        self.text
            .lines()
            .map_while(|line| line.strip_prefix('#'))
            .map(str::trim)
    }
}

/// Which query to run.
#[derive(Debug, Clone)]
pub enum QueryText {
    Named(String),
    File(std::path::PathBuf),
    Inline(String),
}

impl QueryText {
    /// The query's text and a name for messages.
    pub fn load(&self) -> Result<(String, String)> {
        match self {
            Self::Named(name) => {
                let query = NamedQuery::find(name)?;
                Ok((query.text.to_owned(), format!("queries/{}.rq", query.name)))
            }
            Self::File(path) => {
                use std::io::Read;
                let mut bytes = Vec::new();
                std::fs::File::open(path)
                    .and_then(|file| file.take(MAX_QUERY_BYTES + 1).read_to_end(&mut bytes))
                    .map_err(|e| Error::io(path, e))?;
                if bytes.len() as u64 > MAX_QUERY_BYTES {
                    return Err(Error::io(
                        path,
                        std::io::Error::new(
                            std::io::ErrorKind::FileTooLarge,
                            format!("a query longer than {MAX_QUERY_BYTES} bytes; is this a query file?"),
                        ),
                    ));
                }
                let text = String::from_utf8(bytes).map_err(|e| {
                    Error::io(
                        path,
                        std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            format!(
                                "invalid UTF-8 at byte {}; a query is UTF-8 text",
                                e.utf8_error().valid_up_to()
                            ),
                        ),
                    )
                })?;
                Ok((text, path.display().to_string()))
            }
            Self::Inline(text) => Ok((text.clone(), "query".to_owned())),
        }
    }
}

/// How to print results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResultsFormat {
    /// Aligned columns for people.
    Table,
    /// One of the W3C SPARQL results formats.
    W3c(QueryResultsFormat),
    /// For CONSTRUCT and DESCRIBE: an RDF format.
    Rdf(RdfFormat),
}

impl ResultsFormat {
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "table" => Self::Table,
            "csv" => Self::W3c(QueryResultsFormat::Csv),
            "tsv" => Self::W3c(QueryResultsFormat::Tsv),
            "json" => Self::W3c(QueryResultsFormat::Json),
            "xml" => Self::W3c(QueryResultsFormat::Xml),
            other => Self::Rdf(crate::export::parse_format(other)?),
        })
    }
}

/// Binds a `--param` value as an RDF term: `<…>` is an IRI, `prefix:local` a prefixed
/// name (the built-in prefixes, and `entity:`, `statement:`, `source:`, `relation:` for a
/// graph with one base), an id the graph knows its IRI (entities first, then statements,
/// sources and relations), anything else a plain string.
pub fn bind_value(value: &str, store: &GraphStore, bases: &[String]) -> Result<Term> {
    let mut prefixes = Prefixes::default();
    for (prefix, namespace) in crate::commands::prefixes_for(bases) {
        prefixes
            .bind(&prefix, &namespace)
            .map_err(|e| Error::Param(format!("prefix {prefix}: {e}")))?;
    }
    if value.starts_with('<') && value.ends_with('>') {
        return prefixes
            .expand(value)
            .map(Term::from)
            .map_err(|e| Error::Param(format!("value {value}: {e}")));
    }
    if let Some((prefix, _)) = value.split_once(':')
        && prefixes.iter().any(|(p, _)| p == prefix)
    {
        return prefixes
            .expand(value)
            .map(Term::from)
            .map_err(|e| Error::Param(format!("value {value}: {e}")));
    }
    for kind in [
        RecordKind::Entity,
        RecordKind::Statement,
        RecordKind::Source,
        RecordKind::Relation,
    ] {
        let found: Vec<NamedNode> = bases
            .iter()
            .map(|base| mint(base, kind, value))
            .filter(|iri| store.has_subject(iri.as_ref()))
            .collect();
        match found.as_slice() {
            [] => {}
            [iri] => return Ok(iri.clone().into()),
            several => {
                let list: Vec<String> = several.iter().map(ToString::to_string).collect();
                return Err(Error::Param(format!(
                    "value {value:?} names several {}s: {}; give the <IRI> instead",
                    kind.name(),
                    list.join(", ")
                )));
            }
        }
    }
    Ok(Literal::new_simple_literal(value).into())
}

/// Parses `NAME=VALUE`.
pub fn split_param(param: &str) -> Result<(Variable, &str)> {
    let (name, value) = param
        .split_once('=')
        .ok_or_else(|| Error::Param(format!("{param:?}: expected NAME=VALUE")))?;
    let name = name.trim().trim_start_matches(['?', '$']);
    let variable =
        Variable::new(name).map_err(|e| Error::Param(format!("{param:?}: {name:?} is not a variable name: {e}")))?;
    Ok((variable, value))
}

/// A query ready to run: its text, where it came from (for messages), the terms bound
/// to its variables, and how many results at most.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub text: String,
    pub origin: String,
    pub bindings: Vec<(Variable, Term)>,
    pub limit: Option<usize>,
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
    let Prepared {
        text,
        origin,
        bindings,
        limit,
    } = prepared;
    let mut query = parse(&text, &origin, prefixes)?;
    if let Some(limit) = limit {
        limit_solutions(&mut query, limit);
    }
    for (variable, term) in &bindings {
        restrict_query(&mut query, variable, term);
    }
    let mut prepared = SparqlEvaluator::new().for_query(query);
    prepared.dataset_mut().set_default_graph_as_union();
    for (variable, term) in bindings {
        prepared = prepared.substitute_variable(variable, term);
    }
    let results = prepared.on_store(store.store()).execute().map_err(|e| match e {
        QueryEvaluationError::NotExistingSubstitutedVariable(v) => {
            Error::Param(format!("{}: the query has no variable {v} to bind", v.as_str()))
        }
        other => Error::QueryEvaluation(other),
    })?;
    write_results(results, format, prefixes, out)
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
    let deep = |depth| Error::QueryTooDeep {
        origin: origin.to_owned(),
        depth,
    };
    let brackets = bracket_depth(text);
    if brackets > MAX_QUERY_NESTING {
        return Err(deep(brackets));
    }
    let query = parse_text(text, origin, prefixes)?;
    let depth = algebra_depth(&query);
    if depth > MAX_QUERY_NESTING {
        return Err(deep(depth));
    }
    Ok(query)
}

fn parse_text(text: &str, origin: &str, prefixes: &[(String, String)]) -> Result<spargebra::Query> {
    let mut parser = spargebra::SparqlParser::new();
    for (prefix, namespace) in prefixes {
        if let Ok(with) = parser.clone().with_prefix(prefix, namespace) {
            parser = with;
        }
    }
    parser.parse_query(text).map_err(|source| {
        let names: Vec<&str> = prefixes.iter().map(|(p, _)| p.as_str()).collect();
        let Some((line, column, prefix)) = undeclared_prefix(text, &names) else {
            return Error::QuerySyntax {
                origin: origin.to_owned(),
                source,
            };
        };
        Error::QueryPrefix {
            origin: origin.to_owned(),
            line,
            column,
            hint: names
                .iter()
                .map(|name| (strsim::damerau_levenshtein(&prefix, name), *name))
                .filter(|&(distance, _)| distance <= if prefix.chars().count() < 5 { 1 } else { 2 })
                .min()
                .map_or_else(String::new, |(_, name)| format!(" (did you mean `{name}:`?)")),
            prefix,
            declared: if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            },
        }
    })
}

/// The line, column (from 1, in characters) and prefix of the first prefixed name whose
/// prefix is neither in `declared` nor in the query's own `PREFIX` lines. A lexical scan
/// that skips strings, IRIs, comments, variables, language tags and blank nodes; it is
/// only asked once a query has failed to parse, to name the likely cause.
fn undeclared_prefix(text: &str, declared: &[&str]) -> Option<(usize, usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let is_name = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '%' | '\\' | '\u{b7}');
    let skip_name = |mut i: usize| {
        while i < chars.len() && is_name(chars[i]) {
            i += 1;
        }
        i
    };
    // Prefixes used, where; prefixes the query declares; the last name-like token read.
    let mut used: Vec<(usize, String)> = Vec::new();
    let mut own: Vec<String> = Vec::new();
    let mut last = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            quote @ ('"' | '\'') => {
                let long = chars.get(i + 1) == Some(&quote) && chars.get(i + 2) == Some(&quote);
                i += if long { 3 } else { 1 };
                while i < chars.len() {
                    if chars[i] == '\\' {
                        i += 2;
                    } else if chars[i] == quote
                        && (!long || (chars.get(i + 1) == Some(&quote) && chars.get(i + 2) == Some(&quote)))
                    {
                        i += if long { 3 } else { 1 };
                        break;
                    } else if chars[i] == '\n' && !long {
                        break;
                    } else {
                        i += 1;
                    }
                }
            }
            '<' => {
                let end = chars[i + 1..].iter().position(|&c| c == '>' || c.is_whitespace());
                i = match end {
                    Some(n) if chars[i + 1 + n] == '>' => i + n + 2,
                    _ => i + 1,
                };
            }
            '?' | '$' | '@' => i = skip_name(i + 1),
            c if is_name(c) => {
                let start = i;
                i = skip_name(i);
                let token: String = chars[start..i].iter().collect();
                if let Some((prefix, _)) = token.split_once(':') {
                    if last.eq_ignore_ascii_case("prefix") {
                        own.push(prefix.to_owned());
                    } else if prefix != "_" {
                        used.push((start, prefix.to_owned()));
                    }
                }
                last = token;
            }
            _ => i += 1,
        }
    }
    let (start, prefix) = used
        .into_iter()
        .find(|(_, prefix)| !declared.contains(&prefix.as_str()) && !own.contains(prefix))?;
    let before = &chars[..start];
    let line = before.iter().filter(|&&c| c == '\n').count() + 1;
    let column = start - before.iter().rposition(|&c| c == '\n').map_or(0, |n| n + 1) + 1;
    Some((line, column, prefix))
}

/// Binds a parameter where it is matched, not only at the top: every basic graph pattern
/// that mentions the variable is joined with `VALUES ?var { term }`, in every scope where
/// the variable is the query's own (subqueries that do not project it are left alone).
/// Oxigraph's `substitute_variable` alone binds the variable at the root, after
/// subqueries have been evaluated for every value; this makes `statements-by` read one
/// speaker's statements instead of the store's. Done on the parsed algebra, never text.
fn restrict_query(query: &mut spargebra::Query, variable: &Variable, term: &Term) {
    use spargebra::term::GroundTerm;
    let term = match term {
        Term::NamedNode(n) => GroundTerm::NamedNode(n.clone()),
        Term::Literal(l) => GroundTerm::Literal(l.clone()),
        _ => return,
    };
    let pattern = match query {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. }
        | spargebra::Query::Ask { pattern, .. } => pattern,
    };
    let owned = std::mem::replace(pattern, spargebra::algebra::GraphPattern::Bgp { patterns: Vec::new() });
    *pattern = restrict(owned, variable, &term);
}

fn restrict(
    pattern: spargebra::algebra::GraphPattern,
    variable: &Variable,
    term: &spargebra::term::GroundTerm,
) -> spargebra::algebra::GraphPattern {
    use spargebra::algebra::GraphPattern as P;
    use spargebra::term::TermPattern;
    let is_var = |t: &TermPattern| matches!(t, TermPattern::Variable(v) if v == variable);
    // The term in place of the variable, then `BIND(term AS ?var)` so it stays bound.
    let constant = |t: TermPattern| -> TermPattern {
        match (is_var(&t), term) {
            (true, spargebra::term::GroundTerm::NamedNode(n)) => n.clone().into(),
            (true, spargebra::term::GroundTerm::Literal(l)) => l.clone().into(),
            _ => t,
        }
    };
    let bound = |inner: P| P::Extend {
        inner: Box::new(inner),
        variable: variable.clone(),
        expression: match term {
            spargebra::term::GroundTerm::NamedNode(n) => spargebra::algebra::Expression::NamedNode(n.clone()),
            spargebra::term::GroundTerm::Literal(l) => spargebra::algebra::Expression::Literal(l.clone()),
            #[expect(unreachable_patterns, reason = "triple terms exist only with the rdf-12 feature")]
            _ => spargebra::algebra::Expression::Bound(variable.clone()),
        },
    };
    let go = |p: Box<P>| Box::new(restrict(*p, variable, term));
    match pattern {
        P::Bgp { patterns }
            if patterns.iter().any(|t| {
                is_var(&t.subject)
                    || is_var(&t.object)
                    || matches!(&t.predicate, spargebra::term::NamedNodePattern::Variable(v) if v == variable)
            }) =>
        {
            let predicate_is_var = |p: &spargebra::term::NamedNodePattern| matches!(p, spargebra::term::NamedNodePattern::Variable(v) if v == variable);
            let patterns = patterns
                .into_iter()
                .map(|t| spargebra::term::TriplePattern {
                    subject: constant(t.subject),
                    predicate: match (&t.predicate, term) {
                        (p, spargebra::term::GroundTerm::NamedNode(n)) if predicate_is_var(p) => n.clone().into(),
                        _ => t.predicate,
                    },
                    object: constant(t.object),
                })
                .collect();
            bound(P::Bgp { patterns })
        }
        P::Path { subject, path, object } if is_var(&subject) || is_var(&object) => bound(P::Path {
            subject: constant(subject),
            path,
            object: constant(object),
        }),
        P::Join { left, right } => P::Join {
            left: go(left),
            right: go(right),
        },
        P::LeftJoin {
            left,
            right,
            expression,
        } => P::LeftJoin {
            left: go(left),
            right: go(right),
            expression,
        },
        P::Lateral { left, right } => P::Lateral {
            left: go(left),
            right: go(right),
        },
        P::Filter { expr, inner } => P::Filter { expr, inner: go(inner) },
        P::Union { left, right } => P::Union {
            left: go(left),
            right: go(right),
        },
        P::Graph { name, inner } => P::Graph { name, inner: go(inner) },
        P::Extend {
            inner,
            variable: v,
            expression,
        } => P::Extend {
            inner: go(inner),
            variable: v,
            expression,
        },
        P::Minus { left, right } => P::Minus {
            left: go(left),
            right: go(right),
        },
        P::OrderBy { inner, expression } => P::OrderBy {
            inner: go(inner),
            expression,
        },
        // A subquery's variables are its own unless it projects them.
        P::Project { inner, variables } if variables.contains(variable) => P::Project {
            inner: go(inner),
            variables,
        },
        P::Distinct { inner } => P::Distinct { inner: go(inner) },
        P::Reduced { inner } => P::Reduced { inner: go(inner) },
        P::Slice { inner, start, length } => P::Slice {
            inner: go(inner),
            start,
            length,
        },
        P::Group {
            inner,
            variables,
            aggregates,
        } if variables.contains(variable) => P::Group {
            inner: go(inner),
            variables,
            aggregates,
        },
        other => other,
    }
}

/// The longest query file read: the parsed form of a query takes a hundred times its
/// text, and no real query comes near this.
pub const MAX_QUERY_BYTES: u64 = 4 << 20;

/// The deepest query nesting run: Oxigraph parses and evaluates a query recursively,
/// so a query nested thousands of levels deep (parentheses, braces, or long chains such
/// as `1 + 1 + … + 1`, which nest too) would exhaust the stack and abort the process.
/// Real queries nest a few dozen levels at most.
pub const MAX_QUERY_NESTING: usize = 500;

/// The stack of the thread the binary runs commands on. Oxigraph parses and evaluates
/// SPARQL recursively (a debug build spends tens of kilobytes a level), and a query may
/// nest up to [`MAX_QUERY_NESTING`] levels; a main thread's 8 MiB are not enough for that.
/// Only what is used is ever committed.
pub const STACK_SIZE: usize = 512 << 20;

/// How deep `(`, `[` and `{` nest in a query's text, outside string literals: checked
/// before parsing, which recurses on them.
fn bracket_depth(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (None, ')' | ']' | '}') => depth = depth.saturating_sub(1),
            (None, _) => {}
        }
    }
    deepest
}

/// How deep a parsed query's algebra nests (graph patterns, expressions and property
/// paths together), counted without recursion.
fn algebra_depth(query: &spargebra::Query) -> usize {
    use spargebra::algebra::{AggregateExpression, Expression, GraphPattern, OrderExpression, PropertyPathExpression};
    enum Node<'a> {
        Pattern(&'a GraphPattern),
        Expression(&'a Expression),
        Path(&'a PropertyPathExpression),
    }
    let root = match query {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. }
        | spargebra::Query::Ask { pattern, .. } => pattern,
    };
    let mut deepest = 0;
    let mut stack = vec![(Node::Pattern(root), 1)];
    while let Some((node, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        let below = depth + 1;
        match node {
            Node::Pattern(pattern) => match pattern {
                GraphPattern::Bgp { .. } | GraphPattern::Values { .. } => {}
                GraphPattern::Path { path, .. } => stack.push((Node::Path(path), below)),
                GraphPattern::Join { left, right }
                | GraphPattern::Lateral { left, right }
                | GraphPattern::Union { left, right }
                | GraphPattern::Minus { left, right } => {
                    stack.push((Node::Pattern(left), below));
                    stack.push((Node::Pattern(right), below));
                }
                GraphPattern::LeftJoin {
                    left,
                    right,
                    expression,
                } => {
                    stack.push((Node::Pattern(left), below));
                    stack.push((Node::Pattern(right), below));
                    if let Some(expression) = expression {
                        stack.push((Node::Expression(expression), below));
                    }
                }
                GraphPattern::Filter { expr, inner } => {
                    stack.push((Node::Expression(expr), below));
                    stack.push((Node::Pattern(inner), below));
                }
                GraphPattern::Extend { inner, expression, .. } => {
                    stack.push((Node::Expression(expression), below));
                    stack.push((Node::Pattern(inner), below));
                }
                GraphPattern::OrderBy { inner, expression } => {
                    stack.push((Node::Pattern(inner), below));
                    for order in expression {
                        let (OrderExpression::Asc(e) | OrderExpression::Desc(e)) = order;
                        stack.push((Node::Expression(e), below));
                    }
                }
                GraphPattern::Group { inner, aggregates, .. } => {
                    stack.push((Node::Pattern(inner), below));
                    for (_, aggregate) in aggregates {
                        if let AggregateExpression::FunctionCall { expr, .. } = aggregate {
                            stack.push((Node::Expression(expr), below));
                        }
                    }
                }
                GraphPattern::Graph { inner, .. }
                | GraphPattern::Project { inner, .. }
                | GraphPattern::Distinct { inner }
                | GraphPattern::Reduced { inner }
                | GraphPattern::Slice { inner, .. }
                | GraphPattern::Service { inner, .. } => stack.push((Node::Pattern(inner), below)),
            },
            Node::Expression(expression) => match expression {
                Expression::NamedNode(_) | Expression::Literal(_) | Expression::Variable(_) | Expression::Bound(_) => {}
                Expression::Or(a, b)
                | Expression::And(a, b)
                | Expression::Equal(a, b)
                | Expression::SameTerm(a, b)
                | Expression::Greater(a, b)
                | Expression::GreaterOrEqual(a, b)
                | Expression::Less(a, b)
                | Expression::LessOrEqual(a, b)
                | Expression::Add(a, b)
                | Expression::Subtract(a, b)
                | Expression::Multiply(a, b)
                | Expression::Divide(a, b) => {
                    stack.push((Node::Expression(a), below));
                    stack.push((Node::Expression(b), below));
                }
                Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => {
                    stack.push((Node::Expression(a), below));
                }
                Expression::In(a, items) => {
                    stack.push((Node::Expression(a), below));
                    stack.extend(items.iter().map(|e| (Node::Expression(e), below)));
                }
                Expression::If(a, b, c) => {
                    for e in [a, b, c] {
                        stack.push((Node::Expression(e), below));
                    }
                }
                Expression::Coalesce(items) | Expression::FunctionCall(_, items) => {
                    stack.extend(items.iter().map(|e| (Node::Expression(e), below)));
                }
                Expression::Exists(pattern) => stack.push((Node::Pattern(pattern), below)),
            },
            Node::Path(path) => match path {
                PropertyPathExpression::NamedNode(_) | PropertyPathExpression::NegatedPropertySet(_) => {}
                PropertyPathExpression::Reverse(p)
                | PropertyPathExpression::ZeroOrMore(p)
                | PropertyPathExpression::OneOrMore(p)
                | PropertyPathExpression::ZeroOrOne(p) => stack.push((Node::Path(p), below)),
                PropertyPathExpression::Sequence(a, b) | PropertyPathExpression::Alternative(a, b) => {
                    stack.push((Node::Path(a), below));
                    stack.push((Node::Path(b), below));
                }
            },
        }
    }
    deepest
}

/// Keeps at most `limit` solutions, as a `LIMIT` around the whole query would (an inner
/// `LIMIT` that is smaller still wins). Done on the parsed algebra, not the text.
fn limit_solutions(query: &mut spargebra::Query, limit: usize) {
    use spargebra::algebra::GraphPattern;
    let pattern = match query {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. }
        | spargebra::Query::Ask { pattern, .. } => pattern,
    };
    let inner = std::mem::replace(pattern, GraphPattern::Bgp { patterns: Vec::new() });
    *pattern = GraphPattern::Slice {
        inner: Box::new(inner),
        start: 0,
        length: Some(limit),
    };
}

fn write_results(
    results: QueryResults<'_>,
    format: ResultsFormat,
    prefixes: &[(String, String)],
    out: &mut dyn Write,
) -> Result<()> {
    let io = |e| Error::io(crate::output::UNNAMED, e);
    match (results, format) {
        (QueryResults::Solutions(solutions), ResultsFormat::Table) => {
            let variables: Vec<Variable> = solutions.variables().to_vec();
            let mut rows = Vec::new();
            for solution in solutions {
                let solution = solution?;
                rows.push(
                    variables
                        .iter()
                        .map(|v| solution.get(v).map(|t| display_term(t, prefixes)).unwrap_or_default())
                        .collect(),
                );
            }
            let header: Vec<&str> = variables.iter().map(Variable::as_str).collect();
            write_table(&header, rows, out).map_err(io)
        }
        (QueryResults::Solutions(solutions), ResultsFormat::W3c(format)) => {
            let mut writer = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(out, solutions.variables().to_vec())
                .map_err(io)?;
            for solution in solutions {
                writer.serialize(&solution?).map_err(io)?;
            }
            writer.finish().map_err(io)?;
            Ok(())
        }
        (QueryResults::Boolean(value), ResultsFormat::Table) => writeln!(out, "{value}").map_err(io),
        (QueryResults::Boolean(value), ResultsFormat::W3c(format)) => {
            QueryResultsSerializer::from_format(format)
                .serialize_boolean_to_writer(out, value)
                .map_err(io)?;
            Ok(())
        }
        (QueryResults::Graph(triples), format) => {
            let rdf_format = match format {
                ResultsFormat::Rdf(f) => f,
                _ => RdfFormat::Turtle,
            };
            let triples = triples.collect::<Result<Vec<Triple>, _>>()?;
            crate::export::write_sorted(triples, rdf_format, prefixes, out)
        }
        (_, ResultsFormat::Rdf(_)) => Err(Error::Usage(
            "an RDF result format only fits CONSTRUCT and DESCRIBE queries; use table, csv, tsv, json or xml"
                .to_owned(),
        )),
    }
}

/// A term as a person reads it in a table: literals as their text, IRIs under a known
/// namespace as prefixed names.
fn display_term(term: &Term, prefixes: &[(String, String)]) -> String {
    match term {
        Term::Literal(literal) => literal.value().to_owned(),
        Term::NamedNode(iri) => prefixes
            .iter()
            .filter_map(|(prefix, namespace)| {
                let local = iri.as_str().strip_prefix(namespace.as_str())?;
                let simple = !local.is_empty()
                    && local
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '%'));
                simple.then(|| (namespace.len(), format!("{prefix}:{local}")))
            })
            .max_by_key(|(length, _)| *length)
            .map_or_else(|| iri.to_string(), |(_, short)| short),
        other => other.to_string(),
    }
}

fn write_table(header: &[&str], rows: Vec<Vec<String>>, out: &mut dyn Write) -> std::io::Result<()> {
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    let count = rows.len();
    for row in rows {
        table.add_row(row);
    }
    writeln!(out, "{table}")?;
    writeln!(out, "{count} row{}", if count == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undeclared_prefixes_are_found_outside_strings_iris_and_comments() {
        let declared = ["sg", "entity"];
        let find = |text: &str| undeclared_prefix(text, &declared);
        assert_eq!(find("SELECT * { ?s sg:p entity:x }"), None);
        assert_eq!(find("SELECT * { ?s sg:p ex:x }"), Some((1, 20, "ex".to_owned())));
        assert_eq!(
            find("SELECT * {\n  ?s sg:p \u{e9}x:y }"),
            Some((2, 11, "\u{e9}x".to_owned()))
        );
        assert_eq!(find("SELECT * { ?s :p ?o }"), Some((1, 15, String::new())));
        assert_eq!(find("PREFIX ex: <http://e/> SELECT * { ?s ex:p ?o }"), None);
        assert_eq!(find("prefix ex: <http://e/> SELECT * { ?s ex:p ?o }"), None);
        assert_eq!(
            find(
                "SELECT * { ?s <http://e/a:b> 'x:y', \"a\\\"b:c\", \"\"\"q\n r:s\"\"\" ; \
                 sg:p _:b1, ?v:w, \"t\"@en:x . } # c:d\nLIMIT 1"
            ),
            None
        );
        assert_eq!(
            find("ASK { FILTER(?a<?b) ?s sg:p ex:o }"),
            Some((1, 29, "ex".to_owned()))
        );
        assert_eq!(
            find("ASK { FILTER(?a < 1 && ?b > ex:o) }"),
            Some((1, 29, "ex".to_owned()))
        );
        assert_eq!(find("ASK { \"unclosed }"), None);
        // A declaration with a colon too many still declares (found by fuzzing).
        assert_eq!(find("PREFIX ex:: <http://e/> SELECT * { ?s ex:p ?o }"), None);
        assert_eq!(find("PREFIX sg:: <http://e/> SELECT * { ?s sg:p ?o }"), None);
        assert_eq!(find("ASK { <unclosed"), None);
    }

    proptest::proptest! {
        /// Any text, including the characters the scan treats specially: no panic, and a
        /// prefix it reports is at the line and column it gives.
        #[test]
        fn a_reported_prefix_is_where_it_is_said_to_be(text in "([a-z:<>\"'#?_\\\\ \n.]|\u{e9}|\"\"\"|PREFIX ){0,60}") {
            if let Some((line, column, prefix)) = undeclared_prefix(&text, &["sg"]) {
                let at: String = text.split('\n').nth(line - 1).unwrap_or_default().chars().skip(column - 1).collect();
                proptest::prop_assert!(at.starts_with(&format!("{prefix}:")), "{at:?} {prefix:?}");
            }
        }
    }

    #[test]
    fn params_split_into_variable_and_value() -> Result<()> {
        let (variable, value) = split_param("?speaker=putin=x")?;
        assert_eq!(variable.as_str(), "speaker");
        assert_eq!(value, "putin=x");
        assert!(split_param("speaker").is_err());
        assert!(split_param("a b=c").is_err());
        Ok(())
    }

    #[test]
    fn nesting_is_measured_in_the_text_and_in_the_algebra() -> Result<()> {
        assert_eq!(bracket_depth("SELECT * { { ?s ?p \"((((\\\"((\" } }"), 2);
        assert_eq!(bracket_depth("ASK { FILTER(('(' = ')')) }"), 3);
        for named in NAMED_QUERIES {
            let query = spargebra::SparqlParser::new()
                .parse_query(named.text)
                .map_err(|source| Error::QuerySyntax {
                    origin: named.name.to_owned(),
                    source,
                })?;
            let depth = algebra_depth(&query);
            assert!(depth < MAX_QUERY_NESTING / 10, "{}: {depth}", named.name);
        }
        let chain = format!("ASK {{ FILTER(1{} > 0) }}", "+1".repeat(50));
        let query = spargebra::SparqlParser::new()
            .parse_query(&chain)
            .map_err(|source| Error::QuerySyntax {
                origin: "chain".to_owned(),
                source,
            })?;
        assert!(algebra_depth(&query) > 50);
        Ok(())
    }

    #[test]
    fn unknown_named_queries_suggest_close_names() {
        let error = NamedQuery::find("statements-bye")
            .expect_err("no such query")
            .to_string();
        assert!(error.contains("did you mean `statements-by`"), "{error}");
    }
}
