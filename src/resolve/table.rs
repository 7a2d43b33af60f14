//! A table of the ids of one kind of record, kept compact: a run of ten million statements
//! holds ten million of them while it streams.
//!
//! A `HashMap<Box<str>, V>` costs an allocation per id (its bytes rounded up to the
//! allocator's size class, 16 to 32 bytes for most ids) plus a 16-byte pointer and the
//! value in every slot of a table kept at most seven-eighths full: about 88 bytes an id at
//! 10^7 statements, measured. Here the ids' bytes follow each other in one buffer, each
//! id is its end offset there and its value, and the hash table holds only 4-byte indexes
//! into them; an id costs its own bytes plus about 30.

use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

/// Ids and a value for each, in the order they were added.
#[derive(Debug, Clone)]
pub(super) struct IdTable<V> {
    /// Every id's bytes, one after the other.
    bytes: String,
    /// Where each id ends in `bytes` (it starts where the one before ends).
    ends: Vec<usize>,
    values: Vec<V>,
    /// Indexes into `ends` and `values`, hashed by their id.
    index: HashTable<u32>,
    hasher: RandomState,
}

impl<V> Default for IdTable<V> {
    fn default() -> Self {
        Self {
            bytes: String::new(),
            ends: Vec::new(),
            values: Vec::new(),
            index: HashTable::new(),
            hasher: RandomState::new(),
        }
    }
}

impl<V> IdTable<V> {
    pub(super) fn len(&self) -> usize {
        self.values.len()
    }

    fn id(&self, i: usize) -> &str {
        slice(&self.bytes, &self.ends, i)
    }

    fn find(&self, id: &str) -> Option<usize> {
        let hash = self.hasher.hash_one(id);
        self.index
            .find(hash, |&i| self.id(i as usize) == id)
            .map(|&i| i as usize)
    }

    pub(super) fn contains(&self, id: &str) -> bool {
        self.find(id).is_some()
    }

    pub(super) fn get(&self, id: &str) -> Option<&V> {
        self.find(id).map(|i| &self.values[i])
    }

    pub(super) fn get_mut(&mut self, id: &str) -> Option<&mut V> {
        self.find(id).map(|i| &mut self.values[i])
    }

    /// Adds `id`, which is not in the table yet (the caller has looked), with `value`.
    pub(super) fn insert_new(&mut self, id: &str, value: V) {
        debug_assert!(!self.contains(id), "{id:?} is in the table already");
        // More than 2^32 ids of one kind would not fit in memory anyway (at 30 bytes an
        // id, 128 GiB); the index stays 4 bytes.
        let i = u32::try_from(self.values.len()).expect("fewer than 2^32 ids of one kind");
        self.bytes.push_str(id);
        self.ends.push(self.bytes.len());
        self.values.push(value);
        let hash = self.hasher.hash_one(id);
        let Self {
            index,
            bytes,
            ends,
            hasher,
            ..
        } = self;
        index.insert_unique(hash, i, |&j| hasher.hash_one(slice(bytes, ends, j as usize)));
    }

    /// Every id, in the order they were added.
    pub(super) fn ids(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.id(i))
    }
}

/// The `i`th id of the ids laid end to end in `bytes`, each ending where `ends` says.
fn slice<'a>(bytes: &'a str, ends: &[usize], i: usize) -> &'a str {
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &bytes[start..ends[i]]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids that share prefixes, are empty, or are not ASCII are found with their own
    /// values, through the table's growth; a value changed in place stays one entry.
    #[test]
    fn finds_every_id_it_was_given_and_no_other() {
        let mut table = IdTable::default();
        let ids: Vec<String> = (0..5_000)
            .map(|i| match i % 4 {
                0 => format!("s{i}"),
                1 => format!("s{i}/новости"),
                2 => format!("{i}"),
                _ => format!("s{}", i / 10),
            })
            .chain([String::new()])
            .collect();
        let mut expected = std::collections::HashMap::new();
        for (n, id) in ids.iter().enumerate() {
            if !table.contains(id) {
                table.insert_new(id, n);
                expected.insert(id.clone(), n);
            }
        }
        assert_eq!(table.len(), expected.len());
        for (id, n) in &expected {
            assert_eq!(table.get(id), Some(n), "{id:?}");
        }
        for absent in ["s", "s5000", "1/новости", "новости", " "] {
            assert!(!table.contains(absent), "{absent:?}");
        }
        let mut seen: Vec<&str> = table.ids().collect();
        seen.sort_unstable();
        let mut wanted: Vec<&str> = expected.keys().map(String::as_str).collect();
        wanted.sort_unstable();
        assert_eq!(seen, wanted);
        if let Some(value) = table.get_mut("s4") {
            *value = 7;
        }
        assert_eq!(
            (table.get("s4"), table.get("s8"), table.len()),
            (Some(&7), Some(&8), expected.len())
        );
    }
}
