//! Opening: parse strictly, find the key, authenticate, then check freshness, replay and
//! policy — in that order, so a tampered message fails as `Authentication` and forged
//! messages never touch the replay state. Encrypted payloads are decrypted in place; on any
//! failure after decryption the plaintext is zeroed before the error is returned, and a
//! message that fails to decrypt is never treated as plain.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use zeroize::Zeroizing;

use super::cbor::{MAJOR_ARRAY, MAJOR_TAG, Reader, Writer};
use super::clock::Clock;
use super::error::EnvelopeError;
use super::header::{self, Protected, SenderId};
use super::iana::{self, TAG_ENCRYPT, TAG_ENCRYPT0, TAG_MAC0, TAG_SIGN1};
use super::keys::{
    ANONYMOUS_ROLE, KeyAlg, KeyMaterial, Policy, TrustStore, cert_thumbprint, fingerprint,
};
use super::mode::Mode;
use super::recipient::{self, Recipient};
use super::replay::{DEFAULT_MAX_STREAMS, ReplayGuard, split_cti};
use super::seal::recipient_binding;
use super::structure::{self, CTX_ENCRYPT, CTX_ENCRYPT0, CTX_MAC0, CTX_SIGNATURE1};
use crate::backend::{
    AeadKey, AgreementKey, Backend, DecryptingKey, KdfId, KeyAgreementId, MacId, MacKey,
    SignatureId, Unsupported, VerifyingKey,
};

/// A recovered content key, the index of our recipient entry, and the recipient binding
/// a nested signature must carry.
type ContentKey = (Box<dyn AeadKey>, usize, Vec<u8>);

/// Receiver options.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Freshness window in seconds, applied to both directions of clock skew.
    pub window_s: u64,
    /// Learn unknown signers' public keys from the `-65538` header (MCollective's
    /// `learn_pubkeys`). Off by default: unknown keys are rejected.
    pub learn_keys: bool,
    /// Role given to learned keys.
    pub learned_role: String,
    /// Accept plain messages from entries marked `legacy` (a migration window). Off by default.
    pub accept_plain_from_legacy: bool,
    /// Bound on tracked replay streams.
    pub max_streams: usize,
    /// Bound on learned keys.
    pub max_learned: usize,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            window_s: 300,
            learn_keys: false,
            learned_role: ANONYMOUS_ROLE.to_string(),
            accept_plain_from_legacy: false,
            max_streams: DEFAULT_MAX_STREAMS,
            max_learned: 1024,
        }
    }
}

enum Prepared {
    Mac(Box<dyn MacKey>),
    Aead(Box<dyn AeadKey>),
    Verify(SignatureId, Box<dyn VerifyingKey>),
    Decrypt(Box<dyn DecryptingKey>),
    Agree(KeyAgreementId, Box<dyn AgreementKey>),
    /// A public key-transport/agreement key: only useful to a sealer.
    SealOnly,
    /// The backend cannot use this key.
    Unavailable(Unsupported),
}

struct Entry {
    kid: Vec<u8>,
    role: String,
    /// The methods `role` may call, resolved from the policy once.
    methods: Arc<MethodSet>,
    alg: KeyAlg,
    legacy: bool,
    key: Prepared,
}

/// One role's allowed methods, for a hash lookup per message instead of a policy walk.
#[derive(Debug, Default)]
struct MethodSet {
    all: bool,
    methods: HashSet<String, foldhash::fast::RandomState>,
}

impl MethodSet {
    fn of(policy: &Policy, role: &str) -> Arc<Self> {
        let methods: HashSet<String, _> = policy
            .roles
            .get(role)
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        Arc::new(Self {
            all: methods.contains("*"),
            methods,
        })
    }

    #[inline]
    fn allows(&self, method: &str) -> bool {
        self.all || self.methods.contains(method)
    }
}

/// A verified message. `payload` and `method` point into the caller's buffer.
#[derive(Debug, PartialEq, Eq)]
pub struct Opened<'m> {
    /// How the message was protected.
    pub mode: Mode,
    /// The payload (decrypted in place for encrypted modes).
    pub payload: &'m [u8],
    /// The RPC method.
    pub method: &'m str,
    /// CWT `iat`.
    pub iat: u64,
    /// CWT `cti`.
    pub cti: [u8; 12],
    /// Index of the authenticated sender's key (see [`Opener::sender`]); `None` if the
    /// sender is anonymous (hybrid encryption without a signature).
    pub sender: Option<usize>,
}

/// Opens messages for one node on one backend.
pub struct Opener {
    entries: Vec<Entry>,
    by_kid: HashMap<Vec<u8>, usize, foldhash::fast::RandomState>,
    by_x5t: HashMap<[u8; 32], usize, foldhash::fast::RandomState>,
    by_spki: HashMap<Vec<u8>, usize, foldhash::fast::RandomState>,
    policy: Policy,
    anonymous: Arc<MethodSet>,
    learned_methods: Arc<MethodSet>,
    options: OpenOptions,
    clock: Arc<dyn Clock>,
    replay: ReplayGuard,
    backend: &'static Backend,
    learned: usize,
    scratch: Vec<u8>,
    /// Enc_structure buffer, reused (the protected header of an encrypted message is short).
    aad: Vec<u8>,
}

fn prepare(
    backend: &Backend,
    alg: KeyAlg,
    material: &KeyMaterial,
) -> Result<Prepared, EnvelopeError> {
    Ok(match (alg, material) {
        (KeyAlg::Hmac256, KeyMaterial::Symmetric(k)) => {
            Prepared::Mac((backend.mac)(MacId::HmacSha256)?.new_key(k)?)
        }
        (KeyAlg::Aead(id), KeyMaterial::Symmetric(k)) => {
            Prepared::Aead((backend.aead)(id)?.new_key(k, id.default_params())?)
        }
        (KeyAlg::Sign(id), KeyMaterial::Private { spki, .. } | KeyMaterial::Public(spki)) => {
            Prepared::Verify(id, (backend.signature)(id)?.verifying_key(spki)?)
        }
        (KeyAlg::RsaOaep256, KeyMaterial::Private { pkcs8, .. }) => Prepared::Decrypt(
            (backend.key_transport)(crate::backend::KeyTransportId::RsaOaep2048Sha256)?
                .decrypting_key(pkcs8)?,
        ),
        (KeyAlg::EcdhEs(id), KeyMaterial::Private { pkcs8, .. }) => {
            let scalar = super::keystore::agreement_scalar(pkcs8, id)
                .map_err(|_| EnvelopeError::WrongKeyType)?;
            Prepared::Agree(id, (backend.key_agreement)(id)?.private_key(&scalar)?)
        }
        (KeyAlg::RsaOaep256 | KeyAlg::EcdhEs(_), KeyMaterial::Public(_)) => Prepared::SealOnly,
        _ => return Err(EnvelopeError::WrongKeyType),
    })
}

impl Opener {
    /// Prepares every key of `store` on `backend`. Keys the backend cannot use are kept as
    /// unavailable, so a message that needs one fails with the backend's reason.
    pub fn new(
        backend: &'static Backend,
        store: &TrustStore,
        options: OpenOptions,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, EnvelopeError> {
        let mut o = Self {
            entries: Vec::with_capacity(store.entries.len()),
            by_kid: HashMap::default(),
            by_x5t: HashMap::default(),
            by_spki: HashMap::default(),
            policy: store.policy.clone(),
            anonymous: MethodSet::of(&store.policy, ANONYMOUS_ROLE),
            learned_methods: MethodSet::of(&store.policy, &options.learned_role),
            replay: ReplayGuard::new(options.max_streams),
            options,
            clock,
            backend,
            learned: 0,
            scratch: Vec::new(),
            aad: vec![0u8; 512],
        };
        for e in &store.entries {
            let key = match prepare(backend, e.alg, &e.material) {
                Ok(k) => k,
                Err(EnvelopeError::Unsupported(u)) => Prepared::Unavailable(u),
                Err(other) => return Err(other),
            };
            let index = o.entries.len();
            if o.by_kid.insert(e.kid.clone(), index).is_some() {
                return Err(EnvelopeError::Config("duplicate kid in trust store"));
            }
            if let Some(cert) = &e.cert {
                o.by_x5t.insert(cert_thumbprint(cert), index);
            }
            if let (KeyAlg::Sign(_), Some(spki)) = (e.alg, e.material.spki()) {
                o.by_spki.insert(spki.to_vec(), index);
            }
            o.entries.push(Entry {
                kid: e.kid.clone(),
                role: e.role.clone(),
                methods: MethodSet::of(&o.policy, &e.role),
                alg: e.alg,
                legacy: e.legacy,
                key,
            });
        }
        Ok(o)
    }

    /// Kid and role of a sender index from [`Opened::sender`].
    pub fn sender(&self, index: usize) -> Option<(&[u8], &str)> {
        self.entries
            .get(index)
            .map(|e| (e.kid.as_slice(), e.role.as_str()))
    }

    /// Opens `wire` in place.
    pub fn open<'m>(&mut self, wire: &'m mut [u8]) -> Result<Opened<'m>, EnvelopeError> {
        let mut r = Reader::new(wire);
        match r.peek_major()? {
            MAJOR_ARRAY => self.open_plain(wire),
            MAJOR_TAG => match r.tag()? {
                TAG_MAC0 => self.open_mac0(wire),
                TAG_SIGN1 => self.open_sign1(wire, &[]).map(|(o, _)| o),
                TAG_ENCRYPT0 => self.open_encrypted(wire, false),
                TAG_ENCRYPT => self.open_encrypted(wire, true),
                _ => Err(EnvelopeError::WrongStructure("unknown CBOR tag")),
            },
            _ => Err(EnvelopeError::WrongStructure("not a CBOR array or tag")),
        }
    }

    fn lookup_kid(&self, sender: Option<SenderId<'_>>) -> Result<usize, EnvelopeError> {
        match sender {
            Some(SenderId::Kid(kid)) => self
                .by_kid
                .get(kid)
                .copied()
                .ok_or(EnvelopeError::UnknownKey),
            _ => Err(EnvelopeError::Missing("kid")),
        }
    }

    /// Freshness, replay and policy, after authentication.
    /// `sender` is the authenticated sender's entry, `None` for an anonymous sender;
    /// `replay_key` the entry whose replay streams this message belongs to.
    fn admit(
        &mut self,
        p: &Protected<'_>,
        replay_key: usize,
        sender: Option<usize>,
    ) -> Result<[u8; 12], EnvelopeError> {
        let now = self.clock.now_s();
        let window_s = self.options.window_s;
        if p.iat.saturating_add(window_s) < now {
            return Err(EnvelopeError::Expired {
                age_s: now - p.iat,
                window_s,
            });
        }
        if p.iat > now.saturating_add(window_s) {
            return Err(EnvelopeError::FromFuture {
                ahead_s: p.iat - now,
                window_s,
            });
        }
        let (prefix, counter) = split_cti(p.cti)?;
        let key = u32::try_from(replay_key).map_err(|_| EnvelopeError::TooLarge("trust store"))?;
        let entry = sender.and_then(|i| self.entries.get(i));
        let allowed = entry
            .map_or(&self.anonymous, |e| &e.methods)
            .allows(p.method);
        if !allowed {
            return Err(EnvelopeError::Forbidden {
                role: entry
                    .map_or(ANONYMOUS_ROLE, |e| e.role.as_str())
                    .to_string(),
                method: p.method.to_string(),
            });
        }
        self.replay
            .check_and_record(key, prefix, counter, p.iat, now, window_s)?;
        let mut cti = [0u8; 12];
        cti.copy_from_slice(p.cti);
        Ok(cti)
    }

    fn open_plain<'m>(&mut self, wire: &'m [u8]) -> Result<Opened<'m>, EnvelopeError> {
        let mut r = Reader::new(wire);
        if r.array()? != 3 {
            return Err(EnvelopeError::WrongStructure(
                "plain message must have 3 elements",
            ));
        }
        let p = Protected::parse(r.bstr()?)?;
        header::parse_unprotected(&mut r, false)?;
        let payload = r.bstr()?;
        r.finish()?;
        if p.alg.is_some() {
            return Err(EnvelopeError::WrongStructure("plain message with an alg"));
        }
        let index = self
            .lookup_kid(p.sender)
            .map_err(|_| EnvelopeError::PlainRefused)?;
        let entry = self.entries.get(index).ok_or(EnvelopeError::UnknownKey)?;
        if !(self.options.accept_plain_from_legacy && entry.legacy) {
            return Err(EnvelopeError::PlainRefused);
        }
        let cti = self.admit(&p, index, Some(index))?;
        Ok(Opened {
            mode: Mode::Plain,
            payload,
            method: p.method,
            iat: p.iat,
            cti,
            sender: Some(index),
        })
    }

    fn open_mac0<'m>(&mut self, wire: &'m [u8]) -> Result<Opened<'m>, EnvelopeError> {
        let mut r = Reader::new(wire);
        r.tag()?;
        if r.array()? != 4 {
            return Err(EnvelopeError::WrongStructure(
                "COSE_Mac0 must have 4 elements",
            ));
        }
        let prot = r.bstr()?;
        let p = Protected::parse(prot)?;
        header::parse_unprotected(&mut r, false)?;
        let payload = r.bstr()?;
        let tag = r.bstr()?;
        r.finish()?;
        let index = self.lookup_kid(p.sender)?;
        let entry = self.entries.get(index).ok_or(EnvelopeError::UnknownKey)?;
        let key = match &entry.key {
            Prepared::Mac(k) => k,
            Prepared::Unavailable(u) => return Err(EnvelopeError::Unsupported(*u)),
            _ => return Err(EnvelopeError::WrongKeyType),
        };
        if p.alg != Some(entry.alg.cose_alg()) {
            return Err(EnvelopeError::WrongAlgorithm);
        }
        if tag.len() != MacId::HmacSha256.tag_len() {
            return Err(EnvelopeError::Authentication);
        }
        let mut prefix = [0u8; 64];
        let mut w = Writer::new(&mut prefix);
        if structure::to_be_authenticated_prefix(&mut w, CTX_MAC0, prot, &[], payload.len())
            .is_err()
        {
            self.scratch.clear();
            self.scratch.resize(prot.len() + 64, 0);
            let mut w = Writer::new(&mut self.scratch);
            structure::to_be_authenticated_prefix(&mut w, CTX_MAC0, prot, &[], payload.len())?;
            key.verify(&[w.written(), payload], tag)?;
        } else {
            key.verify(&[w.written(), payload], tag)?;
        }
        let cti = self.admit(&p, index, Some(index))?;
        Ok(Opened {
            mode: Mode::Mac0,
            payload,
            method: p.method,
            iat: p.iat,
            cti,
            sender: Some(index),
        })
    }

    /// Finds (or learns) the verifying key for a Sign1 sender.
    /// Returns the index and whether the key was learned from this very message (it is
    /// kept only if the message's signature verifies; see [`Opener::forget_last_learned`]).
    fn signer_index(&mut self, p: &Protected<'_>) -> Result<(usize, bool), EnvelopeError> {
        let known = |i: Option<&usize>| {
            i.copied()
                .map(|i| (i, false))
                .ok_or(EnvelopeError::UnknownKey)
        };
        match p.sender {
            Some(SenderId::Kid(kid)) => known(self.by_kid.get(kid)),
            Some(SenderId::X5t(hash)) => known(self.by_x5t.get(hash)),
            Some(SenderId::X5chain(cert)) => known(self.by_x5t.get(&cert_thumbprint(cert))),
            Some(SenderId::Spki(spki)) => {
                if let Some(&i) = self.by_spki.get(spki) {
                    return Ok((i, false));
                }
                let kid = fingerprint(spki);
                if !self.options.learn_keys || self.learned >= self.options.max_learned {
                    return Err(EnvelopeError::UnknownKey);
                }
                let id = p
                    .alg
                    .and_then(iana::signature_from_alg)
                    .ok_or(EnvelopeError::WrongAlgorithm)?;
                let key = (self.backend.signature)(id)?
                    .verifying_key(spki)
                    .map_err(|_| EnvelopeError::WrongKeyType)?;
                let index = self.entries.len();
                self.entries.push(Entry {
                    kid: kid.to_vec(),
                    role: self.options.learned_role.clone(),
                    methods: self.learned_methods.clone(),
                    alg: KeyAlg::Sign(id),
                    legacy: false,
                    key: Prepared::Verify(id, key),
                });
                self.by_spki.insert(spki.to_vec(), index);
                self.learned += 1;
                Ok((index, true))
            }
            None => Err(EnvelopeError::Missing("sender identity")),
        }
    }

    fn open_sign1<'m>(
        &mut self,
        wire: &'m [u8],
        binding: &[u8],
    ) -> Result<(Opened<'m>, Protected<'m>), EnvelopeError> {
        let mut r = Reader::new(wire);
        if r.tag()? != TAG_SIGN1 {
            return Err(EnvelopeError::WrongStructure("expected COSE_Sign1"));
        }
        if r.array()? != 4 {
            return Err(EnvelopeError::WrongStructure(
                "COSE_Sign1 must have 4 elements",
            ));
        }
        let prot = r.bstr()?;
        let p = Protected::parse(prot)?;
        header::parse_unprotected(&mut r, false)?;
        let payload = r.bstr()?;
        let signature = r.bstr()?;
        r.finish()?;
        let (index, learned_now) = self.signer_index(&p)?;
        match self.verify_sign1(index, &p, prot, binding, payload, signature) {
            Ok(()) => {}
            Err(e) => {
                if learned_now {
                    self.forget_last_learned(p.sender);
                }
                return Err(e);
            }
        }
        let cti = self.admit(&p, index, Some(index))?;

        Ok((
            Opened {
                mode: Mode::Sign1,
                payload,
                method: p.method,
                iat: p.iat,
                cti,
                sender: Some(index),
            },
            p,
        ))
    }

    /// Checks a Sign1's algorithm and signature with the key at `index`.
    fn verify_sign1(
        &mut self,
        index: usize,
        p: &Protected<'_>,
        prot: &[u8],
        binding: &[u8],
        payload: &[u8],
        signature: &[u8],
    ) -> Result<(), EnvelopeError> {
        let entry = self.entries.get(index).ok_or(EnvelopeError::UnknownKey)?;
        let (id, key) = match &entry.key {
            Prepared::Verify(id, k) => (*id, k),
            Prepared::Unavailable(u) => return Err(EnvelopeError::Unsupported(*u)),
            _ => return Err(EnvelopeError::WrongKeyType),
        };
        if p.alg != Some(iana::signature_alg(id)) {
            return Err(EnvelopeError::WrongAlgorithm);
        }
        self.scratch.clear();
        self.scratch.resize(prot.len() + binding.len() + 64, 0);
        let mut w = Writer::new(&mut self.scratch);
        structure::to_be_authenticated_prefix(
            &mut w,
            CTX_SIGNATURE1,
            prot,
            binding,
            payload.len(),
        )?;
        let n = w.len();
        self.scratch.truncate(n);
        self.scratch.extend_from_slice(payload);
        key.verify(&self.scratch, signature)?;
        Ok(())
    }

    /// Drops a key learned from a message whose signature did not verify, so forged
    /// messages cannot fill the learned-key table.
    fn forget_last_learned(&mut self, sender: Option<SenderId<'_>>) {
        if let Some(SenderId::Spki(spki)) = sender {
            self.by_spki.remove(spki);
            self.entries.pop();
            self.learned = self.learned.saturating_sub(1);
        }
    }

    fn open_encrypted<'m>(
        &mut self,
        wire: &'m mut [u8],
        hybrid: bool,
    ) -> Result<Opened<'m>, EnvelopeError> {
        let mut r = Reader::new(wire);
        r.tag()?;
        if r.array()? != if hybrid { 4 } else { 3 } {
            return Err(EnvelopeError::WrongStructure(
                "COSE_Encrypt0 has 3 elements, COSE_Encrypt 4",
            ));
        }
        let prot_range = r.bstr_range()?;
        let iv: [u8; 12] = header::parse_unprotected(&mut r, true)?
            .and_then(|iv| iv.try_into().ok())
            .ok_or(EnvelopeError::Missing("IV"))?;
        let ct = r.bstr_range()?;
        // COSE_Encrypt: the recipients (and the end of the message) are parsed once, by
        // `content_key`, which also rejects trailing bytes.
        if !hybrid {
            r.finish()?;
        }
        let (head, rest) = wire.split_at_mut(ct.start);
        let head: &'m [u8] = head;
        let (ciphertext, tail) = rest.split_at_mut(ct.len());
        let tail: &'m [u8] = tail;
        let prot = head
            .get(prot_range)
            .ok_or(EnvelopeError::WrongStructure("protected header"))?;
        let p = Protected::parse(prot)?;
        let content = p
            .alg
            .and_then(iana::aead_from_alg)
            .ok_or(EnvelopeError::WrongAlgorithm)?;

        let context = if hybrid { CTX_ENCRYPT } else { CTX_ENCRYPT0 };
        let mut w = Writer::new(&mut self.aad);
        structure::enc_structure(
            &mut w,
            context,
            prot,
            structure::content_external_aad(context, prot),
        )
        .map_err(|_| EnvelopeError::TooLarge("protected header"))?;
        let aad_len = w.len();
        let aad = self.aad.get(..aad_len).unwrap_or_default();

        let (plain_len, sender, binding) = if hybrid {
            let (key, recipient_index, binding) = self.content_key(tail, content, p.nested)?;
            let n = key.open_in_place(&iv, aad, ciphertext)?;
            (n, recipient_index, binding)
        } else {
            let index = self.lookup_kid(p.sender)?;
            let entry = self.entries.get(index).ok_or(EnvelopeError::UnknownKey)?;
            let key = match &entry.key {
                Prepared::Aead(k) => k,
                Prepared::Unavailable(u) => return Err(EnvelopeError::Unsupported(*u)),
                _ => return Err(EnvelopeError::WrongKeyType),
            };
            if entry.alg != KeyAlg::Aead(content) {
                return Err(EnvelopeError::WrongAlgorithm);
            }
            (key.open_in_place(&iv, aad, ciphertext)?, index, Vec::new())
        };
        // From here on the buffer holds plaintext: zero it on every failure.
        let plaintext: &'m mut [u8] = ciphertext.get_mut(..plain_len).unwrap_or_default();
        self.admit_decrypted(&p, plaintext, sender, hybrid, &binding)
    }

    fn admit_decrypted<'m>(
        &mut self,
        p: &Protected<'m>,
        plaintext: &'m mut [u8],
        sender: usize,
        hybrid: bool,
        binding: &[u8],
    ) -> Result<Opened<'m>, EnvelopeError> {
        if p.nested {
            let checked = {
                let inner_bytes: &[u8] = plaintext;
                self.open_sign1(inner_bytes, binding)
                    .and_then(|(opened, inner)| {
                        if (inner.iat, inner.cti, inner.method) != (p.iat, p.cti, p.method) {
                            return Err(EnvelopeError::BadHeader("inner and outer claims differ"));
                        }
                        let offset = opened.payload.as_ptr().addr() - inner_bytes.as_ptr().addr();
                        Ok((
                            offset..offset + opened.payload.len(),
                            opened.sender,
                            opened.cti,
                        ))
                    })
            };
            return match checked {
                Ok((range, sender, cti)) => {
                    let plaintext: &'m [u8] = plaintext;
                    let payload = plaintext
                        .get(range)
                        .ok_or(EnvelopeError::WrongStructure("nested payload"))?;
                    Ok(Opened {
                        mode: Mode::SignEncrypt,
                        payload,
                        method: p.method,
                        iat: p.iat,
                        cti,
                        sender,
                    })
                }
                Err(e) => {
                    plaintext.fill(0);
                    Err(e)
                }
            };
        }
        let authenticated = if hybrid { None } else { Some(sender) };
        match self.admit(p, sender, authenticated) {
            Ok(cti) => Ok(Opened {
                mode: if hybrid {
                    Mode::Encrypt
                } else {
                    Mode::Encrypt0
                },
                payload: plaintext,
                method: p.method,
                iat: p.iat,
                cti,
                sender: if hybrid { None } else { Some(sender) },
            }),
            Err(e) => {
                plaintext.fill(0);
                Err(e)
            }
        }
    }

    /// Parses the recipients array (the rest of the message, which must end with it), finds
    /// our recipient entry and recovers the content key.
    fn content_key(
        &self,
        recipients: &[u8],
        content: crate::backend::AeadId,
        nested: bool,
    ) -> Result<ContentKey, EnvelopeError> {
        let mut r = Reader::new(recipients);
        let n = r.array()?;
        let mut kids = Vec::new();
        let mut mine: Option<(Recipient<'_>, usize)> = None;
        for _ in 0..n {
            let rec = recipient::parse_recipient(&mut r)?;
            kids.push(rec.kid);
            if mine.is_none()
                && let Some(&i) = self.by_kid.get(rec.kid)
                && !matches!(
                    self.entries.get(i).map(|e| &e.key),
                    Some(Prepared::SealOnly) | None
                )
            {
                mine = Some((rec, i));
            }
        }
        r.finish()?;
        let (rec, index) = mine.ok_or(EnvelopeError::UnknownKey)?;
        let entry = self.entries.get(index).ok_or(EnvelopeError::UnknownKey)?;
        let mut cek = Zeroizing::new([0u8; 32]);
        let cek = cek
            .get_mut(..content.key_len())
            .ok_or(EnvelopeError::WrongAlgorithm)?;
        match (&entry.key, rec.alg) {
            (Prepared::Decrypt(key), iana::ALG_RSAES_OAEP_SHA256)
                if entry.alg == KeyAlg::RsaOaep256 =>
            {
                let mut out = Zeroizing::new([0u8; 512]);
                let len = key.decrypt(rec.ciphertext, &[], out.as_mut_slice())?;
                if len != cek.len() {
                    return Err(EnvelopeError::Authentication);
                }
                cek.copy_from_slice(out.get(..len).unwrap_or_default());
            }
            (Prepared::Agree(id, key), iana::ALG_ECDH_ES_HKDF_256) if n == 1 => {
                let (eph_id, public) = rec
                    .ephemeral_public()
                    .ok_or(EnvelopeError::Missing("ephemeral key"))?;
                if eph_id != *id {
                    return Err(EnvelopeError::WrongAlgorithm);
                }
                let mut z = Zeroizing::new([0u8; 32]);
                let zn = key.agree(public, z.as_mut_slice())?;
                let kdf = (self.backend.kdf)(KdfId::HkdfSha256)?;
                recipient::derive_direct_cek(kdf, z.get(..zn).unwrap_or_default(), content, cek)?;
            }
            (Prepared::Unavailable(u), _) => return Err(EnvelopeError::Unsupported(*u)),
            (Prepared::Agree(..), iana::ALG_ECDH_ES_HKDF_256) => {
                return Err(EnvelopeError::WrongStructure(
                    "ECDH-ES direct allows exactly one recipient",
                ));
            }
            (Prepared::Decrypt(_) | Prepared::Agree(..), _) => {
                return Err(EnvelopeError::WrongAlgorithm);
            }
            _ => return Err(EnvelopeError::WrongKeyType),
        }
        let key = (self.backend.aead)(content)?.new_key(cek, content.default_params())?;
        let binding = if nested {
            recipient_binding(kids.into_iter())?
        } else {
            Vec::new()
        };
        Ok((key, index, binding))
    }
}
