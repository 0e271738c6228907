//! Key material, the trust store and the role policy, as data.
//!
//! A [`TrustStore`] is what a node knows: its own private keys, its peers' public keys
//! and the symmetric keys it shares, each registered under a key id (`kid`) with one COSE
//! algorithm and one role. Loading from a directory lives in `keystore.rs`; turning
//! entries into backend keys lives in the opener and sealer.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::backend::{AeadId, KeyAgreementId, SignatureId};
use crate::cose::iana;

/// The one algorithm a key is registered for. A message whose `alg` differs is rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum KeyAlg {
    /// HMAC 256/256 (COSE_Mac0).
    Hmac256,
    /// An AEAD content key (COSE_Encrypt0).
    Aead(AeadId),
    /// A signature key (COSE_Sign1).
    Sign(SignatureId),
    /// RSA-OAEP-256 key transport (COSE_Encrypt recipient).
    RsaOaep256,
    /// ECDH-ES + HKDF-256 on a curve (COSE_Encrypt recipient).
    EcdhEs(KeyAgreementId),
}

impl KeyAlg {
    /// Every key algorithm, for parsing and help text.
    pub const ALL: &'static [KeyAlg] = &[
        Self::Hmac256,
        Self::Aead(AeadId::Aes128Gcm),
        Self::Aead(AeadId::Aes256Gcm),
        Self::Aead(AeadId::ChaCha20Poly1305),
        Self::Sign(SignatureId::Ed25519),
        Self::Sign(SignatureId::EcdsaP256Sha256),
        Self::Sign(SignatureId::RsaPss2048Sha256),
        Self::RsaOaep256,
        Self::EcdhEs(KeyAgreementId::EcdhP256),
        Self::EcdhEs(KeyAgreementId::X25519),
    ];

    /// The name used in `trust.toml` and on the command line (COSE names where they exist).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Hmac256 => "HMAC256",
            Self::Aead(AeadId::Aes128Gcm) => "A128GCM",
            Self::Aead(AeadId::Aes256Gcm) => "A256GCM",
            Self::Aead(AeadId::ChaCha20Poly1305) => "ChaCha20/Poly1305",
            Self::Sign(SignatureId::Ed25519) => "EdDSA",
            Self::Sign(SignatureId::EcdsaP256Sha256) => "ES256",
            Self::Sign(SignatureId::RsaPss2048Sha256) => "PS256",
            Self::RsaOaep256 => "RSA-OAEP-256",
            Self::EcdhEs(KeyAgreementId::EcdhP256) => "ECDH-ES-P256",
            Self::EcdhEs(KeyAgreementId::X25519) => "ECDH-ES-X25519",
        }
    }

    /// Parses a name as written by [`KeyAlg::name`] (case-insensitive).
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|a| a.name().eq_ignore_ascii_case(s))
    }

    /// The COSE `alg` value a message (or recipient) protected with this key carries.
    pub const fn cose_alg(self) -> i64 {
        match self {
            Self::Hmac256 => iana::ALG_HMAC_256_256,
            Self::Aead(a) => iana::aead_alg(a),
            Self::Sign(s) => iana::signature_alg(s),
            Self::RsaOaep256 => iana::ALG_RSAES_OAEP_SHA256,
            Self::EcdhEs(_) => iana::ALG_ECDH_ES_HKDF_256,
        }
    }

    /// Whether the key is symmetric (raw bytes) rather than a key pair.
    pub const fn is_symmetric(self) -> bool {
        matches!(self, Self::Hmac256 | Self::Aead(_))
    }
}

impl std::fmt::Display for KeyAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Secret or public key bytes. Secrets are zeroized on drop and never printed.
#[derive(Clone)]
pub enum KeyMaterial {
    /// A symmetric key (HMAC or AEAD), raw bytes.
    Symmetric(Zeroizing<Vec<u8>>),
    /// A private key as PKCS#8 DER, with its public key as SPKI DER.
    Private {
        /// PKCS#8 DER.
        pkcs8: Zeroizing<Vec<u8>>,
        /// The matching SubjectPublicKeyInfo DER.
        spki: Vec<u8>,
    },
    /// A public key as SubjectPublicKeyInfo DER.
    Public(Vec<u8>),
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Symmetric(k) => write!(f, "Symmetric(<{} secret bytes>)", k.len()),
            Self::Private { pkcs8, .. } => write!(f, "Private(<{} secret bytes>)", pkcs8.len()),
            Self::Public(spki) => write!(f, "Public({})", hex::encode(fingerprint(spki))),
        }
    }
}

impl KeyMaterial {
    /// The public key (SPKI DER), if this is a key pair or public key.
    pub fn spki(&self) -> Option<&[u8]> {
        match self {
            Self::Symmetric(_) => None,
            Self::Private { spki, .. } | Self::Public(spki) => Some(spki),
        }
    }
}

/// One key the node knows.
#[derive(Clone)]
pub struct KeyEntry {
    /// Key id carried on the wire.
    pub kid: Vec<u8>,
    /// The role of the peer that holds this key (the sender's role when it signs or MACs).
    pub role: String,
    /// The algorithm this key may be used with.
    pub alg: KeyAlg,
    /// The key bytes.
    pub material: KeyMaterial,
    /// The peer's X.509 certificate (DER), for `x5t` / `x5chain` identities.
    pub cert: Option<Vec<u8>>,
    /// Whether this peer is a legacy (non-protecting) peer during a migration window.
    pub legacy: bool,
}

impl std::fmt::Debug for KeyEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyEntry")
            .field("kid", &String::from_utf8_lossy(&self.kid))
            .field("role", &self.role)
            .field("alg", &self.alg)
            .field("material", &self.material)
            .field(
                "cert_x5t",
                &self
                    .cert
                    .as_deref()
                    .map(|c| hex::encode(crate::cose::x5::cert_thumbprint(c))),
            )
            .field("legacy", &self.legacy)
            .finish()
    }
}

/// The role every sender has whose identity is not authenticated (hybrid encryption without
/// a signature, a learned key before an operator assigns it a role).
pub const ANONYMOUS_ROLE: &str = "anonymous";

/// Which roles may call which RPC methods. Deny by default; `*` allows every method.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// Role → allowed methods.
    pub roles: BTreeMap<String, BTreeSet<String>>,
}

impl Policy {
    /// Whether `role` may call `method`.
    pub fn allows(&self, role: &str, method: &str) -> bool {
        self.roles
            .get(role)
            .is_some_and(|m| m.contains("*") || m.contains(method))
    }

    /// Allows `role` to call each of `methods` (builder for tests and presets).
    pub fn allow(mut self, role: &str, methods: &[&str]) -> Self {
        self.roles
            .entry(role.to_string())
            .or_default()
            .extend(methods.iter().map(|m| m.to_string()));
        self
    }
}

/// The identity of the node that owns a trust store: the name other nodes address it by
/// (an audience `kid:`) and its role (a role audience). From `[node]` in `trust.toml`.
#[derive(Clone, PartialEq, Eq)]
pub struct NodeId {
    /// This node's key id: the name senders put in the audience to address it.
    pub kid: Vec<u8>,
    /// This node's role (for role audiences). Never empty when loaded from `trust.toml`.
    pub role: String,
}

impl std::fmt::Debug for NodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeId")
            .field("kid", &String::from_utf8_lossy(&self.kid))
            .field("role", &self.role)
            .finish()
    }
}

/// Everything a node knows: its identity, keys and policy.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    /// The keys.
    pub entries: Vec<KeyEntry>,
    /// The role policy.
    pub policy: Policy,
    /// This node's own identity, if `trust.toml` has a `[node]` table.
    pub node: Option<NodeId>,
}

impl TrustStore {
    /// The entry with this kid.
    pub fn get(&self, kid: &[u8]) -> Option<&KeyEntry> {
        self.entries.iter().find(|e| e.kid == kid)
    }

    /// The kids that name this node itself: the `[node]` kid (if any), then the kid of every
    /// entry holding private key material ([`KeyMaterial::Private`]), in entry order,
    /// without duplicates. A message attributed to one of these is a reflection.
    pub fn own_kids(&self) -> Vec<Vec<u8>> {
        let mut kids: Vec<Vec<u8>> = Vec::new();
        let private = self
            .entries
            .iter()
            .filter(|e| matches!(e.material, KeyMaterial::Private { .. }))
            .map(|e| &e.kid);
        for kid in self.node.iter().map(|n| &n.kid).chain(private) {
            if !kids.contains(kid) {
                kids.push(kid.clone());
            }
        }
        kids
    }
}

/// The default key id of a public key: the first 8 bytes of SHA-256 over its SPKI DER.
pub fn fingerprint(spki: &[u8]) -> [u8; 8] {
    let digest = Sha256::digest(spki);
    let mut out = [0u8; 8];
    out.copy_from_slice(digest.get(..8).unwrap_or(&[0u8; 8]));
    out
}

/// The raw public key of a key-agreement SPKI: X25519 32 bytes (OID 1.3.101.110, RFC 8410),
/// P-256 the 65-byte uncompressed point.
pub fn agreement_public(spki: &[u8], id: KeyAgreementId) -> Result<Vec<u8>, super::EnvelopeError> {
    use der::Decode;
    let wrong = super::EnvelopeError::WrongKeyType;
    match id {
        KeyAgreementId::EcdhP256 => {
            let point =
                crate::backend::keys::spki_key_of(spki, crate::backend::keys::SpkiAlgorithm::P256)
                    .map_err(|_| wrong.clone())?;
            if point.len() != 65 {
                return Err(wrong);
            }
            Ok(point.to_vec())
        }
        KeyAgreementId::X25519 => {
            // ref: RFC 8410 §3 id-X25519
            const OID_X25519: der::asn1::ObjectIdentifier =
                der::asn1::ObjectIdentifier::new_unwrap("1.3.101.110");
            let info = spki::SubjectPublicKeyInfoRef::from_der(spki).map_err(|_| wrong.clone())?;
            let key = info.subject_public_key.as_bytes().ok_or(wrong.clone())?;
            if info.algorithm.oid != OID_X25519 || key.len() != 32 {
                return Err(wrong);
            }
            Ok(key.to_vec())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_alg_names_round_trip_and_map_to_cose() {
        for &a in KeyAlg::ALL {
            assert_eq!(KeyAlg::from_name(a.name()), Some(a));
        }
        assert_eq!(
            KeyAlg::from_name("es256"),
            Some(KeyAlg::Sign(SignatureId::EcdsaP256Sha256))
        );
        assert_eq!(KeyAlg::Sign(SignatureId::Ed25519).cose_alg(), -8);
        assert_eq!(KeyAlg::from_name("A192GCM"), None);
    }

    #[test]
    fn policy_is_deny_by_default() {
        let p = Policy::default()
            .allow("scheduler", &["*"])
            .allow("compute", &["report_state"]);
        assert!(p.allows("scheduler", "boot_vm"));
        assert!(p.allows("compute", "report_state"));
        assert!(!p.allows("compute", "boot_vm"));
        assert!(!p.allows("nobody", "report_state"));
    }

    #[test]
    fn secrets_are_not_printed() {
        let m = KeyMaterial::Symmetric(Zeroizing::new(vec![0x41; 16]));
        let s = format!("{m:?}");
        assert!(!s.contains("41") && s.contains("16 secret bytes"), "{s}");
    }
}
