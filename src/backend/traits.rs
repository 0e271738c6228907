//! The primitive traits every backend implements.
//!
//! They are small and object-safe. Key set-up (`new_key`, `signing_key`, ...) may allocate;
//! the per-message methods (`seal_in_place`, `sign`, `verify`, ...) must not, because they
//! are what the harness times. Outputs go into caller-provided buffers.

use super::algorithm::{
    AeadId, AeadParams, KdfId, KeyAgreementId, KeyTransportId, MacId, SignatureId,
};

/// Why a backend cannot do something: a fixed, human-readable reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported(pub &'static str);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// Errors from backend operations.
///
/// `Crypto` is deliberately opaque: which check failed (tag, padding, point validity) is
/// a side channel, so callers only learn that the operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A cryptographic check failed (bad tag, bad signature, bad ciphertext, bad point).
    #[error("cryptographic operation failed")]
    Crypto,
    /// The backend cannot perform this operation or these parameters.
    #[error("unsupported: {0}")]
    Unsupported(Unsupported),
    /// A key could not be parsed or has the wrong size or type.
    #[error("key rejected: {0}")]
    KeyRejected(&'static str),
    /// An argument has the wrong length (nonce, output buffer, ...).
    #[error("bad length: {0}")]
    BadLength(&'static str),
}

impl From<Unsupported> for Error {
    fn from(u: Unsupported) -> Self {
        Self::Unsupported(u)
    }
}

/// An AEAD algorithm as provided by one backend.
pub trait Aead: Send + Sync {
    /// Which algorithm this is.
    fn id(&self) -> AeadId;
    /// Whether this backend accepts these nonce/tag lengths (the default 12/16 always is).
    fn check_params(&self, params: AeadParams) -> Result<(), Unsupported>;
    /// Runs the key schedule once. `key` must be `id().key_len()` bytes.
    fn new_key(&self, key: &[u8], params: AeadParams) -> Result<Box<dyn AeadKey>, Error>;
}

/// An AEAD key with its schedule computed.
pub trait AeadKey: Send + Sync {
    /// Nonce and tag lengths this key was created for.
    fn params(&self) -> AeadParams;
    /// Encrypts `in_out[..len - tag_len]` in place and writes the tag into the last
    /// `tag_len` bytes of `in_out`. Does not allocate.
    fn seal_in_place(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8]) -> Result<(), Error>;
    /// `in_out` holds `ciphertext || tag`. On success the plaintext is in
    /// `in_out[..returned]`. On failure the whole buffer is zeroed, so unauthenticated
    /// plaintext never escapes. Does not allocate.
    fn open_in_place(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8]) -> Result<usize, Error>;
}

/// A MAC algorithm as provided by one backend.
pub trait Mac: Send + Sync {
    /// Which algorithm this is.
    fn id(&self) -> MacId;
    /// Prepares a key (any length ≥ 1 byte; HMAC hashes long keys).
    fn new_key(&self, key: &[u8]) -> Result<Box<dyn MacKey>, Error>;
}

/// The shortest MAC tag [`MacKey::verify`] accepts, in bytes (128 bits).
pub const MIN_MAC_TAG_LEN: usize = 16;

/// A MAC key.
pub trait MacKey: Send + Sync {
    /// Computes the full-length tag over the concatenation of `parts` into `out`
    /// (`out.len()` must equal the algorithm's tag length). Does not allocate.
    fn sign(&self, parts: &[&[u8]], out: &mut [u8]) -> Result<(), Error>;

    /// Checks `tag` (full length, or truncated to at least [`MIN_MAC_TAG_LEN`] bytes)
    /// against the concatenation of `parts`, in constant time.
    fn verify(&self, parts: &[&[u8]], tag: &[u8]) -> Result<(), Error> {
        let mut full = [0u8; 64];
        let full_len = self.tag_len();
        let full = full
            .get_mut(..full_len)
            .ok_or(Error::BadLength("MAC tag"))?;
        if tag.len() < MIN_MAC_TAG_LEN || tag.len() > full_len {
            return Err(Error::Crypto);
        }
        self.sign(parts, full)?;
        let expected = full.get(..tag.len()).ok_or(Error::Crypto)?;
        if bool::from(subtle::ConstantTimeEq::ct_eq(expected, tag)) {
            Ok(())
        } else {
            Err(Error::Crypto)
        }
    }

    /// Full tag length in bytes.
    fn tag_len(&self) -> usize;
}

/// A signature scheme as provided by one backend.
pub trait Signature: Send + Sync {
    /// Which scheme this is.
    fn id(&self) -> SignatureId;
    /// Generates a fresh key pair, returned as PKCS#8 DER.
    fn generate_pkcs8(&self) -> Result<Vec<u8>, Error>;
    /// Loads a private key from PKCS#8 DER (v1 or v2).
    fn signing_key(&self, pkcs8: &[u8]) -> Result<Box<dyn SigningKey>, Error>;
    /// Loads a public key from SubjectPublicKeyInfo DER.
    fn verifying_key(&self, spki: &[u8]) -> Result<Box<dyn VerifyingKey>, Error>;
}

/// A private signing key.
pub trait SigningKey: Send + Sync {
    /// Signs `msg`, writing the signature into `out` (at least
    /// `SignatureId::signature_len` bytes); returns the signature length.
    fn sign(&self, msg: &[u8], out: &mut [u8]) -> Result<usize, Error>;
    /// The matching public key as SubjectPublicKeyInfo DER.
    fn public_key_spki(&self) -> Result<Vec<u8>, Error>;
}

/// A public verification key.
pub trait VerifyingKey: Send + Sync {
    /// Verifies a signature in the scheme's COSE format (ECDSA: fixed `r || s`).
    fn verify(&self, msg: &[u8], signature: &[u8]) -> Result<(), Error>;
    /// Verifies an ECDSA signature in ASN.1 DER form (only meaningful for ECDSA).
    fn verify_der(&self, _msg: &[u8], _signature: &[u8]) -> Result<(), Error> {
        Err(Unsupported("DER signatures are only defined for ECDSA").into())
    }
}

/// A key-transport scheme (RSA-OAEP) as provided by one backend.
pub trait KeyTransport: Send + Sync {
    /// Which scheme this is.
    fn id(&self) -> KeyTransportId;
    /// Generates a fresh key pair, returned as PKCS#8 DER.
    fn generate_pkcs8(&self) -> Result<Vec<u8>, Error>;
    /// Loads a public key from SubjectPublicKeyInfo DER.
    fn encrypting_key(&self, spki: &[u8]) -> Result<Box<dyn EncryptingKey>, Error>;
    /// Loads a private key from PKCS#8 DER.
    fn decrypting_key(&self, pkcs8: &[u8]) -> Result<Box<dyn DecryptingKey>, Error>;
}

/// A public encryption key.
pub trait EncryptingKey: Send + Sync {
    /// Encrypts `msg` with OAEP `label` into `out` (at least the modulus length);
    /// returns the ciphertext length.
    fn encrypt(&self, msg: &[u8], label: &[u8], out: &mut [u8]) -> Result<usize, Error>;
}

/// A private decryption key.
pub trait DecryptingKey: Send + Sync {
    /// Decrypts `ciphertext` with OAEP `label` into `out` (at least the modulus length);
    /// returns the plaintext length.
    fn decrypt(&self, ciphertext: &[u8], label: &[u8], out: &mut [u8]) -> Result<usize, Error>;
    /// The matching public key as SubjectPublicKeyInfo DER.
    fn public_key_spki(&self) -> Result<Vec<u8>, Error>;
}

/// A key-agreement scheme as provided by one backend.
pub trait KeyAgreement: Send + Sync {
    /// Which scheme this is.
    fn id(&self) -> KeyAgreementId;
    /// Generates a fresh private key.
    fn generate(&self) -> Result<Box<dyn AgreementKey>, Error>;
    /// Imports a private scalar (32 raw bytes, big-endian for P-256). Backends that only
    /// have ephemeral keys (ring) return `Unsupported`.
    fn private_key(&self, scalar: &[u8]) -> Result<Box<dyn AgreementKey>, Error>;
}

/// A private key-agreement key.
pub trait AgreementKey: Send + Sync {
    /// The public key (X25519: 32 bytes; P-256: 65-byte uncompressed point) into `out`;
    /// returns its length.
    fn public_key(&self, out: &mut [u8]) -> Result<usize, Error>;
    /// Computes the shared secret with `peer_public` into `out` (32 bytes); returns its
    /// length. Invalid points and all-zero X25519 results are `Error::Crypto`.
    fn agree(&self, peer_public: &[u8], out: &mut [u8]) -> Result<usize, Error>;
}

/// A key-derivation function as provided by one backend.
pub trait Kdf: Send + Sync {
    /// Which KDF this is.
    fn id(&self) -> KdfId;
    /// HKDF extract-and-expand of `ikm` with `salt` and `info`, filling `out`.
    fn derive(&self, salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) -> Result<(), Error>;
}
