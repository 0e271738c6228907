//! A toy backend for unit-testing the runners without a real crypto library.
//!
//! Its "AES-GCM" is `ct = pt XOR key[0]`, `tag = SHA-256(key || nonce || aad || ct)`
//! truncated: deterministic and tamper-evident, which is all the runners' bookkeeping
//! needs. It takes only 96-bit nonces and 96..128-bit tags; everything else is unsupported.

use sha2::{Digest, Sha256};

use crate::backend::{Aead, AeadId, AeadKey, AeadParams, Backend, Error, Unsupported};
use crate::cpu::{Evidence, ImplPath, PathReport};

pub(crate) const NONE_REASON: &str = "mock: not implemented";
pub(crate) const PARAMS_REASON: &str = "mock: only 96-bit nonces and 96..128-bit tags";

/// A backend with the toy AEAD for AES-GCM and nothing else.
pub(crate) const MOCK: Backend = Backend {
    name: "mock",
    aead: |id| match id {
        AeadId::Aes128Gcm => Ok(&MockAead(AeadId::Aes128Gcm)),
        AeadId::Aes256Gcm => Ok(&MockAead(AeadId::Aes256Gcm)),
        AeadId::ChaCha20Poly1305 => Err(Unsupported(NONE_REASON)),
    },
    ..NOTHING
};

/// A backend that supports nothing.
pub(crate) const NOTHING: Backend = Backend {
    name: "nothing",
    aead: |_| Err(Unsupported(NONE_REASON)),
    mac: |_| Err(Unsupported(NONE_REASON)),
    signature: |_| Err(Unsupported(NONE_REASON)),
    key_transport: |_| Err(Unsupported(NONE_REASON)),
    key_agreement: |_| Err(Unsupported(NONE_REASON)),
    kdf: |_| Err(Unsupported(NONE_REASON)),
    versions: Vec::new,
    aead_path: |_, _| PathReport {
        path: ImplPath::Soft,
        evidence: Evidence::Inferred,
        basis: "mock",
    },
    honours_ia32cap: false,
};

pub(crate) struct MockAead(AeadId);

impl Aead for MockAead {
    fn id(&self) -> AeadId {
        self.0
    }
    fn check_params(&self, p: AeadParams) -> Result<(), Unsupported> {
        if p.nonce_len == 12 && (12..=16).contains(&p.tag_len) {
            Ok(())
        } else {
            Err(Unsupported(PARAMS_REASON))
        }
    }
    fn new_key(&self, key: &[u8], params: AeadParams) -> Result<Box<dyn AeadKey>, Error> {
        self.check_params(params)?;
        if key.len() != self.0.key_len() {
            return Err(Error::KeyRejected("wrong key length"));
        }
        Ok(Box::new(MockKey {
            key: key.to_vec(),
            params,
        }))
    }
}

struct MockKey {
    key: Vec<u8>,
    params: AeadParams,
}

impl MockKey {
    fn tag(&self, nonce: &[u8], aad: &[u8], ct: &[u8]) -> Vec<u8> {
        let digest = Sha256::new()
            .chain_update(&self.key)
            .chain_update(nonce)
            .chain_update(aad)
            .chain_update(ct)
            .finalize();
        digest[..self.params.tag_len].to_vec()
    }
}

impl AeadKey for MockKey {
    fn params(&self) -> AeadParams {
        self.params
    }
    fn seal_in_place(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8]) -> Result<(), Error> {
        let n = in_out.len() - self.params.tag_len;
        in_out[..n].iter_mut().for_each(|b| *b ^= self.key[0]);
        let tag = self.tag(nonce, aad, &in_out[..n]);
        in_out[n..].copy_from_slice(&tag);
        Ok(())
    }
    fn open_in_place(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8]) -> Result<usize, Error> {
        let n = in_out.len() - self.params.tag_len;
        if self.tag(nonce, aad, &in_out[..n]) != in_out[n..] {
            in_out.fill(0);
            return Err(Error::Crypto);
        }
        in_out[..n].iter_mut().for_each(|b| *b ^= self.key[0]);
        Ok(n)
    }
}

/// Seals with the toy AEAD, for building test vectors: returns `(ct, tag)`.
pub(crate) fn mock_seal(
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    pt: &[u8],
    tag_len: usize,
) -> (Vec<u8>, Vec<u8>) {
    let id = if key.len() == 16 {
        AeadId::Aes128Gcm
    } else {
        AeadId::Aes256Gcm
    };
    let k = MockAead(id)
        .new_key(
            key,
            AeadParams {
                nonce_len: nonce.len(),
                tag_len,
            },
        )
        .unwrap();
    let mut buf = pt.to_vec();
    buf.resize(pt.len() + tag_len, 0);
    k.seal_in_place(nonce, aad, &mut buf).unwrap();
    let tag = buf.split_off(pt.len());
    (buf, tag)
}
