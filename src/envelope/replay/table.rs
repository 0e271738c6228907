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
struct Slot<K, V> {
    key: K,
    value: V,
    referenced: bool,
}

/// At most `cap` entries; inserting into a full table evicts one and hands it back.
///
/// Entries live in `slots`; `map` finds a key's slot. A slot is only ever reused in place by
/// the entry that evicts its occupant, so indices stay dense. `last` remembers the slot of
/// the last lookup and is trusted only when that slot's key equals the key asked for (a slot
/// reused by another key fails the comparison), which makes a repeated lookup one key
/// comparison instead of a hash and a probe.
#[derive(Debug)]
pub(super) struct ClockTable<K, V> {
    map: HashMap<K, usize, foldhash::fast::RandomState>,
    slots: Vec<Slot<K, V>>,
    /// Every index of `slots` exactly once, in CLOCK order.
    queue: VecDeque<usize>,
    /// Slot of the last successful lookup (a hint, verified by key).
    last: usize,
    cap: usize,
}

impl<K: Hash + Eq + Clone, V> ClockTable<K, V> {
    /// An empty table holding at most `cap` entries (at least 1).
    pub(super) fn new(cap: usize) -> Self {
        Self {
            map: HashMap::default(),
            slots: Vec::new(),
            queue: VecDeque::new(),
            last: 0,
            cap: cap.max(1),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.slots.len()
    }

    /// The entry for `key`, marked as recently used.
    #[inline]
    pub(super) fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = match self.slots.get(self.last) {
            Some(slot) if slot.key.borrow() == key => self.last,
            _ => {
                let i = *self.map.get(key)?;
                self.last = i;
                i
            }
        };
        let slot = self.slots.get_mut(i)?;
        slot.referenced = true;
        Some(&mut slot.value)
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &V> {
        self.slots.iter().map(|s| &s.value)
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
        if let Some(slot) = self.map.get(&key).and_then(|&i| self.slots.get_mut(i)) {
            slot.value = value;
            slot.referenced = true;
            return None;
        }
        let fresh = Slot {
            key: key.clone(),
            value,
            referenced: false,
        };
        if self.slots.len() >= self.cap
            && let Some(i) = self.victim(free)
            && let Some(slot) = self.slots.get_mut(i)
        {
            let gone = std::mem::replace(slot, fresh);
            self.map.remove(&gone.key);
            self.map.insert(key, i);
            self.queue.push_back(i);
            return Some((gone.key, gone.value));
        }
        let i = self.slots.len();
        self.slots.push(fresh);
        self.map.insert(key, i);
        self.queue.push_back(i);
        None
    }

    /// The slot the CLOCK hand evicts (taken off the queue).
    fn victim(&mut self, free: impl Fn(&V) -> bool) -> Option<usize> {
        while let Some(i) = self.queue.pop_front() {
            let Some(slot) = self.slots.get_mut(i) else {
                continue;
            };
            if slot.referenced && !free(&slot.value) {
                slot.referenced = false;
                self.queue.push_back(i);
                continue;
            }
            return Some(i);
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
