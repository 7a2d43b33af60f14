//! Asking a SPARQL endpoint only for what linking needs, in standard SPARQL 1.1 (no
//! engine hints), in small batches:
//!
//! 1. **names**: `VALUES` over the exact labels the name tiers may meet
//!    ([`super::variants`]), in the languages asked for, against the label predicates;
//! 2. **candidates**: the labels (in those languages) and types of the resources found,
//!    of the entities' own links and of Quotebank's candidates;
//! 3. **classes**: what the candidates' types are declared equivalent to or narrower
//!    than, a few levels up;
//! 4. **context** (later, [`super::target`]): what the contested candidates point to.
//!
//! [`Profile`] says which predicates an endpoint uses; `--target wikidata` and
//! `--target dbpedia` are presets.

use std::collections::BTreeSet;

use oxigraph::model::{Literal, NamedNode, Term};

use super::entities::Entity;
use super::index::{ALIAS_LABELS, CLASS_PREDICATES, PREFERRED_LABELS, TYPE_PREDICATES, TargetIndex, WDT_P31, WDT_P279};
use super::polite::{Polite, Row};
use super::variants::surface_forms;
use crate::error::Result;
use crate::vocab::std_terms;

/// Label literals per names query.
const NAMES_PER_QUERY: usize = 200;
/// Resources per candidates, classes or context query.
pub(super) const RESOURCES_PER_QUERY: usize = 100;
/// How many levels of class declarations are followed up from a candidate's type.
const CLASS_LEVELS: usize = 3;

// The presets' predicates, from the lists the index knows them by.
const RDFS_LABEL: &str = PREFERRED_LABELS[0];
const SKOS_ALT_LABEL: &str = ALIAS_LABELS[0];
const RDF_TYPE: &str = TYPE_PREDICATES[0];
const OWL_EQUIVALENT: &str = CLASS_PREDICATES[0].0;
const RDFS_SUBCLASS: &str = CLASS_PREDICATES[1].0;

/// A SPARQL endpoint and the predicates it names things, types and classes with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub url: String,
    /// The preset it comes from, if any.
    pub preset: Option<&'static str>,
    pub labels: Vec<&'static str>,
    pub aliases: Vec<&'static str>,
    pub types: Vec<&'static str>,
    pub classes: Vec<&'static str>,
    /// Whether labels may come without a language tag (not so on Wikidata or DBpedia).
    pub untagged: bool,
}

impl Profile {
    /// Any endpoint: every label, alias, type and class predicate linking knows.
    pub fn generic(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            preset: None,
            labels: PREFERRED_LABELS.to_vec(),
            aliases: ALIAS_LABELS.to_vec(),
            types: TYPE_PREDICATES.to_vec(),
            classes: CLASS_PREDICATES.iter().map(|(p, _)| *p).collect(),
            untagged: true,
        }
    }

    /// `wikidata` or `dbpedia`, at their public URL or (`wikidata=URL`) at another, such
    /// as a mirror.
    pub fn preset(name: &str, url: Option<&str>) -> Option<Self> {
        let (preset, public, types, classes): (_, _, &[&str], &[&str]) = match name {
            "wikidata" => ("wikidata", "https://query.wikidata.org/sparql", &[WDT_P31], &[WDT_P279]),
            "dbpedia" => (
                "dbpedia",
                "https://dbpedia.org/sparql",
                &[RDF_TYPE],
                &[RDFS_SUBCLASS, OWL_EQUIVALENT],
            ),
            _ => return None,
        };
        Some(Self {
            url: url.unwrap_or(public).to_owned(),
            preset: Some(preset),
            labels: vec![RDFS_LABEL],
            aliases: if preset == "wikidata" {
                vec![SKOS_ALT_LABEL]
            } else {
                vec![]
            },
            types: types.to_vec(),
            classes: classes.to_vec(),
            untagged: false,
        })
    }
}

fn iris<'a>(iris: impl IntoIterator<Item = &'a str>) -> String {
    iris.into_iter().map(|i| format!("<{i}> ")).collect()
}

/// The label languages to ask for when none were given: English, Wikidata's `mul`
/// (labels valid in every language), and the languages of the knowledge base's own
/// tagged text (quotations) and `dcterms:language`.
pub fn default_languages(triples: &[oxigraph::model::Triple]) -> Vec<String> {
    let mut found: BTreeSet<String> = ["en", "mul"].map(str::to_owned).into();
    let language = std_terms::DCTERMS_LANGUAGE;
    for triple in triples {
        if let Term::Literal(literal) = &triple.object {
            if let Some(tag) = literal.language() {
                found.insert(tag.to_ascii_lowercase());
            } else if triple.predicate.as_ref() == language && literal.value().len() <= 8 {
                found.insert(literal.value().to_ascii_lowercase());
            }
        }
    }
    found.into_iter().collect()
}

/// The names query for one batch of label literals.
pub(super) fn names_query(profile: &Profile, literals: &[Literal]) -> String {
    let values: String = literals.iter().map(|l| format!("{l} ")).collect();
    let predicates = iris(profile.labels.iter().chain(&profile.aliases).copied());
    format!("SELECT ?s ?p ?o WHERE {{ VALUES ?o {{ {values}}} VALUES ?p {{ {predicates}}} ?s ?p ?o . }}")
}

/// The candidates query: labels in `languages`, and types, of one batch of resources.
pub(super) fn candidates_query(profile: &Profile, resources: &[&str], languages: &[String]) -> String {
    let predicates = iris(
        profile
            .labels
            .iter()
            .chain(&profile.aliases)
            .chain(&profile.types)
            .copied(),
    );
    let tags: Vec<String> = languages
        .iter()
        .map(|l| format!("\"{l}\""))
        .chain(profile.untagged.then(|| "\"\"".to_owned()))
        .collect();
    format!(
        "SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {}}} VALUES ?p {{ {predicates}}} ?s ?p ?o . \
         FILTER(isIRI(?o) || LANG(?o) IN ({})) }}",
        iris(resources.iter().copied()),
        tags.join(", ")
    )
}

/// The classes query: what one batch of classes is declared equivalent to or narrower than.
pub(super) fn classes_query(profile: &Profile, classes: &[&str]) -> String {
    let values = iris(classes.iter().copied());
    let predicates = iris(profile.classes.iter().copied());
    let mut query =
        format!("SELECT ?s ?p ?o WHERE {{ {{ VALUES ?s {{ {values}}} VALUES ?p {{ {predicates}}} ?s ?p ?o . }}");
    if profile.classes.contains(&OWL_EQUIVALENT) {
        query.push_str(&format!(
            " UNION {{ VALUES ?o {{ {values}}} ?s ?p ?o . VALUES ?p {{ <{OWL_EQUIVALENT}> }} }}"
        ));
    }
    query.push_str(" }");
    query
}

/// The context query: the IRIs one batch of resources points to.
pub(super) fn context_query(resources: &[String]) -> String {
    format!(
        "SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {}}} ?s ?p ?o . FILTER(isIRI(?o)) }}",
        iris(resources.iter().map(String::as_str))
    )
}

impl TargetIndex {
    pub(super) fn add_rows(&mut self, answers: Vec<Vec<Row>>) {
        for (s, p, o) in answers.into_iter().flatten() {
            if !self.seen_rows.insert((s.clone(), p.clone(), o.to_string())) {
                continue;
            }
            let (s, p) = (NamedNode::new_unchecked(s), NamedNode::new_unchecked(p));
            self.add(s.as_ref().into(), p.as_ref(), o.as_ref());
        }
    }

    /// Asks each endpoint for the labels, types and classes the entities need (steps 1
    /// to 3 above), then readies the index for look-ups. Nothing to do without endpoints.
    pub(super) fn fetch_for(&mut self, entities: &[Entity]) -> Result<()> {
        let Some(client) = self.client.take() else {
            return Ok(());
        };
        let languages = client.languages().unwrap_or_default().to_vec();
        let result = self.fetch_with(entities, &client, &languages);
        self.client = Some(client);
        result
    }

    fn fetch_with(&mut self, entities: &[Entity], client: &Polite, languages: &[String]) -> Result<()> {
        for profile in self.endpoints.clone() {
            // 1. Names, as every tier may meet them, in every language asked for.
            let mut literals: Vec<Literal> = Vec::new();
            let mut seen = BTreeSet::new();
            for entity in entities {
                for (name, _) in &entity.names {
                    for form in surface_forms(&name.exact) {
                        for language in languages {
                            if let Ok(literal) = Literal::new_language_tagged_literal(form.as_str(), language.as_str())
                                && seen.insert(literal.to_string())
                            {
                                literals.push(literal);
                            }
                        }
                        if profile.untagged && seen.insert(format!("\"{form}\"")) {
                            literals.push(Literal::new_simple_literal(form.as_str()));
                        }
                    }
                }
            }
            let queries: Vec<String> = literals
                .chunks(NAMES_PER_QUERY)
                .map(|batch| names_query(&profile, batch))
                .collect();
            let answers = client.select_all(&profile.url, &queries)?;
            self.add_rows(answers);

            // 2. The candidates' labels and types, with the entities' own links and
            //    Quotebank's candidates.
            let mut resources: BTreeSet<String> = self
                .labels
                .iter()
                .map(|l| self.iris.iri(l.subject).to_owned())
                .collect();
            for entity in entities {
                resources.extend(entity.same_as.iter().cloned());
                resources.extend(entity.candidates.iter().cloned());
            }
            let resources: Vec<&str> = resources.iter().map(String::as_str).collect();
            let queries: Vec<String> = resources
                .chunks(RESOURCES_PER_QUERY)
                .map(|batch| candidates_query(&profile, batch, languages))
                .collect();
            let answers = client.select_all(&profile.url, &queries)?;
            self.add_rows(answers);

            // 3. Their types' class declarations, a few levels up.
            let mut asked: BTreeSet<String> = BTreeSet::new();
            let mut classes: BTreeSet<String> = self.types.iter().map(|(_, c)| self.iris.iri(*c).to_owned()).collect();
            for _ in 0..CLASS_LEVELS {
                let wanted: Vec<&str> = classes
                    .iter()
                    .filter(|c| !asked.contains(*c))
                    .map(String::as_str)
                    .collect();
                if wanted.is_empty() || profile.classes.is_empty() {
                    break;
                }
                let queries: Vec<String> = wanted
                    .chunks(RESOURCES_PER_QUERY)
                    .map(|batch| classes_query(&profile, batch))
                    .collect();
                asked.extend(wanted.iter().map(|c| (*c).to_owned()));
                let answers = client.select_all(&profile.url, &queries)?;
                for (s, _, o) in answers.iter().flatten() {
                    classes.insert(s.clone());
                    if let Term::NamedNode(o) = o {
                        classes.insert(o.as_str().to_owned());
                    }
                }
                self.add_rows(answers);
            }
        }
        self.finish();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queries_are_standard_sparql() {
        let wikidata = Profile::preset("wikidata", None).expect("a preset");
        let literals = [Literal::new_language_tagged_literal_unchecked("Mike Thompson", "en")];
        let queries = [
            names_query(&wikidata, &literals),
            candidates_query(&wikidata, &["http://www.wikidata.org/entity/Q1"], &["en".into()]),
            classes_query(
                &Profile::preset("dbpedia", None).expect("a preset"),
                &["http://dbpedia.org/ontology/Person"],
            ),
            context_query(&["http://www.wikidata.org/entity/Q1".into()]),
        ];
        for query in queries {
            spargebra::SparqlParser::new()
                .parse_query(&query)
                .unwrap_or_else(|e| panic!("{e}: {query}"));
        }
        assert!(Profile::preset("yago", None).is_none());
    }
}
