//! Reading key and certificate files: size limit, PEM (strict RFC 7468) or DER.
//!
//! Everything read here may be secret, so it lands in `Zeroizing` buffers; parse errors of
//! secret data carry fixed reasons only.

use std::io::Read;
use std::path::Path;

use zeroize::Zeroizing;

use super::error::{KeyStoreError, Origin};

/// The largest file accepted (key files are a few KiB; certificates rarely above 16 KiB).
const MAX_FILE_LEN: u64 = 1 << 20;

const PEM_BEGIN: &[u8] = b"-----BEGIN ";
const PEM_END: &[u8] = b"-----END ";
const PEM_DASHES: &[u8] = b"-----";

/// Reads a whole file into a zeroizing buffer, sized up front so it is not reallocated.
pub(super) fn read(path: &Path, origin: &Origin) -> Result<Zeroizing<Vec<u8>>, KeyStoreError> {
    let io = |source| KeyStoreError::Read {
        origin: origin.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len > MAX_FILE_LEN {
        return Err(KeyStoreError::Malformed {
            origin: origin.clone(),
            what: "key or certificate file",
            reason: format!("{len} bytes is larger than the {MAX_FILE_LEN}-byte limit"),
        });
    }
    let capacity = usize::try_from(len).unwrap_or(0).saturating_add(1);
    let mut buf = Zeroizing::new(Vec::with_capacity(capacity));
    file.take(MAX_FILE_LEN).read_to_end(&mut buf).map_err(io)?;
    Ok(buf)
}

/// Whether the bytes are PEM (they contain a BEGIN line) rather than DER.
pub(super) fn is_pem(data: &[u8]) -> bool {
    find(data, PEM_BEGIN).is_some()
}

/// The label of a PEM document, or `None` if it has no parsable BEGIN line.
pub(super) fn pem_label(data: &[u8]) -> Option<String> {
    pem_rfc7468::decode_label(pem_block(data)?)
        .ok()
        .map(str::to_string)
}

/// Decodes a single-block PEM document whose label is one of `labels`.
/// Returns the label and the DER bytes. Data after the END line (other than whitespace)
/// is an error, as is any other label.
pub(super) fn decode_pem(
    data: &[u8],
    origin: &Origin,
    labels: &'static [&'static str],
    expected: &'static str,
) -> Result<(&'static str, Zeroizing<Vec<u8>>), KeyStoreError> {
    let malformed = |reason: String| KeyStoreError::Malformed {
        origin: origin.clone(),
        what: "PEM file",
        reason,
    };
    let block = pem_block(data).ok_or_else(|| malformed("no -----END ...----- line".into()))?;
    let rest = data.get(block.len()..).unwrap_or_default();
    if !rest.iter().all(u8::is_ascii_whitespace) {
        return Err(KeyStoreError::PemTrailingData {
            origin: origin.clone(),
        });
    }
    // pem-rfc7468's messages describe the structure, never the encoded bytes.
    let label = pem_rfc7468::decode_label(block).map_err(|e| malformed(e.to_string()))?;
    let label = labels
        .iter()
        .copied()
        .find(|l| *l == label)
        .ok_or_else(|| KeyStoreError::PemLabel {
            origin: origin.clone(),
            label: label.to_string(),
            expected,
        })?;
    // Base64 decodes to fewer bytes than its text, so `block.len()` is enough room.
    let mut der = Zeroizing::new(vec![0u8; block.len()]);
    let len = pem_rfc7468::decode(block, &mut der)
        .map_err(|e| malformed(e.to_string()))?
        .1
        .len();
    der.truncate(len);
    Ok((label, der))
}

/// The PEM text up to and including the first END line's closing dashes.
fn pem_block(data: &[u8]) -> Option<&[u8]> {
    let end = find(data, PEM_END)?;
    let after = end.checked_add(PEM_END.len())?;
    let close = after.checked_add(find(data.get(after..)?, PEM_DASHES)?)?;
    data.get(..close.checked_add(PEM_DASHES.len())?)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Maps a DER decoding error: trailing bytes get their own variant; other errors inside
/// secret data get a fixed message (the decoder's may quote tag bytes), public ones the
/// decoder's message.
pub(super) fn der_error(
    e: der::Error,
    origin: &Origin,
    what: &'static str,
    secret: bool,
) -> KeyStoreError {
    match e.kind() {
        der::ErrorKind::TrailingData { remaining, .. } => KeyStoreError::DerTrailingData {
            origin: origin.clone(),
            what,
            trailing: u32::from(remaining),
        },
        _ if secret => KeyStoreError::Malformed {
            origin: origin.clone(),
            what,
            reason: match e.position() {
                Some(at) => format!("invalid DER at byte {at}"),
                None => "invalid DER".to_string(),
            },
        },
        _ => KeyStoreError::Malformed {
            origin: origin.clone(),
            what,
            reason: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_block_stops_at_the_first_end_line() {
        let pem = b"-----BEGIN X-----\nAAAA\n-----END X-----\nmore";
        assert_eq!(pem_block(pem).unwrap(), &pem[..pem.len() - 5]);
        assert!(is_pem(pem));
        assert!(is_pem(b"0 preamble\n-----BEGIN X-----"));
        assert!(!is_pem(b"\x30\x03\x02\x01\x00"));
        assert!(pem_block(b"-----BEGIN X-----\nAAAA\n").is_none());
    }
}
