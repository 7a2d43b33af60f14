//! Which dataset each input belongs to, and what the store records about it.
//!
//! With `--graph NAME` every input of a run is one dataset; without it each input is its
//! own, named after its file (`seed-article.json` → `seed-article`, `events.jsonl.gz` →
//! `events`), a folder of CSV tables by the folder's name, standard input `stdin`; inputs
//! with the same name are one dataset. A dataset's graph is `BASE graph/NAME`, with the
//! base of its first input (`--base` when given). This module owns that plan
//! ([`Plan`]), the hashes of the inputs' bytes that the provenance and `--if-changed`
//! compare, and the sink wrapper that notes each input's base as the first pass reads.

use std::io::Read;

use oxigraph::model::NamedNode;
use sha2::{Digest, Sha256};

use crate::error::{Diagnostics, Error, Result};
use crate::input::{self, Compression, Document, InputSpec, RawRecord, Sink};
use crate::resolve::{self, graph_iri};
use crate::store::InputInfo;
use crate::terms::RecordKind;

/// The name standard input's dataset gets.
pub const STDIN_DATASET: &str = "stdin";

/// One dataset of a run: its name and the indexes of its inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub name: String,
    pub inputs: Vec<usize>,
}

/// The datasets of a run, in the order their first inputs come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub datasets: Vec<Planned>,
}

impl Plan {
    /// The plan for `inputs`, all in the dataset `graph` when one is named.
    pub fn new(inputs: &[InputSpec], graph: Option<&str>) -> Result<Self> {
        if let Some(name) = graph {
            check_name(name)?;
        }
        let mut datasets: Vec<Planned> = Vec::new();
        for (i, spec) in inputs.iter().enumerate() {
            let name = graph.map_or_else(|| dataset_name(spec), str::to_owned);
            match datasets.iter_mut().find(|d| d.name == name) {
                Some(dataset) => dataset.inputs.push(i),
                None => datasets.push(Planned { name, inputs: vec![i] }),
            }
        }
        Ok(Self { datasets })
    }

    /// The index of the dataset input `i` belongs to.
    pub fn dataset_of(&self, input: usize) -> usize {
        self.datasets
            .iter()
            .position(|d| d.inputs.contains(&input))
            .unwrap_or_default()
    }

    /// Each dataset's graph, from the base of its first input (`bases[i]` for input `i`).
    pub fn graphs(&self, bases: &[String]) -> Vec<NamedNode> {
        self.datasets
            .iter()
            .map(|d| {
                let base = d.inputs.first().and_then(|i| bases.get(*i));
                graph_iri(base.map_or(resolve::DEFAULT_BASE, String::as_str), &d.name)
            })
            .collect()
    }
}

/// A dataset name must be something: `--graph ""` is a usage error.
fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::Usage(
            "--graph needs a dataset name, such as --graph seed-article".to_owned(),
        ));
    }
    Ok(())
}

/// The dataset an input is in without `--graph`: its file's name without extensions
/// (the compression's and the format's), a folder's name, or `stdin`.
pub fn dataset_name(spec: &InputSpec) -> String {
    if spec.is_stdin() {
        return STDIN_DATASET.to_owned();
    }
    let name = spec
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| spec.path.display().to_string());
    if spec.path.is_dir() {
        return name;
    }
    let inner = Compression::strip(&name);
    match inner.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_owned(),
        _ => inner.to_owned(),
    }
}

/// Hashes the inputs of one dataset: each input's size and SHA-256 (a CSV folder's
/// tables in the order sources, entities, statements, relations), and `sha256:` with
/// the hash of all their bytes in order. `read` are the inputs as read (standard input
/// spooled to a file), `given` as the command line named them.
pub fn hash_dataset(read: &[InputSpec], given: &[InputSpec], inputs: &[usize]) -> Result<(Vec<InputInfo>, String)> {
    let mut all = Sha256::new();
    let mut infos = Vec::new();
    for &i in inputs {
        let spec = &read[i];
        let files: Vec<std::path::PathBuf> = if spec.path.is_dir() {
            RecordKind::ALL
                .iter()
                .filter_map(|kind| input::table_file(&spec.path, *kind))
                .collect()
        } else {
            vec![spec.path.clone()]
        };
        let mut one = Sha256::new();
        let mut size = 0u64;
        let mut buffer = vec![0u8; 1 << 16];
        for file in files {
            let mut reader = std::fs::File::open(&file).map_err(|e| Error::io(&file, e))?;
            loop {
                let n = reader.read(&mut buffer).map_err(|e| Error::io(&file, e))?;
                if n == 0 {
                    break;
                }
                one.update(&buffer[..n]);
                all.update(&buffer[..n]);
                size += n as u64;
            }
        }
        infos.push(InputInfo {
            path: given[i].path.display().to_string(),
            size,
            sha256: hex(&one.finalize()),
        });
    }
    Ok((infos, format!("sha256:{}", hex(&all.finalize()))))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Per document read: the index of its input, and its base.
pub type Documents = Vec<(usize, String)>;

/// Passes everything on to `inner`, noting the input each document comes from and the
/// base its records are minted with.
pub struct Tracking<'a> {
    pub inner: &'a mut dyn Sink,
    /// The input being read.
    pub input: usize,
    /// Per document read: its input, and its base.
    pub documents: Vec<(usize, String)>,
    pub base_override: Option<String>,
}

impl Sink for Tracking<'_> {
    fn begin(&mut self, document: &Document, diagnostics: &mut Diagnostics) {
        let base = match (&self.base_override, &document.base) {
            (Some(base), _) => base.clone(),
            (None, Some((base, _))) => {
                resolve::normalize_base(base).unwrap_or_else(|_| resolve::DEFAULT_BASE.to_owned())
            }
            (None, None) => resolve::DEFAULT_BASE.to_owned(),
        };
        self.documents.push((self.input, base));
        self.inner.begin(document, diagnostics);
    }

    fn record(&mut self, record: RawRecord, diagnostics: &mut Diagnostics) {
        self.inner.record(record, diagnostics);
    }

    fn needs_positions(&self) -> bool {
        self.inner.needs_positions()
    }

    fn skipped(&mut self, reason: &'static str) {
        self.inner.skipped(reason);
    }

    fn record_unpositioned(&mut self, record: RawRecord) -> bool {
        self.inner.record_unpositioned(record)
    }
}

/// Reads `inputs` into `sink` through a [`Tracking`]; gives what it noted.
pub fn read_tracked(
    inputs: &[InputSpec],
    base_override: Option<String>,
    diagnostics: &mut Diagnostics,
    sink: &mut dyn Sink,
) -> Result<Vec<(usize, String)>> {
    let mut tracking = Tracking {
        inner: sink,
        input: 0,
        documents: Vec::new(),
        base_override,
    };
    for (i, spec) in inputs.iter().enumerate() {
        tracking.input = i;
        input::read_into(spec, diagnostics, &mut tracking)?;
    }
    Ok(tracking.documents)
}

/// The base of each input's first document (`--base`, or the default, for an input with
/// none).
pub fn input_bases(documents: &[(usize, String)], inputs: usize, base_override: Option<&str>) -> Vec<String> {
    (0..inputs)
        .map(|i| {
            documents
                .iter()
                .find(|(input, _)| *input == i)
                .map(|(_, base)| base.clone())
                .or_else(|| base_override.map(str::to_owned))
                .unwrap_or_else(|| resolve::DEFAULT_BASE.to_owned())
        })
        .collect()
}

/// The bases a dataset's records are minted with, sorted: every base its inputs'
/// documents were read with, and its inputs' own bases (from [`input_bases`]; so that a
/// dataset of empty inputs still records one, and readers can tell it from a store made
/// before bases were recorded).
pub fn dataset_bases(inputs: &[usize], documents: &[(usize, String)], input_bases: &[String]) -> Vec<String> {
    let of_documents = documents.iter().filter(|(i, _)| inputs.contains(i)).map(|(_, b)| b);
    let of_inputs = inputs.iter().filter_map(|i| input_bases.get(*i));
    let mut bases: Vec<String> = of_documents.chain(of_inputs).cloned().collect();
    bases.sort();
    bases.dedup();
    bases
}

/// Now, as an `xsd:dateTime` in UTC.
pub fn now() -> String {
    oxsdatatypes::DateTime::now().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_datasets_bases_are_its_documents_and_inputs_bases_once_each() {
        let documents = [
            (0, "https://b.org/".to_owned()),
            (0, "https://a.org/".to_owned()),
            (1, "https://c.org/".to_owned()),
            (2, "https://b.org/".to_owned()),
        ];
        let input_bases = ["https://b.org/", "https://c.org/", "https://b.org/", "https://d.org/"].map(str::to_owned);
        assert_eq!(
            dataset_bases(&[0, 2], &documents, &input_bases),
            ["https://a.org/", "https://b.org/"]
        );
        // An input without documents (empty) still gives its base.
        assert_eq!(dataset_bases(&[3], &documents, &input_bases), ["https://d.org/"]);
    }

    #[test]
    fn datasets_are_named_after_their_files_and_share_a_name_with_graph() -> Result<()> {
        let specs: Vec<InputSpec> = [
            "data/seed-article.json",
            "x/events.jsonl.gz",
            "-",
            "y/seed-article.jsonl",
        ]
        .into_iter()
        .map(InputSpec::new)
        .collect();
        let names: Vec<String> = specs.iter().map(dataset_name).collect();
        assert_eq!(names, ["seed-article", "events", "stdin", "seed-article"]);
        let plan = Plan::new(&specs, None)?;
        assert_eq!(plan.datasets.len(), 3);
        assert_eq!(plan.datasets[0].inputs, [0, 3]);
        assert_eq!(plan.dataset_of(3), 0);
        let one = Plan::new(&specs, Some("all"))?;
        assert_eq!(
            one.datasets,
            [Planned {
                name: "all".to_owned(),
                inputs: vec![0, 1, 2, 3]
            }]
        );
        assert!(Plan::new(&specs, Some(" ")).is_err());
        let graphs = plan.graphs(&vec!["https://e.org/".to_owned(); 4]);
        assert_eq!(graphs[2].as_str(), "https://e.org/graph/stdin");
        Ok(())
    }
}
