//! X.509 certificate references in headers (RFC 9360): the `x5t` thumbprint.
//!
//! ```cddl
//! COSE_CertHash = [ hashAlg: int / tstr, hashValue: bstr ]   ; the profile: [-16, SHA-256]
//! ```

use sha2::{Digest, Sha256};

/// The RFC 9360 `x5t` hash value of a certificate: SHA-256 over its DER.
pub fn cert_thumbprint(cert_der: &[u8]) -> [u8; 32] {
    Sha256::digest(cert_der).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprint_is_sha256_of_the_der() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            hex::encode(cert_thumbprint(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
