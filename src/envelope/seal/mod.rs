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
use framing::{PAYLOAD_ALIGN, Stamp, Work};
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
    #[inline]
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
            sender,
            keys,
            binding,
            iss,
            aud,
            work,
            ..
        } = self;
        let stamp = Stamp {
            iat,
            cti: &cti,
            method,
        };
        let header = |alg, nested| protected_header(sender, iss, aud, &stamp, alg, nested);
        // The encrypt layer builds its header only when it has no cached shape for it.
        match keys {
            SenderKeys::Plain => {
                let p = Protected {
                    alg: None,
                    ..header(0, false)
                };
                (start, end) = work.plain_layer(buf, start, end, &p)?;
            }
            SenderKeys::Mac(key) => {
                let p = header(iana::ALG_HMAC_256_256, false);
                (start, end) = work.mac0_layer(key.as_ref(), buf, start, end, &p)?;
            }
            SenderKeys::Sign(id, key) => {
                let p = header(iana::signature_alg(*id), false);
                (start, end) = work.sign1_layer(*id, key.as_ref(), binding, buf, start, end, &p)?;
            }
            SenderKeys::Aead0(id, key) => {
                let id = *id;
                let p = || header(iana::aead_alg(id), false);
                (start, end) = work.encrypt_layer(key.as_ref(), &[], buf, start, end, &stamp, p)?;
            }
            SenderKeys::Hybrid(h) => {
                let content = h.content;
                h.refresh(work.rng())?;
                let (key, recipients) = h.current()?;
                let p = || header(iana::aead_alg(content), false);
                (start, end) = work.encrypt_layer(key, recipients, buf, start, end, &stamp, p)?;
            }
            SenderKeys::SignHybrid(id, key, h) => {
                // Inner COSE_Sign1, then COSE_Encrypt of it (content type 18, no sender).
                let p = header(iana::signature_alg(*id), false);
                (start, end) = work.sign1_layer(*id, key.as_ref(), binding, buf, start, end, &p)?;
                let content = h.content;
                h.refresh(work.rng())?;
                let (key, recipients) = h.current()?;
                let p = || Protected {
                    sender: None,
                    ..header(iana::aead_alg(content), true)
                };
                (start, end) = work.encrypt_layer(key, recipients, buf, start, end, &stamp, p)?;
            }
        }
        msg.set_wire(start, end);
        Ok(())
    }
}

/// A layer's protected header: the sealer's sender, `iss` and `aud` with this message's
/// `iat`, `cti` and method.
fn protected_header<'a>(
    sender: &'a OwnedSender,
    iss: &'a Option<String>,
    aud: &'a Option<Vec<u8>>,
    stamp: &Stamp<'a>,
    alg: i64,
    nested: bool,
) -> Protected<'a> {
    Protected {
        alg: Some(alg),
        sender: sender.as_id(),
        iat: stamp.iat,
        cti: stamp.cti,
        method: stamp.method,
        nested,
        iss: iss.as_deref().map(str::as_bytes),
        aud: aud.as_deref(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// `iat` values on each side of every CBOR length boundary (1, 2, 3, 5, 9 bytes).
    const IAT_EDGES: [u64; 10] = [
        20,
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
    use crate::backend::ALL_BACKENDS;
    use crate::cose::cbor::Reader;
    use crate::envelope::clock::ManualClock;
    use crate::envelope::fixtures::generate;
    use crate::envelope::keys::{KeyAlg, TrustStore};
    use crate::envelope::open::{OpenOptions, Opener};
    use crate::envelope::{Policy, fixtures::public_only};

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
        let times = IAT_EDGES;
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

    /// The encoded recipients array of a hybrid sealer's current message (empty otherwise).
    fn recipients_len(sealer: &Sealer) -> usize {
        match &sealer.keys {
            SenderKeys::Hybrid(h) | SenderKeys::SignHybrid(_, _, h) => h.current().unwrap().1.len(),
            _ => 0,
        }
    }

    /// Messages written from cached shapes (patched `iat`, `cti`, IV and ciphertext head)
    /// equal, byte for byte, the messages of a sealer that forgets its shapes before every
    /// message (each one encoded from scratch) with the same RNG seed, across `iat` values
    /// whose encoded length changes, alternating methods (more than the cache holds, so
    /// shapes are also evicted and rebuilt) and payload sizes whose ciphertext head
    /// changes length; and every message opens.
    #[test]
    fn cached_layers_equal_fresh_encodings_and_open() {
        let mac = generate(KeyAlg::Hmac256, b"mac", "peer").unwrap();
        let aead = generate(KeyAlg::Aead(AeadId::Aes128Gcm), b"aead", "peer").unwrap();
        let chacha = generate(KeyAlg::Aead(AeadId::ChaCha20Poly1305), b"chacha", "peer").unwrap();
        let sign = generate(
            KeyAlg::Sign(crate::backend::SignatureId::Ed25519),
            b"signer",
            "peer",
        )
        .unwrap();
        let oaep = generate(KeyAlg::RsaOaep256, b"me", "me").unwrap();
        let store = TrustStore {
            entries: vec![
                mac.clone(),
                aead.clone(),
                chacha.clone(),
                public_only(&sign),
                oaep.clone(),
            ],
            policy: Policy::default()
                .allow("peer", &["*"])
                .allow(crate::envelope::keys::ANONYMOUS_ROLE, &["*"]),
            node: None,
        };
        let recipients = [&oaep];
        let configs = [
            (Mode::Encrypt0, Some(&aead), &[][..], AeadId::Aes128Gcm),
            (
                Mode::Encrypt0,
                Some(&chacha),
                &[][..],
                AeadId::ChaCha20Poly1305,
            ),
            (Mode::Encrypt, None, &recipients[..], AeadId::Aes128Gcm),
            (
                Mode::SignEncrypt,
                Some(&sign),
                &recipients[..],
                AeadId::Aes256Gcm,
            ),
            (Mode::Mac0, Some(&mac), &[][..], AeadId::Aes128Gcm),
            (Mode::Sign1, Some(&sign), &[][..], AeadId::Aes128Gcm),
        ];
        let times = IAT_EDGES;
        let sizes = [0usize, 1, 23, 24, 255, 256, 65_536];
        let long = "m".repeat(24);
        // Same-length names differing in one byte (the cache compares names word-wise).
        let methods = [
            "boot_vm",
            "a",
            "boot_vm",
            long.as_str(),
            "boot_vn",
            "get_status",
            "get_stbtus",
            "b",
        ];
        let payload: Vec<u8> = (0..65_536u32).map(|i| (i * 7) as u8).collect();
        let mut checked = 0;
        for &backend in ALL_BACKENDS {
            for (mode, sender, recipients, content) in configs {
                let config = SealConfig {
                    mode,
                    sender,
                    identity: Identity::Kid,
                    recipients,
                    content,
                    cek_reuse: 1 + u32::from(mode == Mode::Encrypt),
                };
                let clock = Arc::new(ManualClock::new(times[0]));
                let make = || {
                    let s = Sealer::new(backend, &config, clock.clone(), Some(7))?;
                    if mode.hybrid() {
                        Ok(s)
                    } else {
                        s.with_audience(&Audience::Kids(vec![b"me".to_vec()]))
                    }
                };
                let (mut fast, mut slow) = match (make(), make()) {
                    (Ok(f), Ok(s)) => (f, s),
                    (Err(EnvelopeError::Unsupported(_)), _) => continue,
                    (Err(e), _) | (_, Err(e)) => panic!("{mode:?} on {}: {e}", backend.name),
                };
                let mut opener =
                    Opener::new(backend, &store, OpenOptions::default(), clock.clone()).unwrap();
                let (mut fast_msg, mut slow_msg) = (MessageBuf::new(), MessageBuf::new());
                let mut n = 0usize;
                for &t in &times {
                    clock.set(t);
                    for &size in &sizes {
                        for _ in 0..2 {
                            let method = methods[n % methods.len()];
                            let what = format!(
                                "{mode:?} on {} at {t}, {size} bytes, {method}",
                                backend.name
                            );
                            n += 1;
                            let payload = &payload[..size];
                            fast.seal_payload(payload, method, &mut fast_msg).unwrap();
                            slow.work.forget_shapes();
                            slow.seal_payload(payload, method, &mut slow_msg).unwrap();
                            let (f, s) = (fast_msg.wire(), slow_msg.wire());
                            assert_eq!(f.len(), s.len(), "{what}");
                            // RSA-OAEP recipients are randomized by the backend: everything
                            // before them must match.
                            let same = f.len() - recipients_len(&fast);
                            assert_eq!(hex::encode(&f[..same]), hex::encode(&s[..same]), "{what}");
                            let mut wire = f.to_vec();
                            let opened = opener
                                .open(&mut wire)
                                .unwrap_or_else(|e| panic!("{what}: {e}"));
                            assert_eq!(
                                (opened.payload, opened.method, opened.iat),
                                (payload, method, t),
                                "{what}"
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked >= 6 * 9 * 7 * 2, "{checked} messages checked");
    }
}
