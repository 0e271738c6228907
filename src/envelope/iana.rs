//! Wire identifiers used by the profile, in one place.
//!
//! From the IANA "COSE Header Parameters", "COSE Algorithms", "COSE Key Common Parameters",
//! "COSE Elliptic Curves" and "CWT Claims" registries
//! <https://www.iana.org/assignments/cose/cose.xhtml>,
//! <https://www.iana.org/assignments/cwt/cwt.xhtml> as of 2026-11-25, plus two private-use
//! header labels (RFC 9052 §3: labels below -65536 are reserved for private use).

use crate::backend::{AeadId, KeyAgreementId, SignatureId};

/// CBOR tag of COSE_Encrypt0. ref: RFC 9052 §2
pub const TAG_ENCRYPT0: u64 = 16;
/// CBOR tag of COSE_Mac0.
pub const TAG_MAC0: u64 = 17;
/// CBOR tag of COSE_Sign1.
pub const TAG_SIGN1: u64 = 18;
/// CBOR tag of COSE_Encrypt.
pub const TAG_ENCRYPT: u64 = 96;

/// Header label `alg`. ref: RFC 9052 §3.1
pub const HDR_ALG: i64 = 1;
/// Header label `crit` (rejected by this profile).
pub const HDR_CRIT: i64 = 2;
/// Header label `kid`.
pub const HDR_KID: i64 = 4;
/// Header label `IV`.
pub const HDR_IV: i64 = 5;
/// Header label `CWT Claims`. ref: RFC 9597 §2
pub const HDR_CWT_CLAIMS: i64 = 15;
/// Header label `x5chain`. ref: RFC 9360 §2
pub const HDR_X5CHAIN: i64 = 33;
/// Header label `x5t`. ref: RFC 9360 §2
pub const HDR_X5T: i64 = 34;
/// Header label `ephemeral key` (ECDH-ES). ref: RFC 9053 §6.3.1
pub const HDR_EPHEMERAL_KEY: i64 = -1;
/// Private-use header label: the RPC method name (tstr). Authenticated (protected only).
pub const HDR_RPC_METHOD: i64 = -65537;
/// Private-use header label: the sender's public key as SubjectPublicKeyInfo DER (bstr),
/// for key learning. Authenticated (protected only).
pub const HDR_SENDER_SPKI: i64 = -65538;

/// CWT claim `iss`. ref: RFC 8392 §3.1
pub const CWT_ISS: i64 = 1;
/// CWT claim `aud`. ref: RFC 8392 §3.1
pub const CWT_AUD: i64 = 3;
/// CWT claim `iat`.
pub const CWT_IAT: i64 = 6;
/// CWT claim `cti`.
pub const CWT_CTI: i64 = 7;

/// Algorithm `HMAC 256/256`. ref: RFC 9053 §3.1
pub const ALG_HMAC_256_256: i64 = 5;
/// Algorithm `A128GCM`. ref: RFC 9053 §4.1
pub const ALG_A128GCM: i64 = 1;
/// Algorithm `A256GCM`.
pub const ALG_A256GCM: i64 = 3;
/// Algorithm `ChaCha20/Poly1305`. ref: RFC 9053 §4.3
pub const ALG_CHACHA20_POLY1305: i64 = 24;
/// Algorithm `EdDSA`. ref: RFC 9053 §2.2
pub const ALG_EDDSA: i64 = -8;
/// Algorithm `ES256`. ref: RFC 9053 §2.1
pub const ALG_ES256: i64 = -7;
/// Algorithm `PS256`. ref: RFC 8230 §2
pub const ALG_PS256: i64 = -37;
/// Algorithm `RSAES-OAEP w/ SHA-256`. ref: RFC 8230 §3
pub const ALG_RSAES_OAEP_SHA256: i64 = -41;
/// Algorithm `ECDH-ES + HKDF-256`. ref: RFC 9053 §6.3
pub const ALG_ECDH_ES_HKDF_256: i64 = -25;
/// Hash algorithm `SHA-256` (for x5t). ref: RFC 9054 §2
pub const ALG_SHA_256: i64 = -16;

/// COSE_Key label `kty`. ref: RFC 9052 §7.1
pub const KEY_KTY: i64 = 1;
/// COSE_Key label `crv` (EC2/OKP). ref: RFC 9053 §7
pub const KEY_CRV: i64 = -1;
/// COSE_Key label `x`.
pub const KEY_X: i64 = -2;
/// COSE_Key label `y`.
pub const KEY_Y: i64 = -3;
/// Key type OKP.
pub const KTY_OKP: i64 = 1;
/// Key type EC2.
pub const KTY_EC2: i64 = 2;
/// Curve P-256.
pub const CRV_P256: i64 = 1;
/// Curve X25519.
pub const CRV_X25519: i64 = 4;

/// COSE algorithm value of an AEAD.
pub const fn aead_alg(id: AeadId) -> i64 {
    match id {
        AeadId::Aes128Gcm => ALG_A128GCM,
        AeadId::Aes256Gcm => ALG_A256GCM,
        AeadId::ChaCha20Poly1305 => ALG_CHACHA20_POLY1305,
    }
}

/// The AEAD for a COSE algorithm value, if it is one the profile allows.
pub fn aead_from_alg(alg: i64) -> Option<AeadId> {
    AeadId::ALL.iter().copied().find(|&id| aead_alg(id) == alg)
}

/// COSE algorithm value of a signature scheme.
pub const fn signature_alg(id: SignatureId) -> i64 {
    match id {
        SignatureId::Ed25519 => ALG_EDDSA,
        SignatureId::EcdsaP256Sha256 => ALG_ES256,
        SignatureId::RsaPss2048Sha256 => ALG_PS256,
    }
}

/// The signature scheme for a COSE algorithm value, if the profile allows it.
pub fn signature_from_alg(alg: i64) -> Option<SignatureId> {
    SignatureId::ALL
        .iter()
        .copied()
        .find(|&id| signature_alg(id) == alg)
}

/// COSE curve value of a key-agreement scheme and its key type.
pub const fn agreement_curve(id: KeyAgreementId) -> (i64, i64) {
    match id {
        KeyAgreementId::X25519 => (KTY_OKP, CRV_X25519),
        KeyAgreementId::EcdhP256 => (KTY_EC2, CRV_P256),
    }
}
