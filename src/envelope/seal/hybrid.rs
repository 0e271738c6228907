//! Hybrid modes: a content key per message (or per K messages) and the recipients that
//! carry it — RSA-OAEP-256 to each recipient, or one ECDH-ES + HKDF-256 recipient.

use rand::{Rng, rngs::StdRng};
use zeroize::Zeroizing;

use super::SealConfig;
use crate::backend::{
    Aead, AeadId, AeadKey, Backend, EncryptingKey, Kdf, KdfId, KeyAgreement, KeyAgreementId,
    KeyTransportId,
};
use crate::cose::cbor::{MAJOR_ARRAY, Writer};
use crate::cose::kdf::derive_direct_cek;
use crate::cose::message::{PROTECTED_ECDH_ES, PROTECTED_OAEP};
use crate::envelope::error::EnvelopeError;
use crate::envelope::keys::{KeyAlg, agreement_public};
use crate::envelope::recipient;

enum Kind {
    Oaep(Vec<(Vec<u8>, Box<dyn EncryptingKey>)>),
    Ecdh {
        kid: Vec<u8>,
        id: KeyAgreementId,
        ka: &'static dyn KeyAgreement,
        kdf: &'static dyn Kdf,
        peer: Vec<u8>,
    },
}

/// The current content key and its encoded recipients array.
pub(super) struct HybridState {
    pub(super) content: AeadId,
    aead: &'static dyn Aead,
    kind: Kind,
    reuse: u32,
    uses: u32,
    key: Option<Box<dyn AeadKey>>,
    recipients: Vec<u8>,
    recipients_len: usize,
}

impl HybridState {
    pub(super) fn new(backend: &Backend, config: &SealConfig<'_>) -> Result<Self, EnvelopeError> {
        let recipients = config.recipients;
        let kind = match recipients {
            [] => {
                return Err(EnvelopeError::Config(
                    "hybrid modes need at least one recipient",
                ));
            }
            [one] if matches!(one.alg, KeyAlg::EcdhEs(_)) => {
                let KeyAlg::EcdhEs(id) = one.alg else {
                    return Err(EnvelopeError::WrongKeyType);
                };
                let spki = one.material.spki().ok_or(EnvelopeError::WrongKeyType)?;
                Kind::Ecdh {
                    kid: one.kid.clone(),
                    id,
                    ka: (backend.key_agreement)(id)?,
                    kdf: (backend.kdf)(KdfId::HkdfSha256)?,
                    peer: agreement_public(spki, id)?,
                }
            }
            many => {
                let kt = (backend.key_transport)(KeyTransportId::RsaOaep2048Sha256)?;
                let mut keys = Vec::with_capacity(many.len());
                for r in many {
                    if r.alg != KeyAlg::RsaOaep256 {
                        return Err(EnvelopeError::Config(
                            "several recipients must all be RSA-OAEP-256 (ECDH-ES direct allows exactly one)",
                        ));
                    }
                    let spki = r.material.spki().ok_or(EnvelopeError::WrongKeyType)?;
                    keys.push((r.kid.clone(), kt.encrypting_key(spki)?));
                }
                Kind::Oaep(keys)
            }
        };
        let max = recipients
            .iter()
            .map(|r| recipient::max_recipient_len(r.kid.len()))
            .sum::<usize>()
            + 9;
        Ok(Self {
            content: config.content,
            aead: (backend.aead)(config.content)?,
            kind,
            reuse: config.cek_reuse.max(1),
            uses: 0,
            key: None,
            recipients: vec![0u8; max],
            recipients_len: 0,
        })
    }

    /// The content key and the encoded recipients array of the current message.
    pub(super) fn current(&self) -> Result<(&dyn AeadKey, &[u8]), EnvelopeError> {
        let key = self
            .key
            .as_deref()
            .ok_or(EnvelopeError::Config("no content key"))?;
        let recipients = self
            .recipients
            .get(..self.recipients_len)
            .ok_or(EnvelopeError::TooLarge("recipients"))?;
        Ok((key, recipients))
    }

    /// Makes a new content key and recipients unless the current one may be reused.
    pub(super) fn refresh(&mut self, rng: &mut StdRng) -> Result<(), EnvelopeError> {
        if self.key.is_some() && self.uses < self.reuse {
            self.uses += 1;
            return Ok(());
        }
        let mut cek = Zeroizing::new([0u8; 32]);
        let cek = cek
            .get_mut(..self.content.key_len())
            .ok_or(EnvelopeError::Config("key length"))?;
        let mut w = Writer::new(&mut self.recipients);
        match &self.kind {
            Kind::Oaep(keys) => {
                rng.fill_bytes(cek);
                w.head(MAJOR_ARRAY, keys.len() as u64)?;
                let mut ct = [0u8; 512];
                for (kid, key) in keys {
                    let n = key.encrypt(cek, &[], &mut ct)?;
                    let ct = ct.get(..n).ok_or(EnvelopeError::TooLarge("OAEP output"))?;
                    recipient::write_recipient(&mut w, &PROTECTED_OAEP, kid, None, ct)?;
                }
            }
            Kind::Ecdh {
                kid,
                id,
                ka,
                kdf,
                peer,
            } => {
                let eph = ka.generate()?;
                let mut public = [0u8; 65];
                let pn = eph.public_key(&mut public)?;
                let public = public
                    .get(..pn)
                    .ok_or(EnvelopeError::TooLarge("ephemeral key"))?;
                let mut z = Zeroizing::new([0u8; 32]);
                let zn = eph.agree(peer, z.as_mut_slice())?;
                let z = z
                    .get(..zn)
                    .ok_or(EnvelopeError::TooLarge("shared secret"))?;
                derive_direct_cek(*kdf, z, self.content, cek)?;
                w.head(MAJOR_ARRAY, 1)?;
                recipient::write_recipient(
                    &mut w,
                    &PROTECTED_ECDH_ES,
                    kid,
                    Some((*id, public)),
                    &[],
                )?;
            }
        }
        self.recipients_len = w.len();
        self.key = Some(self.aead.new_key(cek, self.content.default_params())?);
        self.uses = 1;
        Ok(())
    }
}
