//! The byte strings COSE authenticates (RFC 9052 §4.4, §5.3, §6.3), written by the fast path.
//!
//! ```cddl
//! Sig_structure = [ context: "Signature1", body_protected: bstr, external_aad: bstr, payload: bstr ]
//! MAC_structure = [ context: "MAC0", protected: bstr, external_aad: bstr, payload: bstr ]
//! Enc_structure = [ context: "Encrypt0" / "Encrypt", protected: bstr, external_aad: bstr ]
//! ```
//! For signatures and MACs only the part before the payload bytes is written; the payload
//! is hashed where it lies.

use super::cbor::{MAJOR_ARRAY, MAJOR_BSTR, Overflow, Writer};

/// Context string of a Sig_structure for COSE_Sign1.
pub const CTX_SIGNATURE1: &str = "Signature1";
/// Context string of a MAC_structure for COSE_Mac0.
pub const CTX_MAC0: &str = "MAC0";
/// Context string of an Enc_structure for COSE_Encrypt0.
pub const CTX_ENCRYPT0: &str = "Encrypt0";
/// Context string of an Enc_structure for COSE_Encrypt.
pub const CTX_ENCRYPT: &str = "Encrypt";

/// Writes a Sig_structure or MAC_structure up to (excluding) the payload bytes.
pub fn to_be_authenticated_prefix(
    w: &mut Writer<'_>,
    context: &str,
    protected: &[u8],
    external_aad: &[u8],
    payload_len: usize,
) -> Result<(), Overflow> {
    w.head(MAJOR_ARRAY, 4)?;
    w.tstr(context)?;
    w.bstr(protected)?;
    w.bstr(external_aad)?;
    w.head(MAJOR_BSTR, payload_len as u64)
}

/// Writes an Enc_structure (the AEAD's associated data).
pub fn enc_structure(
    w: &mut Writer<'_>,
    context: &str,
    protected: &[u8],
    external_aad: &[u8],
) -> Result<(), Overflow> {
    w.head(MAJOR_ARRAY, 3)?;
    w.tstr(context)?;
    w.bstr(protected)?;
    w.bstr(external_aad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use coset::{CborSerializable, CoseEncrypt0Builder, CoseSign1Builder, HeaderBuilder, iana};

    #[test]
    fn sig_structure_matches_coset() {
        let protected = HeaderBuilder::new()
            .algorithm(iana::Algorithm::EdDSA)
            .build();
        let payload = b"payload bytes".to_vec();
        let sign1 = CoseSign1Builder::new()
            .protected(protected)
            .payload(payload.clone())
            .build();
        let theirs = sign1.tbs_data(b"aad");
        let prot_bytes = sign1.protected.clone().to_vec().unwrap();
        let prot_map = prot_bytes.as_slice();
        let mut buf = [0u8; 128];
        let mut w = Writer::new(&mut buf);
        to_be_authenticated_prefix(&mut w, CTX_SIGNATURE1, prot_map, b"aad", payload.len())
            .unwrap();
        let ours = [w.written(), &payload].concat();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn enc_structure_matches_coset() {
        let protected = HeaderBuilder::new()
            .algorithm(iana::Algorithm::A128GCM)
            .build();
        let mut seen = Vec::new();
        let _ = CoseEncrypt0Builder::new()
            .protected(protected)
            .create_ciphertext(b"pt", b"ext", |_, aad| {
                seen = aad.to_vec();
                Vec::new()
            });
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        // A protected header {1: 1} is a1 01 01.
        enc_structure(&mut w, CTX_ENCRYPT0, &[0xa1, 0x01, 0x01], b"ext").unwrap();
        assert_eq!(w.written(), &seen[..]);
    }
}
