//! The on-disk JSON schema of a COSE working-group example, as serde types.
//!
//! Every struct denies unknown fields, so a misspelt or new attribute makes the file
//! malformed instead of being silently ignored (ring's `testutil`: every attribute is
//! consumed). [`super::load`] then turns these raw strings into typed, decoded values.
//! Field names follow the files (`AAD_hex`, `dP_hex`, ...), hence the renames.

use serde::Deserialize;

/// One example file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    /// Free text; known to be wrong in places (README), never used for decisions.
    pub title: String,
    /// `true`: the message must be rejected.
    #[serde(default)]
    pub fail: bool,
    pub input: Input,
    pub intermediates: Intermediates,
    pub output: Output,
}

/// What the generator was given.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Input {
    pub plaintext: Option<String>,
    pub plaintext_hex: Option<String>,
    pub sign0: Option<Sign0>,
    pub sign: Option<Sign>,
    pub mac0: Option<Mac>,
    pub mac: Option<Mac>,
    pub encrypted: Option<Encrypted>,
    pub enveloped: Option<Enveloped>,
    /// How a `fail` example was broken, e.g. `{"ChangeTag": 1}`.
    pub failures: Option<Failures>,
    /// The sender's random bytes (IVs, ephemeral keys); a verifier has no use for them.
    pub rng_stream: Option<Vec<String>>,
    /// Prose about the RNG; unused.
    pub rng_description: Option<String>,
}

/// How a negative example was produced.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Failures {
    #[serde(rename = "ChangeTag")]
    pub change_tag: Option<u32>,
}

/// Header parameters as the files spell them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Headers {
    pub alg: Option<String>,
    pub kid: Option<String>,
    pub ctyp: Option<i64>,
    #[serde(rename = "partialIV_hex")]
    pub partial_iv_hex: Option<String>,
    pub x5bag: Option<OneOrMany>,
    pub x5chain: Option<OneOrMany>,
    /// `[hash algorithm name, hex digest]`.
    pub x5t: Option<Vec<String>>,
}

/// A certificate header: one hex string (a bare bstr on the wire) or a list (an array).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// `input.sign0`: a COSE_Sign1.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Sign0 {
    /// Repeats the protected or unprotected `alg`.
    pub alg: Option<String>,
    pub key: Jwk,
    pub protected: Option<Headers>,
    pub unprotected: Option<Headers>,
}

/// `input.sign`: a COSE_Sign.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Sign {
    pub protected: Option<Headers>,
    pub unprotected: Option<Headers>,
    pub signers: Vec<Signer>,
}

/// One signer of a COSE_Sign.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Signer {
    pub key: Jwk,
    pub protected: Option<Headers>,
    pub unprotected: Option<Headers>,
}

/// `input.mac0` / `input.mac`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Mac {
    /// Repeats the protected or unprotected `alg`.
    pub alg: Option<String>,
    pub protected: Option<Headers>,
    pub unprotected: Option<Headers>,
    pub recipients: Vec<Recipient>,
}

/// `input.encrypted`: a COSE_Encrypt0.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Encrypted {
    pub protected: Option<Headers>,
    pub unprotected: Option<Headers>,
    pub recipients: Vec<Recipient>,
}

/// `input.enveloped`: a COSE_Encrypt.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Enveloped {
    pub protected: Option<Headers>,
    pub unprotected: Option<Headers>,
    /// Context the receiver knows without it being sent (the full IV for a partial IV).
    pub unsent: Option<UnsentIv>,
    pub recipients: Vec<Recipient>,
}

/// `enveloped.unsent`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UnsentIv {
    #[serde(rename = "IV_hex")]
    pub iv_hex: String,
}

/// One recipient (for `*0` structures: only the key the message is under).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Recipient {
    pub key: Jwk,
    pub protected: Option<Headers>,
    pub unprotected: Option<Headers>,
    /// ECDH-SS: the sender's static key.
    pub sender_key: Option<Jwk>,
    pub unsent: Option<UnsentPoint>,
}

/// `recipient.unsent`: how the sender encoded its ephemeral point.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UnsentPoint {
    /// 0: `y` sent as a bstr; 1: point compressed (`y` is a sign bool).
    pub compressed: u8,
}

/// A JWK-like key. Binary members come base64url-encoded (`x`) or hex (`x_hex`), never both.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Jwk {
    pub kty: String,
    pub kid: Option<String>,
    /// `enc` / `sig`; informational only (the HMAC examples label MAC keys `sig`).
    #[serde(rename = "use")]
    pub key_use: Option<String>,
    pub crv: Option<String>,
    pub k: Option<String>,
    pub k_hex: Option<String>,
    pub x: Option<String>,
    pub x_hex: Option<String>,
    pub y: Option<String>,
    pub y_hex: Option<String>,
    pub d: Option<String>,
    pub d_hex: Option<String>,
    pub n_hex: Option<String>,
    pub e_hex: Option<String>,
    pub p_hex: Option<String>,
    pub q_hex: Option<String>,
    #[serde(rename = "dP_hex")]
    pub dp_hex: Option<String>,
    #[serde(rename = "dQ_hex")]
    pub dq_hex: Option<String>,
    pub qi_hex: Option<String>,
}

/// The generator's intermediate values.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Intermediates {
    #[serde(rename = "AAD_hex")]
    pub aad_hex: Option<String>,
    #[serde(rename = "CEK_hex")]
    pub cek_hex: Option<String>,
    #[serde(rename = "ToBeSign_hex")]
    pub to_be_sign_hex: Option<String>,
    #[serde(rename = "ToMac_hex")]
    pub to_mac_hex: Option<String>,
    pub recipients: Option<Vec<RecipientIntermediates>>,
    pub signers: Option<Vec<SignerIntermediates>>,
}

/// Per-recipient intermediates (ECDH only; `{}` otherwise).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RecipientIntermediates {
    /// The serialized COSE_KDF_Context.
    #[serde(rename = "Context_hex")]
    pub context_hex: Option<String>,
    /// The raw ECDH shared secret.
    #[serde(rename = "Secret_hex")]
    pub secret_hex: Option<String>,
}

/// Per-signer intermediates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SignerIntermediates {
    #[serde(rename = "ToBeSign_hex")]
    pub to_be_sign_hex: Option<String>,
}

/// The encoded message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Output {
    /// Diagnostic notation; unused (and, for x509 signed-01/02, not what `cbor` encodes).
    pub cbor_diag: String,
    pub cbor: String,
}
