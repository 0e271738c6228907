//! Negative vectors for the attacks of issue 9: messages an attacker captures and sends
//! where they were not meant to go (another node, back to their sender), messages
//! re-wrapped into another layer shape or re-encrypted to someone else, limits, and
//! recipients the profile forbids.
//!
//! Where the point is that a validly authenticated message must still be refused, the
//! message is sealed by the real [`Sealer`](crate::envelope::Sealer) or built by hand with
//! the real keys (`forge.rs`); a hand-built one also gets a control — the same builder
//! with the one difference under test undone — that must open.

use super::craft::{CRAFTED_CTI, first_recipient, parts};
use super::error::VectorError;
use super::forge;
use super::generate::{
    ISSUER, METHOD, NO_AUDIENCE_GOLDEN, NODE, NODE_ROLE, OTHER_NODE, PAYLOAD, SEAL_TIME_S, node,
    to_node, vector_seed,
};
use super::negative::{Gen, nth, rx};
use super::schema::{Receiver, SealSpec, Vector};
use crate::backend::AeadId;
use crate::cose::cbor::Writer;
use crate::cose::iana;
use crate::envelope::audience::{Audience, kid_name};
use crate::envelope::fixtures::public_only;
use crate::envelope::header::{Protected, SenderId};
use crate::envelope::keys::KeyEntry;
use crate::envelope::seal::recipient_binding;
use crate::envelope::{Identity, Mode};

/// The node `kid` at the sealing time holding `keys`.
fn rx_at(kid: &str, keys: &[&KeyEntry]) -> Receiver {
    let mut r = rx(keys);
    r.store.node = Some(node(kid));
    r
}

/// A protected header from [`ISSUER`] to `compute-1` at the sealing time with
/// [`CRAFTED_CTI`], encoded by the envelope's own encoder.
fn protected(
    name: &str,
    alg: i64,
    sender: Option<SenderId<'_>>,
    nested: bool,
) -> Result<Vec<u8>, VectorError> {
    let err = |e| VectorError::generate(name, e);
    let aud = to_node().encode().map_err(err)?;
    let iss = kid_name(ISSUER.as_bytes());
    let p = Protected {
        alg: Some(alg),
        sender,
        iat: SEAL_TIME_S,
        cti: &CRAFTED_CTI,
        method: METHOD,
        nested,
        iss: Some(iss.as_bytes()),
        aud: Some(&aud),
    };
    let mut buf = vec![0u8; 1024];
    let mut w = Writer::new(&mut buf);
    p.encode(&mut w)
        .map_err(|_| VectorError::generate(name, "protected header too long"))?;
    let n = w.len();
    buf.truncate(n);
    Ok(buf)
}

/// Where a COSE_Encrypt's recipients array starts.
fn recipients_at(name: &str, msg: &[u8]) -> Result<usize, VectorError> {
    parts(name, msg)?
        .recipients_at
        .ok_or_else(|| VectorError::generate(name, "not a COSE_Encrypt"))
}

/// Messages that authenticate but are addressed elsewhere, or nowhere.
pub(super) fn audience(g: &mut Gen<'_>, golden: &[Vector]) -> Result<(), VectorError> {
    let k = g.k;
    let other = Audience::Kids(vec![OTHER_NODE.as_bytes().to_vec()]);
    let n = "negative-wrong-audience-other-node-mac0";
    let s = SealSpec {
        audience: Some(other.clone()),
        ..g.spec(n, Mode::Mac0, Some(&k.mac), &[])
    };
    let m = g.seal_spec(n, &s)?;
    let d = "A valid COSE_Mac0 (region key, which every node holds) addressed to compute-2, \
             captured on the bus and replayed to compute-1: cross-node replay.";
    g.push(n, d, m.whole(), rx(&[&k.mac]), "wrong-audience");

    let eddsa = nth(&k.sign, 0, "EdDSA")?;
    let n = "negative-wrong-audience-other-node-sign1-eddsa";
    let s = SealSpec {
        audience: Some(other),
        ..g.spec(n, Mode::Sign1, Some(eddsa), &[])
    };
    let m = g.seal_spec(n, &s)?;
    let d = "A valid COSE_Sign1 (EdDSA) from the scheduler addressed to compute-2, replayed \
             to compute-1, which trusts the scheduler too: cross-node replay.";
    g.push(
        n,
        d,
        m.whole(),
        rx(&[&public_only(eddsa)]),
        "wrong-audience",
    );

    let n = "negative-wrong-audience-other-role-mac0";
    let s = SealSpec {
        audience: Some(Audience::Role("scheduler".into())),
        ..g.spec(n, Mode::Mac0, Some(&k.mac), &[])
    };
    let m = g.seal_spec(n, &s)?;
    let d = "A valid COSE_Mac0 broadcast to role:scheduler, received by compute-1 (role \
             compute).";
    g.push(n, d, m.whole(), rx(&[&k.mac]), "wrong-audience");

    let n = "negative-no-audience-mac0";
    let base = golden
        .iter()
        .find(|v| v.name == NO_AUDIENCE_GOLDEN)
        .ok_or_else(|| VectorError::generate(n, "its golden twin is missing"))?;
    let d = "The message of golden-mac0-hmac256-no-audience-accepted (a valid COSE_Mac0 that \
             names no audience), at a receiver with the default options: refused.";
    let mut refusing = base.receiver.clone();
    refusing.options.accept_no_audience = false;
    let m = (base.message.clone(), base.method.as_str());
    g.push(n, d, m, refusing, "wrong-audience");
    Ok(())
}

/// Messages from the receiver itself, sent back to it (reflection).
pub(super) fn direction(g: &mut Gen<'_>) -> Result<(), VectorError> {
    let k = g.k;
    let role = Some(Audience::Role(NODE_ROLE.to_string()));
    let me = Some(NODE.as_bytes().to_vec());
    let a128 = nth(&k.aead, 0, "A128GCM")?;
    for (mode, key, what) in [
        (Mode::Mac0, &k.pair_mac, "COSE_Mac0 under pair-c1"),
        (
            Mode::Encrypt0,
            a128,
            "COSE_Encrypt0 (A128GCM) under guest-a128gcm",
        ),
    ] {
        let n = format!("negative-reflected-iss-{}", mode.label());
        let s = SealSpec {
            audience: role.clone(),
            issuer: me.clone(),
            ..g.spec(&n, mode, Some(key), &[])
        };
        let m = g.seal_spec(&n, &s)?;
        let d = format!(
            "A valid {what}, the key compute-1 shares with the scheduler alone, sealed by \
             compute-1 itself (iss kid:compute-1) to role:compute and reflected back to it."
        );
        g.push(&n, &d, m.whole(), rx(&[key]), "reflected");
    }

    let n = "negative-reflected-own-key-sign1-eddsa";
    let s = SealSpec {
        audience: role,
        issuer: None,
        ..g.spec(n, Mode::Sign1, Some(&k.own_sign), &[])
    };
    let m = g.seal_spec(n, &s)?;
    let d = "A valid COSE_Sign1 signed with compute-1's own key (compute-1-sign, whose private \
             half the receiver holds), naming no issuer, to role:compute, reflected back to \
             compute-1.";
    g.push(n, d, m.whole(), rx(&[&k.own_sign]), "reflected");
    Ok(())
}

/// Layer confusion and forwarding: authenticated content in the wrong wrapper.
pub(super) fn layers(g: &mut Gen<'_>) -> Result<(), VectorError> {
    let k = g.k;
    let (a128, eddsa) = (nth(&k.aead, 0, "A128GCM")?, nth(&k.sign, 0, "EdDSA")?);
    let alg = iana::aead_alg(AeadId::Aes128Gcm);
    let (x25519, other_x25519) = (nth(&k.ecdh, 0, "X25519")?, &k.other_x25519);
    let key = |e: &KeyEntry| match &e.material {
        crate::envelope::keys::KeyMaterial::Symmetric(s) => Ok(s.clone()),
        _ => Err(VectorError::generate("layers", "symmetric key expected")),
    };

    let n = "negative-layer-confusion-encrypt0-sign1";
    let captured = g.from(n, Mode::Sign1, eddsa)?.message;
    let iv = forge::iv_for(vector_seed(g.seed, n));
    let sender = Some(SenderId::Kid(&a128.kid));
    let nested = protected(n, alg, sender, true)?;
    let m = forge::encrypt(n, &nested, &key(a128)?, &iv, &captured, None)?;
    let flat = protected(n, alg, sender, false)?;
    let control = forge::encrypt(n, &flat, &key(a128)?, &iv, PAYLOAD, None)?;
    let both = [a128, &public_only(eddsa)];
    let kid = Some(a128.kid.as_slice());
    g.control(n, (control, METHOD), rx(&both), Mode::Encrypt0, kid)?;
    let d = "A captured COSE_Sign1 (EdDSA, from the scheduler to compute-1) wrapped in a \
             COSE_Encrypt0 under a key compute-1 trusts, with content type 18: correctly \
             encrypted, but a nested COSE_Sign1 belongs only in sign-encrypt's COSE_Encrypt.";
    g.push(n, d, (m, METHOD), rx(&both), "wrong-structure");

    let n = "negative-sign-encrypt-outer-kid";
    let inner_prot = protected(
        n,
        eddsa.alg.cose_alg(),
        Some(SenderId::Kid(&eddsa.kid)),
        false,
    )?;
    let binding = recipient_binding([x25519.kid.as_slice()].into_iter())
        .map_err(|e| VectorError::generate(n, e))?;
    let inner = forge::sign1(n, eddsa, &inner_prot, &binding, PAYLOAD)?;
    let iv = forge::iv_for(vector_seed(g.seed, n));
    let hybrid = |outer: &[u8]| {
        let (rec, cek) = forge::ecdh_recipient(n, x25519, AeadId::Aes128Gcm)?;
        let recipients = forge::recipients(n, &[&rec])?;
        forge::encrypt(n, outer, &cek, &iv, &inner, Some(&recipients))
    };
    let with_kid = protected(n, alg, Some(SenderId::Kid(&eddsa.kid)), true)?;
    let m = hybrid(&with_kid)?;
    let without = protected(n, alg, None, true)?;
    let both = [&public_only(eddsa), x25519];
    let kid = Some(eddsa.kid.as_slice());
    g.control(
        n,
        (hybrid(&without)?, METHOD),
        rx(&both),
        Mode::SignEncrypt,
        kid,
    )?;
    let d = "Sign-encrypt (EdDSA inside ECDH-ES X25519, A128GCM) whose outer COSE_Encrypt \
             header also names the signer's kid: correctly signed and encrypted, but the \
             sign-encrypt outer layer carries no sender identity.";
    g.push(n, d, (m, METHOD), rx(&both), "wrong-structure");

    let n = "negative-forwarded-sign-encrypt";
    let s = SealSpec {
        audience: Some(Audience::Role(NODE_ROLE.to_string())),
        ..g.spec(n, Mode::SignEncrypt, Some(eddsa), &[x25519])
    };
    let honest = g.seal_spec(n, &s)?.message;
    let (outer, inner) = forge::decrypt_ecdh(n, &honest, x25519)?;
    let iv = forge::iv_for(vector_seed(g.seed, n));
    let reencrypt = |to: &KeyEntry| {
        let (rec, cek) = forge::ecdh_recipient(n, to, AeadId::Aes128Gcm)?;
        let recipients = forge::recipients(n, &[&rec])?;
        forge::encrypt(n, &outer, &cek, &iv, &inner, Some(&recipients))
    };
    let kid = Some(eddsa.kid.as_slice());
    let back = reencrypt(x25519)?;
    let at_c1 = rx(&[&public_only(eddsa), x25519]);
    g.control(n, (back, METHOD), at_c1, Mode::SignEncrypt, kid)?;
    let m = reencrypt(other_x25519)?;
    let d = "Sign-encrypt from the scheduler to compute-1 (audience role:compute), decrypted \
             by compute-1 and its inner COSE_Sign1 re-encrypted, unchanged, to compute-2 \
             (surreptitious forwarding): the signature is bound to the recipient kids.";
    let at_c2 = rx_at(OTHER_NODE, &[&public_only(eddsa), other_x25519]);
    g.push(n, d, (m, METHOD), at_c2, "authentication");
    Ok(())
}

/// Size limits.
pub(super) fn limits(g: &mut Gen<'_>) -> Result<(), VectorError> {
    let k = g.k;
    let n = "negative-too-large-mac0";
    let m = g.from(n, Mode::Mac0, &k.mac)?;
    let mut small = rx(&[&k.mac]);
    small.options.max_size = m.message.len() - 1;
    let d = "A valid COSE_Mac0 one byte larger than the receiver's max_size.";
    g.push(n, d, m.whole(), small, "too-large");
    Ok(())
}

/// ECDH-ES recipients the profile refuses.
pub(super) fn recipients(g: &mut Gen<'_>) -> Result<(), VectorError> {
    let k = g.k;
    let (x25519, p256) = (nth(&k.ecdh, 0, "X25519")?, nth(&k.ecdh, 1, "P-256")?);

    let n = "negative-off-curve-p256-ephemeral";
    let m = g.seal(n, Mode::Encrypt, None, &[p256], Identity::Kid)?;
    let at = recipients_at(n, &m.message)?;
    let (_, x) = first_recipient(n, &m.message, at)?;
    let x = x.ok_or_else(|| VectorError::generate(n, "no ephemeral key"))?;
    // After x: -3 (0x22), a 32-byte bstr head (0x58 0x20), then y.
    if m.message.get(x.end..x.end + 3) != Some(&[0x22, 0x58, 0x20][..]) {
        return Err(VectorError::generate(n, "y does not follow x"));
    }
    let y_last = x.end + 3 + 31;
    let d = "COSE_Encrypt (ECDH-ES P-256) whose ephemeral public key has the lowest bit of y \
             flipped: (x, y^1) is not on the curve.";
    g.push(n, d, m.flipped(n, y_last)?, rx(&[p256]), "authentication");

    let n = "negative-ecdh-es-two-recipients";
    let m = g.seal(n, Mode::Encrypt, None, &[x25519], Identity::Kid)?;
    let at = recipients_at(n, &m.message)?;
    if m.message.get(at) != Some(&0x81) {
        return Err(VectorError::generate(n, "expected one recipient"));
    }
    let (other, _) = forge::ecdh_recipient(n, &k.other_x25519, AeadId::Aes128Gcm)?;
    let (head, array) = m.message.split_at(at);
    let mine = array
        .get(1..)
        .ok_or_else(|| VectorError::generate(n, "no recipient"))?;
    let two = [head, &forge::recipients(n, &[&other, mine])?].concat();
    let d = "Anonymous COSE_Encrypt (ECDH-ES X25519 direct) with a second ECDH-ES recipient \
             (compute-2) added before compute-1's: direct key agreement allows exactly one \
             recipient (RFC 9052 §8.5.4).";
    g.push(n, d, (two, m.method), rx(&[x25519]), "wrong-structure");

    let n = "negative-x25519-ephemeral-top-bit";
    let m = g.seal(n, Mode::Encrypt, None, &[x25519], Identity::Kid)?;
    let at = recipients_at(n, &m.message)?;
    let (_, x) = first_recipient(n, &m.message, at)?;
    let last = x
        .ok_or_else(|| VectorError::generate(n, "no ephemeral key"))?
        .end
        - 1;
    let mut wire = m.message.clone();
    match wire.get_mut(last) {
        Some(b) if *b & 0x80 == 0 => *b |= 0x80,
        _ => return Err(VectorError::generate(n, "top bit already set")),
    }
    let d = "COSE_Encrypt (ECDH-ES X25519) whose ephemeral public key has bit 255 set. \
             RFC 7748 §5 masks it (the same key); the profile requires it clear.";
    g.push(n, d, (wire, m.method), rx(&[x25519]), "bad-header");
    Ok(())
}
