//! JWK-style keys from the examples, decoded and converted to the backend formats.
//!
//! The trait boundary wants SubjectPublicKeyInfo DER for public keys, PKCS#8 DER for RSA
//! private keys and raw scalars for key agreement; the examples give JWK members as
//! base64url (`x`) or hex (`x_hex`). Members that do not belong to the key type are
//! rejected when the file is loaded.

use super::b64;
use super::json;
use super::rsa_der::{rsa_pkcs8, strip_zeros};
use crate::backend::keys::{ed25519_spki, p256_spki, rsa_spki};

/// A named curve as the JWK `crv` member spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Curve {
    /// NIST P-256.
    P256,
    /// NIST P-384.
    P384,
    /// NIST P-521.
    P521,
    /// Ed25519 (signatures).
    Ed25519,
    /// Ed448 (signatures).
    Ed448,
    /// X25519 (key agreement).
    X25519,
    /// X448 (key agreement).
    X448,
}

impl Curve {
    fn parse(name: &str) -> Result<Self, String> {
        Ok(match name {
            "P-256" => Self::P256,
            "P-384" => Self::P384,
            "P-521" => Self::P521,
            "Ed25519" => Self::Ed25519,
            "Ed448" => Self::Ed448,
            "X25519" => Self::X25519,
            "X448" => Self::X448,
            other => return Err(format!("unknown curve {other:?}")),
        })
    }

    /// The JWK / COSE name.
    pub(super) const fn name(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
            Self::P521 => "P-521",
            Self::Ed25519 => "Ed25519",
            Self::Ed448 => "Ed448",
            Self::X25519 => "X25519",
            Self::X448 => "X448",
        }
    }
}

/// RSA key members (big-endian integers).
#[derive(Debug, Clone)]
pub(super) struct RsaKey {
    pub n: Vec<u8>,
    pub e: Vec<u8>,
    /// `d, p, q, dP, dQ, qi`, all present or all absent.
    pub private: Option<[Vec<u8>; 6]>,
}

impl RsaKey {
    /// Modulus size in bits.
    pub(super) fn bits(&self) -> usize {
        let n = strip_zeros(&self.n);
        n.first()
            .map_or(0, |&top| n.len() * 8 - top.leading_zeros() as usize)
    }
}

/// The material of a key.
#[derive(Debug, Clone)]
pub(super) enum KeyMaterial {
    /// `kty: oct`.
    Symmetric(Vec<u8>),
    /// `kty: OKP`.
    Okp {
        crv: Curve,
        x: Vec<u8>,
        d: Option<Vec<u8>>,
    },
    /// `kty: EC` / `EC2`.
    Ec2 {
        crv: Curve,
        x: Vec<u8>,
        y: Vec<u8>,
        d: Option<Vec<u8>>,
    },
    /// `kty: RSA`.
    Rsa(RsaKey),
}

/// A decoded key and its `kid`.
#[derive(Debug, Clone)]
pub(super) struct Jwk {
    /// The `kid` as bytes (COSE carries kids as bstr).
    pub kid: Option<Vec<u8>>,
    pub material: KeyMaterial,
}

/// One binary member given either as base64url or as hex, not both.
fn member(name: &str, b64: Option<String>, hex: Option<String>) -> Result<Option<Vec<u8>>, String> {
    match (b64, hex) {
        (Some(_), Some(_)) => Err(format!("key member {name} given both as base64url and hex")),
        (Some(t), None) => b64::decode(&t)
            .map(Some)
            .map_err(|e| format!("key member {name}: {e}")),
        (None, Some(h)) => hex::decode(&h)
            .map(Some)
            .map_err(|e| format!("key member {name}_hex: {e}")),
        (None, None) => Ok(None),
    }
}

fn required(name: &str, v: Option<Vec<u8>>) -> Result<Vec<u8>, String> {
    v.ok_or_else(|| format!("key lacks member {name}"))
}

fn absent(kty: &str, members: &[(&str, bool)]) -> Result<(), String> {
    match members.iter().find(|(_, present)| *present) {
        Some((name, _)) => Err(format!("member {name} does not belong to a {kty} key")),
        None => Ok(()),
    }
}

impl Jwk {
    /// Decodes and validates a JSON key.
    pub(super) fn from_json(j: json::Jwk) -> Result<Self, String> {
        let json::Jwk {
            kty,
            kid,
            key_use,
            crv,
            k,
            k_hex,
            x,
            x_hex,
            y,
            y_hex,
            d,
            d_hex,
            n_hex,
            e_hex,
            p_hex,
            q_hex,
            dp_hex,
            dq_hex,
            qi_hex,
        } = j;
        if let Some(u) = key_use.as_deref()
            && u != "enc"
            && u != "sig"
        {
            return Err(format!("key use {u:?} is neither \"enc\" nor \"sig\""));
        }
        let k = member("k", k, k_hex)?;
        let x = member("x", x, x_hex)?;
        let y = member("y", y, y_hex)?;
        let d = member("d", d, d_hex)?;
        let hex_member = |name: &str, v: Option<String>| {
            v.map(|h| hex::decode(&h).map_err(|e| format!("key member {name}_hex: {e}")))
                .transpose()
        };
        let n = hex_member("n", n_hex)?;
        let e = hex_member("e", e_hex)?;
        let crt = [
            hex_member("p", p_hex)?,
            hex_member("q", q_hex)?,
            hex_member("dP", dp_hex)?,
            hex_member("dQ", dq_hex)?,
            hex_member("qi", qi_hex)?,
        ];
        let any_rsa = n.is_some() || e.is_some() || crt.iter().any(Option::is_some);
        let material = match kty.as_str() {
            "oct" => {
                absent(
                    &kty,
                    &[
                        ("crv", crv.is_some()),
                        ("x", x.is_some()),
                        ("y", y.is_some()),
                        ("d", d.is_some()),
                        ("RSA members", any_rsa),
                    ],
                )?;
                KeyMaterial::Symmetric(required("k", k)?)
            }
            "OKP" => {
                absent(
                    &kty,
                    &[
                        ("k", k.is_some()),
                        ("y", y.is_some()),
                        ("RSA members", any_rsa),
                    ],
                )?;
                let crv = Curve::parse(crv.as_deref().ok_or("OKP key lacks crv")?)?;
                KeyMaterial::Okp {
                    crv,
                    x: required("x", x)?,
                    d,
                }
            }
            "EC" | "EC2" => {
                absent(&kty, &[("k", k.is_some()), ("RSA members", any_rsa)])?;
                let crv = Curve::parse(crv.as_deref().ok_or("EC key lacks crv")?)?;
                KeyMaterial::Ec2 {
                    crv,
                    x: required("x", x)?,
                    y: required("y", y)?,
                    d,
                }
            }
            "RSA" => {
                absent(
                    &kty,
                    &[
                        ("crv", crv.is_some()),
                        ("k", k.is_some()),
                        ("x", x.is_some()),
                        ("y", y.is_some()),
                    ],
                )?;
                rsa_key(n, e, d, crt)?
            }
            other => return Err(format!("unknown kty {other:?}")),
        };
        Ok(Self {
            kid: kid.map(String::into_bytes),
            material,
        })
    }

    /// SubjectPublicKeyInfo DER of the public key, for signature verification.
    pub(super) fn spki(&self) -> Result<Vec<u8>, String> {
        let r = match &self.material {
            KeyMaterial::Okp {
                crv: Curve::Ed25519,
                x,
                ..
            } => ed25519_spki(x),
            KeyMaterial::Ec2 {
                crv: Curve::P256, ..
            } => p256_spki(&self.p256_point()?),
            KeyMaterial::Rsa(k) => rsa_spki(strip_zeros(&k.n), strip_zeros(&k.e)),
            other => return Err(format!("no SPKI encoding for {}", describe(other))),
        };
        r.map_err(|e| e.to_string())
    }

    /// The uncompressed SEC1 point `04 || x || y` of a P-256 key.
    pub(super) fn p256_point(&self) -> Result<Vec<u8>, String> {
        match &self.material {
            KeyMaterial::Ec2 {
                crv: Curve::P256,
                x,
                y,
                ..
            } if x.len() == 32 && y.len() == 32 => {
                let mut point = Vec::with_capacity(65);
                point.push(0x04);
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                Ok(point)
            }
            other => Err(format!(
                "not a P-256 key with 32-byte coordinates: {}",
                describe(other)
            )),
        }
    }

    /// PKCS#8 DER of an RSA private key.
    pub(super) fn rsa_pkcs8(&self) -> Result<Vec<u8>, String> {
        let KeyMaterial::Rsa(key) = &self.material else {
            return Err(format!("not an RSA key: {}", describe(&self.material)));
        };
        let [d, p, q, dp, dq, qi] = key
            .private
            .as_ref()
            .ok_or("RSA key has no private members")?;
        rsa_pkcs8(&[&key.n, &key.e, d, p, q, dp, dq, qi])
            .map_err(|e| format!("RSA PKCS#8 encoding: {e}"))
    }
}

fn rsa_key(
    n: Option<Vec<u8>>,
    e: Option<Vec<u8>>,
    d: Option<Vec<u8>>,
    crt: [Option<Vec<u8>>; 5],
) -> Result<KeyMaterial, String> {
    let n = required("n", n)?;
    let e = required("e", e)?;
    let private = match (d, crt) {
        (Some(d), [Some(p), Some(q), Some(dp), Some(dq), Some(qi)]) => Some([d, p, q, dp, dq, qi]),
        (None, [None, None, None, None, None]) => None,
        _ => return Err("RSA key has some but not all of d, p, q, dP, dQ, qi".to_string()),
    };
    Ok(KeyMaterial::Rsa(RsaKey { n, e, private }))
}

/// A short description of a key for messages.
pub(super) fn describe(m: &KeyMaterial) -> String {
    match m {
        KeyMaterial::Symmetric(k) => format!("{}-bit symmetric key", k.len() * 8),
        KeyMaterial::Okp { crv, .. } | KeyMaterial::Ec2 { crv, .. } => {
            format!("{} key", crv.name())
        }
        KeyMaterial::Rsa(k) => format!("{}-bit RSA key", k.bits()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwk(v: serde_json::Value) -> Result<Jwk, String> {
        Jwk::from_json(serde_json::from_value(v).unwrap())
    }

    #[test]
    fn base64_and_hex_members_decode_and_clash() {
        let k = jwk(serde_json::json!({"kty": "oct", "k": "hJtXIZ2uSN5kbQfbtTNWbg"})).unwrap();
        assert!(matches!(k.material, KeyMaterial::Symmetric(ref v) if v.len() == 16));
        let err = jwk(serde_json::json!({"kty": "oct", "k": "AA", "k_hex": "00"})).unwrap_err();
        assert!(err.contains("both"), "{err}");
        assert!(jwk(serde_json::json!({"kty": "oct", "k": "AA", "x": "AA"})).is_err());
        assert!(jwk(serde_json::json!({"kty": "OKP", "crv": "Ed25519"})).is_err());
        let unknown: Result<json::Jwk, _> =
            serde_json::from_value(serde_json::json!({"kty": "oct", "k": "AA", "bogus": 1}));
        assert!(unknown.is_err());
    }

    #[test]
    fn ed25519_spki_matches_rfc8410_prefix() {
        let k = jwk(serde_json::json!({"kty": "OKP", "crv": "Ed25519",
            "x_hex": "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"}))
        .unwrap();
        assert!(hex::encode(k.spki().unwrap()).starts_with("302a300506032b6570032100d75a98"));
    }

    #[test]
    fn rsa_pkcs8_has_the_rsa_encryption_algorithm_and_version_zero() {
        let k = Jwk {
            kid: None,
            material: KeyMaterial::Rsa(RsaKey {
                n: vec![0x00, 0xc3],
                e: vec![0x01, 0x00, 0x01],
                private: Some([vec![7], vec![11], vec![13], vec![1], vec![2], vec![3]]),
            }),
        };
        let der = k.rsa_pkcs8().unwrap();
        // SEQUENCE { INTEGER 0, SEQUENCE { OID rsaEncryption, NULL }, OCTET STRING { ...
        assert!(hex::encode(&der).starts_with("30"));
        assert!(hex::encode(&der).contains("020100300d06092a864886f70d010101050004"));
        // n keeps one leading zero because 0xc3 has its top bit set.
        assert!(hex::encode(&der).contains("020200c3"));
        assert_eq!(
            match &k.material {
                KeyMaterial::Rsa(r) => r.bits(),
                _ => 0,
            },
            8
        );
    }
}
