//! The Oxigraph store: in memory for one-shot commands, on disk for `--store DIR`.
//!
//! Data lives in named graphs, one per dataset (`datasets`: `BASE graph/NAME`, described
//! in the metadata graph [`vocab::DATASETS_GRAPH`]); the ontology in its own named graph
//! ([`vocab::ONTOLOGY_GRAPH`]) so that queries see both (the default graph is queried as
//! the union) while exports hold the data alone. Loading is all-or-nothing: the input is
//! validated before the store is opened for writing, and Oxigraph's bulk loader only makes
//! its work visible on commit; what it cannot do (remove a dataset's old graph) is done on
//! a copy swapped in whole (`replace`).

mod datasets;
pub(crate) mod pairs;
mod rdf_files;
mod replace;
pub(crate) mod summary;
mod tally;

pub use datasets::{
    DCAT_DATASET, DCTERMS_IDENTIFIER, DCTERMS_MODIFIED, DatasetInfo, InputInfo, StoreIds, is_data_graph, show,
};
pub use rdf_files::read_quads;
pub use replace::{Replacement, drop_datasets};
pub use tally::Tallies;

use std::path::{Path, PathBuf};

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term, Triple};
use oxigraph::sparql::{CancellationToken, QueryResults, QuerySolutionIter, SparqlEvaluator};
use oxigraph::store::Store;

use crate::error::{Error, Place, Result};
use crate::resolve::{KnownIds, encode_id, segment};
use crate::terms::RecordKind;
use crate::vocab::{self, std_terms};

/// A store and where it lives.
#[derive(Clone)]
pub struct GraphStore {
    store: Store,
    path: Option<PathBuf>,
    /// A writer's lock on the store's folder (see [`GraphStore::open`]).
    lock: Option<std::sync::Arc<std::fs::File>>,
}

impl std::fmt::Debug for GraphStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl GraphStore {
    /// A fresh in-memory store holding the ontology.
    pub fn in_memory() -> Result<Self> {
        let store = Store::new().map_err(|e| Error::Store {
            place: Place::Memory,
            source: e,
        })?;
        let graph = Self {
            store,
            path: None,
            lock: None,
        };
        graph.install_ontology()?;
        Ok(graph)
    }

    /// Opens the on-disk store at `path` for writing, creating it if absent. One process
    /// at a time may hold a store for writing: a second one gets [`Error::StoreInUse`].
    /// Besides RocksDB's own lock, a writer locks the store's folder, which a
    /// [`Replacement`] keeps locked while the store is closed for its swap.
    /// Files a killed bulk load left behind are removed.
    #[cfg(feature = "rocksdb")]
    pub fn open(path: &Path) -> Result<Self> {
        let lock = match std::fs::File::open(path) {
            Ok(folder) => {
                folder.try_lock().map_err(|e| Error::StoreInUse {
                    path: path.to_owned(),
                    source: oxigraph::store::StorageError::Io(std::io::Error::other(format!(
                        "the store's folder is locked by another writer: {e}"
                    ))),
                })?;
                Some(std::sync::Arc::new(folder))
            }
            Err(_) => None,
        };
        let store = Store::open(path).map_err(|source| {
            if source.to_string().contains("lock file") {
                Error::StoreInUse {
                    path: path.to_owned(),
                    source,
                }
            } else {
                Error::Store {
                    place: path.into(),
                    source,
                }
            }
        })?;
        remove_bulk_leftovers(path)?;
        Ok(Self {
            store,
            path: Some(path.to_owned()),
            lock,
        })
    }

    /// Without the `rocksdb` feature there is no on-disk store.
    #[cfg(not(feature = "rocksdb"))]
    pub fn open(path: &Path) -> Result<Self> {
        Err(no_disk_store(path))
    }

    /// Opens an existing on-disk store for reading and runs `read` on it.
    ///
    /// Readers are not locked out by a writer in another process, but RocksDB opens a store
    /// read-only by listing its files and reads most of them later, while the writer may
    /// remove some: the write-ahead log it recovered at its own open, tables a load or a
    /// compaction replaced. A file that vanishes in between fails the open or the read with
    /// "No such file or directory", however sound the store. Both are then tried again,
    /// for up to [`READ_ONLY_RETRY`], before the error is reported; `read` should read what
    /// the command needs before it writes anything.
    pub fn read<T>(path: &Path, mut read: impl FnMut(Self) -> Result<T>) -> Result<T> {
        if !path.join("CURRENT").is_file() {
            return Err(Error::Usage(format!(
                "{}: no saidgraph store here; create one with `saidgraph load INPUT --store {}`",
                path.display(),
                path.display()
            )));
        }
        let started = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(5);
        loop {
            match Self::open_read_only_once(path).and_then(&mut read) {
                Err(error) if error.is_vanished_store_file() && started.elapsed() < READ_ONLY_RETRY => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(std::time::Duration::from_millis(100));
                }
                outcome => return outcome,
            }
        }
    }

    #[cfg(feature = "rocksdb")]
    fn open_read_only_once(path: &Path) -> Result<Self> {
        let store = Store::open_read_only(path).map_err(|e| Error::Store {
            place: path.into(),
            source: e,
        })?;
        Ok(Self {
            store,
            path: Some(path.to_owned()),
            lock: None,
        })
    }

    #[cfg(not(feature = "rocksdb"))]
    fn open_read_only_once(path: &Path) -> Result<Self> {
        Err(no_disk_store(path))
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn storage_error(&self, source: oxigraph::store::StorageError) -> Error {
        Error::Store {
            place: self.path.clone().map_or(Place::Memory, Place::File),
            source,
        }
    }

    /// Adds triples to the graph `graph`, atomically: either all of them are in the
    /// store afterwards or none is. Adding triples already there changes nothing.
    pub fn load(&self, triples: Vec<Triple>, graph: GraphNameRef<'_>) -> Result<()> {
        self.load_quads(triples.into_iter().map(|t| t.in_graph(graph.into_owned())))
    }

    /// Adds quads with Oxigraph's bulk loader: nothing is visible until the final
    /// commit, so an interrupted load leaves the store as it was.
    pub fn load_quads(&self, quads: impl IntoIterator<Item = Quad>) -> Result<()> {
        self.load_quads_if(quads, || Ok(()))
    }

    /// [`GraphStore::load_quads`], committing only if `check`, asked once every quad is
    /// staged, says so; on its error nothing is added.
    pub fn load_quads_if(
        &self,
        quads: impl IntoIterator<Item = Quad>,
        check: impl FnOnce() -> Result<()>,
    ) -> Result<()> {
        let mut loader = self.store.bulk_loader().with_max_memory_size_in_megabytes(512);
        loader.load_quads(quads).map_err(|e| self.storage_error(e))?;
        check()?;
        loader.commit().map_err(|e| self.storage_error(e))
    }

    /// Compacts the on-disk store (RocksDB's full compaction, Oxigraph's `optimize`), done
    /// after each load: the bulk loader leaves one small table file per batch, and until
    /// they are merged every lookup a query makes reads each of them. On 1,000,000
    /// statements the first page of `statements-by` one speaker drops from 2.0 to 0.34
    /// CPU seconds, for about 8 CPU seconds once per load (BENCHMARKS.md). The contents
    /// do not change, so a compaction cut short leaves the store as the load left it.
    /// The write-ahead log is flushed into tables first: otherwise the ontology's
    /// transaction stays in it, and every read-only open replays it (1.6 MB, a sixth of
    /// the time a bound query takes from a fresh process).
    #[cfg(feature = "rocksdb")]
    pub fn compact(&self) -> Result<()> {
        if self.path.is_none() {
            return Ok(());
        }
        self.store.flush().map_err(|e| self.storage_error(e))?;
        self.store.optimize().map_err(|e| self.storage_error(e))
    }

    /// Without the `rocksdb` feature every store is in memory: nothing to compact.
    #[cfg(not(feature = "rocksdb"))]
    pub fn compact(&self) -> Result<()> {
        Ok(())
    }

    /// Adds the RDF file at `path` (any format, plain or compressed) beside the data, in
    /// a named graph of its own (the file's `file:` IRI) so that it never mixes with the
    /// data; queries see it because their default graph is the union of all graphs.
    /// Returns how many quads it held.
    pub fn load_graph_file(&self, path: &Path) -> Result<usize> {
        let graph = file_iri(path)?;
        let mut quads = Vec::new();
        let count = read_quads(path, |mut quad| {
            if quad.graph_name.is_default_graph() {
                quad.graph_name = graph.clone().into();
            }
            quads.push(quad);
            Ok(())
        })?;
        self.load_quads(quads)?;
        Ok(count)
    }

    /// Replaces the ontology graph with the ontology this binary ships.
    pub fn install_ontology(&self) -> Result<()> {
        let quads = ontology_quads()?;
        let mut transaction = self.store.start_transaction().map_err(|e| self.storage_error(e))?;
        transaction
            .clear_graph(vocab::ONTOLOGY_GRAPH)
            .map_err(|e| self.storage_error(e))?;
        for quad in &quads {
            transaction.insert(quad);
        }
        transaction.commit().map_err(|e| self.storage_error(e))
    }

    /// The data (every dataset's graph, and the default graph of older stores), as
    /// triples: the union exports write in triple formats.
    pub fn data_triples(&self) -> Result<Vec<Triple>> {
        Ok(self.data_quads(None)?.into_iter().map(Triple::from).collect())
    }

    /// The data as quads, each in its dataset's graph: of every dataset, or only of the
    /// one in `graph`.
    pub fn data_quads(&self, graph: Option<&NamedNode>) -> Result<Vec<Quad>> {
        let mut quads = Vec::new();
        let pattern = graph.map(|g| GraphNameRef::NamedNode(g.as_ref()));
        for quad in self.store.quads_for_pattern(None, None, None, pattern) {
            let quad = quad.map_err(|e| self.storage_error(e))?;
            if is_data_graph(quad.graph_name.as_ref()) {
                quads.push(quad);
            }
        }
        Ok(quads)
    }

    /// The metadata graph's quads.
    pub fn metadata(&self) -> Result<Vec<Quad>> {
        self.store
            .quads_for_pattern(None, None, None, Some(vocab::DATASETS_GRAPH.into()))
            .map(|q| q.map_err(|e| self.storage_error(e)))
            .collect()
    }

    /// The bases the store's records were minted with: as the metadata records them for
    /// each dataset (in the order of the datasets' names), or, in a store made before
    /// they were recorded or with data in the default graph, found from the entities'
    /// IRIs (which reads every label: a quarter of the time a bound query took on
    /// 1,000,000 statements).
    pub fn bases(&self) -> Result<Vec<String>> {
        let datasets = self.datasets()?;
        if !datasets.is_empty() && datasets.iter().all(|d| !d.bases.is_empty()) && !self.has_default_graph_data() {
            let mut bases: Vec<String> = Vec::new();
            for base in datasets.into_iter().flat_map(|d| d.bases) {
                if !bases.contains(&base) {
                    bases.push(base);
                }
            }
            return Ok(bases);
        }
        self.bases_of_entities()
    }

    /// Whether the default graph holds anything: data of a store made before datasets.
    fn has_default_graph_data(&self) -> bool {
        self.store
            .quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph))
            .next()
            .is_some()
    }

    /// The bases the store's entities were minted with, found from their IRIs.
    fn bases_of_entities(&self) -> Result<Vec<String>> {
        let mut bases: Vec<String> = Vec::new();
        for quad in self
            .store
            .quads_for_pattern(None, Some(std_terms::RDFS_LABEL), None, None)
        {
            let quad = quad.map_err(|e| self.storage_error(e))?;
            if !is_data_graph(quad.graph_name.as_ref()) {
                continue;
            }
            if let NamedOrBlankNode::NamedNode(subject) = &quad.subject
                && let Some(at) = subject.as_str().rfind(segment(RecordKind::Entity))
            {
                let base = &subject.as_str()[..at];
                if !bases.iter().any(|b| b == base) {
                    bases.push(base.to_owned());
                }
            }
        }
        Ok(bases)
    }

    /// Whether the store holds any triple about `iri` in its data.
    pub fn has_subject(&self, iri: NamedNodeRef<'_>) -> bool {
        self.store
            .quads_for_pattern(Some(iri.into()), None, None, None)
            .filter_map(std::result::Result::ok)
            .any(|q| is_data_graph(q.graph_name.as_ref()))
    }
}

impl KnownIds for GraphStore {
    fn find(&self, kind: RecordKind, base: &str, id: &str) -> Option<NamedNode> {
        let iri = NamedNode::new_unchecked(format!("{base}{}{}", segment(kind), encode_id(id)));
        self.has_subject(iri.as_ref()).then_some(iri)
    }
}

/// A store being created by a load: built in a hidden folder beside its path and moved
/// into place whole once complete (renaming a folder is atomic), so that a load into a
/// new store that is killed at any point leaves no store rather than part of one.
#[derive(Debug)]
pub struct NewStore {
    /// Taken to close the store before the move.
    store: Option<GraphStore>,
    /// Locked while this process builds the store (and unlocked as it closes, after the
    /// removal of a failed one): a folder nobody holds is an orphan.
    _folder: std::sync::Arc<std::fs::File>,
    building: PathBuf,
    target: PathBuf,
}

impl NewStore {
    /// Starts a store that will be at `path`, first removing the folders of killed loads
    /// that were creating it.
    pub fn create(path: &Path) -> Result<Self> {
        let parent = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let name = path.file_name().map_or_else(|| "store".into(), |n| n.to_string_lossy());
        let prefix = format!(".{name}.saidgraph-new-");
        remove_orphan_stores(parent, &prefix);
        let building = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(parent)
            .map_err(|e| Error::io(path, e))?;
        // The store's own lock on its folder marks it as this process's.
        let start = || -> Result<(std::sync::Arc<std::fs::File>, GraphStore)> {
            let store = GraphStore::open(building.path())?;
            let folder = store
                .lock
                .clone()
                .ok_or_else(|| Error::Internal("a new store is locked".to_owned()))?;
            Ok((folder, store))
        };
        // Until it is locked and open, the folder is removed with `building` on failure.
        let (folder, store) = start()?;
        let building = building.keep();
        Ok(Self {
            store: Some(store),
            _folder: folder,
            building,
            target: path.to_owned(),
        })
    }

    pub fn store(&self) -> &GraphStore {
        self.store.as_ref().expect("the store is open until finish")
    }

    /// Closes the store and moves it into place. A store that appeared at the path in the
    /// meantime is an error, and left alone.
    pub fn finish(mut self) -> Result<()> {
        drop(self.store.take());
        std::fs::rename(&self.building, &self.target).map_err(|e| {
            let why = if self.target.join("CURRENT").is_file() {
                "a store appeared there while this load ran (another load?); it was left as it is".to_owned()
            } else {
                format!("cannot create the store there: {e}")
            };
            Error::io(&self.target, std::io::Error::new(e.kind(), why))
        })?;
        if let Some(parent) = self.target.parent().filter(|p| !p.as_os_str().is_empty())
            && let Ok(parent) = std::fs::File::open(parent)
        {
            let _ = parent.sync_all();
        }
        Ok(())
    }
}

impl Drop for NewStore {
    /// A load that failed leaves nothing behind.
    fn drop(&mut self) {
        drop(self.store.take());
        if self.building.exists() {
            let _ = std::fs::remove_dir_all(&self.building);
        }
    }
}

/// Removes the folders of loads killed while creating a store: those with `prefix` that
/// no process holds, and older than a few seconds (a load locks its folder just after
/// making it). Best effort: a folder that cannot be checked is left alone.
fn remove_orphan_stores(parent: &Path, prefix: &str) {
    const MIN_AGE: std::time::Duration = std::time::Duration::from_secs(2);
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let old_enough = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|modified| modified.elapsed().is_ok_and(|age| age >= MIN_AGE));
        if !entry.file_name().to_string_lossy().starts_with(prefix) || !old_enough {
            continue;
        }
        if let Ok(folder) = std::fs::File::open(entry.path())
            && folder.try_lock().is_ok()
        {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// How long [`GraphStore::read`] goes on trying to read a store whose files a writer in
/// another process is replacing.
pub const READ_ONLY_RETRY: std::time::Duration = std::time::Duration::from_secs(10);

/// Removes the `bulk-*.sst` files of a bulk load that was killed before it could clean
/// up. Only a writer makes them, and the caller holds the store's one write lock, so any
/// found are orphans: they were never part of the store, and removing them frees space.
#[cfg(feature = "rocksdb")]
fn remove_bulk_leftovers(path: &Path) -> Result<()> {
    for entry in std::fs::read_dir(path).map_err(|e| Error::io(path, e))? {
        let entry = entry.map_err(|e| Error::io(path, e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("bulk-") && name.ends_with(".sst") {
            std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
        }
    }
    Ok(())
}

/// The error of a build without the `rocksdb` feature asked for an on-disk store.
#[cfg(not(feature = "rocksdb"))]
fn no_disk_store(path: &Path) -> Error {
    Error::Usage(format!(
        "{}: this build of saidgraph has no on-disk store (built without the `rocksdb` feature)",
        path.display()
    ))
}

/// The `file:` IRI of a local file, from its absolute path.
fn file_iri(path: &Path) -> Result<NamedNode> {
    let absolute = std::path::absolute(path).map_err(|e| Error::io(path, e))?;
    let mut iri = String::from("file://");
    for byte in absolute.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            iri.push(char::from(byte));
        } else {
            iri.push_str(&format!("%{byte:02X}"));
        }
    }
    NamedNode::new(iri).map_err(|e| Error::Usage(format!("{}: no IRI for this path: {e}", path.display())))
}

/// The shipped ontology as quads in the ontology graph.
pub fn ontology_quads() -> Result<Vec<Quad>> {
    let mut quads = Vec::new();
    for (name, text) in vocab::ONTOLOGY_FILES {
        for quad in RdfParser::from_format(RdfFormat::Turtle)
            .with_default_graph(vocab::ONTOLOGY_GRAPH)
            .for_slice(text.as_bytes())
        {
            quads.push(quad.map_err(|e| Error::RdfParse {
                origin: name.to_owned(),
                source: e.into(),
            })?);
        }
    }
    Ok(quads)
}

/// The shipped ontology as triples.
pub fn ontology_triples() -> Result<Vec<Triple>> {
    Ok(ontology_quads()?.into_iter().map(Triple::from).collect())
}

impl GraphStore {
    /// The subjects and objects of `predicate`'s triples in every graph (once per graph),
    /// at most `most` of them, or `None` when there are more: one query evaluated on the
    /// store's ids, which decodes the subject and the object alone, where reading the
    /// quads decodes the predicate and the graph too (a stored string each).
    pub fn subjects_and_objects(
        &self,
        predicate: NamedNodeRef<'_>,
        most: usize,
    ) -> Result<Option<Vec<(NamedOrBlankNode, Term)>>> {
        let text = format!(
            "SELECT ?subject ?object WHERE {{ ?subject <{}> ?object }} LIMIT {}",
            predicate.as_str(),
            most.saturating_add(1)
        );
        let mut pairs = Vec::new();
        for solution in self.select(&text, None)? {
            let solution = solution?;
            let subject = match solution.get("subject") {
                Some(Term::NamedNode(n)) => NamedOrBlankNode::NamedNode(n.clone()),
                Some(Term::BlankNode(b)) => NamedOrBlankNode::BlankNode(b.clone()),
                _ => continue,
            };
            let Some(object) = solution.get("object") else { continue };
            pairs.push((subject, object.clone()));
        }
        Ok((pairs.len() <= most).then_some(pairs))
    }

    /// Loads a test's Turtle into the named graph `graph`.
    #[cfg(test)]
    pub(crate) fn load_turtle_into(&self, turtle: &str, graph: &NamedNode) {
        let quads: Vec<Quad> = RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(turtle.as_bytes())
            .map(|q| q.map(|q| Quad::new(q.subject, q.predicate, q.object, graph.clone())))
            .collect::<std::result::Result<_, _>>()
            .expect("the test's Turtle parses");
        self.load_quads(quads).expect("loaded");
    }

    /// The solutions of a SELECT of the store's own, with every graph as the default graph.
    fn select(&self, text: &str, cancel: Option<&CancellationToken>) -> Result<QuerySolutionIter<'_>> {
        let mut evaluator = SparqlEvaluator::new();
        if let Some(token) = cancel {
            evaluator = evaluator.with_cancellation_token(token.clone());
        }
        let mut prepared = evaluator
            .parse_query(text)
            .map_err(|e| Error::Internal(format!("a store query: {e}")))?;
        prepared.dataset_mut().set_default_graph_as_union();
        match prepared.on_store(&self.store).execute()? {
            QueryResults::Solutions(solutions) => Ok(solutions),
            _ => Err(Error::Internal("a store query is not a SELECT".to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use oxigraph::model::vocab::xsd;
    use oxigraph::model::{GraphName, Literal};

    use super::*;

    #[test]
    fn a_load_whose_check_fails_adds_nothing() -> Result<()> {
        let store = GraphStore::in_memory()?;
        let quad = || {
            let iri = NamedNode::new_unchecked("https://kb.example.org/entity/x");
            Quad::new(iri.clone(), std_terms::RDFS_LABEL, iri, GraphNameRef::DefaultGraph)
        };
        let refused = store.load_quads_if([quad()], || Err(Error::MappingIncomplete));
        assert!(matches!(refused, Err(Error::MappingIncomplete)));
        assert!(store.data_triples()?.is_empty());
        assert_eq!(store.metadata()?.len(), 0);
        store.load_quads_if([quad()], || Ok(()))?;
        assert_eq!(store.data_triples()?.len(), 1);
        Ok(())
    }

    #[test]
    fn bases_come_from_the_metadata_and_else_from_the_entities() -> Result<()> {
        let graph = crate::resolve::graph_iri("https://a.org/", "kb");
        let label = |base: &str, graph: GraphNameRef<'_>| {
            let iri = NamedNode::new_unchecked(format!("{base}entity/x"));
            Quad::new(iri.clone(), std_terms::RDFS_LABEL, iri, graph)
        };
        let info = |bases: &[&str]| DatasetInfo {
            name: "kb".to_owned(),
            graph: graph.clone(),
            modified: "2026-12-01T00:00:00Z".to_owned(),
            version: "0.1.0".to_owned(),
            records: 1,
            triples: 1,
            content_hash: "sha256:00".to_owned(),
            bases: bases.iter().map(|b| (*b).to_owned()).collect(),
            inputs: Vec::new(),
        };
        // Recorded: the metadata is read, not the data (whose entity has another base).
        let store = GraphStore::in_memory()?;
        store.load_quads([label("https://e.org/", graph.as_ref().into())])?;
        store.load_quads(info(&["https://a.org/", "https://b.org/"]).quads())?;
        assert_eq!(store.bases()?, ["https://a.org/", "https://b.org/"]);
        // A store made before bases were recorded: found from the entities.
        let old = GraphStore::in_memory()?;
        old.load_quads([label("https://e.org/", graph.as_ref().into())])?;
        old.load_quads(info(&[]).quads())?;
        assert_eq!(old.bases()?, ["https://e.org/"]);
        // Data in the default graph (older still) is read too.
        store.load_quads([label("https://d.org/", GraphNameRef::DefaultGraph)])?;
        let mut found = store.bases()?;
        found.sort();
        assert_eq!(found, ["https://d.org/", "https://e.org/"]);
        Ok(())
    }

    #[test]
    fn subjects_and_objects_come_from_every_graph_up_to_the_most_asked() -> Result<()> {
        let a = crate::resolve::graph_iri("https://a.org/", "a");
        let b = crate::resolve::graph_iri("https://a.org/", "b");
        let label = |subject: &str, text: &str, graph: GraphName| {
            Quad::new(
                NamedNode::new_unchecked(format!("https://a.org/entity/{subject}")),
                std_terms::RDFS_LABEL,
                Literal::new_simple_literal(text),
                graph,
            )
        };
        let store = GraphStore::in_memory()?;
        store.load_quads([
            label("x", "Ex", a.clone().into()),
            label("x", "Ex", b.clone().into()),
            label("y", "Why", b.into()),
            label("z", "Zed", GraphName::DefaultGraph),
            Quad::new(
                NamedNode::new_unchecked("https://a.org/statement/1"),
                vocab::sg::DATE,
                Literal::new_typed_literal("2020-01-01", xsd::DATE),
                GraphName::from(a),
            ),
        ])?;
        // The store holds the ontology's labels too.
        let every = store
            .subjects_and_objects(std_terms::RDFS_LABEL, 100_000)?
            .expect("every label");
        let mut ours: Vec<String> = every
            .iter()
            .map(|(s, o)| format!("{s} {o}"))
            .filter(|pair| pair.starts_with("<https://a.org/"))
            .collect();
        ours.sort();
        assert_eq!(
            ours,
            [
                "<https://a.org/entity/x> \"Ex\"",
                "<https://a.org/entity/x> \"Ex\"",
                "<https://a.org/entity/y> \"Why\"",
                "<https://a.org/entity/z> \"Zed\"",
            ]
        );
        let n = every.len();
        assert_eq!(
            store.subjects_and_objects(std_terms::RDFS_LABEL, n)?.map(|p| p.len()),
            Some(n)
        );
        assert_eq!(
            store.subjects_and_objects(std_terms::RDFS_LABEL, n - 1)?,
            None,
            "one too many"
        );
        Ok(())
    }
}
