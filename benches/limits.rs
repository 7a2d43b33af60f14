//! Oxigraph's own speed on finished triples: the limit saidgraph is measured against.
//!
//! Not a criterion benchmark but a tool for `bench/run.sh`, which times it with
//! `/usr/bin/time` beside saidgraph on the very N-Triples saidgraph produced:
//!
//! ```text
//! cargo bench --bench limits -- convert IN.nt OUT.ttl   # parse N-Triples, serialise (no store)
//! cargo bench --bench limits -- convert IN.ttl OUT.nt   # any input by its extension (counts a peer's triples)
//! cargo bench --bench limits -- load IN.nt STORE_DIR    # on-disk bulk load
//! cargo bench --bench limits -- load IN.nt STORE_DIR named      # into a named graph, then compacted
//! ```
//!
//! Run with no arguments (as `cargo bench` does) it converts a small generated graph, so
//! that `cargo bench` stays a quick check that this still builds and runs.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::NamedNode;
use oxigraph::store::Store;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The prefixes saidgraph declares for the generated knowledge bases, so that both sides
/// write the same Turtle.
const PREFIXES: [(&str, &str); 9] = [
    ("act", "https://w3id.org/saidgraph/act#"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("entity", "https://kb.example.org/entity/"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("schema", "http://schema.org/"),
    ("sg", "https://w3id.org/saidgraph#"),
    ("source", "https://kb.example.org/source/"),
    ("statement", "https://kb.example.org/statement/"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

fn convert(input: &Path, output: &Path) -> Result<u64> {
    let format = RdfFormat::from_extension(output.extension().and_then(|e| e.to_str()).unwrap_or("nt"))
        .ok_or("unknown output extension")?;
    let mut serializer = RdfSerializer::from_format(format);
    for (prefix, namespace) in PREFIXES {
        serializer = serializer.with_prefix(prefix, namespace)?;
    }
    let mut writer = serializer.for_writer(BufWriter::with_capacity(1 << 16, File::create(output)?));
    let mut count = 0;
    let input_format = RdfFormat::from_extension(input.extension().and_then(|e| e.to_str()).unwrap_or("nt"))
        .ok_or("unknown input extension")?;
    for quad in RdfParser::from_format(input_format).for_reader(BufReader::with_capacity(1 << 16, File::open(input)?)) {
        writer.serialize_quad(&quad?)?;
        count += 1;
    }
    writer.finish()?.flush()?;
    Ok(count)
}

/// Oxigraph's bulk loader, into the default graph; with `named`, as `saidgraph load` lays
/// a dataset out: into one named graph, followed by Oxigraph's full compaction (`oxigraph
/// load --graph` then `oxigraph optimize`).
fn load(input: &Path, store: &Path, named: bool) -> Result<u64> {
    let store = Store::open(store)?;
    let mut loader = store
        .bulk_loader()
        .with_num_threads(2)
        .with_max_memory_size_in_megabytes(512);
    let mut parser = RdfParser::from_format(RdfFormat::NTriples);
    if named {
        parser = parser.with_default_graph(NamedNode::new("https://kb.example.org/graph/kb")?);
    }
    loader.load_from_reader(parser, BufReader::with_capacity(1 << 16, File::open(input)?))?;
    loader.commit()?;
    if named {
        store.optimize()?;
    }
    Ok(store.len()? as u64)
}

fn main() -> Result {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let count = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["convert", input, output] => convert(Path::new(input), Path::new(output))?,
        ["load", input, store] => load(Path::new(input), Path::new(store), false)?,
        ["load", input, store, "named"] => load(Path::new(input), Path::new(store), true)?,
        [] => {
            let folder = tempfile::tempdir()?;
            let input = folder.path().join("in.nt");
            let mut file = BufWriter::new(File::create(&input)?);
            for i in 0..10_000 {
                writeln!(
                    file,
                    "<https://kb.example.org/statement/s{i}> <https://w3id.org/saidgraph#speaker> <https://kb.example.org/entity/e{}> .",
                    i % 100
                )?;
            }
            file.flush()?;
            convert(&input, &folder.path().join("out.ttl"))?
        }
        _ => return Err("usage: limits (convert IN.nt OUT.{nt,ttl,nq} | load IN.nt STORE_DIR [named])".into()),
    };
    eprintln!("{count} quads");
    Ok(())
}
