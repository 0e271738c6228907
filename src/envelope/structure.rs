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

/// The profile's `external_aad` for content encryption: zero bytes, as many as make the
/// whole Enc_structure a multiple of 16 bytes.
///
/// GHASH absorbs associated data in 16-byte blocks; a trailing partial block costs AES-GCM
/// implementations an extra field multiplication and a byte-wise loop (measured ~10-15 ns
/// per message on this machine class, see `../shared/notes/envelope-hot-path.md`). The
/// padding is never transmitted — both sides derive it from the protected header's length
/// — and, being constant zeros, authenticates nothing beyond the Enc_structure itself.
pub fn content_external_aad(context: &str, protected: &[u8]) -> &'static [u8] {
    const ZEROS: [u8; 15] = [0; 15];
    let bstr_head = super::cbor::head_len(protected.len() as u64);
    // array head + tstr head + context + bstr head + protected + 1-byte head of a short bstr.
    let base = 1 + 1 + context.len() + bstr_head + protected.len() + 1;
    ZEROS.get(..(16 - base % 16) % 16).unwrap_or_default()
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
    fn content_external_aad_aligns_the_enc_structure_to_16_bytes() {
        for len in 0..300 {
            let protected = vec![0x41u8; len];
            for ctx in [CTX_ENCRYPT0, CTX_ENCRYPT] {
                let ext = content_external_aad(ctx, &protected);
                let mut buf = vec![0u8; len + 64];
                let mut w = Writer::new(&mut buf);
                enc_structure(&mut w, ctx, &protected, ext).unwrap();
                assert_eq!(w.len() % 16, 0, "len {len} {ctx}");
                assert!(ext.iter().all(|&b| b == 0) && ext.len() < 16);
            }
        }
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
