//! Byte surgery for negative vectors: where the parts of a sealed message lie, bit flips,
//! and hand-built COSE_Mac0 messages with a correct tag over a non-conforming header.

use std::ops::Range;

use super::error::VectorError;
use crate::backend::{ALL_BACKENDS, MacId};
use crate::envelope::cbor::{MAJOR_ARRAY, MAJOR_MAP, MAJOR_TAG, MAJOR_UINT, Reader, Writer};
use crate::envelope::iana::{
    CWT_CTI, CWT_IAT, HDR_ALG, HDR_CRIT, HDR_CWT_CLAIMS, HDR_EPHEMERAL_KEY, HDR_IV, HDR_KID,
    HDR_RPC_METHOD, KEY_CRV, KEY_KTY, KEY_X, TAG_ENCRYPT, TAG_MAC0,
};
use crate::envelope::keys::{KeyEntry, KeyMaterial};
use crate::envelope::structure::{CTX_MAC0, to_be_authenticated_prefix};

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

fn cbor(name: &str) -> impl Fn(crate::envelope::cbor::CborError) -> VectorError + '_ {
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

/// A protected header with the profile's fields and, optionally, `alg` and a `crit`
/// header that marks the RPC method label critical.
pub(super) fn protected(
    alg: Option<i64>,
    crit: bool,
    kid: &[u8],
    iat: u64,
    method: &str,
) -> Vec<u8> {
    let cti = [0xc7, 0xa1, 0x0e, 0x55, 0, 0, 0, 0, 0, 0, 0, 1];
    let mut buf = vec![0u8; 64 + kid.len() + method.len()];
    let mut w = Writer::new(&mut buf);
    let pairs = 3 + u64::from(alg.is_some()) + u64::from(crit);
    let written = (|| {
        w.head(MAJOR_MAP, pairs)?;
        if let Some(a) = alg {
            w.int(HDR_ALG)?;
            w.int(a)?;
        }
        if crit {
            w.int(HDR_CRIT)?;
            w.head(MAJOR_ARRAY, 1)?;
            w.int(HDR_RPC_METHOD)?;
        }
        w.int(HDR_KID)?;
        w.bstr(kid)?;
        w.int(HDR_CWT_CLAIMS)?;
        w.head(MAJOR_MAP, 2)?;
        w.int(CWT_IAT)?;
        w.head(MAJOR_UINT, iat)?;
        w.int(CWT_CTI)?;
        w.bstr(&cti)?;
        w.int(HDR_RPC_METHOD)?;
        w.tstr(method)
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
