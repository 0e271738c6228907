//! Criterion benches over the library's scenario matrix (`sealbench::measure::matrix`):
//! no scenario, size or algorithm is listed here.
//!
//! By default a small subset runs: the `--quick` matrix at 64 B and 16 KiB, restricted to
//! memcpy, plain framing, AES-128-GCM (raw and Encrypt0) and HMAC-SHA256 (raw and Mac0),
//! on every backend. `SEALBENCH_BENCH_FULL=1` runs the whole default matrix (all sizes,
//! all modes: hours under criterion's statistics; `sealbench run` is the tool for that).
//! Benchmark ids are `{family}/{size}`, so criterion's filter selects from the same ids
//! as `sealbench run --filter`, e.g. `cargo bench --bench matrix -- env-open_encrypt0`.
//! Each benchmark times exactly what the scenario's `inside_loop` lists (the routine's
//! untimed set-up, such as restoring open pools, stays outside `iter_custom`'s duration).
#![allow(clippy::panic, missing_docs)]

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sealbench::backend::ALL_BACKENDS;
use sealbench::measure::{
    DEFAULT_SIZES, Layer, MatrixSpec, RealTimer, Scenario, Work, matrix, routine,
};

fn in_default_subset(s: &Scenario) -> bool {
    matches!(s.work, Work::Memcpy)
        || s.layer() == Layer::Plain
        || matches!(s.algorithm().as_str(), "aes128gcm" | "hmacsha256")
}

fn scenarios() -> Vec<Scenario> {
    let full = std::env::var_os("SEALBENCH_BENCH_FULL").is_some_and(|v| v == "1");
    let spec = MatrixSpec {
        sizes: if full {
            DEFAULT_SIZES.to_vec()
        } else {
            vec![64, 16384]
        },
        backends: ALL_BACKENDS.to_vec(),
        quick: !full,
    };
    matrix(&spec)
        .into_iter()
        .filter(|s| full || in_default_subset(s))
        .collect()
}

fn bench(c: &mut Criterion) {
    let timer = RealTimer::new();
    let list = scenarios();
    for family in list.chunk_by(|a, b| a.family() == b.family()) {
        let Some(first) = family.first() else {
            continue;
        };
        let mut group = c.benchmark_group(first.family());
        for s in family {
            // Skip what a backend cannot do, with its reason, before registering.
            if let Err(e) = routine::build(s) {
                eprintln!("skipping {}: {e}", s.id());
                continue;
            }
            group.throughput(Throughput::Bytes(s.size as u64));
            group.bench_function(BenchmarkId::from_parameter(s.size), |b| {
                let mut built =
                    routine::build(s).unwrap_or_else(|e| panic!("{}: set-up failed: {e}", s.id()));
                b.iter_custom(|iters| match built.routine.run(&timer, iters) {
                    Ok(e) => Duration::from_nanos(e.wall_ns),
                    Err(e) => panic!("{}: {e}", s.id()),
                });
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    targets = bench
}
criterion_main!(benches);
