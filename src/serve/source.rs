//! The store a server reads, kept current: an on-disk store is opened read-only, and
//! reopened when a `load` (or a swap of the whole folder) has changed it, so new queries
//! see the load without a restart. A query keeps the snapshot it started on: RocksDB's
//! read-only view is the state of the store when it was opened, and a bulk load commits
//! as one version edit, so no query sees half of one.
//!
//! Whether the store changed is read from the file system on each request, a few `stat`
//! calls: the folder's inode (a folder swapped in place), its modification time (table
//! files added or removed), `CURRENT` and the manifest it names (every commit appends to
//! the manifest). Only a changed fingerprint costs a reopen.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::error::Result;
use crate::store::GraphStore;
use crate::vocab::prefixes_for;

/// What requests read: a store and what is known of it at opening.
#[derive(Debug)]
pub struct Snapshot {
    pub store: GraphStore,
    /// The bases its records' IRIs use, for `--param` values and prefixes.
    pub bases: Vec<String>,
    /// The prefixes queries may use undeclared and results are shortened with.
    pub prefixes: Vec<(String, String)>,
}

impl Snapshot {
    fn new(store: GraphStore) -> Result<Self> {
        let bases = store.bases()?;
        let prefixes = prefixes_for(&bases);
        Ok(Self { store, bases, prefixes })
    }
}

/// Where a server's data comes from.
#[derive(Debug)]
pub struct Source {
    disk: Option<PathBuf>,
    current: Mutex<(Fingerprint, Arc<Snapshot>)>,
}

/// What the file system says of a store folder; equal fingerprints, same store.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Fingerprint(Vec<(u64, i64, i64, u64)>, Vec<u8>);

impl Source {
    /// An in-memory store, which never changes.
    pub fn memory(store: GraphStore) -> Result<Self> {
        Ok(Self {
            disk: None,
            current: Mutex::new((Fingerprint::default(), Arc::new(Snapshot::new(store)?))),
        })
    }

    /// The on-disk store at `path`, opened read-only.
    pub fn disk(path: &Path) -> Result<Self> {
        let fingerprint = fingerprint(path);
        let snapshot = open(path)?;
        Ok(Self {
            disk: Some(path.to_owned()),
            current: Mutex::new((fingerprint, Arc::new(snapshot))),
        })
    }

    /// The store as it is now: the open one, or, when the folder changed since, the store
    /// reopened. A failed reopen (a load half-way through replacing files, past the
    /// retries) keeps serving the previous snapshot and says so on standard error.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        let mut current = self.current.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(path) = &self.disk {
            let now = fingerprint(path);
            if now != current.0 {
                match open(path) {
                    Ok(snapshot) => *current = (now, Arc::new(snapshot)),
                    Err(error) => eprintln!("saidgraph: kept the previous view of the store: {error}"),
                }
            }
        }
        Arc::clone(&current.1)
    }
}

fn open(path: &Path) -> Result<Snapshot> {
    GraphStore::read(path, Snapshot::new)
}

fn fingerprint(path: &Path) -> Fingerprint {
    let stat = |p: &Path| std::fs::metadata(p).map_or((0, 0, 0, 0), |m| (m.ino(), m.mtime(), m.mtime_nsec(), m.len()));
    let current = std::fs::read(path.join("CURRENT")).unwrap_or_default();
    let manifest = String::from_utf8_lossy(&current).trim().to_owned();
    let mut stats = vec![stat(path), stat(&path.join("CURRENT"))];
    if !manifest.is_empty() && !manifest.contains('/') {
        stats.push(stat(&path.join(manifest)));
    }
    Fingerprint(stats, current)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A load's commit changes the fingerprint; nothing else does; and asking costs a few
    /// microseconds (printed with `--nocapture`: the figure BENCHMARKS.md gives).
    #[test]
    fn fingerprints_follow_commits_and_cost_little() -> std::io::Result<()> {
        let folder = tempfile::tempdir()?;
        let path = folder.path();
        std::fs::write(path.join("CURRENT"), "MANIFEST-000005\n")?;
        std::fs::write(path.join("MANIFEST-000005"), b"edit 1")?;
        let first = fingerprint(path);
        assert_eq!(fingerprint(path), first);
        std::fs::OpenOptions::new()
            .append(true)
            .open(path.join("MANIFEST-000005"))?
            .write_all(b"edit 2")?;
        let appended = fingerprint(path);
        assert_ne!(appended, first, "a commit appends to the manifest");
        std::fs::write(path.join("CURRENT"), "MANIFEST-000009\n")?;
        assert_ne!(fingerprint(path), appended, "a new manifest");
        let rounds = 10_000;
        let started = std::time::Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(fingerprint(path));
        }
        let each = started.elapsed() / rounds;
        println!("fingerprint of a store folder: {each:?} per request");
        assert!(each < std::time::Duration::from_millis(1), "{each:?}");
        Ok(())
    }

    use std::io::Write;
}
