//! One visual vocabulary for every plot: a fixed colour per backend (the same in every
//! figure and on every machine), a line style and marker per algorithm or envelope mode,
//! and colours outside the backends' for other categories (profiles, references).

use super::plots::{Dash, Marker};
use crate::backend::{AeadId, MacId, SignatureId};

/// The backend without a `@...` suffix (`aws-lc@no-aesni` → `aws-lc`).
pub fn base_backend(name: &str) -> &str {
    name.split('@').next().unwrap_or(name)
}

/// Backends in palette order; the compiled-in registry's names come first so a backend
/// keeps its colour whatever a results file holds.
const KNOWN_BACKENDS: &[&str] = &["rustcrypto", "ring", "openssl", "aws-lc"];

/// Palette index of any backend not in [`KNOWN_BACKENDS`] (sky blue).
const OTHER_BACKEND: usize = 5;

/// Palette index of a backend (its base name decides: `aws-lc@no-aesni` is aws-lc's colour).
/// Indices 0–3 (blue, vermillion, green, pink) and 5 are the backends'.
pub fn backend_colour(name: &str) -> usize {
    let base = base_backend(name);
    KNOWN_BACKENDS
        .iter()
        .position(|n| *n == base)
        .unwrap_or(OTHER_BACKEND)
}

/// Palette index of the grey reference lines (memcpy).
pub const REFERENCE_COLOUR: usize = 9;

/// Palette index of the `i`-th category that is not a backend (a profile, an identity
/// option): black, wine, teal, orange, grey; never a backend's colour.
pub fn category_colour(i: usize) -> usize {
    const CATEGORIES: [usize; 5] = [6, 7, 8, 4, 9];
    CATEGORIES
        .get(i % CATEGORIES.len())
        .copied()
        .unwrap_or(REFERENCE_COLOUR)
}

/// Every primitive label in a fixed order, so each algorithm keeps one style everywhere.
fn algorithm_index(label: &str) -> usize {
    let all = AeadId::ALL
        .iter()
        .map(|a| a.label())
        .chain(SignatureId::ALL.iter().map(|s| s.label()))
        .chain(MacId::ALL.iter().map(|m| m.label()));
    let mut n = 0;
    for (i, l) in all.enumerate() {
        if l == label {
            return i;
        }
        n = i + 1;
    }
    // Compound labels (`ed25519+x25519+aes128gcm`): by their first component.
    label
        .split('+')
        .next()
        .filter(|first| *first != label)
        .map_or(n, algorithm_index)
}

/// Line style and marker of an algorithm.
pub fn algorithm_style(label: &str) -> (Dash, Marker) {
    style_at(algorithm_index(label))
}

/// Line style and marker of an envelope mode (`Mode::ALL` order).
pub fn mode_style(mode: &str) -> (Dash, Marker) {
    let i = crate::envelope::Mode::ALL
        .iter()
        .position(|m| m.label() == mode)
        .unwrap_or(crate::envelope::Mode::ALL.len());
    style_at(i)
}

/// The `i`-th (dash, marker) pair: dashes and markers cycle with different periods.
pub fn style_at(i: usize) -> (Dash, Marker) {
    let dash = Dash::ALL.get(i % Dash::ALL.len()).copied();
    let marker = Marker::ALL.get(i % Marker::ALL.len()).copied();
    (dash.unwrap_or_default(), marker.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_keep_their_colour_and_masked_runs_share_it() {
        assert_eq!(backend_colour("aws-lc"), backend_colour("aws-lc@no-aesni"));
        let all: Vec<usize> = KNOWN_BACKENDS.iter().map(|b| backend_colour(b)).collect();
        let mut distinct = all.clone();
        distinct.dedup();
        assert_eq!(all.len(), distinct.len());
        assert_eq!(backend_colour("new-backend"), OTHER_BACKEND);
        for i in 0..5 {
            assert!(!all.contains(&category_colour(i)) && category_colour(i) != OTHER_BACKEND);
        }
    }

    #[test]
    fn algorithms_get_distinct_styles() {
        let a = algorithm_style("aes128gcm");
        let b = algorithm_style("aes256gcm");
        let c = algorithm_style("chacha20poly1305");
        assert!(a != b && b != c && a != c);
        assert_eq!(mode_style("encrypt0"), mode_style("encrypt0"));
        assert_ne!(mode_style("encrypt0"), mode_style("sign1"));
    }
}
