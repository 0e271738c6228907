//! Strict unpadded base64url (RFC 4648 §5), the encoding of JWK members.
//!
//! Padding, characters outside the URL-safe alphabet and non-zero trailing bits are
//! errors: a vector that decodes two ways is a malformed vector.

/// The value of one base64url character.
fn sextet(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes unpadded base64url.
pub(super) fn decode(text: &str) -> Result<Vec<u8>, String> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return Err(format!("base64url {text:?} has an impossible length"));
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3 + 2);
    for chunk in bytes.chunks(4) {
        let mut acc: u32 = 0;
        for &c in chunk {
            let v = sextet(c)
                .ok_or_else(|| format!("base64url {text:?}: bad character {:?}", char::from(c)))?;
            acc = (acc << 6) | v;
        }
        // Left-align the chunk's 6·len bits in 24 bits, then keep the whole bytes.
        let bits = 6 * chunk.len();
        acc <<= 24 - bits;
        let [_, b0, b1, b2] = acc.to_be_bytes();
        let whole = bits / 8;
        let kept = [b0, b1, b2];
        out.extend(kept.iter().take(whole));
        let leftover = acc & ((1u32 << (24 - whole * 8)) - 1);
        if leftover != 0 {
            return Err(format!("base64url {text:?} has non-zero trailing bits"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_rfc4648_vectors_without_padding() {
        // ref: RFC 4648 §10 (base64 and base64url agree on these)
        for (text, plain) in [
            ("", ""),
            ("Zg", "f"),
            ("Zm8", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg", "foob"),
            ("Zm9vYmE", "fooba"),
            ("Zm9vYmFy", "foobar"),
        ] {
            assert_eq!(decode(text).unwrap(), plain.as_bytes(), "{text}");
        }
        assert_eq!(decode("-_8").unwrap(), [0xfb, 0xff]);
    }

    #[test]
    fn rejects_padding_bad_characters_and_trailing_bits() {
        assert!(decode("Zg==").is_err());
        assert!(decode("Z+8").is_err());
        assert!(decode("Zh").is_err());
        assert!(decode("Z").is_err());
    }
}
