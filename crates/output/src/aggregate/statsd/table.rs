//! statsd's keys of one kind (counters, timers, gauges or sets) with their state, in order of
//! arrival (a JS object's order, as statsd iterates them), found by a hash of key and tags.

use std::hash::{Hash, Hasher};

use librato_core::hash::{FxHashMap, FxHasher};

pub(super) struct Entry<S> {
    pub(super) key: String,
    pub(super) tags: Vec<(String, String)>,
    pub(super) state: S,
}

/// One kind's keys, in order of arrival (a JS object's order, as statsd iterates).
pub(super) struct Table<S> {
    pub(super) index: FxHashMap<u64, Vec<usize>>,
    pub(super) entries: Vec<Option<Entry<S>>>,
    pub(super) live: usize,
}

impl<S> Default for Table<S> {
    fn default() -> Self {
        Table {
            index: FxHashMap::default(),
            entries: Vec::new(),
            live: 0,
        }
    }
}

fn hash_of(key: &str, tags: &[(String, String)]) -> u64 {
    let mut h = FxHasher::default();
    key.hash(&mut h);
    tags.hash(&mut h);
    h.finish()
}

impl<S> Table<S> {
    pub(super) fn find(&self, key: &str, tags: &[(String, String)]) -> Option<usize> {
        let ids = self.index.get(&hash_of(key, tags))?;
        ids.iter().copied().find(|&i| {
            self.entries[i]
                .as_ref()
                .is_some_and(|e| e.key == key && e.tags == tags)
        })
    }

    pub(super) fn insert(&mut self, key: String, tags: Vec<(String, String)>, state: S) -> usize {
        let i = self.entries.len();
        self.index.entry(hash_of(&key, &tags)).or_default().push(i);
        self.entries.push(Some(Entry { key, tags, state }));
        self.live += 1;
        i
    }

    pub(super) fn remove(&mut self, i: usize) {
        if let Some(e) = self.entries[i].take() {
            let h = hash_of(&e.key, &e.tags);
            if let Some(ids) = self.index.get_mut(&h) {
                ids.retain(|&x| x != i);
                if ids.is_empty() {
                    self.index.remove(&h);
                }
            }
            self.live -= 1;
        }
    }

    /// Drops the holes left by removals (ids change: only between flushes).
    pub(super) fn compact(&mut self) {
        if self.live == self.entries.len() {
            return;
        }
        let entries: Vec<Option<Entry<S>>> = std::mem::take(&mut self.entries)
            .into_iter()
            .filter(Option::is_some)
            .collect();
        self.index.clear();
        for (i, e) in entries.iter().enumerate() {
            let e = e.as_ref().expect("only live entries are kept");
            self.index
                .entry(hash_of(&e.key, &e.tags))
                .or_default()
                .push(i);
        }
        self.entries = entries;
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &Entry<S>> {
        self.entries.iter().flatten()
    }
}
