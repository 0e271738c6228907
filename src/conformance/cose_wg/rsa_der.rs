//! DER for RSA private keys: PKCS#1 `RSAPrivateKey` wrapped in a PKCS#8
//! `PrivateKeyInfo`, which is what the backends' key-transport traits load.

use der::asn1::{ObjectIdentifier, OctetStringRef, UintRef};
use der::{Encode, Header, Length, Tag};
use spki::AlgorithmIdentifierOwned;

// ref: RFC 8017 Appendix C
const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// Big-endian integer bytes without leading zero bytes.
pub(super) fn strip_zeros(v: &[u8]) -> &[u8] {
    let start = v.iter().position(|&b| b != 0).unwrap_or(v.len());
    v.get(start..).unwrap_or_default()
}

/// `SEQUENCE { content }` in DER.
fn sequence(content: &[u8]) -> der::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(content.len() + 4);
    Header::new(Tag::Sequence, Length::try_from(content.len())?).encode_to_vec(&mut out)?;
    out.extend_from_slice(content);
    Ok(out)
}

/// PKCS#8 `PrivateKeyInfo` wrapping a PKCS#1 `RSAPrivateKey` (two-prime, version 0).
// ref: RFC 8017 Appendix A.1.2, RFC 5208 §5
pub(super) fn rsa_pkcs8(members: &[&Vec<u8>; 8]) -> der::Result<Vec<u8>> {
    let mut pkcs1 = Vec::new();
    UintRef::new(&[0])?.encode_to_vec(&mut pkcs1)?;
    for m in members {
        UintRef::new(strip_zeros(m))?.encode_to_vec(&mut pkcs1)?;
    }
    let pkcs1 = sequence(&pkcs1)?;
    let mut info = Vec::new();
    UintRef::new(&[0])?.encode_to_vec(&mut info)?;
    AlgorithmIdentifierOwned {
        oid: OID_RSA_ENCRYPTION,
        parameters: Some(der::Any::null()),
    }
    .encode_to_vec(&mut info)?;
    OctetStringRef::new(&pkcs1)?.encode_to_vec(&mut info)?;
    sequence(&info)
}
