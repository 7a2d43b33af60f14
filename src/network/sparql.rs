//! The network's rows, read with SPARQL over the store: one row per statement and
//! addressee, then what the store knows of the entities, acts and topics they name.
//!
//! The filters (`--from`, `--to`, `--topic`, `--act`, `--speaker`, `--dataset`) become
//! patterns and `FILTER`s of the statement query. Every value is checked first and then
//! written as an RDF term (an IRI from the store or the act scheme, a date literal of
//! digits and dashes), so no option's text reaches the query as syntax. Queries see the
//! union of the store's graphs, as `query` does; `--dataset NAME` matches the statement's
//! `sg:speaker` triple in the named graph `BASE graph/NAME`.

use std::collections::BTreeMap;

use oxigraph::model::{Literal, NamedNode, Term};
use oxigraph::sparql::{CancellationToken, QueryResults, QuerySolution, SparqlEvaluator};

use super::aggregate::{EntityInfo, Row, Rows};
use super::{Family, NetworkOptions};
use crate::error::{Error, Result};
use crate::query;
use crate::resolve::graph_iri;
use crate::store::GraphStore;
use crate::vocab::{self, Act};

const PREFIXES: &str = "PREFIX sg: <https://w3id.org/saidgraph#>
PREFIX act: <https://w3id.org/saidgraph/act#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <http://schema.org/>
";

/// Every row the options select, and the labels, types and codes they need.
pub(super) fn fetch(
    store: &GraphStore,
    bases: &[String],
    options: &NetworkOptions,
    cancel: Option<&CancellationToken>,
) -> Result<Rows> {
    let filters = filters(store, bases, options)?;
    let text = format!(
        "{PREFIXES}SELECT ?statement ?speaker ?addressee ?act ?date ?stance ?quote ?summary ?sourceTitle ?sourceUrl
WHERE {{
{dataset}  ?statement sg:speaker ?speaker .
  OPTIONAL {{ ?statement sg:addressee ?addressee }}
  OPTIONAL {{ ?statement sg:act ?statedAct }}
  BIND(COALESCE(?statedAct, act:say) AS ?act)
  OPTIONAL {{ ?statement sg:date ?date }}
  OPTIONAL {{ ?statement sg:stance ?stance }}
  OPTIONAL {{ ?statement sg:quote ?quote }}
  OPTIONAL {{ ?statement sg:summary ?summary }}
  OPTIONAL {{
    ?statement sg:source ?source .
    OPTIONAL {{ ?source dcterms:title ?sourceTitle }}
    OPTIONAL {{ ?source schema:url ?sourceUrl }}
  }}
{conditions}}}",
        dataset = filters.dataset,
        conditions = filters.conditions,
    );
    let mut rows = Vec::new();
    for solution in select(store, &text, cancel)? {
        let (Some(statement), Some(speaker)) = (iri(&solution, "statement"), iri(&solution, "speaker")) else {
            continue;
        };
        rows.push(Row {
            statement,
            speaker,
            addressee: iri(&solution, "addressee"),
            act: iri(&solution, "act").unwrap_or_else(|| Act::DEFAULT.iri()),
            date: text_of(&solution, "date"),
            stance: iri(&solution, "stance"),
            quote: text_of(&solution, "quote"),
            summary: text_of(&solution, "summary"),
            source_title: text_of(&solution, "sourceTitle"),
            source_url: text_of(&solution, "sourceUrl"),
        });
    }
    // A statement with two quotes or sources gives two rows: keep the least of each, so
    // that the store's order never shows in the output.
    rows.sort_by(|a, b| {
        (
            &a.statement,
            &a.addressee,
            &a.date,
            &a.quote,
            &a.summary,
            &a.source_url,
            &a.source_title,
        )
            .cmp(&(
                &b.statement,
                &b.addressee,
                &b.date,
                &b.quote,
                &b.summary,
                &b.source_url,
                &b.source_title,
            ))
    });
    rows.dedup_by(|later, first| later.statement == first.statement && later.addressee == first.addressee);
    Ok(Rows {
        rows,
        entities: entities(store, cancel)?,
        acts: acts(store, cancel)?,
        topics: topics(store, cancel)?,
        entity_namespace: match bases {
            [base] => Some(format!("{base}entity/")),
            _ => None,
        },
    })
}

/// The statement query's dataset pattern and its filters.
struct Filters {
    dataset: String,
    conditions: String,
}

fn filters(store: &GraphStore, bases: &[String], options: &NetworkOptions) -> Result<Filters> {
    let mut conditions = String::new();
    if !options.speakers.is_empty() {
        let speakers = entities_named(store, bases, "--speaker", &options.speakers)?;
        conditions.push_str(&format!("  VALUES ?speaker {{ {} }}\n", join(&speakers)));
    }
    if !options.topics.is_empty() {
        let topics = entities_named(store, bases, "--topic", &options.topics)?;
        conditions.push_str(&format!(
            "  FILTER EXISTS {{ ?statement sg:about ?topic . VALUES ?topic {{ {} }} }}\n",
            join(&topics)
        ));
    }
    if !options.acts.is_empty() {
        let tests: Vec<String> = options.acts.iter().map(|a| act_test(a)).collect::<Result<_>>()?;
        conditions.push_str(&format!("  FILTER({})\n", tests.join(" || ")));
    }
    if let Some(from) = &options.from {
        let from = Literal::new_simple_literal(check_date("--from", from)?);
        conditions.push_str(&format!("  FILTER(BOUND(?date) && STR(?date) >= {from})\n"));
    }
    if let Some(to) = &options.to {
        let to = check_date("--to", to)?;
        let length = to.len();
        let to = Literal::new_simple_literal(to);
        conditions.push_str(&format!(
            "  FILTER(BOUND(?date) && SUBSTR(STR(?date), 1, {length}) <= {to})\n"
        ));
    }
    let dataset = if options.datasets.is_empty() {
        String::new()
    } else {
        let graphs = dataset_graphs(store, bases, &options.datasets)?;
        format!(
            "  VALUES ?graph {{ {} }}\n  GRAPH ?graph {{ ?statement sg:speaker ?speaker }}\n",
            join(&graphs)
        )
    };
    Ok(Filters { dataset, conditions })
}

/// The named graphs of the datasets named; a name no base has is an error.
fn dataset_graphs(store: &GraphStore, bases: &[String], names: &[String]) -> Result<Vec<NamedNode>> {
    let mut graphs = Vec::new();
    for name in names {
        let found: Vec<NamedNode> = bases
            .iter()
            .map(|base| graph_iri(base, name))
            .filter(|graph| store.store().contains_named_graph(graph).unwrap_or(false))
            .collect();
        if found.is_empty() {
            return Err(Error::Usage(format!(
                "--dataset {name}: no such dataset in this data (its graph would be {})",
                bases
                    .first()
                    .map_or_else(|| format!("BASE graph/{name}"), |b| graph_iri(b, name).to_string())
            )));
        }
        graphs.extend(found);
    }
    Ok(graphs)
}

/// Entities named by id, prefixed name or `<IRI>`, as `--param` reads them.
fn entities_named(store: &GraphStore, bases: &[String], option: &str, values: &[String]) -> Result<Vec<NamedNode>> {
    values
        .iter()
        .map(|value| match query::bind_value(value, store, bases) {
            Ok(Term::NamedNode(iri)) => Ok(iri),
            Ok(_) | Err(Error::Param(_)) => Err(Error::Usage(format!(
                "{option} {value}: no entity with that id; give an entity id, a prefixed name or an <IRI>"
            ))),
            Err(other) => Err(other),
        })
        .collect()
}

/// The SPARQL test for one `--act`: an act name, a CAMEO code, or a family's slug.
fn act_test(value: &str) -> Result<String> {
    if let Some(family) = Family::by_slug(value) {
        if family == Family::Other {
            return Ok("NOT EXISTS { ?act skos:notation ?code }".to_owned());
        }
        let roots: Vec<String> = family.roots().map(|r| format!("\"{r:02}\"")).collect();
        return Ok(format!(
            "EXISTS {{ ?act skos:notation ?code FILTER(SUBSTR(STR(?code), 1, 2) IN ({})) }}",
            roots.join(", ")
        ));
    }
    if !value.is_empty() && value.len() <= 4 && value.bytes().all(|b| b.is_ascii_digit()) {
        let code = Literal::new_simple_literal(value);
        return Ok(format!("EXISTS {{ ?act skos:notation {code} }}"));
    }
    match Act::by_name(value) {
        Some(act) => Ok(format!("?act = <{}>", act.iri())),
        None => {
            let names: Vec<&str> = vocab::ACTS.iter().map(|a| a.name).collect();
            let families: Vec<&str> = Family::ALL.iter().map(|f| f.slug()).collect();
            Err(Error::Usage(format!(
                "--act {value}: unknown act; give an act ({}), a CAMEO code such as 046, or a family ({})",
                names.join(", "),
                families.join(", ")
            )))
        }
    }
}

/// A date option, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checked to be only that.
fn check_date<'a>(option: &str, value: &'a str) -> Result<&'a str> {
    let shape_ok = matches!(value.len(), 4 | 7 | 10)
        && value.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let month_ok = value.get(5..7).is_none_or(|m| ("01"..="12").contains(&m));
    let day_ok = value.get(8..10).is_none_or(|d| ("01"..="31").contains(&d));
    if shape_ok && month_ok && day_ok {
        Ok(value)
    } else {
        Err(Error::Usage(format!(
            "{option} {value:?}: expected a date as YYYY, YYYY-MM or YYYY-MM-DD"
        )))
    }
}

/// Labels, classes, Wikidata items and descriptions of every speaker and addressee.
fn entities(store: &GraphStore, cancel: Option<&CancellationToken>) -> Result<BTreeMap<String, EntityInfo>> {
    let text = format!(
        "{PREFIXES}SELECT ?entity ?label ?type ?wikidata ?comment WHERE {{
  {{ SELECT DISTINCT ?entity WHERE {{ {{ ?s sg:speaker ?entity }} UNION {{ ?s sg:addressee ?entity }} }} }}
  OPTIONAL {{ ?entity rdfs:label ?label }}
  OPTIONAL {{ ?entity a ?type FILTER(STRSTARTS(STR(?type), STR(sg:))) }}
  OPTIONAL {{ ?entity owl:sameAs ?wikidata FILTER(STRSTARTS(STR(?wikidata), \"http://www.wikidata.org/entity/\")) }}
  OPTIONAL {{ ?entity rdfs:comment ?comment }}
}}"
    );
    let mut entities: BTreeMap<String, EntityInfo> = BTreeMap::new();
    for solution in select(store, &text, cancel)? {
        let Some(entity) = iri(&solution, "entity") else {
            continue;
        };
        let info = entities.entry(entity).or_default();
        least(&mut info.label, text_of(&solution, "label"));
        least(&mut info.kind, iri(&solution, "type").map(|t| super::local_name(&t)));
        least(&mut info.wikidata, iri(&solution, "wikidata"));
        least(&mut info.description, text_of(&solution, "comment"));
    }
    Ok(entities)
}

/// Each act's English label and CAMEO code.
fn acts(store: &GraphStore, cancel: Option<&CancellationToken>) -> Result<BTreeMap<String, (String, Option<String>)>> {
    let text = format!(
        "{PREFIXES}SELECT ?act ?label ?code WHERE {{
  {{ SELECT DISTINCT ?act WHERE {{ ?s sg:act ?act }} }}
  OPTIONAL {{ ?act skos:prefLabel ?label FILTER(LANG(?label) = \"\" || LANGMATCHES(LANG(?label), \"en\")) }}
  OPTIONAL {{ ?act skos:notation ?code }}
}}"
    );
    let mut acts: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
    for solution in select(store, &text, cancel)? {
        let Some(act) = iri(&solution, "act") else { continue };
        let entry = acts.entry(act).or_default();
        least(&mut entry.0, text_of(&solution, "label"));
        least(&mut entry.1, text_of(&solution, "code"));
    }
    let mut named: BTreeMap<String, (String, Option<String>)> = acts
        .into_iter()
        .map(|(iri, (label, code))| {
            let label = label.unwrap_or_else(|| super::local_name(&iri));
            (iri, (label, code))
        })
        .collect();
    let say = Act::DEFAULT;
    named
        .entry(say.iri())
        .or_insert_with(|| (say.label().unwrap_or(say.name).to_owned(), say.cameo.map(str::to_owned)));
    Ok(named)
}

/// The labels of each statement's topics, sorted.
fn topics(store: &GraphStore, cancel: Option<&CancellationToken>) -> Result<BTreeMap<String, Vec<String>>> {
    let text = format!(
        "{PREFIXES}SELECT ?statement ?topic (MIN(STR(?name)) AS ?label) WHERE {{
  ?statement sg:about ?topic .
  OPTIONAL {{ ?topic rdfs:label ?name }}
}} GROUP BY ?statement ?topic"
    );
    let mut topics: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for solution in select(store, &text, cancel)? {
        let (Some(statement), Some(topic)) = (iri(&solution, "statement"), iri(&solution, "topic")) else {
            continue;
        };
        let label = text_of(&solution, "label").unwrap_or_else(|| super::local_name(&topic));
        topics.entry(statement).or_default().push(label);
    }
    for labels in topics.values_mut() {
        labels.sort();
        labels.dedup();
    }
    Ok(topics)
}

/// Runs a SELECT over the union of the store's graphs.
fn select(store: &GraphStore, text: &str, cancel: Option<&CancellationToken>) -> Result<Vec<QuerySolution>> {
    let parsed = query::parse(text, "the network query", &[])?;
    let mut evaluator = SparqlEvaluator::new();
    if let Some(token) = cancel {
        evaluator = evaluator.with_cancellation_token(token.clone());
    }
    let mut prepared = evaluator.for_query(parsed);
    prepared.dataset_mut().set_default_graph_as_union();
    match prepared.on_store(store.store()).execute()? {
        QueryResults::Solutions(solutions) => Ok(solutions.collect::<Result<Vec<_>, _>>()?),
        _ => Err(Error::Internal("the network query is not a SELECT".to_owned())),
    }
}

fn iri(solution: &QuerySolution, variable: &str) -> Option<String> {
    match solution.get(variable)? {
        Term::NamedNode(node) => Some(node.as_str().to_owned()),
        _ => None,
    }
}

fn text_of(solution: &QuerySolution, variable: &str) -> Option<String> {
    match solution.get(variable)? {
        Term::Literal(literal) => Some(literal.value().to_owned()),
        Term::NamedNode(node) => Some(node.as_str().to_owned()),
        _ => None,
    }
}

/// Keeps the least value seen, so the store's order never decides.
fn least(slot: &mut Option<String>, value: Option<String>) {
    if let Some(value) = value
        && slot.as_ref().is_none_or(|old| value < *old)
    {
        *slot = Some(value);
    }
}

fn join(iris: &[NamedNode]) -> String {
    iris.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_acts_and_families_are_checked_before_they_reach_the_query() {
        assert!(check_date("--from", "2024-06").is_ok());
        assert!(check_date("--from", "2024-06-31").is_ok());
        for bad in ["2024-13", "24", "2024-06-1", "2024\") || true || (\"", "2024/06"] {
            assert!(check_date("--to", bad).is_err_and(|e| e.is_usage()), "{bad}");
        }
        assert_eq!(
            act_test("warn").ok().as_deref(),
            Some("?act = <https://w3id.org/saidgraph/act#warn>")
        );
        assert_eq!(
            act_test("046").ok().as_deref(),
            Some("EXISTS { ?act skos:notation \"046\" }")
        );
        assert!(act_test("verbal-conflict").is_ok_and(|t| t.contains("\"10\", \"11\", \"12\", \"13\", \"14\"")));
        assert!(act_test("warns").is_err_and(|e| e.to_string().starts_with("--act warns: unknown act")));
    }

    #[test]
    fn a_dataset_is_its_named_graph() -> Result<()> {
        use oxigraph::model::{GraphName, Quad};
        let store = GraphStore::in_memory()?;
        let base = "https://kb.example.org/";
        let graph = graph_iri(base, "seed article");
        let statement = NamedNode::new_unchecked(format!("{base}statement/s1"));
        let speaker = NamedNode::new_unchecked(format!("{base}entity/a"));
        let label = vocab::std_terms::RDFS_LABEL.into_owned();
        store.load_quads([
            Quad::new(
                statement.clone(),
                vocab::sg::SPEAKER,
                speaker.clone(),
                GraphName::from(graph.clone()),
            ),
            Quad::new(speaker, label, Literal::new_simple_literal("A"), GraphName::from(graph)),
        ])?;
        let bases = [base.to_owned()];
        let options = NetworkOptions {
            datasets: vec!["seed article".to_owned()],
            ..NetworkOptions::default()
        };
        let rows = fetch(&store, &bases, &options, None)?;
        assert_eq!(rows.rows.len(), 1);
        assert_eq!(rows.rows[0].statement, statement.as_str());
        let missing = NetworkOptions {
            datasets: vec!["other".to_owned()],
            ..NetworkOptions::default()
        };
        let error = fetch(&store, &bases, &missing, None).err().map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some(
                "--dataset other: no such dataset in this data (its graph would be <https://kb.example.org/graph/other>)"
            )
        );
        Ok(())
    }
}
