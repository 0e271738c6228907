//! One function per message structure: plain framing, COSE_Mac0, COSE_Sign1 and
//! COSE_Encrypt0 / COSE_Encrypt (with sign-encrypt's nested COSE_Sign1).
//!
//! Layer rules: content type 18 (a nested COSE_Sign1) is accepted only in the
//! sign-encrypt shape — a COSE_Encrypt outer layer with no sender identity — and the
//! nested message must itself be a COSE_Sign1 with no further nesting. Anything else is
//! `wrong-structure`, before any key is used.

// Errors are built lazily on this hot path: `EnvelopeError` has drop glue (its `Forbidden`
// variant owns strings), and an eager `ok_or(EnvelopeError::..)` constructs and drops a value
// on every success — measured at 7 calls and ~130 instructions per Encrypt0 open (callgrind).
#![allow(clippy::unnecessary_lazy_evaluations)]

use super::Opener;
use super::admission::Who;
use super::keyring::{Prepared, Signer};
use crate::backend::MacId;
use crate::cose::cbor::{Reader, Writer};
use crate::cose::iana::{self, TAG_SIGN1};
use crate::cose::structure::{self, CTX_ENCRYPT, CTX_ENCRYPT0, CTX_MAC0, CTX_SIGNATURE1};
use crate::envelope::error::EnvelopeError;
use crate::envelope::header::{self, Protected, SenderId};
use crate::envelope::keys::KeyAlg;
use crate::envelope::mode::Mode;

fn not_nested(p: &Protected<'_>) -> Result<(), EnvelopeError> {
    if p.nested {
        return Err(EnvelopeError::WrongStructure(
            "content type 18 is only allowed on a sign-encrypt outer layer",
        ));
    }
    Ok(())
}

impl Opener {
    pub(super) fn open_plain<'m>(
        &mut self,
        wire: &'m [u8],
    ) -> Result<super::Opened<'m>, EnvelopeError> {
        let mut r = Reader::new(wire);
        if r.array()? != 3 {
            return Err(EnvelopeError::WrongStructure(
                "plain message must have 3 elements",
            ));
        }
        let p = self.templates.parse(r.bstr()?)?;
        header::parse_unprotected(&mut r, false)?;
        let payload = r.bstr()?;
        r.finish()?;
        if p.alg.is_some() {
            return Err(EnvelopeError::WrongStructure("plain message with an alg"));
        }
        not_nested(&p)?;
        let index = self
            .keys
            .by_kid(p.sender)
            .map_err(|_| EnvelopeError::PlainRefused)?;
        let entry = self.keys.get(index)?;
        if !(self.options.accept_plain_from_legacy && entry.legacy) {
            return Err(EnvelopeError::PlainRefused);
        }
        let cti = self.admit(&p, Who::Plain(index))?;
        Ok(super::Opened {
            mode: Mode::Plain,
            payload,
            method: p.method,
            iat: p.iat,
            cti,
            sender: Some(index),
        })
    }

    pub(super) fn open_mac0<'m>(
        &mut self,
        wire: &'m [u8],
    ) -> Result<super::Opened<'m>, EnvelopeError> {
        let mut r = Reader::new(wire);
        r.tag()?;
        if r.array()? != 4 {
            return Err(EnvelopeError::WrongStructure(
                "COSE_Mac0 must have 4 elements",
            ));
        }
        let prot = r.bstr()?;
        let p = self.templates.parse(prot)?;
        header::parse_unprotected(&mut r, false)?;
        let payload = r.bstr()?;
        let tag = r.bstr()?;
        r.finish()?;
        not_nested(&p)?;
        let index = self.keys.by_kid(p.sender)?;
        let entry = self.keys.get(index)?;
        let key = match &entry.key {
            Prepared::Mac(k) => k,
            Prepared::Unavailable(u) => return Err(EnvelopeError::Unsupported(*u)),
            _ => return Err(EnvelopeError::WrongKeyType),
        };
        if p.alg != Some(entry.alg.cose_alg()) {
            return Err(EnvelopeError::WrongAlgorithm);
        }
        if tag.len() != MacId::HmacSha256.tag_len() {
            return Err(EnvelopeError::Authentication);
        }
        let mut prefix = [0u8; 64];
        let mut w = Writer::new(&mut prefix);
        if structure::to_be_authenticated_prefix(&mut w, CTX_MAC0, prot, &[], payload.len())
            .is_err()
        {
            self.scratch.clear();
            self.scratch.resize(prot.len() + 64, 0);
            let mut w = Writer::new(&mut self.scratch);
            structure::to_be_authenticated_prefix(&mut w, CTX_MAC0, prot, &[], payload.len())?;
            key.verify(&[w.written(), payload], tag)?;
        } else {
            key.verify(&[w.written(), payload], tag)?;
        }
        let cti = self.admit(&p, Who::Key(index))?;
        Ok(super::Opened {
            mode: Mode::Mac0,
            payload,
            method: p.method,
            iat: p.iat,
            cti,
            sender: Some(index),
        })
    }

    /// Opens a COSE_Sign1. Inside sign-encrypt, `binding` is the outer message's recipient
    /// kids and `outer` its protected header, whose claims the inner one must repeat.
    pub(super) fn open_sign1<'m>(
        &mut self,
        wire: &'m [u8],
        binding: &[u8],
        outer: Option<&Protected<'_>>,
    ) -> Result<(super::Opened<'m>, Protected<'m>), EnvelopeError> {
        let mut r = Reader::new(wire);
        if r.tag()? != TAG_SIGN1 {
            return Err(EnvelopeError::WrongStructure("expected COSE_Sign1"));
        }
        if r.array()? != 4 {
            return Err(EnvelopeError::WrongStructure(
                "COSE_Sign1 must have 4 elements",
            ));
        }
        let prot = r.bstr()?;
        let p = self.templates.parse(prot)?;
        header::parse_unprotected(&mut r, false)?;
        let payload = r.bstr()?;
        let signature = r.bstr()?;
        r.finish()?;
        not_nested(&p)?;
        let index = match self.keys.signer(self.backend, &p)? {
            Signer::Known(index) => {
                self.verify_sign1(self.keys.get(index)?, &p, prot, binding, payload, signature)?;
                index
            }
            Signer::Candidate(entry) => {
                self.verify_sign1(&entry, &p, prot, binding, payload, signature)?;
                let Some(SenderId::Spki(spki)) = p.sender else {
                    return Err(EnvelopeError::Missing("sender identity"));
                };
                self.keys.keep(*entry, spki)
            }
        };
        if let Some(o) = outer
            && (o.iat, o.cti, o.method, o.iss, o.aud) != (p.iat, p.cti, p.method, p.iss, p.aud)
        {
            return Err(EnvelopeError::BadHeader("inner and outer claims differ"));
        }
        let cti = self.admit(&p, Who::Key(index))?;
        Ok((
            super::Opened {
                mode: Mode::Sign1,
                payload,
                method: p.method,
                iat: p.iat,
                cti,
                sender: Some(index),
            },
            p,
        ))
    }

    /// Checks a Sign1's algorithm and signature with `entry`'s key.
    fn verify_sign1(
        &self,
        entry: &super::keyring::Entry,
        p: &Protected<'_>,
        prot: &[u8],
        binding: &[u8],
        payload: &[u8],
        signature: &[u8],
    ) -> Result<(), EnvelopeError> {
        let (id, key) = match &entry.key {
            Prepared::Verify(id, k) => (*id, k),
            Prepared::Unavailable(u) => return Err(EnvelopeError::Unsupported(*u)),
            _ => return Err(EnvelopeError::WrongKeyType),
        };
        if p.alg != Some(iana::signature_alg(id)) {
            return Err(EnvelopeError::WrongAlgorithm);
        }
        let mut tbs = vec![0u8; prot.len() + binding.len() + 64];
        let mut w = Writer::new(&mut tbs);
        structure::to_be_authenticated_prefix(
            &mut w,
            CTX_SIGNATURE1,
            prot,
            binding,
            payload.len(),
        )?;
        let n = w.len();
        tbs.truncate(n);
        tbs.extend_from_slice(payload);
        key.verify(&tbs, signature)?;
        Ok(())
    }

    pub(super) fn open_encrypted<'m>(
        &mut self,
        wire: &'m mut [u8],
        hybrid: bool,
    ) -> Result<super::Opened<'m>, EnvelopeError> {
        let mut r = Reader::new(wire);
        r.tag()?;
        if r.array()? != if hybrid { 4 } else { 3 } {
            return Err(EnvelopeError::WrongStructure(
                "COSE_Encrypt0 has 3 elements, COSE_Encrypt 4",
            ));
        }
        let prot_range = r.bstr_range()?;
        let iv: [u8; 12] = header::parse_unprotected(&mut r, true)?
            .and_then(|iv| iv.try_into().ok())
            .ok_or_else(|| EnvelopeError::Missing("IV"))?;
        let ct = r.bstr_range()?;
        // COSE_Encrypt: the recipients (and the end of the message) are parsed once, by
        // `content_key`, which also rejects trailing bytes.
        if !hybrid {
            r.finish()?;
        }
        let (head, rest) = wire
            .split_at_mut_checked(ct.start)
            .ok_or_else(|| EnvelopeError::WrongStructure("ciphertext"))?;
        let head: &'m [u8] = head;
        let (ciphertext, tail) = rest
            .split_at_mut_checked(ct.len())
            .ok_or_else(|| EnvelopeError::WrongStructure("ciphertext"))?;
        let tail: &'m [u8] = tail;
        let prot = head
            .get(prot_range.clone())
            .ok_or_else(|| EnvelopeError::WrongStructure("protected header"))?;
        let p = self.templates.parse(prot)?;
        if p.nested && !hybrid {
            not_nested(&p)?;
        }
        if p.nested && p.sender.is_some() {
            return Err(EnvelopeError::WrongStructure(
                "a sign-encrypt outer layer carries no sender identity",
            ));
        }
        let content = p
            .alg
            .and_then(iana::aead_from_alg)
            .ok_or_else(|| EnvelopeError::WrongAlgorithm)?;

        let context = if hybrid { CTX_ENCRYPT } else { CTX_ENCRYPT0 };
        if self.aad.len() < prot.len() + 64 {
            // A long protected header (many audience names): grow once, reuse after.
            self.aad.resize(prot.len() + 64, 0);
        }
        let mut w = Writer::new(&mut self.aad);
        structure::enc_structure(
            &mut w,
            context,
            prot,
            structure::content_external_aad(context, prot),
        )
        .map_err(|_| EnvelopeError::TooLarge("protected header"))?;
        let aad_len = w.len();
        let aad = self
            .aad
            .get(..aad_len)
            .ok_or_else(|| EnvelopeError::TooLarge("protected header"))?;

        let (plain_len, sender, binding) = if hybrid {
            let (key, recipient_index, binding) = self.content_key(tail, content, p.nested)?;
            let n = key.open_in_place(&iv, aad, ciphertext)?;
            (n, recipient_index, binding)
        } else {
            let index = self.keys.by_kid(p.sender)?;
            let entry = self.keys.get(index)?;
            let key = match &entry.key {
                Prepared::Aead(k) => k,
                Prepared::Unavailable(u) => return Err(EnvelopeError::Unsupported(*u)),
                _ => return Err(EnvelopeError::WrongKeyType),
            };
            if entry.alg != KeyAlg::Aead(content) {
                return Err(EnvelopeError::WrongAlgorithm);
            }
            (key.open_in_place(&iv, aad, ciphertext)?, index, Vec::new())
        };
        // From here on the buffer holds plaintext: zero it on every failure.
        if plain_len > ciphertext.len() {
            ciphertext.fill(0);
            return Err(EnvelopeError::Authentication);
        }
        let (plaintext, _tag) = ciphertext.split_at_mut(plain_len);
        let opened = self.admit_decrypted(&p, plaintext, sender, hybrid, &binding)?;
        // Every check passed: later messages of this shape may take the frame fast path.
        if !hybrid
            && !p.nested
            && let Some(aad) = self.aad.get(..aad_len)
        {
            let generation = self.keys.generation();
            self.frames
                .keep(head, prot_range, &p, aad, sender, generation);
        }
        Ok(opened)
    }

    fn admit_decrypted<'m>(
        &mut self,
        p: &Protected<'m>,
        plaintext: &'m mut [u8],
        sender: usize,
        hybrid: bool,
        binding: &[u8],
    ) -> Result<super::Opened<'m>, EnvelopeError> {
        if p.nested {
            let checked = {
                let inner_bytes: &[u8] = plaintext;
                self.open_sign1(inner_bytes, binding, Some(p))
                    .map(|(opened, _)| {
                        let offset = opened.payload.as_ptr().addr() - inner_bytes.as_ptr().addr();
                        (
                            offset..offset + opened.payload.len(),
                            opened.sender,
                            opened.cti,
                        )
                    })
            };
            return match checked {
                Ok((range, sender, cti)) => {
                    let plaintext: &'m [u8] = plaintext;
                    let payload = plaintext
                        .get(range)
                        .ok_or_else(|| EnvelopeError::WrongStructure("nested payload"))?;
                    Ok(super::Opened {
                        mode: Mode::SignEncrypt,
                        payload,
                        method: p.method,
                        iat: p.iat,
                        cti,
                        sender,
                    })
                }
                Err(e) => {
                    plaintext.fill(0);
                    Err(e)
                }
            };
        }
        let who = if hybrid {
            Who::Anonymous
        } else {
            Who::Key(sender)
        };
        match self.admit(p, who) {
            Ok(cti) => Ok(super::Opened {
                mode: if hybrid {
                    Mode::Encrypt
                } else {
                    Mode::Encrypt0
                },
                payload: plaintext,
                method: p.method,
                iat: p.iat,
                cti,
                sender: if hybrid { None } else { Some(sender) },
            }),
            Err(e) => {
                plaintext.fill(0);
                Err(e)
            }
        }
    }
}
