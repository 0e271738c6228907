//! The table type every section fills, and the number formats the tables share.

use std::collections::BTreeSet;

use crate::results::ScenarioResult;

/// A table of text cells; numeric columns are right-aligned by the renderers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Caption, shown above the table.
    pub caption: String,
    /// Column headings.
    pub header: Vec<String>,
    /// Rows; each has as many cells as the header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table.
    pub fn new(caption: impl Into<String>, header: &[&str]) -> Self {
        Self {
            caption: caption.into(),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// An empty table with owned headings.
    pub fn with_header(caption: impl Into<String>, header: Vec<String>) -> Self {
        Self {
            caption: caption.into(),
            header,
            rows: Vec::new(),
        }
    }

    /// Appends a row, padded or cut to the header's width.
    pub fn push(&mut self, mut row: Vec<String>) {
        row.resize(self.header.len(), String::new());
        self.rows.push(row);
    }

    /// Whether column `col` holds numbers (every non-empty cell starts with a digit,
    /// a sign or a dash).
    pub fn is_numeric(&self, col: usize) -> bool {
        let mut cells = self
            .rows
            .iter()
            .filter_map(|r| r.get(col))
            .filter(|c| !c.is_empty())
            .peekable();
        cells.peek().is_some()
            && cells.all(|c| {
                c.chars()
                    .next()
                    .is_some_and(|ch| ch.is_ascii_digit() || matches!(ch, '+' | '-' | '−' | '–'))
            })
    }
}

/// A number with three significant figures: `1234` (integers keep every digit), `78.9`,
/// `4.56`, `0.0123`, `0.00123`, and `3.12e-4` below 0.001, so that small costs keep their
/// precision instead of rounding to `0.0003`.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    // Round to three significant figures once, then choose the notation.
    let sci = format!("{x:.2e}");
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return sci;
    };
    let Ok(exp) = exp.parse::<i32>() else {
        return sci;
    };
    let rounded: f64 = sci.parse().unwrap_or(x);
    match exp {
        2.. => format!("{x:.0}"),
        -3..=1 => {
            let decimals = usize::try_from(2 - exp).unwrap_or(0);
            format!("{rounded:.decimals$}")
        }
        _ => format!("{mantissa}e{exp}"),
    }
}

/// A payload size for column headings: `16 B`, `1350 B`, `16 KiB` (exact KiB multiples).
pub fn size_label(size: u64) -> String {
    if size >= 1024 && size.is_multiple_of(1024) {
        format!("{} KiB", size / 1024)
    } else {
        format!("{size} B")
    }
}

/// Throughput of one scenario in MB/s (10^6 bytes per second), if it has a size and a time.
pub fn mb_per_s(s: &ScenarioResult) -> Option<f64> {
    mb_per_s_at(s.size, s.stats.median_ns)
}

/// `size` bytes in `ns` nanoseconds, in MB/s.
pub fn mb_per_s_at(size: u64, ns: f64) -> Option<f64> {
    // bytes/ns = GB/s; × 1000 = MB/s. Sizes are far below 2^53, so the cast is exact.
    (size > 0 && ns > 0.0 && ns.is_finite()).then(|| size as f64 / ns * 1000.0)
}

/// A cell value with `*` appended when the scenario was flagged noisy.
pub fn mark_noisy(value: String, s: &ScenarioResult) -> String {
    if s.stats.noisy {
        format!("{value}*")
    } else {
        value
    }
}

/// The distinct sizes of `scenarios`, ascending.
pub fn sizes<'a>(scenarios: impl Iterator<Item = &'a ScenarioResult>) -> Vec<u64> {
    scenarios
        .map(|s| s.size)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Orders envelope modes as `Mode::ALL` does, unknown labels last in name order.
pub fn mode_rank(mode: &str) -> (usize, String) {
    let rank = crate::envelope::Mode::ALL
        .iter()
        .position(|m| m.label() == mode)
        .unwrap_or(usize::MAX);
    (rank, mode.to_string())
}

/// Orders identity options as `Identity::ALL` does, no identity first.
pub fn identity_rank(identity: Option<&str>) -> usize {
    identity.map_or(0, |id| {
        crate::envelope::Identity::ALL
            .iter()
            .position(|i| i.label() == id)
            .map_or(usize::MAX, |p| p + 1)
    })
}

/// Sort key of an envelope variant: identity, recipients, messages per content key.
pub type VariantRank = (usize, u32, u32);

/// Preference among an envelope's variants when one stands for its mode in a plot: the
/// smallest identity (`kid` first), the fewest recipients, a fresh content key per
/// message (`cek_reuse` 1).
pub fn variant_rank(s: &ScenarioResult) -> VariantRank {
    (
        identity_rank(s.identity.as_deref()),
        s.recipients.unwrap_or(0),
        s.cek_reuse.unwrap_or(0),
    )
}

/// `kid, 2 recipients, key per 100 messages`-style text for a scenario's variant.
pub fn variant_label(s: &ScenarioResult) -> String {
    let mut parts = Vec::new();
    if let Some(id) = &s.identity {
        parts.push(id.clone());
    }
    if let Some(r) = s.recipients {
        parts.push(format!("{r} recipient{}", if r == 1 { "" } else { "s" }));
    }
    if let Some(c) = s.cek_reuse {
        parts.push(format!(
            "key per {c} message{}",
            if c == 1 { "" } else { "s" }
        ));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_three_significant_digits() {
        assert_eq!(num(1234.4), "1234");
        assert_eq!(num(78.94), "78.9");
        assert_eq!(num(4.561), "4.56");
        assert_eq!(num(0.01234), "0.0123");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(0.000_312_4), "3.12e-4");
        assert_eq!(num(-0.000_7), "-7.00e-4");
        assert_eq!(num(0.001_234), "0.00123");
        assert_eq!(num(99.96), "100");
        assert_eq!(num(9.996), "10.0");
        assert_eq!(num(f64::NAN), "–");
    }

    #[test]
    fn sizes_and_throughput() {
        assert_eq!(size_label(16384), "16 KiB");
        assert_eq!(size_label(1350), "1350 B");
        assert_eq!(mb_per_s_at(1000, 1000.0), Some(1000.0));
        assert_eq!(mb_per_s_at(0, 10.0), None);
    }

    #[test]
    fn numeric_columns_are_detected() {
        let mut t = Table::new("", &["a", "b"]);
        t.push(vec!["ring".into(), "12.5".into()]);
        t.push(vec!["x".into(), "–".into()]);
        assert!(!t.is_numeric(0));
        assert!(t.is_numeric(1));
    }
}
