//! Loading a trust store (keys, roles, policy) from a directory.
//!
//! # `DIR/trust.toml`
//!
//! ```toml
//! [node]                   # optional: this node's own identity
//! kid = "compute-1"        # required in [node]: the name other nodes address it by
//! # kid_hex = "0a1b"       # ... or instead of `kid`, the kid bytes in hex
//! role = "compute"         # required in [node], non-empty: this node's role
//!
//! [[key]]
//! file = "scheduler.pem"   # required: key file, relative to DIR (or absolute)
//! alg = "ES256"            # required: one of the names below (case-insensitive)
//! role = "scheduler"       # required, non-empty: the role of the peer holding the key
//! kid = "scheduler-1"      # optional: UTF-8 text whose bytes are the kid
//! # kid_hex = "0a1b"       # optional instead of `kid`: the kid bytes in hex
//! cert = "scheduler.crt"   # optional: X.509 certificate (PEM or DER) of this key
//! legacy = false           # optional, default false: a legacy (non-protecting) peer
//! allow_multi_alg = false  # optional, default false: this key may also serve another alg
//!
//! [policy]                 # optional: role = methods it may call; "*" = every method
//! scheduler = ["*"]
//! compute = ["report_state", "heartbeat"]
//! ```
//!
//! Any other table or field is an error, as is a field of the wrong type; errors name
//! the file and the line (and column, for TOML errors).
//!
//! * `alg`: `HMAC256`, `A128GCM`, `A256GCM`, `ChaCha20/Poly1305`, `EdDSA` (Ed25519),
//!   `ES256` (ECDSA P-256), `PS256` (RSA-PSS, 2048-bit modulus), `RSA-OAEP-256` (2048-bit
//!   modulus), `ECDH-ES-P256`, `ECDH-ES-X25519` ([`KeyAlg::from_name`]).
//! * `kid`: give at most one of `kid` and `kid_hex`; neither may be empty. Default for a
//!   key pair or public key: the first 8 bytes of SHA-256 over its SubjectPublicKeyInfo
//!   DER ([`fingerprint`](crate::envelope::keys::fingerprint)), so a private key and its
//!   public key get the same kid. Symmetric keys must give one. Kids are unique.
//! * `cert`: only for key pairs and public keys; its SubjectPublicKeyInfo must be the
//!   key's, byte for byte. One certificate per file.
//! * `[node]` ([`TrustStore::node`](crate::envelope::TrustStore::node)): who this node
//!   is, for audiences (`kid:` its kid, `role:` its role) and for refusing reflected
//!   messages. Same `kid`/`kid_hex` rules as in `[[key]]`. The node kid may equal the kid
//!   of one of its own private keys, but not that of a public or symmetric entry (those
//!   kids name peers or shared keys). A node's own kids
//!   ([`TrustStore::own_kids`](crate::envelope::TrustStore::own_kids)) are the node kid
//!   and the kid of every entry holding a private key.
//! * One key serves one `alg`: an entry whose key file (same canonical path) or key (same
//!   public key, so a private key and its `.pub.pem` count as one; same bytes for a
//!   symmetric key) is already another entry's under a different `alg` is an error
//!   (`KeyReuse`), unless both entries set `allow_multi_alg = true`. Do not: a key used
//!   with two algorithms (RSA as PS256 and RSA-OAEP-256, P-256 as ES256 and ECDH-ES, one
//!   secret as HMAC256 and A256GCM) lets one protocol's output be fed to the other.
//! * `[policy]`: a role that no key has gives a warning (except `anonymous`, the role of
//!   unauthenticated senders). Methods are not checked.
//!
//! # Key files
//!
//! * Symmetric (`HMAC256`, `A128GCM`, `A256GCM`, `ChaCha20/Poly1305`): exactly 16 bytes
//!   for A128GCM, 32 for A256GCM and ChaCha20/Poly1305, at least 32 for HMAC256; either
//!   raw binary (`openssl rand -out k.key 32`) or hex text with an optional trailing
//!   newline (`openssl rand -hex 32 > k.key`). A file that is an even number of hex
//!   digits (plus optional `\n` or `\r\n`) is read as hex; anything else as raw bytes.
//!   Key material in a standard encoding is refused (`NotASecretKey`): any PEM text, and
//!   raw or hex-decoded bytes that are DER of a PKCS#8 private key, a
//!   SubjectPublicKeyInfo, an X.509 certificate, a SEC1 EC private key, a SEQUENCE of
//!   INTEGERs (PKCS#1 RSA keys) or a SEQUENCE opening with an AlgorithmIdentifier
//!   (encrypted PKCS#8). A public key taken as an HMAC key would let anyone forge.
//! * Asymmetric: a PKCS#8 private key (PEM `-----BEGIN PRIVATE KEY-----`, v1 or v2) or a
//!   SubjectPublicKeyInfo public key (PEM `-----BEGIN PUBLIC KEY-----`), or the same in
//!   DER. Exactly what `openssl genpkey -algorithm ed25519|X25519 -out k.pem`,
//!   `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem`,
//!   `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out k.pem` and
//!   `openssl pkey -in k.pem -pubout -out k.pub.pem` write. PEM is RFC 7468 strict: text
//!   before BEGIN is ignored, anything but whitespace after END is an error, other
//!   labels (`EC PRIVATE KEY`, `RSA PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, ...) are
//!   errors; DER must not have trailing bytes. Encrypted keys are not supported.
//! * The key's type must be the algorithm's: Ed25519 for EdDSA, X25519 for
//!   ECDH-ES-X25519, EC on P-256 (`id-ecPublicKey`, named curve) for ES256 and
//!   ECDH-ES-P256, `rsaEncryption` with a 2048-bit modulus for PS256 and RSA-OAEP-256.
//!   P-256 public keys must be uncompressed points.
//! * For a private key the public key is computed, not read from the file: by the first
//!   backend in [`ALL_BACKENDS`](crate::backend::ALL_BACKENDS) that loads it
//!   (`signing_key` / `decrypting_key`; for ECDH `key_agreement(..).private_key` on the
//!   scalar from [`agreement_scalar`]). A build without a suitable backend cannot load
//!   private keys (error `KeyRejected`); public and symmetric keys need no backend.
//! * Files are limited to 1 MiB.
//!
//! # Warnings
//!
//! [`load_dir`] returns, beside the store, warnings that do not stop loading: a private
//! or symmetric key file that its group or other users may access (unix mode `& 0o077`
//! non-zero, e.g. 0640 or 0644; fix with `chmod 600`), and a policy role no key has.
//!
//! Secrets are only held in `Zeroizing` buffers and never appear in errors or `Debug`.
//! Certificates are parsed with `x509-cert` 0.3, which shares `der`/`spki` 0.8 with the
//! rest of the crate.

mod asym;
mod cert;
mod error;
mod file;
mod kind;
mod reuse;
mod scalar;
mod symmetric;
mod trust;

use std::path::Path;

use zeroize::Zeroizing;

pub use error::{KeyStoreError, Origin, Site};

use super::{KeyAlg, KeyMaterial, TrustStore};
use crate::backend::KeyAgreementId;

/// Loads `dir/trust.toml` and every key and certificate it names.
///
/// Returns the store and the warnings (see the module docs), or the first error.
pub fn load_dir(dir: &Path) -> Result<(TrustStore, Vec<String>), KeyStoreError> {
    trust::load(dir)
}

/// Loads one key file for `alg` (the `--key FILE` option of `seal` / `open`).
pub fn load_key_file(path: &Path, alg: KeyAlg) -> Result<KeyMaterial, KeyStoreError> {
    let origin = Origin::file(path);
    load_material(&file::read(path, &origin)?, alg, &origin)
}

/// Loads key material of `alg` from bytes already in memory (PEM or DER, or a symmetric
/// key's raw or hex bytes), with the same checks as [`load_key_file`].
pub fn load_key_bytes(data: &[u8], alg: KeyAlg) -> Result<KeyMaterial, KeyStoreError> {
    load_material(data, alg, &Origin::memory())
}

/// The raw private scalar of an X25519 or P-256 key in PKCS#8 (32 bytes; P-256 big-endian),
/// as [`KeyAgreement::private_key`](crate::backend::KeyAgreement::private_key) takes it.
/// X25519 PKCS#8 holds the scalar as an OCTET STRING inside the PrivateKey OCTET STRING
/// (RFC 8410 §7); P-256 PKCS#8 holds a SEC1 `ECPrivateKey` (RFC 5915).
pub fn agreement_scalar(
    pkcs8: &[u8],
    id: KeyAgreementId,
) -> Result<Zeroizing<Vec<u8>>, KeyStoreError> {
    scalar::scalar_of(pkcs8, id, &Origin::memory())
}

/// Loads key material of `alg` from a file's bytes.
fn load_material(data: &[u8], alg: KeyAlg, origin: &Origin) -> Result<KeyMaterial, KeyStoreError> {
    if alg.is_symmetric() {
        symmetric::load(data, alg, origin)
    } else {
        asym::load(data, alg, origin)
    }
}
