//! A standalone benchmark of RustCrypto `aes-gcm`, outside sealbench's engine and
//! backend abstraction: the cross-check of issue 13 for `sealbench run`'s
//! `seal_rustcrypto_aes128gcm_{64,16384}` figures.
//!
//! The same work as sealbench's raw seal: one `Aes128Gcm` key set up once; per operation a
//! 96-bit nonce from a counter, an in-place detached encrypt with an empty AAD, the tag
//! copied behind the message. Timing: 200 ms warm-up, then 31 samples of about 5 ms each
//! (iterations calibrated once); per sample the wall time and the process CPU time
//! (`CLOCK_PROCESS_CPUTIME_ID`, as sealbench's `cpu_median_ns`), median ns per operation
//! of each. On a shared machine the CPU time is the figure to compare: wall time includes
//! whatever ran instead of this process.
//!
//! ```text
//! cargo build --profile measure --example aes_gcm_standalone
//! target/measure/examples/aes_gcm_standalone          # LTO, 1 codegen unit
//! cargo build --release --example aes_gcm_standalone
//! target/release/examples/aes_gcm_standalone          # release: 16 units, no LTO
//! ```
//! `scripts/build-sensitivity.sh` runs both beside `sealbench run`.
#![forbid(unsafe_code)]

#[cfg(feature = "rustcrypto")]
mod bench {
    use std::hint::black_box;
    use std::time::{Duration, Instant};

    use aes_gcm::aead::{AeadInOut, KeyInit};
    use aes_gcm::{Aes128Gcm, Nonce};

    /// One seal: nonce from the counter, in-place encrypt, tag behind the message.
    fn seal(key: &Aes128Gcm, counter: &mut u64, buf: &mut [u8]) -> Result<(), String> {
        *counter += 1;
        let mut n = [0u8; 12];
        for (d, s) in n.iter_mut().skip(4).zip(counter.to_be_bytes()) {
            *d = s;
        }
        let nonce = Nonce::from(n);
        let split = buf.len().checked_sub(16).ok_or("short buffer")?;
        let (msg, tag_out) = buf.split_at_mut(split);
        let tag = key
            .encrypt_inout_detached(&nonce, &[], msg.into())
            .map_err(|e| format!("encrypt: {e:?}"))?;
        tag_out.copy_from_slice(&tag);
        Ok(())
    }

    /// Process CPU time, ns (0 off Linux).
    fn cpu_ns() -> u128 {
        #[cfg(target_os = "linux")]
        {
            let ts = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
            u128::try_from(ts.tv_sec).unwrap_or(0) * 1_000_000_000
                + u128::try_from(ts.tv_nsec).unwrap_or(0)
        }
        #[cfg(not(target_os = "linux"))]
        {
            0
        }
    }

    /// Wall and CPU time of `n` seals.
    fn timed(
        key: &Aes128Gcm,
        c: &mut u64,
        buf: &mut [u8],
        n: u64,
    ) -> Result<(Duration, u128), String> {
        let (t0, c0) = (Instant::now(), cpu_ns());
        for _ in 0..n {
            seal(key, c, buf)?;
            black_box(&mut *buf);
        }
        Ok((t0.elapsed(), cpu_ns().saturating_sub(c0)))
    }

    fn batch(key: &Aes128Gcm, c: &mut u64, buf: &mut [u8], n: u64) -> Result<Duration, String> {
        timed(key, c, buf, n).map(|t| t.0)
    }

    fn median(mut v: Vec<f64>) -> Result<f64, String> {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2)
            .copied()
            .ok_or_else(|| "no samples".to_string())
    }

    /// Median wall and CPU ns per seal of `size` bytes.
    pub fn measure(size: usize) -> Result<(f64, f64), String> {
        let key = Aes128Gcm::new(&[7u8; 16].into());
        let mut buf = vec![0x5au8; size + 16];
        let mut counter = 0u64;
        let start = Instant::now();
        let mut iters = 1u64;
        while start.elapsed() < Duration::from_millis(200) {
            let t = batch(&key, &mut counter, &mut buf, iters)?;
            if t < Duration::from_millis(5) {
                iters = iters.saturating_mul(2);
            }
        }
        let (mut wall, mut cpu) = (Vec::new(), Vec::new());
        for _ in 0..31 {
            let (w, c) = timed(&key, &mut counter, &mut buf, iters)?;
            wall.push(w.as_nanos() as f64 / iters as f64);
            cpu.push(c as f64 / iters as f64);
        }
        Ok((median(wall)?, median(cpu)?))
    }
}

#[cfg(feature = "rustcrypto")]
fn main() -> std::process::ExitCode {
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "optimised"
    };
    for size in [64usize, 16384] {
        match bench::measure(size) {
            Ok((wall, cpu)) => println!(
                "standalone aes-gcm seal {size} B: {wall:.1} ns wall, {cpu:.1} ns CPU ({profile})"
            ),
            Err(e) => {
                eprintln!("error: {e}");
                return std::process::ExitCode::from(2);
            }
        }
    }
    std::process::ExitCode::SUCCESS
}

#[cfg(not(feature = "rustcrypto"))]
fn main() {
    eprintln!("built without the rustcrypto feature: nothing to measure");
}
