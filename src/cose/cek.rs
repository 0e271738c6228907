//! Content-key recovery through a backend (RFC 9052 §8.5, RFC 9053 §6, RFC 8230 §3): the
//! receiver's side of `direct`, ECDH + HKDF-256 direct key agreement and RSAES-OAEP w/
//! SHA-256 key transport. The primitives are the backend's; the COSE_KDF_Context is
//! [`super::kdf`]'s.

use zeroize::Zeroizing;

use super::kdf::derive_key;
use crate::backend::{Backend, Error, KdfId, KeyAgreementId, KeyTransportId};

/// The ECDH shared secret of the receiver's private scalar and the sender's raw public
/// key (X25519 32 bytes, P-256 uncompressed), through `backend`.
pub fn ecdh_secret(
    backend: &Backend,
    id: KeyAgreementId,
    private_scalar: &[u8],
    peer_public: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let private = (backend.key_agreement)(id)?.private_key(private_scalar)?;
    let mut secret = Zeroizing::new(vec![0u8; id.shared_secret_len()]);
    let n = private.agree(peer_public, &mut secret)?;
    secret.truncate(n);
    Ok(secret)
}

/// ECDH + HKDF-256 direct: the `key_len`-byte content key from the shared secret, the
/// salt (empty for none) and the serialized COSE_KDF_Context, through `backend`'s HKDF.
pub fn ecdh_direct_key(
    backend: &Backend,
    secret: &[u8],
    salt: &[u8],
    context: &[u8],
    key_len: usize,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let kdf = (backend.kdf)(KdfId::HkdfSha256)?;
    let mut cek = Zeroizing::new(vec![0u8; key_len]);
    derive_key(kdf, salt, secret, context, &mut cek)?;
    Ok(cek)
}

/// RSAES-OAEP w/ SHA-256 (2048-bit): the content key a recipient's ciphertext wraps,
/// with the recipient's PKCS#8 private key (the OAEP label is empty, RFC 8230 §3).
pub fn oaep_unwrap(
    backend: &Backend,
    pkcs8: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let id = KeyTransportId::RsaOaep2048Sha256;
    let key = (backend.key_transport)(id)?.decrypting_key(pkcs8)?;
    let mut out = Zeroizing::new(vec![0u8; id.ciphertext_len()]);
    let n = key.decrypt(ciphertext, b"", &mut out)?;
    out.truncate(n);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::ALL_BACKENDS;

    #[test]
    fn x25519_secret_and_key_through_the_core_match_rfc7748() {
        // ref: RFC 7748 §6.1 (Alice's private key, Bob's public key, their shared secret)
        let alice = hex::decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
            .unwrap();
        let bob = hex::decode("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
            .unwrap();
        let shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        let mut ran = 0;
        for b in ALL_BACKENDS {
            let secret = match ecdh_secret(b, KeyAgreementId::X25519, &alice, &bob) {
                Err(Error::Unsupported(_)) => continue,
                r => r.unwrap(),
            };
            assert_eq!(hex::encode(&secret), shared, "{}", b.name);
            let k1 = ecdh_direct_key(b, &secret, b"", b"ctx", 16).unwrap();
            assert_eq!(k1.len(), 16);
            ran += 1;
        }
        assert!(ran > 0);
    }
}
