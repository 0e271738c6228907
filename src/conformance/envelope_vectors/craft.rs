//! Byte surgery for negative vectors: where the parts of a sealed message lie, bit flips,
//! hand-built protected headers (field by field, in any order) and COSE_Mac0 messages with
//! a correct tag over them.

use std::ops::Range;

use super::error::VectorError;
use super::generate::{ISSUER, NODE};
use crate::backend::{ALL_BACKENDS, MacId};
use crate::cose::cbor::{MAJOR_ARRAY, MAJOR_MAP, MAJOR_TAG, MAJOR_UINT, Overflow, Reader, Writer};
use crate::cose::iana::{
    CWT_AUD, CWT_CTI, CWT_IAT, CWT_ISS, HDR_ALG, HDR_CWT_CLAIMS, HDR_EPHEMERAL_KEY, HDR_IV,
    HDR_KID, KEY_CRV, KEY_KTY, KEY_X, TAG_ENCRYPT, TAG_MAC0,
};
use crate::cose::structure::{CTX_MAC0, to_be_authenticated_prefix};
use crate::envelope::audience::kid_name;
use crate::envelope::header::HDR_RPC_METHOD;
use crate::envelope::keys::{KeyEntry, KeyMaterial};

/// Byte ranges (contents, without CBOR heads) of a sealed message's parts.
#[derive(Debug, Clone)]
pub(super) struct Parts {
    /// The protected header bytes.
    pub protected: Range<usize>,
    /// The head of the unprotected map.
    pub unprotected_at: usize,
    /// The IV (Encrypt0, Encrypt).
    pub iv: Option<Range<usize>>,
    /// The payload, or the ciphertext with its tag.
    pub body: Range<usize>,
    /// The MAC tag (Mac0) or signature (Sign1).
    pub trailer: Option<Range<usize>>,
    /// Where the recipients array starts (Encrypt).
    pub recipients_at: Option<usize>,
}

fn cbor(name: &str) -> impl Fn(crate::cose::cbor::CborError) -> VectorError + '_ {
    move |e| VectorError::generate(name, format!("locating parts: {e}"))
}

/// Finds the parts of a tagged message (Mac0, Sign1, Encrypt0, Encrypt).
pub(super) fn parts(name: &str, msg: &[u8]) -> Result<Parts, VectorError> {
    let e = cbor(name);
    let mut r = Reader::new(msg);
    let tag = r.tag().map_err(&e)?;
    let n = r.array().map_err(&e)?;
    let protected = r.bstr_range().map_err(&e)?;
    let unprotected_at = r.pos();
    let mut iv = None;
    for _ in 0..r.map().map_err(&e)? {
        if r.label().map_err(&e)? != HDR_IV {
            return Err(VectorError::generate(name, "unexpected unprotected header"));
        }
        iv = Some(r.bstr_range().map_err(&e)?);
    }
    let body = r.bstr_range().map_err(&e)?;
    let (trailer, recipients_at) = match (n, tag) {
        (4, TAG_ENCRYPT) => (None, Some(r.pos())),
        (4, _) => (Some(r.bstr_range().map_err(&e)?), None),
        _ => (None, None),
    };
    Ok(Parts {
        protected,
        unprotected_at,
        iv,
        body,
        trailer,
        recipients_at,
    })
}

/// Range of the first recipient's ciphertext and, for ECDH-ES, of its ephemeral `x`.
pub(super) fn first_recipient(
    name: &str,
    msg: &[u8],
    at: usize,
) -> Result<(Range<usize>, Option<Range<usize>>), VectorError> {
    let e = cbor(name);
    let mut r = Reader::new(msg.get(at..).unwrap_or_default());
    let shift = |x: Range<usize>| x.start + at..x.end + at;
    r.array().map_err(&e)?;
    r.array().map_err(&e)?;
    r.bstr().map_err(&e)?;
    let mut x = None;
    for _ in 0..r.map().map_err(&e)? {
        match r.label().map_err(&e)? {
            HDR_KID => drop(r.bstr().map_err(&e)?),
            HDR_EPHEMERAL_KEY => {
                for _ in 0..r.map().map_err(&e)? {
                    match r.label().map_err(&e)? {
                        KEY_KTY | KEY_CRV => drop(r.int().map_err(&e)?),
                        KEY_X => x = Some(shift(r.bstr_range().map_err(&e)?)),
                        _ => drop(r.bstr().map_err(&e)?),
                    }
                }
            }
            _ => return Err(VectorError::generate(name, "unexpected recipient header")),
        }
    }
    Ok((shift(r.bstr_range().map_err(&e)?), x))
}

/// `msg` with the lowest bit of byte `at` flipped.
pub(super) fn flip(name: &str, msg: &[u8], at: usize) -> Result<Vec<u8>, VectorError> {
    let mut out = msg.to_vec();
    let b = out
        .get_mut(at)
        .ok_or_else(|| VectorError::generate(name, format!("no byte {at} to flip")))?;
    *b ^= 0x01;
    Ok(out)
}

/// Offset of the last byte of `needle` inside `range` of `msg`.
pub(super) fn last_byte_of(
    name: &str,
    msg: &[u8],
    range: Range<usize>,
    needle: &[u8],
) -> Result<usize, VectorError> {
    let hay = msg.get(range.clone()).unwrap_or_default();
    hay.windows(needle.len())
        .position(|w| w == needle)
        .map(|i| range.start + i + needle.len() - 1)
        .ok_or_else(|| VectorError::generate(name, "method not found in the header"))
}

/// One protected-header entry: its label and its encoded value.
pub(super) type Field = (i64, Vec<u8>);

/// A CBOR item written by `f` (at most 512 bytes).
pub(super) fn item(f: impl FnOnce(&mut Writer<'_>) -> Result<(), Overflow>) -> Vec<u8> {
    let mut buf = vec![0u8; 512];
    let mut w = Writer::new(&mut buf);
    let n = if f(&mut w).is_ok() { w.len() } else { 0 };
    buf.truncate(n);
    buf
}

/// The `cti` of hand-built messages: stream prefix `c7a10e55`, counter 1.
pub(super) const CRAFTED_CTI: [u8; 12] = [0xc7, 0xa1, 0x0e, 0x55, 0, 0, 0, 0, 0, 0, 0, 1];

/// The CWT claims `{1: iss, 3: aud, 6: iat, 7: cti}` of a message from `iss` to `aud`
/// (kids), issued at `iat`, with [`CRAFTED_CTI`].
pub(super) fn claims(iss: &str, aud: &str, iat: u64) -> Vec<u8> {
    item(|w| {
        w.head(MAJOR_MAP, 4)?;
        w.int(CWT_ISS)?;
        w.tstr(&kid_name(iss.as_bytes()))?;
        w.int(CWT_AUD)?;
        w.tstr(&kid_name(aud.as_bytes()))?;
        w.int(CWT_IAT)?;
        w.head(MAJOR_UINT, iat)?;
        w.int(CWT_CTI)?;
        w.bstr(&CRAFTED_CTI)
    })
}

/// The fields of a well-formed protected header, in the profile's order: `alg` (if
/// given), `kid`, CWT claims from [`ISSUER`] to [`NODE`] at `iat`, the RPC method.
pub(super) fn fields(alg: Option<i64>, kid: &[u8], iat: u64, method: &str) -> Vec<Field> {
    let mut out = Vec::new();
    if let Some(a) = alg {
        out.push((HDR_ALG, item(|w| w.int(a))));
    }
    out.push((HDR_KID, item(|w| w.bstr(kid))));
    out.push((HDR_CWT_CLAIMS, claims(ISSUER, NODE, iat)));
    out.push((HDR_RPC_METHOD, item(|w| w.tstr(method))));
    out
}

/// The protected header map holding `fields` in the given order (which may be wrong).
pub(super) fn header(fields: &[Field]) -> Vec<u8> {
    let len = fields.iter().map(|(_, v)| v.len() + 9).sum::<usize>() + 9;
    let mut buf = vec![0u8; len];
    let mut w = Writer::new(&mut buf);
    let written = (|| {
        w.head(MAJOR_MAP, fields.len() as u64)?;
        for (label, value) in fields {
            w.int(*label)?;
            w.raw(value)?;
        }
        Ok::<(), Overflow>(())
    })();
    let n = if written.is_ok() { w.len() } else { 0 };
    buf.truncate(n);
    buf
}

/// A COSE_Mac0 with the given protected bytes and raw unprotected map, MACed correctly
/// with `key` (so only the header layout is wrong).
pub(super) fn mac0(
    name: &str,
    key: &KeyEntry,
    protected: &[u8],
    unprotected: &[u8],
    payload: &[u8],
) -> Result<Vec<u8>, VectorError> {
    let err = |d: &str| VectorError::generate(name, d);
    let KeyMaterial::Symmetric(k) = &key.material else {
        return Err(err("MAC key must be symmetric"));
    };
    let mut prefix = vec![0u8; protected.len() + 64];
    let mut w = Writer::new(&mut prefix);
    to_be_authenticated_prefix(&mut w, CTX_MAC0, protected, &[], payload.len())
        .map_err(|_| err("MAC_structure too long"))?;
    let mut tag = [0u8; 32];
    let mac = ALL_BACKENDS
        .iter()
        .find_map(|b| (b.mac)(MacId::HmacSha256).ok())
        .ok_or_else(|| err("no backend has HMAC-SHA256"))?;
    mac.new_key(k)
        .and_then(|key| key.sign(&[w.written(), payload], &mut tag))
        .map_err(|e| VectorError::generate(name, e))?;
    let mut out = vec![0u8; protected.len() + unprotected.len() + payload.len() + 64];
    let mut w = Writer::new(&mut out);
    let written = (|| {
        w.head(MAJOR_TAG, TAG_MAC0)?;
        w.head(MAJOR_ARRAY, 4)?;
        w.bstr(protected)?;
        w.raw(unprotected)?;
        w.bstr(payload)?;
        w.bstr(&tag)
    })();
    written.map_err(|_| err("message too long"))?;
    let n = w.len();
    out.truncate(n);
    Ok(out)
}
