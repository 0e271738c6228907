//! The raw private scalar of an X25519 or P-256 key-agreement key held as PKCS#8.

use der::Decode;
use der::asn1::OctetStringRef;
use pkcs8::PrivateKeyInfoRef;
use zeroize::Zeroizing;

use super::asym::{PKCS8, check_kind, private_kind};
use super::error::{KeyStoreError, Origin};
use super::file::der_error;
use super::kind::KeyKind;
use crate::backend::KeyAgreementId;
use crate::envelope::KeyAlg;

/// The raw private scalar of a key-agreement key in PKCS#8 (see [`super::agreement_scalar`]).
pub(super) fn scalar_of(
    pkcs8: &[u8],
    id: KeyAgreementId,
    origin: &Origin,
) -> Result<Zeroizing<Vec<u8>>, KeyStoreError> {
    let info = PrivateKeyInfoRef::from_der(pkcs8).map_err(|e| der_error(e, origin, PKCS8, true))?;
    let alg = KeyAlg::EcdhEs(id);
    check_kind(private_kind(&info, origin)?, alg, origin)?;
    let inner = info.private_key.as_bytes();
    let malformed = |what, reason: &str| KeyStoreError::Malformed {
        origin: origin.clone(),
        what,
        reason: reason.into(),
    };
    match id {
        KeyAgreementId::X25519 => {
            // ref: RFC 8410 §7: CurvePrivateKey ::= OCTET STRING, inside the PKCS#8 OCTET STRING
            let scalar = <&OctetStringRef>::from_der(inner)
                .map_err(|e| der_error(e, origin, "X25519 CurvePrivateKey", true))?
                .as_bytes();
            if scalar.len() != 32 {
                return Err(malformed(
                    "X25519 CurvePrivateKey",
                    "the scalar must be 32 bytes",
                ));
            }
            Ok(Zeroizing::new(scalar.to_vec()))
        }
        KeyAgreementId::EcdhP256 => {
            // ref: RFC 5915 §3: ECPrivateKey, as OpenSSL writes inside PKCS#8
            let ec = sec1::EcPrivateKey::from_der(inner)
                .map_err(|e| der_error(e, origin, "SEC1 ECPrivateKey", true))?;
            if let Some(curve) = ec.parameters.and_then(|p| p.named_curve()) {
                check_kind(KeyKind::Ec(Some(curve)), alg, origin)?;
            }
            let pad = 32usize
                .checked_sub(ec.private_key.len())
                .filter(|_| !ec.private_key.is_empty())
                .ok_or_else(|| {
                    malformed("SEC1 ECPrivateKey", "the scalar must be 1 to 32 bytes")
                })?;
            let mut scalar = Zeroizing::new(vec![0u8; 32]);
            scalar
                .get_mut(pad..)
                .ok_or_else(|| malformed("SEC1 ECPrivateKey", "scalar length"))?
                .copy_from_slice(ec.private_key);
            Ok(scalar)
        }
    }
}
