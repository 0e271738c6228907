//! Same-run A/B on the bare AEAD: do the alignment of the ciphertext in memory, or the
//! length of the associated data, change the cost of an AES-128-GCM open (or seal) on each
//! backend?
//!
//! ```sh
//! cargo run --profile measure --example align_ab [-- ROUNDS [SIZE]]
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
//! Measured (Xeon VM, 2026-12-06, release build, 16 KiB): every offset within ±1.4% of
//! offset 0 on ring and aws-lc, open and seal (aws-lc open 988–1,015 ns at every offset) —
//! aligning the envelope's ciphertext would not close the envelope/raw gap; 101–112 bytes
//! of AAD cost the aws-lc open 0.8–2.0% and the seal 1.7–2.3% at 16 KiB (21 rounds).
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;
use std::time::Instant;

use sealbench::backend::{ALL_BACKENDS, AeadId, AeadKey};

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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds: usize = args.get(1).map_or(31, |s| s.parse().expect("ROUNDS"));
    let size: usize = args.get(2).map_or(16384, |s| s.parse().expect("SIZE"));
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
            interleave(backend.name, op, "offset", &OFFSETS, rounds, |i| {
                let at = aligned + OFFSETS[i];
                batch_ns(key, op, batch, &[], &pristine, &mut storage[at..at + len])
            });
            interleave(backend.name, op, "AAD bytes", &AAD_LENS, rounds, |i| {
                let aad = &aad[..AAD_LENS[i]];
                batch_ns(key, op, batch, aad, &with_aad[i], &mut buf)
            });
        }
    }
}
