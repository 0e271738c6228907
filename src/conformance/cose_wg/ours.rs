//! The structures the examples' intermediates describe, rebuilt by the COSE core the
//! envelope ships (`cose::structure`, `cose::kdf`, `cose::cbor`), not coset's.
//!
//! coset stays the independent decoder of `output.cbor`; the bytes that get signed,
//! MACed, authenticated or fed to HKDF come from here, so the WG corpus checks the
//! builders the envelope ships. Each function sizes its buffer from its inputs.

use coset::ProtectedHeader;

use super::check::{Step, failed};
use crate::cose::cbor::{Overflow, Writer, to_vec};
use crate::cose::structure::{
    enc_structure, to_be_authenticated_prefix, to_be_signed_prefix_with_signer,
};

/// Room for the heads and context strings around the variable parts.
const SLACK: usize = 96;

fn build(
    cap: usize,
    what: &str,
    f: impl FnOnce(&mut Writer<'_>) -> Result<(), Overflow>,
) -> Step<Vec<u8>> {
    to_vec(cap.saturating_add(SLACK), f)
        .map_err(|Overflow| failed(format!("{what}: buffer too small (runner bug)")))
}

/// The protected header exactly as it is on the wire (empty for an empty bstr).
pub(super) fn wire_protected(p: &ProtectedHeader) -> Step<Vec<u8>> {
    match &p.original_data {
        Some(bytes) => Ok(bytes.clone()),
        None if p.header.is_empty() => Ok(Vec::new()),
        None => Err(failed("protected header without its wire bytes")),
    }
}

/// `[context, body_protected, external_aad, payload]` (Sign1 "Signature1", Mac0 "MAC0",
/// Mac "MAC").
pub(super) fn four(
    context: &str,
    protected: &[u8],
    external: &[u8],
    payload: &[u8],
) -> Step<Vec<u8>> {
    let cap = protected.len() + external.len() + payload.len();
    build(cap, context, |w| {
        to_be_authenticated_prefix(w, context, protected, external, payload.len())?;
        w.raw(payload)
    })
}

/// `[context, body_protected, sign_protected, external_aad, payload]` (COSE_Sign signers).
pub(super) fn five(
    context: &str,
    body_protected: &[u8],
    sign_protected: &[u8],
    external: &[u8],
    payload: &[u8],
) -> Step<Vec<u8>> {
    let cap = body_protected.len() + sign_protected.len() + external.len() + payload.len();
    build(cap, context, |w| {
        to_be_signed_prefix_with_signer(
            w,
            context,
            body_protected,
            sign_protected,
            external,
            payload.len(),
        )?;
        w.raw(payload)
    })
}

/// `Enc_structure = [context, protected, external_aad]`.
pub(super) fn enc(context: &str, protected: &[u8], external: &[u8]) -> Step<Vec<u8>> {
    build(protected.len() + external.len(), context, |w| {
        enc_structure(w, context, protected, external)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebuilds_the_rfc_examples_byte_for_byte() {
        // hmac-examples/HMac-enc-01.json ToMac_hex.
        let to_mac = four("MAC0", &[0xa1, 0x01, 0x05], b"", b"This is the content.").unwrap();
        assert_eq!(
            hex::encode_upper(to_mac),
            "84644D41433043A101054054546869732069732074686520636F6E74656E742E"
        );
        // RFC 8152 C.3.1 AAD_hex (COSE_Encrypt, protected {1: 1}).
        let aad = enc("Encrypt", &[0xa1, 0x01, 0x01], b"").unwrap();
        assert_eq!(hex::encode_upper(aad), "8367456E637279707443A1010140");
        // sign1-tests/sign-pass-02 (external AAD) ToBeSign_hex.
        let ext = hex::decode("11aa22bb33cc44dd55006699").unwrap();
        let tbs = four(
            "Signature1",
            &[0xa1, 0x01, 0x26],
            &ext,
            b"This is the content.",
        )
        .unwrap();
        assert_eq!(
            hex::encode_upper(tbs),
            "846A5369676E61747572653143A101264C11AA22BB33CC44DD5500669954546869732069732074686520636F6E74656E742E"
        );
    }
}
