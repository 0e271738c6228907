//! PKCS#8 v2 (RFC 5958 `OneAsymmetricKey`) for libcrypto 3.0, which reads only v1.
//!
//! ring writes its Ed25519 keys as v2 (version 1 plus the public key), and the trait
//! promises both versions, so a v2 key is rewritten as v1 (same algorithm, private key and
//! attributes) for OpenSSL, and the public key it carries is returned as an SPKI so the
//! caller can check that it belongs to the private key. Only the top-level fields are
//! split here; OpenSSL parses the contents.

use der::asn1::AnyRef;
use der::{Decode, Encode, Reader, SliceReader, Tag, TagNumber, Tagged};

/// A v2 key rewritten as v1, and the SPKI of the public key it declares (if any).
pub(super) struct Downgraded {
    /// The same key as PKCS#8 v1.
    pub(super) v1: Vec<u8>,
    /// `SubjectPublicKeyInfo` built from the algorithm and the `publicKey` field.
    pub(super) spki: Option<Vec<u8>>,
}

/// Top-level fields of a `OneAsymmetricKey`, as DER slices of the input.
struct Fields<'a> {
    version: u8,
    algorithm: &'a [u8],
    private_key: &'a [u8],
    attributes: Option<&'a [u8]>,
    /// Contents of the public key BIT STRING (unused-bits octet first).
    public_key: Option<&'a [u8]>,
}

const ATTRIBUTES: Tag = Tag::ContextSpecific {
    constructed: true,
    number: TagNumber(0),
};
// ref: RFC 5958 §2 (module uses IMPLICIT TAGS: `[1] IMPLICIT BIT STRING`)
const PUBLIC_KEY_IMPLICIT: Tag = Tag::ContextSpecific {
    constructed: false,
    number: TagNumber(1),
};
// ring and early RFC 8410 drafts tag it explicitly: `[1] { BIT STRING }`.
const PUBLIC_KEY_EXPLICIT: Tag = Tag::ContextSpecific {
    constructed: true,
    number: TagNumber(1),
};

/// Rewrites a PKCS#8 v2 key as v1; `None` if `der` is not a well-formed v2 key.
pub(super) fn downgrade_v2(der: &[u8]) -> Option<Downgraded> {
    let fields = split(der).ok()?;
    if fields.version != 1 {
        return None;
    }
    let mut body = vec![0x02, 0x01, 0x00]; // INTEGER 0 (v1)
    body.extend_from_slice(fields.algorithm);
    body.extend_from_slice(fields.private_key);
    body.extend_from_slice(fields.attributes.unwrap_or_default());
    let v1 = sequence(&body)?;
    let spki = match fields.public_key {
        Some(bits) => {
            let mut body = fields.algorithm.to_vec();
            body.extend(AnyRef::new(Tag::BitString, bits).ok()?.to_der().ok()?);
            Some(sequence(&body)?)
        }
        None => None,
    };
    Some(Downgraded { v1, spki })
}

fn sequence(body: &[u8]) -> Option<Vec<u8>> {
    AnyRef::new(Tag::Sequence, body).ok()?.to_der().ok()
}

fn split(der: &[u8]) -> der::Result<Fields<'_>> {
    let mut reader = SliceReader::new(der)?;
    let fields = reader.sequence(|r| {
        let version = u8::decode(r)?;
        let algorithm = r.tlv_bytes()?;
        let private_key = r.tlv_bytes()?;
        let mut attributes = None;
        if !r.is_finished() && Tag::peek(r)? == ATTRIBUTES {
            attributes = Some(r.tlv_bytes()?);
        }
        let mut public_key = None;
        if !r.is_finished() {
            let field = AnyRef::decode(r)?;
            public_key = Some(match field.tag() {
                PUBLIC_KEY_IMPLICIT => field.value(),
                PUBLIC_KEY_EXPLICIT => {
                    let inner = AnyRef::from_der(field.value())?;
                    inner.tag().assert_eq(Tag::BitString)?;
                    inner.value()
                }
                other => {
                    return Err(der::Error::from(
                        other.unexpected_error(Some(PUBLIC_KEY_IMPLICIT)),
                    ));
                }
            });
        }
        Ok(Fields {
            version,
            algorithm,
            private_key,
            attributes,
            public_key,
        })
    })?;
    reader.finish()?;
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    // ref: RFC 8410 §10.3
    const RFC8410_V1: &str = "302e020100300506032b657004220420d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842";
    const RFC8410_V2: &str = "3072020101300506032b657004220420d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842\
        a01f301d060a2a864886f70d01090914310f0c0d437572646c65204368616972738121\
        0019bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1";

    #[test]
    fn rfc8410_v2_becomes_v1_with_its_public_key() {
        let d = downgrade_v2(&hex::decode(RFC8410_V2).unwrap()).unwrap();
        // The attributes are kept; version is 0.
        assert_eq!(&hex::encode(&d.v1)[..10], "304f020100");
        assert!(hex::encode(&d.v1).contains(&RFC8410_V1[10..]));
        assert_eq!(
            hex::encode(d.spki.unwrap()),
            "302a300506032b657003210019bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1"
        );
    }

    #[test]
    fn ring_style_explicit_public_key_is_read() {
        let seed = "d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842";
        let public = "19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1";
        let ring = format!("3053020101300506032b657004220420{seed}a123032100{public}");
        let d = downgrade_v2(&hex::decode(ring).unwrap()).unwrap();
        assert_eq!(hex::encode(&d.v1), RFC8410_V1);
        assert!(hex::encode(d.spki.unwrap()).ends_with(public));
    }

    #[test]
    fn v1_and_garbage_are_left_alone() {
        assert!(downgrade_v2(&hex::decode(RFC8410_V1).unwrap()).is_none());
        assert!(downgrade_v2(b"garbage").is_none());
        let mut trailing = hex::decode(RFC8410_V2).unwrap();
        trailing.push(0);
        assert!(downgrade_v2(&trailing).is_none());
    }
}
