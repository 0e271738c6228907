//! Protection strategies: a (mode, key scope) for each traffic class, and which executed
//! attacks each class must withstand.

use serde::Serialize;

use super::cost::Protection;
use super::profile::{Class, Delivery, Profile, Sensitivity, Threat};
use crate::backend::{AeadId, KeyTransportId, MacId, SignatureId};
use crate::envelope::Mode;
pub use crate::scenarios::keyscope::{Attack, KeyScope, Scheme};

/// A way of protecting a deployment's traffic: one scheme per class, in profile order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Strategy {
    /// Name, e.g. `seal-all/pairwise` or `cheapest-mix`.
    pub name: String,
    /// Found by searching every class's schemes (not a fixed rule).
    pub searched: bool,
    /// The scheme of each class, in profile order.
    pub schemes: Vec<Scheme>,
    /// Every message also travels over mutual TLS to the broker (`tls-only`: with plain
    /// framing inside; `tls+<strategy>`: with that strategy's envelopes inside).
    pub tls: bool,
}

type Rule = fn(&Class) -> Scheme;

const fn s(mode: Mode, key_scope: KeyScope) -> Scheme {
    Scheme::new(mode, key_scope)
}

fn confidential(c: &Class) -> bool {
    c.sensitivity == Sensitivity::Confidential
}

fn plain(_: &Class) -> Scheme {
    Scheme::PLAIN
}
fn mac_group(_: &Class) -> Scheme {
    s(Mode::Mac0, KeyScope::Group)
}
fn mac_pairwise(_: &Class) -> Scheme {
    s(Mode::Mac0, KeyScope::Pairwise)
}
fn seal_group(_: &Class) -> Scheme {
    s(Mode::Encrypt0, KeyScope::Group)
}
fn seal_pairwise(_: &Class) -> Scheme {
    s(Mode::Encrypt0, KeyScope::Pairwise)
}
fn sign(_: &Class) -> Scheme {
    s(Mode::Sign1, KeyScope::PerSender)
}
fn sign_encrypt(_: &Class) -> Scheme {
    s(Mode::SignEncrypt, KeyScope::PerSender)
}
fn hybrid(_: &Class) -> Scheme {
    s(Mode::Encrypt, KeyScope::Hybrid)
}
fn seal_sensitive_mac_rest(c: &Class) -> Scheme {
    if confidential(c) {
        seal_group(c)
    } else {
        mac_group(c)
    }
}
fn seal_sensitive_sign_rest(c: &Class) -> Scheme {
    if confidential(c) {
        seal_group(c)
    } else {
        sign(c)
    }
}
fn seal_sensitive_pairwise_sign_rest(c: &Class) -> Scheme {
    if confidential(c) {
        seal_pairwise(c)
    } else {
        sign(c)
    }
}
fn pairwise_unicast_sign_broadcast(c: &Class) -> Scheme {
    match c.delivery {
        Delivery::Unicast => seal_pairwise(c),
        Delivery::Broadcast => sign(c),
    }
}

/// The fixed strategies, in report order: name and the rule giving each class its scheme.
pub const NAMED: &[(&str, Rule)] = &[
    ("plain", plain),
    ("mac-all/group", mac_group),
    ("mac-all/pairwise", mac_pairwise),
    ("seal-all/group", seal_group),
    ("seal-all/pairwise", seal_pairwise),
    ("sign-all", sign),
    ("sign-encrypt-all", sign_encrypt),
    ("hybrid-all", hybrid),
    ("seal-sensitive+mac-rest", seal_sensitive_mac_rest),
    ("seal-sensitive+sign-rest", seal_sensitive_sign_rest),
    (
        "seal-sensitive/pairwise+sign-rest",
        seal_sensitive_pairwise_sign_rest,
    ),
    (
        "pairwise-unicast+sign-broadcast",
        pairwise_unicast_sign_broadcast,
    ),
];

/// Name of the channel strategy with no envelope.
pub const TLS_ONLY: &str = "tls-only";
/// The envelope strategies also priced under TLS (`tls+<name>`).
pub const TLS_WITH: &[&str] = &[
    "sign-all",
    "sign-encrypt-all",
    "seal-all/pairwise",
    "pairwise-unicast+sign-broadcast",
];

/// Name of the searched strategy: the cheapest scheme per class that meets every
/// requirement and, together, the budget.
pub const CHEAPEST_MIX: &str = "cheapest-mix";
/// Name of the searched strategy restricted to schemes that encrypt every class.
pub const CHEAPEST_ENCRYPTED_MIX: &str = "cheapest-encrypted-mix";

impl Strategy {
    /// The fixed strategies applied to `profile`.
    pub fn named(profile: &Profile) -> Vec<Strategy> {
        NAMED
            .iter()
            .map(|(name, rule)| Strategy {
                name: (*name).to_string(),
                searched: false,
                schemes: profile.classes.iter().map(rule).collect(),
                tls: false,
            })
            .collect()
    }

    /// The channel strategies: `tls-only` (mutual TLS to the broker, plain framing inside)
    /// and TLS under each of [`TLS_WITH`].
    pub fn channel(profile: &Profile) -> Vec<Strategy> {
        let mut out = vec![Strategy {
            name: TLS_ONLY.to_string(),
            searched: false,
            schemes: profile.classes.iter().map(plain).collect(),
            tls: true,
        }];
        for (name, rule) in NAMED.iter().filter(|(n, _)| TLS_WITH.contains(n)) {
            out.push(Strategy {
                name: format!("tls+{name}"),
                searched: false,
                schemes: profile.classes.iter().map(rule).collect(),
                tls: true,
            });
        }
        out
    }

    /// Whether every class is encrypted, so a misclassified secret cannot travel in clear.
    pub fn classification_free(&self) -> bool {
        self.schemes.iter().all(|s| encrypts(s.mode))
    }
}

/// The attacks a class must withstand: integrity (integrity and confidential classes)
/// against forgery, cross-node replay and reflection; confidentiality (confidential classes)
/// against reading. Under `compromised-peer`, also forgery by a compromised receiver (when
/// the class has several receivers and its receivers are not its senders) and by a
/// compromised node of another role, and reading by a node of another role or, for a
/// unicast class, by another receiver. Attacks on another receiver need two receivers.
pub fn required(class: &Class, profile: &Profile) -> Vec<Attack> {
    let peers = profile.threat == Threat::CompromisedPeer;
    let several = profile.nodes_of(&class.receiver_role) >= 2;
    let unicast = class.delivery == Delivery::Unicast;
    let distinct = class.sender_role != class.receiver_role;
    let integrity = class.sensitivity != Sensitivity::Public;
    let secret = class.sensitivity == Sensitivity::Confidential;
    let mut v = Vec::new();
    let mut need = |cond: bool, a: Attack| {
        if cond {
            v.push(a);
        }
    };
    need(integrity, Attack::OutsiderForges);
    need(secret, Attack::OutsiderReads);
    need(
        integrity && peers && several && distinct,
        Attack::ReceiverForges,
    );
    need(integrity && peers, Attack::OtherRoleForges);
    need(secret && peers && several && unicast, Attack::PeerReads);
    need(secret && peers, Attack::OtherRoleReads);
    need(integrity && several && unicast, Attack::CrossNodeReplay);
    need(integrity, Attack::Reflection);
    v
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

/// Whether a mode hides the payload.
pub const fn encrypts(mode: Mode) -> bool {
    matches!(mode, Mode::Encrypt0 | Mode::Encrypt | Mode::SignEncrypt)
}
