//! The negative vectors: messages a receiver must reject, each for one named reason
//! ([`EnvelopeError::kind`](crate::envelope::EnvelopeError::kind)).
//!
//! Most start from an honestly sealed message and change one thing: a bit of the header,
//! IV, ciphertext, tag, signature or recipient; the length; the CBOR tag; the receiver's
//! clock, keys or policy. Some are built by hand with a correct MAC over a header the
//! profile forbids (`alg` unprotected, a `crit` header, an unknown label, labels out of
//! order, no method, a 256-byte method). The attacks of issue 9 (audience, direction,
//! layers, limits, recipients) are in `attacks.rs`.

use super::attacks;
use super::craft::{self, first_recipient, flip, last_byte_of, parts};
use super::error::VectorError;
use super::generate::{
    FUTURE_SKEW_S, KeySet, METHOD, PAYLOAD, SEAL_TIME_S, WINDOW_S, method_of, receiver, seal,
    self_check, slug, spec,
};
use super::schema::{Class, Expected, Receiver, SealSpec, Vector};
use crate::cose::iana::{ALG_HMAC_256_256, HDR_CRIT};
use crate::envelope::fixtures::public_only;
use crate::envelope::header::HDR_RPC_METHOD;
use crate::envelope::keys::KeyEntry;
use crate::envelope::{Identity, Mode};

/// An honestly sealed message and the method it was sealed for.
pub(super) struct Sealed {
    pub(super) message: Vec<u8>,
    pub(super) method: &'static str,
}

pub(super) struct Gen<'k> {
    pub(super) k: &'k KeySet,
    pub(super) seed: u64,
    pub(super) out: Vec<Vector>,
}

impl Gen<'_> {
    /// The default seal spec of vector `name` (from `scheduler-1` to `compute-1`).
    pub(super) fn spec(
        &self,
        name: &str,
        mode: Mode,
        sender: Option<&KeyEntry>,
        recipients: &[&KeyEntry],
    ) -> SealSpec {
        spec(name, self.seed, mode, sender, recipients)
    }

    /// Seals a base message per `s`.
    pub(super) fn seal_spec(&self, name: &str, s: &SealSpec) -> Result<Sealed, VectorError> {
        let method = method_of(s.mode);
        let message = seal(name, s, PAYLOAD, method)?;
        Ok(Sealed { message, method })
    }

    /// Seals the base message of vector `name` (its own seed, kid identity unless given).
    pub(super) fn seal(
        &self,
        name: &str,
        mode: Mode,
        sender: Option<&KeyEntry>,
        recipients: &[&KeyEntry],
        identity: Identity,
    ) -> Result<Sealed, VectorError> {
        let s = SealSpec {
            identity,
            ..self.spec(name, mode, sender, recipients)
        };
        self.seal_spec(name, &s)
    }

    /// Seals a kid-identified base message from `sender`.
    pub(super) fn from(
        &self,
        name: &str,
        mode: Mode,
        sender: &KeyEntry,
    ) -> Result<Sealed, VectorError> {
        self.seal(name, mode, Some(sender), &[], Identity::Kid)
    }

    /// Adds vector `name`: `message` (sealed for `method`) must fail as `kind` at `rx`.
    pub(super) fn push(
        &mut self,
        name: &str,
        description: &str,
        (message, method): (Vec<u8>, &str),
        rx: Receiver,
        kind: &str,
    ) {
        self.out.push(Vector {
            name: name.to_string(),
            description: description.to_string(),
            class: Class::Negative,
            method: method.to_string(),
            payload: PAYLOAD.to_vec(),
            seal: None,
            receiver: rx,
            message,
            deterministic: false,
            opens: 1,
            expect: Expected::Error(kind.to_string()),
        });
    }

    /// Makes the last vector open its message twice (all but the last open must succeed).
    fn opened_twice(&mut self) {
        if let Some(v) = self.out.last_mut() {
            v.opens = 2;
        }
    }

    /// Checks that `message` (for `method`) opens at `rx` as `mode` from `sender_kid`: the
    /// control of a hand-built negative vector, made by the same code with the one
    /// difference under test undone. Not written as a file.
    pub(super) fn control(
        &self,
        name: &str,
        (message, method): (Vec<u8>, &str),
        rx: Receiver,
        mode: Mode,
        sender_kid: Option<&[u8]>,
    ) -> Result<(), VectorError> {
        self_check(&Vector {
            name: format!("{name} (control)"),
            description: String::new(),
            class: Class::Golden,
            method: method.to_string(),
            payload: PAYLOAD.to_vec(),
            seal: None,
            receiver: rx,
            message,
            deterministic: false,
            opens: 1,
            expect: Expected::Ok {
                mode,
                sender_kid: sender_kid.map(<[u8]>::to_vec),
            },
        })
    }
}

impl Sealed {
    /// The message with one bit of byte `at` flipped.
    pub(super) fn flipped(
        &self,
        name: &str,
        at: usize,
    ) -> Result<(Vec<u8>, &'static str), VectorError> {
        Ok((flip(name, &self.message, at)?, self.method))
    }

    pub(super) fn whole(self) -> (Vec<u8>, &'static str) {
        (self.message, self.method)
    }
}

pub(super) fn nth<'k>(
    keys: &'k [KeyEntry],
    i: usize,
    what: &str,
) -> Result<&'k KeyEntry, VectorError> {
    keys.get(i)
        .ok_or_else(|| VectorError::generate("negative", format!("no {what} key")))
}

/// `compute-1` at the sealing time holding `keys`.
pub(super) fn rx(keys: &[&KeyEntry]) -> Receiver {
    receiver(keys.iter().map(|&k| k.clone()).collect(), SEAL_TIME_S)
}

/// Every negative vector (`golden`: the golden vectors, some of whose messages are reused).
pub(super) fn negatives(
    k: &KeySet,
    seed: u64,
    golden: &[Vector],
) -> Result<Vec<Vector>, VectorError> {
    let mut g = Gen {
        k,
        seed,
        out: Vec::new(),
    };
    tampered(&mut g)?;
    framing(&mut g)?;
    freshness(&mut g)?;
    receiver_keys(&mut g)?;
    binding(&mut g)?;
    forbidden_headers(&mut g)?;
    attacks::audience(&mut g, golden)?;
    attacks::direction(&mut g)?;
    attacks::layers(&mut g)?;
    attacks::limits(&mut g)?;
    attacks::recipients(&mut g)?;
    Ok(g.out)
}

fn tampered(g: &mut Gen<'_>) -> Result<(), VectorError> {
    let (k, auth) = (g.k, "authentication");
    let n = "negative-tampered-mac0-header";
    let m = g.from(n, Mode::Mac0, &k.mac)?;
    let p = parts(n, &m.message)?;
    let at = last_byte_of(n, &m.message, p.protected, METHOD.as_bytes())?;
    let d = "COSE_Mac0 with one bit of the method name in the protected header flipped.";
    g.push(n, d, m.flipped(n, at)?, rx(&[&k.mac]), auth);
    let n = "negative-tampered-mac0-tag";
    let tag = p.trailer.unwrap_or_default();
    let d = "COSE_Mac0 with one bit of the tag flipped.";
    g.push(n, d, m.flipped(n, tag.start)?, rx(&[&k.mac]), auth);

    let a128 = nth(&k.aead, 0, "A128GCM")?;
    let n = "negative-tampered-encrypt0-header";
    let m = g.from(n, Mode::Encrypt0, a128)?;
    let p = parts(n, &m.message)?;
    let at = last_byte_of(n, &m.message, p.protected, METHOD.as_bytes())?;
    let d = "COSE_Encrypt0 (A128GCM) with one bit of the method in the protected header flipped.";
    g.push(n, d, m.flipped(n, at)?, rx(&[a128]), auth);
    let iv = p.iv.unwrap_or_default();
    for (part, at) in [
        ("iv", iv.start),
        ("ciphertext", p.body.start),
        ("tag", p.body.end.saturating_sub(1)),
    ] {
        let n = format!("negative-tampered-encrypt0-{part}");
        let d = format!("COSE_Encrypt0 (A128GCM) with one bit of the {part} flipped.");
        g.push(&n, &d, m.flipped(&n, at)?, rx(&[a128]), auth);
    }

    for key in &k.sign {
        let n = format!("negative-tampered-sign1-{}-signature", slug(key.alg));
        let m = g.from(&n, Mode::Sign1, key)?;
        let at = parts(&n, &m.message)?.trailer.unwrap_or_default().start + 10;
        let d = format!(
            "COSE_Sign1 ({}) with byte 10 of the signature changed.",
            key.alg
        );
        g.push(&n, &d, m.flipped(&n, at)?, rx(&[&public_only(key)]), auth);
    }
    let eddsa = nth(&k.sign, 0, "EdDSA")?;
    let n = "negative-tampered-sign1-eddsa-payload";
    let m = g.from(n, Mode::Sign1, eddsa)?;
    let at = parts(n, &m.message)?.body.start;
    let d = "COSE_Sign1 (EdDSA) with one bit of the payload flipped.";
    g.push(n, d, m.flipped(n, at)?, rx(&[&public_only(eddsa)]), auth);

    let oaep = nth(&k.oaep, 0, "RSA-OAEP")?;
    let n = "negative-tampered-encrypt-rsa-oaep-256-cek";
    let m = g.seal(n, Mode::Encrypt, None, &[oaep], Identity::Kid)?;
    let at = parts(n, &m.message)?.recipients_at.unwrap_or_default();
    let (ct, _) = first_recipient(n, &m.message, at)?;
    let d = "COSE_Encrypt with one bit of the RSA-OAEP-encrypted content key flipped.";
    g.push(n, d, m.flipped(n, ct.start + 100)?, rx(&[oaep]), auth);

    let x25519 = nth(&k.ecdh, 0, "X25519")?;
    let n = "negative-tampered-encrypt-ecdh-es-x25519-ephemeral";
    let m = g.seal(n, Mode::Encrypt, None, &[x25519], Identity::Kid)?;
    let at = parts(n, &m.message)?.recipients_at.unwrap_or_default();
    let (_, x) = first_recipient(n, &m.message, at)?;
    let x = x.ok_or_else(|| VectorError::generate(n, "no ephemeral key"))?;
    let d = "COSE_Encrypt (ECDH-ES X25519) with the lowest bit of byte 5 of the sender's \
             ephemeral public key flipped: another shared secret, another content key.";
    g.push(n, d, m.flipped(n, x.start + 5)?, rx(&[x25519]), auth);
    Ok(())
}

fn framing(g: &mut Gen<'_>) -> Result<(), VectorError> {
    let k = g.k;
    let n = "negative-truncated-mac0";
    let m = g.from(n, Mode::Mac0, &k.mac)?;
    let short = m.message.get(..m.message.len() - 1).unwrap_or_default();
    let d = "COSE_Mac0 without its last byte.";
    g.push(n, d, (short.to_vec(), m.method), rx(&[&k.mac]), "malformed");

    let a128 = nth(&k.aead, 0, "A128GCM")?;
    let n = "negative-truncated-encrypt0";
    let m = g.from(n, Mode::Encrypt0, a128)?;
    let body = parts(n, &m.message)?.body;
    let short = m.message.get(..body.start + body.len() / 2);
    let d = "COSE_Encrypt0 cut off in the middle of the ciphertext.";
    let short = (short.unwrap_or_default().to_vec(), m.method);
    g.push(n, d, short, rx(&[a128]), "malformed");

    let eddsa = nth(&k.sign, 0, "EdDSA")?;
    let n = "negative-trailing-bytes-sign1-eddsa";
    let mut m = g.from(n, Mode::Sign1, eddsa)?;
    m.message.push(0x00);
    let d = "COSE_Sign1 (EdDSA) followed by one extra byte.";
    g.push(n, d, m.whole(), rx(&[&public_only(eddsa)]), "malformed");

    let n = "negative-wrong-tag-mac0";
    let m = g.from(n, Mode::Mac0, &k.mac)?;
    // ref: RFC 9052 §2: COSE_Mac0 is tag 17 (0xd1); tag 98 (0xd8 0x62) is COSE_Sign.
    let retagged = [&[0xd8, 0x62][..], m.message.get(1..).unwrap_or_default()].concat();
    let d = "A COSE_Mac0 body under CBOR tag 98 (COSE_Sign), which the profile does not use.";
    g.push(n, d, (retagged, m.method), rx(&[&k.mac]), "wrong-structure");

    let n = "negative-iv-length-encrypt0";
    let m = g.from(n, Mode::Encrypt0, a128)?;
    let at = parts(n, &m.message)?.unprotected_at;
    // {5: h'<12 bytes>'} is a1 05 4c <iv>; make it an 11-byte IV: a1 05 4b <iv[..11]>.
    if m.message.get(at..at + 3) != Some(&[0xa1, 0x05, 0x4c][..]) {
        return Err(VectorError::generate(n, "unexpected unprotected header"));
    }
    let short_iv = [
        m.message.get(..at + 2).unwrap_or_default(),
        &[0x4b],
        m.message.get(at + 3..at + 14).unwrap_or_default(),
        m.message.get(at + 15..).unwrap_or_default(),
    ]
    .concat();
    let d = "COSE_Encrypt0 whose IV is 11 bytes instead of 12.";
    g.push(n, d, (short_iv, m.method), rx(&[a128]), "bad-header");
    Ok(())
}

fn freshness(g: &mut Gen<'_>) -> Result<(), VectorError> {
    let k = g.k;
    let n = "negative-replayed-mac0";
    let m = g.from(n, Mode::Mac0, &k.mac)?;
    let d = "A valid COSE_Mac0 opened twice by the same receiver: the second open is a replay.";
    g.push(n, d, m.whole(), rx(&[&k.mac]), "replayed");
    g.opened_twice();
    let eddsa = nth(&k.sign, 0, "EdDSA")?;
    let n = "negative-replayed-sign1-eddsa";
    let m = g.from(n, Mode::Sign1, eddsa)?;
    let d = "A valid COSE_Sign1 (EdDSA) opened twice by the same receiver.";
    g.push(n, d, m.whole(), rx(&[&public_only(eddsa)]), "replayed");
    g.opened_twice();

    let n = "negative-expired-mac0";
    let m = g.from(n, Mode::Mac0, &k.mac)?;
    let d = "A valid COSE_Mac0 received 301 s after it was issued (window 300 s).";
    let late = receiver(vec![k.mac.clone()], SEAL_TIME_S + WINDOW_S + 1);
    g.push(n, d, m.whole(), late, "expired");
    let n = "negative-from-future-mac0";
    let m = g.from(n, Mode::Mac0, &k.mac)?;
    let d = "A valid COSE_Mac0 issued 31 s ahead of the receiver's clock (future skew 30 s, \
             separate from the 300 s window into the past).";
    let early = receiver(vec![k.mac.clone()], SEAL_TIME_S - FUTURE_SKEW_S - 1);
    g.push(n, d, m.whole(), early, "from-future");
    Ok(())
}

fn receiver_keys(g: &mut Gen<'_>) -> Result<(), VectorError> {
    let (k, auth) = (g.k, "authentication");
    let n = "negative-wrong-key-mac0";
    let m = g.from(n, Mode::Mac0, &k.mac)?;
    let d = "COSE_Mac0 whose kid maps, at the receiver, to a different HMAC key.";
    g.push(n, d, m.whole(), rx(&[&k.other_mac]), auth);
    let a128 = nth(&k.aead, 0, "A128GCM")?;
    let n = "negative-wrong-key-encrypt0";
    let m = g.from(n, Mode::Encrypt0, a128)?;
    let d = "COSE_Encrypt0 whose kid maps, at the receiver, to a different A128GCM key.";
    g.push(n, d, m.whole(), rx(&[&k.other_aead]), auth);
    let eddsa = nth(&k.sign, 0, "EdDSA")?;
    let n = "negative-wrong-key-sign1-eddsa";
    let m = g.from(n, Mode::Sign1, eddsa)?;
    let d = "COSE_Sign1 whose kid maps, at the receiver, to a different Ed25519 public key.";
    g.push(n, d, m.whole(), rx(&[&public_only(&k.other_eddsa)]), auth);

    let n = "negative-unknown-kid-mac0";
    let m = g.from(n, Mode::Mac0, &k.mac)?;
    let d = "COSE_Mac0 from a kid the receiver does not know.";
    g.push(n, d, m.whole(), rx(&[&k.compute_mac]), "unknown-key");
    let n = "negative-unknown-x5t-sign1-eddsa";
    let m = g.seal(n, Mode::Sign1, Some(eddsa), &[], Identity::X5t)?;
    let no_cert = KeyEntry {
        cert: None,
        ..public_only(eddsa)
    };
    let d = "COSE_Sign1 identified by x5t; the receiver has the key but not its certificate.";
    g.push(n, d, m.whole(), rx(&[&no_cert]), "unknown-key");
    let (oaep0, oaep1) = (nth(&k.oaep, 0, "RSA-OAEP")?, nth(&k.oaep, 1, "RSA-OAEP")?);
    let n = "negative-unknown-recipient-encrypt";
    let m = g.seal(n, Mode::Encrypt, None, &[oaep1], Identity::Kid)?;
    let d = "COSE_Encrypt to compute-2; the receiver holds only compute-1's private key.";
    g.push(n, d, m.whole(), rx(&[oaep0]), "unknown-key");
    Ok(())
}

/// Roles and the binding of a kid to one algorithm and key type.
fn binding(g: &mut Gen<'_>) -> Result<(), VectorError> {
    let k = g.k;
    let n = "negative-forbidden-role-mac0";
    let s = SealSpec {
        issuer: Some(super::generate::OTHER_NODE.as_bytes().to_vec()),
        ..g.spec(n, Mode::Mac0, Some(&k.compute_mac), &[])
    };
    let m = g.seal_spec(n, &s)?;
    let d = "A valid COSE_Mac0 from a compute node calling boot_vm; the policy allows compute \
             only report_state.";
    g.push(n, d, m.whole(), rx(&[&k.compute_mac]), "forbidden");

    let (a128, a256) = (nth(&k.aead, 0, "A128GCM")?, nth(&k.aead, 1, "A256GCM")?);
    let n = "negative-wrong-algorithm-encrypt0";
    let relabelled = KeyEntry {
        kid: a128.kid.clone(),
        ..a256.clone()
    };
    let m = g.from(n, Mode::Encrypt0, &relabelled)?;
    let d = "COSE_Encrypt0 with alg A256GCM under a kid the receiver registered for A128GCM.";
    g.push(n, d, m.whole(), rx(&[a128]), "wrong-algorithm");

    let (eddsa, es256) = (nth(&k.sign, 0, "EdDSA")?, nth(&k.sign, 1, "ES256")?);
    let n = "negative-wrong-algorithm-sign1";
    let relabelled = KeyEntry {
        kid: eddsa.kid.clone(),
        ..es256.clone()
    };
    let m = g.from(n, Mode::Sign1, &relabelled)?;
    let d = "COSE_Sign1 with alg ES256 under a kid the receiver registered for EdDSA.";
    g.push(
        n,
        d,
        m.whole(),
        rx(&[&public_only(eddsa)]),
        "wrong-algorithm",
    );

    let n = "negative-wrong-key-type-sign1";
    let relabelled = KeyEntry {
        kid: k.mac.kid.clone(),
        ..eddsa.clone()
    };
    let m = g.from(n, Mode::Sign1, &relabelled)?;
    let d = "COSE_Sign1 (EdDSA) whose kid names the receiver's HMAC key: a MAC key presented \
             as a signing key.";
    g.push(n, d, m.whole(), rx(&[&k.mac]), "wrong-key-type");

    let n = "negative-plain-refused";
    let m = g.from(n, Mode::Plain, &k.legacy)?;
    let d = "A plain message from a peer listed as legacy, to a receiver that does not accept \
             plain messages (the default).";
    g.push(n, d, m.whole(), rx(&[&k.legacy]), "plain-refused");
    Ok(())
}

/// Hand-built messages with a correct MAC over a header the profile forbids, and a
/// control: the same builder with nothing forbidden opens.
fn forbidden_headers(g: &mut Gen<'_>) -> Result<(), VectorError> {
    let k = g.k;
    let mac0 = |n: &str, fields: &[craft::Field], unprotected: &[u8], method: &str| {
        let m = craft::mac0(n, &k.mac, &craft::header(fields), unprotected, PAYLOAD)?;
        Ok::<_, VectorError>((m, method.to_string()))
    };
    let alg = Some(ALG_HMAC_256_256);
    let base = craft::fields(alg, &k.mac.kid, SEAL_TIME_S, METHOD);
    let (m, _) = mac0("negative-mac0-header-control", &base, &[0xa0], METHOD)?;
    let (rx_mac, kid) = (rx(&[&k.mac]), Some(k.mac.kid.as_slice()));
    g.control("hand-built COSE_Mac0", (m, METHOD), rx_mac, Mode::Mac0, kid)?;

    let n = "negative-alg-unprotected-mac0";
    // {1: 5}: alg (label 1) = HMAC 256/256 (5). ref: RFC 9052 §3.1, RFC 9053 §3.1
    let no_alg = craft::fields(None, &k.mac.kid, SEAL_TIME_S, METHOD);
    let (m, _) = mac0(n, &no_alg, &[0xa1, 0x01, 0x05], METHOD)?;
    let d = "Hand-built COSE_Mac0 with alg (HMAC 256/256) in the unprotected header and a \
             correct tag.";
    g.push(n, d, (m, METHOD), rx(&[&k.mac]), "not-protected");

    let n = "negative-critical-header-mac0";
    let mut crit = base.clone();
    // crit = [-65537]: the RPC method label marked critical. ref: RFC 9052 §3.1
    let crit_value = craft::item(|w| {
        w.head(crate::cose::cbor::MAJOR_ARRAY, 1)?;
        w.int(HDR_RPC_METHOD)
    });
    crit.insert(1, (HDR_CRIT, crit_value));
    let (m, _) = mac0(n, &crit, &[0xa0], METHOD)?;
    let d = "Hand-built COSE_Mac0 whose protected header has crit = [-65537] and a correct tag.";
    g.push(n, d, (m, METHOD), rx(&[&k.mac]), "critical-header");

    let n = "negative-unknown-header-mac0";
    let mut typ = base.clone();
    // typ (label 16, RFC 9596): a registered header the profile does not define.
    let at = typ.len() - 1;
    typ.insert(at, (16, craft::item(|w| w.tstr("application/cose"))));
    let (m, _) = mac0(n, &typ, &[0xa0], METHOD)?;
    let d = "Hand-built COSE_Mac0 whose protected header also carries typ (label 16, RFC 9596), \
             a header the profile does not define, in its deterministic place; correct tag.";
    g.push(n, d, (m, METHOD), rx(&[&k.mac]), "unknown-header");

    let n = "negative-header-order-mac0";
    let mut swapped = base.clone();
    swapped.swap(0, 1);
    let (m, _) = mac0(n, &swapped, &[0xa0], METHOD)?;
    let d = "Hand-built COSE_Mac0 whose protected header has kid (4) before alg (1): not the \
             deterministic order (RFC 8949 §4.2.1); correct tag.";
    g.push(n, d, (m, METHOD), rx(&[&k.mac]), "header-order");

    let n = "negative-missing-method-mac0";
    let no_method: Vec<craft::Field> = base
        .iter()
        .filter(|(l, _)| *l != HDR_RPC_METHOD)
        .cloned()
        .collect();
    let (m, _) = mac0(n, &no_method, &[0xa0], METHOD)?;
    let d = "Hand-built COSE_Mac0 whose protected header has no RPC method (-65537); \
             correct tag.";
    g.push(n, d, (m, METHOD), rx(&[&k.mac]), "missing");

    let n = "negative-long-method-mac0";
    let long = "m".repeat(crate::envelope::header::MAX_METHOD_LEN + 1);
    let fields = craft::fields(alg, &k.mac.kid, SEAL_TIME_S, &long);
    let (m, method) = mac0(n, &fields, &[0xa0], &long)?;
    let d = "Hand-built COSE_Mac0 with a 256-byte method name (the limit is 255 bytes, as \
             the sealer's); correct tag.";
    g.push(n, d, (m, &method), rx(&[&k.mac]), "bad-header");
    Ok(())
}
