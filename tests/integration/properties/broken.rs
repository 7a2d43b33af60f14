//! Broken input of every kind (JSON, JSON Lines, CSV tables, GDELT rows, Quotebank lines):
//! a result or diagnostics, never a panic; the checks of the fuzz targets on structured input.

use proptest::prelude::*;
use saidgraph::NoStore;
use saidgraph::{Error, InputSpec, KnowledgeBase, ReadOptions};
use serde_json::{Value, json};

use super::strategies::{gdelt_row, knowledge_base, quotebank_line, text};
use super::{as_json_lines, read};

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn broken_records_give_diagnostics_never_a_panic(
        kb in knowledge_base(),
        path in prop::collection::vec(0usize..8, 1..4),
        replacement in prop_oneof![
            Just(Value::Null), any::<bool>().prop_map(Value::from), any::<f64>().prop_map(|f| json!(f)),
            "\\PC{0,10}".prop_map(Value::from), Just(json!([])), Just(json!({"x": [1, {"y": null}]})),
        ],
        extra in proptest::option::of(("[a-z_]{1,8}", "\\PC{0,5}")),
    ) {
        let mut kb = kb;
        // Walk into the document along `path` and replace what is there.
        let mut pointer = String::new();
        let mut here = &kb;
        for step in path {
            let (key, next) = match here {
                Value::Object(map) if !map.is_empty() => {
                    let key = map.keys().nth(step % map.len()).cloned().unwrap_or_default();
                    let next = &map[&key];
                    (key, next)
                }
                Value::Array(items) if !items.is_empty() => ((step % items.len()).to_string(), &items[step % items.len()]),
                _ => break,
            };
            pointer.push('/');
            pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            here = next;
        }
        if let Some(slot) = kb.pointer_mut(&pointer) {
            *slot = replacement;
        }
        if let (Some((key, value)), Value::Object(map)) = (extra, &mut kb) {
            map.insert(key, json!(value));
        }
        match read(&kb.to_string()) {
            Ok(parsed) => { parsed.triples(); }
            Err(Error::Invalid(diagnostics)) => prop_assert!(!diagnostics.is_empty()),
            Err(other) => prop_assert!(false, "unexpected error kind: {}", other),
        }
    }

    #[test]
    fn arbitrary_bytes_give_diagnostics_never_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let folder = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        for name in ["kb.json", "kb.jsonl"] {
            let path = folder.path().join(name);
            std::fs::write(&path, &bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
            match KnowledgeBase::read(&[InputSpec::new(&path)], &ReadOptions::default(), &NoStore) {
                Ok(_) | Err(Error::Invalid(_)) => {}
                Err(other) => prop_assert!(false, "unexpected error kind: {}", other),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// JSON Lines with a line broken (a value replaced, bytes cut or inserted): triples
    /// that are valid RDF, or diagnostics; never a panic; and both parsers agree.
    #[test]
    fn broken_json_lines_give_diagnostics_never_a_panic(
        kb in knowledge_base(),
        line in 0usize..20,
        cut in 0usize..200,
        insert in prop::collection::vec(any::<u8>(), 0..8),
    ) {
        let mut lines: Vec<Vec<u8>> = as_json_lines(&kb).lines().map(|l| l.as_bytes().to_vec()).collect();
        let at = line % lines.len();
        let broken = &mut lines[at];
        let cut = cut.min(broken.len());
        broken.splice(cut..cut, insert);
        saidgraph::fuzz::jsonl(&lines.join(&b'\n'));
    }

    /// CSV tables with any cells under any header: records or diagnostics, never a panic.
    #[test]
    fn any_csv_table_gives_records_or_diagnostics(
        kind in 0u8..4,
        header in prop::collection::vec(prop_oneof![
            Just("id"), Just("type"), Just("name"), Just("aliases"), Just("speaker"), Just("act"), Just("date"),
            Just("confidence"), Just("addressees"), Just("subject"), Just("predicate"), Just("object"), Just("bogus"),
        ], 1..8),
        rows in prop::collection::vec(prop::collection::vec(prop_oneof![
            Just(String::new()), text(), "[a-z]{1,3}(\\|[a-z]{1,3}){0,3}", "[0-9.]{1,5}", "\\PC{0,8}",
            Just("person".to_owned()), Just("2024-06-20".to_owned()),
        ], 0..9), 0..6),
    ) {
        // Rows as long or as short as they come: the reader is flexible, so the writer is too.
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(vec![kind]);
        let ok = writer.write_record(&header).is_ok()
            && rows.iter().all(|row| writer.write_record(row).is_ok());
        prop_assert!(ok, "a flexible writer takes any rows");
        let bytes = writer.into_inner().map_err(|e| TestCaseError::fail(e.to_string()))?;
        saidgraph::fuzz::csv(&bytes);
    }

    /// GDELT rows of every width and any values: statements or diagnostics or skipped
    /// rows, never a panic; the triples are valid RDF.
    #[test]
    fn any_gdelt_rows_import_or_are_reported(rows in prop::collection::vec(gdelt_row(), 1..5), all_events in any::<bool>()) {
        let mut bytes = vec![u8::from(all_events)];
        bytes.extend_from_slice(rows.join("\n").as_bytes());
        saidgraph::fuzz::gdelt(&bytes);
    }

    /// Quotebank lines in their variants, with any values: quotations or diagnostics,
    /// never a panic.
    #[test]
    fn any_quotebank_lines_import_or_are_reported(lines in prop::collection::vec(quotebank_line(), 1..5), keep in any::<bool>()) {
        let mut bytes = vec![u8::from(keep)];
        bytes.extend_from_slice(lines.join("\n").as_bytes());
        saidgraph::fuzz::quotebank(&bytes);
    }
}
