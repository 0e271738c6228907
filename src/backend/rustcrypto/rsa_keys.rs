//! RSA-2048 key loading and generation (`rsa`), shared by RSA-PSS and RSA-OAEP.

use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::{PrivateKey, PublicKey};

use crate::backend::Error;
use crate::backend::keys::{SpkiAlgorithm, spki_key_of};

/// The only modulus size sealbench's RSA algorithm ids name.
pub(super) const MODULUS_BITS: usize = 2048;

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
}
