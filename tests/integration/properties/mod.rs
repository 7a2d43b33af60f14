//! Property tests: any valid knowledge base (sources, entities, statements with every
//! field, relations) maps to the same graph on every run, in every input form (JSON,
//! JSON Lines read in memory or streamed to N-Triples and Turtle, in RDF 1.1 and 1.2,
//! CSV tables), and survives export → parse in every RDF format (in RDF 1.2, with one
//! reifier per relation, in every format that carries triple terms, the same bytes
//! whatever order the triples come in); minted IRIs are valid and distinct for
//! every kind of record and any base; a record made invalid is refused with its field
//! named; any input, however broken — JSON, JSON Lines, CSV tables, GDELT rows,
//! Quotebank lines — gives a result or diagnostics, never a panic. The broken-input properties run the
//! checks of the fuzz targets (`saidgraph::fuzz`) on structured input.
//!
//! `strategies` makes the inputs; `valid` holds the properties of valid knowledge bases,
//! `broken` those of broken input.

mod broken;
mod strategies;
mod valid;

use saidgraph::NoStore;
use saidgraph::RecordKind;
use saidgraph::{Error, InputSpec, KnowledgeBase, ReadOptions};
use serde_json::{Value, json};

fn read(json: &str) -> Result<KnowledgeBase, Error> {
    let folder = tempfile::tempdir().map_err(|e| Error::Usage(e.to_string()))?;
    let path = folder.path().join("kb.json");
    std::fs::write(&path, json).map_err(|e| Error::Usage(e.to_string()))?;
    KnowledgeBase::read(&[InputSpec::new(&path)], &ReadOptions::default(), &NoStore)
}

/// The JSON document as JSON Lines: one line per record, `record` naming its kind.
fn as_json_lines(kb: &Value) -> String {
    let mut lines = String::new();
    for kind in RecordKind::ALL {
        for record in kb[kind.plural()].as_array().into_iter().flatten() {
            let mut record = record.clone();
            record["record"] = json!(kind.name());
            lines.push_str(&record.to_string());
            lines.push('\n');
        }
    }
    lines
}
