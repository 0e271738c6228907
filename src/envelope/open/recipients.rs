//! COSE_Encrypt: find our recipient entry and recover the content key.

use zeroize::Zeroizing;

use super::Opener;
use super::keyring::Prepared;
use crate::backend::{AeadId, AeadKey, KdfId};
use crate::cose::cbor::Reader;
use crate::cose::iana;
use crate::cose::kdf::derive_direct_cek;
use crate::envelope::error::EnvelopeError;
use crate::envelope::keys::KeyAlg;
use crate::envelope::recipient::{self, Recipient};
use crate::envelope::seal::recipient_binding;

/// A recovered content key, the index of our recipient entry, and the recipient binding
/// a nested signature must carry.
pub(super) type ContentKey = (Box<dyn AeadKey>, usize, Vec<u8>);

impl Opener {
    /// Parses the recipients array (the rest of the message, which must end with it), finds
    /// our recipient entry and recovers the content key.
    pub(super) fn content_key(
        &self,
        recipients: &[u8],
        content: AeadId,
        nested: bool,
    ) -> Result<ContentKey, EnvelopeError> {
        let mut r = Reader::new(recipients);
        let n = r.array()?;
        let mut kids = Vec::new();
        let mut mine: Option<(Recipient<'_>, usize)> = None;
        for _ in 0..n {
            let rec = recipient::parse_recipient(&mut r)?;
            kids.push(rec.kid);
            if mine.is_none()
                && let Some(i) = self.keys.recipient(rec.kid)
            {
                mine = Some((rec, i));
            }
        }
        r.finish()?;
        let (rec, index) = mine.ok_or(EnvelopeError::UnknownKey)?;
        let entry = self.keys.get(index)?;
        let mut cek = Zeroizing::new([0u8; 32]);
        let cek = cek
            .get_mut(..content.key_len())
            .ok_or(EnvelopeError::WrongAlgorithm)?;
        match (&entry.key, rec.alg) {
            (Prepared::Decrypt(key), iana::ALG_RSAES_OAEP_SHA256)
                if entry.alg == KeyAlg::RsaOaep256 =>
            {
                let mut out = Zeroizing::new([0u8; 512]);
                let len = key.decrypt(rec.ciphertext, &[], out.as_mut_slice())?;
                let got = out.get(..len).ok_or(EnvelopeError::Authentication)?;
                if got.len() != cek.len() {
                    return Err(EnvelopeError::Authentication);
                }
                cek.copy_from_slice(got);
            }
            (Prepared::Agree(id, key), iana::ALG_ECDH_ES_HKDF_256) if n == 1 => {
                let (eph_id, public) = rec
                    .ephemeral_public()
                    .ok_or(EnvelopeError::Missing("ephemeral key"))?;
                if eph_id != *id {
                    return Err(EnvelopeError::WrongAlgorithm);
                }
                let mut z = Zeroizing::new([0u8; 32]);
                let zn = key.agree(public, z.as_mut_slice())?;
                let z = z.get(..zn).ok_or(EnvelopeError::Authentication)?;
                let kdf = (self.backend.kdf)(KdfId::HkdfSha256)?;
                derive_direct_cek(kdf, z, content, cek)?;
            }
            (Prepared::Unavailable(u), _) => return Err(EnvelopeError::Unsupported(*u)),
            (Prepared::Agree(..), iana::ALG_ECDH_ES_HKDF_256) => {
                return Err(EnvelopeError::WrongStructure(
                    "ECDH-ES direct allows exactly one recipient",
                ));
            }
            (Prepared::Decrypt(_) | Prepared::Agree(..), _) => {
                return Err(EnvelopeError::WrongAlgorithm);
            }
            _ => return Err(EnvelopeError::WrongKeyType),
        }
        let key = (self.backend.aead)(content)?.new_key(cek, content.default_params())?;
        let binding = if nested {
            recipient_binding(kids.into_iter())?
        } else {
            Vec::new()
        };
        Ok((key, index, binding))
    }
}
