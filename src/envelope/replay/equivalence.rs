//! The guard against a reference: the tables as they were before the last-hit hints and the
//! store-less fast path (a hash map plus a queue of keys, every lookup hashed, every
//! admission building its change), driven through one long random sequence.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::guard::Ns;
use super::window::Window;
use super::{ReplayConfig, ReplayGuard, ReplaySender};
use crate::envelope::EnvelopeError;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// The CLOCK table without hints.
struct RefTable<K, V> {
    map: HashMap<K, (V, bool)>,
    queue: VecDeque<K>,
    cap: usize,
}

impl<K: Hash + Eq + Clone, V> RefTable<K, V> {
    fn new(cap: usize) -> Self {
        Self {
            map: HashMap::new(),
            queue: VecDeque::new(),
            cap: cap.max(1),
        }
    }

    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.map.get_mut(key).map(|(v, r)| {
            *r = true;
            v
        })
    }

    fn insert_new(&mut self, key: K, value: V, free: impl Fn(&V) -> bool) -> Option<(K, V)> {
        assert!(!self.map.contains_key(&key));
        let mut evicted = None;
        if self.map.len() >= self.cap {
            while let Some(k) = self.queue.pop_front() {
                let (v, r) = self.map.get_mut(&k).unwrap();
                if *r && !free(v) {
                    *r = false;
                    self.queue.push_back(k);
                    continue;
                }
                let v = self.map.remove(&k).unwrap().0;
                evicted = Some((k, v));
                break;
            }
        }
        self.queue.push_back(key.clone());
        self.map.insert(key, (value, false));
        evicted
    }
}

struct RefSender {
    streams: RefTable<u32, Window>,
    watermark: Option<u64>,
    max_iat: u64,
}

impl RefSender {
    fn admit(
        &mut self,
        prefix: u32,
        counter: u64,
        iat: u64,
        horizon: u64,
    ) -> Result<(), EnvelopeError> {
        if let Some(w) = self.streams.get_mut(&prefix) {
            *w = w.accept(counter, iat)?;
            self.max_iat = self.max_iat.max(iat);
            return Ok(());
        }
        if self.watermark.is_some_and(|w| iat <= w) {
            return Err(EnvelopeError::Replayed);
        }
        let window = Window::first(counter, iat, self.watermark);
        self.max_iat = self.max_iat.max(iat);
        if let Some((_, gone)) = self
            .streams
            .insert_new(prefix, window, |w| w.last_iat < horizon)
            && gone.last_iat >= horizon
        {
            self.watermark = Some(
                self.watermark
                    .map_or(gone.last_iat, |w| w.max(gone.last_iat)),
            );
        }
        Ok(())
    }
}

struct RefSpace {
    senders: RefTable<Vec<u8>, RefSender>,
    watermark: Option<u64>,
}

struct RefGuard {
    max_streams: usize,
    spaces: Vec<RefSpace>,
}

impl RefGuard {
    fn new(c: &ReplayConfig) -> Self {
        let space = |cap| RefSpace {
            senders: RefTable::new(cap),
            watermark: None,
        };
        Self {
            max_streams: c.max_streams_per_sender.max(1),
            spaces: vec![
                space(usize::MAX),
                space(c.max_senders),
                space(c.max_senders),
                space(1),
            ],
        }
    }

    fn check_and_record(
        &mut self,
        ns: Ns,
        id: &[u8],
        prefix: u32,
        counter: u64,
        iat: u64,
        horizon: u64,
    ) -> Result<(), EnvelopeError> {
        let space = &mut self.spaces[usize::from(ns.code())];
        if let Some(s) = space.senders.get_mut(&id.to_vec()) {
            return s.admit(prefix, counter, iat, horizon);
        }
        let mut s = RefSender {
            streams: RefTable::new(self.max_streams),
            watermark: space.watermark,
            max_iat: space.watermark.unwrap_or(0),
        };
        s.admit(prefix, counter, iat, horizon)?;
        if let Some((_, gone)) = space
            .senders
            .insert_new(id.to_vec(), s, |s| s.max_iat < horizon)
            && gone.max_iat >= horizon
        {
            space.watermark = Some(
                space
                    .watermark
                    .map_or(gone.max_iat, |w| w.max(gone.max_iat)),
            );
        }
        Ok(())
    }

    fn len(&self) -> usize {
        self.spaces
            .iter()
            .flat_map(|s| s.senders.map.values())
            .map(|(s, _)| s.streams.map.len())
            .sum()
    }
}

/// xorshift64*: the sequence is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Same-length kids that differ only in their last byte, a prefix of another, the empty one.
const KIDS: [&[u8]; 7] = [b"ab", b"ac", b"a", b"abc", b"", b"zz", b"ba"];

/// Runs `steps` random messages through `guards` and the reference; every result (and, from
/// time to time, the stream count) must agree. Returns how many were accepted.
fn drive(guards: &mut [ReplayGuard], cfg: &ReplayConfig, seed: u64, steps: usize) -> usize {
    const WINDOW_S: u64 = 300;
    let mut reference = RefGuard::new(cfg);
    let mut rng = Rng(seed);
    let mut now = 10_000u64;
    // Highest counter handed out per (namespace, kid, prefix), to build fresh, reordered,
    // replayed and too-old counters.
    let mut top: HashMap<(u8, usize, u32), u64> = HashMap::new();
    let (mut ns_i, mut kid, mut prefix) = (0u8, 0usize, 0u32);
    let mut accepted = 0;
    for step in 0..steps {
        // Mostly the same sender and stream as before (what the hints serve), else anything.
        match rng.below(10) {
            0..=4 => {}
            5 | 6 => prefix = rng.below(6) as u32,
            7 | 8 => kid = rng.below(KIDS.len() as u64) as usize,
            _ => {
                ns_i = rng.below(4) as u8;
                kid = rng.below(KIDS.len() as u64) as usize;
                prefix = rng.below(6) as u32;
            }
        }
        if rng.below(20) == 0 {
            let span = if rng.below(8) == 0 { 400 } else { 30 };
            now += rng.below(span);
        }
        let ns = Ns::ALL[usize::from(ns_i)];
        let id = if ns == Ns::Anonymous {
            &[][..]
        } else {
            KIDS[kid]
        };
        let sender = match ns {
            Ns::Trusted => ReplaySender::Key(id),
            Ns::Learned => ReplaySender::Learned(id),
            Ns::Plain => ReplaySender::Plain(id),
            Ns::Anonymous => ReplaySender::Anonymous,
        };
        let t = top.entry((ns_i, kid, prefix)).or_insert(0);
        let counter = match rng.below(10) {
            0..=5 => *t + 1 + rng.below(3),
            6 => t.saturating_sub(rng.below(8)),
            7 => t.saturating_sub(120 + rng.below(20)),
            8 => *t + 100 + rng.below(200),
            _ => rng.below(*t + 2),
        };
        *t = (*t).max(counter);
        // Fresh by the caller's checks: within the window, or a little in the future.
        let iat = now - rng.below(WINDOW_S + 1) + rng.below(5);
        let want = reference.check_and_record(ns, id, prefix, counter, iat, now - WINDOW_S);
        accepted += usize::from(want.is_ok());
        for (g, guard) in guards.iter_mut().enumerate() {
            let got = guard.check_and_record(sender, prefix, counter, iat, now, WINDOW_S);
            assert_eq!(
                got, want,
                "guard {g}, step {step}: {ns:?} {id:?} {prefix} {counter} {iat} {now}"
            );
            if step % 64 == 0 {
                assert_eq!(guard.len(), reference.len(), "guard {g}, step {step}");
            }
        }
    }
    accepted
}

fn config(streams: usize, senders: usize) -> ReplayConfig {
    ReplayConfig {
        max_streams_per_sender: streams,
        max_senders: senders,
        ..ReplayConfig::default()
    }
}

#[test]
fn the_guard_decides_as_the_reference_under_eviction_and_time() {
    for (seed, streams, senders) in [
        (1u64, 3usize, 3usize),
        (2, 1, 1),
        (3, 2, 5),
        (4, 6, 2),
        (5, 1024, 1024),
    ] {
        let cfg = config(streams, senders);
        let mut guards = [ReplayGuard::new(cfg.clone())];
        let accepted = drive(&mut guards, &cfg, seed, 40_000);
        // The sequence exercises both verdicts.
        assert!(accepted > 10_000 && accepted < 38_000, "{accepted}");
    }
}

#[test]
fn a_persistent_guard_decides_as_the_in_memory_one() {
    let dir = std::env::temp_dir().join(format!(
        "sealbench-replay-equiv-{}-{:?}",
        std::process::id(),
        std::time::SystemTime::now()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = config(3, 3);
    let mut guards = [
        ReplayGuard::new(cfg.clone()),
        ReplayGuard::persistent(&dir.join("r.redb"), cfg.clone()).unwrap(),
    ];
    drive(&mut guards, &cfg, 7, 600);
    drop(guards);
    std::fs::remove_dir_all(&dir).unwrap();
}
