//! Protection strategies: which envelope mode each traffic class gets, and whether that
//! meets the class's requirement.

use serde::Serialize;

use super::cost::Protection;
use super::profile::{Class, Sensitivity};
use crate::backend::{AeadId, KeyTransportId, MacId, SignatureId};
use crate::envelope::Mode;

/// A way of protecting a deployment's traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// No protection (framing only): the baseline.
    Plain,
    /// Every message MACed with a shared key (COSE_Mac0).
    MacAll,
    /// Every message signed (COSE_Sign1).
    SignAll,
    /// Every message encrypted with a shared key (COSE_Encrypt0).
    SealAll,
    /// Confidential classes encrypted (Encrypt0), every other class MACed (Mac0).
    #[serde(rename = "seal-sensitive+mac-rest")]
    SealSensitiveMacRest,
    /// Confidential classes encrypted (Encrypt0), every other class signed (Sign1).
    #[serde(rename = "seal-sensitive+sign-rest")]
    SealSensitiveSignRest,
    /// Every message encrypted to its receivers' RSA public keys (COSE_Encrypt with one
    /// RSA-OAEP recipient per receiver; a broadcast is one message to `fanout` recipients).
    HybridAll,
}

/// The algorithms the strategies use (serialized as labels, with the fixed MAC and key
/// transport beside them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Algorithms {
    /// Content encryption for Encrypt0 and Encrypt.
    pub aead: AeadId,
    /// Signatures for Sign1.
    pub sign: SignatureId,
}

impl Default for Algorithms {
    fn default() -> Self {
        Self {
            aead: AeadId::Aes128Gcm,
            sign: SignatureId::Ed25519,
        }
    }
}

impl Serialize for Algorithms {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Labels {
            aead: &'static str,
            sign: &'static str,
            mac: &'static str,
            key_transport: &'static str,
        }
        Labels {
            aead: self.aead.label(),
            sign: self.sign.label(),
            mac: MacId::HmacSha256.label(),
            key_transport: KeyTransportId::RsaOaep2048Sha256.label(),
        }
        .serialize(s)
    }
}

impl Algorithms {
    /// What a mode is priced as.
    pub fn protection(&self, mode: Mode) -> Protection {
        let labels = match mode {
            Mode::Plain => vec![],
            Mode::Mac0 => vec![MacId::HmacSha256.label()],
            Mode::Sign1 => vec![self.sign.label()],
            Mode::Encrypt0 => vec![self.aead.label()],
            Mode::Encrypt => vec![KeyTransportId::RsaOaep2048Sha256.label(), self.aead.label()],
            Mode::SignEncrypt => vec![
                self.sign.label(),
                KeyTransportId::RsaOaep2048Sha256.label(),
                self.aead.label(),
            ],
        };
        Protection { mode, labels }
    }
}

impl Strategy {
    /// Every strategy, in report order.
    pub const ALL: &'static [Strategy] = &[
        Self::Plain,
        Self::MacAll,
        Self::SignAll,
        Self::SealAll,
        Self::SealSensitiveMacRest,
        Self::SealSensitiveSignRest,
        Self::HybridAll,
    ];

    /// Label for tables.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Plain => "plain",
            Self::MacAll => "mac-all",
            Self::SignAll => "sign-all",
            Self::SealAll => "seal-all",
            Self::SealSensitiveMacRest => "seal-sensitive+mac-rest",
            Self::SealSensitiveSignRest => "seal-sensitive+sign-rest",
            Self::HybridAll => "hybrid-all",
        }
    }

    /// The mode a class gets.
    pub fn mode_for(self, class: &Class) -> Mode {
        let confidential = class.sensitivity == Sensitivity::Confidential;
        match self {
            Self::Plain => Mode::Plain,
            Self::MacAll => Mode::Mac0,
            Self::SignAll => Mode::Sign1,
            Self::SealAll => Mode::Encrypt0,
            Self::SealSensitiveMacRest if confidential => Mode::Encrypt0,
            Self::SealSensitiveMacRest => Mode::Mac0,
            Self::SealSensitiveSignRest if confidential => Mode::Encrypt0,
            Self::SealSensitiveSignRest => Mode::Sign1,
            Self::HybridAll => Mode::Encrypt,
        }
    }

    /// Whether the strategy protects every class whatever its classification, so a
    /// misclassified message cannot travel in the clear.
    pub const fn classification_free(self) -> bool {
        matches!(self, Self::SealAll | Self::HybridAll)
    }
}

/// Whether a mode hides the payload.
pub const fn encrypts(mode: Mode) -> bool {
    matches!(mode, Mode::Encrypt0 | Mode::Encrypt | Mode::SignEncrypt)
}

/// Whether a mode lets the receiver check who sent the message and that it is unaltered.
/// COSE_Encrypt to public keys does not: anyone can encrypt to a public key.
pub const fn authenticates(mode: Mode) -> bool {
    matches!(
        mode,
        Mode::Mac0 | Mode::Sign1 | Mode::Encrypt0 | Mode::SignEncrypt
    )
}

/// Why `mode` does not meet `class`'s requirement, if it does not.
pub fn violation(class: &Class, mode: Mode) -> Option<String> {
    match class.sensitivity {
        Sensitivity::Confidential if !encrypts(mode) => Some(format!(
            "class \"{}\" is confidential but {} leaves it unencrypted",
            class.name,
            mode.label()
        )),
        Sensitivity::Integrity if !authenticates(mode) => Some(format!(
            "class \"{}\" needs integrity but {} does not authenticate its sender",
            class.name,
            mode.label()
        )),
        _ => None,
    }
}

/// A caution that does not fail the requirement, if any.
pub fn caution(class: &Class, mode: Mode) -> Option<String> {
    let unauthenticated = encrypts(mode) && !authenticates(mode);
    (class.sensitivity == Sensitivity::Confidential && unauthenticated).then(|| {
        format!(
            "class \"{}\" is encrypted but its sender is not authenticated ({})",
            class.name,
            mode.label()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::profile::Delivery;
    use crate::decide::sizes::SizeDistribution;

    fn class(sensitivity: Sensitivity) -> Class {
        Class {
            name: "c".into(),
            rate_per_s: 1.0,
            sensitivity,
            delivery: Delivery::Unicast,
            fanout: 1,
            sizes: SizeDistribution {
                points: vec![(100, 1.0)],
                p50: 100,
                p99: 100,
            },
        }
    }

    #[test]
    fn requirements_per_mode() {
        let conf = class(Sensitivity::Confidential);
        let integ = class(Sensitivity::Integrity);
        let public = class(Sensitivity::Public);
        for &mode in Mode::ALL {
            assert_eq!(violation(&conf, mode).is_none(), encrypts(mode), "{mode:?}");
            assert_eq!(
                violation(&integ, mode).is_none(),
                authenticates(mode),
                "{mode:?}"
            );
            assert!(violation(&public, mode).is_none());
        }
        assert!(caution(&conf, Mode::Encrypt).is_some());
        assert!(
            caution(&conf, Mode::Plain).is_none(),
            "a violation, not a caution"
        );
        assert!(caution(&integ, Mode::Encrypt).is_none());
        assert_eq!(
            Strategy::SealSensitiveMacRest.mode_for(&conf),
            Mode::Encrypt0
        );
        assert_eq!(Strategy::SealSensitiveMacRest.mode_for(&public), Mode::Mac0);
        assert_eq!(
            Strategy::SealSensitiveSignRest.mode_for(&integ),
            Mode::Sign1
        );
    }

    #[test]
    fn protections_name_the_algorithms() {
        let algs = Algorithms::default();
        assert_eq!(
            algs.protection(Mode::Encrypt).labels,
            ["rsaoaep2048", "aes128gcm"]
        );
        assert_eq!(algs.protection(Mode::Sign1).labels, ["ed25519"]);
        assert_eq!(algs.protection(Mode::Mac0).describe(), "mac0(hmacsha256)");
        assert_eq!(algs.protection(Mode::Plain).describe(), "plain");
    }
}
