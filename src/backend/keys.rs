//! Public-key encodings shared by all backends.
//!
//! The trait boundary speaks SubjectPublicKeyInfo (SPKI) DER for public keys and PKCS#8 DER
//! for private keys, because every library reads those. Some libraries (ring) and some
//! formats (COSE keys, Wycheproof raw keys) use the bare key instead; these helpers convert
//! with the `spki`/`der` crates.

use der::asn1::{BitString, ObjectIdentifier, UintRef};
use der::{Decode, Encode};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};

use super::Error;

// ref: RFC 8410 §3
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
// ref: RFC 5480 §2.1.1
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
// ref: RFC 5480 §2.1.1.1
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
// ref: RFC 8017 Appendix C
const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// The key algorithm an SPKI declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpkiAlgorithm {
    /// Ed25519.
    Ed25519,
    /// EC public key on P-256.
    P256,
    /// RSA (rsaEncryption).
    Rsa,
}

/// Splits an SPKI into its algorithm and the bytes of its `subjectPublicKey` BIT STRING
/// (Ed25519: 32 raw bytes; P-256: the SEC1 point; RSA: the PKCS#1 `RSAPublicKey` DER).
/// Rejects trailing data, unknown algorithms and curves other than P-256.
pub fn parse_spki(spki: &[u8]) -> Result<(SpkiAlgorithm, &[u8]), Error> {
    let info = SubjectPublicKeyInfoRef::from_der(spki)
        .map_err(|_| Error::KeyRejected("malformed SubjectPublicKeyInfo"))?;
    let key = info
        .subject_public_key
        .as_bytes()
        .ok_or(Error::KeyRejected("subjectPublicKey has unused bits"))?;
    let alg = match info.algorithm.oid {
        OID_ED25519 => SpkiAlgorithm::Ed25519,
        OID_RSA_ENCRYPTION => SpkiAlgorithm::Rsa,
        OID_EC_PUBLIC_KEY => {
            let curve = info
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .ok_or(Error::KeyRejected("EC key without a named curve"))?;
            if curve != OID_P256 {
                return Err(Error::KeyRejected("EC key is not on P-256"));
            }
            SpkiAlgorithm::P256
        }
        _ => return Err(Error::KeyRejected("unknown public-key algorithm")),
    };
    Ok((alg, key))
}

/// Returns the `subjectPublicKey` bytes if the SPKI is of the `expected` algorithm.
pub fn spki_key_of(spki: &[u8], expected: SpkiAlgorithm) -> Result<&[u8], Error> {
    match parse_spki(spki)? {
        (alg, key) if alg == expected => Ok(key),
        _ => Err(Error::KeyRejected("public key is of another algorithm")),
    }
}

fn encode_spki(
    oid: ObjectIdentifier,
    params: Option<der::Any>,
    key: &[u8],
) -> Result<Vec<u8>, Error> {
    let info = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid,
            parameters: params,
        },
        subject_public_key: BitString::from_bytes(key)
            .map_err(|_| Error::KeyRejected("public key too long"))?,
    };
    info.to_der()
        .map_err(|_| Error::KeyRejected("public key cannot be encoded"))
}

/// SPKI for a raw 32-byte Ed25519 public key.
pub fn ed25519_spki(raw: &[u8]) -> Result<Vec<u8>, Error> {
    if raw.len() != 32 {
        return Err(Error::KeyRejected("Ed25519 public key must be 32 bytes"));
    }
    encode_spki(OID_ED25519, None, raw)
}

/// SPKI for a P-256 SEC1 point (uncompressed, 65 bytes; or compressed, 33 bytes).
pub fn p256_spki(point: &[u8]) -> Result<Vec<u8>, Error> {
    if !matches!(point.len(), 33 | 65) {
        return Err(Error::KeyRejected("P-256 point must be 33 or 65 bytes"));
    }
    let curve = der::Any::encode_from(&OID_P256).map_err(|_| Error::KeyRejected("curve OID"))?;
    encode_spki(OID_EC_PUBLIC_KEY, Some(curve), point)
}

/// SPKI for an RSA public key given as big-endian modulus and exponent.
pub fn rsa_spki(n: &[u8], e: &[u8]) -> Result<Vec<u8>, Error> {
    let rsa_public_key = rsa_public_key_der(n, e)?;
    encode_spki(OID_RSA_ENCRYPTION, Some(der::Any::null()), &rsa_public_key)
}

/// PKCS#1 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
pub fn rsa_public_key_der(n: &[u8], e: &[u8]) -> Result<Vec<u8>, Error> {
    let bad = |_| Error::KeyRejected("RSA modulus or exponent");
    let seq: [UintRef<'_>; 2] = [UintRef::new(n).map_err(bad)?, UintRef::new(e).map_err(bad)?];
    seq.to_der().map_err(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_spki_round_trips_and_matches_rfc8410() {
        let raw = [7u8; 32];
        let spki = ed25519_spki(&raw).expect("encode");
        // ref: RFC 8410 §10.1 prefix for an Ed25519 SPKI.
        assert_eq!(hex::encode(&spki[..12]), "302a300506032b6570032100");
        assert_eq!(
            parse_spki(&spki).expect("parse"),
            (SpkiAlgorithm::Ed25519, &raw[..])
        );
    }

    #[test]
    fn p256_spki_round_trips() {
        let mut point = [1u8; 65];
        point[0] = 4;
        let spki = p256_spki(&point).expect("encode");
        assert_eq!(
            hex::encode(&spki[..26]),
            "3059301306072a8648ce3d020106082a8648ce3d030107034200"
        );
        assert_eq!(
            spki_key_of(&spki, SpkiAlgorithm::P256).expect("parse"),
            &point[..]
        );
        assert!(spki_key_of(&spki, SpkiAlgorithm::Rsa).is_err());
    }

    #[test]
    fn trailing_bytes_and_garbage_are_rejected() {
        let mut spki = ed25519_spki(&[7u8; 32]).expect("encode");
        spki.push(0);
        assert!(parse_spki(&spki).is_err());
        assert!(parse_spki(b"not der").is_err());
    }
}
