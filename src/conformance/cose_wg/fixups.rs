//! The known inconsistencies of the example data, each allowed for named files only.
//!
//! The vector folder's README lists them ("Known inconsistencies in this data"). A strict
//! runner must not loosen its checks globally, so each fix-up here is tied to the files
//! it is known for, is applied only when the check it relaxes actually trips, and is
//! recorded in the result's `notes` when it is.

use coset::iana;

/// One narrow relaxation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FixUp {
    /// A signer's `kid` is a text string on the wire (RFC 9052 §3.1 requires a bstr);
    /// it is re-encoded as the same bytes in a bstr before decoding. The kid is an
    /// unprotected header, so the signature does not cover it.
    SignerKidText,
    /// `intermediates.AAD_hex` is built with the context string "Encrypt1", which RFC 9052
    /// does not define; the message is authenticated under "Encrypt0".
    Encrypt1Context,
    /// The JWK's `kid` differs from the recipient's `kid` on the wire; the key the file
    /// attaches to that recipient is used.
    RecipientKeyKid,
    /// The file names an algorithm with a non-standard spelling that the wire value
    /// disambiguates.
    AlgNameAlias {
        /// The spelling in the file.
        name: &'static str,
        /// What the wire carries.
        alg: iana::Algorithm,
    },
}

impl FixUp {
    /// The note recorded when the fix-up is applied.
    pub(super) fn note(self) -> String {
        match self {
            Self::SignerKidText => {
                "fix-up: signer kid is a tstr in output.cbor (RFC 9052 needs a bstr; the \
                 file's cbor_diag shows a bstr); re-encoded as a bstr before decoding"
                    .to_string()
            }
            Self::Encrypt1Context => {
                "fix-up: intermediates.AAD_hex uses the undefined context \"Encrypt1\"; \
                 accepted as such, and the message is authenticated under \"Encrypt0\""
                    .to_string()
            }
            Self::RecipientKeyKid => {
                "fix-up: the JWK kid differs from the kid on the wire; the key attached \
                 to the recipient is used"
                    .to_string()
            }
            Self::AlgNameAlias { name, alg } => format!(
                "fix-up: the file names the recipient algorithm {name:?}, which is not a name the \
                 examples use elsewhere; the wire value {} ({}) is taken",
                coset::iana::EnumI64::to_i64(&alg),
                super::algs::name(alg)
            ),
        }
    }
}

const ECDH_SS_256_ALIAS: FixUp = FixUp::AlgNameAlias {
    name: "ECDH-SS-256",
    alg: iana::Algorithm::ECDH_SS_HKDF_256,
};

/// File (relative to the vector root) → the fix-ups allowed for it.
const KNOWN: &[(&str, FixUp)] = &[
    ("x509-examples/signed-01.json", FixUp::SignerKidText),
    ("x509-examples/signed-02.json", FixUp::SignerKidText),
    (
        "chacha-poly-examples/chacha-poly-enc-01.json",
        FixUp::Encrypt1Context,
    ),
    ("aes-gcm-examples/aes-gcm-02.json", FixUp::RecipientKeyKid),
    ("aes-gcm-examples/aes-gcm-03.json", FixUp::RecipientKeyKid),
    (
        "ecdh-direct-examples/p521-hkdf-256-01.json",
        FixUp::RecipientKeyKid,
    ),
    (
        "ecdh-direct-examples/p521-hkdf-256-02.json",
        FixUp::RecipientKeyKid,
    ),
    (
        "ecdh-direct-examples/p521-hkdf-256-03.json",
        FixUp::RecipientKeyKid,
    ),
    (
        "ecdh-direct-examples/p521-hkdf-512-01.json",
        FixUp::RecipientKeyKid,
    ),
    (
        "ecdh-direct-examples/p521-hkdf-512-02.json",
        FixUp::RecipientKeyKid,
    ),
    (
        "ecdh-direct-examples/p521-hkdf-512-03.json",
        FixUp::RecipientKeyKid,
    ),
    (
        "ecdh-direct-examples/p521-ss-hkdf-256-01.json",
        FixUp::RecipientKeyKid,
    ),
    (
        "ecdh-direct-examples/p521-ss-hkdf-256-02.json",
        FixUp::RecipientKeyKid,
    ),
    (
        "ecdh-direct-examples/p521-ss-hkdf-256-03.json",
        FixUp::RecipientKeyKid,
    ),
    (
        "ecdh-direct-examples/p521-ss-hkdf-512-01.json",
        FixUp::RecipientKeyKid,
    ),
    (
        "ecdh-direct-examples/p521-ss-hkdf-512-02.json",
        FixUp::RecipientKeyKid,
    ),
    (
        "ecdh-direct-examples/p521-ss-hkdf-512-03.json",
        FixUp::RecipientKeyKid,
    ),
    // README: "p256-ss-hkdf-512-02 uses HKDF-256 (-27)"; its input says "ECDH-SS-256".
    (
        "ecdh-direct-examples/p256-ss-hkdf-512-02.json",
        ECDH_SS_256_ALIAS,
    ),
];

/// Whether `path` (the file as loaded, or its name relative to the vector root) is the
/// known file `known`: equal, or ending in `/known`, so the fix-up holds whichever folder
/// level `kat --cose` is pointed at.
fn is(path: &str, known: &str) -> bool {
    path == known
        || path
            .strip_suffix(known)
            .is_some_and(|head| head.ends_with('/') || head.ends_with('\\'))
}

/// Whether `fix` is allowed for `file`.
pub(super) fn allowed(file: &str, fix: FixUp) -> bool {
    KNOWN.iter().any(|&(f, x)| is(file, f) && x == fix)
}

/// The algorithm an aliased name stands for in `file`, if the file has such a fix-up.
pub(super) fn alias(file: &str, name: &str) -> Option<FixUp> {
    KNOWN.iter().find_map(|&(f, x)| match x {
        FixUp::AlgNameAlias { name: n, .. } if is(file, f) && n == name => Some(x),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_ups_are_tied_to_their_files() {
        assert!(allowed(
            "x509-examples/signed-01.json",
            FixUp::SignerKidText
        ));
        assert!(!allowed(
            "x509-examples/signed-03.json",
            FixUp::SignerKidText
        ));
        assert!(!allowed(
            "aes-gcm-examples/aes-gcm-01.json",
            FixUp::RecipientKeyKid
        ));
        assert!(
            alias(
                "ecdh-direct-examples/p256-ss-hkdf-512-02.json",
                "ECDH-SS-256"
            )
            .is_some()
        );
        assert!(
            alias(
                "ecdh-direct-examples/p256-ss-hkdf-512-01.json",
                "ECDH-SS-256"
            )
            .is_none()
        );
    }
}
