//! Message framing: tagged COSE messages around already-computed parts (RFC 9052 §4–§6).
//!
//! ```cddl
//! COSE_Sign1 = 18([ protected: bstr, unprotected: {}, payload: bstr, signature: bstr ])
//! COSE_Mac0 = 17([ protected: bstr, unprotected: {}, payload: bstr, tag: bstr ])
//! COSE_Encrypt0 = 16([ protected: bstr, unprotected: {5: iv}, ciphertext: bstr ])
//! COSE_Encrypt = 96([ protected: bstr, unprotected: {5: iv}, ciphertext: bstr,
//!                     recipients: [+ COSE_recipient] ])
//! ```
//! These allocate and are for code off the hot path (crafted vectors and attack
//! scenarios); the envelope's sealer writes the same shapes in place.

use super::cbor::{MAJOR_ARRAY, MAJOR_MAP, MAJOR_TAG, Overflow, to_vec};
use super::iana::{HDR_IV, TAG_ENCRYPT, TAG_ENCRYPT0, TAG_MAC0, TAG_SIGN1};

/// Protected header `{1: -41}` of an RSAES-OAEP w/ SHA-256 recipient.
pub const PROTECTED_OAEP: [u8; 4] = [0xa1, 0x01, 0x38, 0x28];
/// Protected header `{1: -25}` of an ECDH-ES + HKDF-256 recipient.
pub const PROTECTED_ECDH_ES: [u8; 4] = [0xa1, 0x01, 0x38, 0x18];

/// Room for heads around the variable parts.
const SLACK: usize = 64;

/// `tag([protected, {}, payload, last])`: COSE_Sign1 (`last` the signature) or COSE_Mac0
/// (`last` the tag).
fn four_part(tag: u64, protected: &[u8], payload: &[u8], last: &[u8]) -> Result<Vec<u8>, Overflow> {
    to_vec(protected.len() + payload.len() + last.len() + SLACK, |w| {
        w.head(MAJOR_TAG, tag)?;
        w.head(MAJOR_ARRAY, 4)?;
        w.bstr(protected)?;
        w.head(MAJOR_MAP, 0)?;
        w.bstr(payload)?;
        w.bstr(last)
    })
}

/// A tagged COSE_Sign1 with an empty unprotected header.
pub fn sign1(protected: &[u8], payload: &[u8], signature: &[u8]) -> Result<Vec<u8>, Overflow> {
    four_part(TAG_SIGN1, protected, payload, signature)
}

/// A tagged COSE_Mac0 with an empty unprotected header.
pub fn mac0(protected: &[u8], payload: &[u8], tag: &[u8]) -> Result<Vec<u8>, Overflow> {
    four_part(TAG_MAC0, protected, payload, tag)
}

/// A tagged COSE_Encrypt0 (`recipients` `None`) or COSE_Encrypt (`recipients` the encoded
/// array) with the unprotected header `{5: iv}`.
pub fn encrypt(
    protected: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
    recipients: Option<&[u8]>,
) -> Result<Vec<u8>, Overflow> {
    let tail = recipients.unwrap_or_default();
    let cap = protected.len() + iv.len() + ciphertext.len() + tail.len() + SLACK;
    to_vec(cap, |w| {
        match recipients {
            Some(_) => {
                w.head(MAJOR_TAG, TAG_ENCRYPT)?;
                w.head(MAJOR_ARRAY, 4)?;
            }
            None => {
                w.head(MAJOR_TAG, TAG_ENCRYPT0)?;
                w.head(MAJOR_ARRAY, 3)?;
            }
        }
        w.bstr(protected)?;
        w.head(MAJOR_MAP, 1)?;
        w.int(HDR_IV)?;
        w.bstr(iv)?;
        w.bstr(ciphertext)?;
        w.raw(tail)
    })
}

/// A CBOR array of already-encoded items (a recipients array).
pub fn array_of(items: &[&[u8]]) -> Result<Vec<u8>, Overflow> {
    let len = items.iter().map(|r| r.len()).sum::<usize>() + 9;
    to_vec(len, |w| {
        w.head(MAJOR_ARRAY, items.len() as u64)?;
        items.iter().try_for_each(|r| w.raw(r))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use coset::{CborSerializable, CoseEncrypt0, CoseMac0, CoseSign1, TaggedCborSerializable};

    #[test]
    fn framing_decodes_with_coset() {
        let prot = [0xa1, 0x01, 0x26];
        let s = CoseSign1::from_tagged_slice(&sign1(&prot, b"p", &[1; 64]).unwrap()).unwrap();
        assert_eq!(
            (s.payload.as_deref(), s.signature.len()),
            (Some(&b"p"[..]), 64)
        );
        let m = CoseMac0::from_tagged_slice(&mac0(&prot, b"p", &[2; 32]).unwrap()).unwrap();
        assert_eq!(m.tag, vec![2; 32]);
        let e = encrypt(&prot, &[3; 12], b"ct", None).unwrap();
        let e = CoseEncrypt0::from_tagged_slice(&e).unwrap();
        assert_eq!(
            (e.unprotected.iv, e.ciphertext),
            (vec![3; 12], Some(b"ct".to_vec()))
        );
        let arr = array_of(&[&[0x01], &[0x02]]).unwrap();
        assert_eq!(arr, [0x82, 0x01, 0x02]);
        assert!(coset::CoseRecipient::from_slice(&[0x83, 0x40, 0xa0, 0x40]).is_ok());
    }
}
