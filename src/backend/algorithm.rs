//! Algorithm identifiers: one enum per primitive family, each with an `ALL` slice.
//!
//! Benchmarks, conformance runners and reports iterate these slices; no list of
//! algorithms is written anywhere else. Every backend maps every identifier to either an
//! implementation or an explicit [`Unsupported`](super::Unsupported) reason through an
//! exhaustive `match`, so adding a variant here breaks the build until each backend says
//! what it does with it.

use serde::Serialize;

/// Authenticated encryption algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum AeadId {
    /// AES-128 in Galois/Counter Mode.
    Aes128Gcm,
    /// AES-256 in Galois/Counter Mode.
    Aes256Gcm,
    /// ChaCha20-Poly1305 (RFC 8439).
    ChaCha20Poly1305,
}

impl AeadId {
    /// Every AEAD, in report order.
    pub const ALL: &'static [AeadId] = &[Self::Aes128Gcm, Self::Aes256Gcm, Self::ChaCha20Poly1305];

    /// Short label used in scenario ids and tables.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Aes128Gcm => "aes128gcm",
            Self::Aes256Gcm => "aes256gcm",
            Self::ChaCha20Poly1305 => "chacha20poly1305",
        }
    }

    /// Key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            Self::Aes128Gcm => 16,
            Self::Aes256Gcm | Self::ChaCha20Poly1305 => 32,
        }
    }

    /// The default (and, for most backends, only) parameters: 96-bit nonce, 128-bit tag.
    pub const fn default_params(self) -> AeadParams {
        AeadParams {
            nonce_len: 12,
            tag_len: 16,
        }
    }

    /// Whether this is an AES-GCM variant (NIST CAVP applies).
    pub const fn is_aes_gcm(self) -> bool {
        matches!(self, Self::Aes128Gcm | Self::Aes256Gcm)
    }
}

/// Nonce and tag length of an AEAD key, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct AeadParams {
    /// Nonce (IV) length in bytes.
    pub nonce_len: usize,
    /// Authentication tag length in bytes.
    pub tag_len: usize,
}

/// Message authentication codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum MacId {
    /// HMAC with SHA-256 (RFC 2104), 256-bit tag.
    HmacSha256,
}

impl MacId {
    /// Every MAC.
    pub const ALL: &'static [MacId] = &[Self::HmacSha256];

    /// Short label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::HmacSha256 => "hmacsha256",
        }
    }

    /// Full tag length in bytes.
    pub const fn tag_len(self) -> usize {
        match self {
            Self::HmacSha256 => 32,
        }
    }
}

/// Signature schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum SignatureId {
    /// Ed25519 (RFC 8032, pure).
    Ed25519,
    /// ECDSA over P-256 with SHA-256; signatures are fixed-size `r || s` (64 bytes), as COSE uses.
    EcdsaP256Sha256,
    /// RSASSA-PSS, 2048-bit modulus, SHA-256, MGF1-SHA-256, 32-byte salt.
    RsaPss2048Sha256,
}

impl SignatureId {
    /// Every signature scheme.
    pub const ALL: &'static [SignatureId] =
        &[Self::Ed25519, Self::EcdsaP256Sha256, Self::RsaPss2048Sha256];

    /// Short label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Ed25519 => "ed25519",
            Self::EcdsaP256Sha256 => "ecdsap256",
            Self::RsaPss2048Sha256 => "rsapss2048",
        }
    }

    /// Signature length in bytes.
    pub const fn signature_len(self) -> usize {
        match self {
            Self::Ed25519 | Self::EcdsaP256Sha256 => 64,
            Self::RsaPss2048Sha256 => 256,
        }
    }
}

/// Key transport (public-key encryption of a content key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum KeyTransportId {
    /// RSAES-OAEP, 2048-bit modulus, SHA-256 and MGF1-SHA-256.
    RsaOaep2048Sha256,
}

impl KeyTransportId {
    /// Every key transport.
    pub const ALL: &'static [KeyTransportId] = &[Self::RsaOaep2048Sha256];

    /// Short label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::RsaOaep2048Sha256 => "rsaoaep2048",
        }
    }

    /// Ciphertext length in bytes.
    pub const fn ciphertext_len(self) -> usize {
        match self {
            Self::RsaOaep2048Sha256 => 256,
        }
    }
}

/// Key agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum KeyAgreementId {
    /// X25519 (RFC 7748). Public keys and private scalars are 32 raw bytes.
    X25519,
    /// ECDH over P-256. Public keys are uncompressed SEC1 points (65 bytes), private
    /// scalars 32 big-endian bytes, the shared secret is the 32-byte x-coordinate.
    EcdhP256,
}

impl KeyAgreementId {
    /// Every key agreement.
    pub const ALL: &'static [KeyAgreementId] = &[Self::X25519, Self::EcdhP256];

    /// Short label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::X25519 => "x25519",
            Self::EcdhP256 => "ecdhp256",
        }
    }

    /// Public key length in bytes.
    pub const fn public_len(self) -> usize {
        match self {
            Self::X25519 => 32,
            Self::EcdhP256 => 65,
        }
    }

    /// Shared secret length in bytes.
    pub const fn shared_secret_len(self) -> usize {
        32
    }
}

/// Key derivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum KdfId {
    /// HKDF with SHA-256 (RFC 5869).
    HkdfSha256,
}

impl KdfId {
    /// Every KDF.
    pub const ALL: &'static [KdfId] = &[Self::HkdfSha256];

    /// Short label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::HkdfSha256 => "hkdfsha256",
        }
    }
}

/// Any algorithm of any family, for capability tables and conformance records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum AlgorithmId {
    /// An AEAD.
    Aead(AeadId),
    /// A MAC.
    Mac(MacId),
    /// A signature scheme.
    Signature(SignatureId),
    /// A key transport.
    KeyTransport(KeyTransportId),
    /// A key agreement.
    KeyAgreement(KeyAgreementId),
    /// A KDF.
    Kdf(KdfId),
}

impl AlgorithmId {
    /// Every algorithm of every family, in report order.
    pub fn all() -> impl Iterator<Item = AlgorithmId> {
        let aeads = AeadId::ALL.iter().copied().map(Self::Aead);
        let macs = MacId::ALL.iter().copied().map(Self::Mac);
        let sigs = SignatureId::ALL.iter().copied().map(Self::Signature);
        let kts = KeyTransportId::ALL.iter().copied().map(Self::KeyTransport);
        let kas = KeyAgreementId::ALL.iter().copied().map(Self::KeyAgreement);
        let kdfs = KdfId::ALL.iter().copied().map(Self::Kdf);
        aeads
            .chain(macs)
            .chain(sigs)
            .chain(kts)
            .chain(kas)
            .chain(kdfs)
    }

    /// Short label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Aead(a) => a.label(),
            Self::Mac(a) => a.label(),
            Self::Signature(a) => a.label(),
            Self::KeyTransport(a) => a.label(),
            Self::KeyAgreement(a) => a.label(),
            Self::Kdf(a) => a.label(),
        }
    }

    /// Family name.
    pub const fn family(self) -> &'static str {
        match self {
            Self::Aead(_) => "aead",
            Self::Mac(_) => "mac",
            Self::Signature(_) => "signature",
            Self::KeyTransport(_) => "key-transport",
            Self::KeyAgreement(_) => "key-agreement",
            Self::Kdf(_) => "kdf",
        }
    }
}

impl std::fmt::Display for AlgorithmId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}
