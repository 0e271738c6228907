//! Why the e2e clients measure more envelope CPU per seal/open than the in-process
//! microbenchmark (docs/E2E.md, "The in-situ factor"). Same process, same keys as
//! `sealbench e2e` seal-all (`src/system/protection.rs`), same size stream as its call
//! cells; variants interleaved round by round so machine noise hits them alike:
//!
//! - `batch`: the microbenchmark's way (`src/measure/routine/envelope.rs`): N seals (or N
//!   opens of pre-sealed copies) back to back, one wall-clock read around the batch.
//! - `meter`: each call bracketed by the thread CPU clock with the once-measured pair
//!   cost subtracted, as [`EnvelopeMeter`] does in the e2e clients.
//! - `meter+body`: the e2e's old seal region (payload fill, seal, copy of the wire bytes
//!   into a fresh `Vec`) under the meter.
//! - `cold ...`: the same with a cache- and predictor-thrashing walk between calls (what an
//!   async RPC process does between two messages: AMQP parsing, tokio, other buffers).
//! - `null`: an empty closure under the meter (what the clock pair leaves after the
//!   subtraction), hot and cold.
//!
//! ```text
//! cargo run --release --example envelope_in_situ -- [ROUNDS] [N] [aws-lc|rustcrypto] [SIZES.yaml]
//! ```
//! Prints per call mean and median ns of every variant (median over rounds of the per-round
//! statistic). `gaps` mode (`... -- gaps N`): seal and open CPU after an idle gap of
//! 0 µs … 4 ms, sleeping or spinning (the e2e's gap per thread is about 1/rate).
//! `callgrind` mode (`... -- callgrind N`) runs only `N` hot seals and opens so
//! `valgrind --tool=callgrind` counts their instructions.

use std::hint::black_box;
use std::time::Instant;

use sealbench::envelope::{MessageBuf, Opener, Sealer};
use sealbench::system::cpu::{self, EnvelopeMeter};
use sealbench::system::protection::{Keys, METHOD, Node, To};
use sealbench::system::{Protection, SizeDistribution};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// A walk over `THRASH` bytes with data-dependent branches: evicts L1/L2 (and most of a
/// shared L3 slice) and disturbs the branch predictors between two envelope calls.
const THRASH: usize = 4 << 20;

fn thrash(buf: &mut [u8], seed: &mut u64) {
    let mut acc = *seed;
    for chunk in buf.chunks_mut(64) {
        if let Some(b) = chunk.first_mut() {
            acc = acc
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            if acc >> 63 == 1 {
                *b = b.wrapping_add(1);
            } else {
                *b ^= 0x55;
            }
        }
    }
    *seed = acc;
    black_box(&buf);
}

/// As many LCG steps as `thrash` makes, on registers only.
fn spin(seed: &mut u64) {
    let mut acc = *seed;
    for _ in 0..(THRASH / 64) {
        acc = black_box(
            acc.wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407),
        );
    }
    *seed = acc;
}

struct Ends {
    sealer: Sealer,
    opener: Opener,
    keys: Keys,
}

fn ends(keys: Keys) -> Res<Ends> {
    let sealer = keys
        .sealer(Node::Caller, To::Node(Node::Server(0)))?
        .ok_or("plain has no sealer")?;
    let opener = keys.opener(Node::Server(0))?.ok_or("plain has no opener")?;
    Ok(Ends {
        sealer,
        opener,
        keys,
    })
}

/// Adds `x` to variant `i`'s samples.
fn push(out: &mut [Calls], i: usize, x: f64) {
    if let Some(c) = out.get_mut(i) {
        c.0.push(x);
    }
}

/// Adds `x` to list `i`.
fn push_to(v: &mut [Vec<f64>], i: usize, x: f64) {
    if let Some(c) = v.get_mut(i) {
        c.push(x);
    }
}

/// The median of list `i` (NaN when empty).
fn median_of(v: &[Vec<f64>], i: usize) -> f64 {
    median(v.get(i).cloned().unwrap_or_default())
}

/// Per-call samples of one variant in one round, ns.
#[derive(Default, Clone)]
struct Calls(Vec<f64>);

impl Calls {
    fn mean(&self) -> f64 {
        self.0.iter().sum::<f64>() / self.0.len().max(1) as f64
    }
    fn median(&self) -> f64 {
        median(self.0.clone())
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// What the meter records for `f` (the same arithmetic as `EnvelopeMeter::time`).
fn metered<T>(overhead: u64, f: impl FnOnce() -> T) -> (T, f64) {
    let start = cpu::thread_cpu_ns();
    let out = f();
    let spent = cpu::thread_cpu_ns()
        .saturating_sub(start)
        .saturating_sub(overhead);
    (out, spent as f64)
}

const VARIANTS: [&str; 14] = [
    "seal batch (microbenchmark)",
    "seal meter",
    "seal meter+body (fill, seal, to_vec)",
    "seal cold meter",
    "seal cold meter+body",
    "open batch (microbenchmark, incl. copy)",
    "open meter",
    "open cold meter",
    "null meter (after subtraction)",
    "null cold meter (after subtraction)",
    "seal cold wall (Instant pair, no thread clock)",
    "seal cold meter, clock read once before",
    "null cold meter, clock read once before",
    "seal after spin (no memory traffic) meter",
];

fn round(e: &mut Ends, sizes: &[usize], overhead: u64, scratch: &mut [u8]) -> Res<Vec<Calls>> {
    let n = sizes.len();
    let mut out = vec![Calls::default(); VARIANTS.len()];
    let mut msg = MessageBuf::new();
    let mut seed = 0x1234_5678u64;
    // Seal batch: one wall-clock pair around N seals, per call = total / N.
    let t = Instant::now();
    for &s in sizes {
        e.sealer.payload_buf(&mut msg, s);
        e.sealer.seal(METHOD, &mut msg)?;
        black_box(msg.wire());
    }
    let per = t.elapsed().as_nanos() as f64 / n as f64;
    push(&mut out, 0, per);
    // Seal under the meter, hot.
    for &s in sizes {
        let (r, ns) = metered(overhead, || {
            e.sealer.payload_buf(&mut msg, s);
            e.sealer.seal(METHOD, &mut msg)
        });
        r?;
        push(&mut out, 1, ns);
    }
    // The e2e's old seal region, hot.
    for &s in sizes {
        let (r, ns) = metered(overhead, || -> Res<Vec<u8>> {
            e.sealer.payload_buf(&mut msg, s).fill(0x5a);
            e.sealer.seal(METHOD, &mut msg)?;
            Ok(msg.wire().to_vec())
        });
        black_box(r?);
        push(&mut out, 2, ns);
    }
    // Cold: thrash between calls.
    for &s in sizes {
        thrash(scratch, &mut seed);
        let (r, ns) = metered(overhead, || {
            e.sealer.payload_buf(&mut msg, s);
            e.sealer.seal(METHOD, &mut msg)
        });
        r?;
        push(&mut out, 3, ns);
    }
    for &s in sizes {
        thrash(scratch, &mut seed);
        let (r, ns) = metered(overhead, || -> Res<Vec<u8>> {
            e.sealer.payload_buf(&mut msg, s).fill(0x5a);
            e.sealer.seal(METHOD, &mut msg)?;
            Ok(msg.wire().to_vec())
        });
        black_box(r?);
        push(&mut out, 4, ns);
    }
    // Cold, wall clock (vDSO) instead of the thread clock.
    let wall_pair = {
        let v: Vec<f64> = (0..201)
            .map(|_| {
                let a = Instant::now();
                (Instant::now() - a).as_nanos() as f64
            })
            .collect();
        median(v)
    };
    for &s in sizes {
        thrash(scratch, &mut seed);
        let a = Instant::now();
        e.sealer.payload_buf(&mut msg, s);
        e.sealer.seal(METHOD, &mut msg)?;
        let ns = (a.elapsed().as_nanos() as f64 - wall_pair).max(0.0);
        push(&mut out, 10, ns);
    }
    // Cold, but one thread-clock read just before the bracket (warms the clock's path).
    for &s in sizes {
        thrash(scratch, &mut seed);
        black_box(cpu::thread_cpu_ns());
        let (r, ns) = metered(overhead, || {
            e.sealer.payload_buf(&mut msg, s);
            e.sealer.seal(METHOD, &mut msg)
        });
        r?;
        push(&mut out, 11, ns);
    }
    for _ in 0..n {
        thrash(scratch, &mut seed);
        black_box(cpu::thread_cpu_ns());
        let ((), ns) = metered(overhead, || black_box(()));
        push(&mut out, 12, ns);
    }
    // A gap of pure arithmetic (no memory traffic, no vector code) as long as a thrash.
    for &s in sizes {
        spin(&mut seed);
        let (r, ns) = metered(overhead, || {
            e.sealer.payload_buf(&mut msg, s);
            e.sealer.seal(METHOD, &mut msg)
        });
        r?;
        push(&mut out, 13, ns);
    }
    // Opens: three pools of sealed copies (every message opens once: replay).
    let mut pool = |k: usize| -> Res<Vec<Vec<u8>>> {
        let _ = k;
        sizes
            .iter()
            .map(|&s| -> Res<Vec<u8>> {
                e.sealer.payload_buf(&mut msg, s).fill(0x5a);
                e.sealer.seal(METHOD, &mut msg)?;
                Ok(msg.wire().to_vec())
            })
            .collect()
    };
    let (p0, p1, p2) = (pool(0)?, pool(1)?, pool(2)?);
    let mut work = vec![0u8; p0.iter().map(Vec::len).max().unwrap_or(0)];
    let t = Instant::now();
    for w in &p0 {
        let buf = work.get_mut(..w.len()).ok_or("work")?;
        buf.copy_from_slice(w);
        black_box(e.opener.open(buf)?.payload.len());
    }
    push(&mut out, 5, t.elapsed().as_nanos() as f64 / n as f64);
    for mut w in p1 {
        let (r, ns) = metered(overhead, || e.opener.open(&mut w).map(|o| o.payload.len()));
        black_box(r?);
        push(&mut out, 6, ns);
    }
    for mut w in p2 {
        thrash(scratch, &mut seed);
        let (r, ns) = metered(overhead, || e.opener.open(&mut w).map(|o| o.payload.len()));
        black_box(r?);
        push(&mut out, 7, ns);
    }
    for _ in 0..n {
        let ((), ns) = metered(overhead, || black_box(()));
        push(&mut out, 8, ns);
    }
    for _ in 0..n {
        thrash(scratch, &mut seed);
        let ((), ns) = metered(overhead, || black_box(()));
        push(&mut out, 9, ns);
    }
    Ok(out)
}

/// Cost of one read of each clock (hot loop), and the thread clock's smallest step.
fn clocks() {
    const K: u32 = 100_000;
    let t = Instant::now();
    for _ in 0..K {
        black_box(cpu::thread_cpu_ns());
    }
    let thread = t.elapsed().as_nanos() as f64 / f64::from(K);
    let t = Instant::now();
    for _ in 0..K {
        black_box(Instant::now());
    }
    let mono = t.elapsed().as_nanos() as f64 / f64::from(K);
    let mut steps: Vec<u64> = (0..10_000)
        .map(|_| {
            let a = cpu::thread_cpu_ns();
            let mut b = cpu::thread_cpu_ns();
            while b == a {
                b = cpu::thread_cpu_ns();
            }
            b - a
        })
        .collect();
    steps.sort_unstable();
    println!(
        "clock read, hot loop: CLOCK_THREAD_CPUTIME_ID {thread:.0} ns, CLOCK_MONOTONIC (Instant) {mono:.0} ns; \
         thread clock smallest step {} ns, median step {} ns; clock_pair_ns() = {} ns",
        steps.first().copied().unwrap_or(0),
        steps.get(steps.len() / 2).copied().unwrap_or(0),
        cpu::clock_pair_ns()
    );
}

/// Seal and open CPU per call (the meter as the e2e now uses it: warm-up read, pair cost
/// subtracted) after an idle gap: the thread sleeps `gap` (the machine runs whatever else
/// it has: the broker, other processes), or busy-waits on the wall clock (no memory
/// traffic, no vector code) for `gap`, with `PAUSE` in the loop (`spin_loop`, which a KVM
/// host may answer with a pause-loop exit) or without. The e2e's gap between two messages on a thread is
/// about 1/rate. Gaps interleaved call by call; medians over `n` calls each.
fn gaps(e: &mut Ends, sizes: &SizeDistribution, n: usize) -> Res<()> {
    let gaps_us = [0u64, 20, 100, 500, 1000, 4000];
    let overhead = cpu::clock_pair_ns();
    let meter_ns = |f: &mut dyn FnMut()| {
        let m = EnvelopeMeter::new(overhead);
        m.time(f);
        m.read().0 as f64
    };
    let mut sampler = sizes.sampler(9);
    let mut msg = MessageBuf::new();
    let mut seal: Vec<Vec<f64>> = vec![Vec::new(); gaps_us.len() * 3];
    let mut open: Vec<Vec<f64>> = vec![Vec::new(); gaps_us.len() * 3];
    for _ in 0..n {
        for (gi, &g) in gaps_us.iter().enumerate() {
            for (k, (sleep, pause)) in [(true, false), (false, true), (false, false)]
                .into_iter()
                .enumerate()
            {
                let size = sampler.next_size();
                let idle = |g: u64| {
                    let d = std::time::Duration::from_micros(g);
                    if g == 0 {
                    } else if sleep {
                        std::thread::sleep(d);
                    } else {
                        let t = Instant::now();
                        while t.elapsed() < d {
                            if pause {
                                std::hint::spin_loop();
                            }
                        }
                    }
                };
                if g == 0 {
                    // Gap 0 follows the previous gap's calls: one untimed seal and open of
                    // the same size make it a hot call.
                    e.sealer.payload_buf(&mut msg, size).fill(0x5a);
                    e.sealer.seal(METHOD, &mut msg)?;
                    let mut w = msg.wire().to_vec();
                    e.opener.open(&mut w)?;
                }
                e.sealer.payload_buf(&mut msg, size).fill(0x5a);
                idle(g);
                let mut r = Ok(());
                let ns = meter_ns(&mut || r = e.sealer.seal(METHOD, &mut msg));
                r?;
                push_to(&mut seal, gi * 3 + k, ns);
                let mut wire = msg.wire().to_vec();
                idle(g);
                let mut r = Ok(0);
                let ns = meter_ns(&mut || r = e.opener.open(&mut wire).map(|o| o.payload.len()));
                r?;
                push_to(&mut open, gi * 3 + k, ns);
            }
        }
    }
    println!(
        "seal / open CPU per call (EnvelopeMeter with warm-up read), median of {n}, after an idle gap"
    );
    println!(
        "{:>8} {:>14} {:>14} {:>14} {:>14} {:>14} {:>14}",
        "gap µs",
        "seal (sleep)",
        "open (sleep)",
        "seal (pause)",
        "open (pause)",
        "seal (busy)",
        "open (busy)"
    );
    for (gi, g) in gaps_us.iter().enumerate() {
        println!(
            "{g:>8} {:>14.0} {:>14.0} {:>14.0} {:>14.0} {:>14.0} {:>14.0}",
            median_of(&seal, gi * 3),
            median_of(&open, gi * 3),
            median_of(&seal, gi * 3 + 1),
            median_of(&open, gi * 3 + 1),
            median_of(&seal, gi * 3 + 2),
            median_of(&open, gi * 3 + 2),
        );
    }
    Ok(())
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let backend_name = args.get(2).map_or("aws-lc", String::as_str);
    let backend =
        sealbench::backend::by_name(backend_name).ok_or("unknown backend (aws-lc, rustcrypto)")?;
    let sizes = match args.get(3) {
        Some(p) => SizeDistribution::load(std::path::Path::new(p))?,
        None => SizeDistribution::load(std::path::Path::new(
            "../shared/data/oslo-messaging-message-lengths.yaml",
        ))?,
    };
    let mut e = ends(Keys::new(Protection::SealAll, backend, 1)?)?;
    if args.first().map(String::as_str) == Some("callgrind") {
        let n: usize = args.get(1).map_or(Ok(1000), |s| s.parse())?;
        let mut sampler = sizes.sampler(7);
        let mut msg = MessageBuf::new();
        let stream: Vec<usize> = (0..n).map(|_| sampler.next_size()).collect();
        let mut wires = Vec::with_capacity(n);
        for &s in &stream {
            e.sealer.payload_buf(&mut msg, s).fill(0x5a);
            e.sealer.seal(METHOD, &mut msg)?;
            wires.push(msg.wire().to_vec());
        }
        for w in &mut wires {
            black_box(e.opener.open(w)?.payload.len());
        }
        let meter = EnvelopeMeter::new(0);
        for _ in 0..n {
            meter.time(|| black_box(()));
        }
        println!("{n} seals (fill, seal, to_vec), {n} opens, {n} empty meter brackets");
        return Ok(());
    }
    if args.first().map(String::as_str) == Some("gaps") {
        return gaps(&mut e, &sizes, args.get(1).map_or(Ok(300), |s| s.parse())?);
    }
    let rounds: usize = args.first().map_or(Ok(15), |s| s.parse())?;
    let n: usize = args.get(1).map_or(Ok(500), |s| s.parse())?;
    clocks();
    let mut sampler = sizes.sampler(42);
    let stream: Vec<usize> = (0..n).map(|_| sampler.next_size()).collect();
    let mean_size = stream.iter().sum::<usize>() as f64 / n as f64;
    println!(
        "backend {backend_name}, seal-all keys (Encrypt0 AES-128-GCM, pairwise), {n} messages per \
         variant per round, mean payload {mean_size:.0} B, {rounds} rounds, thrash {} MiB",
        THRASH >> 20
    );
    let mut scratch = vec![0u8; THRASH];
    let mut per_round: Vec<Vec<(f64, f64)>> = vec![Vec::new(); VARIANTS.len()];
    for _ in 0..rounds {
        // The e2e measures the pair cost once per cell, at set-up: so here, once per round.
        let overhead = cpu::clock_pair_ns();
        let r = round(&mut e, &stream, overhead, &mut scratch)?;
        for (slot, c) in per_round.iter_mut().zip(&r) {
            slot.push((c.mean(), c.median()));
        }
        // A fresh opener per round keeps its replay window small, as in the e2e's cells.
        e.opener = e.keys.opener(Node::Server(0))?.ok_or("opener")?;
    }
    println!(
        "{:<48} {:>10} {:>10}",
        "variant (ns per call)", "mean", "median"
    );
    for (v, rounds) in VARIANTS.iter().zip(&per_round) {
        let means = median(rounds.iter().map(|x| x.0).collect());
        let meds = median(rounds.iter().map(|x| x.1).collect());
        println!("{v:<48} {means:>10.0} {meds:>10.0}");
    }
    Ok(())
}
