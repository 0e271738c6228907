//! Same-run A/B: does the alignment of the ciphertext in memory change the cost of an
//! AES-128-GCM open (or seal) on each backend?
//!
//! ```sh
//! cargo run --profile measure --example align_ab [-- ROUNDS [SIZE]]
//! ```
//!
//! One buffer, 64-byte aligned, holds the ciphertext at byte offset 0, 8, 16, 32 or 48 from
//! a cache-line boundary. Rounds are interleaved (the order of the offsets alternates every
//! round) in one process; each round times a batch of opens (the ciphertext is restored
//! from a pristine copy before each open, in every arm alike) per offset. Prints per-offset
//! medians of ns per operation and the median of the per-round ratios to offset 0.
//!
//! Why it matters: an envelope puts its ciphertext after a header of some tens of bytes, so
//! a receiver that reads the message into an aligned buffer decrypts at an odd offset,
//! while a benchmark of the bare AEAD usually decrypts at the start of an allocation.
//!
//! Measured here (Zen 5 VM, release build, load ~6, 21 rounds, 16 KiB): every offset within
//! ±2.1% of offset 0 on all four backends, open and seal (aws-lc open 1,223 ns at every
//! offset). So aligning the envelope's ciphertext would not close the envelope/raw gap at
//! 16 KiB; the gap is the envelope's fixed cost per message.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;
use std::time::Instant;

use sealbench::backend::{ALL_BACKENDS, AeadId};

const OFFSETS: [usize; 5] = [0, 8, 16, 32, 48];

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds: usize = args.get(1).map_or(31, |s| s.parse().expect("ROUNDS"));
    let size: usize = args.get(2).map_or(16384, |s| s.parse().expect("SIZE"));
    let batch = (4_000_000 / (size + 256)).clamp(64, 20_000);
    println!("AES-128-GCM, {size} B, {rounds} interleaved rounds of {batch} operations per arm");
    println!(
        "| backend | op | offset | median ns | ratio to offset 0 (median of per-round ratios) |"
    );
    println!("|---|---|---|---|---|");
    for backend in ALL_BACKENDS {
        let Ok(aead) = (backend.aead)(AeadId::Aes128Gcm) else {
            continue;
        };
        let key = aead
            .new_key(&[7u8; 16], AeadId::Aes128Gcm.default_params())
            .expect("key");
        let len = size + 16;
        let nonce = [3u8; 12];
        // One allocation with room to place the data at any offset from a 64-byte boundary.
        let mut storage = vec![0u8; len + 128];
        let base = storage.as_ptr().addr();
        let aligned = (64 - base % 64) % 64;
        let mut pristine = vec![0x5au8; len];
        key.seal_in_place(&nonce, &[], &mut pristine).unwrap();
        for op in ["open", "seal"] {
            let mut times = vec![Vec::new(); OFFSETS.len()];
            let mut ratios = vec![Vec::new(); OFFSETS.len()];
            for round in 0..rounds + 2 {
                let mut this = [0f64; OFFSETS.len()];
                let order: Vec<usize> = if round % 2 == 0 {
                    (0..OFFSETS.len()).collect()
                } else {
                    (0..OFFSETS.len()).rev().collect()
                };
                for &i in &order {
                    let at = aligned + OFFSETS[i];
                    let buf = &mut storage[at..at + len];
                    let t0 = Instant::now();
                    for _ in 0..batch {
                        if op == "open" {
                            buf.copy_from_slice(&pristine);
                            black_box(key.open_in_place(&nonce, &[], buf).unwrap());
                        } else {
                            key.seal_in_place(&nonce, &[], buf).unwrap();
                            black_box(&mut *buf);
                        }
                    }
                    this[i] = t0.elapsed().as_nanos() as f64 / batch as f64;
                }
                // The first two rounds warm caches and frequency; not kept.
                if round >= 2 {
                    for i in 0..OFFSETS.len() {
                        times[i].push(this[i]);
                        ratios[i].push(this[i] / this[0]);
                    }
                }
            }
            for i in 0..OFFSETS.len() {
                println!(
                    "| {} | {op} | {} | {:.1} | {:.3} |",
                    backend.name,
                    OFFSETS[i],
                    median(&mut times[i]),
                    median(&mut ratios[i])
                );
            }
        }
    }
}
