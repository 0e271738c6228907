//! Raw primitives, keys set up once: AEAD seal/open, HMAC, sign/verify, RSA-OAEP of a
//! content key, ECDH-ES + HKDF.

use std::hint::black_box;

use super::{Pool, WorkBuf, pool_len, timed};
use crate::backend::{
    AeadId, AeadKey, AgreementKey, Backend, DecryptingKey, EncryptingKey, Kdf, KdfId,
    KeyAgreementId, MacKey, SignatureId, SigningKey, VerifyingKey,
};
use crate::cose::kdf::derive_direct_cek;
use crate::envelope::keys::agreement_public;
use crate::envelope::keystore::agreement_scalar;
use crate::envelope::{KeyAlg, KeyMaterial};
use crate::measure::error::MeasureError;
use crate::measure::keys::key;
use crate::measure::runner::Routine;
use crate::measure::scenario::{Op, Scenario, Work};
use crate::measure::timer::{Elapsed, Timer};

const NOT_A_KEY_PAIR: MeasureError = MeasureError::Scenario("fixture is not a key pair");

pub(super) fn build(s: &Scenario) -> Result<Box<dyn Routine>, MeasureError> {
    let b = s
        .backend
        .ok_or(MeasureError::Scenario("a raw primitive needs a backend"))?;
    let msg = vec![0xa5u8; s.size];
    Ok(match (s.work, s.op) {
        (Work::Aead(id), Op::Seal) => Box::new(AeadSeal::new(b, id, s.size)?),
        (Work::Aead(id), Op::Open) => Box::new(AeadOpen::new(b, id, s.size)?),
        (Work::Mac(id), op) => {
            let KeyMaterial::Symmetric(k) = key(KeyAlg::Hmac256)?.material else {
                return Err(MeasureError::Scenario("HMAC fixture is not symmetric"));
            };
            let key = (b.mac)(id)?.new_key(&k)?;
            let mut tag = vec![0u8; id.tag_len()];
            key.sign(&[&msg], &mut tag)?;
            Box::new(Mac {
                key,
                msg,
                tag,
                verify: op == Op::Verify,
            })
        }
        (Work::Signature(id), op) => Box::new(Sign::new(b, id, msg, op == Op::Verify)?),
        (Work::KeyTransport(id), op) => {
            let KeyMaterial::Private { pkcs8, spki } = key(KeyAlg::RsaOaep256)?.material else {
                return Err(NOT_A_KEY_PAIR);
            };
            let kt = (b.key_transport)(id)?;
            let ek = kt.encrypting_key(&spki)?;
            let dk = kt.decrypting_key(&pkcs8)?;
            let mut ct = vec![0u8; id.ciphertext_len()];
            let n = ek.encrypt(&msg, &[], &mut ct)?;
            ct.truncate(n);
            Box::new(Oaep {
                ek,
                dk,
                cek: msg,
                ct,
                out: vec![0u8; 512],
                decrypt: op == Op::DecryptKey,
            })
        }
        (Work::KeyAgreement(id), op) => Box::new(Agree::new(b, id, s.size, op == Op::Agree)?),
        _ => return Err(MeasureError::Scenario("not a raw primitive scenario")),
    })
}

fn aead_key(b: &Backend, id: AeadId) -> Result<Box<dyn AeadKey>, MeasureError> {
    let KeyMaterial::Symmetric(k) = key(KeyAlg::Aead(id))?.material else {
        return Err(MeasureError::Scenario("AEAD fixture is not symmetric"));
    };
    Ok((b.aead)(id)?.new_key(&k, id.default_params())?)
}

/// A 96-bit nonce from a counter.
fn nonce(counter: u64) -> [u8; 12] {
    let mut n = [0u8; 12];
    if let Some(tail) = n.get_mut(4..) {
        tail.copy_from_slice(&counter.to_be_bytes());
    }
    n
}

struct AeadSeal {
    key: Box<dyn AeadKey>,
    buf: Vec<u8>,
    counter: u64,
}

impl AeadSeal {
    fn new(b: &Backend, id: AeadId, size: usize) -> Result<Self, MeasureError> {
        Ok(Self {
            key: aead_key(b, id)?,
            buf: vec![0x5au8; size + id.default_params().tag_len],
            counter: 0,
        })
    }
}

impl Routine for AeadSeal {
    fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
        let Self { key, buf, counter } = self;
        timed(timer, iters, || {
            *counter += 1;
            key.seal_in_place(&nonce(*counter), &[], buf)?;
            black_box(&mut *buf);
            Ok(())
        })
    }
}

/// Opens a pool of ciphertexts (message `i` sealed under nonce `i`), restoring each from
/// its pristine copy first.
struct AeadOpen {
    key: Box<dyn AeadKey>,
    pool: Pool,
    work: WorkBuf,
    len: usize,
    next: usize,
}

impl AeadOpen {
    fn new(b: &Backend, id: AeadId, size: usize) -> Result<Self, MeasureError> {
        let key = aead_key(b, id)?;
        let len = size + id.default_params().tag_len;
        let n = pool_len(size);
        let mut pool = Pool::new(len, n);
        let mut m = vec![0u8; len];
        for i in 0..n {
            m.fill(0x5a);
            key.seal_in_place(&nonce(i as u64), &[], &mut m)?;
            pool.push(&m)?;
        }
        Ok(Self {
            key,
            pool,
            work: WorkBuf::new(len),
            len,
            next: 0,
        })
    }
}

impl Routine for AeadOpen {
    fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
        let Self {
            key,
            pool,
            work,
            len,
            next,
        } = self;
        timed(timer, iters, || {
            let work = work.get_mut(*len)?;
            work.copy_from_slice(pool.get(*next)?);
            let n = key.open_in_place(&nonce(*next as u64), &[], work)?;
            black_box(n);
            *next = (*next + 1) % pool.len();
            Ok(())
        })
    }
}

struct Mac {
    key: Box<dyn MacKey>,
    msg: Vec<u8>,
    tag: Vec<u8>,
    verify: bool,
}

impl Routine for Mac {
    fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
        let Self {
            key,
            msg,
            tag,
            verify,
        } = self;
        let msg: &[u8] = msg;
        if *verify {
            timed(timer, iters, || Ok(key.verify(&[black_box(msg)], tag)?))
        } else {
            timed(timer, iters, || {
                key.sign(&[black_box(msg)], tag)?;
                black_box(&mut *tag);
                Ok(())
            })
        }
    }
}

struct Sign {
    signer: Box<dyn SigningKey>,
    verifier: Box<dyn VerifyingKey>,
    msg: Vec<u8>,
    sig: Vec<u8>,
    verify: bool,
}

impl Sign {
    fn new(b: &Backend, id: SignatureId, msg: Vec<u8>, verify: bool) -> Result<Self, MeasureError> {
        let KeyMaterial::Private { pkcs8, spki } = key(KeyAlg::Sign(id))?.material else {
            return Err(NOT_A_KEY_PAIR);
        };
        let scheme = (b.signature)(id)?;
        let signer = scheme.signing_key(&pkcs8)?;
        let verifier = scheme.verifying_key(&spki)?;
        let mut sig = vec![0u8; 512];
        let n = signer.sign(&msg, &mut sig)?;
        sig.truncate(n);
        Ok(Self {
            signer,
            verifier,
            msg,
            sig,
            verify,
        })
    }
}

impl Routine for Sign {
    fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
        let Self {
            signer,
            verifier,
            msg,
            sig,
            verify,
        } = self;
        let msg: &[u8] = msg;
        if *verify {
            timed(timer, iters, || Ok(verifier.verify(black_box(msg), sig)?))
        } else {
            let mut out = [0u8; 512];
            timed(timer, iters, || {
                black_box(signer.sign(black_box(msg), &mut out)?);
                Ok(())
            })
        }
    }
}

struct Oaep {
    ek: Box<dyn EncryptingKey>,
    dk: Box<dyn DecryptingKey>,
    cek: Vec<u8>,
    ct: Vec<u8>,
    out: Vec<u8>,
    decrypt: bool,
}

impl Routine for Oaep {
    fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
        let Self {
            ek,
            dk,
            cek,
            ct,
            out,
            decrypt,
        } = self;
        if *decrypt {
            timed(timer, iters, || {
                black_box(dk.decrypt(ct, &[], out)?);
                Ok(())
            })
        } else {
            timed(timer, iters, || {
                black_box(ek.encrypt(cek, &[], out)?);
                Ok(())
            })
        }
    }
}

struct Agree {
    ka: &'static dyn crate::backend::KeyAgreement,
    kdf: &'static dyn Kdf,
    content: AeadId,
    /// The receiver's static key (receiver side only).
    receiver: Option<Box<dyn AgreementKey>>,
    /// The peer's public key: the receiver's (sender side) or an ephemeral one (receiver side).
    peer: Vec<u8>,
    cek: Vec<u8>,
}

impl Agree {
    fn new(
        b: &Backend,
        id: KeyAgreementId,
        size: usize,
        receiver_side: bool,
    ) -> Result<Self, MeasureError> {
        let content = match size {
            16 => AeadId::Aes128Gcm,
            32 => AeadId::Aes256Gcm,
            _ => return Err(MeasureError::Scenario("key agreement sizes are 16 or 32")),
        };
        let ka = (b.key_agreement)(id)?;
        let kdf = (b.kdf)(KdfId::HkdfSha256)?;
        let KeyMaterial::Private { pkcs8, spki } = key(KeyAlg::EcdhEs(id))?.material else {
            return Err(NOT_A_KEY_PAIR);
        };
        let (receiver, peer) = if receiver_side {
            let scalar = agreement_scalar(&pkcs8, id)
                .map_err(|_| MeasureError::Scenario("agreement key fixture"))?;
            let eph = ka.generate()?;
            let mut public = [0u8; 65];
            let n = eph.public_key(&mut public)?;
            let peer = public.get(..n).unwrap_or_default().to_vec();
            (Some(ka.private_key(&scalar)?), peer)
        } else {
            (None, agreement_public(&spki, id)?)
        };
        Ok(Self {
            ka,
            kdf,
            content,
            receiver,
            peer,
            cek: vec![0u8; size],
        })
    }
}

impl Routine for Agree {
    fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
        let Self {
            ka,
            kdf,
            content,
            receiver,
            peer,
            cek,
        } = self;
        let mut z = [0u8; 32];
        let mut public = [0u8; 65];
        match receiver {
            Some(key) => timed(timer, iters, || {
                let n = key.agree(peer, &mut z)?;
                derive_direct_cek(*kdf, z.get(..n).unwrap_or_default(), *content, cek)?;
                black_box(&mut *cek);
                Ok(())
            }),
            None => timed(timer, iters, || {
                let eph = ka.generate()?;
                black_box(eph.public_key(&mut public)?);
                let n = eph.agree(peer, &mut z)?;
                derive_direct_cek(*kdf, z.get(..n).unwrap_or_default(), *content, cek)?;
                black_box(&mut *cek);
                Ok(())
            }),
        }
    }
}
