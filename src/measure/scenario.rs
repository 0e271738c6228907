//! One measured scenario: what runs, on which backend, at which size, and its id.
//!
//! Ids are built from labels (STYLE §17) so they are the same on every machine:
//! - raw primitives: `{op}_{backend}_{algorithm}_{size}`, e.g. `seal_aws-lc_aes128gcm_1350`,
//!   `memcpy_{size}` for the copy baseline;
//! - envelopes: `env-{op}_{mode}_{backend}_{algorithms}[_{identity}][_r{n}_reuse{m}]_{size}`,
//!   e.g. `env-seal_encrypt0_aws-lc_aes128gcm_kid_1350`,
//!   `env-seal_encrypt_ring_x25519+aes128gcm_r1_reuse100_64`;
//! - plain framing: `plain-{op}_kid_{size}` (no crypto, so no backend);
//! - control: `arith_{steps}`, a fixed arithmetic loop (with `memcpy_{size}`, the
//!   scenarios that say whether the machine itself was slower on one side of a comparison).
//!
//! The family id is the id without the trailing `_{size}`: the key of a cost fit.

use crate::backend::{AeadId, Backend, KeyAgreementId, KeyTransportId, MacId, SignatureId};
use crate::envelope::{Identity, Mode};

/// Which layer a scenario measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    /// A primitive alone, keys set up once.
    Raw,
    /// A full envelope seal or open.
    Envelope,
    /// The envelope's framing without protection.
    Plain,
    /// No crypto, no library: a fixed arithmetic loop measuring the machine itself.
    Control,
    /// A mutual-TLS channel: handshakes and messages on a connection (`src/channel/`).
    Channel,
}

impl Layer {
    /// Label in results.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Raw => "raw",
            Self::Envelope => "envelope",
            Self::Plain => "plain",
            Self::Control => "control",
            Self::Channel => "channel",
        }
    }
}

/// The operation timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// AEAD seal, envelope seal.
    Seal,
    /// AEAD open, envelope open.
    Open,
    /// Compute a MAC tag.
    Mac,
    /// Verify a MAC tag or a signature.
    Verify,
    /// Sign.
    Sign,
    /// Encrypt a content key to a public key (RSA-OAEP).
    EncryptKey,
    /// Decrypt a content key (RSA-OAEP).
    DecryptKey,
    /// Sender side of ECDH-ES: ephemeral key, agreement, HKDF.
    AgreeEphemeral,
    /// Receiver side of ECDH-ES: static-key agreement, HKDF.
    Agree,
    /// Copy `size` bytes (the baseline an in-place open's input restore is measured by).
    Memcpy,
    /// `size` dependent integer multiply-xor-shift steps (a control).
    Arith,
    /// A full TLS handshake (new connection).
    Handshake,
    /// A resumed TLS handshake (new connection, session ticket).
    Resume,
    /// One message sent and received over a TLS connection.
    Message,
}

impl Op {
    /// Label in ids and results.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Seal => "seal",
            Self::Open => "open",
            Self::Mac => "mac",
            Self::Verify => "verify",
            Self::Sign => "sign",
            Self::EncryptKey => "encrypt-key",
            Self::DecryptKey => "decrypt-key",
            Self::AgreeEphemeral => "agree-ephemeral",
            Self::Agree => "agree",
            Self::Memcpy => "memcpy",
            Self::Arith => "arith",
            Self::Handshake => "handshake",
            Self::Resume => "resume",
            Self::Message => "message",
        }
    }
}

/// How a hybrid message reaches its recipients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Recipients {
    /// RSA-OAEP-256 key transport to this many recipients.
    Oaep(u32),
    /// ECDH-ES + HKDF-256 direct to one recipient.
    EcdhEs(KeyAgreementId),
}

impl Recipients {
    /// Number of recipients.
    pub const fn count(self) -> u32 {
        match self {
            Self::Oaep(n) => n,
            Self::EcdhEs(_) => 1,
        }
    }

    /// Algorithm label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Oaep(_) => KeyTransportId::RsaOaep2048Sha256.label(),
            Self::EcdhEs(id) => id.label(),
        }
    }
}

/// An envelope configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnvelopeSpec {
    /// The mode.
    pub mode: Mode,
    /// MAC (Mac0).
    pub mac: Option<MacId>,
    /// Signature scheme (Sign1, SignEncrypt).
    pub signature: Option<SignatureId>,
    /// Recipients (Encrypt, SignEncrypt).
    pub recipients: Option<Recipients>,
    /// The AEAD (Encrypt0 key, hybrid content encryption).
    pub aead: Option<AeadId>,
    /// Sender identity (`None`: anonymous Encrypt).
    pub identity: Option<Identity>,
    /// Messages per content key (hybrid modes).
    pub cek_reuse: Option<u32>,
}

/// What a scenario exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Work {
    /// A plain memory copy.
    Memcpy,
    /// A fixed arithmetic loop (control).
    Arith,
    /// An AEAD.
    Aead(AeadId),
    /// A MAC.
    Mac(MacId),
    /// A signature scheme.
    Signature(SignatureId),
    /// Key transport of a `size`-byte content key.
    KeyTransport(KeyTransportId),
    /// Key agreement plus HKDF-SHA256 to a `size`-byte content key.
    KeyAgreement(KeyAgreementId),
    /// An envelope (including plain framing).
    Envelope(EnvelopeSpec),
    /// A TLS channel.
    Channel(crate::channel::ChannelSpec),
}

/// One measured scenario.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    /// The operation.
    pub op: Op,
    /// What it exercises.
    pub work: Work,
    /// The backend (`None`: no cryptography involved).
    pub backend: Option<&'static Backend>,
    /// A variant label appended to the backend name, e.g. `no-aesni` for a masked process.
    pub backend_tag: Option<&'static str>,
    /// Payload size (key length for key transport and agreement), bytes.
    pub size: usize,
}

impl Scenario {
    /// The layer.
    pub fn layer(&self) -> Layer {
        match self.work {
            Work::Envelope(e) if e.mode == Mode::Plain => Layer::Plain,
            Work::Envelope(_) => Layer::Envelope,
            Work::Arith => Layer::Control,
            Work::Channel(_) => Layer::Channel,
            _ => Layer::Raw,
        }
    }

    /// The envelope configuration, if any.
    pub fn envelope(&self) -> Option<&EnvelopeSpec> {
        match &self.work {
            Work::Envelope(e) => Some(e),
            _ => None,
        }
    }

    /// Backend label (`none` without cryptography; `openssl@no-aesni` with a tag).
    pub fn backend_label(&self) -> String {
        if let Work::Channel(c) = &self.work {
            return c.label();
        }
        let name = self.backend.map_or("none", |b| b.name);
        match self.backend_tag {
            Some(tag) => format!("{name}@{tag}"),
            None => name.to_string(),
        }
    }

    /// The AEAD whose implementation path this scenario depends on.
    pub fn aead(&self) -> Option<AeadId> {
        match self.work {
            Work::Aead(a) => Some(a),
            Work::Envelope(e) => e.aead,
            Work::Channel(_) => Some(AeadId::Aes128Gcm),
            _ => None,
        }
    }

    /// Algorithm label(s) joined by `+`, outermost key first.
    pub fn algorithm(&self) -> String {
        match self.work {
            Work::Memcpy => "memcpy".into(),
            Work::Arith => "arith".into(),
            Work::Aead(a) => a.label().into(),
            Work::Mac(m) => m.label().into(),
            Work::Signature(s) => s.label().into(),
            Work::KeyTransport(k) => k.label().into(),
            Work::KeyAgreement(k) => format!("{}+hkdfsha256", k.label()),
            Work::Channel(c) => c.algorithm(),
            Work::Envelope(e) => {
                let parts: Vec<&str> = [
                    e.mac.map(MacId::label),
                    e.signature.map(SignatureId::label),
                    e.recipients.map(Recipients::label),
                    e.aead.map(AeadId::label),
                ]
                .into_iter()
                .flatten()
                .collect();
                if parts.is_empty() {
                    "none".into()
                } else {
                    parts.join("+")
                }
            }
        }
    }

    /// The family id: the id without the size.
    pub fn family(&self) -> String {
        let op = self.op.label();
        match (self.layer(), self.envelope()) {
            (Layer::Raw, _) if self.work == Work::Memcpy => op.to_string(),
            (Layer::Control, _) => op.to_string(),
            (Layer::Channel, _) => {
                let mut id = format!("channel-{op}_{}_{}", self.backend_label(), self.algorithm());
                if let Work::Channel(crate::channel::ChannelSpec {
                    per_connection: Some(n),
                    ..
                }) = self.work
                {
                    id.push_str(&format!("_conn{n}"));
                }
                id
            }
            (Layer::Raw, _) => format!("{op}_{}_{}", self.backend_label(), self.algorithm()),
            (Layer::Plain, _) => format!("plain-{op}_kid"),
            (Layer::Envelope, Some(e)) => {
                let mut id = format!(
                    "env-{op}_{}_{}_{}",
                    e.mode.label(),
                    self.backend_label(),
                    self.algorithm()
                );
                if let Some(i) = e.identity {
                    id.push('_');
                    id.push_str(i.label());
                }
                if let (Some(r), Some(reuse)) = (e.recipients, e.cek_reuse) {
                    id.push_str(&format!("_r{}_reuse{reuse}", r.count()));
                }
                id
            }
            (Layer::Envelope, None) => format!("env-{op}_{}", self.backend_label()),
        }
    }

    /// The scenario id.
    pub fn id(&self) -> String {
        format!("{}_{}", self.family(), self.size)
    }

    /// The id a `--filter` is matched against besides [`Scenario::id`]: the id without the
    /// backend tag, so one filter selects the same scenarios in a masked child process.
    pub fn untagged_id(&self) -> String {
        Self {
            backend_tag: None,
            ..*self
        }
        .id()
    }

    /// Whether this is a control scenario (`memcpy_*`, `arith_*`): no crypto, measured in
    /// every run so a comparison can tell a slower machine from slower code.
    pub fn is_control(&self) -> bool {
        matches!(self.work, Work::Memcpy | Work::Arith)
    }

    /// What the timed loop contains, besides the loop itself.
    pub fn inside_loop(&self) -> Vec<String> {
        super::inside::inside_loop(self)
    }
}
