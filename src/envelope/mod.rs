//! The reference envelope: a COSE (RFC 9052/9053) profile for RPC messages.
//!
//! The envelope layer does no crypto itself: the COSE core (`crate::cose`) encodes the
//! structures to be MACed, signed or encrypted and hands those bytes to a backend's
//! trait objects; this module adds the profile's rules (strict headers, CWT claims,
//! audience, role policy, replay).
//! See `docs/ENVELOPE.md` for the wire profile.

pub mod audience;
pub mod clock;
pub mod error;
pub mod fixtures;
pub mod header;
pub mod keys;
pub mod keystore;
pub mod mode;
pub mod open;
pub mod recipient;
pub mod replay;
pub mod seal;
pub mod template;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::EnvelopeError;
pub use keys::{KeyAlg, KeyEntry, KeyMaterial, Policy, TrustStore};
pub use mode::{Identity, Mode};
pub use open::{OpenOptions, Opened, Opener};
pub use seal::{MessageBuf, SealConfig, Sealer};
