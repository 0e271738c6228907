//! Same-run A/B on the bare AEAD: do the alignment of the ciphertext in memory, or the
//! length of the associated data, change the cost of an AES-128-GCM open (or seal) on each
//! backend?
//!
//! ```sh
//! cargo run --profile measure --example align_ab [-- ROUNDS [SIZE [offset|AAD|envelope]]]
//! ```
//!
//! Two experiments, each with arms measured in interleaved rounds in one process (the arm
//! order alternates every round); each round times a batch of operations per arm (for
//! opens, the ciphertext is restored from a pristine copy before each open, in every arm
//! alike). Prints per-arm medians of ns per operation and the median of the per-round
//! ratios to the first arm.
//!
//! * Alignment: one 64-byte aligned buffer holds the ciphertext at byte offset 0, 9, 16, 41
//!   or 57 from a cache-line boundary. An envelope puts its ciphertext after a header of
//!   some tens of bytes, so a receiver decrypts at an odd offset, while a benchmark of the
//!   bare AEAD usually decrypts at the start of an allocation.
//! * AAD length: 0, 96, 101, 107 or 112 bytes of associated data. An envelope
//!   authenticates its protected header (the Enc_structure, about 100 bytes); the bare
//!   AEAD scenarios authenticate none.
//!
//! * Envelope: where a COSE_Encrypt0 open's time goes beyond the bare AEAD. Three arms,
//!   each opening a pool of distinct messages copied into one page-aligned work buffer
//!   (laid out as in `sealbench run`, but 4 MiB of messages instead of 1 MiB: with 64
//!   messages of 16 KiB a batch lasts about 80 µs, and the new opener set up before each
//!   batch leaves caches cold enough to scatter the per-round ratios up to 1.2×): the bare AEAD with no associated data (what `sealbench
//!   run` calls raw), the bare AEAD with the envelope message's own Enc_structure as
//!   associated data, and the envelope's open (`Opener`, frame fast path, freshness and
//!   replay; a new opener per batch, warmed by one message, as in `sealbench run`). Arm 1 /
//!   arm 0 is what authenticating the protected header costs the AEAD itself; arm 2 / arm 1
//!   is the envelope's own code.
//!
//! Measured (Xeon VM, 2026-12-06, release build, 16 KiB): every offset within ±1.4% of
//! offset 0 on ring and aws-lc, open and seal (aws-lc open 988–1,015 ns at every offset) —
//! aligning the envelope's ciphertext would not close the envelope/raw gap; 101–112 bytes
//! of AAD cost the aws-lc open 0.8–2.0% and the seal 1.7–2.3% at 16 KiB (21 rounds).
//! Envelope experiment (`-- 31 16384 envelope`, three runs, release build at 0ffe7e0, 4 MiB
//! pools): the aws-lc open with the message's 106-byte Enc_structure as AAD is 1.016–1.036×
//! the open without, and the envelope open 1.057–1.071× (ring: 1.029–1.060 and
//! 1.064–1.079) — about half of the 5% the envelope may add at 16 KiB goes to
//! authenticating the protected header, which COSE requires.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;
use std::time::Instant;

use sealbench::backend::{ALL_BACKENDS, AeadId, AeadKey, Backend};
use sealbench::cose::cbor::{Reader, Writer};
use sealbench::cose::structure::{CTX_ENCRYPT0, enc_structure};
use sealbench::envelope::MessageBuf;
use sealbench::measure::routine::{Pool, WorkBuf};
use sealbench::results::system::Protection;
use sealbench::system::protection::{Keys, METHOD, Node, To};

const OFFSETS: [usize; 5] = [0, 9, 16, 41, 57];
const AAD_LENS: [usize; 5] = [0, 96, 101, 107, 112];

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs `arm(i)` (one timed batch, ns per operation) for every arm in `rounds` interleaved
/// rounds after two warm-up rounds; prints a table row per arm.
fn interleave(
    backend: &str,
    op: &str,
    label: &str,
    arms: &[usize],
    rounds: usize,
    mut arm: impl FnMut(usize) -> f64,
) {
    let mut times = vec![Vec::new(); arms.len()];
    let mut ratios = vec![Vec::new(); arms.len()];
    for round in 0..rounds + 2 {
        let mut this = vec![0f64; arms.len()];
        let order: Vec<usize> = if round % 2 == 0 {
            (0..arms.len()).collect()
        } else {
            (0..arms.len()).rev().collect()
        };
        for &i in &order {
            this[i] = arm(i);
        }
        // The first two rounds warm caches and frequency; not kept.
        if round >= 2 {
            for i in 0..arms.len() {
                times[i].push(this[i]);
                ratios[i].push(this[i] / this[0]);
            }
        }
    }
    for i in 0..arms.len() {
        println!(
            "| {backend} | {op} | {label} {} | {:.1} | {:.3} |",
            arms[i],
            median(&mut times[i]),
            median(&mut ratios[i])
        );
    }
}

/// ns per operation of `batch` opens (restoring `pristine` first) or seals of `buf`.
fn batch_ns(
    key: &dyn AeadKey,
    op: &str,
    batch: usize,
    aad: &[u8],
    pristine: &[u8],
    buf: &mut [u8],
) -> f64 {
    let nonce = [3u8; 12];
    let t0 = Instant::now();
    for _ in 0..batch {
        if op == "open" {
            buf.copy_from_slice(pristine);
            black_box(key.open_in_place(&nonce, aad, buf).unwrap());
        } else {
            key.seal_in_place(&nonce, aad, buf).unwrap();
            black_box(&mut *buf);
        }
    }
    t0.elapsed().as_nanos() as f64 / batch as f64
}

/// Messages of a batch opened before its timing starts.
const WARM: usize = 8;

/// Messages laid out as `sealbench run` lays out its pools (its own [`Pool`] and
/// [`WorkBuf`]: page-aligned, page-rounded stride), opened in one work buffer.
struct Messages {
    pool: Pool,
    work: WorkBuf,
}

impl Messages {
    fn new(msgs: &[Vec<u8>]) -> Self {
        let len = msgs.iter().map(Vec::len).max().unwrap_or(0);
        let mut pool = Pool::new(len, msgs.len());
        for m in msgs {
            pool.push(m).expect("pool");
        }
        Self {
            pool,
            work: WorkBuf::new(len),
        }
    }

    /// ns per message of `f` over every message, each first copied into the work buffer;
    /// the first [`WARM`] are not timed (whatever ran before left other data in the caches).
    fn batch_ns(&mut self, mut f: impl FnMut(usize, &mut [u8])) -> f64 {
        let n = self.pool.len();
        let mut t0 = Instant::now();
        for i in 0..n {
            if i == WARM {
                t0 = Instant::now();
            }
            let from = self.pool.get(i).expect("message");
            let work = self.work.get_mut(from.len()).expect("work buffer");
            work.copy_from_slice(from);
            f(i, work);
        }
        t0.elapsed().as_nanos() as f64 / (n - WARM) as f64
    }
}

/// The Enc_structure of a COSE_Encrypt0 message (tag, array of protected, unprotected,
/// ciphertext).
fn enc_structure_of(wire: &[u8]) -> Vec<u8> {
    let mut r = Reader::new(wire);
    r.tag().expect("tag");
    r.array().expect("array");
    let protected = r.bstr().expect("protected");
    let mut buf = vec![0u8; protected.len() + 64];
    let mut w = Writer::new(&mut buf);
    enc_structure(&mut w, CTX_ENCRYPT0, protected, &[]).expect("Enc_structure");
    w.written().to_vec()
}

/// Arms: bare AEAD without and with the envelope's Enc_structure as AAD, envelope open.
fn envelope_experiment(backend: &'static Backend, size: usize, rounds: usize) {
    let keys = Keys::new(Protection::SealAll, backend, 1).expect("keys");
    let sealer = || {
        keys.sealer(Node::Caller, To::Node(Node::Server(0)))
            .expect("sealer")
            .expect("seal-all has a sealer")
    };
    let n = (4usize << 20).div_ceil(size + 256).clamp(4 * WARM, 4096);
    // Every batch opens the same messages with a fresh opener (replay state), warmed first
    // by a message of its own stream.
    let (mut s, mut warm) = (sealer(), sealer());
    let mut msg = MessageBuf::new();
    let mut msgs = Vec::new();
    for _ in 0..n {
        s.payload_buf(&mut msg, size).fill(0x5a);
        s.seal(METHOD, &mut msg).expect("seal");
        msgs.push(msg.wire().to_vec());
    }
    let aad = enc_structure_of(&msgs[0]);
    let key = (backend.aead)(AeadId::Aes128Gcm)
        .expect("AES-128-GCM")
        .new_key(&[7u8; 16], AeadId::Aes128Gcm.default_params())
        .expect("key");
    let nonce = |i: usize| {
        let mut n = [0u8; 12];
        n[4..].copy_from_slice(&(i as u64).to_be_bytes());
        n
    };
    let raw = |aad: &[u8]| {
        let sealed: Vec<Vec<u8>> = (0..n)
            .map(|i| {
                let mut m = vec![0x5au8; size + 16];
                key.seal_in_place(&nonce(i), aad, &mut m).expect("seal");
                m
            })
            .collect();
        Messages::new(&sealed)
    };
    let mut pools = [raw(&[]), raw(&aad), Messages::new(&msgs)];
    let arms = [0usize, aad.len(), usize::MAX];
    println!(
        "| {} | open | envelope: arms = AAD 0 B, AAD {} B (its Enc_structure), envelope open | | |",
        backend.name,
        aad.len()
    );
    interleave(
        backend.name,
        "open",
        "envelope arm",
        &[0, 1, 2],
        rounds,
        |i| {
            let pool = &mut pools[i];
            match arms[i] {
                usize::MAX => {
                    let mut opener = keys
                        .opener(Node::Server(0))
                        .expect("opener")
                        .expect("opener");
                    warm.payload_buf(&mut msg, size).fill(1);
                    warm.seal(METHOD, &mut msg).expect("seal");
                    opener.open(msg.wire_mut()).expect("warm-up open");
                    pool.batch_ns(|_, work| {
                        black_box(opener.open(work).expect("open").payload.len());
                    })
                }
                len => {
                    let aad = &aad[..len];
                    pool.batch_ns(|i, work| {
                        black_box(key.open_in_place(&nonce(i), aad, work).expect("open"));
                    })
                }
            }
        },
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds: usize = args.get(1).map_or(31, |s| s.parse().expect("ROUNDS"));
    let size: usize = args.get(2).map_or(16384, |s| s.parse().expect("SIZE"));
    // Optional: only the experiments whose name ("offset", "AAD", "envelope") contains it.
    let only = args.get(3).cloned().unwrap_or_default();
    let run = |name: &str| name.contains(only.as_str());
    let batch = (4_000_000 / (size + 256)).clamp(64, 20_000);
    println!("AES-128-GCM, {size} B, {rounds} interleaved rounds of {batch} operations per arm");
    println!(
        "| backend | op | arm | median ns | ratio to the first arm (median of per-round ratios) |"
    );
    println!("|---|---|---|---|---|");
    for backend in ALL_BACKENDS {
        let Ok(aead) = (backend.aead)(AeadId::Aes128Gcm) else {
            continue;
        };
        let key = aead
            .new_key(&[7u8; 16], AeadId::Aes128Gcm.default_params())
            .expect("key");
        let key = key.as_ref();
        let len = size + 16;
        let aad = [0xa5u8; 128];
        let sealed = |aad_len: usize| {
            let mut p = vec![0x5au8; len];
            key.seal_in_place(&[3u8; 12], &aad[..aad_len], &mut p)
                .unwrap();
            p
        };
        // One allocation with room to place the data at any offset from a 64-byte boundary.
        let mut storage = vec![0u8; len + 128];
        let base = storage.as_ptr().addr();
        let aligned = (64 - base % 64) % 64;
        let pristine = sealed(0);
        let with_aad: Vec<Vec<u8>> = AAD_LENS.iter().map(|&n| sealed(n)).collect();
        let mut buf = vec![0u8; len];
        for op in ["open", "seal"] {
            if run("offset") {
                interleave(backend.name, op, "offset", &OFFSETS, rounds, |i| {
                    let at = aligned + OFFSETS[i];
                    batch_ns(key, op, batch, &[], &pristine, &mut storage[at..at + len])
                });
            }
            if run("AAD") {
                interleave(backend.name, op, "AAD bytes", &AAD_LENS, rounds, |i| {
                    let aad = &aad[..AAD_LENS[i]];
                    batch_ns(key, op, batch, aad, &with_aad[i], &mut buf)
                });
            }
        }
        if run("envelope") {
            envelope_experiment(backend, size, rounds);
        }
    }
}
