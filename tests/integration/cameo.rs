//! GDELT's CAMEO, exactly (issue 16, item 5): every event code in GDELT's own lookup table
//! (`tests/fixtures/gdelt-cameo/CAMEO.eventcodes.txt`, a copy of GDELT's file; its README
//! says where from) has its concept in the act scheme, with GDELT's label after the
//! corrections `ontology/cameo.py` lists. The codes that are named acts have theirs in
//! `ontology/acts.ttl`, whose definition quotes GDELT's name; the others are in
//! `ontology/cameo.ttl`, labelled with it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedOrBlankNode, Term};
use sha2::{Digest, Sha256};

const ACT: &str = "https://w3id.org/saidgraph/act#";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";

/// GDELT's glitches and the labels that replace them, as in `cameo.py`'s `FIXES` (which
/// says why for each): a typo (033), mojibake (044), and 1056's line running into 106's.
const FIXES: [(&str, &str); 4] = [
    ("033", "Express intent to provide material aid, not specified below"),
    ("044", "Meet at a \u{201c}third\u{201d} location"),
    ("1056", "Demand de-escalation of military engagement"),
    ("106", "Demand withdrawal"),
];

/// The concepts `cameo.ttl` keeps for codes GDELT's table lacks (`cameo.py`'s `LEGACY`:
/// the earlier lookup's misnumbered 0356 and 1661-1663), so that their IRIs still resolve.
const LEGACY: [&str; 4] = ["0357", "1641", "1642", "1643"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    let path = root().join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// GDELT's table as code → expected label: spaces trimmed and collapsed, the roots' capitals
/// ("MAKE PUBLIC STATEMENT") in sentence case, the four QuadClass lines left out, the fixes
/// applied.
fn gdelt_labels(table: &str) -> BTreeMap<String, String> {
    let mut lines = table.split("\r\n");
    assert_eq!(lines.next(), Some("CAMEOEVENTCODE\tEVENTDESCRIPTION"));
    let mut labels = BTreeMap::new();
    for line in lines.filter(|line| !line.is_empty()) {
        let (code, text) = line.split_once('\t').unwrap_or_else(|| panic!("no tab in {line:?}"));
        assert!(code.bytes().all(|b| b.is_ascii_digit()), "{line:?}");
        if code.len() == 1 {
            continue;
        }
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let label = if text.chars().any(char::is_lowercase) {
            text
        } else {
            let mut chars = text.chars();
            chars
                .next()
                .into_iter()
                .chain(chars.flat_map(char::to_lowercase))
                .collect()
        };
        assert!(labels.insert(code.to_owned(), label).is_none(), "{code} twice");
    }
    for (code, label) in FIXES {
        labels.insert(code.to_owned(), label.to_owned());
    }
    labels
}

/// A concept of the scheme, as a Turtle file gives it.
#[derive(Debug, Default)]
struct Concept {
    notations: Vec<String>,
    labels: Vec<String>,
    definitions: Vec<String>,
    schemes: Vec<String>,
}

/// The concepts of a Turtle file, by IRI.
fn concepts(turtle: &str) -> BTreeMap<String, Concept> {
    let mut concepts: BTreeMap<String, Concept> = BTreeMap::new();
    for quad in RdfParser::from_format(RdfFormat::Turtle).for_slice(turtle.as_bytes()) {
        let quad = quad.expect("the ontology parses");
        let NamedOrBlankNode::NamedNode(subject) = quad.subject else {
            continue;
        };
        let value = match &quad.object {
            Term::Literal(literal) if literal.language() == Some("en") => format!("{}@en", literal.value()),
            Term::Literal(literal) => literal.value().to_owned(),
            Term::NamedNode(node) => node.as_str().to_owned(),
            _ => continue,
        };
        let concept = concepts.entry(subject.as_str().to_owned()).or_default();
        match quad.predicate.as_str().strip_prefix(SKOS) {
            Some("notation") => concept.notations.push(value),
            Some("prefLabel") => concept.labels.push(value),
            Some("definition") => concept.definitions.push(value),
            Some("inScheme") => concept.schemes.push(value),
            _ => {}
        }
    }
    concepts
}

/// Every way `cameo_ttl` and `acts_ttl` fail GDELT's `table`, one line each.
fn mismatches(table: &str, cameo_ttl: &str, acts_ttl: &str) -> Vec<String> {
    let gdelt = gdelt_labels(table);
    let cameo = concepts(cameo_ttl);
    let acts = concepts(acts_ttl);
    let mut found = Vec::new();
    for (code, label) in &gdelt {
        let named: Vec<(&String, &Concept)> = acts.iter().filter(|(_, c)| c.notations.contains(code)).collect();
        let iri = format!("{ACT}cameo-{code}");
        if !named.is_empty() {
            let quote = format!("CAMEO {code} \"{label}\"");
            for (iri, concept) in named {
                if !concept.definitions.iter().any(|d| d.contains(&quote)) {
                    found.push(format!("{iri}: its definition does not quote {quote}"));
                }
            }
            if cameo.contains_key(&iri) {
                found.push(format!("{iri}: {code} is a named act, yet in cameo.ttl too"));
            }
            continue;
        }
        let Some(concept) = cameo.get(&iri) else {
            found.push(format!("{code}: no concept {iri} in cameo.ttl"));
            continue;
        };
        if concept.labels != [format!("{label}@en")] {
            found.push(format!(
                "{iri}: labelled {:?}, not GDELT's {label:?}@en",
                concept.labels
            ));
        }
        if concept.notations != [code.clone()] || concept.schemes != [format!("{ACT}scheme")] {
            found.push(format!(
                "{iri}: notations {:?}, schemes {:?}",
                concept.notations, concept.schemes
            ));
        }
    }
    for (iri, concept) in &cameo {
        let known = concept
            .notations
            .iter()
            .all(|code| gdelt.contains_key(code) || LEGACY.contains(&code.as_str()));
        if !known || concept.notations.is_empty() {
            found.push(format!("{iri}: {:?} is not a code of GDELT's table", concept.notations));
        }
    }
    found
}

#[test]
fn every_gdelt_code_has_its_concept_with_gdelts_label() {
    let table = read("tests/fixtures/gdelt-cameo/CAMEO.eventcodes.txt");
    let found = mismatches(&table, &read("ontology/cameo.ttl"), &read("ontology/acts.ttl"));
    assert!(
        found.is_empty(),
        "ontology/ differs from GDELT's CAMEO:\n{}",
        found.join("\n")
    );
    // 310 lines of codes, and 106 which has none of its own.
    assert_eq!(gdelt_labels(&table).len(), 311);
}

/// The check sees a wrong label, a missing concept, a code GDELT does not have, and a
/// named act whose definition misquotes GDELT.
#[test]
fn the_check_finds_what_is_wrong() {
    let table = read("tests/fixtures/gdelt-cameo/CAMEO.eventcodes.txt");
    let cameo = read("ontology/cameo.ttl")
        .replace("\"Veto\"@en", "\"Veto, not specified below\"@en")
        .replace("act:cameo-116 ", "act:cameo-1169 ")
        .replace("\"116\"", "\"1169\"");
    let acts = read("ontology/acts.ttl").replace("CAMEO 016 \\\"Deny responsibility", "CAMEO 016 \\\"Deny");
    let found = mismatches(&table, &cameo, &acts);
    assert_eq!(
        found,
        [
            format!("{ACT}deny: its definition does not quote CAMEO 016 \"Deny responsibility\""),
            format!("116: no concept {ACT}cameo-116 in cameo.ttl"),
            format!("{ACT}cameo-129: labelled [\"Veto, not specified below@en\"], not GDELT's \"Veto\"@en"),
            format!("{ACT}cameo-1169: [\"1169\"] is not a code of GDELT's table"),
        ],
        "{}",
        found.join("\n")
    );
}

/// `cameo.ttl` was generated from this very copy of GDELT's table: its header names the
/// copy's SHA-256, as `cameo.py` writes it.
#[test]
fn cameo_ttl_names_the_table_it_was_generated_from() {
    let table = std::fs::read(root().join("tests/fixtures/gdelt-cameo/CAMEO.eventcodes.txt")).expect("the table");
    let digest: String = Sha256::digest(&table).iter().map(|b| format!("{b:02x}")).collect();
    let cameo = read("ontology/cameo.ttl");
    let header: String = cameo.lines().take_while(|line| line.starts_with('#')).collect();
    assert!(header.contains(&format!("sha256 {digest}")), "{header}");
}

/// The committed table is byte for byte the shared data folder's, when that is beside the
/// clone (or at `$SAIDGRAPH_SHARED_DATA`).
#[test]
fn the_table_is_gdelts_file_byte_for_byte() {
    let data = std::env::var_os("SAIDGRAPH_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/data"));
    let shared = data.join("gdelt-events/lookups/CAMEO.eventcodes.txt");
    if !Path::new(&shared).is_file() {
        assert!(std::env::var_os("CI").is_none(), "{}: missing", shared.display());
        eprintln!("SKIPPED: no {}", shared.display());
        return;
    }
    let ours = std::fs::read(root().join("tests/fixtures/gdelt-cameo/CAMEO.eventcodes.txt")).expect("the table");
    assert!(
        ours == std::fs::read(&shared).expect("the shared table"),
        "{} differs",
        shared.display()
    );
}

/// The importer's own lookup (`Act::by_cameo`, which names an event's act and its
/// summary's label) finds every code of GDELT's table as itself.
#[test]
fn the_importer_finds_every_gdelt_code() {
    let table = read("tests/fixtures/gdelt-cameo/CAMEO.eventcodes.txt");
    for (code, label) in gdelt_labels(&table) {
        let act = saidgraph::vocab::Act::by_cameo(&code).unwrap_or_else(|| panic!("no act for {code}"));
        assert_eq!(act.cameo, Some(code.as_str()));
        if act.name.starts_with("cameo-") {
            assert_eq!(act.label(), Some(label.as_str()), "{code}");
        }
    }
}
