//! COSE wire identifiers in one place, and the registry of COSE algorithm ids ↔ backend
//! algorithms: every algorithm outside the profile has a reason, never an absence.
//!
//! From the IANA "COSE Header Parameters", "COSE Algorithms", "COSE Key Common Parameters",
//! "COSE Elliptic Curves" and "CWT Claims" registries
//! <https://www.iana.org/assignments/cose/cose.xhtml>,
//! <https://www.iana.org/assignments/cwt/cwt.xhtml> as of 2026-11-25. The envelope's two
//! private-use header labels are profile rules and live in `envelope::header`.

use crate::backend::{AeadId, KeyAgreementId, MacId, SignatureId};

/// CBOR tag of COSE_Encrypt0. ref: RFC 9052 §2
pub const TAG_ENCRYPT0: u64 = 16;
/// CBOR tag of COSE_Mac0.
pub const TAG_MAC0: u64 = 17;
/// CBOR tag of COSE_Sign1.
pub const TAG_SIGN1: u64 = 18;
/// CBOR tag of COSE_Encrypt.
pub const TAG_ENCRYPT: u64 = 96;
/// CBOR tag of COSE_Mac.
pub const TAG_MAC: u64 = 97;
/// CBOR tag of COSE_Sign.
pub const TAG_SIGN: u64 = 98;
/// CBOR tag of a CWT, which may wrap a COSE message. ref: RFC 8392 §6
pub const TAG_CWT: u64 = 61;

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
/// Header label `static key` (ECDH-SS).
pub const HDR_STATIC_KEY: i64 = -2;
/// Header label `static key id` (ECDH-SS).
pub const HDR_STATIC_KEY_ID: i64 = -3;
/// Header label `salt` (HKDF). ref: RFC 9053 §5.1
pub const HDR_SALT: i64 = -20;
/// Header labels of the COSE_KDF_Context party fields: PartyU identity, nonce, other,
/// then PartyV identity, nonce, other. ref: RFC 9053 §5.2
pub const HDR_PARTY: [i64; 6] = [-21, -22, -23, -24, -25, -26];

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
/// Algorithm `A192GCM`. ref: RFC 9053 §4.1
pub const ALG_A192GCM: i64 = 2;
/// Algorithm `HMAC 256/64` (truncated tag). ref: RFC 9053 §3.1
pub const ALG_HMAC_256_64: i64 = 4;
/// Algorithm `HMAC 384/384`.
pub const ALG_HMAC_384_384: i64 = 6;
/// Algorithm `HMAC 512/512`.
pub const ALG_HMAC_512_512: i64 = 7;
/// AES-CCM algorithms (`AES-CCM-16-64-128` .. `AES-CCM-64-64-256`, then
/// `AES-CCM-16-128-128` .. `AES-CCM-64-128-256`) and their key sizes in bits.
/// ref: RFC 9053 §4.2
pub const ALG_AES_CCM: [(i64, &str, u64); 8] = [
    (10, "AES-CCM-16-64-128", 128),
    (11, "AES-CCM-16-64-256", 256),
    (12, "AES-CCM-64-64-128", 128),
    (13, "AES-CCM-64-64-256", 256),
    (30, "AES-CCM-16-128-128", 128),
    (31, "AES-CCM-16-128-256", 256),
    (32, "AES-CCM-64-128-128", 128),
    (33, "AES-CCM-64-128-256", 256),
];
/// Algorithm `direct` (the recipient's key is the content key). ref: RFC 9053 §6.1
pub const ALG_DIRECT: i64 = -6;
/// Algorithm `ECDH-ES + HKDF-512`. ref: RFC 9053 §6.3
pub const ALG_ECDH_ES_HKDF_512: i64 = -26;
/// Algorithm `ECDH-SS + HKDF-256`.
pub const ALG_ECDH_SS_HKDF_256: i64 = -27;
/// Algorithm `ECDH-SS + HKDF-512`.
pub const ALG_ECDH_SS_HKDF_512: i64 = -28;
/// Algorithm `ES384`. ref: RFC 9053 §2.1
pub const ALG_ES384: i64 = -35;
/// Algorithm `ES512`.
pub const ALG_ES512: i64 = -36;
/// Algorithm `PS384`. ref: RFC 8230 §2
pub const ALG_PS384: i64 = -38;
/// Algorithm `PS512`.
pub const ALG_PS512: i64 = -39;
/// Algorithm `RSAES-OAEP w/ RFC 8017 default parameters` (SHA-1). ref: RFC 8230 §3
pub const ALG_RSAES_OAEP_RFC_8017: i64 = -40;
/// Algorithm `RSAES-OAEP w/ SHA-512`.
pub const ALG_RSAES_OAEP_SHA512: i64 = -42;

/// COSE_Key label `kty`. ref: RFC 9052 §7.1
pub const KEY_KTY: i64 = 1;
/// COSE_Key label `crv` (EC2/OKP). ref: RFC 9053 §7
pub const KEY_CRV: i64 = -1;
/// COSE_Key label `x`.
pub const KEY_X: i64 = -2;
/// COSE_Key label `y`.
pub const KEY_Y: i64 = -3;
/// COSE_Key label `kid`.
pub const KEY_KID: i64 = 2;
/// COSE_Key label `alg`.
pub const KEY_ALG: i64 = 3;
/// COSE_Key label `d` (private key, EC2/OKP).
pub const KEY_D: i64 = -4;
/// COSE_Key label `k` (Symmetric).
pub const KEY_K: i64 = -1;
/// Key type OKP.
pub const KTY_OKP: i64 = 1;
/// Key type EC2.
pub const KTY_EC2: i64 = 2;
/// Key type Symmetric.
pub const KTY_SYMMETRIC: i64 = 4;
/// Curve P-256.
pub const CRV_P256: i64 = 1;
/// Curve P-384.
pub const CRV_P384: i64 = 2;
/// Curve P-521.
pub const CRV_P521: i64 = 3;
/// Curve X25519.
pub const CRV_X25519: i64 = 4;
/// Curve X448.
pub const CRV_X448: i64 = 5;
/// Curve Ed25519.
pub const CRV_ED25519: i64 = 6;
/// Curve Ed448.
pub const CRV_ED448: i64 = 7;

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

/// The registered name of an algorithm, if the registry entry is one sealbench knows.
pub fn alg_name(alg: i64) -> Option<&'static str> {
    if let Some((_, name, _)) = ALG_AES_CCM.iter().find(|(a, _, _)| *a == alg) {
        return Some(name);
    }
    Some(match alg {
        ALG_A128GCM => "A128GCM",
        ALG_A192GCM => "A192GCM",
        ALG_A256GCM => "A256GCM",
        ALG_CHACHA20_POLY1305 => "ChaCha20/Poly1305",
        ALG_HMAC_256_64 => "HMAC 256/64",
        ALG_HMAC_256_256 => "HMAC 256/256",
        ALG_HMAC_384_384 => "HMAC 384/384",
        ALG_HMAC_512_512 => "HMAC 512/512",
        ALG_DIRECT => "direct",
        ALG_ECDH_ES_HKDF_256 => "ECDH-ES + HKDF-256",
        ALG_ECDH_ES_HKDF_512 => "ECDH-ES + HKDF-512",
        ALG_ECDH_SS_HKDF_256 => "ECDH-SS + HKDF-256",
        ALG_ECDH_SS_HKDF_512 => "ECDH-SS + HKDF-512",
        ALG_ES256 => "ES256",
        ALG_ES384 => "ES384",
        ALG_ES512 => "ES512",
        ALG_EDDSA => "EdDSA",
        ALG_PS256 => "PS256",
        ALG_PS384 => "PS384",
        ALG_PS512 => "PS512",
        ALG_RSAES_OAEP_RFC_8017 => "RSAES-OAEP w/ RFC 8017 default parameters",
        ALG_RSAES_OAEP_SHA256 => "RSAES-OAEP w/ SHA-256",
        ALG_RSAES_OAEP_SHA512 => "RSAES-OAEP w/ SHA-512",
        ALG_SHA_256 => "SHA-256",
        _ => return None,
    })
}

/// The name of an algorithm for records and messages (`alg N` when unknown).
pub fn alg_label(alg: i64) -> String {
    alg_name(alg).map_or_else(|| format!("alg {alg}"), str::to_string)
}

/// Key length in bits of a content algorithm (the COSE_KDF_Context `keyDataLength`).
// ref: RFC 9053 §3.1 (HMAC), §4.1 (AES-GCM), §4.2 (AES-CCM), §4.3 (ChaCha20/Poly1305)
pub fn content_key_bits(alg: i64) -> Option<u64> {
    if let Some((_, _, bits)) = ALG_AES_CCM.iter().find(|(a, _, _)| *a == alg) {
        return Some(*bits);
    }
    Some(match alg {
        ALG_A128GCM => 128,
        ALG_A192GCM => 192,
        ALG_A256GCM | ALG_CHACHA20_POLY1305 | ALG_HMAC_256_64 | ALG_HMAC_256_256 => 256,
        ALG_HMAC_384_384 => 384,
        ALG_HMAC_512_512 => 512,
        _ => return None,
    })
}

/// The backend AEAD for a content-encryption algorithm, or why the profile has none.
pub fn aead(alg: i64) -> Result<AeadId, String> {
    if let Some(id) = aead_from_alg(alg) {
        return Ok(id);
    }
    Err(match alg {
        ALG_A192GCM => "A192GCM: 192-bit AES keys are not in the profile".to_string(),
        a if ALG_AES_CCM.iter().any(|(c, _, _)| *c == a) => {
            format!("{}: AES-CCM is not in the profile", alg_label(a))
        }
        other => format!(
            "{}: not a content-encryption algorithm of the profile",
            alg_label(other)
        ),
    })
}

/// The backend MAC for a MAC algorithm, or why the profile has none.
pub fn mac(alg: i64) -> Result<MacId, String> {
    match alg {
        ALG_HMAC_256_256 => Ok(MacId::HmacSha256),
        ALG_HMAC_256_64 => Err(
            "HMAC 256/64: 64-bit truncated tags are below the profile's 128-bit minimum"
                .to_string(),
        ),
        ALG_HMAC_384_384 => Err("HMAC 384/384: HMAC-SHA-384 is not in the profile".to_string()),
        ALG_HMAC_512_512 => Err("HMAC 512/512: HMAC-SHA-512 is not in the profile".to_string()),
        other => Err(format!(
            "{}: not a MAC algorithm of the profile",
            alg_label(other)
        )),
    }
}

/// Key length in bytes of a profile MAC (what a key-agreement recipient derives).
// ref: RFC 9053 §3.1 (HMAC 256/256 uses a 256-bit key)
pub const fn mac_key_len(id: MacId) -> usize {
    match id {
        MacId::HmacSha256 => 32,
    }
}

/// The backend signature scheme for a signature algorithm, or why the profile has none
/// (the key's curve and size are checked by whoever holds the key).
pub fn signature(alg: i64) -> Result<SignatureId, String> {
    if let Some(id) = signature_from_alg(alg) {
        return Ok(id);
    }
    Err(match alg {
        ALG_ES384 | ALG_ES512 => format!(
            "{}: ECDSA with SHA-384/512 is not in the profile (ES256 only)",
            alg_label(alg)
        ),
        ALG_PS384 | ALG_PS512 => format!(
            "{}: RSASSA-PSS with SHA-384/512 is not in the profile (PS256 only)",
            alg_label(alg)
        ),
        other => format!(
            "{}: not a signature algorithm of the profile",
            alg_label(other)
        ),
    })
}

/// How a recipient conveys the content key (RFC 9052 §8.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyManagement {
    /// `direct`: the recipient's shared key is the content key.
    Direct,
    /// ECDH + HKDF-256 direct key agreement; `static_sender` for ECDH-SS.
    EcdhHkdf256 {
        /// ECDH-SS (the sender's static key) rather than ECDH-ES (an ephemeral key).
        static_sender: bool,
    },
    /// RSAES-OAEP w/ SHA-256 key transport.
    RsaOaep256,
}

/// Whether `alg` is an ECDH key-agreement algorithm (its recipients have a KDF context).
pub const fn is_ecdh(alg: i64) -> bool {
    matches!(
        alg,
        ALG_ECDH_ES_HKDF_256 | ALG_ECDH_ES_HKDF_512 | ALG_ECDH_SS_HKDF_256 | ALG_ECDH_SS_HKDF_512
    )
}

/// The key management of a recipient algorithm, or why the profile has none.
pub fn key_management(alg: i64) -> Result<KeyManagement, String> {
    let name = alg_label(alg);
    match alg {
        ALG_DIRECT => Ok(KeyManagement::Direct),
        ALG_ECDH_ES_HKDF_256 => Ok(KeyManagement::EcdhHkdf256 {
            static_sender: false,
        }),
        ALG_ECDH_SS_HKDF_256 => Ok(KeyManagement::EcdhHkdf256 {
            static_sender: true,
        }),
        ALG_RSAES_OAEP_SHA256 => Ok(KeyManagement::RsaOaep256),
        ALG_ECDH_ES_HKDF_512 | ALG_ECDH_SS_HKDF_512 => Err(format!(
            "{name}: HKDF with SHA-512 is not in the profile (HKDF-256 only)"
        )),
        ALG_RSAES_OAEP_RFC_8017 => Err(format!(
            "{name} (-40): OAEP with SHA-1 is out of profile (SHA-256 only)"
        )),
        ALG_RSAES_OAEP_SHA512 => Err(format!(
            "{name}: OAEP with SHA-512 is not in the profile (SHA-256 only)"
        )),
        _ => Err(format!("{name}: recipient algorithm not in the profile")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coset::iana::{Algorithm as A, EnumI64};

    #[test]
    fn registry_values_are_coset_s() {
        for (ours, theirs) in [
            (ALG_A192GCM, A::A192GCM),
            (ALG_HMAC_256_64, A::HMAC_256_64),
            (ALG_DIRECT, A::Direct),
            (ALG_ECDH_SS_HKDF_256, A::ECDH_SS_HKDF_256),
            (ALG_ECDH_SS_HKDF_512, A::ECDH_SS_HKDF_512),
            (ALG_PS512, A::PS512),
            (ALG_RSAES_OAEP_RFC_8017, A::RSAES_OAEP_RFC_8017_default),
            (ALG_RSAES_OAEP_SHA512, A::RSAES_OAEP_SHA_512),
            (10, A::AES_CCM_16_64_128),
            (33, A::AES_CCM_64_128_256),
        ] {
            assert_eq!(ours, theirs.to_i64(), "{}", alg_label(ours));
        }
    }

    #[test]
    fn out_of_profile_algorithms_have_reasons() {
        assert!(mac(ALG_HMAC_256_64).unwrap_err().contains("truncated"));
        assert!(aead(ALG_A192GCM).is_err());
        assert!(aead(12).unwrap_err().contains("AES-CCM"));
        assert_eq!(aead(ALG_A256GCM), Ok(AeadId::Aes256Gcm));
        assert_eq!(content_key_bits(ALG_HMAC_512_512), Some(512));
        assert!(signature(ALG_ES384).unwrap_err().contains("ES256 only"));
        assert!(
            key_management(ALG_RSAES_OAEP_RFC_8017)
                .unwrap_err()
                .contains("SHA-1")
        );
        assert_eq!(alg_label(-65537), "alg -65537");
    }
}
