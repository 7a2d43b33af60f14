//! Datasets as named graphs (issue 11): a reload replaces a dataset exactly, ids are
//! unique across a store's datasets while references cross them, `drop` refuses to leave
//! references dangling, the provenance `graphs` and the `datasets` query show, `load
//! --if-changed`, and exports that keep the graphs (TriG from `convert` and from a store
//! agree).

use std::path::Path;

use oxigraph::io::RdfFormat;

use crate::common::{TestResult, assert_golden, example, fixtures, parse, parse_union, saidgraph, stderr, stdout};

const A_BEFORE: &str = r#"{"record": "entity", "id": "putin", "type": "person", "name": "Vladimir Putin"}
{"record": "entity", "id": "kim", "type": "person", "name": "Kim Jong Un"}
{"record": "statement", "id": "s1", "speaker": "putin", "act": "warn", "addressees": ["kim"]}
{"record": "statement", "id": "s2", "speaker": "kim", "act": "say"}
"#;

/// `load`, expecting success; gives standard error.
fn load(args: &[&str], inputs: &[&Path], store: &Path) -> Result<String, Box<dyn std::error::Error>> {
    let output = saidgraph()
        .arg("load")
        .args(inputs)
        .arg("--store")
        .arg(store)
        .args(args)
        .output()?;
    assert!(output.status.success(), "load {inputs:?} {args:?}: {}", stderr(&output));
    Ok(stderr(&output))
}

/// A query's CSV answer over a store, its rows sorted.
fn rows(store: &Path, query: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let output = saidgraph()
        .args(["query", "--store"])
        .arg(store)
        .args(["-r", "csv", "-e", query])
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    let mut rows: Vec<String> = stdout(&output).lines().skip(1).map(str::to_owned).collect();
    rows.sort();
    Ok(rows)
}

/// `load` of `input` into `store`, expecting it refused with exit status 1; gives
/// standard error.
fn refused_load(input: &Path, store: &Path) -> Result<String, Box<dyn std::error::Error>> {
    let output = saidgraph().arg("load").arg(input).arg("--store").arg(store).output()?;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    Ok(stderr(&output))
}

/// Every quad of every named graph.
const ALL_QUADS: &str = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }";

const ACTS: &str = "PREFIX sg: <https://w3id.org/saidgraph#> SELECT ?s ?a ?g WHERE { GRAPH ?g { ?s sg:act ?a } }";

/// The issue's replay: load, correct the file (s1 warn → threaten, s2 removed), load
/// again: s1 is a threat only and s2 is gone, in the graph of the dataset `a`.
#[test]
fn a_reload_replaces_the_dataset_exactly() -> TestResult {
    let folder = tempfile::tempdir()?;
    let (input, store) = (folder.path().join("a.jsonl"), folder.path().join("st"));
    std::fs::write(&input, A_BEFORE)?;
    assert!(load(&[], &[&input], &store)?.contains("dataset \"a\" added"));
    let graph = "https://kb.example.org/graph/a";
    assert_eq!(
        rows(&store, ACTS)?,
        [
            format!("https://kb.example.org/statement/s1,https://w3id.org/saidgraph/act#warn,{graph}"),
            format!("https://kb.example.org/statement/s2,https://w3id.org/saidgraph/act#say,{graph}"),
        ]
    );
    let corrected = A_BEFORE.replace("\"warn\"", "\"threaten\"").replace(
        "{\"record\": \"statement\", \"id\": \"s2\", \"speaker\": \"kim\", \"act\": \"say\"}\n",
        "",
    );
    std::fs::write(&input, corrected)?;
    assert!(load(&[], &[&input], &store)?.contains("dataset \"a\" replaced"));
    assert_eq!(
        rows(&store, ACTS)?,
        [format!(
            "https://kb.example.org/statement/s1,https://w3id.org/saidgraph/act#threaten,{graph}"
        )]
    );
    // The union is what queries see by default; nothing of s2 is left anywhere.
    let s2 = "SELECT ?p ?o WHERE { <https://kb.example.org/statement/s2> ?p ?o }";
    assert_eq!(rows(&store, s2)?, Vec::<String>::new());
    Ok(())
}

/// `load` keeps the counts of each dataset's dates in the metadata (what a first page by
/// date reads); a reload replaces them and leaves none of the old ones.
#[test]
fn the_dates_counts_follow_their_dataset() -> TestResult {
    let folder = tempfile::tempdir()?;
    let (input, store) = (folder.path().join("a.jsonl"), folder.path().join("st"));
    let dated = A_BEFORE
        .replace("\"act\": \"warn\"", "\"act\": \"warn\", \"date\": \"2022-02-24\"")
        .replace("\"act\": \"say\"", "\"act\": \"say\", \"date\": \"2021\"");
    std::fs::write(&input, &dated)?;
    load(&[], &[&input], &store)?;
    let counts = "PREFIX void: <http://rdfs.org/ns/void#> PREFIX sg: <https://w3id.org/saidgraph#> \
                  PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> \
                  SELECT ?total ?value ?n WHERE { GRAPH <https://w3id.org/saidgraph/datasets> { \
                  <https://kb.example.org/graph/a> void:propertyPartition ?p . ?p void:property sg:date ; void:triples ?total . \
                  OPTIONAL { ?p sg:valuePartition ?v . ?v rdf:value ?value ; void:triples ?n } } }";
    assert_eq!(rows(&store, counts)?, ["2,2021,1", "2,2022-02-24,1"]);
    let first = |limit: &str| -> Result<String, Box<dyn std::error::Error>> {
        let output = saidgraph()
            .args(["query", "timeline", "-r", "csv", "--limit", limit, "--store"])
            .arg(&store)
            .output()?;
        assert!(output.status.success(), "{}", stderr(&output));
        Ok(stdout(&output))
    };
    assert!(first("1")?.contains("statement/s2"), "{}", first("1")?);
    std::fs::write(&input, dated.replace("\"date\": \"2021\"", "\"date\": \"2023\""))?;
    load(&[], &[&input], &store)?;
    assert_eq!(rows(&store, counts)?, ["2,2022-02-24,1", "2,2023,1"]);
    assert!(first("1")?.contains("statement/s1"), "{}", first("1")?);
    Ok(())
}

/// `load` keeps the counts of each dataset's speaker and addressee pairs (what
/// `interaction-matrix`'s first page reads); a reload replaces them.
#[test]
fn the_pairs_counts_follow_their_dataset() -> TestResult {
    let folder = tempfile::tempdir()?;
    let (input, store) = (folder.path().join("a.jsonl"), folder.path().join("st"));
    let more = format!(
        "{A_BEFORE}{}",
        r#"{"record": "statement", "id": "s3", "speaker": "kim", "act": "deny", "addressees": ["putin"]}
{"record": "statement", "id": "s4", "speaker": "kim", "act": "warn", "addressees": ["putin"]}
"#
    );
    std::fs::write(&input, &more)?;
    load(&[], &[&input], &store)?;
    let counts = "PREFIX void: <http://rdfs.org/ns/void#> PREFIX sg: <https://w3id.org/saidgraph#> \
                  SELECT ?unlisted ?first ?second ?n WHERE { GRAPH <https://w3id.org/saidgraph/datasets> { \
                  <https://kb.example.org/graph/a> sg:pairPartition ?p . \
                  ?p sg:firstProperty sg:speaker ; sg:secondProperty sg:addressee ; sg:unlistedAtMost ?unlisted . \
                  OPTIONAL { ?p sg:pair ?v . ?v sg:firstValue ?first ; sg:secondValue ?second ; void:entities ?n } } }";
    let entity = |e: &str| format!("https://kb.example.org/entity/{e}");
    assert_eq!(
        rows(&store, counts)?,
        [
            format!("0,{},{},2", entity("kim"), entity("putin")),
            format!("0,{},{},1", entity("putin"), entity("kim")),
        ]
    );
    let first = || -> Result<String, Box<dyn std::error::Error>> {
        let output = saidgraph()
            .args(["query", "interaction-matrix", "-r", "csv", "--limit", "1", "--store"])
            .arg(&store)
            .output()?;
        assert!(output.status.success(), "{}", stderr(&output));
        Ok(stdout(&output))
    };
    let page = first()?;
    assert_eq!(page.lines().count(), 2, "{page}");
    assert!(
        page.contains("Kim Jong Un") && page.contains(",2,\"deny, warn\","),
        "{page}"
    );
    // Reloaded with Putin addressing Kim three times: the counts and the page follow.
    let reloaded = more
        .replace(
            "\"speaker\": \"kim\", \"act\": \"deny\", \"addressees\": [\"putin\"]",
            "\"speaker\": \"putin\", \"act\": \"deny\", \"addressees\": [\"kim\"]",
        )
        .replace(
            "\"speaker\": \"kim\", \"act\": \"warn\", \"addressees\": [\"putin\"]",
            "\"speaker\": \"putin\", \"act\": \"warn\", \"addressees\": [\"kim\"]",
        );
    assert_ne!(reloaded, more);
    std::fs::write(&input, &reloaded)?;
    load(&[], &[&input], &store)?;
    assert_eq!(
        rows(&store, counts)?,
        [format!("0,{},{},3", entity("putin"), entity("kim"))]
    );
    let page = first()?;
    assert!(
        page.contains("Vladimir Putin") && page.contains(",3,\"deny, warn\","),
        "{page}"
    );
    Ok(())
}

/// A replacement whose input is invalid changes nothing; other datasets are untouched
/// by a replacement; an id another dataset defines is an error naming this file's line
/// and column and that dataset; a reference to another dataset's record works.
#[test]
fn ids_are_unique_across_datasets_and_references_cross_them() -> TestResult {
    let folder = tempfile::tempdir()?;
    let store = folder.path().join("st");
    let a = folder.path().join("a.jsonl");
    let b = folder.path().join("b.jsonl");
    std::fs::write(&a, A_BEFORE)?;
    std::fs::write(
        &b,
        "{\"record\": \"statement\", \"id\": \"b1\", \"speaker\": \"putin\"}\n",
    )?;
    load(&[], &[&a, &b], &store)?;
    let everything = rows(&store, ALL_QUADS)?;

    let c = folder.path().join("c.jsonl");
    std::fs::write(
        &c,
        "{\"record\": \"statement\", \"id\": \"c1\", \"speaker\": \"kim\"}\n{\"record\": \"entity\", \"id\": \"putin\", \"type\": \"person\", \"name\": \"Putin\"}\n",
    )?;
    let refused = refused_load(&c, &store)?;
    assert!(
        refused.contains(&format!(
            "{}:2:1: id: entity id \"putin\" is already defined by the dataset \"a\" in the store",
            c.display()
        )),
        "{refused}"
    );
    // An invalid replacement of `a` changes nothing.
    std::fs::write(&a, A_BEFORE.replace("\"warn\"", "\"shout\""))?;
    refused_load(&a, &store)?;
    assert_eq!(rows(&store, ALL_QUADS)?, everything);

    // Replacing `a` leaves `b` as it was, and b1 still names a's putin.
    std::fs::write(&a, A_BEFORE.replace("Vladimir Putin", "V. Putin"))?;
    load(&[], &[&a], &store)?;
    let b_graph = "SELECT ?s ?p ?o WHERE { GRAPH <https://kb.example.org/graph/b> { ?s ?p ?o } }";
    assert!(rows(&store, b_graph)?.contains(
        &"https://kb.example.org/statement/b1,https://w3id.org/saidgraph#speaker,https://kb.example.org/entity/putin"
            .to_owned()
    ));
    let names = "PREFIX sg: <https://w3id.org/saidgraph#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> \
                 SELECT ?name WHERE { ?s sg:speaker ?e . ?e rdfs:label ?name } ";
    assert!(rows(&store, names)?.contains(&"V. Putin".to_owned()));

    // A replacement that leaves out a record `b` refers to is refused, and changes nothing.
    let before = rows(&store, ALL_QUADS)?;
    std::fs::write(
        &a,
        "{\"record\": \"entity\", \"id\": \"kim\", \"type\": \"person\", \"name\": \"Kim\"}\n",
    )?;
    let refused = refused_load(&a, &store)?;
    assert!(
        refused.contains(
            "https://kb.example.org/statement/b1 (dataset \"b\") refers to https://kb.example.org/entity/putin"
        ),
        "{refused}"
    );
    assert_eq!(rows(&store, ALL_QUADS)?, before);
    Ok(())
}

/// `drop` removes a dataset whole, and its description; it refuses, listing the
/// referring records, when another dataset refers to its records, unless --force.
#[test]
fn drop_is_refused_while_others_refer_and_forced_or_not_removes_whole() -> TestResult {
    let folder = tempfile::tempdir()?;
    let store = folder.path().join("st");
    let a = folder.path().join("a.jsonl");
    let b = folder.path().join("b.jsonl");
    std::fs::write(&a, A_BEFORE)?;
    std::fs::write(
        &b,
        "{\"record\": \"statement\", \"id\": \"b1\", \"speaker\": \"putin\"}\n{\"record\": \"statement\", \"id\": \"b2\", \"speaker\": \"kim\"}\n",
    )?;
    load(&[], &[&a, &b], &store)?;
    let refused = saidgraph().args(["drop", "--store"]).arg(&store).arg("a").output()?;
    assert_eq!(refused.status.code(), Some(1));
    let message = stderr(&refused);
    assert!(
        message.contains("2 references of other datasets point at records of a"),
        "{message}"
    );
    assert!(
        message.contains("statement/b2 (dataset \"b\") refers to https://kb.example.org/entity/kim"),
        "{message}"
    );
    let unknown = saidgraph()
        .args(["drop", "--store"])
        .arg(&store)
        .args(["b", "zzz"])
        .output()?;
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("no dataset \"zzz\" in this store (it holds a, b)"));
    assert_eq!(
        rows(&store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")?.len(),
        4
    );

    // Dropping both at once leaves nothing dangling.
    let both = saidgraph()
        .args(["drop", "--store"])
        .arg(&store)
        .args(["a", "b"])
        .output()?;
    assert!(both.status.success(), "{}", stderr(&both));
    let graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }";
    assert_eq!(rows(&store, graphs)?, ["https://w3id.org/saidgraph"]);

    load(&[], &[&a, &b], &store)?;
    let forced = saidgraph()
        .args(["drop", "--force", "--store"])
        .arg(&store)
        .arg("a")
        .output()?;
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(stdout(&forced).contains("dropped https://kb.example.org/graph/a"));
    let left = rows(&store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")?;
    assert_eq!(
        left,
        [
            "https://kb.example.org/graph/b",
            "https://w3id.org/saidgraph",
            "https://w3id.org/saidgraph/datasets"
        ]
    );
    let described = "PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?n WHERE { ?d dcterms:identifier ?n }";
    assert_eq!(rows(&store, described)?, ["b"]);
    Ok(())
}

/// `graphs` and the named query `datasets` show what was loaded from where: the golden
/// (with the load's time and version blanked), and the same rows from both.
#[test]
fn graphs_and_the_datasets_query_show_the_provenance() -> TestResult {
    let folder = tempfile::tempdir()?;
    let store = folder.path().join("st");
    let copy = folder.path().join("seed-article.json");
    std::fs::copy(example(), &copy)?;
    let input = folder.path().join("notes.jsonl");
    std::fs::write(
        &input,
        "{\"record\": \"statement\", \"id\": \"n1\", \"speaker\": \"putin\", \"act\": \"say\"}\n",
    )?;
    let output = saidgraph()
        .current_dir(folder.path())
        .args([
            "load",
            "seed-article.json",
            "notes.jsonl",
            "--base",
            "https://kb.example.org/seed/",
            "--store",
            "st",
        ])
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    let graphs = saidgraph()
        .args(["graphs", "-r", "csv", "--store"])
        .arg(&store)
        .output()?;
    assert!(graphs.status.success(), "{}", stderr(&graphs));
    let query = saidgraph()
        .args(["query", "datasets", "-r", "csv", "--store"])
        .arg(&store)
        .output()?;
    assert_eq!(stdout(&graphs), stdout(&query));
    let blanked: String = stdout(&graphs)
        .lines()
        .map(|line| {
            let mut fields: Vec<String> = line.split(',').map(str::to_owned).collect();
            if fields[0] != "dataset" {
                assert!(fields[2].starts_with("20"), "{line}");
                fields[2] = "MODIFIED".to_owned();
                assert_eq!(fields[3], env!("CARGO_PKG_VERSION"));
                fields[3] = "VERSION".to_owned();
            }
            fields.join(",") + "\n"
        })
        .collect();
    assert_golden(&fixtures().join("seed-article/queries/datasets.csv"), &blanked);
    let json = saidgraph()
        .args(["graphs", "-r", "json", "--store"])
        .arg(&store)
        .output()?;
    let json: serde_json::Value = serde_json::from_slice(&json.stdout)?;
    assert_eq!(json["results"]["bindings"].as_array().map(Vec::len), Some(2));
    // Each dataset records the base its records were minted with.
    let bases = rows(
        &store,
        "PREFIX sg: <https://w3id.org/saidgraph#> PREFIX dcterms: <http://purl.org/dc/terms/> \
         SELECT ?name ?base WHERE { GRAPH <https://w3id.org/saidgraph/datasets> { ?g dcterms:identifier ?name ; sg:base ?base } }",
    )?;
    assert_eq!(
        bases,
        [
            "notes,https://kb.example.org/seed/",
            "seed-article,https://kb.example.org/seed/"
        ]
    );
    Ok(())
}

/// `--if-changed` leaves a dataset whose inputs are those recorded, and says so; a
/// changed one is replaced; `--graph` puts inputs in one dataset; standard input's is `stdin`.
#[test]
fn if_changed_graph_and_stdin_name_datasets() -> TestResult {
    let folder = tempfile::tempdir()?;
    let store = folder.path().join("st");
    let a = folder.path().join("a.jsonl");
    std::fs::write(&a, A_BEFORE)?;
    load(&[], &[&a], &store)?;
    let said = load(&["--if-changed"], &[&a], &store)?;
    assert!(said.contains("dataset \"a\" unchanged"), "{said}");
    std::fs::write(&a, A_BEFORE.replace("\"warn\"", "\"threaten\""))?;
    let said = load(&["--if-changed"], &[&a], &store)?;
    assert!(said.contains("dataset \"a\" replaced"), "{said}");
    assert!(rows(&store, ACTS)?.iter().any(|r| r.contains("act#threaten")));

    let b = folder.path().join("b.jsonl");
    std::fs::write(
        &b,
        "{\"record\": \"statement\", \"id\": \"b1\", \"speaker\": \"putin\"}\n",
    )?;
    let together = folder.path().join("together");
    load(&["--graph", "together"], &[&a, &b], &together)?;
    let graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a ?t } }";
    let found = rows(&together, graphs)?;
    assert!(
        !found.iter().any(|g| g.ends_with("graph/a") || g.ends_with("graph/b")),
        "{found:?}"
    );
    assert!(
        found.contains(&"https://kb.example.org/graph/together".to_owned()),
        "{found:?}"
    );
    let output = saidgraph()
        .args(["load", "-", "--input-format", "jsonl", "--store"])
        .arg(folder.path().join("other"))
        .write_stdin(A_BEFORE)
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    let found = rows(&folder.path().join("other"), graphs)?;
    assert!(
        found.contains(&"https://kb.example.org/graph/stdin".to_owned()),
        "{found:?}"
    );
    Ok(())
}

/// TriG from `convert` and from `export` of a store agree (the metadata graph aside);
/// N-Quads keep the graphs; `--graph NAME` exports one dataset; triple formats the union.
#[test]
fn trig_from_convert_and_from_a_store_agree() -> TestResult {
    let folder = tempfile::tempdir()?;
    let store = folder.path().join("st");
    let notes = folder.path().join("notes.jsonl");
    std::fs::write(
        &notes,
        "{\"record\": \"statement\", \"id\": \"n1\", \"speaker\": \"putin\", \"act\": \"say\"}\n",
    )?;
    let base = ["--base", "https://kb.example.org/seed/"];
    load(&base, &[&example(), &notes], &store)?;
    let converted = saidgraph()
        .arg("convert")
        .arg(example())
        .arg(&notes)
        .args(base)
        .args(["-f", "trig"])
        .output()?;
    assert!(converted.status.success(), "{}", stderr(&converted));
    let exported = saidgraph()
        .args(["export", "-f", "trig", "--store"])
        .arg(&store)
        .output()?;
    assert!(exported.status.success(), "{}", stderr(&exported));
    let metadata = "<https://w3id.org/saidgraph/datasets>";
    let mut from_store = parse(&exported.stdout, RdfFormat::TriG)?;
    let described = from_store
        .iter()
        .filter(|q| q.graph_name.to_string() == metadata)
        .count();
    assert!(described > 10, "the metadata graph is exported");
    let data: Vec<_> = from_store
        .iter()
        .filter(|q| q.graph_name.to_string() != metadata)
        .map(oxigraph::model::QuadRef::into_owned)
        .collect();
    from_store = data.into_iter().collect();
    from_store.canonicalize(oxigraph::model::dataset::CanonicalizationAlgorithm::Unstable);
    assert_eq!(from_store, parse(&converted.stdout, RdfFormat::TriG)?);

    let nquads = saidgraph()
        .args(["export", "-f", "nq", "--store"])
        .arg(&store)
        .output()?;
    assert_eq!(
        parse(&nquads.stdout, RdfFormat::NQuads)?,
        parse(&exported.stdout, RdfFormat::TriG)?
    );
    let one = saidgraph()
        .args(["export", "-f", "nt", "--graph", "notes", "--store"])
        .arg(&store)
        .output()?;
    assert!(one.status.success(), "{}", stderr(&one));
    assert_eq!(stdout(&one).lines().count(), 3, "{}", stdout(&one));
    let union = saidgraph()
        .args(["export", "-f", "nt", "--store"])
        .arg(&store)
        .output()?;
    let converted_union = parse_union(&converted.stdout, RdfFormat::TriG)?;
    assert_eq!(parse(&union.stdout, RdfFormat::NTriples)?, converted_union);
    let missing = saidgraph()
        .args(["export", "--graph", "nope", "--store"])
        .arg(&store)
        .output()?;
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("no dataset \"nope\""));
    Ok(())
}
