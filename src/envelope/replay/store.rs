//! Replay state kept across processes in [redb](https://www.redb.org), write-through.
//!
//! Why redb: it is an embedded, pure-Rust, ACID key-value store (no C library or system
//! package to build, unlike SQLite through rusqlite), copy-on-write B-trees with checksummed
//! commit slots, and a commit with `Durability::Immediate` returns only after `fsync`, so an
//! entry whose commit returned survives a crash or `SIGKILL` of the process; a torn commit
//! is discarded on the next open (the previous commit slot stays valid). Its default
//! `ExclusiveWriter` mode locks the file, so two processes never hold diverging caches of
//! the same state: the second waits, then fails with a clear error.
//!
//! Layout (every key starts with the namespace byte, so namespaces never mix):
//! - `streams`: `(ns, sender id, stream prefix)` → `(max counter, seen bitmap, last iat,
//!   floor)`
//! - `sender_watermarks`: `(ns, sender id)` → watermark
//! - `namespace_watermarks`: `ns` → watermark
//!
//! The database mirrors the in-memory tables: an eviction deletes the rows and writes the
//! raised watermark in the same transaction as the accepted entry. Rows whose `iat` fell
//! behind the freshness window are pruned every [`PRUNE_EVERY`] commits: a replay of them is
//! refused as expired anyway.

use std::path::Path;
use std::time::{Duration, Instant};

use redb::{Database, DatabaseError, Durability, ReadableDatabase, ReadableTable, TableDefinition};

use super::guard::{Ns, SenderState, StreamChange};
use super::window::Window;
use crate::envelope::EnvelopeError;

type StreamKey<'a> = (u8, &'a [u8], u32);
/// `(max counter, seen bitmap, last iat, floor)`: a [`Window`].
type StreamValue = (u64, u128, u64, Option<u64>);
const STREAMS: TableDefinition<StreamKey<'static>, StreamValue> = TableDefinition::new("streams");
const SENDERS: TableDefinition<(u8, &[u8]), u64> = TableDefinition::new("sender_watermarks");
const SPACES: TableDefinition<u8, u64> = TableDefinition::new("namespace_watermarks");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// Layout version in `meta`; a database of another version is refused, not misread.
const SCHEMA: u64 = 1;
/// Commits between two prunes of expired rows (the first commit of a process prunes too).
pub(super) const PRUNE_EVERY: u32 = 4096;

/// One accepted message's writes.
pub(super) struct Commit<'a> {
    pub(super) ns: Ns,
    pub(super) id: &'a [u8],
    pub(super) change: StreamChange,
    /// The sender's watermark to write (raised, or inherited by a new sender).
    pub(super) sender_watermark: Option<u64>,
    /// A sender of the same namespace evicted to make room: all its rows go.
    pub(super) evicted_sender: Option<&'a [u8]>,
    /// The namespace watermark, when it changed.
    pub(super) space_watermark: Option<u64>,
}

/// The open database.
pub(super) struct Store {
    db: Database,
    path: String,
    /// Commits since the last prune; `None` before the first commit of this process.
    since_prune: Option<u32>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn fail(path: &str, what: &str, e: impl Into<redb::Error>) -> EnvelopeError {
    let e: redb::Error = e.into();
    let detail = match e {
        redb::Error::DatabaseAlreadyOpen => "in use by another process".to_string(),
        other => other.to_string(),
    };
    EnvelopeError::ReplayStore(format!("replay database {path}: {what}: {detail}"))
}

impl Store {
    /// Opens (or creates) the database, waiting up to `lock_wait` for another process to
    /// close it; returns the namespace watermarks.
    pub(super) fn open(
        path: &Path,
        lock_wait: Duration,
    ) -> Result<(Self, Vec<(Ns, u64)>), EnvelopeError> {
        let shown = path.display().to_string();
        let deadline = Instant::now().checked_add(lock_wait);
        let db = loop {
            match Database::create(path) {
                Ok(db) => break db,
                Err(DatabaseError::DatabaseAlreadyOpen)
                    if deadline.is_some_and(|d| Instant::now() < d) =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(fail(&shown, "open", e)),
            }
        };
        let store = Self {
            db,
            path: shown,
            since_prune: None,
        };
        store.init()?;
        let watermarks = store.load_watermarks()?;
        Ok((store, watermarks))
    }

    fn err<'a>(&'a self, what: &'a str) -> impl Fn(redb::Error) -> EnvelopeError + 'a {
        move |e| fail(&self.path, what, e)
    }

    /// Creates the tables and checks the layout version.
    fn init(&self) -> Result<(), EnvelopeError> {
        let e = self.err("initialize");
        let txn = self.db.begin_write().map_err(|x| e(x.into()))?;
        {
            let mut meta = txn.open_table(META).map_err(|x| e(x.into()))?;
            let found = meta
                .get("schema")
                .map_err(|x| e(x.into()))?
                .map(|g| g.value());
            match found {
                None => {
                    meta.insert("schema", SCHEMA).map_err(|x| e(x.into()))?;
                }
                Some(SCHEMA) => {}
                Some(other) => {
                    return Err(EnvelopeError::ReplayStore(format!(
                        "replay database {}: layout version {other}, expected {SCHEMA}",
                        self.path
                    )));
                }
            }
            txn.open_table(STREAMS).map_err(|x| e(x.into()))?;
            txn.open_table(SENDERS).map_err(|x| e(x.into()))?;
            txn.open_table(SPACES).map_err(|x| e(x.into()))?;
        }
        txn.commit().map_err(|x| e(x.into()))
    }

    fn load_watermarks(&self) -> Result<Vec<(Ns, u64)>, EnvelopeError> {
        let e = self.err("read namespace watermarks");
        let txn = self.db.begin_read().map_err(|x| e(x.into()))?;
        let spaces = txn.open_table(SPACES).map_err(|x| e(x.into()))?;
        let mut out = Vec::new();
        for ns in Ns::ALL {
            if let Some(w) = spaces.get(ns.code()).map_err(|x| e(x.into()))? {
                out.push((ns, w.value()));
            }
        }
        Ok(out)
    }

    /// The rows of one sender, or `None` if the database holds none (a new sender, or one
    /// evicted or pruned: the caller then applies the namespace watermark).
    pub(super) fn load_sender(
        &self,
        ns: Ns,
        id: &[u8],
        max_streams: usize,
        horizon: u64,
    ) -> Result<Option<SenderState>, EnvelopeError> {
        let e = self.err("read sender");
        let txn = self.db.begin_read().map_err(|x| e(x.into()))?;
        let senders = txn.open_table(SENDERS).map_err(|x| e(x.into()))?;
        let streams = txn.open_table(STREAMS).map_err(|x| e(x.into()))?;
        let n = ns.code();
        let watermark = senders
            .get((n, id))
            .map_err(|x| e(x.into()))?
            .map(|g| g.value());
        let mut state = SenderState::new(max_streams, watermark);
        let mut found = watermark.is_some();
        let rows = streams
            .range((n, id, 0u32)..=(n, id, u32::MAX))
            .map_err(|x| e(x.into()))?;
        for row in rows {
            let (k, v) = row.map_err(|x| e(x.into()))?;
            let (_, _, prefix) = k.value();
            let (max, seen, last_iat, floor) = v.value();
            state.insert_loaded(
                prefix,
                Window {
                    max,
                    seen,
                    last_iat,
                    floor,
                },
                horizon,
            );
            found = true;
        }
        Ok(found.then_some(state))
    }

    /// Rows in (streams, sender watermarks, namespace watermarks).
    #[cfg(test)]
    pub(super) fn row_counts(&self) -> (u64, u64, u64) {
        use redb::ReadableTableMetadata;
        let txn = self.db.begin_read().unwrap();
        let count = |n: Result<u64, redb::StorageError>| n.unwrap();
        (
            count(txn.open_table(STREAMS).unwrap().len()),
            count(txn.open_table(SENDERS).unwrap().len()),
            count(txn.open_table(SPACES).unwrap().len()),
        )
    }

    /// Writes one accepted message (and the evictions it caused) and commits durably.
    pub(super) fn commit(
        &mut self,
        c: &Commit<'_>,
        now: u64,
        window_s: u64,
    ) -> Result<(), EnvelopeError> {
        let prune = match self.since_prune {
            None => true,
            Some(n) => n >= PRUNE_EVERY,
        };
        self.write(c, prune.then(|| now.saturating_sub(window_s)))?;
        self.since_prune = Some(if prune {
            0
        } else {
            self.since_prune.map_or(0, |n| n.saturating_add(1))
        });
        Ok(())
    }

    /// One write transaction; `prune_before`: also delete rows whose `iat` is older.
    fn write(&self, c: &Commit<'_>, prune_before: Option<u64>) -> Result<(), EnvelopeError> {
        let e = self.err("record");
        let mut txn = self.db.begin_write().map_err(|x| e(x.into()))?;
        // The default, stated: commit returns after fsync.
        txn.set_durability(Durability::Immediate)
            .map_err(|x| fail(&self.path, "record", redb::Error::from(x)))?;
        let n = c.ns.code();
        {
            let mut streams = txn.open_table(STREAMS).map_err(|x| e(x.into()))?;
            let mut senders = txn.open_table(SENDERS).map_err(|x| e(x.into()))?;
            let w = c.change.window;
            streams
                .insert(
                    (n, c.id, c.change.prefix),
                    (w.max, w.seen, w.last_iat, w.floor),
                )
                .map_err(|x| e(x.into()))?;
            if let Some(p) = c.change.evicted {
                streams.remove((n, c.id, p)).map_err(|x| e(x.into()))?;
            }
            if let Some(w) = c.sender_watermark {
                senders.insert((n, c.id), w).map_err(|x| e(x.into()))?;
            }
            if let Some(gone) = c.evicted_sender {
                streams
                    .retain_in((n, gone, 0u32)..=(n, gone, u32::MAX), |_, _| false)
                    .map_err(|x| e(x.into()))?;
                senders.remove((n, gone)).map_err(|x| e(x.into()))?;
            }
            let mut spaces = txn.open_table(SPACES).map_err(|x| e(x.into()))?;
            if let Some(w) = c.space_watermark {
                spaces.insert(n, w).map_err(|x| e(x.into()))?;
            }
            if let Some(horizon) = prune_before {
                streams
                    .retain(|_, (_, _, last_iat, _)| last_iat >= horizon)
                    .map_err(|x| e(x.into()))?;
                senders
                    .retain(|_, w| w >= horizon)
                    .map_err(|x| e(x.into()))?;
                spaces
                    .retain(|_, w| w >= horizon)
                    .map_err(|x| e(x.into()))?;
            }
        }
        txn.commit().map_err(|x| e(x.into()))
    }
}
