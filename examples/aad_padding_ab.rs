//! Same-run A/B: does the block padding of the Enc_structure's `external_aad` make the
//! 64-byte Encrypt0 open faster on the fastest backend (aws-lc)?
//!
//! ```sh
//! cargo run --release --example aad_padding_ab [-- ROUNDS [POOL [RECEIVER_KID]]]
//! ```
//!
//! Three arms open 64-byte A128GCM Encrypt0 messages through the real `Sealer`/`Opener`
//! path (header parsing, key lookup, Enc_structure, AEAD, freshness, policy, replay):
//!
//! * `padded`: the AEAD sees the Enc_structure with `external_aad` = the zero bytes that
//!   make it a multiple of 16 bytes;
//! * `unpadded`: the AEAD sees the Enc_structure with `external_aad` = h'' (RFC 9052 as
//!   written, no profile padding);
//! * `direct`: the plain aws-lc backend, whatever the library does today (no wrapper), to
//!   show what the wrapper itself costs.
//!
//! `padded` and `unpadded` run on an aws-lc backend whose AES-128-GCM key is wrapped: the
//! wrapper re-forms the associated data the envelope hands it into the arm's form (a
//! parse of the array/tstr/bstr heads and one copy into a stack buffer, the same work in
//! both arms) and calls aws-lc with it. Each arm seals its own pool of messages with the
//! same wrapper, so every message authenticates under its arm's form. So the two arms
//! differ only in the associated data aws-lc absorbs; whatever the library itself
//! currently passes does not matter.
//!
//! Rounds are interleaved (the arm order alternates every round) in one process; each
//! round times one pass over the pool with a fresh `Opener` per arm (replay state is per
//! opener; the opener's key is warmed by one untimed open on its own stream first).
//! Prints per-arm medians and quartiles of ns per open, the median of the per-round
//! paired ratios, and the saving of the padding as a share of the unpadded open.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use sealbench::backend::aws_lc::AWS_LC;
use sealbench::backend::{Aead, AeadId, AeadKey, AeadParams, Backend, Error, Unsupported};
use sealbench::envelope::audience::Audience;
use sealbench::envelope::fixtures::public_only;
use sealbench::envelope::keys::NodeId;
use sealbench::envelope::{
    KeyAlg, KeyEntry, MessageBuf, Mode, OpenOptions, Opener, Policy, SealConfig, Sealer,
    SystemClock, TrustStore,
};
use sealbench::measure::keys::{METHOD, SENDER_ROLE, key};

/// The form of `external_aad` inside the Enc_structure an arm authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// Zero bytes up to the next multiple of 16 of the whole Enc_structure.
    Padded,
    /// The empty byte string.
    Unpadded,
}

/// aws-lc's AES-128-GCM with the associated data re-formed to `form`.
struct FormAead {
    form: Form,
}

static PADDED_A128: FormAead = FormAead { form: Form::Padded };
static UNPADDED_A128: FormAead = FormAead {
    form: Form::Unpadded,
};

fn padded_aead(id: AeadId) -> Result<&'static dyn Aead, Unsupported> {
    match id {
        AeadId::Aes128Gcm => Ok(&PADDED_A128),
        _ => Err(Unsupported("A/B wrapper: AES-128-GCM only")),
    }
}

fn unpadded_aead(id: AeadId) -> Result<&'static dyn Aead, Unsupported> {
    match id {
        AeadId::Aes128Gcm => Ok(&UNPADDED_A128),
        _ => Err(Unsupported("A/B wrapper: AES-128-GCM only")),
    }
}

static PADDED: Backend = Backend {
    name: "aws-lc/padded-aad",
    aead: padded_aead,
    ..AWS_LC
};
static UNPADDED: Backend = Backend {
    name: "aws-lc/unpadded-aad",
    aead: unpadded_aead,
    ..AWS_LC
};
static DIRECT: Backend = AWS_LC;

impl Aead for FormAead {
    fn id(&self) -> AeadId {
        AeadId::Aes128Gcm
    }
    fn check_params(&self, params: AeadParams) -> Result<(), Unsupported> {
        (AWS_LC.aead)(AeadId::Aes128Gcm)?.check_params(params)
    }
    fn new_key(&self, key: &[u8], params: AeadParams) -> Result<Box<dyn AeadKey>, Error> {
        let inner = (AWS_LC.aead)(AeadId::Aes128Gcm)?.new_key(key, params)?;
        Ok(Box::new(FormKey {
            form: self.form,
            inner,
        }))
    }
}

struct FormKey {
    form: Form,
    inner: Box<dyn AeadKey>,
}

impl AeadKey for FormKey {
    fn params(&self) -> AeadParams {
        self.inner.params()
    }
    fn seal_in_place(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8]) -> Result<(), Error> {
        let mut buf = [0u8; 256];
        let n = reform(self.form, aad, &mut buf)?;
        self.inner.seal_in_place(nonce, &buf[..n], in_out)
    }
    fn open_in_place(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8]) -> Result<usize, Error> {
        let mut buf = [0u8; 256];
        let n = reform(self.form, aad, &mut buf)?;
        self.inner.open_in_place(nonce, &buf[..n], in_out)
    }
}

/// Copies the Enc_structure `aad` (`[tstr, bstr protected, bstr external_aad]`) into `out`
/// with its `external_aad` replaced by the `form`'s; returns the length written.
fn reform(form: Form, aad: &[u8], out: &mut [u8; 256]) -> Result<usize, Error> {
    let bad = Error::BadLength("A/B wrapper: not an Enc_structure");
    if aad.first() != Some(&0x83) {
        return Err(bad);
    }
    let ctx_len = match aad.get(1) {
        Some(&b) if (0x60..0x78).contains(&b) => usize::from(b - 0x60),
        _ => return Err(bad),
    };
    let at = 2 + ctx_len;
    let (head, len) = match aad.get(at) {
        Some(&b) if (0x40..0x58).contains(&b) => (1, usize::from(b - 0x40)),
        Some(0x58) => (2, usize::from(*aad.get(at + 1).ok_or(bad.clone())?)),
        _ => return Err(bad),
    };
    let end = at + head + len;
    if end >= out.len() || end > aad.len() {
        return Err(bad);
    }
    out[..end].copy_from_slice(&aad[..end]);
    let pad = match form {
        Form::Unpadded => 0,
        Form::Padded => (16 - (end + 1) % 16) % 16,
    };
    out[end] = 0x40 + pad as u8;
    // `out` is zeroed and the padding is zeros: nothing more to write.
    Ok(end + 1 + pad)
}

/// One arm: its backend and a pool of distinct messages sealed on it.
struct Arm {
    name: &'static str,
    backend: &'static Backend,
    pool: Vec<Vec<u8>>,
    warm: Sealer,
    warm_msg: MessageBuf,
    samples: Vec<f64>,
}

const PAYLOAD: usize = 64;
/// The receiving node, as in the measurement matrix (`measure::routine::envelope`): every
/// message names it in `aud` and its sender in `iss`.
/// The receiver kid's length moves the Enc_structure's length modulo 16: with the
/// matrix's `receiver-1` it is a multiple of 16 already (no padding, nothing to measure),
/// so the default is `receiver-12` (one byte longer); try several.
const DEFAULT_RECEIVER_KID: &str = "receiver-12";
const SENDER_NODE: &[u8] = b"sender-1";

fn addressed(sealer: Sealer, receiver: &[u8]) -> Sealer {
    sealer
        .with_issuer(SENDER_NODE)
        .unwrap()
        .with_audience(&Audience::Kids(vec![receiver.to_vec()]))
        .unwrap()
}

fn arm(
    name: &'static str,
    backend: &'static Backend,
    sender: &KeyEntry,
    receiver: &[u8],
    pool: usize,
) -> Arm {
    let config = SealConfig {
        mode: Mode::Encrypt0,
        sender: Some(sender),
        identity: sealbench::envelope::Identity::Kid,
        recipients: &[],
        content: AeadId::Aes128Gcm,
        cek_reuse: 1,
    };
    let mut sealer = addressed(
        Sealer::new(backend, &config, Arc::new(SystemClock), None).unwrap(),
        receiver,
    );
    let mut msg = MessageBuf::new();
    let mut messages = Vec::with_capacity(pool);
    for _ in 0..pool {
        sealer.payload_buf(&mut msg, PAYLOAD).fill(0x5a);
        sealer.seal(METHOD, &mut msg).unwrap();
        messages.push(msg.wire().to_vec());
    }
    Arm {
        name,
        backend,
        pool: messages,
        warm: addressed(
            Sealer::new(backend, &config, Arc::new(SystemClock), None).unwrap(),
            receiver,
        ),
        warm_msg: MessageBuf::new(),
        samples: Vec::new(),
    }
}

/// Times one pass over the arm's pool with a fresh opener; returns ns per open.
fn pass(arm: &mut Arm, store: &TrustStore, options: &OpenOptions, work: &mut [u8]) -> f64 {
    let mut opener =
        Opener::new(arm.backend, store, options.clone(), Arc::new(SystemClock)).unwrap();
    arm.warm.payload_buf(&mut arm.warm_msg, PAYLOAD).fill(0x5a);
    arm.warm.seal(METHOD, &mut arm.warm_msg).unwrap();
    opener.open(arm.warm_msg.wire_mut()).unwrap();
    let t0 = Instant::now();
    for wire in &arm.pool {
        let buf = &mut work[..wire.len()];
        buf.copy_from_slice(wire);
        let opened = opener
            .open(buf)
            .unwrap_or_else(|e| panic!("{}: {e}", arm.name));
        black_box(opened.payload.len());
    }
    t0.elapsed().as_nanos() as f64 / arm.pool.len() as f64
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i]
}

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rounds: usize = args.next().map_or(2000, |a| a.parse().expect("ROUNDS"));
    let pool: usize = args.next().map_or(256, |a| a.parse().expect("POOL"));
    let receiver = args
        .next()
        .unwrap_or_else(|| DEFAULT_RECEIVER_KID.to_string())
        .into_bytes();

    let sender = key(KeyAlg::Aead(AeadId::Aes128Gcm)).unwrap();
    let store = TrustStore {
        entries: vec![public_only(&sender)],
        policy: Policy::default().allow(SENDER_ROLE, &["*"]),
        node: Some(NodeId {
            kid: receiver.clone(),
            role: "receiver".to_string(),
        }),
    };
    let options = OpenOptions::default();

    let mut arms = [
        arm("padded", &PADDED, &sender, &receiver, pool),
        arm("unpadded", &UNPADDED, &sender, &receiver, pool),
        arm("direct", &DIRECT, &sender, &receiver, pool),
    ];
    let wire_len = arms[0].pool[0].len();
    let mut work = vec![0u8; wire_len + 64];
    // The Enc_structure's padding for this header (0: the arms authenticate the same bytes).
    let pad = {
        let mut probe = [0u8; 256];
        let mut aad = [0u8; 256];
        let prot_len = wire_len - PAYLOAD - 16 - 2 - 15 - 2 - 1 - 1;
        aad[0] = 0x83;
        aad[1] = 0x68;
        aad[10] = 0x58;
        aad[11] = prot_len as u8;
        reform(Form::Padded, &aad[..12 + prot_len + 1], &mut probe).unwrap() - (12 + prot_len + 1)
    };
    println!(
        "receiver kid {:?}: Enc_structure padding {pad} bytes",
        String::from_utf8_lossy(&receiver)
    );
    if pad > 0 {
        // Each arm's messages must fail under the other form (the arms really differ).
        let mut cross =
            Opener::new(&UNPADDED, &store, options.clone(), Arc::new(SystemClock)).unwrap();
        let buf = &mut work[..wire_len];
        buf.copy_from_slice(&arms[0].pool[0]);
        assert!(
            cross.open(buf).is_err(),
            "a padded-form message opened under the unpadded form"
        );
    }
    // Warm-up: a few untimed passes per arm.
    for _ in 0..20 {
        for a in arms.iter_mut() {
            pass(a, &store, &options, &mut work);
        }
    }
    let mut paired = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let order: [usize; 3] = match round % 6 {
            0 => [0, 1, 2],
            1 => [2, 1, 0],
            2 => [1, 2, 0],
            3 => [0, 2, 1],
            4 => [2, 0, 1],
            _ => [1, 0, 2],
        };
        let mut ns = [0.0f64; 3];
        for i in order {
            ns[i] = pass(&mut arms[i], &store, &options, &mut work);
            arms[i].samples.push(ns[i]);
        }
        paired.push(ns[0] / ns[1]);
    }

    println!(
        "64-byte A128GCM Encrypt0 open on aws-lc, {wire_len}-byte messages, \
         {rounds} interleaved rounds x {pool} opens per arm"
    );
    println!(
        "{:>9}  {:>8}  {:>8}  {:>8}",
        "arm", "p25 ns", "median", "p75 ns"
    );
    let mut medians = [0.0f64; 3];
    for (i, a) in arms.iter().enumerate() {
        let s = sorted(&a.samples);
        medians[i] = quantile(&s, 0.5);
        println!(
            "{:>9}  {:>8.1}  {:>8.1}  {:>8.1}",
            a.name,
            quantile(&s, 0.25),
            medians[i],
            quantile(&s, 0.75)
        );
    }
    let p = sorted(&paired);
    println!(
        "padded/unpadded: ratio of medians {:.4}; median paired ratio {:.4} (p25 {:.4}, p75 {:.4})",
        medians[0] / medians[1],
        quantile(&p, 0.5),
        quantile(&p, 0.25),
        quantile(&p, 0.75)
    );
    println!(
        "saving of the padding: {:.1} ns = {:.2}% of the unpadded open (keep it only if >= 5%)",
        medians[1] - medians[0],
        (1.0 - quantile(&p, 0.5)) * 100.0
    );
}
