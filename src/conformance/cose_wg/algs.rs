//! COSE algorithm identifiers seen in the examples: their names, the names the example
//! files use, content key sizes, and which of them are in our profile.
//!
//! Wire values come from coset's IANA registry module (`coset::iana::Algorithm`, from
//! <https://www.iana.org/assignments/cose/cose.xhtml#algorithms>). Everything outside the
//! profile maps to an explicit "unsupported" reason; nothing is silently skipped.

use coset::iana::{self, EnumI64};

use crate::backend::{AeadId, MacId};

/// The registered name of an algorithm, for records and messages.
pub(super) fn name(alg: iana::Algorithm) -> String {
    use iana::Algorithm as A;
    let s = match alg {
        A::A128GCM => "A128GCM",
        A::A192GCM => "A192GCM",
        A::A256GCM => "A256GCM",
        A::ChaCha20Poly1305 => "ChaCha20/Poly1305",
        A::AES_CCM_16_64_128 => "AES-CCM-16-64-128",
        A::HMAC_256_64 => "HMAC 256/64",
        A::HMAC_256_256 => "HMAC 256/256",
        A::HMAC_384_384 => "HMAC 384/384",
        A::HMAC_512_512 => "HMAC 512/512",
        A::Direct => "direct",
        A::ECDH_ES_HKDF_256 => "ECDH-ES + HKDF-256",
        A::ECDH_ES_HKDF_512 => "ECDH-ES + HKDF-512",
        A::ECDH_SS_HKDF_256 => "ECDH-SS + HKDF-256",
        A::ECDH_SS_HKDF_512 => "ECDH-SS + HKDF-512",
        A::ES256 => "ES256",
        A::ES384 => "ES384",
        A::ES512 => "ES512",
        A::EdDSA => "EdDSA",
        A::PS256 => "PS256",
        A::PS384 => "PS384",
        A::PS512 => "PS512",
        A::RSAES_OAEP_RFC_8017_default => "RSAES-OAEP w/ RFC 8017 default parameters",
        A::RSAES_OAEP_SHA_256 => "RSAES-OAEP w/ SHA-256",
        A::RSAES_OAEP_SHA_512 => "RSAES-OAEP w/ SHA-512",
        other => return format!("alg {}", other.to_i64()),
    };
    s.to_string()
}

/// The algorithm an example file's `alg` string names (the spelling of the
/// cose-wg/Examples generator, not always the IANA name).
pub(super) fn from_file_name(name: &str) -> Option<iana::Algorithm> {
    use iana::Algorithm as A;
    Some(match name {
        "A128GCM" => A::A128GCM,
        "A192GCM" => A::A192GCM,
        "A256GCM" => A::A256GCM,
        "ChaCha-Poly1305" => A::ChaCha20Poly1305,
        // 16-bit length field, 128-bit key, 64-bit tag.
        "AES-CCM-16-128/64" => A::AES_CCM_16_64_128,
        "HS256/64" => A::HMAC_256_64,
        "HS256" => A::HMAC_256_256,
        "HS384" => A::HMAC_384_384,
        "HS512" => A::HMAC_512_512,
        "direct" => A::Direct,
        "ECDH-ES" => A::ECDH_ES_HKDF_256,
        "ECDH-ES-512" => A::ECDH_ES_HKDF_512,
        "ECDH-SS" => A::ECDH_SS_HKDF_256,
        "ECDH-SS-512" => A::ECDH_SS_HKDF_512,
        "ES256" => A::ES256,
        "ES384" => A::ES384,
        "ES512" => A::ES512,
        "EdDSA" => A::EdDSA,
        "RSA-PSS-256" => A::PS256,
        "RSA-PSS-384" => A::PS384,
        "RSA-PSS-512" => A::PS512,
        "RSA-OAEP" => A::RSAES_OAEP_RFC_8017_default,
        "RSA-OAEP-256" => A::RSAES_OAEP_SHA_256,
        "RSA-OAEP-512" => A::RSAES_OAEP_SHA_512,
        _ => return None,
    })
}

/// Key length in bits of a content algorithm (the COSE_KDF_Context `keyDataLength`).
// ref: RFC 9053 §3.1 (HMAC), §4.1 (AES-GCM), §4.2 (AES-CCM), §4.3 (ChaCha20/Poly1305)
pub(super) fn content_key_bits(alg: iana::Algorithm) -> Option<u64> {
    use iana::Algorithm as A;
    Some(match alg {
        A::A128GCM
        | A::AES_CCM_16_64_128
        | A::AES_CCM_64_64_128
        | A::AES_CCM_16_128_128
        | A::AES_CCM_64_128_128 => 128,
        A::A192GCM => 192,
        A::A256GCM
        | A::ChaCha20Poly1305
        | A::AES_CCM_16_64_256
        | A::AES_CCM_64_64_256
        | A::AES_CCM_16_128_256
        | A::AES_CCM_64_128_256
        | A::HMAC_256_64
        | A::HMAC_256_256 => 256,
        A::HMAC_384_384 => 384,
        A::HMAC_512_512 => 512,
        _ => return None,
    })
}

/// The profile's AEAD for a content-encryption algorithm, or why it has none.
pub(super) fn aead(alg: iana::Algorithm) -> Result<AeadId, String> {
    use iana::Algorithm as A;
    match alg {
        A::A128GCM => Ok(AeadId::Aes128Gcm),
        A::A256GCM => Ok(AeadId::Aes256Gcm),
        A::ChaCha20Poly1305 => Ok(AeadId::ChaCha20Poly1305),
        A::A192GCM => Err("A192GCM: 192-bit AES keys are not in the profile".to_string()),
        A::AES_CCM_16_64_128
        | A::AES_CCM_16_64_256
        | A::AES_CCM_64_64_128
        | A::AES_CCM_64_64_256
        | A::AES_CCM_16_128_128
        | A::AES_CCM_16_128_256
        | A::AES_CCM_64_128_128
        | A::AES_CCM_64_128_256 => Err(format!("{}: AES-CCM is not in the profile", name(alg))),
        other => Err(format!(
            "{}: not a content-encryption algorithm of the profile",
            name(other)
        )),
    }
}

/// The profile's MAC for a MAC algorithm, or why it has none.
pub(super) fn mac(alg: iana::Algorithm) -> Result<MacId, String> {
    use iana::Algorithm as A;
    match alg {
        A::HMAC_256_256 => Ok(MacId::HmacSha256),
        A::HMAC_256_64 => Err(
            "HMAC 256/64: 64-bit truncated tags are below the profile's 128-bit minimum"
                .to_string(),
        ),
        A::HMAC_384_384 => Err("HMAC 384/384: HMAC-SHA-384 is not in the profile".to_string()),
        A::HMAC_512_512 => Err("HMAC 512/512: HMAC-SHA-512 is not in the profile".to_string()),
        other => Err(format!(
            "{}: not a MAC algorithm of the profile",
            name(other)
        )),
    }
}

/// Key length in bytes of a profile MAC (what a key-agreement recipient derives).
// ref: RFC 9053 §3.1 (HMAC 256/256 uses a 256-bit key)
pub(super) const fn mac_key_len(id: MacId) -> usize {
    match id {
        MacId::HmacSha256 => 32,
    }
}

/// The wire value of an algorithm header (`None` for text or private-use labels).
pub(super) fn assigned(alg: &coset::Algorithm) -> Option<iana::Algorithm> {
    match alg {
        coset::RegisteredLabelWithPrivate::Assigned(a) => Some(*a),
        _ => None,
    }
}

/// A name for any algorithm header value.
pub(super) fn label_name(alg: &coset::Algorithm) -> String {
    match alg {
        coset::RegisteredLabelWithPrivate::Assigned(a) => name(*a),
        coset::RegisteredLabelWithPrivate::PrivateUse(i) => format!("private-use alg {i}"),
        coset::RegisteredLabelWithPrivate::Text(t) => format!("alg {t:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_map_to_the_registered_values() {
        assert_eq!(from_file_name("ECDH-SS").map(|a| a.to_i64()), Some(-27));
        assert_eq!(from_file_name("HS256/64").map(|a| a.to_i64()), Some(4));
        assert_eq!(
            from_file_name("RSA-OAEP-256").map(|a| a.to_i64()),
            Some(-41)
        );
        assert_eq!(
            from_file_name("ChaCha-Poly1305").map(|a| a.to_i64()),
            Some(24)
        );
        assert_eq!(from_file_name("ECDH-SS-256"), None);
    }

    #[test]
    fn out_of_profile_algorithms_have_reasons() {
        assert!(
            mac(iana::Algorithm::HMAC_256_64)
                .unwrap_err()
                .contains("truncated")
        );
        assert!(aead(iana::Algorithm::A192GCM).is_err());
        assert_eq!(aead(iana::Algorithm::A256GCM), Ok(AeadId::Aes256Gcm));
        assert_eq!(content_key_bits(iana::Algorithm::HMAC_512_512), Some(512));
    }
}
