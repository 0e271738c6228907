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
    /// The file's path as loaded (fix-ups are matched on its trailing components).
    pub(super) path: PathBuf,
    /// The external AAD every structure of the message is built with (`external`).
    pub(super) external: Vec<u8>,
    /// How `output.cbor` was changed after it was produced (`failures`).
    pub(super) mutations: Mutations,
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

    /// The path fix-ups are matched on (`/` separators).
    pub(super) fn fixup_key(&self) -> String {
        self.path
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// The generator's mutations of the encoded message (`failures`, on the input, a signer
/// or a recipient). The intermediates describe the message before them.
#[derive(Debug, Clone, Default)]
pub(super) struct Mutations {
    /// The failure names, in the order the file gives them.
    pub names: Vec<String>,
    /// `ChangeCBORTag`: the tag the message carries instead of its own.
    pub cbor_tag: Option<u64>,
    /// `ChangeAttr`, `AddProtected`, `RemoveProtected` or `ChangeProtected`: a protected
    /// header on the wire differs from the one the input and the intermediates describe.
    pub protected: bool,
}

/// Header parameters the input says the sender used.
#[derive(Debug, Clone, Default)]
pub(super) struct InputHeaders {
    pub alg: Option<String>,
    pub kid: Option<Vec<u8>>,
    pub ctyp: Option<i64>,
    pub iv: Option<Vec<u8>>,
    pub partial_iv: Option<Vec<u8>>,
    /// Other byte-string parameters by label (salt, PartyU/PartyV fields, static key id).
    pub bstrs: Vec<(i64, Vec<u8>)>,
    /// The sender's ephemeral key as generated; the receiver takes it from the wire, and
    /// the shared secret, KDF and decryption checks show whether it is the same.
    pub epk: bool,
    /// `pub_other`: SuppPubInfo.other of the COSE_KDF_Context.
    pub pub_other: Option<Vec<u8>>,
    /// `priv_other`: SuppPrivInfo of the COSE_KDF_Context.
    pub priv_other: Option<Vec<u8>>,
    /// `compressed` (unsent only).
    pub compressed: Option<bool>,
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
    /// Parameters the receiver knows from context (not sent).
    pub unsent: InputHeaders,
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
    /// COSE_Encrypt; `layer.unsent.iv` is the full IV the receiver knows from context.
    Encrypt {
        layer: Layer,
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
