//! The envelope's modes and how a sender identifies itself.

use serde::Serialize;

/// What protection a message gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Same framing, no protection: the measurement baseline and the migration format.
    Plain,
    /// COSE_Mac0 with a shared symmetric key (HMAC 256/256).
    Mac0,
    /// COSE_Sign1 with the sender's private key.
    Sign1,
    /// COSE_Encrypt0 with a per-peer symmetric key.
    Encrypt0,
    /// COSE_Encrypt with a content key for one or more recipients' public keys. The sender
    /// is not authenticated (anyone can encrypt to a public key).
    Encrypt,
    /// A COSE_Sign1 inside a COSE_Encrypt: sender-authenticated confidentiality.
    SignEncrypt,
}

impl Mode {
    /// Every mode, in report order.
    pub const ALL: &'static [Mode] = &[
        Self::Plain,
        Self::Mac0,
        Self::Sign1,
        Self::Encrypt0,
        Self::Encrypt,
        Self::SignEncrypt,
    ];

    /// Label for scenario ids and tables.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Plain => "plain",
            Self::Mac0 => "mac0",
            Self::Sign1 => "sign1",
            Self::Encrypt0 => "encrypt0",
            Self::Encrypt => "encrypt",
            Self::SignEncrypt => "sign-encrypt",
        }
    }

    /// Parses a label.
    pub fn from_label(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|m| m.label() == s)
    }

    /// Whether the sender signs.
    pub const fn signs(self) -> bool {
        matches!(self, Self::Sign1 | Self::SignEncrypt)
    }

    /// Whether the message goes to recipients' public keys.
    pub const fn hybrid(self) -> bool {
        matches!(self, Self::Encrypt | Self::SignEncrypt)
    }
}

/// How a signing sender identifies itself (symmetric modes always use `kid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Identity {
    /// A short key id looked up in the receiver's trust store.
    Kid,
    /// The SHA-256 thumbprint of the sender's certificate (RFC 9360).
    X5t,
    /// The sender's whole certificate (RFC 9360).
    X5chain,
    /// The sender's public key (SPKI), which the receiver may learn.
    Spki,
}

impl Identity {
    /// Every identity option.
    pub const ALL: &'static [Identity] = &[Self::Kid, Self::X5t, Self::X5chain, Self::Spki];

    /// Label for scenario ids and tables.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Kid => "kid",
            Self::X5t => "x5t",
            Self::X5chain => "x5chain",
            Self::Spki => "spki",
        }
    }

    /// Parses a label.
    pub fn from_label(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|m| m.label() == s)
    }
}
