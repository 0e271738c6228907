//! Sealing: one [`Sealer`] per sender key (and recipient set), reused for every message.
//!
//! The hot path does not allocate and does not copy the payload: the caller writes the
//! payload into a [`MessageBuf`] at the offset the sealer reserved, the sealer MACs, signs
//! or encrypts it where it lies and writes the headers into the room before it and the
//! tag, signature or recipients after it. Nonces: each message gets a fresh random 96-bit
//! IV from a ChaCha12 generator seeded from the OS once per sealer (never `getrandom` per
//! message); a sealer refuses to seal more than [`MESSAGES_PER_KEY`] messages, the NIST SP
//! 800-38D §8.3 bound for random IVs, so the IV collision probability stays below 2^-32.
//! `cti` is a 4-byte random stream prefix and an 8-byte counter (see `replay.rs`).

use std::sync::Arc;

use rand::{Rng, SeedableRng, rngs::StdRng};
use zeroize::Zeroizing;

use super::cbor::{MAJOR_ARRAY, MAJOR_BSTR, MAJOR_MAP, MAJOR_TAG, Writer};
use super::clock::Clock;
use super::error::EnvelopeError;
use super::header::{Protected, SenderId};
use super::iana::{self, TAG_ENCRYPT, TAG_ENCRYPT0, TAG_MAC0, TAG_SIGN1};
use super::keys::{KeyAlg, KeyEntry, KeyMaterial, cert_thumbprint};
use super::mode::{Identity, Mode};
use super::recipient::{self, PROTECTED_ECDH_ES, PROTECTED_OAEP};
use super::structure::{self, CTX_ENCRYPT, CTX_ENCRYPT0, CTX_MAC0, CTX_SIGNATURE1};
use crate::backend::{
    Aead, AeadId, AeadKey, Backend, EncryptingKey, Kdf, KeyAgreement, KeyAgreementId, MacKey,
    SignatureId, SigningKey,
};

/// Alignment of the payload in a [`MessageBuf`] (a cache line).
const PAYLOAD_ALIGN: usize = 64;

/// Messages one sealer (one key) may seal: 2^32, the SP 800-38D limit for random 96-bit IVs.
pub const MESSAGES_PER_KEY: u64 = 1 << 32;

/// What to seal with.
#[derive(Debug, Clone, Copy)]
pub struct SealConfig<'a> {
    /// Protection mode.
    pub mode: Mode,
    /// The sender's key: the shared symmetric key (Mac0, Encrypt0), the signing key pair
    /// (Sign1, SignEncrypt), or any entry naming the sender (Plain); `None` for an
    /// anonymous Encrypt.
    pub sender: Option<&'a KeyEntry>,
    /// How a signing sender identifies itself.
    pub identity: Identity,
    /// Recipients' public keys (Encrypt, SignEncrypt).
    pub recipients: &'a [&'a KeyEntry],
    /// Content encryption algorithm (Encrypt, SignEncrypt).
    pub content: AeadId,
    /// Messages per content key in hybrid modes (1 = a fresh content key per message).
    pub cek_reuse: u32,
}

/// A message being built: room before and after the payload, reserved by a sealer.
#[derive(Debug, Default, Clone)]
pub struct MessageBuf {
    buf: Vec<u8>,
    payload_at: usize,
    payload_len: usize,
    start: usize,
    end: usize,
}

impl MessageBuf {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The sealed message.
    pub fn wire(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }

    /// The sealed message, mutable (to open it in place in a loopback test).
    pub fn wire_mut(&mut self) -> &mut [u8] {
        self.buf.get_mut(self.start..self.end).unwrap_or_default()
    }
}

enum Hybrid {
    Oaep(Vec<(Vec<u8>, Box<dyn EncryptingKey>)>),
    Ecdh {
        kid: Vec<u8>,
        id: KeyAgreementId,
        ka: &'static dyn KeyAgreement,
        kdf: &'static dyn Kdf,
        peer: Vec<u8>,
    },
}

struct HybridState {
    content: AeadId,
    aead: &'static dyn Aead,
    kind: Hybrid,
    reuse: u32,
    uses: u32,
    key: Option<Box<dyn AeadKey>>,
    recipients: Vec<u8>,
    recipients_len: usize,
}

/// Seals messages for one sender configuration on one backend.
pub struct Sealer {
    mode: Mode,
    sender: OwnedSender,
    mac: Option<Box<dyn MacKey>>,
    signer: Option<(SignatureId, Box<dyn SigningKey>)>,
    aead0: Option<(AeadId, Box<dyn AeadKey>)>,
    hybrid: Option<HybridState>,
    binding: Vec<u8>,
    clock: Arc<dyn Clock>,
    prefix: [u8; 4],
    counter: u64,
    limit: u64,
    head: usize,
    tail: usize,
    work: Work,
}

/// Buffers and the IV generator, kept apart from the keys so layers can borrow both.
struct Work {
    rng: StdRng,
    protected: Vec<u8>,
    scratch: Vec<u8>,
}

enum OwnedSender {
    None,
    Kid(Vec<u8>),
    X5t([u8; 32]),
    X5chain(Vec<u8>),
    Spki(Vec<u8>),
}

impl OwnedSender {
    fn as_id(&self) -> Option<SenderId<'_>> {
        match self {
            Self::None => None,
            Self::Kid(k) => Some(SenderId::Kid(k)),
            Self::X5t(h) => Some(SenderId::X5t(h)),
            Self::X5chain(c) => Some(SenderId::X5chain(c)),
            Self::Spki(s) => Some(SenderId::Spki(s)),
        }
    }

    fn len(&self) -> usize {
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

/// The CBOR array of recipient kids a nested signature is bound to (its external_aad), so
/// a recipient cannot re-encrypt a signed message to someone else (surreptitious forwarding).
pub fn recipient_binding<'k>(
    kids: impl ExactSizeIterator<Item = &'k [u8]>,
) -> Result<Vec<u8>, EnvelopeError> {
    let mut out = vec![0u8; 9 + kids.len() * (9 + super::header::MAX_KID_LEN)];
    let mut w = Writer::new(&mut out);
    w.head(MAJOR_ARRAY, kids.len() as u64)?;
    for kid in kids {
        w.bstr(kid)?;
    }
    let n = w.len();
    out.truncate(n);
    Ok(out)
}

impl Sealer {
    /// Prepares keys on `backend` for `config`. The IV generator is seeded from the OS, or
    /// from `seed` for reproducible golden vectors.
    pub fn new(
        backend: &Backend,
        config: &SealConfig<'_>,
        clock: Arc<dyn Clock>,
        seed: Option<u64>,
    ) -> Result<Self, EnvelopeError> {
        let mut rng = match seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => rand::make_rng::<StdRng>(),
        };
        let mut prefix = [0u8; 4];
        rng.fill_bytes(&mut prefix);
        let need_sender = || {
            config
                .sender
                .ok_or(EnvelopeError::Config("this mode needs a sender key"))
        };
        let (mut mac, mut signer, mut aead0, mut hybrid) = (None, None, None, None);
        let sender = match config.mode {
            Mode::Plain => config
                .sender
                .map_or(OwnedSender::None, |e| OwnedSender::Kid(e.kid.clone())),
            Mode::Mac0 => {
                let e = need_sender()?;
                if e.alg != KeyAlg::Hmac256 {
                    return Err(EnvelopeError::WrongKeyType);
                }
                mac =
                    Some((backend.mac)(crate::backend::MacId::HmacSha256)?.new_key(symmetric(e)?)?);
                OwnedSender::Kid(e.kid.clone())
            }
            Mode::Encrypt0 => {
                let e = need_sender()?;
                let KeyAlg::Aead(id) = e.alg else {
                    return Err(EnvelopeError::WrongKeyType);
                };
                aead0 = Some((
                    id,
                    (backend.aead)(id)?.new_key(symmetric(e)?, id.default_params())?,
                ));
                OwnedSender::Kid(e.kid.clone())
            }
            Mode::Sign1 | Mode::SignEncrypt => {
                let e = need_sender()?;
                let (KeyAlg::Sign(id), KeyMaterial::Private { pkcs8, .. }) = (e.alg, &e.material)
                else {
                    return Err(EnvelopeError::WrongKeyType);
                };
                signer = Some((id, (backend.signature)(id)?.signing_key(pkcs8)?));
                sender_of(e, config.identity)?
            }
            Mode::Encrypt => config
                .sender
                .map_or(OwnedSender::None, |e| OwnedSender::Kid(e.kid.clone())),
        };
        let mut binding = Vec::new();
        if config.mode.hybrid() {
            let state = hybrid_state(backend, config)?;
            if config.mode == Mode::SignEncrypt {
                binding = recipient_binding(config.recipients.iter().map(|r| r.kid.as_slice()))?;
            }
            hybrid = Some(state);
        }
        let p_max = Protected::max_len(sender.len());
        let recipients_max = config
            .recipients
            .iter()
            .map(|r| recipient::max_recipient_len(r.kid.len()))
            .sum::<usize>();
        let layer_head = 16 + 11 + 9 + p_max + 9 + binding.len() + 9 + 15;
        Ok(Self {
            mode: config.mode,
            head: 2 * layer_head,
            tail: 2 * (9 + 512 + 16 + 9) + recipients_max,
            work: Work {
                rng,
                protected: vec![0u8; p_max],
                scratch: vec![0u8; layer_head + p_max],
            },
            sender,
            mac,
            signer,
            aead0,
            hybrid,
            binding,
            clock,
            prefix,
            counter: 0,
            limit: MESSAGES_PER_KEY,
        })
    }

    /// Lowers this sealer's message limit below [`MESSAGES_PER_KEY`] (a deployment that
    /// shares one key among many senders divides the budget); it can never be raised.
    pub fn with_message_limit(mut self, limit: u64) -> Self {
        self.limit = self.limit.min(limit);
        self
    }

    /// The most messages this sealer will seal.
    pub fn message_limit(&self) -> u64 {
        self.limit
    }

    /// Messages sealed so far.
    pub fn sealed(&self) -> u64 {
        self.counter
    }

    /// The protection mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Reserves room for a `len`-byte payload and returns the slice to write it into.
    ///
    /// The payload starts on a 64-byte boundary, so vector AES code reads it with aligned
    /// loads (the headers before it take whatever room they need from the reserve).
    pub fn payload_buf<'b>(&self, msg: &'b mut MessageBuf, len: usize) -> &'b mut [u8] {
        let total = self.head + PAYLOAD_ALIGN + len + self.tail;
        if msg.buf.len() < total {
            msg.buf.resize(total, 0);
        }
        let misalign = (msg.buf.as_ptr().addr() + self.head) % PAYLOAD_ALIGN;
        let at = self.head + (PAYLOAD_ALIGN - misalign) % PAYLOAD_ALIGN;
        msg.payload_at = at;
        msg.payload_len = len;
        msg.start = at;
        msg.end = at;
        msg.buf.get_mut(at..at + len).unwrap_or_default()
    }

    /// Copies `payload` into `msg` and seals it (convenience; [`Sealer::payload_buf`] +
    /// [`Sealer::seal`] avoid the copy).
    pub fn seal_payload(
        &mut self,
        payload: &[u8],
        method: &str,
        msg: &mut MessageBuf,
    ) -> Result<(), EnvelopeError> {
        self.payload_buf(msg, payload.len())
            .copy_from_slice(payload);
        self.seal(method, msg)
    }

    /// Seals the payload placed with [`Sealer::payload_buf`] as a call of `method`.
    pub fn seal(&mut self, method: &str, msg: &mut MessageBuf) -> Result<(), EnvelopeError> {
        if method.len() > super::header::MAX_METHOD_LEN {
            return Err(EnvelopeError::TooLarge("method name longer than 255 bytes"));
        }
        if self.counter >= self.limit {
            return Err(EnvelopeError::KeyExhausted);
        }
        if msg.payload_at < self.head
            || msg.buf.len() < msg.payload_at + msg.payload_len + self.tail
        {
            return Err(EnvelopeError::Config(
                "payload buffer was not reserved by this sealer",
            ));
        }
        let mut cti = [0u8; 12];
        let (p, c) = cti.split_at_mut(4);
        p.copy_from_slice(&self.prefix);
        c.copy_from_slice(&self.counter.to_be_bytes());
        self.counter += 1;
        let iat = self.clock.now_s();
        let (mut start, mut end) = (msg.payload_at, msg.payload_at + msg.payload_len);
        let buf = msg.buf.as_mut_slice();
        let Self {
            mode,
            sender,
            mac,
            signer,
            aead0,
            hybrid,
            binding,
            work,
            ..
        } = self;
        let mode = *mode;

        // Inner layer: authenticate (or frame) the payload.
        let inner_alg = match mode {
            Mode::Mac0 => Some(iana::ALG_HMAC_256_256),
            Mode::Sign1 | Mode::SignEncrypt => {
                signer.as_ref().map(|(id, _)| iana::signature_alg(*id))
            }
            Mode::Plain | Mode::Encrypt0 | Mode::Encrypt => None,
        };
        let inner = Protected {
            alg: inner_alg,
            sender: sender.as_id(),
            iat,
            cti: &cti,
            method,
            nested: false,
        };
        match (mode, mac.as_deref(), signer.as_ref()) {
            (Mode::Plain, _, _) => (start, end) = work.plain_layer(buf, start, end, &inner)?,
            (Mode::Mac0, Some(key), _) => {
                (start, end) = work.mac0_layer(key, buf, start, end, &inner)?
            }
            (Mode::Sign1 | Mode::SignEncrypt, _, Some((id, key))) => {
                (start, end) =
                    work.sign1_layer(*id, key.as_ref(), binding, buf, start, end, &inner)?;
            }
            (Mode::Encrypt0 | Mode::Encrypt, _, _) => {}
            _ => return Err(EnvelopeError::Config("sealer has no key for its mode")),
        }
        // Outer layer: encrypt.
        match (mode, aead0.as_ref(), hybrid.as_mut()) {
            (Mode::Encrypt0, Some((id, key)), _) => {
                let outer = Protected {
                    alg: Some(iana::aead_alg(*id)),
                    ..inner
                };
                (start, end) = work.encrypt_layer(key.as_ref(), &[], buf, start, end, &outer)?;
            }
            (Mode::Encrypt | Mode::SignEncrypt, _, Some(h)) => {
                let nested = mode == Mode::SignEncrypt;
                let outer = Protected {
                    alg: Some(iana::aead_alg(h.content)),
                    sender: if nested { None } else { sender.as_id() },
                    nested,
                    ..inner
                };
                h.refresh(&mut work.rng)?;
                let key = h
                    .key
                    .as_deref()
                    .ok_or(EnvelopeError::Config("no content key"))?;
                let recipients = h.recipients.get(..h.recipients_len).unwrap_or_default();
                (start, end) = work.encrypt_layer(key, recipients, buf, start, end, &outer)?;
            }
            (Mode::Plain | Mode::Mac0 | Mode::Sign1, _, _) => {}
            _ => return Err(EnvelopeError::Config("sealer has no key for its mode")),
        }
        msg.start = start;
        msg.end = end;
        Ok(())
    }
}

impl Work {
    fn encode_protected(&mut self, p: &Protected<'_>) -> Result<usize, EnvelopeError> {
        let mut w = Writer::new(&mut self.protected);
        p.encode(&mut w)?;
        Ok(w.len())
    }

    fn plain_layer(
        &mut self,
        buf: &mut [u8],
        start: usize,
        end: usize,
        p: &Protected<'_>,
    ) -> Layer {
        let n = self.encode_protected(p)?;
        let prot = self.protected.get(..n).unwrap_or_default();
        let mut w = Writer::new(&mut self.scratch);
        w.head(MAJOR_ARRAY, 3)?;
        w.bstr(prot)?;
        w.head(MAJOR_MAP, 0)?;
        w.head(MAJOR_BSTR, (end - start) as u64)?;
        Ok((put_before(buf, start, w.written())?, end))
    }

    fn mac0_layer(
        &mut self,
        key: &dyn MacKey,
        buf: &mut [u8],
        start: usize,
        end: usize,
        p: &Protected<'_>,
    ) -> Layer {
        let n = self.encode_protected(p)?;
        let prot = self.protected.get(..n).unwrap_or_default();
        let mut w = Writer::new(&mut self.scratch);
        structure::to_be_authenticated_prefix(&mut w, CTX_MAC0, prot, &[], end - start)?;
        let mut tag = [0u8; 32];
        key.sign(
            &[w.written(), buf.get(start..end).unwrap_or_default()],
            &mut tag,
        )?;
        let mut w = Writer::new(&mut self.scratch);
        w.head(MAJOR_TAG, TAG_MAC0)?;
        w.head(MAJOR_ARRAY, 4)?;
        w.bstr(prot)?;
        w.head(MAJOR_MAP, 0)?;
        w.head(MAJOR_BSTR, (end - start) as u64)?;
        let start = put_before(buf, start, w.written())?;
        let end = put_after(buf, end, &[0x58, 32])?;
        Ok((start, put_after(buf, end, &tag)?))
    }

    #[allow(clippy::too_many_arguments)]
    fn sign1_layer(
        &mut self,
        id: SignatureId,
        key: &dyn SigningKey,
        binding: &[u8],
        buf: &mut [u8],
        start: usize,
        end: usize,
        p: &Protected<'_>,
    ) -> Layer {
        let n = self.encode_protected(p)?;
        let prot = self.protected.get(..n).unwrap_or_default();
        // Write the Sig_structure prefix in front of the payload and sign in place.
        let mut w = Writer::new(&mut self.scratch);
        structure::to_be_authenticated_prefix(&mut w, CTX_SIGNATURE1, prot, binding, end - start)?;
        let tbs_start = put_before(buf, start, w.written())?;
        let mut sig = [0u8; 512];
        let sig_len = key.sign(buf.get(tbs_start..end).unwrap_or_default(), &mut sig)?;
        if sig_len != id.signature_len() {
            return Err(EnvelopeError::Key(crate::backend::Error::BadLength(
                "signature",
            )));
        }
        let mut w = Writer::new(&mut self.scratch);
        w.head(MAJOR_TAG, TAG_SIGN1)?;
        w.head(MAJOR_ARRAY, 4)?;
        w.bstr(prot)?;
        w.head(MAJOR_MAP, 0)?;
        w.head(MAJOR_BSTR, (end - start) as u64)?;
        let start = put_before(buf, start, w.written())?;
        let mut h = [0u8; 3];
        let mut hw = Writer::new(&mut h);
        hw.head(MAJOR_BSTR, sig_len as u64)?;
        let end = put_after(buf, end, hw.written())?;
        Ok((
            start,
            put_after(buf, end, sig.get(..sig_len).unwrap_or_default())?,
        ))
    }

    /// COSE_Encrypt0 when `recipients` is empty, else COSE_Encrypt with those recipients.
    fn encrypt_layer(
        &mut self,
        key: &dyn AeadKey,
        recipients: &[u8],
        buf: &mut [u8],
        start: usize,
        end: usize,
        p: &Protected<'_>,
    ) -> Layer {
        let hybrid = !recipients.is_empty();
        let mut iv = [0u8; 12];
        self.rng.fill_bytes(&mut iv);
        let n = self.encode_protected(p)?;
        let prot = self.protected.get(..n).unwrap_or_default();
        let context = if hybrid { CTX_ENCRYPT } else { CTX_ENCRYPT0 };
        let mut w = Writer::new(&mut self.scratch);
        structure::enc_structure(
            &mut w,
            context,
            prot,
            structure::content_external_aad(context, prot),
        )?;
        let ct_end = end
            .checked_add(key.params().tag_len)
            .ok_or(EnvelopeError::TooLarge("payload"))?;
        let region = buf
            .get_mut(start..ct_end)
            .ok_or(EnvelopeError::TooLarge("trailer room"))?;
        key.seal_in_place(&iv, w.written(), region)?;

        let mut w = Writer::new(&mut self.scratch);
        if hybrid {
            w.head(MAJOR_TAG, TAG_ENCRYPT)?;
            w.head(MAJOR_ARRAY, 4)?;
        } else {
            w.head(MAJOR_TAG, TAG_ENCRYPT0)?;
            w.head(MAJOR_ARRAY, 3)?;
        }
        w.bstr(prot)?;
        w.head(MAJOR_MAP, 1)?;
        w.int(iana::HDR_IV)?;
        w.bstr(&iv)?;
        w.head(MAJOR_BSTR, (ct_end - start) as u64)?;
        let start = put_before(buf, start, w.written())?;
        Ok((start, put_after(buf, ct_end, recipients)?))
    }
}

/// New (start, end) of the message region after a layer.
type Layer = Result<(usize, usize), EnvelopeError>;

/// Writes `head` right before `start`; returns the new start.
fn put_before(buf: &mut [u8], start: usize, head: &[u8]) -> Result<usize, EnvelopeError> {
    let at = start
        .checked_sub(head.len())
        .ok_or(EnvelopeError::TooLarge("header room"))?;
    buf.get_mut(at..start)
        .ok_or(EnvelopeError::TooLarge("header room"))?
        .copy_from_slice(head);
    Ok(at)
}

fn put_after(buf: &mut [u8], end: usize, bytes: &[u8]) -> Result<usize, EnvelopeError> {
    let new_end = end + bytes.len();
    buf.get_mut(end..new_end)
        .ok_or(EnvelopeError::TooLarge("trailer room"))?
        .copy_from_slice(bytes);
    Ok(new_end)
}

fn hybrid_state(backend: &Backend, config: &SealConfig<'_>) -> Result<HybridState, EnvelopeError> {
    let recipients = config.recipients;
    if recipients.is_empty() {
        return Err(EnvelopeError::Config(
            "hybrid modes need at least one recipient",
        ));
    }
    let kind = match recipients {
        [one] if matches!(one.alg, KeyAlg::EcdhEs(_)) => {
            let KeyAlg::EcdhEs(id) = one.alg else {
                return Err(EnvelopeError::WrongKeyType);
            };
            let spki = one.material.spki().ok_or(EnvelopeError::WrongKeyType)?;
            Hybrid::Ecdh {
                kid: one.kid.clone(),
                id,
                ka: (backend.key_agreement)(id)?,
                kdf: (backend.kdf)(crate::backend::KdfId::HkdfSha256)?,
                peer: super::keys::agreement_public(spki, id)?,
            }
        }
        many => {
            let kt = (backend.key_transport)(crate::backend::KeyTransportId::RsaOaep2048Sha256)?;
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
            Hybrid::Oaep(keys)
        }
    };
    let max = recipients
        .iter()
        .map(|r| recipient::max_recipient_len(r.kid.len()))
        .sum::<usize>()
        + 9;
    Ok(HybridState {
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

impl HybridState {
    /// Makes a new content key and recipients unless the current one may be reused.
    fn refresh(&mut self, rng: &mut StdRng) -> Result<(), EnvelopeError> {
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
            Hybrid::Oaep(keys) => {
                rng.fill_bytes(cek);
                w.head(MAJOR_ARRAY, keys.len() as u64)?;
                let mut ct = [0u8; 512];
                for (kid, key) in keys {
                    let n = key.encrypt(cek, &[], &mut ct)?;
                    recipient::write_recipient(
                        &mut w,
                        &PROTECTED_OAEP,
                        kid,
                        None,
                        ct.get(..n).unwrap_or_default(),
                    )?;
                }
            }
            Hybrid::Ecdh {
                kid,
                id,
                ka,
                kdf,
                peer,
            } => {
                let eph = ka.generate()?;
                let mut public = [0u8; 65];
                let pn = eph.public_key(&mut public)?;
                let mut z = Zeroizing::new([0u8; 32]);
                let zn = eph.agree(peer, z.as_mut_slice())?;
                recipient::derive_direct_cek(
                    *kdf,
                    z.get(..zn).unwrap_or_default(),
                    self.content,
                    cek,
                )?;
                w.head(MAJOR_ARRAY, 1)?;
                recipient::write_recipient(
                    &mut w,
                    &PROTECTED_ECDH_ES,
                    kid,
                    Some((*id, public.get(..pn).unwrap_or_default())),
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
