//! The receiver's keys, prepared once per backend: lookup by kid, certificate thumbprint
//! or SPKI, the policy resolved per role, and keys learned from messages (bounded, least
//! recently used evicted).

// Errors are built lazily on this hot path: `EnvelopeError` has drop glue (its `Forbidden`
// variant owns strings), and an eager `ok_or(EnvelopeError::..)` constructs and drops a value
// on every success — measured at 7 calls and ~130 instructions per Encrypt0 open (callgrind).
#![allow(clippy::unnecessary_lazy_evaluations)]

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::OpenOptions;
use crate::backend::{
    AeadKey, AgreementKey, Backend, DecryptingKey, KeyAgreementId, KeyTransportId, MacId, MacKey,
    SignatureId, Unsupported, VerifyingKey,
};
use crate::cose::iana;
use crate::cose::x5::cert_thumbprint;
use crate::envelope::error::EnvelopeError;
use crate::envelope::header::{Protected, SenderId};
use crate::envelope::keys::{ANONYMOUS_ROLE, KeyAlg, KeyMaterial, Policy, TrustStore, fingerprint};

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

pub(super) enum Prepared {
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

pub(super) struct Entry {
    pub(super) kid: Vec<u8>,
    pub(super) role: String,
    /// The methods `role` may call, resolved from the policy once.
    pub(super) methods: Arc<MethodSet>,
    pub(super) alg: KeyAlg,
    pub(super) legacy: bool,
    /// This node holds the private key: a message signed with it is a reflection.
    pub(super) own: bool,
    /// Learned from a message (not from the trust store).
    pub(super) learned: bool,
    pub(super) key: Prepared,
    /// Last use (learned keys only), for least-recently-used eviction.
    tick: u64,
}

/// One role's allowed methods, for a hash lookup per message instead of a policy walk.
#[derive(Debug, Default)]
pub(super) struct MethodSet {
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
    pub(super) fn allows(&self, method: &str) -> bool {
        self.all || self.methods.contains(method)
    }
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
            (backend.key_transport)(KeyTransportId::RsaOaep2048Sha256)?.decrypting_key(pkcs8)?,
        ),
        (KeyAlg::EcdhEs(id), KeyMaterial::Private { pkcs8, .. }) => {
            let scalar = crate::envelope::keystore::agreement_scalar(pkcs8, id)
                .map_err(|_| EnvelopeError::WrongKeyType)?;
            Prepared::Agree(id, (backend.key_agreement)(id)?.private_key(&scalar)?)
        }
        (KeyAlg::RsaOaep256 | KeyAlg::EcdhEs(_), KeyMaterial::Public(_)) => Prepared::SealOnly,
        _ => return Err(EnvelopeError::WrongKeyType),
    })
}

/// A Sign1 sender's key: in the keyring, or learned from this message and not yet kept
/// (it is kept only once the signature verifies, see [`Keyring::keep`]).
pub(super) enum Signer {
    Known(usize),
    Candidate(Box<Entry>),
}

/// Every key the receiver knows.
pub(super) struct Keyring {
    entries: Vec<Entry>,
    by_kid: FastMap<Vec<u8>, usize>,
    by_x5t: FastMap<[u8; 32], usize>,
    by_spki: FastMap<Vec<u8>, usize>,
    pub(super) anonymous: Arc<MethodSet>,
    learned_methods: Arc<MethodSet>,
    learned_role: String,
    learn: bool,
    max_learned: usize,
    /// Slots of learned keys in `entries`.
    learned: Vec<usize>,
    tick: u64,
    /// Changes whenever an index may come to name another key (a learned key kept or
    /// replaced): verdicts cached against an index are valid only for one generation.
    generation: u64,
}

impl Keyring {
    pub(super) fn new(
        backend: &Backend,
        store: &TrustStore,
        options: &OpenOptions,
    ) -> Result<Self, EnvelopeError> {
        let mut k = Self {
            entries: Vec::with_capacity(store.entries.len()),
            by_kid: FastMap::default(),
            by_x5t: FastMap::default(),
            by_spki: FastMap::default(),
            anonymous: MethodSet::of(&store.policy, ANONYMOUS_ROLE),
            learned_methods: MethodSet::of(&store.policy, &options.learned_role),
            learned_role: options.learned_role.clone(),
            learn: options.learn_keys,
            max_learned: options.max_learned,
            learned: Vec::new(),
            tick: 0,
            generation: 0,
        };
        for e in &store.entries {
            let key = match prepare(backend, e.alg, &e.material) {
                Ok(key) => key,
                Err(EnvelopeError::Unsupported(u)) => Prepared::Unavailable(u),
                Err(other) => return Err(other),
            };
            let index = k.entries.len();
            if k.by_kid.insert(e.kid.clone(), index).is_some() {
                return Err(EnvelopeError::Config("duplicate kid in trust store"));
            }
            if let Some(cert) = &e.cert {
                k.by_x5t.insert(cert_thumbprint(cert), index);
            }
            if let (KeyAlg::Sign(_), Some(spki)) = (e.alg, e.material.spki()) {
                k.by_spki.insert(spki.to_vec(), index);
            }
            k.entries.push(Entry {
                kid: e.kid.clone(),
                role: e.role.clone(),
                methods: MethodSet::of(&store.policy, &e.role),
                alg: e.alg,
                legacy: e.legacy,
                own: matches!(e.material, KeyMaterial::Private { .. }),
                learned: false,
                key,
                tick: 0,
            });
        }
        Ok(k)
    }

    #[inline]
    pub(super) fn get(&self, index: usize) -> Result<&Entry, EnvelopeError> {
        self.entries
            .get(index)
            .ok_or_else(|| EnvelopeError::UnknownKey)
    }

    /// The keyring's generation (see the field): equal generations, same key per index.
    #[inline]
    pub(super) fn generation(&self) -> u64 {
        self.generation
    }

    /// Kid and role of an entry.
    pub(super) fn sender(&self, index: usize) -> Option<(&[u8], &str)> {
        self.entries
            .get(index)
            .map(|e| (e.kid.as_slice(), e.role.as_str()))
    }

    /// The entry a symmetric message's `kid` names.
    #[inline]
    pub(super) fn by_kid(&self, sender: Option<SenderId<'_>>) -> Result<usize, EnvelopeError> {
        match sender {
            Some(SenderId::Kid(kid)) => self
                .by_kid
                .get(kid)
                .copied()
                .ok_or_else(|| EnvelopeError::UnknownKey),
            _ => Err(EnvelopeError::Missing("kid")),
        }
    }

    /// The entry of a recipient kid, if it names a key we can unwrap with.
    pub(super) fn recipient(&self, kid: &[u8]) -> Option<usize> {
        let &i = self.by_kid.get(kid)?;
        match self.entries.get(i).map(|e| &e.key) {
            Some(Prepared::SealOnly) | None => None,
            Some(_) => Some(i),
        }
    }

    /// Finds the verifying key for a Sign1 sender, or — with key learning on — prepares
    /// one from the message's SPKI without keeping it yet.
    pub(super) fn signer(
        &self,
        backend: &Backend,
        p: &Protected<'_>,
    ) -> Result<Signer, EnvelopeError> {
        let known = |i: Option<&usize>| {
            i.copied()
                .map(Signer::Known)
                .ok_or_else(|| EnvelopeError::UnknownKey)
        };
        match p.sender {
            Some(SenderId::Kid(kid)) => known(self.by_kid.get(kid)),
            Some(SenderId::X5t(hash)) => known(self.by_x5t.get(hash)),
            Some(SenderId::X5chain(cert)) => known(self.by_x5t.get(&cert_thumbprint(cert))),
            Some(SenderId::Spki(spki)) => {
                if let Some(&i) = self.by_spki.get(spki) {
                    return Ok(Signer::Known(i));
                }
                if !self.learn || self.max_learned == 0 {
                    return Err(EnvelopeError::UnknownKey);
                }
                let id = p
                    .alg
                    .and_then(iana::signature_from_alg)
                    .ok_or_else(|| EnvelopeError::WrongAlgorithm)?;
                let key = (backend.signature)(id)?
                    .verifying_key(spki)
                    .map_err(|_| EnvelopeError::WrongKeyType)?;
                Ok(Signer::Candidate(Box::new(Entry {
                    kid: fingerprint(spki).to_vec(),
                    role: self.learned_role.clone(),
                    methods: self.learned_methods.clone(),
                    alg: KeyAlg::Sign(id),
                    legacy: false,
                    own: false,
                    learned: true,
                    key: Prepared::Verify(id, key),
                    tick: 0,
                })))
            }
            None => Err(EnvelopeError::Missing("sender identity")),
        }
    }

    /// Keeps a learned key whose signature verified, evicting the least recently used
    /// learned key when the table is full (a scan of at most `max_learned` slots, only
    /// when a new key is learned, which costs a signature verification anyway).
    pub(super) fn keep(&mut self, entry: Entry, spki: &[u8]) -> usize {
        self.tick += 1;
        self.generation += 1;
        let entry = Entry {
            tick: self.tick,
            ..entry
        };
        if self.learned.len() < self.max_learned {
            let index = self.entries.len();
            self.entries.push(entry);
            self.learned.push(index);
            self.by_spki.insert(spki.to_vec(), index);
            return index;
        }
        let lru = self
            .learned
            .iter()
            .copied()
            .min_by_key(|&i| self.entries.get(i).map_or(0, |e| e.tick));
        let Some(index) = lru else {
            // max_learned == 0 is refused in `signer`; nothing to keep.
            return usize::MAX;
        };
        self.by_spki.retain(|_, &mut i| i != index);
        if let Some(slot) = self.entries.get_mut(index) {
            *slot = entry;
        }
        self.by_spki.insert(spki.to_vec(), index);
        index
    }

    /// Marks a learned key as used (least-recently-used order).
    #[inline]
    pub(super) fn touch(&mut self, index: usize) {
        if index >= self.learned.first().copied().unwrap_or(usize::MAX) {
            self.tick += 1;
            if let Some(e) = self.entries.get_mut(index) {
                e.tick = self.tick;
            }
        }
    }
}
