//! Messages built by hand with real keys, for negative vectors whose point is that a
//! validly authenticated message must still be refused (layer confusion, forwarding):
//! COSE_Sign1 signed over any protected header and external_aad, COSE_Encrypt0 and
//! COSE_Encrypt encrypted under any protected header, X25519 ECDH-ES recipients, and the
//! decryption a recipient does before it forwards a message.
//!
//! Each function runs on the first backend that can (RustCrypto in a default build).

use rand::{Rng, SeedableRng, rngs::StdRng};
use zeroize::Zeroizing;

use super::error::VectorError;
use crate::backend::{ALL_BACKENDS, AeadId, Backend, KdfId};
use crate::cose::cbor::{Reader, Writer, to_vec};
use crate::cose::iana::{self, TAG_ENCRYPT};
use crate::cose::message::{self, PROTECTED_ECDH_ES};
use crate::cose::structure::{self, CTX_ENCRYPT, CTX_ENCRYPT0, CTX_SIGNATURE1};
use crate::cose::{cek, kdf};
use crate::envelope::EnvelopeError;
use crate::envelope::header::Protected;
use crate::envelope::keys::{KeyAlg, KeyEntry, KeyMaterial, agreement_public};
use crate::envelope::keystore::agreement_scalar;
use crate::envelope::recipient;

/// Runs `f` on the first backend that supports it.
fn first<T>(
    name: &str,
    f: impl Fn(&'static Backend) -> Result<T, EnvelopeError>,
) -> Result<T, VectorError> {
    let mut last = EnvelopeError::Config("no backend compiled in");
    for b in ALL_BACKENDS {
        match f(b) {
            Ok(t) => return Ok(t),
            Err(e @ EnvelopeError::Unsupported(_)) => last = e,
            Err(e) => return Err(VectorError::generate(name, e)),
        }
    }
    Err(VectorError::generate(name, last))
}

/// A buffer of `len` bytes written by `f`, cut to what it wrote.
fn written(
    len: usize,
    f: impl FnOnce(&mut Writer<'_>) -> Result<(), EnvelopeError>,
) -> Result<Vec<u8>, EnvelopeError> {
    to_vec(len, f)
}

/// A deterministic IV for vector `name` (from its seed).
pub(super) fn iv_for(seed: u64) -> [u8; 12] {
    let mut iv = [0u8; 12];
    StdRng::seed_from_u64(seed).fill_bytes(&mut iv);
    iv
}

/// A COSE_Sign1 over `protected` and `payload` with `external_aad`, signed with `key`'s
/// private half.
pub(super) fn sign1(
    name: &str,
    key: &KeyEntry,
    protected: &[u8],
    external_aad: &[u8],
    payload: &[u8],
) -> Result<Vec<u8>, VectorError> {
    let (KeyAlg::Sign(id), KeyMaterial::Private { pkcs8, .. }) = (key.alg, &key.material) else {
        return Err(VectorError::generate(name, "a signing key pair is needed"));
    };
    let room = protected.len() + external_aad.len() + payload.len() + 64;
    let tbs = written(room, |w| {
        structure::to_be_authenticated_prefix(
            w,
            CTX_SIGNATURE1,
            protected,
            external_aad,
            payload.len(),
        )?;
        Ok(w.raw(payload)?)
    })
    .map_err(|e| VectorError::generate(name, e))?;
    let signature = first(name, |b| {
        let mut sig = [0u8; 512];
        let n = (b.signature)(id)?
            .signing_key(pkcs8)?
            .sign(&tbs, &mut sig)?;
        let sig = sig.get(..n).ok_or(EnvelopeError::TooLarge("signature"))?;
        Ok(sig.to_vec())
    })?;
    message::sign1(protected, payload, &signature)
        .map_err(|e| VectorError::generate(name, EnvelopeError::from(e)))
}

/// One ECDH-ES + HKDF-256 recipient (not an array) to `to`'s X25519 or P-256 public key
/// with a fresh ephemeral key, and the content key it carries for `content`.
pub(super) fn ecdh_recipient(
    name: &str,
    to: &KeyEntry,
    content: AeadId,
) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), VectorError> {
    let KeyAlg::EcdhEs(id) = to.alg else {
        return Err(VectorError::generate(
            name,
            "an ECDH-ES recipient key is needed",
        ));
    };
    first(name, |b| {
        let spki = to.material.spki().ok_or(EnvelopeError::WrongKeyType)?;
        let peer = agreement_public(spki, id)?;
        let eph = (b.key_agreement)(id)?.generate()?;
        let mut public = [0u8; 65];
        let pn = eph.public_key(&mut public)?;
        let mut z = Zeroizing::new([0u8; 32]);
        let zn = eph.agree(&peer, z.as_mut_slice())?;
        let z = z
            .get(..zn)
            .ok_or(EnvelopeError::TooLarge("shared secret"))?;
        let public = public
            .get(..pn)
            .ok_or(EnvelopeError::TooLarge("ephemeral key"))?;
        let mut cek = Zeroizing::new(vec![0u8; content.key_len()]);
        kdf::derive_direct_cek((b.kdf)(KdfId::HkdfSha256)?, z, content, &mut cek)?;
        let rec = written(1024, |w| {
            Ok(recipient::write_recipient(
                w,
                &PROTECTED_ECDH_ES,
                &to.kid,
                Some((id, public)),
                &[],
            )?)
        })?;
        Ok((rec, cek))
    })
}

/// A CBOR array of the given encoded recipients.
pub(super) fn recipients(name: &str, items: &[&[u8]]) -> Result<Vec<u8>, VectorError> {
    message::array_of(items).map_err(|e| VectorError::generate(name, EnvelopeError::from(e)))
}

/// A COSE_Encrypt0 (`recipients` `None`) or COSE_Encrypt (with that encoded recipients
/// array) of `plaintext` under `protected`, encrypted with `cek` by the header's `alg`.
pub(super) fn encrypt(
    name: &str,
    protected: &[u8],
    cek: &[u8],
    iv: &[u8; 12],
    plaintext: &[u8],
    recipients: Option<&[u8]>,
) -> Result<Vec<u8>, VectorError> {
    let err = |e: EnvelopeError| VectorError::generate(name, e);
    let content = Protected::parse(protected)
        .map_err(err)?
        .alg
        .and_then(iana::aead_from_alg)
        .ok_or_else(|| VectorError::generate(name, "protected alg is no AEAD"))?;
    let context = if recipients.is_some() {
        CTX_ENCRYPT
    } else {
        CTX_ENCRYPT0
    };
    let aad = written(protected.len() + 32, |w| {
        let ext = structure::content_external_aad(context, protected);
        Ok(structure::enc_structure(w, context, protected, ext)?)
    })
    .map_err(err)?;
    let ciphertext = first(name, |b| {
        let key = (b.aead)(content)?.new_key(cek, content.default_params())?;
        let mut buf = plaintext.to_vec();
        buf.resize(plaintext.len() + key.params().tag_len, 0);
        key.seal_in_place(iv, &aad, &mut buf)?;
        Ok(buf)
    })?;
    message::encrypt(protected, iv, &ciphertext, recipients).map_err(|e| err(e.into()))
}

/// What a recipient holding `key` (an ECDH-ES private key) reads from a COSE_Encrypt with
/// one ECDH-ES recipient: the protected header and the plaintext.
pub(super) fn decrypt_ecdh(
    name: &str,
    msg: &[u8],
    key: &KeyEntry,
) -> Result<(Vec<u8>, Vec<u8>), VectorError> {
    let (KeyAlg::EcdhEs(id), KeyMaterial::Private { pkcs8, .. }) = (key.alg, &key.material) else {
        return Err(VectorError::generate(
            name,
            "an ECDH-ES private key is needed",
        ));
    };
    let scalar = agreement_scalar(pkcs8, id).map_err(|e| VectorError::generate(name, e))?;
    first(name, |b| {
        let mut r = Reader::new(msg);
        if r.tag()? != TAG_ENCRYPT || r.array()? != 4 {
            return Err(EnvelopeError::WrongStructure("expected COSE_Encrypt"));
        }
        let protected = r.bstr()?;
        let iv = crate::envelope::header::parse_unprotected(&mut r, true)?
            .ok_or(EnvelopeError::Missing("IV"))?;
        let ciphertext = r.bstr()?;
        if r.array()? != 1 {
            return Err(EnvelopeError::WrongStructure("expected one recipient"));
        }
        let rec = recipient::parse_recipient(&mut r)?;
        r.finish()?;
        let (eph_id, public) = rec
            .ephemeral_public()
            .ok_or(EnvelopeError::Missing("ephemeral key"))?;
        if eph_id != id {
            return Err(EnvelopeError::WrongAlgorithm);
        }
        let content = Protected::parse(protected)?
            .alg
            .and_then(iana::aead_from_alg)
            .ok_or(EnvelopeError::WrongAlgorithm)?;
        let z = cek::ecdh_secret(b, id, &scalar, public)?;
        let mut cek = Zeroizing::new(vec![0u8; content.key_len()]);
        kdf::derive_direct_cek((b.kdf)(KdfId::HkdfSha256)?, &z, content, &mut cek)?;
        let aad = written(protected.len() + 32, |w| {
            let ext = structure::content_external_aad(CTX_ENCRYPT, protected);
            Ok(structure::enc_structure(w, CTX_ENCRYPT, protected, ext)?)
        })?;
        let key = (b.aead)(content)?.new_key(&cek, content.default_params())?;
        let mut buf = ciphertext.to_vec();
        let n = key.open_in_place(iv, &aad, &mut buf)?;
        buf.truncate(n);
        Ok((protected.to_vec(), buf))
    })
}
