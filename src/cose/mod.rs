//! The COSE core (RFC 9052/9053): everything about COSE that is not a profile rule.
//!
//! Data flow: `backend` (primitives) → `cose` (this module: wire encoding and the bytes
//! COSE authenticates, handed to backend trait objects) → `envelope` (the RPC profile:
//! strictness, claims, audience, policy, replay) → `conformance` (the COSE WG corpus and
//! our own vectors run through the same code).
//!
//! * [`cbor`]: the deterministic CBOR writer and strict reader (RFC 8949 §4.2.1).
//! * [`iana`]: the registry of COSE wire identifiers, and COSE algorithm ids ↔ backend
//!   algorithms, with a reason for every algorithm outside the profile.
//! * [`structure`]: `Sig_structure`, `MAC_structure`, `Enc_structure`.
//! * [`key`]: COSE_Key encode/decode and the raw public keys the backends take.
//! * [`kdf`]: the COSE_KDF_Context in its general form, and HKDF through a backend.
//! * [`cek`]: content-key recovery through a backend (ECDH shared secret, RSA-OAEP).
//! * [`message`]: message framing (tagged COSE_Sign1 / Mac0 / Encrypt0 / Encrypt).
//! * [`x5`]: the RFC 9360 `x5t` thumbprint.
//!
//! The core does no crypto itself and knows no trust store: every primitive is a backend
//! trait object the caller passes in.

pub mod cbor;
pub mod cek;
pub mod iana;
pub mod kdf;
pub mod key;
pub mod message;
pub mod structure;
pub mod x5;
