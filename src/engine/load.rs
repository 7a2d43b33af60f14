//! `load`: inputs into an on-disk store, each dataset into its own graph, described in the
//! metadata graph; a dataset the store already holds is replaced whole.
//!
//! The steps: the store is held for writing (a second writer hears at once that it is in
//! use); the inputs are made rereadable and hashed; with `--if-changed` the datasets whose
//! hashes match what the store recorded are left out; the first pass validates the rest
//! against the store (references may name records of any dataset; ids another dataset
//! defines are errors, except those of the datasets being replaced); then the data and its
//! description go in by one of three ways, each all or nothing:
//!
//! - into a new store, built aside and moved into place (`NewStore`);
//! - new datasets only: into the store itself, in the bulk loader's one commit;
//! - replacing datasets: into a copy of the store, in which the old graphs are removed
//!   first, swapped in whole (`Replacement`). A replacement that would leave another
//!   dataset's references dangling is refused, and changes nothing.

use std::path::Path;

use oxigraph::model::{GraphName, NamedNode, Quad};

use crate::error::{Error, Result};
use crate::input::InputSpec;
use crate::progress::Progress;
use crate::resolve::{KnownIds, NoStore, Resolver};
use crate::store::{DatasetInfo, GraphStore, NewStore, Replacement, StoreIds, Tallies, show};

use super::datasets::{self, Plan};
use super::sink::{Keep, Tally, check_all};
use super::{ReadOptions, Rereadable, Run, stream, total_size};

/// How `load` treats datasets (the dataset inputs go in is [`ReadOptions::graph`]).
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Leave out the datasets whose inputs' bytes are those the store recorded.
    pub if_changed: bool,
}

/// What happened to one dataset of a load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fate {
    /// The store did not hold it.
    Added,
    /// The store held it; the new one replaced it.
    Replaced,
    /// `--if-changed`: its inputs are those the store recorded; left as it was.
    Unchanged,
}

/// What a load did: the records and triples it read, and each dataset's fate.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub run: Run,
    pub datasets: Vec<(String, Fate)>,
}

/// How many referring records a refusal lists.
pub const LISTED: usize = 5;

/// Loads `inputs` into the store at `store_path` as [`LoadOptions`] say.
pub fn load(inputs: &[InputSpec], options: &ReadOptions, load: &LoadOptions, store_path: &Path) -> Result<Loaded> {
    let existing = if store_path.join("CURRENT").is_file() {
        Some(GraphStore::open(store_path)?)
    } else {
        None
    };
    let plan = Plan::new(inputs, options.graph.as_deref())?;
    let mut rereadable = Rereadable::new(inputs)?;
    let hashes: Vec<_> = plan
        .datasets
        .iter()
        .map(|d| datasets::hash_dataset(&rereadable.inputs, inputs, &d.inputs))
        .collect::<Result<_>>()?;
    let known = match &existing {
        Some(store) => store.datasets()?,
        None => Vec::new(),
    };
    let held = |name: &str| known.iter().find(|k| k.name == name);
    let unchanged: Vec<bool> = plan
        .datasets
        .iter()
        .zip(&hashes)
        .map(|(d, (_, hash))| load.if_changed && held(&d.name).is_some_and(|k| &k.content_hash == hash))
        .collect();
    let fates: Vec<(String, Fate)> = plan
        .datasets
        .iter()
        .zip(&unchanged)
        .map(|(d, skip)| {
            let fate = match (skip, held(&d.name)) {
                (true, _) => Fate::Unchanged,
                (false, Some(_)) => Fate::Replaced,
                (false, None) => Fate::Added,
            };
            (d.name.clone(), fate)
        })
        .collect();
    if unchanged.iter().all(|u| *u) {
        let tally = Tally::default();
        return Ok(Loaded {
            run: Run { tally, triples: 0 },
            datasets: fates,
        });
    }
    // The inputs and datasets left to load, renumbered.
    let kept: Vec<usize> = (0..inputs.len()).filter(|i| !unchanged[plan.dataset_of(*i)]).collect();
    rereadable.retain(|i| kept.contains(&i));
    let given: Vec<InputSpec> = kept.iter().map(|i| inputs[*i].clone()).collect();
    let plan = Plan::new(&given, options.graph.as_deref())?;
    let hashes: Vec<_> = hashes
        .into_iter()
        .zip(&unchanged)
        .filter(|(_, u)| !**u)
        .map(|(h, _)| h)
        .collect();

    // The graphs the datasets being replaced have now.
    let replaced: Vec<NamedNode> = plan
        .datasets
        .iter()
        .filter_map(|d| held(&d.name).map(|k| k.graph.clone()))
        .collect();
    let progress = Progress::bytes("checking", total_size(&rereadable.inputs).map(|s| 2 * s));
    let base_override = options.base_override()?;
    let (resolver, tally, documents) = match &existing {
        Some(store) => check(
            &rereadable.inputs,
            options,
            &StoreIds {
                store,
                replaced: replaced.clone(),
            },
        )?,
        None => check(&rereadable.inputs, options, &NoStore)?,
    };
    let bases = datasets::input_bases(&documents, rereadable.inputs.len(), base_override.as_deref());
    let graphs = plan.graphs(&bases);
    let input_graphs: Vec<GraphName> = (0..rereadable.inputs.len())
        .map(|i| graphs[plan.dataset_of(i)].clone().into())
        .collect();
    let modified = datasets::now();
    // Each dataset's description, with the counts of its dates, speakers, topics and acts
    // (for first pages by date or label, and `acts`) and of its speaker and addressee
    // pairs (for first pages by count), in the data's own commit.
    let describe = |records: &[u64], triples: &[usize], tallies: &Tallies| -> Vec<Quad> {
        let mut quads = Vec::new();
        for ((dataset, graph), (inputs, hash)) in plan.datasets.iter().zip(&graphs).zip(&hashes) {
            let info = DatasetInfo {
                name: dataset.name.clone(),
                graph: graph.clone(),
                modified: modified.clone(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
                records: dataset
                    .inputs
                    .iter()
                    .map(|i| records.get(*i).copied().unwrap_or(0))
                    .sum(),
                triples: dataset
                    .inputs
                    .iter()
                    .map(|i| triples.get(*i).copied().unwrap_or(0) as u64)
                    .sum(),
                content_hash: hash.clone(),
                bases: datasets::dataset_bases(&dataset.inputs, &documents, &bases),
                inputs: inputs.clone(),
            };
            quads.extend(info.quads());
            quads.extend(tallies.quads(graph));
        }
        quads
    };
    if let Some(progress) = &progress {
        progress.stage("loading");
    }
    let load_into = |store: &GraphStore| -> Result<Vec<usize>> {
        // The ontology first, in a transaction of its own (the same each time), so that
        // the data's one bulk commit is the last step.
        store.install_ontology()?;
        let counts = stream::load(&rereadable, options, &resolver, store, &input_graphs, describe)?;
        // Compacted before anyone queries it: a bulk load leaves many small tables, which
        // made bound queries ten times slower (BENCHMARKS.md, "Named queries on a big
        // store"). Compaction changes no content, so a kill during it leaves a whole store.
        store.compact()?;
        Ok(counts)
    };
    let counts = match existing {
        None => {
            let new = NewStore::create(store_path)?;
            let counts = load_into(new.store())?;
            new.finish()?;
            counts
        }
        Some(store) if replaced.is_empty() => load_into(&store)?,
        Some(store) => {
            let replacement = Replacement::begin(store)?;
            let copy = replacement.store();
            let old = copy.records_of(&replaced)?;
            for graph in &replaced {
                replacement.remove_dataset(graph)?;
            }
            let counts = load_into(copy)?;
            refuse_dangling(copy, &old, &graphs, &plan, &fates)?;
            replacement.finish()?;
            counts
        }
    };
    Ok(Loaded {
        run: Run {
            tally,
            triples: counts.iter().sum(),
        },
        datasets: fates,
    })
}

/// The first pass of a streamed `convert` to a format with graphs: the check, and the
/// graph each input's triples go in (as `load` would put them).
pub fn check_with_graphs(inputs: &[InputSpec], options: &ReadOptions) -> Result<(Resolver, Tally, Vec<GraphName>)> {
    let (resolver, tally, documents) = check(inputs, options, &NoStore)?;
    let plan = Plan::new(inputs, options.graph.as_deref())?;
    Ok((resolver, tally, input_graphs(&plan, &documents, inputs.len(), options)?))
}

/// The graph of each input's dataset, from the bases its documents were read with.
pub fn input_graphs(
    plan: &Plan,
    documents: &[(usize, String)],
    inputs: usize,
    options: &ReadOptions,
) -> Result<Vec<GraphName>> {
    let bases = datasets::input_bases(documents, inputs, options.base_override()?.as_deref());
    let graphs = plan.graphs(&bases);
    Ok((0..inputs).map(|i| graphs[plan.dataset_of(i)].clone().into()).collect())
}

/// The first pass over the inputs, noting each document's input and base.
fn check(
    inputs: &[InputSpec],
    options: &ReadOptions,
    store: &dyn KnownIds,
) -> Result<(Resolver, Tally, datasets::Documents)> {
    let base_override = options.base_override()?;
    let mut documents = Vec::new();
    let (_, resolver, tally) = check_all(options, store, Keep::Nothing, |diagnostics, sink| {
        documents = datasets::read_tracked(inputs, base_override, diagnostics, sink)?;
        Ok(())
    })?;
    Ok((resolver, tally, documents))
}

/// Refuses a replacement after which records of other datasets would refer to records no
/// dataset defines any more: those of `old` (the replaced datasets' records) that the new
/// input (in `graphs`) left out.
fn refuse_dangling(
    copy: &GraphStore,
    old: &[NamedNode],
    graphs: &[NamedNode],
    plan: &Plan,
    fates: &[(String, Fate)],
) -> Result<()> {
    let new: std::collections::HashSet<NamedNode> = copy.records_of(graphs)?.into_iter().collect();
    let gone: Vec<NamedNode> = old
        .iter()
        .filter(|record| !new.contains(*record) && copy.defining_graph(record.as_ref(), &[]).is_none())
        .cloned()
        .collect();
    let (count, dangling) = copy.references_to(&gone, &[], LISTED)?;
    if count == 0 {
        return Ok(());
    }
    let names: Vec<&str> = plan
        .datasets
        .iter()
        .filter(|d| fates.iter().any(|(n, f)| *n == d.name && *f == Fate::Replaced))
        .map(|d| d.name.as_str())
        .collect();
    let listed: Vec<String> = dangling
        .iter()
        .map(|r| {
            format!(
                "{} (dataset {:?}) refers to {}",
                show(r.referrer.as_ref()),
                copy.dataset_name(&r.graph),
                show(r.record.as_ref())
            )
        })
        .collect();
    Err(Error::Refused(format!(
        "replacing the dataset {} would leave {count} reference{} of other datasets pointing at records it no \
         longer defines: {}{}; keep those records in the input, or change or drop the datasets that refer to them \
         first; the store is unchanged",
        names.join(", "),
        if count == 1 { "" } else { "s" },
        listed.join("; "),
        if count > LISTED { "; …" } else { "" }
    )))
}

#[cfg(test)]
mod tests {
    use oxigraph::model::{NamedNodeRef, NamedOrBlankNode, Term};

    use super::*;
    use crate::vocab::{sg, std_terms};

    /// The counts of a dataset's metadata: its partitions and their nodes.
    fn counts_of(store: &GraphStore, graph: &NamedNode) -> Vec<String> {
        let mut quads: Vec<String> = store
            .metadata_quads(graph.as_ref())
            .expect("reads")
            .into_iter()
            .filter(|q| {
                let node = matches!(&q.subject, NamedOrBlankNode::NamedNode(n)
                    if n.as_str().contains("#values-") || n.as_str().contains("#pairs-"));
                node || q.predicate == std_terms::VOID_PROPERTY_PARTITION || q.predicate == sg::PAIR_PARTITION
            })
            .map(|q| q.to_string())
            .collect();
        quads.sort();
        quads
    }

    /// The counts `load` tallies as the triples stream in are those Oxigraph counts of
    /// each dataset's graph afterwards: for the example, a GDELT and a Quotebank file,
    /// each a dataset of its own.
    #[test]
    fn the_counts_a_load_keeps_are_those_of_its_graphs() -> Result<()> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let folder = tempfile::tempdir().map_err(|e| Error::io(Path::new("tmp"), e))?;
        // Copied under names of their own: a dataset is named after its input.
        let inputs = [
            ("examples/seed-article.json", "seed.json"),
            ("tests/fixtures/gdelt/events-1.0/input.tsv", "events.tsv"),
            ("tests/fixtures/quotebank/zenodo/input.jsonl", "quotes.jsonl"),
        ]
        .map(|(from, to)| {
            let to = folder.path().join(to);
            std::fs::copy(root.join(from), &to).expect("the fixture copies");
            InputSpec::new(to)
        });
        let path = folder.path().join("store");
        load(&inputs, &ReadOptions::default(), &LoadOptions::default(), &path)?;
        let loaded = GraphStore::open(&path)?;
        let datasets = loaded.datasets()?;
        assert_eq!(datasets.len(), 3);
        for dataset in &datasets {
            let graph = &dataset.graph;
            let kept = counts_of(&loaded, graph);
            let recount = GraphStore::in_memory()?;
            recount.load_quads(loaded.data_quads(Some(graph))?)?;
            recount.count_values(graph)?;
            recount.count_pairs(graph)?;
            assert_eq!(kept, counts_of(&recount, graph), "{}", dataset.name);
            // Something of each kind is counted: acts with their speakers, pairs.
            let counted = |property: NamedNodeRef<'_>| {
                kept.iter()
                    .filter(|q| q.contains(&format!("<{}>", property.as_str())))
                    .count()
            };
            assert!(counted(sg::DISTINCT_CO_VALUES) > 0, "{}: {kept:?}", dataset.name);
            assert!(counted(sg::VALUE_PARTITION) > 0, "{}", dataset.name);
        }
        let acts = loaded.counts_alongside(sg::ACT, sg::SPEAKER, None)?.expect("kept");
        assert!(
            acts.iter().any(|(act, statements, speakers)| {
                *act == Term::from(NamedNode::new_unchecked(
                    "https://w3id.org/saidgraph/act#express_concern",
                )) && (*statements, *speakers) == (5, 4)
            }),
            "{acts:?}"
        );
        Ok(())
    }

    /// A relation may name a counted property (`sg:speaker` here) and give an entity a
    /// triple of it from a record of its own: that dataset keeps no counts, so readers
    /// count with Oxigraph, while a dated relation (whose own node has `sg:date`) and the
    /// other datasets keep theirs.
    #[test]
    fn a_relation_naming_a_counted_property_leaves_its_dataset_without_counts() -> Result<()> {
        let folder = tempfile::tempdir().map_err(|e| Error::io(Path::new("tmp"), e))?;
        let write = |name: &str, lines: &[&str]| {
            let path = folder.path().join(name);
            std::fs::write(&path, lines.join("\n") + "\n").expect("the input writes");
            InputSpec::new(path)
        };
        let entities = [
            r#"{"record": "entity", "id": "a", "type": "person", "name": "A"}"#,
            r#"{"record": "entity", "id": "b", "type": "person", "name": "B"}"#,
            r#"{"record": "statement", "id": "s1", "speaker": "a", "act": "warn", "addressees": ["b"]}"#,
        ];
        let dated = [
            r#"{"record": "statement", "id": "s2", "speaker": "b", "act": "warn", "date": "2024-06-19"}"#,
            r#"{"record": "relation", "id": "r1", "subject": "a", "predicate": "ally_of", "object": "b", "date": "2024"}"#,
        ];
        let odd = [
            r#"{"record": "statement", "id": "s3", "speaker": "a", "act": "deny"}"#,
            r#"{"record": "relation", "id": "r2", "subject": "b", "predicate": "https://w3id.org/saidgraph#speaker", "object": "a"}"#,
        ];
        let inputs = [
            write("people.jsonl", &entities),
            write("dated.jsonl", &dated),
            write("odd.jsonl", &odd),
        ];
        let path = folder.path().join("store");
        load(&inputs, &ReadOptions::default(), &LoadOptions::default(), &path)?;
        let loaded = GraphStore::open(&path)?;
        for dataset in loaded.datasets()? {
            let kept = counts_of(&loaded, &dataset.graph);
            assert_eq!(kept.is_empty(), dataset.name == "odd", "{}: {kept:?}", dataset.name);
        }
        assert_eq!(
            loaded.counts_alongside(sg::ACT, sg::SPEAKER, None)?,
            None,
            "odd has speakers and no counts"
        );
        // Trusted, as odd has no dates: the statement's and the relation's own.
        assert_eq!(loaded.value_counts(sg::DATE)?.map(|c| c.len()), Some(2));
        Ok(())
    }
}
