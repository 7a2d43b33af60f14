//! The generated inputs: ids, texts, dates, whole valid knowledge bases, GDELT rows and
//! Quotebank lines.

use std::collections::HashSet;

use proptest::prelude::*;
use serde_json::{Value, json};

/// Ids as people write them, and as they should not but may: spaces, `#`, `%`, `<>`,
/// quotes, newlines, backslashes, emoji, non-Latin scripts.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,10}",
        "\\PC{1,12}",
        "[ #%<>\"\\\\\n/.?&=😀ä한글Ω]{1,8}",
    ]
    .prop_filter("an id is not blank", |s| !s.trim().is_empty())
}

pub(super) fn text() -> impl Strategy<Value = String> {
    prop_oneof!["[A-Za-z ]{1,20}", "\\PC{1,30}", "[a\"\\\\\n\t\r😀<>]{1,10}"]
        .prop_filter("text is not blank", |s| !s.trim().is_empty())
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        (1000u32..2100).prop_map(|y| format!("{y}")),
        (1000u32..2100, 1u32..13).prop_map(|(y, m)| format!("{y}-{m:02}")),
        (1000u32..2100, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        (1000u32..2100, 1u32..13, 1u32..29, 0u32..24)
            .prop_map(|(y, m, d, h)| format!("{y}-{m:02}-{d:02}T{h:02}:30:00Z")),
    ]
}

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9/._~-]{0,12}".prop_map(|path| format!("https://example.org/{path}")),
        "[äöü한글/]{1,6}".prop_map(|path| format!("http://例え.jp/{path}")),
    ]
}

fn language() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("en"), Just("ko"), Just("pt-BR")]
}

/// A valid knowledge base as a JSON document: entities (with aliases, descriptions and
/// Wikidata links), sources (with publishers), statements with every field (references to
/// entities, sources and earlier statements, stances, quotes, dates) and relations.
pub(super) fn knowledge_base() -> impl Strategy<Value = Value> {
    (
        prop::collection::hash_set(id(), 1..6),
        prop::collection::hash_set(id(), 0..6),
        prop::collection::hash_set(id(), 0..3),
    )
        .prop_flat_map(|(entity_ids, statement_ids, source_ids)| {
            let entities: Vec<String> = entity_ids.into_iter().collect();
            let statement_ids: Vec<String> = statement_ids.into_iter().collect();
            let sources: Vec<String> = source_ids.into_iter().collect();
            let n = entities.len();
            let types = saidgraph::vocab::ENTITY_TYPES.len();
            let acts = saidgraph::vocab::ACTS.len();
            let entity_records = prop::collection::vec(
                (
                    0..types,
                    text(),
                    prop::collection::vec(text(), 0..3),
                    proptest::option::of(text()),
                    prop::collection::vec((1u32..100_000, any::<bool>()), 0..2),
                ),
                n,
            );
            let source_records = prop::collection::vec(
                (
                    proptest::option::of(text()),
                    proptest::option::of(url()),
                    proptest::option::of(0..n),
                    proptest::option::of(date()),
                    proptest::option::of(language()),
                ),
                sources.len(),
            );
            let statements = prop::collection::vec(
                (
                    (
                        0..n,
                        0..acts,
                        prop::collection::vec(0..n, 0..3),
                        proptest::option::of(text()),
                        proptest::option::of(language()),
                        proptest::option::of(date()),
                        proptest::option::of(0u32..=100),
                    ),
                    (
                        prop::collection::vec(0..n, 0..2),
                        proptest::option::of(0..n),
                        proptest::option::of(any::<usize>()),
                        proptest::option::of(0..n),
                        proptest::option::of(any::<usize>()),
                        proptest::option::of(0..saidgraph::vocab::STANCES.len()),
                    ),
                ),
                statement_ids.len()..=statement_ids.len() + 2,
            );
            let relations = prop::collection::vec(
                (
                    0..n,
                    0..saidgraph::vocab::RELATION_PREDICATES.len(),
                    0..n,
                    proptest::option::of(date()),
                    proptest::option::of(any::<usize>()),
                ),
                0..3,
            );
            (
                Just((entities, statement_ids, sources)),
                entity_records,
                source_records,
                statements,
                relations,
            )
        })
        .prop_map(
            |((entities, statement_ids, sources), entity_records, source_records, statements, relations)| {
                let pick_source = |k: Option<usize>| k.filter(|_| !sources.is_empty()).map(|k| sources[k % sources.len()].clone());
                let entity_values: Vec<Value> = entities
                    .iter()
                    .zip(entity_records)
                    .map(|(id, (t, name, aliases, description, links))| {
                        let mut e = json!({"id": id, "type": saidgraph::vocab::ENTITY_TYPES[t].0, "name": name, "aliases": aliases});
                        if let Some(description) = description {
                            e["description"] = json!(description);
                        }
                        if !links.is_empty() {
                            let links: Vec<String> = links
                                .into_iter()
                                .map(|(q, prefixed)| if prefixed { format!("wd:Q{q}") } else { format!("http://www.wikidata.org/entity/Q{q}") })
                                .collect();
                            e["same_as"] = json!(links);
                        }
                        e
                    })
                    .collect();
                let source_values: Vec<Value> = sources
                    .iter()
                    .zip(source_records)
                    .map(|(id, (title, url, publisher, published, language))| {
                        let mut s = json!({"id": id});
                        let fields = [
                            ("title", title),
                            ("url", url),
                            ("publisher", publisher.map(|p| entities[p].clone())),
                            ("published", published),
                            ("language", language.map(str::to_owned)),
                        ];
                        for (field, value) in fields {
                            if let Some(value) = value {
                                s[field] = json!(value);
                            }
                        }
                        s
                    })
                    .collect();
                let statement_values: Vec<Value> = statements
                    .into_iter()
                    .enumerate()
                    .map(|(i, ((speaker, act, addressees, quote, lang, date, confidence), (about, place, source, reported_by, reply, stance)))| {
                        let mut s = json!({"speaker": entities[speaker], "act": saidgraph::vocab::ACTS[act].name,
                        "addressees": addressees.iter().map(|a| entities[*a].clone()).collect::<Vec<_>>()});
                        if let Some(id) = statement_ids.get(i) {
                            s["id"] = json!(id);
                        } else {
                            // Records without an id must still differ, or they are one record twice.
                            s["summary"] = json!(format!("statement {i}"));
                        }
                        if let Some(quote) = quote {
                            s["quote"] = json!(quote);
                            if let Some(lang) = lang {
                                s["quote_lang"] = json!(lang);
                            }
                        }
                        if let Some(date) = date {
                            s["date"] = json!(date);
                        }
                        if let Some(c) = confidence {
                            s["confidence"] = json!(f64::from(c) / 100.0);
                        }
                        if !about.is_empty() {
                            s["about"] = json!(about.iter().map(|a| entities[*a].clone()).collect::<Vec<_>>());
                        }
                        if let Some(place) = place {
                            s["place"] = json!(entities[place]);
                        }
                        if let Some(source) = pick_source(source) {
                            s["source"] = json!(source);
                        }
                        if let Some(reported_by) = reported_by {
                            s["reported_by"] = json!(entities[reported_by]);
                        }
                        // A reply to an earlier statement that has an id.
                        if let Some(k) = reply
                            && i > 0
                            && let Some(earlier) = statement_ids.get(k % i)
                        {
                            s["in_reply_to"] = json!(earlier);
                        }
                        if let Some(stance) = stance {
                            s["stance"] = json!(saidgraph::vocab::STANCES[stance].0);
                        }
                        s
                    })
                    .collect();
                let mut seen = HashSet::new();
                let relation_values: Vec<Value> = relations
                    .into_iter()
                    .map(|(subject, predicate, object, date, source)| (subject, predicate, object, date, pick_source(source)))
                    // Relations without an id must differ, or they are one relation twice.
                    .filter(|relation| seen.insert(relation.clone()))
                    .map(|(subject, predicate, object, date, source)| {
                        let mut r = json!({"subject": entities[subject], "predicate": saidgraph::vocab::RELATION_PREDICATES[predicate].0, "object": entities[object]});
                        if let Some(date) = date {
                            r["date"] = json!(date);
                        }
                        if let Some(source) = source {
                            r["source"] = json!(source);
                        }
                        r
                    })
                    .collect();
                json!({"sources": source_values, "entities": entity_values, "statements": statement_values, "relations": relation_values})
            },
        )
}

/// A GDELT event row: 61 cells (2.0), 58 or 57 (1.0), of plausible and implausible values.
pub(super) fn gdelt_row() -> impl Strategy<Value = String> {
    let cell = prop_oneof![
        Just(String::new()),
        "[0-9]{1,9}",
        "(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9])",
        "[A-Z]{3,9}",
        "[A-Za-z ]{1,20}",
        "-?[0-9]{1,2}\\.[0-9]{1,3}",
        "https?://[a-z]{1,8}\\.example/[a-z0-9/]{0,12}",
        "\\PC{1,12}",
    ];
    (
        prop_oneof![Just(61usize), Just(58), Just(57), 1usize..70],
        prop::collection::vec(cell, 70),
        "[0-9]{1,6}",
        "0[1-9][0-9]{0,2}|1[0-9]{2}|[0-9]{2,4}",
        "[1-4]",
    )
        .prop_map(|(width, mut cells, id, code, quad)| {
            cells.truncate(width);
            if width > 29 {
                cells[0] = id;
                cells[26] = code;
                cells[29] = quad;
            }
            cells.join("\t")
        })
}

/// A Quotebank quotation as one of its JSON line forms.
pub(super) fn quotebank_line() -> impl Strategy<Value = String> {
    let qid = "Q[0-9]{1,6}";
    (
        "[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{6}",
        text(),
        prop_oneof![Just("None".to_owned()), text()],
        prop::collection::vec(qid, 0..3),
        prop_oneof![
            Just(json!("2020-01-17 00:00:00")),
            any::<i64>().prop_map(|ms| json!(ms)),
            "\\PC{0,12}".prop_map(|s| json!(s)),
        ],
        proptest::option::of(0u64..1000),
        prop::collection::vec((text(), "0\\.[0-9]{1,4}"), 0..3),
        prop::collection::vec(
            prop_oneof!["https://[a-z]{1,8}\\.example/[a-z]{0,8}", "\\PC{1,10}"],
            0..3,
        ),
        any::<bool>(),
    )
        .prop_map(
            |(id, quotation, speaker, qids, date, occurrences, probas, urls, misspelt)| {
                let mut line = json!({"quoteID": id, "quotation": quotation, "speaker": speaker, "qids": qids,
                "date": date, "probas": probas.iter().map(|(n, p)| json!([n, p])).collect::<Vec<_>>(), "urls": urls});
                if let Some(n) = occurrences {
                    line[if misspelt { "numOccurences" } else { "numOccurrences" }] = json!(n);
                }
                line.to_string()
            },
        )
}
