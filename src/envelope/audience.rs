//! Who a message is for (`aud`) and who sent it (`iss`): the CWT claims that stop a
//! captured message from being replayed to another node or reflected to its sender.
//!
//! ```cddl
//! aud = tstr / [2*64 tstr]   ; CWT claim 3, in the protected CWT claims (label 15)
//! iss = tstr                 ; CWT claim 1, the sending node
//! name = "kid:" kid-utf8 / "kid-hex:" lowercase-hex / "role:" role
//! ```
//! A receiver accepts a message only if one audience name is one of its own names (its
//! node kid, the kid of a private key it holds, or `role:` its node role), and refuses a
//! message whose `iss` is one of its own names (a reflection).

use super::error::EnvelopeError;
use super::keys::TrustStore;
use crate::cose::cbor::{MAJOR_ARRAY, MAJOR_TSTR, Reader, Writer};

/// Most audience names in one message (a broadcast to more receivers names their role).
pub const MAX_AUDIENCE: usize = 64;
/// Longest audience or issuer name, in bytes (`kid-hex:` + 64-byte kid in hex).
pub const MAX_NAME_LEN: usize = 8 + 2 * super::header::MAX_KID_LEN;

/// The intended receivers of a sealer's messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// The receivers, by kid (each node's `[node] kid`, or the kid of its private key).
    Kids(Vec<Vec<u8>>),
    /// Every node of a role (a broadcast).
    Role(String),
}

/// The name a kid is addressed by: `kid:` + the kid as UTF-8, or `kid-hex:` + hex.
pub fn kid_name(kid: &[u8]) -> String {
    match std::str::from_utf8(kid) {
        Ok(s) if !s.starts_with("hex:") => format!("kid:{s}"),
        _ => format!("kid-hex:{}", hex::encode(kid)),
    }
}

/// The name a role is addressed by.
pub fn role_name(role: &str) -> String {
    format!("role:{role}")
}

impl Audience {
    /// The audience's names, in the order they are written.
    pub fn names(&self) -> Vec<String> {
        match self {
            Self::Kids(kids) => kids.iter().map(|k| kid_name(k)).collect(),
            Self::Role(r) => vec![role_name(r)],
        }
    }

    /// The encoded `aud` claim value.
    pub fn encode(&self) -> Result<Vec<u8>, EnvelopeError> {
        let names = self.names();
        if names.is_empty() {
            return Err(EnvelopeError::Config("an audience needs at least one name"));
        }
        if names.len() > MAX_AUDIENCE {
            return Err(EnvelopeError::Config(
                "more than 64 audience names: address a role instead",
            ));
        }
        if names.iter().any(|n| check_name(n.as_bytes()).is_err()) {
            return Err(EnvelopeError::Config("audience name too long"));
        }
        let mut buf = vec![0u8; 9 + names.iter().map(|n| n.len() + 9).sum::<usize>()];
        let mut w = Writer::new(&mut buf);
        if let [one] = names.as_slice() {
            w.tstr(one)?;
        } else {
            w.head(MAJOR_ARRAY, names.len() as u64)?;
            for n in &names {
                w.tstr(n)?;
            }
        }
        let n = w.len();
        buf.truncate(n);
        Ok(buf)
    }
}

/// Reads and checks an `aud` claim value; returns its encoded bytes.
pub(crate) fn parse_aud<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], EnvelopeError> {
    let start = r.pos();
    let bad = EnvelopeError::BadHeader("aud must be a name or an array of 2 to 64 names");
    match r.peek_major()? {
        MAJOR_TSTR => check_name(r.tstr_bytes()?)?,
        MAJOR_ARRAY => {
            let n = r.array()?;
            if !(2..=MAX_AUDIENCE as u64).contains(&n) {
                return Err(bad);
            }
            for _ in 0..n {
                if r.peek_major()? != MAJOR_TSTR {
                    return Err(bad);
                }
                check_name(r.tstr_bytes()?)?;
            }
        }
        _ => return Err(bad),
    }
    r.input()
        .get(start..r.pos())
        .ok_or(EnvelopeError::WrongStructure("aud"))
}

/// Checks an `aud` or `iss` name's length.
pub(crate) fn check_name(name: &[u8]) -> Result<(), EnvelopeError> {
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return Err(EnvelopeError::BadHeader("aud/iss name empty or too long"));
    }
    Ok(())
}

/// A receiver's own names: what an audience must name and an issuer must not.
///
/// Matching is bytewise on the encoded claim, with no UTF-8 decoding on the hot path: a
/// one-name audience (the common case) is one comparison of its whole encoding per name.
#[derive(Debug, Clone, Default)]
pub struct OwnNames {
    names: Vec<String>,
    /// Each name encoded as a CBOR text string (a one-name `aud` value).
    encoded: Vec<Vec<u8>>,
}

impl OwnNames {
    /// The names of the node a trust store belongs to: its `[node]` kid and role and the
    /// kid of every private key it holds.
    pub fn of(store: &TrustStore) -> Self {
        let mut names: Vec<String> = store.own_kids().iter().map(|k| kid_name(k)).collect();
        if let Some(node) = &store.node {
            names.push(role_name(&node.role));
        }
        Self::from_names(names)
    }

    fn from_names(mut names: Vec<String>) -> Self {
        names.sort();
        names.dedup();
        let encoded = names
            .iter()
            .map(|n| {
                let mut buf = vec![0u8; n.len() + 9];
                let mut w = Writer::new(&mut buf);
                let len = match w.tstr(n) {
                    Ok(()) => w.len(),
                    Err(_) => 0,
                };
                buf.truncate(len);
                buf
            })
            .collect();
        Self { names, encoded }
    }

    /// The names, sorted.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    #[inline]
    fn contains(&self, name: &[u8]) -> bool {
        self.names.iter().any(|n| n.as_bytes() == name)
    }

    /// Whether an encoded `aud` value (checked by [`parse_aud`]) names this node.
    #[inline]
    pub(crate) fn addressed_by(&self, aud: &[u8]) -> Result<bool, EnvelopeError> {
        if aud.first().is_some_and(|b| b >> 5 == MAJOR_TSTR) {
            return Ok(self.encoded.iter().any(|e| e.as_slice() == aud));
        }
        let mut r = Reader::new(aud);
        let n = r.array()?;
        let mut found = false;
        for _ in 0..n {
            found |= self.contains(r.tstr_bytes()?);
        }
        Ok(found)
    }

    /// Whether `iss` is one of this node's own names.
    #[inline]
    pub(crate) fn is_self(&self, iss: &[u8]) -> bool {
        self.contains(iss)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_and_encoding() {
        assert_eq!(kid_name(b"compute-1"), "kid:compute-1");
        assert_eq!(kid_name(&[0xff, 0x01]), "kid-hex:ff01");
        assert_eq!(kid_name(b"hex:41"), "kid-hex:6865783a3431");
        let one = Audience::Kids(vec![b"c1".to_vec()]).encode().unwrap();
        assert_eq!(one, [&[0x66][..], b"kid:c1"].concat());
        let two = Audience::Kids(vec![b"a".to_vec(), b"b".to_vec()])
            .encode()
            .unwrap();
        assert_eq!(
            two,
            [&[0x82, 0x65][..], b"kid:a", &[0x65], b"kid:b"].concat()
        );
        let parsed = parse_aud(&mut Reader::new(&two)).unwrap();
        assert_eq!(parsed, two.as_slice());
        assert!(Audience::Kids(vec![]).encode().is_err());
    }

    #[test]
    fn matching() {
        let own = OwnNames::from_names(vec!["kid:c1".into(), "role:compute".into()]);
        let role = Audience::Role("compute".into()).encode().unwrap();
        assert!(own.addressed_by(&role).unwrap());
        let other = Audience::Kids(vec![b"c2".to_vec(), b"c3".to_vec()])
            .encode()
            .unwrap();
        assert!(!own.addressed_by(&other).unwrap());
        assert!(
            own.addressed_by(&Audience::Kids(vec![b"c1".to_vec()]).encode().unwrap())
                .unwrap()
        );
        assert!(own.is_self(b"kid:c1"));
        assert!(!own.is_self(b"kid:scheduler"));
    }

    #[test]
    fn rejects_bad_values() {
        // An array of one name, an integer, an array holding a bstr.
        for bad in [
            &[0x81, 0x61, b'a'][..],
            &[0x01],
            &[0x82, 0x41, b'a', 0x61, b'b'],
        ] {
            assert!(
                matches!(
                    parse_aud(&mut Reader::new(bad)),
                    Err(EnvelopeError::BadHeader(_))
                ),
                "{}",
                hex::encode(bad)
            );
        }
    }
}
