//! Key transport: ring has none.
//!
//! ring implements RSA signatures only (PKCS#1 v1.5 and PSS); it has no RSA encryption at
//! all, so RSA-OAEP is an explicit unsupported entry in the backend table.

use crate::backend::Unsupported;

/// Why every key-transport lookup on ring fails.
pub(super) const NO_RSA_ENCRYPTION: Unsupported =
    Unsupported("ring has no RSA encryption (RSA-OAEP)");

#[cfg(test)]
mod tests {
    use crate::backend::{KeyTransportId, ring::RING};

    #[test]
    fn every_key_transport_is_unsupported_with_the_reason() {
        for &id in KeyTransportId::ALL {
            assert_eq!(
                (RING.key_transport)(id).err(),
                Some(super::NO_RSA_ENCRYPTION)
            );
        }
    }
}
