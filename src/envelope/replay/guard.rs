//! The admission logic: namespaces, per-sender tables and watermarks.

use super::store::{Commit, Store};
use super::table::ClockTable;
use super::window::Window;
use super::{ReplayConfig, ReplaySender};
use crate::envelope::EnvelopeError;

/// A namespace of senders. The discriminant is the namespace's byte in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ns {
    Trusted = 0,
    Learned = 1,
    Plain = 2,
    Anonymous = 3,
}

impl Ns {
    pub(super) const ALL: [Ns; 4] = [Ns::Trusted, Ns::Learned, Ns::Plain, Ns::Anonymous];

    pub(super) fn code(self) -> u8 {
        self as u8
    }
}

/// One sender's streams and watermark.
#[derive(Debug)]
pub(super) struct SenderState {
    streams: ClockTable<u32, Window>,
    /// Highest `iat` of a stream this sender's table forgot (or that the sender inherited
    /// from its namespace when it was admitted as a new or returning sender). A stream the
    /// table does not know is accepted only if issued after it.
    watermark: Option<u64>,
    /// Highest `iat` this state holds (streams and watermark): the watermark the namespace
    /// takes on if the whole sender is evicted.
    max_iat: u64,
}

/// What one accepted message changed in a sender's state: what the store must write.
#[derive(Debug, Clone, Copy)]
pub(super) struct StreamChange {
    pub(super) prefix: u32,
    pub(super) window: Window,
    /// A stream of the same sender forgotten to make room.
    pub(super) evicted: Option<u32>,
    /// The sender's watermark, when it changed.
    pub(super) watermark: Option<u64>,
}

impl SenderState {
    pub(super) fn new(max_streams: usize, watermark: Option<u64>) -> Self {
        Self {
            streams: ClockTable::new(max_streams),
            watermark,
            max_iat: watermark.unwrap_or(0),
        }
    }

    /// Adds a stream read from the store (evicting as admission would, if the bound shrank).
    pub(super) fn insert_loaded(&mut self, prefix: u32, window: Window, horizon: u64) {
        self.max_iat = self.max_iat.max(window.last_iat);
        if let Some((_, gone)) = self.streams.insert_new(prefix, window, expired(horizon)) {
            self.forget(gone, horizon);
        }
    }

    fn forget(&mut self, gone: Window, horizon: u64) -> Option<u64> {
        // An expired stream needs no watermark: any replay of it is refused as expired.
        if gone.last_iat < horizon {
            return None;
        }
        let w = self
            .watermark
            .map_or(gone.last_iat, |w| w.max(gone.last_iat));
        self.watermark = Some(w);
        Some(w)
    }

    /// Accepts `(prefix, counter)` once, or returns `Replayed`; on error nothing changed.
    fn admit(
        &mut self,
        prefix: u32,
        counter: u64,
        iat: u64,
        horizon: u64,
    ) -> Result<StreamChange, EnvelopeError> {
        if let Some(w) = self.streams.get_mut(&prefix) {
            *w = w.accept(counter, iat)?;
            let window = *w;
            self.max_iat = self.max_iat.max(iat);
            return Ok(StreamChange {
                prefix,
                window,
                evicted: None,
                watermark: None,
            });
        }
        self.admit_new(prefix, counter, iat, horizon)
    }

    /// [`Self::admit`] when nothing is recorded: the same decisions and state, no change
    /// built for a store.
    #[inline]
    fn admit_unrecorded(
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
        self.admit_new(prefix, counter, iat, horizon).map(|_| ())
    }

    /// [`Self::admit`] for a stream this sender's table does not hold.
    #[inline(never)]
    fn admit_new(
        &mut self,
        prefix: u32,
        counter: u64,
        iat: u64,
        horizon: u64,
    ) -> Result<StreamChange, EnvelopeError> {
        if self.watermark.is_some_and(|w| iat <= w) {
            return Err(EnvelopeError::Replayed);
        }
        let window = Window::first(counter, iat, self.watermark);
        self.max_iat = self.max_iat.max(iat);
        let (evicted, watermark) = match self.streams.insert_new(prefix, window, expired(horizon)) {
            Some((gone_prefix, gone)) => (Some(gone_prefix), self.forget(gone, horizon)),
            None => (None, None),
        };
        Ok(StreamChange {
            prefix,
            window,
            evicted,
            watermark,
        })
    }
}

fn expired(horizon: u64) -> impl Fn(&Window) -> bool {
    move |w| w.last_iat < horizon
}

/// The senders of one namespace.
#[derive(Debug)]
struct Space {
    senders: ClockTable<Box<[u8]>, SenderState>,
    /// Highest `iat` held by a sender this namespace evicted: a sender the namespace does not
    /// hold must issue its new streams after it.
    watermark: Option<u64>,
}

impl Space {
    fn new(max_senders: usize) -> Self {
        Self {
            senders: ClockTable::new(max_senders),
            watermark: None,
        }
    }
}

/// Per-sender sliding windows with bounded tables, optionally backed by a database.
#[derive(Debug)]
pub struct ReplayGuard {
    max_streams: usize,
    trusted: Space,
    learned: Space,
    plain: Space,
    anonymous: Space,
    store: Option<Store>,
}

impl ReplayGuard {
    /// An in-memory guard (state lives as long as this value).
    pub fn new(config: ReplayConfig) -> Self {
        Self {
            max_streams: config.max_streams_per_sender.max(1),
            trusted: Space::new(usize::MAX),
            learned: Space::new(config.max_senders),
            plain: Space::new(config.max_senders),
            anonymous: Space::new(1),
            store: None,
        }
    }

    /// A guard whose state is kept in the database at `path` (created if absent), so that a
    /// message accepted by one process is `Replayed` in the next. Each accepted message is
    /// committed durably before [`Self::check_and_record`] returns `Ok`. One process holds
    /// the database at a time; another waits up to [`ReplayConfig::lock_wait`], then fails.
    pub fn persistent(path: &std::path::Path, config: ReplayConfig) -> Result<Self, EnvelopeError> {
        let (store, watermarks) = Store::open(path, config.lock_wait)?;
        let mut guard = Self::new(config);
        for (ns, w) in watermarks {
            guard.space_mut(ns).watermark = Some(w);
        }
        guard.store = Some(store);
        Ok(guard)
    }

    fn space_mut(&mut self, ns: Ns) -> &mut Space {
        match ns {
            Ns::Trusted => &mut self.trusted,
            Ns::Learned => &mut self.learned,
            Ns::Plain => &mut self.plain,
            Ns::Anonymous => &mut self.anonymous,
        }
    }

    /// Number of streams held in memory, over all senders.
    pub fn len(&self) -> usize {
        [&self.trusted, &self.learned, &self.plain, &self.anonymous]
            .iter()
            .flat_map(|s| s.senders.values())
            .map(|s| s.streams.len())
            .sum()
    }

    /// Whether no stream is held in memory.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Accepts `(prefix, counter)` from `sender` once, or returns `Replayed`.
    ///
    /// Call only after the message authenticated (for authenticated senders) and passed the
    /// freshness checks (`now - window_s <= iat <= now + future skew`), so forged or stale
    /// messages cannot move the state. A persistent guard returns `Ok` only after the entry
    /// is committed; a database failure is `ReplayStore` and the message must be refused.
    pub fn check_and_record(
        &mut self,
        sender: ReplaySender<'_>,
        prefix: u32,
        counter: u64,
        iat: u64,
        now: u64,
        window_s: u64,
    ) -> Result<(), EnvelopeError> {
        let (ns, id): (Ns, &[u8]) = match sender {
            ReplaySender::Key(kid) => (Ns::Trusted, kid),
            ReplaySender::Learned(kid) => (Ns::Learned, kid),
            ReplaySender::Plain(kid) => (Ns::Plain, kid),
            ReplaySender::Anonymous => (Ns::Anonymous, &[]),
        };
        let horizon = now.saturating_sub(window_s);
        let Self {
            max_streams,
            trusted,
            learned,
            plain,
            anonymous,
            store,
        } = self;
        let max_streams = *max_streams;
        let store = store.as_mut();
        let space = match ns {
            Ns::Trusted => trusted,
            Ns::Learned => learned,
            Ns::Plain => plain,
            Ns::Anonymous => anonymous,
        };

        // Fast path: a sender already held (the tables' last-hit hints, else one hash lookup
        // each), and nothing to build for a store when there is none.
        if let Some(state) = space.senders.get_mut(id) {
            let Some(store) = store else {
                return state.admit_unrecorded(prefix, counter, iat, horizon);
            };
            let change = state.admit(prefix, counter, iat, horizon)?;
            return store.commit(
                &Commit {
                    ns,
                    id,
                    change,
                    sender_watermark: change.watermark,
                    evicted_sender: None,
                    space_watermark: None,
                },
                now,
                window_s,
            );
        }

        // First sight in this process: the store's rows, else a new (or evicted) sender,
        // which inherits the namespace watermark so a forgotten stream stays refused.
        let loaded = match &store {
            Some(store) => store.load_sender(ns, id, max_streams, horizon)?,
            None => None,
        };
        let (mut state, inherited) = match loaded {
            Some(state) => (state, None),
            None => (
                SenderState::new(max_streams, space.watermark),
                space.watermark,
            ),
        };
        let change = state.admit(prefix, counter, iat, horizon)?;
        let evicted = space
            .senders
            .insert_new(Box::from(id), state, |s| s.max_iat < horizon);
        let mut space_watermark = None;
        if let Some((_, gone)) = &evicted
            && gone.max_iat >= horizon
        {
            let w = space
                .watermark
                .map_or(gone.max_iat, |w| w.max(gone.max_iat));
            space.watermark = Some(w);
            space_watermark = Some(w);
        }
        if let Some(store) = store {
            store.commit(
                &Commit {
                    ns,
                    id,
                    change,
                    sender_watermark: change.watermark.or(inherited),
                    evicted_sender: evicted.as_ref().map(|(k, _)| &**k),
                    space_watermark,
                },
                now,
                window_s,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const K: ReplaySender<'static> = ReplaySender::Key(b"k");

    fn small(streams: usize, senders: usize) -> ReplayGuard {
        ReplayGuard::new(ReplayConfig {
            max_streams_per_sender: streams,
            max_senders: senders,
            ..ReplayConfig::default()
        })
    }

    #[test]
    fn each_counter_is_accepted_once_even_out_of_order() {
        let mut g = small(16, 16);
        for c in [5u64, 3, 7, 4, 100, 99] {
            g.check_and_record(K, 1, c, 10, 10, 300).unwrap();
        }
        for c in [5u64, 3, 7, 4, 100, 99] {
            assert_eq!(
                g.check_and_record(K, 1, c, 10, 10, 300),
                Err(EnvelopeError::Replayed),
                "{c}"
            );
        }
        // Same counter on another stream, sender or namespace is a different message.
        g.check_and_record(K, 2, 5, 10, 10, 300).unwrap();
        g.check_and_record(ReplaySender::Key(b"j"), 1, 5, 10, 10, 300)
            .unwrap();
        g.check_and_record(ReplaySender::Plain(b"k"), 1, 5, 10, 10, 300)
            .unwrap();
        g.check_and_record(ReplaySender::Learned(b"k"), 1, 5, 10, 10, 300)
            .unwrap();
        g.check_and_record(ReplaySender::Anonymous, 1, 5, 10, 10, 300)
            .unwrap();
        assert_eq!(g.len(), 6);
    }

    #[test]
    fn an_evicted_stream_raises_only_its_senders_watermark() {
        let mut g = small(4, 4);
        for prefix in 0..4u32 {
            g.check_and_record(K, prefix, 1, 1000 + u64::from(prefix), 1010, 300)
                .unwrap();
        }
        g.check_and_record(ReplaySender::Key(b"other"), 0, 1, 1000, 1010, 300)
            .unwrap();
        // A fifth stream evicts one of k's (prefix 0, iat 1000, never touched again).
        g.check_and_record(K, 9, 1, 1005, 1010, 300).unwrap();
        assert_eq!(
            g.trusted.senders.get_mut(&b"k"[..]).unwrap().watermark,
            Some(1000)
        );
        assert_eq!(
            g.check_and_record(K, 0, 1, 1000, 1010, 300),
            Err(EnvelopeError::Replayed)
        );
        // k's new streams issued later are fine; another sender's are untouched.
        g.check_and_record(K, 10, 1, 1001, 1011, 300).unwrap();
        g.check_and_record(ReplaySender::Key(b"other"), 7, 1, 999, 1010, 300)
            .unwrap();
    }

    #[test]
    fn expired_streams_are_dropped_without_raising_the_watermark() {
        let mut g = small(2, 2);
        g.check_and_record(K, 1, 1, 100, 100, 300).unwrap();
        g.check_and_record(K, 2, 1, 100, 100, 300).unwrap();
        g.check_and_record(K, 3, 1, 1000, 1000, 300).unwrap();
        g.check_and_record(K, 4, 1, 1000, 1000, 300).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(
            g.trusted.senders.get_mut(&b"k"[..]).unwrap().watermark,
            None
        );
    }

    #[test]
    fn an_evicted_learned_sender_cannot_replay_on_return() {
        let mut g = small(4, 2);
        let a = ReplaySender::Learned(b"a");
        g.check_and_record(a, 1, 1, 500, 500, 300).unwrap();
        g.check_and_record(ReplaySender::Learned(b"b"), 1, 1, 501, 501, 300)
            .unwrap();
        g.check_and_record(ReplaySender::Learned(b"c"), 1, 1, 502, 502, 300)
            .unwrap();
        assert_eq!(g.learned.watermark, Some(500));
        // a comes back with a fresh stream; it inherits the namespace watermark, so its old
        // stream (forgotten with it) stays refused even now that a is held again.
        g.check_and_record(a, 2, 1, 503, 503, 300).unwrap();
        assert_eq!(
            g.check_and_record(a, 1, 1, 500, 503, 300),
            Err(EnvelopeError::Replayed)
        );
        // Trust-store senders never see the learned namespace's watermark.
        g.check_and_record(K, 1, 1, 400, 503, 300).unwrap();
    }

    #[test]
    fn the_database_mirrors_evictions_and_prunes_expired_rows() {
        let dir = std::env::temp_dir().join(format!(
            "sealbench-replay-unit-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("r.redb");
        let cfg = ReplayConfig {
            max_streams_per_sender: 2,
            max_senders: 1,
            ..ReplayConfig::default()
        };
        {
            let mut g = ReplayGuard::persistent(&path, cfg.clone()).unwrap();
            for prefix in 0..3 {
                g.check_and_record(K, prefix, 1, 1000, 1000, 300).unwrap();
            }
            g.check_and_record(ReplaySender::Learned(b"a"), 1, 1, 1000, 1000, 300)
                .unwrap();
            g.check_and_record(ReplaySender::Learned(b"b"), 1, 1, 1001, 1001, 300)
                .unwrap();
            // k: 2 streams and a watermark; learned: b's stream, a's rows gone, namespace
            // watermark 1000.
            assert_eq!(g.store.as_ref().unwrap().row_counts(), (3, 1, 1));
        }
        // A later process, past the window: its first commit prunes every expired row.
        let mut g = ReplayGuard::persistent(&path, cfg).unwrap();
        g.check_and_record(K, 9, 1, 2000, 2000, 300).unwrap();
        assert_eq!(g.store.as_ref().unwrap().row_counts(), (1, 0, 0));
        drop(g);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
