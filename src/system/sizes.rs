//! Payload sizes drawn from OpenStack's recorded RPC message lengths.
//!
//! The file is oslo.messaging's `tools/messages_length.yaml` (kept beside the repository as
//! `../shared/data/oslo-messaging-message-lengths.yaml`, not copied into it): every message
//! sent through RabbitMQ during 50 Rally `boot_and_delete_server` runs, as lengths of the
//! serialized message in characters (ASCII JSON, so bytes). Only the comma-separated list
//! after `string_lengths:` is read; anything else in it is ignored.

use std::path::Path;
use std::sync::Arc;

use rand::{RngExt as _, SeedableRng as _, rngs::StdRng};

use super::error::SystemError;

/// Where the size distribution comes from.
#[derive(Debug, Clone)]
pub struct SizeDistribution {
    /// What the sizes are (file path, or `fixed N`), for the results.
    pub source: String,
    sizes: Arc<[usize]>,
}

impl SizeDistribution {
    /// Every message the same size.
    pub fn fixed(size: usize) -> Self {
        Self {
            source: format!("fixed {size} B"),
            sizes: Arc::from(vec![size]),
        }
    }

    /// The lengths listed in an oslo.messaging `messages_length.yaml`.
    pub fn load(path: &Path) -> Result<Self, SystemError> {
        let text = std::fs::read_to_string(path).map_err(|e| SystemError::Input {
            what: path.display().to_string(),
            detail: format!("{e} (pass --sizes FILE or --fixed-size BYTES)"),
        })?;
        let sizes = parse(&text).map_err(|detail| SystemError::Input {
            what: path.display().to_string(),
            detail,
        })?;
        Ok(Self {
            source: path.display().to_string(),
            sizes: Arc::from(sizes),
        })
    }

    /// Number of recorded lengths.
    pub fn len(&self) -> usize {
        self.sizes.len()
    }

    /// Whether no length is recorded (never, for a loaded distribution).
    pub fn is_empty(&self) -> bool {
        self.sizes.is_empty()
    }

    /// The `q` quantile (0..=1) of the recorded lengths.
    pub fn quantile(&self, q: f64) -> usize {
        let mut s = self.sizes.to_vec();
        s.sort_unstable();
        let last = s.len().saturating_sub(1);
        // Nearest rank; q is clamped so the cast stays in range.
        let rank = (q.clamp(0.0, 1.0) * last as f64).round() as usize;
        s.get(rank.min(last)).copied().unwrap_or(0)
    }

    /// A reproducible stream of sizes (the same seed gives every mode the same messages).
    pub fn sampler(&self, seed: u64) -> Sampler {
        Sampler {
            sizes: self.sizes.clone(),
            rng: StdRng::seed_from_u64(seed),
        }
    }
}

/// Draws sizes uniformly from the recorded messages (so with their frequencies).
pub struct Sampler {
    sizes: Arc<[usize]>,
    rng: StdRng,
}

impl Sampler {
    /// The next size.
    pub fn next_size(&mut self) -> usize {
        if self.sizes.is_empty() {
            return 0;
        }
        let i = self.rng.random_range(0..self.sizes.len());
        self.sizes.get(i).copied().unwrap_or(0)
    }
}

fn parse(text: &str) -> Result<Vec<usize>, String> {
    let Some((_, list)) = text.split_once("string_lengths:") else {
        return Err(
            "no `string_lengths:` list (expected oslo.messaging's messages_length.yaml)".into(),
        );
    };
    let mut sizes = Vec::new();
    for item in list.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let n: usize = item
            .parse()
            .map_err(|_| format!("`{item}` in string_lengths is not a length"))?;
        if n == 0 || n > 16 << 20 {
            return Err(format!(
                "length {n} in string_lengths is out of range (1..16 MiB)"
            ));
        }
        sizes.push(n);
    }
    if sizes.is_empty() {
        return Err("string_lengths is empty".into());
    }
    Ok(sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_list_and_refuses_garbage() {
        let d = parse("# c\ntest_data:\n    string_lengths: 806, 992, 1500\n").unwrap();
        assert_eq!(d, vec![806, 992, 1500]);
        assert!(parse("test_data: {}").is_err());
        assert!(parse("string_lengths: 12, x").is_err());
        assert!(parse("string_lengths: 0").is_err());
    }

    #[test]
    fn sampler_is_reproducible_and_draws_listed_sizes() {
        let d = SizeDistribution {
            source: "t".into(),
            sizes: Arc::from(vec![10, 20, 30]),
        };
        let a: Vec<_> = (0..50)
            .map({
                let mut s = d.sampler(7);
                move |_| s.next_size()
            })
            .collect();
        let b: Vec<_> = (0..50)
            .map({
                let mut s = d.sampler(7);
                move |_| s.next_size()
            })
            .collect();
        assert_eq!(a, b);
        assert!(a.iter().all(|n| [10, 20, 30].contains(n)));
        assert_eq!(d.quantile(0.5), 20);
    }
}
