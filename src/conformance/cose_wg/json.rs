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
    /// Longer free text; unused.
    pub description: Option<String>,
    /// `true`: the message must be rejected.
    #[serde(default)]
    pub fail: bool,
    pub input: Input,
    #[serde(default)]
    pub intermediates: Intermediates,
    pub output: Output,
}

/// What the generator was given.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Input {
    pub plaintext: Option<String>,
    pub plaintext_hex: Option<String>,
    /// The content is not carried in the message (`output.content` or the plaintext is).
    pub detached: Option<bool>,
    /// A fail marker on the input instead of the file.
    pub fail: Option<bool>,
    pub sign0: Option<Sign0>,
    pub sign: Option<Sign>,
    pub mac0: Option<Mac>,
    pub mac: Option<Mac>,
    pub encrypted: Option<Encrypted>,
    pub enveloped: Option<Enveloped>,
    /// How the encoded message was changed after it was produced, e.g. `{"ChangeTag": 1}`.
    pub failures: Option<Failures>,
    /// The sender's random bytes (IVs, ephemeral keys); a verifier has no use for them.
    /// One hex string or a list of them.
    pub rng_stream: Option<OneOrMany>,
    /// Prose about the RNG; unused.
    pub rng_description: Option<String>,
}

/// The mutations the generator applied to a layer after encoding it (the cose-wg
/// generator's `ProcessFailures`). Each changes the bytes `output.cbor` carries; the
/// intermediates describe the message *before* the change.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Failures {
    /// The last byte of the tag / signature / ciphertext was changed.
    #[serde(rename = "ChangeTag")]
    pub change_tag: Option<u64>,
    /// The CBOR tag of the message was replaced by this number.
    #[serde(rename = "ChangeCBORTag")]
    pub change_cbor_tag: Option<u64>,
    /// The CBOR tag was removed (an untagged message is valid COSE where the type is
    /// known from context, so this alone does not make a message fail).
    #[serde(rename = "RemoveCBORTag")]
    pub remove_cbor_tag: Option<u64>,
    /// These protected header parameters were given other values.
    #[serde(rename = "ChangeAttr")]
    pub change_attr: Option<serde_json::Map<String, serde_json::Value>>,
    /// These parameters were added to the protected header.
    #[serde(rename = "AddProtected")]
    pub add_protected: Option<serde_json::Map<String, serde_json::Value>>,
    /// These parameters were removed from the protected header.
    #[serde(rename = "RemoveProtected")]
    pub remove_protected: Option<serde_json::Map<String, serde_json::Value>>,
    /// The protected header bstr was replaced by these bytes (hex).
    #[serde(rename = "ChangeProtected")]
    pub change_protected: Option<String>,
}

/// Header parameters as the files spell them. `_hex` members are hex, the others text
/// cast to bytes (the generator's `AddAttributes`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Headers {
    pub alg: Option<String>,
    pub kid: Option<String>,
    pub kid_hex: Option<String>,
    pub ctyp: Option<i64>,
    #[serde(rename = "IV_hex")]
    pub iv_hex: Option<String>,
    #[serde(rename = "partialIV_hex")]
    pub partial_iv_hex: Option<String>,
    pub x5bag: Option<OneOrMany>,
    pub x5chain: Option<OneOrMany>,
    /// `[hash algorithm name, hex digest]`.
    pub x5t: Option<Vec<String>>,
    /// The sender's ephemeral key (ECDH-ES), as the sender generated it.
    pub epk: Option<Jwk>,
    /// The sender's static key id (ECDH-SS).
    pub spk_kid: Option<String>,
    pub spk_kid_hex: Option<String>,
    /// HKDF salt (text cast to bytes) and the COSE_KDF_Context party / supplementary fields.
    pub salt: Option<String>,
    pub salt_hex: Option<String>,
    pub apu_id: Option<String>,
    pub apu_nonce: Option<String>,
    pub apu_nonce_hex: Option<String>,
    pub apu_other: Option<String>,
    pub apv_id: Option<String>,
    pub apv_nonce: Option<String>,
    pub apv_other: Option<String>,
    pub pub_other: Option<String>,
    pub priv_other: Option<String>,
    /// `unsent` only: whether the sender compressed its ephemeral point (0 or 1).
    pub compressed: Option<u8>,
    /// Free text; unused.
    pub comment: Option<String>,
}

/// One hex string or a list of them (certificates, the RNG stream).
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
    pub unsent: Option<Headers>,
    /// The external AAD (hex).
    pub external: Option<String>,
    pub countersign: Option<serde_json::Value>,
    pub countersign0: Option<serde_json::Value>,
}

/// `input.sign`: a COSE_Sign.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Sign {
    pub protected: Option<Headers>,
    pub unprotected: Option<Headers>,
    pub unsent: Option<Headers>,
    pub external: Option<String>,
    pub signers: Vec<Signer>,
    pub countersign: Option<serde_json::Value>,
    pub countersign0: Option<serde_json::Value>,
}

/// One signer of a COSE_Sign.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Signer {
    pub alg: Option<String>,
    pub key: Jwk,
    pub protected: Option<Headers>,
    pub unprotected: Option<Headers>,
    pub unsent: Option<Headers>,
    pub external: Option<String>,
    pub fail: Option<bool>,
    pub failures: Option<Failures>,
    pub countersign: Option<serde_json::Value>,
    pub countersign0: Option<serde_json::Value>,
}

/// `input.mac0` / `input.mac`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Mac {
    /// Repeats the protected or unprotected `alg`.
    pub alg: Option<String>,
    pub protected: Option<Headers>,
    pub unprotected: Option<Headers>,
    pub unsent: Option<Headers>,
    pub external: Option<String>,
    pub recipients: Vec<Recipient>,
    pub countersign: Option<serde_json::Value>,
    pub countersign0: Option<serde_json::Value>,
}

/// `input.encrypted`: a COSE_Encrypt0.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Encrypted {
    pub alg: Option<String>,
    pub protected: Option<Headers>,
    pub unprotected: Option<Headers>,
    pub unsent: Option<Headers>,
    pub external: Option<String>,
    pub recipients: Vec<Recipient>,
    pub countersign: Option<serde_json::Value>,
    pub countersign0: Option<serde_json::Value>,
}

/// `input.enveloped`: a COSE_Encrypt.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Enveloped {
    pub alg: Option<String>,
    pub protected: Option<Headers>,
    pub unprotected: Option<Headers>,
    /// Context the receiver knows without it being sent (the full IV for a partial IV).
    pub unsent: Option<Headers>,
    pub external: Option<String>,
    pub recipients: Vec<Recipient>,
    pub countersign: Option<serde_json::Value>,
    pub countersign0: Option<serde_json::Value>,
}

/// One recipient (for `*0` structures: only the key the message is under).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Recipient {
    /// Repeats the protected or unprotected `alg`.
    pub alg: Option<String>,
    pub key: Jwk,
    pub protected: Option<Headers>,
    pub unprotected: Option<Headers>,
    /// Not sent: how the sender encoded its ephemeral point, KDF context inputs.
    pub unsent: Option<Headers>,
    /// ECDH-SS: the sender's static key.
    pub sender_key: Option<Jwk>,
    pub fail: Option<bool>,
    pub failures: Option<Failures>,
    /// Nested recipients (multi-layer key wrap).
    pub recipients: Option<Vec<serde_json::Value>>,
    pub countersign: Option<serde_json::Value>,
    pub countersign0: Option<serde_json::Value>,
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
#[derive(Debug, Default, Deserialize)]
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
    /// Countersignature intermediates (their presence needs `countersign` in the input).
    pub countersigners: Option<serde_json::Value>,
    pub countersign0: Option<serde_json::Value>,
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
    pub countersigners: Option<serde_json::Value>,
    pub countersign0: Option<serde_json::Value>,
}

/// Per-signer intermediates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SignerIntermediates {
    #[serde(rename = "ToBeSign_hex")]
    pub to_be_sign_hex: Option<String>,
    pub countersigners: Option<serde_json::Value>,
    pub countersign0: Option<serde_json::Value>,
}

/// The encoded message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Output {
    /// Diagnostic notation; unused (and, for x509 signed-01/02, not what `cbor` encodes).
    pub cbor_diag: Option<String>,
    pub cbor: String,
    /// Detached content (hex).
    pub content: Option<String>,
}
