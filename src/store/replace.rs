//! Changing a store by copy-on-write, for what Oxigraph's bulk loader cannot do atomically:
//! replacing a dataset (removing its graph, loading the new one) and dropping datasets.
//!
//! The store is copied beside itself (`Store::backup`, a RocksDB checkpoint: hard links to
//! its immutable files, so it costs little whatever the store's size) into a hidden
//! folder, the copy is changed as freely as a private store can be (deletions in batches,
//! the bulk loader), closed, and then swapped with the store in one step
//! (`renameat2(RENAME_EXCHANGE)` on Linux). Killed at any point before the swap, the
//! store is as it was and the copy an orphan the next change removes; after it, the store
//! is the new one and the old one the orphan. Readers that opened the old store keep
//! reading its files (a vanished file makes them retry: `GraphStore::read`).
//!
//! Other writers are kept out for the whole change by the lock on the store's folder that
//! every saidgraph writer takes (`GraphStore::open`), which stays held while the store
//! itself is closed for the swap.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use oxigraph::model::{NamedNode, Quad};

use crate::error::{Error, Result};

use super::GraphStore;

/// A change being made to a copy of a store, swapped in by [`Replacement::finish`].
#[derive(Debug)]
pub struct Replacement {
    copy: Option<GraphStore>,
    /// The lock on the store's folder, held from the open to the end.
    _store_lock: Arc<std::fs::File>,
    /// Locked while this process works in it: a holder nobody locks is an orphan.
    _holder_lock: std::fs::File,
    holder: PathBuf,
    target: PathBuf,
}

impl Replacement {
    /// Copies the store `live` (opened for writing) beside itself and opens the copy.
    #[cfg(feature = "rocksdb")]
    pub fn begin(live: GraphStore) -> Result<Self> {
        let target = live
            .path
            .clone()
            .ok_or_else(|| Error::Internal("only an on-disk store can be replaced".to_owned()))?;
        let store_lock = live
            .lock
            .clone()
            .ok_or_else(|| Error::Internal("a store being replaced is locked".to_owned()))?;
        let parent = parent_of(&target);
        let prefix = holder_prefix(&target);
        super::remove_orphan_stores(parent, &prefix);
        let holder = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(parent)
            .map_err(|e| Error::io(&target, e))?;
        let holder_lock = std::fs::File::open(holder.path()).map_err(|e| Error::io(holder.path(), e))?;
        holder_lock.try_lock().map_err(|e| Error::io(holder.path(), e.into()))?;
        let copy_path = holder.path().join("store");
        live.store.backup(&copy_path).map_err(|e| live.storage_error(e))?;
        drop(live);
        let copy = GraphStore::open(&copy_path)?;
        Ok(Self {
            copy: Some(copy),
            _store_lock: store_lock,
            _holder_lock: holder_lock,
            holder: holder.keep(),
            target,
        })
    }

    /// Without the `rocksdb` feature there is no on-disk store to replace.
    #[cfg(not(feature = "rocksdb"))]
    pub fn begin(live: GraphStore) -> Result<Self> {
        Err(super::no_disk_store(live.path.as_deref().unwrap_or(Path::new("."))))
    }

    /// The copy, to change.
    pub fn store(&self) -> &GraphStore {
        self.copy.as_ref().expect("the copy is open until finish")
    }

    /// Removes every quad of `graph` from the copy, and the graph, and the graph's
    /// description in the metadata graph.
    pub fn remove_dataset(&self, graph: &NamedNode) -> Result<()> {
        let copy = self.store();
        let metadata = copy.metadata_quads(graph.as_ref())?;
        copy.remove_quads(&metadata)?;
        // One transaction over Oxigraph's encoded quads (nothing decoded): in a private
        // copy, its atomicity costs nothing, and its memory is that of the graph's keys.
        copy.store
            .remove_named_graph(graph.as_ref())
            .map_err(|e| copy.storage_error(e))
    }

    /// Closes the copy and swaps it with the store; the old store is then removed.
    pub fn finish(mut self) -> Result<()> {
        let copy = self.copy.take().expect("the copy is open until finish");
        let copy_path = copy.path.clone().unwrap_or_default();
        #[cfg(feature = "rocksdb")]
        copy.store.flush().map_err(|e| copy.storage_error(e))?;
        drop(copy);
        exchange(&copy_path, &self.target)?;
        if let Ok(parent) = std::fs::File::open(parent_of(&self.target)) {
            let _ = parent.sync_all();
        }
        Ok(())
    }
}

impl Drop for Replacement {
    /// The copy (or, once swapped, the old store) goes.
    fn drop(&mut self) {
        drop(self.copy.take());
        let _ = std::fs::remove_dir_all(&self.holder);
    }
}

impl GraphStore {
    /// Removes `quads` in one transaction.
    fn remove_quads(&self, quads: &[Quad]) -> Result<()> {
        let mut transaction = self.store.start_transaction().map_err(|e| self.storage_error(e))?;
        for quad in quads {
            transaction.remove(quad);
        }
        transaction.commit().map_err(|e| self.storage_error(e))
    }

    /// Whether the store holds the graph `graph` (a dataset's, or any).
    pub fn has_graph(&self, graph: &NamedNode) -> Result<bool> {
        self.store
            .contains_named_graph(graph.as_ref())
            .map_err(|e| self.storage_error(e))
    }
}

/// How many referring records a refused drop lists.
const LISTED: usize = 5;

/// `drop`: removes the datasets `names` from the store at `path`, all or none. Refused,
/// with the first few referring records listed, when records of other datasets refer to
/// theirs, unless `force`. Returns the graphs removed.
pub fn drop_datasets(path: &Path, names: &[String], force: bool) -> Result<Vec<NamedNode>> {
    if !path.join("CURRENT").is_file() {
        return Err(Error::Usage(format!("{}: no saidgraph store here", path.display())));
    }
    let store = GraphStore::open(path)?;
    let held = store.datasets()?;
    let bases = store.bases()?;
    let mut graphs = Vec::new();
    for name in names {
        let graph = match held.iter().find(|d| &d.name == name) {
            Some(dataset) => dataset.graph.clone(),
            None => {
                // A graph without a description (`link --apply`'s links) by its name.
                let mut found = None;
                for base in &bases {
                    let graph = crate::resolve::graph_iri(base, name);
                    if store.has_graph(&graph)? {
                        found = Some(graph);
                        break;
                    }
                }
                found.ok_or_else(|| {
                    let names: Vec<&str> = held.iter().map(|d| d.name.as_str()).collect();
                    Error::Refused(format!(
                        "{}: no dataset {name:?} in this store (it holds {}); nothing was dropped",
                        path.display(),
                        if names.is_empty() {
                            "none".to_owned()
                        } else {
                            names.join(", ")
                        }
                    ))
                })?
            }
        };
        if !graphs.contains(&graph) {
            graphs.push(graph);
        }
    }
    if !force {
        let (count, first) = store.references_into(&graphs, LISTED)?;
        if count > 0 {
            let listed: Vec<String> = first
                .iter()
                .map(|r| {
                    format!(
                        "{} (dataset {:?}) refers to {}",
                        super::show(r.referrer.as_ref()),
                        store.dataset_name(&r.graph),
                        super::show(r.record.as_ref())
                    )
                })
                .collect();
            return Err(Error::Refused(format!(
                "{count} reference{} of other datasets point at records of {}: {}{}; drop those datasets too, \
                 or give --force to drop anyway and leave them dangling; nothing was dropped",
                if count == 1 { "" } else { "s" },
                names.join(", "),
                listed.join("; "),
                if count > LISTED { "; …" } else { "" }
            )));
        }
    }
    let replacement = Replacement::begin(store)?;
    for graph in &graphs {
        replacement.remove_dataset(graph)?;
    }
    replacement.finish()?;
    Ok(graphs)
}

/// The folder a store's path is in.
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// The prefix of the hidden folders beside a store that replacements work in.
#[cfg(feature = "rocksdb")]
fn holder_prefix(store: &Path) -> String {
    let name = store
        .file_name()
        .map_or_else(|| "store".into(), |n| n.to_string_lossy());
    format!(".{name}.saidgraph-replace-")
}

/// Swaps two folders in one step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(|e| Error::io(b, e.into()))
}

/// Swaps two folders: elsewhere in two renames, with a moment between them in which the
/// store is missing (a reader then hears there is no store, and a writer makes none: it
/// finds the store's folder locked).
#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> Result<()> {
    let aside = a.with_extension("old");
    std::fs::rename(b, &aside).map_err(|e| Error::io(b, e))?;
    std::fs::rename(a, b).map_err(|e| Error::io(b, e))?;
    std::fs::rename(&aside, a).map_err(|e| Error::io(a, e))
}
