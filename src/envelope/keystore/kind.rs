//! What kind of asymmetric key a PKCS#8 or SPKI structure holds, and whether it fits a
//! [`KeyAlg`].

use std::fmt;

use der::Decode;
use der::asn1::{ObjectIdentifier, UintRef};
use spki::AlgorithmIdentifierRef;

use crate::backend::{KeyAgreementId, SignatureId};
use crate::envelope::KeyAlg;

// ref: RFC 8410 §3
const OID_X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
// ref: RFC 8410 §3
const OID_X448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.111");
// ref: RFC 8410 §3
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
// ref: RFC 8410 §3
const OID_ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");
// ref: RFC 5480 §2.1.1
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
// ref: RFC 5480 §2.1.1.1
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
// ref: RFC 5480 §2.1.1.1
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
// ref: RFC 5480 §2.1.1.1
const OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
// ref: SEC 2 v2 §2.4.1
const OID_SECP256K1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.10");
// ref: RFC 8017 Appendix C
const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
// ref: RFC 4055 §1.2
const OID_RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

/// The modulus size `PS256` and `RSA-OAEP-256` keys must have.
const RSA_BITS: usize = 2048;

/// The key type named by an `AlgorithmIdentifier` (plus the RSA modulus size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyKind {
    /// Ed25519 (RFC 8410).
    Ed25519,
    /// X25519 (RFC 8410).
    X25519,
    /// `id-ecPublicKey` on a named curve (`None`: no or explicit curve parameters).
    Ec(Option<ObjectIdentifier>),
    /// `rsaEncryption` with a modulus of this many bits.
    Rsa(usize),
    /// Any other algorithm.
    Other(ObjectIdentifier),
}

impl KeyKind {
    /// Classifies an `AlgorithmIdentifier`; for RSA, `rsa_modulus` returns the big-endian
    /// modulus (read from the private or public key structure).
    pub(super) fn of<'a>(
        alg: &AlgorithmIdentifierRef<'a>,
        rsa_modulus: impl FnOnce() -> Option<&'a [u8]>,
    ) -> Option<Self> {
        Some(match alg.oid {
            OID_ED25519 => Self::Ed25519,
            OID_X25519 => Self::X25519,
            OID_EC_PUBLIC_KEY => Self::Ec(
                alg.parameters
                    .and_then(|p| p.decode_as::<ObjectIdentifier>().ok()),
            ),
            OID_RSA_ENCRYPTION => Self::Rsa(bit_len(rsa_modulus()?)),
            other => Self::Other(other),
        })
    }

    /// Whether a key of this kind can be used with `alg`.
    pub(super) fn fits(self, alg: KeyAlg) -> bool {
        match self {
            Self::Ed25519 => alg == KeyAlg::Sign(SignatureId::Ed25519),
            Self::X25519 => alg == KeyAlg::EcdhEs(KeyAgreementId::X25519),
            Self::Ec(Some(OID_P256)) => matches!(
                alg,
                KeyAlg::Sign(SignatureId::EcdsaP256Sha256)
                    | KeyAlg::EcdhEs(KeyAgreementId::EcdhP256)
            ),
            Self::Rsa(RSA_BITS) => {
                matches!(
                    alg,
                    KeyAlg::Sign(SignatureId::RsaPss2048Sha256) | KeyAlg::RsaOaep256
                )
            }
            Self::Ec(_) | Self::Rsa(_) | Self::Other(_) => false,
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ed25519 => f.write_str("Ed25519"),
            Self::X25519 => f.write_str("X25519"),
            Self::Ec(Some(OID_P256)) => f.write_str("EC P-256"),
            Self::Ec(Some(OID_P384)) => f.write_str("EC P-384"),
            Self::Ec(Some(OID_P521)) => f.write_str("EC P-521"),
            Self::Ec(Some(OID_SECP256K1)) => f.write_str("EC secp256k1"),
            Self::Ec(Some(curve)) => write!(f, "EC (curve {curve})"),
            Self::Ec(None) => f.write_str("EC (without a named curve)"),
            Self::Rsa(bits) => write!(f, "RSA-{bits}"),
            Self::Other(OID_ED448) => f.write_str("Ed448"),
            Self::Other(OID_X448) => f.write_str("X448"),
            Self::Other(OID_RSASSA_PSS) => f.write_str("RSASSA-PSS (id-RSASSA-PSS)"),
            Self::Other(oid) => write!(f, "algorithm {oid}"),
        }
    }
}

/// The modulus of a PKCS#1 `RSAPublicKey` (SEQUENCE of 2 INTEGERs) or two-prime
/// `RSAPrivateKey` (SEQUENCE of 9 INTEGERs, version 0).
pub(super) fn rsa_modulus(der: &[u8]) -> Option<&[u8]> {
    let ints = Vec::<UintRef<'_>>::from_der(der).ok()?;
    match ints.as_slice() {
        [n, _e] => Some(n.as_bytes()),
        [version, n, _, _, _, _, _, _, _] if version.as_bytes().iter().all(|&b| b == 0) => {
            Some(n.as_bytes())
        }
        _ => None,
    }
}

/// Bit length of a big-endian unsigned integer.
fn bit_len(be: &[u8]) -> usize {
    let be = match be.iter().position(|&b| b != 0) {
        Some(i) => be.get(i..).unwrap_or_default(),
        None => return 0,
    };
    let top = be.first().map_or(0, |b| u8::BITS - b.leading_zeros());
    let top = usize::try_from(top).unwrap_or(0);
    be.len()
        .saturating_sub(1)
        .saturating_mul(8)
        .saturating_add(top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_len_counts_from_the_top_set_bit() {
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(bit_len(&[0, 0]), 0);
        assert_eq!(bit_len(&[1]), 1);
        assert_eq!(bit_len(&[0, 0x80, 0]), 16);
        assert_eq!(bit_len(&[0xff; 256]), 2048);
    }

    #[test]
    fn kinds_fit_only_their_algorithms() {
        assert!(KeyKind::Ec(Some(OID_P256)).fits(KeyAlg::EcdhEs(KeyAgreementId::EcdhP256)));
        assert!(!KeyKind::Ec(Some(OID_P384)).fits(KeyAlg::Sign(SignatureId::EcdsaP256Sha256)));
        assert!(!KeyKind::Rsa(3072).fits(KeyAlg::RsaOaep256));
        assert!(!KeyKind::Ed25519.fits(KeyAlg::EcdhEs(KeyAgreementId::X25519)));
        assert_eq!(KeyKind::Ec(Some(OID_P384)).to_string(), "EC P-384");
    }
}
