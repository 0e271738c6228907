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

/// Context string of a Sig_structure for a signer of COSE_Sign.
pub const CTX_SIGNATURE: &str = "Signature";
/// Context string of a MAC_structure for COSE_Mac.
pub const CTX_MAC: &str = "MAC";
/// Context string of a Sig_structure for a COSE_Countersignature (RFC 8152 §4.5).
pub const CTX_COUNTER_SIGNATURE: &str = "CounterSignature";

/// Writes a Sig_structure that carries a signer's protected header (COSE_Sign signers,
/// countersignatures), up to (excluding) the payload bytes:
///
/// ```cddl
/// Sig_structure = [ context: "Signature" / "CounterSignature", body_protected: bstr,
///                   sign_protected: bstr, external_aad: bstr, payload: bstr ]
/// ```
/// ref: RFC 9052 §4.4. Additive beside [`to_be_authenticated_prefix`] (the four-element
/// form the envelope's Sign1/Mac0 use); the COSE WG conformance runner uses both.
pub fn to_be_signed_prefix_with_signer(
    w: &mut Writer<'_>,
    context: &str,
    body_protected: &[u8],
    sign_protected: &[u8],
    external_aad: &[u8],
    payload_len: usize,
) -> Result<(), Overflow> {
    w.head(MAJOR_ARRAY, 5)?;
    w.tstr(context)?;
    w.bstr(body_protected)?;
    w.bstr(sign_protected)?;
    w.bstr(external_aad)?;
    w.head(MAJOR_BSTR, payload_len as u64)
}

/// The profile's `external_aad` for content encryption (COSE_Encrypt0 and COSE_Encrypt):
/// empty, the RFC 9052 §5.3 value for an application that supplies none, so any COSE
/// library opens our Encrypt0 messages with its defaults.
///
/// An earlier version padded the Enc_structure to a multiple of 16 bytes here with zero
/// bytes (GHASH absorbs associated data in 16-byte blocks). A same-run, interleaved A/B
/// through the real `Sealer`/`Opener` on aws-lc (`examples/aad_padding_ab.rs`) measured
/// the padding at 0–4% of a 64-byte Encrypt0 open, depending on the header's length
/// modulo 16: under the 5% a profile-specific AAD rule had to earn, so it was dropped. The arguments stay so the
/// callers name the structure they authenticate.
pub const fn content_external_aad(_context: &str, _protected: &[u8]) -> &'static [u8] {
    &[]
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
    fn content_enc_structure_is_rfc9052_with_no_external_aad() {
        // Whatever the protected header's length, the AAD is exactly coset's Enc_structure
        // with an empty external_aad (no profile-specific padding or binding).
        for alg in [iana::Algorithm::A128GCM, iana::Algorithm::ChaCha20Poly1305] {
            for kid_len in [0usize, 1, 7, 8, 13, 24, 64] {
                let protected = HeaderBuilder::new()
                    .algorithm(alg)
                    .key_id(vec![0x6b; kid_len])
                    .build();
                let mut theirs = Vec::new();
                let enc0 = CoseEncrypt0Builder::new()
                    .protected(protected)
                    .create_ciphertext(b"pt", b"", |_, aad| {
                        theirs = aad.to_vec();
                        Vec::new()
                    })
                    .build();
                let prot = enc0.protected.clone().to_vec().unwrap();
                let mut buf = vec![0u8; prot.len() + 64];
                let mut w = Writer::new(&mut buf);
                let ext = content_external_aad(CTX_ENCRYPT0, &prot);
                enc_structure(&mut w, CTX_ENCRYPT0, &prot, ext).unwrap();
                assert_eq!(w.written(), &theirs[..], "kid length {kid_len}");
            }
        }
    }

    #[test]
    fn sig_structure_with_signer_matches_coset() {
        use coset::{CoseSignBuilder, CoseSignatureBuilder};
        let body = HeaderBuilder::new()
            .content_format(iana::CoapContentFormat::CoseSign)
            .build();
        let signer = HeaderBuilder::new()
            .algorithm(iana::Algorithm::ES256)
            .build();
        let sign = CoseSignBuilder::new()
            .protected(body)
            .payload(b"payload".to_vec())
            .add_signature(CoseSignatureBuilder::new().protected(signer).build())
            .build();
        let theirs = sign.tbs_data(b"ext", &sign.signatures[0]);
        let body_bytes = sign.protected.clone().to_vec().unwrap();
        let signer_bytes = sign.signatures[0].protected.clone().to_vec().unwrap();
        let mut buf = [0u8; 128];
        let mut w = Writer::new(&mut buf);
        to_be_signed_prefix_with_signer(
            &mut w,
            CTX_SIGNATURE,
            &body_bytes,
            &signer_bytes,
            b"ext",
            7,
        )
        .unwrap();
        assert_eq!([w.written(), b"payload"].concat(), theirs);
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
