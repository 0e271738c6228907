//! The sender's prepared keys: exactly one shape per mode, so a sealer can never hold a
//! MAC key and a signing key at once, or none for its mode.

use super::SealConfig;
use super::hybrid::HybridState;
use crate::backend::{AeadId, AeadKey, Backend, MacId, MacKey, SignatureId, SigningKey};
use crate::cose::x5::cert_thumbprint;
use crate::envelope::error::EnvelopeError;
use crate::envelope::header::SenderId;
use crate::envelope::keys::{KeyAlg, KeyEntry, KeyMaterial};
use crate::envelope::mode::{Identity, Mode};

/// The keys a sealer uses, by mode.
pub(super) enum SenderKeys {
    /// Plain framing: no key.
    Plain,
    /// Mac0: the shared HMAC key.
    Mac(Box<dyn MacKey>),
    /// Sign1: the sender's signing key.
    Sign(SignatureId, Box<dyn SigningKey>),
    /// Encrypt0: the shared AEAD key.
    Aead0(AeadId, Box<dyn AeadKey>),
    /// Encrypt: content keys for the recipients.
    Hybrid(HybridState),
    /// SignEncrypt: the signing key and content keys for the recipients.
    SignHybrid(SignatureId, Box<dyn SigningKey>, HybridState),
}

/// How the sender names itself in the protected header.
pub(super) enum OwnedSender {
    None,
    Kid(Vec<u8>),
    X5t([u8; 32]),
    X5chain(Vec<u8>),
    Spki(Vec<u8>),
}

impl OwnedSender {
    pub(super) fn as_id(&self) -> Option<SenderId<'_>> {
        match self {
            Self::None => None,
            Self::Kid(k) => Some(SenderId::Kid(k)),
            Self::X5t(h) => Some(SenderId::X5t(h)),
            Self::X5chain(c) => Some(SenderId::X5chain(c)),
            Self::Spki(s) => Some(SenderId::Spki(s)),
        }
    }

    pub(super) fn len(&self) -> usize {
        match self {
            Self::None => 0,
            Self::X5t(_) => 36,
            Self::Kid(b) | Self::X5chain(b) | Self::Spki(b) => b.len(),
        }
    }
}

fn symmetric(entry: &KeyEntry) -> Result<&[u8], EnvelopeError> {
    match &entry.material {
        KeyMaterial::Symmetric(k) => Ok(k),
        _ => Err(EnvelopeError::WrongKeyType),
    }
}

fn sender_of(entry: &KeyEntry, identity: Identity) -> Result<OwnedSender, EnvelopeError> {
    Ok(match identity {
        Identity::Kid => OwnedSender::Kid(entry.kid.clone()),
        Identity::X5t => OwnedSender::X5t(cert_thumbprint(
            entry
                .cert
                .as_deref()
                .ok_or(EnvelopeError::Config("x5t needs a certificate"))?,
        )),
        Identity::X5chain => OwnedSender::X5chain(
            entry
                .cert
                .clone()
                .ok_or(EnvelopeError::Config("x5chain needs a certificate"))?,
        ),
        Identity::Spki => OwnedSender::Spki(
            entry
                .material
                .spki()
                .ok_or(EnvelopeError::WrongKeyType)?
                .to_vec(),
        ),
    })
}

fn signing(
    backend: &Backend,
    entry: &KeyEntry,
) -> Result<(SignatureId, Box<dyn SigningKey>), EnvelopeError> {
    let (KeyAlg::Sign(id), KeyMaterial::Private { pkcs8, .. }) = (entry.alg, &entry.material)
    else {
        return Err(EnvelopeError::WrongKeyType);
    };
    Ok((id, (backend.signature)(id)?.signing_key(pkcs8)?))
}

impl SenderKeys {
    /// Prepares the keys `config.mode` needs, and the sender identity it writes.
    pub(super) fn new(
        backend: &Backend,
        config: &SealConfig<'_>,
    ) -> Result<(Self, OwnedSender), EnvelopeError> {
        let need_sender = || {
            config
                .sender
                .ok_or(EnvelopeError::Config("this mode needs a sender key"))
        };
        let kid_of =
            |e: Option<&KeyEntry>| e.map_or(OwnedSender::None, |e| OwnedSender::Kid(e.kid.clone()));
        Ok(match config.mode {
            Mode::Plain => (Self::Plain, kid_of(config.sender)),
            Mode::Mac0 => {
                let e = need_sender()?;
                if e.alg != KeyAlg::Hmac256 {
                    return Err(EnvelopeError::WrongKeyType);
                }
                let key = (backend.mac)(MacId::HmacSha256)?.new_key(symmetric(e)?)?;
                (Self::Mac(key), OwnedSender::Kid(e.kid.clone()))
            }
            Mode::Encrypt0 => {
                let e = need_sender()?;
                let KeyAlg::Aead(id) = e.alg else {
                    return Err(EnvelopeError::WrongKeyType);
                };
                let key = (backend.aead)(id)?.new_key(symmetric(e)?, id.default_params())?;
                (Self::Aead0(id, key), OwnedSender::Kid(e.kid.clone()))
            }
            Mode::Sign1 => {
                let e = need_sender()?;
                let (id, key) = signing(backend, e)?;
                (Self::Sign(id, key), sender_of(e, config.identity)?)
            }
            Mode::SignEncrypt => {
                let e = need_sender()?;
                let (id, key) = signing(backend, e)?;
                let h = HybridState::new(backend, config)?;
                (Self::SignHybrid(id, key, h), sender_of(e, config.identity)?)
            }
            Mode::Encrypt => (
                Self::Hybrid(HybridState::new(backend, config)?),
                kid_of(config.sender),
            ),
        })
    }
}
