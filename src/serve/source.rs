//! The store a server reads, kept current: an on-disk store is opened read-only, and
//! reopened when a `load` (or a swap of the whole folder) has changed it, so new queries
//! see the load without a restart. A query keeps the snapshot it started on: RocksDB's
//! read-only view is the state of the store when it was opened, and a bulk load commits
//! as one version edit, so no query sees half of one.
//!
//! Whether the store changed is read from the file system on each request, a few `stat`
//! calls (6 µs): the folder's inode (a folder swapped in place), its modification time
//! (table files added or removed), `CURRENT` and the manifest it names (every commit
//! appends to the manifest). Only a changed fingerprint costs a reopen, done in the
//! background while requests go on reading the previous snapshot.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
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
    current: Arc<Mutex<(Fingerprint, Arc<Snapshot>)>>,
    /// Whether a reopen is under way (one at a time).
    reopening: Arc<AtomicBool>,
}

/// What the file system says of a store folder; equal fingerprints, same store.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Fingerprint(Vec<(u64, i64, i64, u64)>, Vec<u8>);

impl Source {
    /// An in-memory store, which never changes.
    pub fn memory(store: GraphStore) -> Result<Self> {
        Ok(Self {
            disk: None,
            current: Arc::new(Mutex::new((Fingerprint::default(), Arc::new(Snapshot::new(store)?)))),
            reopening: Arc::default(),
        })
    }

    /// The on-disk store at `path`, opened read-only.
    pub fn disk(path: &Path) -> Result<Self> {
        let fingerprint = fingerprint(path);
        let snapshot = open(path)?;
        Ok(Self {
            disk: Some(path.to_owned()),
            current: Arc::new(Mutex::new((fingerprint, Arc::new(snapshot)))),
            reopening: Arc::default(),
        })
    }

    /// The store as it is now. When the folder changed since it was opened, it is reopened
    /// on a thread of its own (opening a large store takes seconds, and requests must not
    /// wait for it): requests go on reading the previous snapshot until the new one is
    /// ready, then read the new one. A failed reopen (a load half-way through replacing
    /// files, past the retries) keeps the previous snapshot, says so on standard error, and
    /// is tried again at the next request.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        let current = lock(&self.current);
        if let Some(path) = &self.disk
            && fingerprint(path) != current.0
            && !self.reopening.swap(true, Ordering::AcqRel)
        {
            let (path, shared, reopening) = (path.clone(), Arc::clone(&self.current), Arc::clone(&self.reopening));
            let spawned = std::thread::Builder::new()
                .name("saidgraph reopen".to_owned())
                .spawn(move || {
                    // Read before opening: a commit during the open changes it again, and
                    // the next request reopens once more.
                    let seen = fingerprint(&path);
                    match open(&path) {
                        Ok(snapshot) => *lock(&shared) = (seen, Arc::new(snapshot)),
                        Err(error) => eprintln!("saidgraph: kept the previous view of the store: {error}"),
                    }
                    reopening.store(false, Ordering::Release);
                });
            if spawned.is_err() {
                self.reopening.store(false, Ordering::Release);
            }
        }
        Arc::clone(&current.1)
    }

    /// Waits, until `deadline` at the latest, for a reopen under way to end: a thread still
    /// opening RocksDB when the process exits races with RocksDB's own teardown, and the
    /// process aborts.
    pub fn settle(&self, deadline: std::time::Instant) {
        while self.reopening.load(Ordering::Acquire) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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
