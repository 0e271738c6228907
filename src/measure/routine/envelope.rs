//! Envelope seal and open for every mode, and the plain framing.
//!
//! Seal uses the zero-copy API: the payload is placed once with `payload_buf`, and each
//! iteration reserves it again and seals it where it lies.
//!
//! Open and replay: an [`Opener`] accepts each `cti` once, so reopening a message it has
//! seen fails as `Replayed`, and no window setting changes that (the replay window is a
//! count of messages per stream, not a time). So the routine seals a pool of distinct
//! messages (one sealer, consecutive counters) and opens each message at most once per
//! `Opener`: a pass over the pool is timed with one opener, and a fresh opener (untimed) is
//! built before the next pass. Each timed open therefore pays the real per-message replay
//! check of a known stream (the first message of a pass creates the stream). The pool grows
//! lazily to at most [`pool_len`] messages, so slow modes only seal what they open.
//!
//! A fresh opener's keys are cold: OpenSSL and AWS-LC set up RSA blinding and Montgomery
//! contexts on a key's first private operation (about 60 µs, a quarter of an RSA-2048
//! decryption), which a long-lived receiver pays once. So before each timed pass the new
//! opener opens, untimed, one message from a second sealer (its own replay stream, so the
//! pool's counters are unaffected).

use std::hint::black_box;
use std::sync::Arc;

use super::{Built, Pool, WorkBuf, pool_len};
use crate::backend::{ALL_BACKENDS, Backend};
use crate::envelope::fixtures::public_only;
use crate::envelope::keys::ANONYMOUS_ROLE;
use crate::envelope::{
    Identity, KeyAlg, KeyEntry, MessageBuf, Mode, OpenOptions, Opener, Policy, SealConfig, Sealer,
    SystemClock, TrustStore, audience::Audience, keys::NodeId,
};
use crate::measure::error::MeasureError;
use crate::measure::keys::{METHOD, SENDER_ROLE, key, oaep_recipients};
use crate::measure::runner::Routine;
use crate::measure::scenario::{EnvelopeSpec, Op, Recipients, Scenario};
use crate::measure::timer::{Elapsed, Timer};

/// Keys of both ends of one envelope configuration.
struct Ends {
    sender: Option<KeyEntry>,
    recipients: Vec<KeyEntry>,
    store: TrustStore,
    options: OpenOptions,
}

fn ends(e: &EnvelopeSpec) -> Result<Ends, MeasureError> {
    let missing = MeasureError::Scenario("envelope spec lacks an algorithm for its mode");
    let sender = match e.mode {
        Mode::Plain => Some(KeyEntry {
            kid: b"snd-plan".to_vec(),
            legacy: true,
            ..key(KeyAlg::Hmac256)?
        }),
        Mode::Mac0 => Some(key(KeyAlg::Hmac256)?),
        Mode::Encrypt0 => Some(key(KeyAlg::Aead(e.aead.ok_or(missing.clone())?))?),
        Mode::Sign1 | Mode::SignEncrypt => {
            Some(key(KeyAlg::Sign(e.signature.ok_or(missing.clone())?))?)
        }
        Mode::Encrypt => None,
    };
    let recipients = match e.recipients {
        None => Vec::new(),
        Some(Recipients::Oaep(n)) => oaep_recipients(n)?,
        Some(Recipients::EcdhEs(id)) => vec![key(KeyAlg::EcdhEs(id))?],
    };
    let mut entries = Vec::new();
    if let Some(s) = &sender {
        entries.push(public_only(s));
    }
    // The receiver is the last recipient: it looks up every kid before its own.
    if let Some(me) = recipients.last() {
        entries.push(me.clone());
    }
    if e.mode.hybrid() && recipients.is_empty() {
        return Err(missing);
    }
    let store = TrustStore {
        entries,
        policy: Policy::default()
            .allow(SENDER_ROLE, &["*"])
            .allow(ANONYMOUS_ROLE, &["*"]),
        node: Some(NodeId {
            kid: RECEIVER_KID.to_vec(),
            role: RECEIVER_ROLE.to_string(),
        }),
    };
    let options = OpenOptions {
        accept_plain_from_legacy: e.mode == Mode::Plain,
        ..OpenOptions::default()
    };
    Ok(Ends {
        sender,
        recipients,
        store,
        options,
    })
}

/// The receiving node's kid and role: every measured message is addressed to it (CWT
/// `aud`) and names its sender (`iss`), so opens pay for the audience and direction checks.
const RECEIVER_KID: &[u8] = b"receiver-1";
const RECEIVER_ROLE: &str = "receiver";
const SENDER_NODE: &[u8] = b"sender-1";

/// A sealer whose messages name the receiver (hybrid modes already address their recipients).
fn addressed(sealer: Sealer, mode: Mode) -> Result<Sealer, MeasureError> {
    let sealer = sealer.with_issuer(SENDER_NODE)?;
    Ok(if mode.hybrid() {
        sealer
    } else {
        sealer.with_audience(&Audience::Kids(vec![RECEIVER_KID.to_vec()]))?
    })
}

fn backend_of(s: &Scenario) -> Result<&'static Backend, MeasureError> {
    // Plain framing does no cryptography; any backend satisfies the sealer's signature.
    s.backend
        .or_else(|| ALL_BACKENDS.first().copied())
        .ok_or(MeasureError::Scenario("no backend compiled in"))
}

pub(super) fn build(s: &Scenario) -> Result<Built, MeasureError> {
    let e = s
        .envelope()
        .ok_or(MeasureError::Scenario("not an envelope scenario"))?;
    let backend = backend_of(s)?;
    let ends = ends(e)?;
    let recipients: Vec<&KeyEntry> = ends.recipients.iter().collect();
    let reuse = e.cek_reuse.unwrap_or(1);
    let config = SealConfig {
        mode: e.mode,
        sender: ends.sender.as_ref(),
        identity: e.identity.unwrap_or(Identity::Kid),
        recipients: &recipients,
        content: e.aead.unwrap_or(crate::backend::AeadId::Aes128Gcm),
        cek_reuse: reuse,
    };
    let mut sealer = addressed(
        Sealer::new(backend, &config, Arc::new(SystemClock), None)?,
        e.mode,
    )?;
    let mut msg = MessageBuf::new();
    sealer.payload_buf(&mut msg, s.size).fill(0x5a);
    sealer.seal(METHOD, &mut msg)?;
    let overhead = msg.wire().len().checked_sub(s.size).map(|n| n as u64);
    let routine: Box<dyn Routine> = match s.op {
        Op::Seal => Box::new(Seal {
            sealer,
            msg,
            size: s.size,
            reuse,
        }),
        Op::Open => {
            // Check once, untimed, that the pair works (and fail with the backend's reason).
            let mut opener = Opener::new(
                backend,
                &ends.store,
                ends.options.clone(),
                Arc::new(SystemClock),
            )?;
            opener.open(msg.wire_mut())?;
            let cap = pool_len(msg.wire().len());
            // Room for a message a few bytes longer than this one (an `iat` whose encoding
            // grows): the pool refuses, rather than truncates, one that does not fit.
            let room = msg.wire().len() + 16;
            let warm = addressed(
                Sealer::new(backend, &config, Arc::new(SystemClock), None)?,
                e.mode,
            )?;
            Box::new(Open {
                backend,
                store: ends.store,
                options: ends.options,
                sealer,
                warm,
                warm_msg: MessageBuf::new(),
                msg,
                size: s.size,
                pool: Pool::new(room, cap),
                work: WorkBuf::new(room),
            })
        }
        _ => return Err(MeasureError::Scenario("envelopes are sealed or opened")),
    };
    Ok(Built {
        routine,
        overhead_bytes: overhead,
    })
}

struct Seal {
    sealer: Sealer,
    msg: MessageBuf,
    size: usize,
    reuse: u32,
}

impl Routine for Seal {
    fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
        let Self {
            sealer, msg, size, ..
        } = self;
        super::timed(timer, iters, || {
            sealer.payload_buf(msg, *size);
            sealer.seal(METHOD, msg)?;
            black_box(msg.wire());
            Ok(())
        })
    }

    fn granularity(&self) -> u64 {
        u64::from(self.reuse.max(1))
    }
}

struct Open {
    backend: &'static Backend,
    store: TrustStore,
    options: OpenOptions,
    sealer: Sealer,
    /// Seals the message that warms each fresh opener's keys (its own replay stream).
    warm: Sealer,
    warm_msg: MessageBuf,
    msg: MessageBuf,
    size: usize,
    pool: Pool,
    work: WorkBuf,
}

impl Open {
    /// Seals messages (untimed) until the pool holds `want` of them, or is full.
    fn fill(&mut self, want: u64) -> Result<(), MeasureError> {
        let want = usize::try_from(want).unwrap_or(usize::MAX);
        while self.pool.len() < want && !self.pool.is_full() {
            self.sealer.payload_buf(&mut self.msg, self.size);
            self.sealer.seal(METHOD, &mut self.msg)?;
            self.pool.push(self.msg.wire())?;
        }
        Ok(())
    }
}

impl Routine for Open {
    fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
        self.fill(iters)?;
        let mut total = Elapsed::default();
        let mut left = usize::try_from(iters).unwrap_or(usize::MAX);
        while left > 0 {
            let n = left.min(self.pool.len());
            if n == 0 {
                return Err(MeasureError::Scenario("empty pool"));
            }
            let mut opener = Opener::new(
                self.backend,
                &self.store,
                self.options.clone(),
                Arc::new(SystemClock),
            )?;
            self.warm.payload_buf(&mut self.warm_msg, self.size);
            self.warm.seal(METHOD, &mut self.warm_msg)?;
            opener.open(self.warm_msg.wire_mut())?;
            let (pool, work) = (&self.pool, &mut self.work);
            let t0 = timer.now();
            for wire in pool.iter(n) {
                let wire = wire?;
                let buf = work.get_mut(wire.len())?;
                buf.copy_from_slice(wire);
                let opened = opener.open(buf)?;
                black_box(opened.payload.len());
            }
            total += timer.now().since(t0);
            drop(opener);
            left -= n;
        }
        Ok(total)
    }
}
