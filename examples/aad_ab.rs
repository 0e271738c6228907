//! Same-run A/B: what does the length of the associated data cost an AES-128-GCM seal or
//! open, per backend, at a given payload size?
//!
//! ```sh
//! cargo run --profile measure --example aad_ab [-- ROUNDS [SIZE]]
//! ```
//!
//! The envelope authenticates its protected header as associated data (the Enc_structure,
//! about 100 bytes), which the bare-AEAD scenarios do not; this prints, per AAD length,
//! medians of ns per operation and the median of per-round ratios to an empty AAD, from
//! interleaved rounds in one process (the order of the arms alternates every round).
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

const AAD_LENS: [usize; 5] = [0, 16, 64, 96, 112];

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
        "| backend | op | AAD bytes | median ns | ratio to no AAD (median of per-round ratios) |"
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
        let aad = [0xa5u8; 128];
        let pristine: Vec<Vec<u8>> = AAD_LENS
            .iter()
            .map(|&n| {
                let mut p = vec![0x5au8; len];
                key.seal_in_place(&nonce, &aad[..n], &mut p).unwrap();
                p
            })
            .collect();
        let mut buf = vec![0u8; len];
        for op in ["open", "seal"] {
            let mut times = vec![Vec::new(); AAD_LENS.len()];
            let mut ratios = vec![Vec::new(); AAD_LENS.len()];
            for round in 0..rounds + 2 {
                let mut this = [0f64; AAD_LENS.len()];
                let order: Vec<usize> = if round % 2 == 0 {
                    (0..AAD_LENS.len()).collect()
                } else {
                    (0..AAD_LENS.len()).rev().collect()
                };
                for &i in &order {
                    let a = &aad[..AAD_LENS[i]];
                    let t0 = Instant::now();
                    for _ in 0..batch {
                        if op == "open" {
                            buf.copy_from_slice(&pristine[i]);
                            black_box(key.open_in_place(&nonce, a, &mut buf).unwrap());
                        } else {
                            key.seal_in_place(&nonce, a, &mut buf).unwrap();
                            black_box(&mut buf);
                        }
                    }
                    this[i] = t0.elapsed().as_nanos() as f64 / batch as f64;
                }
                if round >= 2 {
                    for i in 0..AAD_LENS.len() {
                        times[i].push(this[i]);
                        ratios[i].push(this[i] / this[0]);
                    }
                }
            }
            for i in 0..AAD_LENS.len() {
                println!(
                    "| {} | {op} | {} | {:.1} | {:.3} |",
                    backend.name,
                    AAD_LENS[i],
                    median(&mut times[i]),
                    median(&mut ratios[i])
                );
            }
        }
    }
}
