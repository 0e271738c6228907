//! A standalone benchmark of RustCrypto `aes-gcm`, outside sealbench's engine and
//! backend abstraction: the cross-check of issue 13 for `sealbench run`'s
//! `seal_rustcrypto_aes128gcm_{64,16384}` figures.
//!
//! The same work as sealbench's raw seal: one `Aes128Gcm` key set up once; per operation a
//! 96-bit nonce from a counter, an in-place detached encrypt with an empty AAD, the tag
//! copied behind the message. Timing: 200 ms warm-up, then 31 samples of about 5 ms each
//! (iterations calibrated once), median ns per operation.
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

    fn batch(key: &Aes128Gcm, c: &mut u64, buf: &mut [u8], n: u64) -> Result<Duration, String> {
        let t0 = Instant::now();
        for _ in 0..n {
            seal(key, c, buf)?;
            black_box(&mut *buf);
        }
        Ok(t0.elapsed())
    }

    /// Median ns per seal of `size` bytes.
    pub fn measure(size: usize) -> Result<f64, String> {
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
        let mut samples: Vec<f64> = (0..31)
            .map(|_| {
                batch(&key, &mut counter, &mut buf, iters)
                    .map(|t| t.as_nanos() as f64 / iters as f64)
            })
            .collect::<Result<_, _>>()?;
        samples.sort_by(f64::total_cmp);
        samples
            .get(samples.len() / 2)
            .copied()
            .ok_or_else(|| "no samples".to_string())
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
            Ok(ns) => println!("standalone aes-gcm seal {size} B: {ns:.1} ns ({profile})"),
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
