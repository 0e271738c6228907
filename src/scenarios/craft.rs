//! Messages built by hand, as an attacker holding some key builds them: the envelope's own
//! CBOR writer and header encoding and the backend's primitives, but none of the sealer's
//! rules, so layers the profile forbids can be written (a sender kid on sign-encrypt's
//! outer layer, content type 18 on a Mac0 or Encrypt0) and a decrypted nested message can
//! be re-encrypted to someone else. Each builder mirrors `envelope/seal/framing.rs`.

use rand::Rng;
use zeroize::Zeroizing;

use crate::backend::{AeadId, AeadKey, Backend, KdfId, KeyTransportId, MacId};
use crate::cose::cbor::{MAJOR_ARRAY, Overflow, Reader, Writer, to_vec};
use crate::cose::iana::TAG_SIGN1;
use crate::cose::kdf;
use crate::cose::message::{self, PROTECTED_ECDH_ES, PROTECTED_OAEP};
use crate::cose::structure::{self, CTX_ENCRYPT, CTX_ENCRYPT0, CTX_MAC0, CTX_SIGNATURE1};
use crate::envelope::audience::{Audience, kid_name};
use crate::envelope::header::Protected;
use crate::envelope::keys::{KeyAlg, KeyMaterial, agreement_public};
use crate::envelope::recipient;
use crate::envelope::{EnvelopeError, KeyEntry, Opener};

/// Content encryption of hand-built COSE_Encrypt messages (what the presets' sealers use).
pub const CONTENT: AeadId = AeadId::Aes256Gcm;

fn write(
    cap: usize,
    f: impl FnOnce(&mut Writer<'_>) -> Result<(), Overflow>,
) -> Result<Vec<u8>, EnvelopeError> {
    Ok(to_vec(cap, f)?)
}

/// The encoded `iss` and `aud` claim values for a message from `from` to `to`.
pub struct Claims {
    iss: Option<String>,
    aud: Option<Vec<u8>>,
}

impl Claims {
    /// Claims naming issuer `from` (a node kid) and audience `to`, each if given.
    pub fn new(from: Option<&str>, to: Option<&Audience>) -> Result<Self, EnvelopeError> {
        Ok(Self {
            iss: from.map(|f| kid_name(f.as_bytes())),
            aud: to.map(Audience::encode).transpose()?,
        })
    }

    /// The `iss` value as [`Protected::iss`] holds it.
    pub fn iss(&self) -> Option<&[u8]> {
        self.iss.as_deref().map(str::as_bytes)
    }

    /// The encoded `aud` value as [`Protected::aud`] holds it.
    pub fn aud(&self) -> Option<&[u8]> {
        self.aud.as_deref()
    }
}

/// A fresh random `cti` (a new stream, counter 0).
pub fn fresh_cti() -> [u8; 12] {
    let mut cti = [0u8; 12];
    if let Some(prefix) = cti.get_mut(..4) {
        rand::rng().fill_bytes(prefix);
    }
    cti
}

fn protected(p: &Protected<'_>) -> Result<Vec<u8>, EnvelopeError> {
    write(4096, |w| p.encode(w))
}

/// A COSE_Mac0 of `payload` under `key` (an HMAC-256 key) with header `p`.
pub fn mac0(
    b: &Backend,
    key: &KeyEntry,
    p: &Protected<'_>,
    payload: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    let KeyMaterial::Symmetric(k) = &key.material else {
        return Err(EnvelopeError::WrongKeyType);
    };
    let mac = (b.mac)(MacId::HmacSha256)?.new_key(k)?;
    let prot = protected(p)?;
    let prefix = write(prot.len() + 64, |w| {
        structure::to_be_authenticated_prefix(w, CTX_MAC0, &prot, &[], payload.len())
    })?;
    let mut tag = [0u8; 32];
    mac.sign(&[&prefix, payload], &mut tag)?;
    Ok(message::mac0(&prot, payload, &tag)?)
}

/// A COSE_Sign1 of `payload` with `key`'s private key, header `p` and `external_aad`
/// (sign-encrypt's recipient binding for a nested signature, else empty).
pub fn sign1(
    b: &Backend,
    key: &KeyEntry,
    p: &Protected<'_>,
    external_aad: &[u8],
    payload: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    let (KeyAlg::Sign(id), KeyMaterial::Private { pkcs8, .. }) = (key.alg, &key.material) else {
        return Err(EnvelopeError::WrongKeyType);
    };
    let signer = (b.signature)(id)?.signing_key(pkcs8)?;
    let prot = protected(p)?;
    let mut tbs = write(prot.len() + external_aad.len() + 64, |w| {
        structure::to_be_authenticated_prefix(w, CTX_SIGNATURE1, &prot, external_aad, payload.len())
    })?;
    tbs.extend_from_slice(payload);
    let mut sig = [0u8; 512];
    let n = signer.sign(&tbs, &mut sig)?;
    let sig = sig.get(..n).ok_or(EnvelopeError::TooLarge("signature"))?;
    Ok(message::sign1(&prot, payload, sig)?)
}

/// A COSE_Encrypt0 of `plaintext` under `key` (an AEAD key) with header `p`.
pub fn encrypt0(
    b: &Backend,
    key: &KeyEntry,
    p: &Protected<'_>,
    plaintext: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    let (KeyAlg::Aead(id), KeyMaterial::Symmetric(k)) = (key.alg, &key.material) else {
        return Err(EnvelopeError::WrongKeyType);
    };
    let aead = (b.aead)(id)?.new_key(k, id.default_params())?;
    encrypt_layer(aead.as_ref(), p, plaintext, None)
}

/// A COSE_Encrypt of `plaintext` with header `p` to one recipient's public key
/// (RSA-OAEP-256 or ECDH-ES + HKDF-256), under a fresh [`CONTENT`] key.
pub fn encrypt_to(
    b: &Backend,
    to: &KeyEntry,
    p: &Protected<'_>,
    plaintext: &[u8],
) -> Result<Vec<u8>, EnvelopeError> {
    let spki = to.material.spki().ok_or(EnvelopeError::WrongKeyType)?;
    let mut cek = Zeroizing::new([0u8; 32]);
    let cek = cek
        .get_mut(..CONTENT.key_len())
        .ok_or(EnvelopeError::Config("content key length"))?;
    let recipients = match to.alg {
        KeyAlg::RsaOaep256 => {
            rand::rng().fill_bytes(cek);
            let kt = (b.key_transport)(KeyTransportId::RsaOaep2048Sha256)?;
            let mut ct = [0u8; 512];
            let n = kt.encrypting_key(spki)?.encrypt(cek, &[], &mut ct)?;
            let ct = ct.get(..n).ok_or(EnvelopeError::TooLarge("OAEP output"))?;
            write(1024, |w| {
                w.head(MAJOR_ARRAY, 1)?;
                recipient::write_recipient(w, &PROTECTED_OAEP, &to.kid, None, ct)
            })?
        }
        KeyAlg::EcdhEs(id) => {
            let eph = (b.key_agreement)(id)?.generate()?;
            let mut public = [0u8; 65];
            let pn = eph.public_key(&mut public)?;
            let public = public
                .get(..pn)
                .ok_or(EnvelopeError::TooLarge("ephemeral key"))?;
            let mut z = Zeroizing::new([0u8; 32]);
            let zn = eph.agree(&agreement_public(spki, id)?, z.as_mut_slice())?;
            let z = z
                .get(..zn)
                .ok_or(EnvelopeError::TooLarge("shared secret"))?;
            kdf::derive_direct_cek((b.kdf)(KdfId::HkdfSha256)?, z, CONTENT, cek)?;
            write(1024, |w| {
                w.head(MAJOR_ARRAY, 1)?;
                recipient::write_recipient(w, &PROTECTED_ECDH_ES, &to.kid, Some((id, public)), &[])
            })?
        }
        _ => return Err(EnvelopeError::WrongKeyType),
    };
    let key = (b.aead)(CONTENT)?.new_key(cek, CONTENT.default_params())?;
    encrypt_layer(key.as_ref(), p, plaintext, Some(&recipients))
}

/// COSE_Encrypt0 (no recipients) or COSE_Encrypt (`recipients`, an encoded array).
fn encrypt_layer(
    key: &dyn AeadKey,
    p: &Protected<'_>,
    plaintext: &[u8],
    recipients: Option<&[u8]>,
) -> Result<Vec<u8>, EnvelopeError> {
    let prot = protected(p)?;
    let context = if recipients.is_some() {
        CTX_ENCRYPT
    } else {
        CTX_ENCRYPT0
    };
    let aad = write(prot.len() + 64, |w| {
        structure::enc_structure(
            w,
            context,
            &prot,
            structure::content_external_aad(context, &prot),
        )
    })?;
    let mut iv = [0u8; 12];
    rand::rng().fill_bytes(&mut iv);
    let mut ct = Zeroizing::new(plaintext.to_vec());
    ct.resize(plaintext.len() + key.params().tag_len, 0);
    key.seal_in_place(&iv, &aad, &mut ct)?;
    Ok(message::encrypt(&prot, &iv, &ct, recipients)?)
}

/// What a recipient holds after `node` opens `wire` (a COSE_Encrypt0 or COSE_Encrypt):
/// the decrypted content — for sign-encrypt, the nested COSE_Sign1 with its signature.
pub fn decrypted_content(node: &mut Opener, wire: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
    let mut buf = wire.to_vec();
    node.open(&mut buf)?;
    // `open` decrypts in place: the ciphertext's bytes now hold the plaintext and the tag.
    let mut r = Reader::new(&buf);
    r.tag()?;
    r.array()?;
    r.bstr()?;
    if r.map()? != 1 {
        return Err(EnvelopeError::WrongStructure("unprotected header"));
    }
    r.int()?;
    r.bstr()?;
    let ct = r.bstr_range()?;
    let end = ct.end.checked_sub(CONTENT.default_params().tag_len).ok_or(
        EnvelopeError::WrongStructure("ciphertext shorter than its tag"),
    )?;
    buf.get(ct.start..end)
        .map(<[u8]>::to_vec)
        .ok_or(EnvelopeError::WrongStructure("ciphertext"))
}

/// The protected-header bytes of a COSE_Sign1 (to read its claims with
/// [`Protected::parse`]).
pub fn sign1_protected(sign1: &[u8]) -> Result<&[u8], EnvelopeError> {
    let mut r = Reader::new(sign1);
    if r.tag()? != TAG_SIGN1 || r.array()? != 4 {
        return Err(EnvelopeError::WrongStructure("expected COSE_Sign1"));
    }
    Ok(r.bstr()?)
}
