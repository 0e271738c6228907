//! Keys for the matrix, generated once per process and only when a scenario needs them
//! (RSA key generation takes a large fraction of a second).
//!
//! Every kid is 8 bytes, the length of the default SPKI-fingerprint kid, so the
//! bytes-on-the-wire table shows a realistic `kid`. The OAEP recipients of one message
//! share a single RSA-2048 key pair under distinct kids: seal and open costs and bytes are
//! those of distinct keys (every recipient gets its own key object and ciphertext), only
//! the key generation is saved.

use std::sync::OnceLock;

use crate::backend::{AeadId, KeyAgreementId, SignatureId};
use crate::envelope::fixtures::generate;
use crate::envelope::{EnvelopeError, KeyAlg, KeyEntry};

/// Role of every sender in the matrix.
pub const SENDER_ROLE: &str = "scheduler";
/// RPC method every envelope carries.
pub const METHOD: &str = "report_state";

fn cached(
    cell: &'static OnceLock<Result<KeyEntry, EnvelopeError>>,
    alg: KeyAlg,
    kid: &[u8],
) -> Result<KeyEntry, EnvelopeError> {
    cell.get_or_init(|| generate(alg, kid, SENDER_ROLE)).clone()
}

/// The key for `alg`, generated on first use.
pub fn key(alg: KeyAlg) -> Result<KeyEntry, EnvelopeError> {
    type Cell = OnceLock<Result<KeyEntry, EnvelopeError>>;
    static HMAC: Cell = OnceLock::new();
    static A128: Cell = OnceLock::new();
    static A256: Cell = OnceLock::new();
    static C20P: Cell = OnceLock::new();
    static ED: Cell = OnceLock::new();
    static ES: Cell = OnceLock::new();
    static PS: Cell = OnceLock::new();
    static OAEP: Cell = OnceLock::new();
    static P256: Cell = OnceLock::new();
    static X25519: Cell = OnceLock::new();
    let (cell, kid): (&'static Cell, &[u8]) = match alg {
        KeyAlg::Hmac256 => (&HMAC, b"snd-mac0"),
        KeyAlg::Aead(AeadId::Aes128Gcm) => (&A128, b"snd-a128"),
        KeyAlg::Aead(AeadId::Aes256Gcm) => (&A256, b"snd-a256"),
        KeyAlg::Aead(AeadId::ChaCha20Poly1305) => (&C20P, b"snd-c20p"),
        KeyAlg::Sign(SignatureId::Ed25519) => (&ED, b"snd-ed25"),
        KeyAlg::Sign(SignatureId::EcdsaP256Sha256) => (&ES, b"snd-es25"),
        KeyAlg::Sign(SignatureId::RsaPss2048Sha256) => (&PS, b"snd-ps25"),
        KeyAlg::RsaOaep256 => (&OAEP, b"rcp-0000"),
        KeyAlg::EcdhEs(KeyAgreementId::EcdhP256) => (&P256, b"rcp-p256"),
        KeyAlg::EcdhEs(KeyAgreementId::X25519) => (&X25519, b"rcp-x255"),
    };
    cached(cell, alg, kid)
}

/// `n` RSA-OAEP recipients (`rcp-0000` …), sharing one key pair under distinct kids.
pub fn oaep_recipients(n: u32) -> Result<Vec<KeyEntry>, EnvelopeError> {
    let base = key(KeyAlg::RsaOaep256)?;
    Ok((0..n)
        .map(|i| KeyEntry {
            kid: format!("rcp-{i:04}").into_bytes(),
            ..base.clone()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kids_are_eight_bytes_and_keys_are_cached() {
        let a = key(KeyAlg::Aead(AeadId::Aes128Gcm)).unwrap();
        let b = key(KeyAlg::Aead(AeadId::Aes128Gcm)).unwrap();
        assert_eq!(a.kid.len(), 8);
        assert_eq!(a.material.spki(), b.material.spki());
        assert_eq!(a.kid, b.kid);
    }
}
