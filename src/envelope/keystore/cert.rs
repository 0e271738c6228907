//! X.509 certificates: parsed with `x509-cert` 0.3 (built on the same `der`/`spki` 0.8),
//! checked to carry the entry's public key.

use der::{Decode, Encode};
use x509_cert::Certificate;
use zeroize::Zeroizing;

use super::error::{KeyStoreError, Origin};
use super::file::{self, der_error};

const WHAT: &str = "X.509 certificate";

/// Parses a certificate (PEM `CERTIFICATE` or DER) and checks that its SPKI is `key_spki`.
/// Returns the certificate DER.
pub(super) fn load(
    data: &[u8],
    origin: &Origin,
    key_spki: &[u8],
    key_path: &std::path::Path,
) -> Result<Vec<u8>, KeyStoreError> {
    let der = if file::is_pem(data) {
        file::decode_pem(data, origin, &["CERTIFICATE"], "CERTIFICATE")?.1
    } else {
        Zeroizing::new(data.to_vec())
    };
    let cert = Certificate::from_der(&der).map_err(|e| der_error(e, origin, WHAT, false))?;
    let spki = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| KeyStoreError::Malformed {
            origin: origin.clone(),
            what: WHAT,
            reason: e.to_string(),
        })?;
    if spki != key_spki {
        return Err(KeyStoreError::CertMismatch {
            cert: origin.clone(),
            key: key_path.to_path_buf(),
        });
    }
    Ok(der.to_vec())
}
