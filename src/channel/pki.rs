//! The run's own certificate authority: a CA created at start-up with rcgen, and the
//! server and client certificates it issues. Every certificate names one node (subject
//! CN and a DNS SAN) and its role (subject OU), carries both the server- and
//! client-authentication extended key usages, and is valid from an hour ago for a day.
//! Nothing is written to disk.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SignatureAlgorithm,
};

use super::ChannelError;

/// The key type of an issued certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertAlg {
    /// Ed25519.
    Ed25519,
    /// ECDSA on P-256 with SHA-256.
    EcdsaP256,
}

impl CertAlg {
    /// Both, in report order.
    pub const ALL: &'static [CertAlg] = &[Self::Ed25519, Self::EcdsaP256];

    /// Label (the same as the envelope's signature labels).
    pub const fn label(self) -> &'static str {
        match self {
            Self::Ed25519 => "ed25519",
            Self::EcdsaP256 => "ecdsap256",
        }
    }

    fn rcgen(self) -> &'static SignatureAlgorithm {
        match self {
            Self::Ed25519 => &rcgen::PKCS_ED25519,
            Self::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        }
    }
}

/// A certificate and its private key, issued to one node.
#[derive(Debug, Clone)]
pub struct Credential {
    /// The node's name (subject CN, DNS SAN).
    pub name: String,
    /// Its role (subject OU).
    pub role: String,
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
    /// The private key, PKCS#8 DER.
    pub key_pkcs8: Vec<u8>,
}

/// A certificate authority and every certificate it issued.
pub struct Pki {
    issuer: Issuer<'static, KeyPair>,
    ca_der: Vec<u8>,
    issued: Vec<Credential>,
}

impl std::fmt::Debug for Pki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pki")
            .field("issued", &self.issued.len())
            .finish()
    }
}

fn pki_error(e: rcgen::Error) -> ChannelError {
    ChannelError::Pki(e.to_string())
}

fn validity(p: &mut CertificateParams) {
    let now = std::time::SystemTime::now();
    let hour = std::time::Duration::from_secs(3600);
    p.not_before = now.checked_sub(hour).unwrap_or(now).into();
    p.not_after = (now + 24 * hour).into();
}

impl Pki {
    /// A new CA whose own key is of `alg`.
    pub fn new(alg: CertAlg) -> Result<Self, ChannelError> {
        let key = KeyPair::generate_for(alg.rcgen()).map_err(pki_error)?;
        let mut p = CertificateParams::new(Vec::<String>::new()).map_err(pki_error)?;
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name
            .push(DnType::CommonName, "sealbench run CA");
        p.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        validity(&mut p);
        let ca = p.self_signed(&key).map_err(pki_error)?;
        Ok(Self {
            ca_der: ca.der().to_vec(),
            issuer: Issuer::new(p, key),
            issued: Vec::new(),
        })
    }

    /// The CA certificate, DER (every endpoint's only trust anchor).
    pub fn ca_der(&self) -> &[u8] {
        &self.ca_der
    }

    /// Issues a certificate of `alg` to node `name` of `role`.
    pub fn issue(
        &mut self,
        name: &str,
        role: &str,
        alg: CertAlg,
    ) -> Result<Credential, ChannelError> {
        let key = KeyPair::generate_for(alg.rcgen()).map_err(pki_error)?;
        let mut p = CertificateParams::new(vec![name.to_string()]).map_err(pki_error)?;
        p.distinguished_name.push(DnType::CommonName, name);
        p.distinguished_name
            .push(DnType::OrganizationalUnitName, role);
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        validity(&mut p);
        let cert = p.signed_by(&key, &self.issuer).map_err(pki_error)?;
        let c = Credential {
            name: name.to_string(),
            role: role.to_string(),
            cert_der: cert.der().to_vec(),
            key_pkcs8: key.serialize_der(),
        };
        self.issued.push(c.clone());
        Ok(c)
    }

    /// The credential issued to `name`.
    pub fn issued_to(&self, name: &str) -> Option<&Credential> {
        self.issued.iter().find(|c| c.name == name)
    }

    /// The node a certificate this CA issued names (the identity TLS authenticated).
    pub fn holder(&self, cert_der: &[u8]) -> Option<&Credential> {
        self.issued.iter().find(|c| c.cert_der == cert_der)
    }
}
