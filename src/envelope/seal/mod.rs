//! Sealing: one [`Sealer`] per sender key (and recipient set), reused for every message.
//!
//! The hot path does not allocate and does not copy the payload: the caller writes the
//! payload into a [`MessageBuf`] at the offset the sealer reserved, the sealer MACs, signs
//! or encrypts it where it lies and writes the headers into the room before it and the
//! tag, signature or recipients after it. Nonces: each message gets a fresh random 96-bit
//! IV from a ChaCha12 generator seeded from the OS once per sealer (never `getrandom` per
//! message); a sealer refuses to seal more than [`MESSAGES_PER_KEY`] messages, the NIST SP
//! 800-38D §8.3 bound for random IVs, so the IV collision probability stays below 2^-32.
//! `cti` is a 4-byte random stream prefix and an 8-byte counter (see `replay`).
//!
//! Files: `keys.rs` (the sender's keys per mode), `hybrid.rs` (content keys and
//! recipients), `framing.rs` (the layers written around the payload).

mod framing;
mod hybrid;
mod keys;

use std::sync::Arc;

use rand::{Rng, SeedableRng, rngs::StdRng};

use super::audience::{Audience, kid_name};
use super::clock::Clock;
use super::error::EnvelopeError;
use super::header::Protected;
use super::keys::KeyEntry;
use super::mode::{Identity, Mode};
use crate::backend::{AeadId, Backend};
use crate::cose::iana;

pub use framing::{MessageBuf, recipient_binding};
use framing::{PAYLOAD_ALIGN, Work};
use keys::{OwnedSender, SenderKeys};

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

/// Seals messages for one sender configuration on one backend.
pub struct Sealer {
    mode: Mode,
    sender: OwnedSender,
    keys: SenderKeys,
    /// The inner signature's external_aad in sign-encrypt: the recipient kids.
    binding: Vec<u8>,
    /// Encoded `iss` name (this node), if known.
    iss: Option<String>,
    /// Encoded `aud` claim value, if any.
    aud: Option<Vec<u8>>,
    clock: Arc<dyn Clock>,
    prefix: [u8; 4],
    counter: u64,
    limit: u64,
    head: usize,
    tail: usize,
    work: Work,
}

impl Sealer {
    /// Prepares keys on `backend` for `config`. The IV generator is seeded from the OS, or
    /// from `seed` for reproducible golden vectors.
    ///
    /// Hybrid modes address their recipients' kids by default; other modes carry no
    /// audience until [`Sealer::with_audience`] names one (receivers refuse messages
    /// without an audience unless they opt in).
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
        let (keys, sender) = SenderKeys::new(backend, config)?;
        let mut binding = Vec::new();
        let mut aud = None;
        if config.mode.hybrid() {
            let kids = config.recipients.iter().map(|r| r.kid.as_slice());
            if config.mode == Mode::SignEncrypt {
                binding = recipient_binding(kids.clone())?;
            }
            aud = Some(Audience::Kids(kids.map(<[u8]>::to_vec).collect()).encode()?);
        }
        let recipients_max = config
            .recipients
            .iter()
            .map(|r| super::recipient::max_recipient_len(r.kid.len()))
            .sum::<usize>();
        let mut sealer = Self {
            mode: config.mode,
            head: 0,
            tail: 2 * (9 + 512 + 16 + 9) + recipients_max,
            work: Work::new(rng),
            sender,
            keys,
            binding,
            iss: None,
            aud,
            clock,
            prefix,
            counter: 0,
            limit: MESSAGES_PER_KEY,
        };
        sealer.size_buffers();
        Ok(sealer)
    }

    /// Sizes the header room for the current sender, claims and binding.
    fn size_buffers(&mut self) {
        let claims =
            self.iss.as_ref().map_or(0, |s| s.len() + 9) + self.aud.as_ref().map_or(0, Vec::len);
        let p_max = Protected::max_len(self.sender.len(), claims);
        let layer_head = 16 + 11 + 9 + p_max + 9 + self.binding.len() + 9 + 15;
        self.head = 2 * layer_head;
        self.work.size(p_max, layer_head + p_max);
    }

    /// Names the receivers every message is for (CWT `aud`): their kids, or a role.
    pub fn with_audience(mut self, audience: &Audience) -> Result<Self, EnvelopeError> {
        self.aud = Some(audience.encode()?);
        self.size_buffers();
        Ok(self)
    }

    /// Names the sending node (CWT `iss`, its `[node]` kid), so a receiver holding the same
    /// symmetric key refuses this node's messages reflected back to it.
    pub fn with_issuer(mut self, node_kid: &[u8]) -> Result<Self, EnvelopeError> {
        let name = kid_name(node_kid);
        super::audience::check_name(name.as_bytes())
            .map_err(|_| EnvelopeError::Config("issuer kid too long"))?;
        self.iss = Some(name);
        self.size_buffers();
        Ok(self)
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
        msg.reserve(self.head, PAYLOAD_ALIGN, len, self.tail)
    }

    /// Copies `payload` into `msg` and seals it (convenience; [`Sealer::payload_buf`] +
    /// [`Sealer::seal`] avoid the copy).
    pub fn seal_payload(
        &mut self,
        payload: &[u8],
        method: &str,
        msg: &mut MessageBuf,
    ) -> Result<(), EnvelopeError> {
        let buf = self.payload_buf(msg, payload.len());
        if buf.len() != payload.len() {
            return Err(EnvelopeError::TooLarge("payload"));
        }
        buf.copy_from_slice(payload);
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
        let (mut start, mut end) = msg.payload_region(self.head, self.tail)?;
        let mut cti = [0u8; 12];
        let (p, c) = cti.split_at_mut(4);
        p.copy_from_slice(&self.prefix);
        c.copy_from_slice(&self.counter.to_be_bytes());
        self.counter += 1;
        let iat = self.clock.now_s();
        let buf = msg.buf_mut();
        let Self {
            mode,
            sender,
            keys,
            binding,
            iss,
            aud,
            work,
            ..
        } = self;
        let mode = *mode;

        // Inner layer: authenticate (or frame) the payload.
        let inner = Protected {
            alg: keys.inner_alg(),
            sender: sender.as_id(),
            iat,
            cti: &cti,
            method,
            nested: false,
            iss: iss.as_deref().map(str::as_bytes),
            aud: aud.as_deref(),
        };
        match keys {
            SenderKeys::Plain => (start, end) = work.plain_layer(buf, start, end, &inner)?,
            SenderKeys::Mac(key) => {
                (start, end) = work.mac0_layer(key.as_ref(), buf, start, end, &inner)?;
            }
            SenderKeys::Sign(id, key) | SenderKeys::SignHybrid(id, key, _) => {
                (start, end) =
                    work.sign1_layer(*id, key.as_ref(), binding, buf, start, end, &inner)?;
            }
            SenderKeys::Aead0(..) | SenderKeys::Hybrid(_) => {}
        }
        // Outer layer: encrypt.
        match keys {
            SenderKeys::Aead0(id, key) => {
                let outer = Protected {
                    alg: Some(iana::aead_alg(*id)),
                    ..inner
                };
                (start, end) = work.encrypt_layer(key.as_ref(), &[], buf, start, end, &outer)?;
            }
            SenderKeys::Hybrid(h) | SenderKeys::SignHybrid(_, _, h) => {
                let nested = mode == Mode::SignEncrypt;
                let outer = Protected {
                    alg: Some(iana::aead_alg(h.content)),
                    sender: if nested { None } else { sender.as_id() },
                    nested,
                    ..inner
                };
                h.refresh(work.rng())?;
                let (key, recipients) = h.current()?;
                (start, end) = work.encrypt_layer(key, recipients, buf, start, end, &outer)?;
            }
            SenderKeys::Plain | SenderKeys::Mac(_) | SenderKeys::Sign(..) => {}
        }
        msg.set_wire(start, end);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::backend::ALL_BACKENDS;
    use crate::cose::cbor::Reader;
    use crate::envelope::clock::ManualClock;
    use crate::envelope::fixtures::generate;
    use crate::envelope::keys::KeyAlg;

    /// Patched header shapes equal a fresh encoding: every message's protected header
    /// parses strictly to this message's iat, cti and method, across iat lengths.
    #[test]
    fn patched_headers_equal_fresh_encodings() {
        let key = generate(KeyAlg::Hmac256, b"k", "r").unwrap();
        let clock = Arc::new(ManualClock::new(20));
        let config = SealConfig {
            mode: Mode::Mac0,
            sender: Some(&key),
            identity: Identity::Kid,
            recipients: &[],
            content: AeadId::Aes128Gcm,
            cek_reuse: 1,
        };
        let backend = ALL_BACKENDS.first().copied().unwrap();
        let mut sealer = Sealer::new(backend, &config, clock.clone(), Some(1))
            .unwrap()
            .with_audience(&Audience::Role("r".into()))
            .unwrap()
            .with_issuer(b"me")
            .unwrap();
        let mut msg = MessageBuf::new();
        let times = [
            20u64,
            23,
            24,
            25,
            255,
            256,
            65_535,
            65_536,
            1 << 32,
            (1 << 32) + 1,
        ];
        for (i, &t) in times.iter().enumerate() {
            clock.set(t);
            let method = if i % 3 == 0 { "a" } else { "boot_vm" };
            sealer.seal_payload(b"x", method, &mut msg).unwrap();
            let mut r = Reader::new(msg.wire());
            r.tag().unwrap();
            r.array().unwrap();
            let fresh = Protected::parse(r.bstr().unwrap()).unwrap();
            assert_eq!((fresh.iat, fresh.method), (t, method), "message {i}");
            assert_eq!(fresh.cti[4..], (i as u64).to_be_bytes(), "message {i}");
            assert_eq!(fresh.iss, Some(&b"kid:me"[..]));
        }
    }
}
