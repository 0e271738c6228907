//! A validated example: hex decoded, keys typed, one message kind.

use std::path::PathBuf;

use super::keys::Jwk;

/// One example file, decoded and validated by [`super::load_example`].
#[derive(Debug, Clone)]
pub struct Example {
    /// Path relative to the vector root, with `/` separators (e.g. `hmac-examples/HMac-01.json`).
    pub file: String,
    /// The file's title (free text; known to be wrong in places, so never used for decisions).
    pub title: String,
    /// `"fail": true`: the message must be rejected.
    pub expect_reject: bool,
    /// The content the message must verify or decrypt to.
    pub plaintext: Vec<u8>,
    /// `output.cbor`, decoded from hex: the message under test.
    pub cbor: Vec<u8>,
    /// Directory holding the file (certificates for `x5t` are looked up there).
    pub(super) dir: PathBuf,
    pub(super) message: MessageInput,
    pub(super) intermediates: Intermediates,
}

impl Example {
    /// Drops the file's intermediate values (`ToBeSign_hex`, `AAD_hex`, `CEK_hex`, ...), so
    /// that a modified copy of the message is judged by the cryptographic checks alone
    /// rather than by a mismatch with the original's intermediates (tamper tests).
    pub fn forget_intermediates(&mut self) {
        self.intermediates = Intermediates::default();
    }
}

/// Header parameters the input says the sender used.
#[derive(Debug, Clone, Default)]
pub(super) struct InputHeaders {
    pub alg: Option<String>,
    pub kid: Option<Vec<u8>>,
    pub ctyp: Option<i64>,
    pub partial_iv: Option<Vec<u8>>,
    pub x5bag: Option<CertList>,
    pub x5chain: Option<CertList>,
    /// `(hash algorithm name, digest)`.
    pub x5t: Option<(String, Vec<u8>)>,
}

/// Certificates of an `x5bag` / `x5chain` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum CertList {
    /// A single certificate, sent as a bare bstr.
    One(Vec<u8>),
    /// Sent as an array of bstr.
    Many(Vec<Vec<u8>>),
}

/// The protected and unprotected headers of one layer.
#[derive(Debug, Clone, Default)]
pub(super) struct Layer {
    pub protected: InputHeaders,
    pub unprotected: InputHeaders,
}

/// A signer of a COSE_Sign.
#[derive(Debug, Clone)]
pub(super) struct SignerInput {
    pub key: Jwk,
    pub headers: Layer,
}

/// A recipient of a COSE_Mac / COSE_Encrypt (or the key of a `*0` structure).
#[derive(Debug, Clone)]
pub(super) struct RecipientInput {
    pub key: Jwk,
    pub headers: Layer,
    /// ECDH-SS: the sender's static key.
    pub sender_key: Option<Jwk>,
    /// Whether the sender compressed its ephemeral point, if the file says.
    pub compressed: Option<bool>,
}

/// What kind of message the file describes, with its inputs.
#[derive(Debug, Clone)]
pub(super) enum MessageInput {
    /// COSE_Sign1.
    Sign1 { layer: Layer, key: Jwk },
    /// COSE_Sign.
    Sign {
        layer: Layer,
        signers: Vec<SignerInput>,
    },
    /// COSE_Mac0 under the (single, direct) recipient's key.
    Mac0 { layer: Layer, key: RecipientInput },
    /// COSE_Mac.
    Mac {
        layer: Layer,
        recipients: Vec<RecipientInput>,
    },
    /// COSE_Encrypt0 under the (single, direct) recipient's key.
    Encrypt0 { layer: Layer, key: RecipientInput },
    /// COSE_Encrypt; `unsent_iv` is the full IV the receiver knows from context.
    Encrypt {
        layer: Layer,
        unsent_iv: Option<Vec<u8>>,
        recipients: Vec<RecipientInput>,
    },
}

/// Per-recipient intermediates.
#[derive(Debug, Clone, Default)]
pub(super) struct RecipientIntermediates {
    /// Serialized COSE_KDF_Context.
    pub context: Option<Vec<u8>>,
    /// Raw ECDH shared secret.
    pub secret: Option<Vec<u8>>,
}

/// The generator's intermediate values.
#[derive(Debug, Clone, Default)]
pub(super) struct Intermediates {
    pub aad: Option<Vec<u8>>,
    pub cek: Option<Vec<u8>>,
    pub to_be_signed: Option<Vec<u8>>,
    pub to_mac: Option<Vec<u8>>,
    pub recipients: Vec<RecipientIntermediates>,
    pub signers: Vec<Option<Vec<u8>>>,
}
