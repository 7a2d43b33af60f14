//! Guards: the limits a query must keep to before it is parsed or run (its size, how deep
//! it nests in its text and in its algebra, the stack the binary gives it), and the scan
//! that names an undeclared prefix when a query does not parse.

use spargebra::SparqlSyntaxError;
use spargebra::algebra::{AggregateExpression, Expression, GraphPattern, OrderExpression, PropertyPathExpression};

use crate::error::{Error, Result};

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
/// nest up to `MAX_QUERY_NESTING` levels; a main thread's 8 MiB are not enough for that.
/// Only what is used is ever committed.
pub const STACK_SIZE: usize = 512 << 20;

/// Refuses a query that nests `depth` levels deep, past [`MAX_QUERY_NESTING`].
pub(super) fn check_nesting(origin: &str, depth: usize) -> Result<()> {
    if depth > MAX_QUERY_NESTING {
        return Err(Error::QueryTooDeep {
            origin: origin.to_owned(),
            depth,
            max: MAX_QUERY_NESTING,
        });
    }
    Ok(())
}

/// How deep `(`, `[` and `{` nest in a query's text, outside string literals: checked
/// before parsing, which recurses on them.
pub(super) fn bracket_depth(text: &str) -> usize {
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

/// How deep a parsed query's algebra nests from its root pattern (graph patterns,
/// expressions and property paths together), counted without recursion.
pub(super) fn algebra_depth(root: &GraphPattern) -> usize {
    enum Node<'a> {
        Pattern(&'a GraphPattern),
        Expression(&'a Expression),
        Path(&'a PropertyPathExpression),
    }
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

/// The error of a query that does not parse: when it uses a prefix declared nowhere
/// (neither in `prefixes` nor in its own `PREFIX` lines), one that names that prefix and
/// the close declared one, if any; else the parser's.
pub(super) fn syntax_error(
    text: &str,
    origin: &str,
    prefixes: &[(String, String)],
    source: SparqlSyntaxError,
) -> Error {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{NAMED_QUERIES, root_pattern};

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
    fn nesting_is_measured_in_the_text_and_in_the_algebra() -> Result<()> {
        assert_eq!(bracket_depth("SELECT * { { ?s ?p \"((((\\\"((\" } }"), 2);
        assert_eq!(bracket_depth("ASK { FILTER(('(' = ')')) }"), 3);
        for named in NAMED_QUERIES {
            let mut query = spargebra::SparqlParser::new()
                .parse_query(named.text)
                .map_err(|source| Error::QuerySyntax {
                    origin: named.name.to_owned(),
                    source,
                })?;
            let depth = algebra_depth(root_pattern(&mut query));
            assert!(depth < MAX_QUERY_NESTING / 10, "{}: {depth}", named.name);
        }
        let chain = format!("ASK {{ FILTER(1{} > 0) }}", "+1".repeat(50));
        let mut query = spargebra::SparqlParser::new()
            .parse_query(&chain)
            .map_err(|source| Error::QuerySyntax {
                origin: "chain".to_owned(),
                source,
            })?;
        assert!(algebra_depth(root_pattern(&mut query)) > 50);
        Ok(())
    }
}
