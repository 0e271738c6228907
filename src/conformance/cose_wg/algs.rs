//! The algorithm names the example files use, mapped to registered values, and names for
//! the algorithm headers coset decodes. Which algorithms are in the profile, their key
//! sizes and the reasons for the rest are the COSE core's registry (`cose::iana`).

use coset::iana::{self, EnumI64};

/// The registered name of an algorithm, for records and messages (the core registry's).
pub(super) fn name(alg: iana::Algorithm) -> String {
    crate::cose::iana::alg_label(alg.to_i64())
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

/// The wire value of an algorithm header (`None` for text or private-use labels).
pub(super) fn assigned(alg: &coset::Algorithm) -> Option<i64> {
    match alg {
        coset::RegisteredLabelWithPrivate::Assigned(a) => Some(a.to_i64()),
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
}
