//! A bounded table with O(1) amortized admission and eviction: a hash map plus a CLOCK
//! ("second chance") queue, the classic constant-time approximation of LRU.
//!
//! Touching an entry only sets its `referenced` flag (no list relinking, no allocation), so
//! the hot path stays one hash lookup. When the table is full, the queue's front is examined:
//! an entry the caller calls free (expired) or one not touched since its last pass is evicted;
//! a touched one loses its flag and goes to the back. Every flag cleared was set by one touch,
//! so an eviction costs O(1) amortized over the touches and inserts before it.
// ref: F. J. Corbató, "A paging experiment with the Multics system" (1968), the CLOCK algorithm

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

#[derive(Debug)]
struct Slot<V> {
    value: V,
    referenced: bool,
}

/// At most `cap` entries; inserting into a full table evicts one and hands it back.
#[derive(Debug)]
pub(super) struct ClockTable<K, V> {
    map: HashMap<K, Slot<V>, foldhash::fast::RandomState>,
    /// Every key of `map` exactly once (entries leave only through [`Self::insert_new`]).
    queue: VecDeque<K>,
    cap: usize,
}

impl<K: Hash + Eq + Clone, V> ClockTable<K, V> {
    /// An empty table holding at most `cap` entries (at least 1).
    pub(super) fn new(cap: usize) -> Self {
        Self {
            map: HashMap::default(),
            queue: VecDeque::new(),
            cap: cap.max(1),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.map.len()
    }

    /// The entry for `key`, marked as recently used.
    pub(super) fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get_mut(key).map(|slot| {
            slot.referenced = true;
            &mut slot.value
        })
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &V> {
        self.map.values().map(|s| &s.value)
    }

    /// Inserts `key`, which must be absent (a present key's value is replaced, nothing is
    /// evicted). When the table is full, first evicts one entry, preferring any the CLOCK
    /// hand meets for which `free` holds, and returns it.
    pub(super) fn insert_new(
        &mut self,
        key: K,
        value: V,
        free: impl Fn(&V) -> bool,
    ) -> Option<(K, V)> {
        if let Some(slot) = self.map.get_mut(&key) {
            slot.value = value;
            slot.referenced = true;
            return None;
        }
        let evicted = if self.map.len() >= self.cap {
            self.evict(free)
        } else {
            None
        };
        self.queue.push_back(key.clone());
        self.map.insert(
            key,
            Slot {
                value,
                referenced: false,
            },
        );
        evicted
    }

    fn evict(&mut self, free: impl Fn(&V) -> bool) -> Option<(K, V)> {
        while let Some(key) = self.queue.pop_front() {
            let Some(slot) = self.map.get_mut(&key) else {
                continue;
            };
            if slot.referenced && !free(&slot.value) {
                slot.referenced = false;
                self.queue.push_back(key);
                continue;
            }
            return self.map.remove(&key).map(|s| (key, s.value));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn untouched_entries_go_first_and_touched_ones_get_a_second_chance() {
        let mut t = ClockTable::new(3);
        for k in 0..3u32 {
            assert!(t.insert_new(k, k, |_| false).is_none());
        }
        t.get_mut(&0).unwrap();
        assert_eq!(t.insert_new(3, 3, |_| false), Some((1, 1)));
        assert_eq!(t.insert_new(4, 4, |_| false), Some((2, 2)));
        // 0 lost its flag on the first pass; now it is the oldest untouched.
        assert_eq!(t.insert_new(5, 5, |_| false), Some((0, 0)));
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn free_entries_are_taken_even_when_touched() {
        let mut t = ClockTable::new(2);
        t.insert_new(1u32, 10u32, |_| false);
        t.insert_new(2, 20, |_| false);
        t.get_mut(&1).unwrap();
        t.get_mut(&2).unwrap();
        assert_eq!(t.insert_new(3, 30, |v| *v == 10), Some((1, 10)));
    }

    #[test]
    fn a_flood_of_new_keys_costs_constant_work_per_insert() {
        let mut t = ClockTable::new(1024);
        for k in 0..200_000u32 {
            t.insert_new(k, (), |_| false);
        }
        assert_eq!(t.len(), 1024);
        assert_eq!(t.queue.len(), 1024);
    }
}
