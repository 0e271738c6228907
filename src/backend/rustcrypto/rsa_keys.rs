//! RSA-2048 key loading and generation (`rsa`), shared by RSA-PSS and RSA-OAEP, and the
//! raw private-key operation RSADP that OAEP decryption decodes itself.
//!
//! `rsa` 0.10.0 exports its RSADP only behind its `hazmat` cargo feature, which sealbench
//! does not enable, so [`rsadp`] repeats that function's steps on the CRT parameters that
//! `rsa::traits::PrivateKeyParts` exposes, with `crypto-bigint` (the same 0.7 crate that
//! `rsa` uses, reached through `p256`).

use rsa::BoxedUint;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{PrivateKey, PublicKey};
use zeroize::Zeroizing;

use crate::backend::Error;
use crate::backend::keys::{SpkiAlgorithm, spki_key_of};

/// The only modulus size sealbench's RSA algorithm ids name.
pub(super) const MODULUS_BITS: usize = 2048;
/// k, the modulus length in octets: the length of every ciphertext and encoded message.
pub(super) const MODULUS_LEN: usize = MODULUS_BITS / 8;

fn check_modulus(key: &impl PublicKeyParts) -> Result<(), Error> {
    if usize::try_from(key.n().bit_width()) == Ok(MODULUS_BITS) {
        Ok(())
    } else {
        Err(Error::KeyRejected("RSA modulus is not 2048 bits"))
    }
}

/// Loads a 2048-bit private key from PKCS#8 DER.
pub(super) fn private_from_pkcs8(pkcs8: &[u8]) -> Result<PrivateKey, Error> {
    let key = PrivateKey::from_pkcs8_der(pkcs8)
        .map_err(|_| Error::KeyRejected("malformed RSA PKCS#8 private key"))?;
    check_modulus(&key)?;
    Ok(key)
}

/// Loads a 2048-bit public key from an `rsaEncryption` SubjectPublicKeyInfo.
pub(super) fn public_from_spki(spki: &[u8]) -> Result<PublicKey, Error> {
    let pkcs1 = spki_key_of(spki, SpkiAlgorithm::Rsa)?;
    let key = PublicKey::from_pkcs1_der(pkcs1)
        .map_err(|_| Error::KeyRejected("malformed RSA public key"))?;
    check_modulus(&key)?;
    Ok(key)
}

/// The SubjectPublicKeyInfo DER of a key.
pub(super) fn spki_of(key: &PrivateKey) -> Result<Vec<u8>, Error> {
    key.to_public_key()
        .to_public_key_der()
        .map(|doc| doc.into_vec())
        .map_err(|_| Error::KeyRejected("RSA public key cannot be encoded"))
}

/// Generates a fresh 2048-bit key (e = 65537) from the OS RNG, as PKCS#8 DER.
pub(super) fn generate_pkcs8() -> Result<Vec<u8>, Error> {
    let key = PrivateKey::new(&mut getrandom::SysRng, MODULUS_BITS).map_err(|_| Error::Crypto)?;
    key.to_pkcs8_der()
        .map(|doc| doc.as_bytes().to_vec())
        .map_err(|_| Error::KeyRejected("RSA private key cannot be encoded"))
}

/// Rejects keys [`rsadp`] cannot use: more than two primes, or no CRT parameters.
pub(super) fn check_two_prime_crt(key: &PrivateKey) -> Result<(), Error> {
    let complete = key.p().is_some()
        && key.q().is_some()
        && key.dp().is_some()
        && key.dq().is_some()
        && key.qinv().is_some();
    if key.primes().len() == 2 && complete {
        Ok(())
    } else {
        Err(Error::KeyRejected(
            "RSA decryption needs a two-prime key with CRT parameters",
        ))
    }
}

/// RSADP (RFC 8017 §5.1.2) of a k-octet ciphertext, then I2OSP to the k-octet EM.
///
/// The private-key operation is `rsa`'s `hazmat::rsa_decrypt_and_check` (base blinding with
/// a fresh OS-RNG factor, CRT, and the `m^e = c` fault check); only the length and range
/// checks of the public ciphertext and the I2OSP are ours.
// ref: https://www.rfc-editor.org/rfc/rfc8017#section-5.1.2
pub(super) fn rsadp(
    key: &PrivateKey,
    ciphertext: &[u8],
) -> Result<Zeroizing<[u8; MODULUS_LEN]>, Error> {
    if ciphertext.len() != MODULUS_LEN || key.primes().len() != 2 {
        return Err(Error::Crypto);
    }
    let c =
        BoxedUint::from_be_slice(ciphertext, key.n_bits_precision()).map_err(|_| Error::Crypto)?;
    if c >= **key.n() {
        return Err(Error::Crypto);
    }
    let m = Zeroizing::new(
        rsa::hazmat::rsa_decrypt_and_check(key, Some(&mut getrandom::SysRng), &c)
            .map_err(|_| Error::Crypto)?,
    );
    // I2OSP(m, k): the storage width is the modulus's, m < n, so the leading bytes are 0.
    let bytes = Zeroizing::new(m.to_be_bytes());
    let tail = bytes
        .len()
        .checked_sub(MODULUS_LEN)
        .and_then(|skip| bytes.get(skip..))
        .ok_or(Error::Crypto)?;
    let mut em = Zeroizing::new([0u8; MODULUS_LEN]);
    em.copy_from_slice(tail);
    Ok(em)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moduli_other_than_2048_bits_are_rejected() {
        let small = PrivateKey::new(&mut getrandom::SysRng, 1024).unwrap();
        let pkcs8 = small.to_pkcs8_der().unwrap();
        let modulus_error = Err(Error::KeyRejected("RSA modulus is not 2048 bits"));
        assert_eq!(
            private_from_pkcs8(pkcs8.as_bytes()).map(drop),
            modulus_error
        );
        let spki = spki_of(&small).unwrap();
        assert_eq!(public_from_spki(&spki).map(drop), modulus_error);
    }

    /// RSADP inverts m -> m^e mod n for representatives across the range (n - 1 has a
    /// nonzero top octet), and rejects ciphertexts that are not k octets or not below n.
    #[test]
    fn rsadp_inverts_the_public_operation() {
        let key = private_from_pkcs8(&generate_pkcs8().unwrap()).unwrap();
        check_two_prime_crt(&key).unwrap();
        let n = key.n().as_ref();
        let bits = key.n_bits_precision();
        let n_minus_1 = n.wrapping_sub(BoxedUint::one());
        let mut mid = [0x5au8; MODULUS_LEN];
        mid[0] = 0;
        for m in [
            BoxedUint::zero_with_precision(bits),
            BoxedUint::from_be_slice(&[1], bits).unwrap(),
            BoxedUint::from_be_slice(&mid, bits).unwrap(),
            n_minus_1.clone(),
        ] {
            let c = rsa::hazmat::rsa_encrypt(&key, &m).unwrap().to_be_bytes();
            let em = rsadp(&key, &c).unwrap();
            assert_eq!(&em[..], &m.to_be_bytes()[..]);
        }
        assert_eq!(rsadp(&key, &n.to_be_bytes()).map(drop), Err(Error::Crypto));
        assert_eq!(
            rsadp(&key, &[0xff; MODULUS_LEN]).map(drop),
            Err(Error::Crypto)
        );
        assert_eq!(
            rsadp(&key, &[1; MODULUS_LEN - 1]).map(drop),
            Err(Error::Crypto)
        );
        assert_eq!(
            rsadp(&key, &[1; MODULUS_LEN + 1]).map(drop),
            Err(Error::Crypto)
        );
    }
}
