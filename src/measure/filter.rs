//! `--filter PATTERN` of `sealbench run` and `sealbench gate`: which scenario ids to keep.
//!
//! Scenario ids never contain `*`, `?`, `^`, `$` or spaces, so one flag takes three forms
//! without ambiguity:
//! - a **glob** when the pattern contains `*` or `?`, matched against the whole id
//!   (`seal_*_aes128gcm_64`, `env-open_*_16384`); `*` is any run of characters, `?` one;
//! - a **regular expression** when it starts with `re:`, `^` or ends with `$`, searched
//!   anywhere in the id (`^(seal|open)_ring_`, `re:aes(128|256)gcm_64$`; syntax of the
//!   `regex` crate);
//! - otherwise a **substring** (`_ring_`, `x25519+aes128gcm`).

use regex::Regex;

/// A compiled `--filter`.
#[derive(Debug, Clone)]
pub struct IdFilter {
    pattern: String,
    regex: Option<Regex>,
}

impl IdFilter {
    /// Compiles `pattern`; a malformed regular expression is an error naming it.
    pub fn new(pattern: &str) -> Result<Self, String> {
        let glob = pattern.contains(['*', '?']);
        let re = if let Some(re) = pattern.strip_prefix("re:") {
            Some(re.to_string())
        } else if glob {
            Some(glob_regex(pattern))
        } else if pattern.starts_with('^') || pattern.ends_with('$') {
            Some(pattern.to_string())
        } else {
            None
        };
        let regex = re
            .map(|r| {
                Regex::new(&r)
                    .map_err(|e| format!("--filter {pattern:?}: not a valid pattern: {e}"))
            })
            .transpose()?;
        Ok(Self {
            pattern: pattern.to_string(),
            regex,
        })
    }

    /// Whether `id` is selected.
    pub fn matches(&self, id: &str) -> bool {
        match &self.regex {
            Some(r) => r.is_match(id),
            None => id.contains(self.pattern.as_str()),
        }
    }

    /// The pattern as given.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }
}

/// The anchored regular expression of a glob: `*` any run, `?` one character, everything
/// else literal.
fn glob_regex(glob: &str) -> String {
    let mut out = String::from("^");
    for c in glob.chars() {
        match c {
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            c => out.push_str(&regex::escape(&c.to_string())),
        }
    }
    out.push('$');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(p: &str) -> IdFilter {
        IdFilter::new(p).unwrap()
    }

    #[test]
    fn substring_glob_and_regex() {
        let id = "env-seal_encrypt_ring_x25519+aes128gcm_r1_reuse100_64";
        assert!(f("_ring_").matches(id));
        assert!(
            f("x25519+aes128gcm").matches(id),
            "`+` is literal in a substring"
        );
        assert!(!f("_openssl_").matches(id));
        // Globs match the whole id.
        assert!(f("env-seal_*_64").matches(id));
        assert!(!f("env-seal_*_6").matches(id));
        assert!(f("seal_*_aes128gcm_6?").matches("seal_ring_aes128gcm_64"));
        assert!(f("*+aes128gcm_*").matches(id), "`+` is literal in a glob");
        // Regular expressions search anywhere.
        assert!(f("^(seal|open)_ring_").matches("open_ring_aes128gcm_64"));
        assert!(!f("^(seal|open)_ring_").matches("env-open_encrypt0_ring_aes128gcm_kid_64"));
        assert!(f("re:aes(128|256)gcm_64$").matches("seal_ring_aes256gcm_64"));
        assert!(f("_64$").matches("seal_ring_aes256gcm_64"));
        assert!(!f("_64$").matches("seal_ring_aes256gcm_16384"));
        let e = IdFilter::new("re:(").unwrap_err();
        assert!(e.starts_with("--filter \"re:(\""), "{e}");
    }
}
