//! The COSE_Encrypt0 frame cache: the receiver's verdicts on a sender's message shape.
//!
//! A sealer writes every Encrypt0 message of one method with the same bytes before the IV,
//! except for the values of `iat` and `cti`: the tag, the array head, the protected header
//! (alg, kid, method, iss, aud, each in canonical order) and the head of the unprotected
//! map `{5: IV}`. Everything the full path decides from those bytes — the strict parse,
//! the key (kid lookup, key type, algorithm), the Enc_structure, direction, audience and
//! role policy — is a function of the bytes, of the receiver's configuration (trust store,
//! own names, policy, options), which an [`Opener`] never changes, and of its keyring,
//! which changes only when a key is learned (the keyring's generation).
//!
//! So once a message has opened by the full path, its frame is kept with those verdicts. A
//! later message whose bytes before the IV equal the frame's outside the `iat` value and
//! the `cti` bytes (the same `iat` head byte, and the value in shortest form), in the same
//! keyring generation, goes straight to the AEAD with the frame's Enc_structure (its `iat`
//! and `cti` patched), then to the freshness and replay checks, which depend on the message
//! and the time and are never cached. The IV and the ciphertext's head are read as the
//! full path reads them. Anything else takes the full path.
//!
//! Only messages that passed every check create a frame, so a forgery never shapes the
//! cache; a frame that no longer matches is simply not used. The tests open the same
//! message sequences (valid, tampered byte by byte, replayed, stale, misaddressed) with and
//! without the cache and require identical results.

// Errors are built lazily on this hot path (see layers.rs).
#![allow(clippy::unnecessary_lazy_evaluations)]

use std::collections::HashMap;
use std::ops::Range;

use super::admission::Who;
use super::keyring::Prepared;
use super::{Opened, Opener};
use crate::cose::cbor::{Reader, head_len};
use crate::cose::structure::{self, CTX_ENCRYPT0};
use crate::envelope::error::EnvelopeError;
use crate::envelope::header::Protected;
use crate::envelope::mode::Mode;

/// Frames are grouped by the first [`KEY_LEN`] bytes of a message (tag, heads, alg and the
/// sender's kid: one group per sender, typically), so a receiver with many senders — a
/// controller hearing every compute node on its own pairwise key — finds a sender's frames
/// with one hash lookup. A group holds up to [`PER_SENDER`] shapes (one per method, replaced
/// round-robin beyond that); at most [`SENDERS`] groups are kept (an arbitrary one is
/// dropped to make room). Only senders whose messages authenticated can add groups.
pub const SENDERS: usize = 1024;
/// Shapes kept per group.
pub const PER_SENDER: usize = 8;
/// Bytes of a message that choose its group; a shape whose `iat` begins earlier is not kept.
const KEY_LEN: usize = 24;

type Key = [u8; KEY_LEN];

#[inline]
fn key_of(bytes: &[u8]) -> Option<Key> {
    bytes.get(..KEY_LEN)?.try_into().ok()
}

/// The unprotected header of an Encrypt0 up to the IV bytes: `{5: bstr .size 12}`.
const IV_HEAD: [u8; 3] = [0xa1, 0x05, 0x4c];
const IV_LEN: usize = 12;

/// One message shape and the verdicts reached on it.
#[derive(Debug, Default)]
struct Frame {
    /// Length of the message's bytes before the IV.
    iv_at: usize,
    /// Where the protected header lies in the message, and in `aad`.
    prot: Range<usize>,
    aad_prot: Range<usize>,
    /// Where the `iat` value bytes (after its head byte, which fixes their number) lie in
    /// the message, and in `aad`.
    iat: Range<usize>,
    aad_iat: Range<usize>,
    /// Where the `cti` bytes lie in the message, and in `aad`.
    cti: Range<usize>,
    aad_cti: Range<usize>,
    /// Where the method lies in the message, and the method itself if it is interned.
    method: Range<usize>,
    method_name: Option<&'static str>,
    /// The Enc_structure, holding the `iat` value and `cti` of the last message tried.
    aad: Vec<u8>,
    /// The sender's key index, valid in keyring generation `generation`.
    index: usize,
    generation: u64,
}

/// Where a message matched a frame.
#[derive(Debug, Clone)]
pub(super) struct Hit {
    group: usize,
    slot: usize,
    iat: u64,
    /// The ciphertext (with tag) in the message.
    ct: Range<usize>,
}

/// The frames of one receiver.
#[derive(Debug)]
pub(super) struct Frames {
    groups: Vec<Group>,
    index: HashMap<Key, usize, foldhash::fast::RandomState>,
    /// The group of the last hit, tried before the hash lookup.
    last: usize,
    /// Bound on groups (0: no cache, every message takes the full path).
    max_groups: usize,
}

/// The shapes of one message prefix.
#[derive(Debug)]
struct Group {
    key: Key,
    frames: Vec<Frame>,
    next: usize,
}

impl Default for Frames {
    fn default() -> Self {
        Self::new(SENDERS)
    }
}

impl Frame {
    /// The `iat` value and ciphertext range of `wire` if it has this frame's shape. The
    /// caller has compared the first [`KEY_LEN`] bytes (the group key, which covers the tag
    /// and the array and bstr heads before the protected header).
    ///
    /// The message's `iat` value bytes and `cti` are first written into the frame's
    /// Enc_structure, then the message's protected header is compared with the one in the
    /// Enc_structure in one go: equal means equal to the frame's header outside those bytes
    /// (the `iat` head byte included). On a match the Enc_structure is the message's.
    #[inline]
    fn matches(&mut self, wire: &[u8], generation: u64) -> Option<(u64, Range<usize>)> {
        if self.generation != generation {
            return None;
        }
        let aad = self.aad.as_mut_slice();
        copy(aad, &self.aad_iat, wire, &self.iat)?;
        copy(aad, &self.aad_cti, wire, &self.cti)?;
        if wire.get(self.prot.clone())? != aad.get(self.aad_prot.clone())?
            || wire.get(self.prot.end..self.iv_at)? != IV_HEAD
        {
            return None;
        }
        let iat = uint_value(wire.get(self.iat.clone())?)?;
        let after_iv = self.iv_at.checked_add(IV_LEN)?;
        let mut r = Reader::new(wire.get(after_iv..)?);
        let ct = r.bstr_range().ok()?;
        r.finish().ok()?;
        Some((iat, ct.start + after_iv..ct.end + after_iv))
    }
}

/// Copies `from[from_at]` over `to[to_at]` (ranges of equal length by construction).
#[inline]
fn copy(to: &mut [u8], to_at: &Range<usize>, from: &[u8], from_at: &Range<usize>) -> Option<()> {
    let (to, from) = (to.get_mut(to_at.clone())?, from.get(from_at.clone())?);
    (to.len() == from.len()).then(|| to.copy_from_slice(from))
}

/// The value of a CBOR unsigned integer from its value bytes (1, 2, 4 or 8 after a head
/// byte the caller compared), if that is its shortest form, as the strict reader requires.
#[inline]
fn uint_value(bytes: &[u8]) -> Option<u64> {
    let value = match *bytes {
        [a] => u64::from(a),
        [a, b] => u64::from(u16::from_be_bytes([a, b])),
        [a, b, c, d] => u64::from(u32::from_be_bytes([a, b, c, d])),
        [a, b, c, d, e, f, g, h] => u64::from_be_bytes([a, b, c, d, e, f, g, h]),
        _ => return None,
    };
    (head_len(value) == 1 + bytes.len()).then_some(value)
}

impl Frames {
    /// A frame cache of at most `max_groups` groups (0: none, every message takes the full
    /// path).
    pub(super) fn new(max_groups: usize) -> Self {
        Self {
            groups: Vec::new(),
            index: HashMap::default(),
            last: 0,
            max_groups,
        }
    }

    /// The frame `wire` matches, if any.
    #[inline]
    pub(super) fn find(&mut self, wire: &[u8], generation: u64) -> Option<Hit> {
        let key = wire.get(..KEY_LEN)?;
        let group = match self.groups.get(self.last) {
            Some(g) if g.key == key => self.last,
            _ => {
                let &i = self.index.get(key)?;
                self.last = i;
                i
            }
        };
        let frames = &mut self.groups.get_mut(group)?.frames;
        frames.iter_mut().enumerate().find_map(|(slot, f)| {
            let (iat, ct) = f.matches(wire, generation)?;
            Some(Hit {
                group,
                slot,
                iat,
                ct,
            })
        })
    }

    fn frame_mut(&mut self, hit: &Hit) -> Option<&mut Frame> {
        self.groups.get_mut(hit.group)?.frames.get_mut(hit.slot)
    }

    /// Keeps the shape of a COSE_Encrypt0 that opened by the full path with every check
    /// passed: `head` is the message up to its ciphertext, `prot` the protected header's
    /// range in it, `p` its parse, `aad` its Enc_structure, `index` the sender's key.
    /// Shapes the fast path cannot read (another unprotected header) are not kept.
    pub(super) fn keep(
        &mut self,
        head: &[u8],
        prot: Range<usize>,
        p: &Protected<'_>,
        aad: &[u8],
        index: usize,
        generation: u64,
    ) {
        let Some(key) = key_of(head).filter(|_| self.max_groups > 0) else {
            return;
        };
        let Some(frame) = Self::shape(head, prot, p, aad, index, generation) else {
            return;
        };
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                if self.groups.len() >= self.max_groups {
                    // Drop the group in the slot after the last hit's (an arbitrary one that
                    // is not the busiest), moving the last group into its place.
                    let victim = (self.last + 1) % self.groups.len();
                    let gone = self.groups.swap_remove(victim);
                    self.index.remove(&gone.key);
                    if let Some(moved) = self.groups.get(victim) {
                        self.index.insert(moved.key, victim);
                    }
                }
                self.groups.push(Group {
                    key,
                    frames: Vec::new(),
                    next: 0,
                });
                let i = self.groups.len() - 1;
                self.index.insert(key, i);
                i
            }
        };
        let Some(group) = self.groups.get_mut(i) else {
            return;
        };
        if group.frames.len() < PER_SENDER {
            group.frames.push(frame);
        } else if let Some(slot) = group.frames.get_mut(group.next) {
            *slot = frame;
            group.next = (group.next + 1) % PER_SENDER;
        }
    }

    fn shape(
        head: &[u8],
        prot: Range<usize>,
        p: &Protected<'_>,
        aad: &[u8],
        index: usize,
        generation: u64,
    ) -> Option<Frame> {
        let iv_at = prot.end.checked_add(IV_HEAD.len())?;
        if head.get(prot.end..iv_at)? != IV_HEAD {
            return None;
        }
        let prot_bytes = head.get(prot.clone())?;
        let (_, layout) = Protected::parse_with_layout(prot_bytes).ok()?;
        let in_head = |r: &Range<usize>| r.start + prot.start..r.end + prot.start;
        let method_at = p.method.as_ptr().addr().checked_sub(head.as_ptr().addr())?;
        let method = method_at..method_at.checked_add(p.method.len())?;
        // Enc_structure = [context, bstr(protected), bstr(external_aad)]: the protected
        // bytes end where the external_aad's bstr begins.
        let ext = structure::content_external_aad(CTX_ENCRYPT0, prot_bytes);
        let prot_in_aad = aad
            .len()
            .checked_sub(head_len(ext.len() as u64) + ext.len() + prot_bytes.len())?;
        if aad.get(prot_in_aad..prot_in_aad + prot_bytes.len())? != prot_bytes {
            return None;
        }
        let in_aad = |r: &Range<usize>| r.start + prot_in_aad..r.end + prot_in_aad;
        let iat = in_head(&layout.iat);
        let &iat_head = head.get(iat.start)?;
        // The value bytes after the head byte (none when the value fits in it: such an
        // `iat`, 23 or less, is never fresh, and the shape is not kept).
        let iat = iat.start + 1..iat.end;
        let aad_iat = in_aad(&layout.iat);
        let frame = Frame {
            iv_at,
            aad_prot: in_aad(&(0..prot_bytes.len())),
            prot: prot.clone(),
            iat,
            aad_iat: aad_iat.start + 1..aad_iat.end,
            cti: in_head(&layout.cti),
            aad_cti: in_aad(&layout.cti),
            method,
            method_name: names::intern(p.method),
            aad: aad.to_vec(),
            index,
            generation,
        };
        // The group key must cover the bytes before the protected header, and end before
        // the first byte that varies.
        (frame.prot.start <= KEY_LEN
            && frame.iat.start > KEY_LEN
            && iat_head >> 5 == 0
            && !frame.iat.is_empty()
            && frame.iat.end <= frame.cti.start
            && frame.cti.end <= frame.prot.end
            && frame.method.end <= frame.prot.end)
            .then_some(frame)
    }
}

impl Opener {
    /// Opens a COSE_Encrypt0 that matched a frame: the AEAD with the frame's key and
    /// Enc_structure, then freshness and replay.
    pub(super) fn open_framed<'m>(
        &mut self,
        wire: &'m mut [u8],
        hit: Hit,
    ) -> Result<Opened<'m>, EnvelopeError> {
        let broken = || EnvelopeError::WrongStructure("frame");
        let frame = self.frames.frame_mut(&hit).ok_or_else(broken)?;
        let (head, rest) = wire.split_at_mut_checked(hit.ct.start).ok_or_else(broken)?;
        let head: &'m [u8] = head;
        let ciphertext = rest.get_mut(..hit.ct.len()).ok_or_else(broken)?;
        // `matches` left this message's `iat` and `cti` in the frame's Enc_structure.
        let iv: &[u8; IV_LEN] = head
            .get(frame.iv_at..frame.iv_at + IV_LEN)
            .and_then(|iv| iv.try_into().ok())
            .ok_or_else(broken)?;
        let index = frame.index;
        let Prepared::Aead(key) = &self.keys.get(index)?.key else {
            return Err(broken());
        };
        let plain_len = key.open_in_place(iv, &frame.aad, ciphertext)?;
        // From here on the buffer holds plaintext: zero it on every failure.
        if plain_len > ciphertext.len() {
            ciphertext.fill(0);
            return Err(EnvelopeError::Authentication);
        }
        let (plaintext, _tag) = ciphertext.split_at_mut(plain_len);
        // The method bytes equal the frame's, which were read as UTF-8 when it was kept: the
        // interned copy saves validating them again.
        let method = match frame.method_name {
            Some(name) => Ok(name),
            None => head
                .get(frame.method.clone())
                .and_then(|m| std::str::from_utf8(m).ok())
                .ok_or_else(broken),
        };
        let checked = match (head.get(frame.cti.clone()), method) {
            (Some(cti), Ok(method)) => self
                .fresh(hit.iat)
                .and_then(|now| self.record(hit.iat, cti, now, Who::Key(index)))
                .map(|cti| (cti, method)),
            _ => Err(broken()),
        };
        match checked {
            Ok((cti, method)) => Ok(Opened {
                mode: Mode::Encrypt0,
                payload: plaintext,
                method,
                iat: hit.iat,
                cti,
                sender: Some(index),
            }),
            Err(e) => {
                plaintext.fill(0);
                Err(e)
            }
        }
    }
}

/// Method names of kept frames, interned for the process so a hit hands out the name
/// without re-validating its UTF-8 (`Opened::method` borrows the message, and a `&'static
/// str` is the only other thing it can hold). Only names of messages that opened by the full
/// path are interned, at most [`names::MAX`] of them (about 1 MiB at the 255-byte method
/// limit); beyond that, frames validate the method on every hit as before.
mod names {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};

    /// Bound on interned names.
    pub const MAX: usize = 4096;

    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();

    /// `name` as a `&'static str`, or `None` once [`MAX`] names are held (or the table's
    /// lock is poisoned).
    pub fn intern(name: &str) -> Option<&'static str> {
        let mut names = NAMES.get_or_init(Mutex::default).lock().ok()?;
        if let Some(&held) = names.get(name) {
            return Some(held);
        }
        if names.len() >= MAX {
            return None;
        }
        let held: &'static str = Box::leak(name.into());
        names.insert(held);
        Some(held)
    }
}

#[cfg(test)]
impl Opener {
    /// This opener without the frame cache: every message takes the full path.
    fn without_frames(mut self) -> Self {
        self.frames = Frames::new(0);
        self
    }

    fn would_take_the_fast_path(&mut self, wire: &[u8]) -> bool {
        self.frames.find(wire, self.keys.generation()).is_some()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use std::sync::Arc;

    use super::*;
    use crate::backend::{ALL_BACKENDS, AeadId};
    use crate::envelope::audience::Audience;
    use crate::envelope::clock::{Clock, ManualClock};
    use crate::envelope::fixtures::generate;
    use crate::envelope::keys::{KeyAlg, KeyEntry, NodeId, Policy, TrustStore};
    use crate::envelope::mode::Identity;
    use crate::envelope::{MessageBuf, OpenOptions, SealConfig, Sealer};

    const ME: &[u8] = b"compute-1";

    struct World {
        clock: Arc<ManualClock>,
        keys: Vec<KeyEntry>,
        store: TrustStore,
    }

    fn world() -> World {
        let keys = vec![
            generate(KeyAlg::Aead(AeadId::Aes128Gcm), b"pair-sched", "scheduler").unwrap(),
            generate(KeyAlg::Aead(AeadId::Aes128Gcm), b"pair-agent", "agent").unwrap(),
        ];
        let store = TrustStore {
            entries: keys.clone(),
            policy: Policy::default()
                .allow("scheduler", &["*"])
                .allow("agent", &["report_state"]),
            node: Some(NodeId {
                kid: ME.to_vec(),
                role: "compute".into(),
            }),
        };
        World {
            clock: Arc::new(ManualClock::new(1_764_000_000)),
            keys,
            store,
        }
    }

    fn sealer(w: &World, key: usize, to: &[u8]) -> Sealer {
        let config = SealConfig {
            mode: Mode::Encrypt0,
            sender: Some(&w.keys[key]),
            identity: Identity::Kid,
            recipients: &[],
            content: AeadId::Aes128Gcm,
            cek_reuse: 1,
        };
        let b = ALL_BACKENDS[0];
        Sealer::new(b, &config, w.clock.clone(), Some(key as u64))
            .unwrap()
            .with_issuer(b"scheduler-1")
            .unwrap()
            .with_audience(&Audience::Kids(vec![to.to_vec()]))
            .unwrap()
    }

    /// The cached opener and the full-path opener, fed the same messages.
    struct Pair {
        cached: Opener,
        full: Opener,
        hits: usize,
    }

    impl Pair {
        fn new(w: &World) -> Self {
            let b = ALL_BACKENDS[0];
            let open = || Opener::new(b, &w.store, OpenOptions::default(), w.clock.clone());
            Self {
                cached: open().unwrap(),
                full: open().unwrap().without_frames(),
                hits: 0,
            }
        }

        /// Opens `wire` with both; the results and the buffers left behind must be equal.
        fn open(&mut self, wire: &[u8], what: &str) -> Result<(), String> {
            if self.cached.would_take_the_fast_path(wire) {
                self.hits += 1;
            }
            let (mut a, mut b) = (wire.to_vec(), wire.to_vec());
            let ra = format!("{:?}", self.cached.open(&mut a));
            let rb = format!("{:?}", self.full.open(&mut b));
            assert_eq!(ra, rb, "{what}");
            assert_eq!(a, b, "{what}: buffers differ");
            if ra.starts_with("Ok") {
                Ok(())
            } else {
                Err(ra)
            }
        }
    }

    #[test]
    fn the_fast_path_decides_exactly_as_the_full_path() {
        let w = world();
        let mut pair = Pair::new(&w);
        let mut sched = sealer(&w, 0, ME);
        let mut agent = sealer(&w, 1, ME);
        let mut elsewhere = sealer(&w, 0, b"compute-2");
        let mut mirror = Sealer::new(
            ALL_BACKENDS[0],
            &SealConfig {
                mode: Mode::Encrypt0,
                sender: Some(&w.keys[0]),
                identity: Identity::Kid,
                recipients: &[],
                content: AeadId::Aes128Gcm,
                cek_reuse: 1,
            },
            w.clock.clone(),
            Some(7),
        )
        .unwrap()
        .with_issuer(ME)
        .unwrap()
        .with_audience(&Audience::Kids(vec![ME.to_vec()]))
        .unwrap();
        let mut msg = MessageBuf::new();
        let mut accepted = Vec::new();
        // iat values whose encodings differ in length, methods and payload sizes that change
        // the header and the ciphertext head.
        let times = [1_764_000_000u64, 1_764_000_001, 1_764_000_100];
        for (i, &t) in times.iter().enumerate() {
            w.clock.set(t);
            for (j, (method, size)) in [("boot_vm", 0usize), ("boot_vm", 23), ("report_state", 24)]
                .into_iter()
                .chain([("boot_vm", 255), ("boot_vm", 256), ("boot_vm", 70_000)])
                .enumerate()
            {
                let payload = vec![(i * 7 + j) as u8; size];
                sched.seal_payload(&payload, method, &mut msg).unwrap();
                let wire = msg.wire().to_vec();
                // Every single-byte change first (each one refused, by both, alike) ...
                if size < 300 {
                    for k in 0..wire.len() {
                        for v in [0x00u8, 0x01, 0x18, 0x1a, 0x4c, 0xff] {
                            let mut t = wire.clone();
                            if t[k] == v {
                                continue;
                            }
                            t[k] = v;
                            let r = pair.open(&t, &format!("byte {k} = {v:#x}"));
                            assert!(r.is_err(), "byte {k} = {v:#x} accepted");
                        }
                        pair.open(&wire[..k], &format!("truncated to {k}"))
                            .unwrap_err();
                    }
                }
                let mut longer = wire.clone();
                longer.push(0);
                pair.open(&longer, "trailing byte").unwrap_err();
                // `iat` in a longer form than its value needs (same head byte, so the same
                // shape): the strict reader refuses it before the AEAD.
                let be = u32::try_from(t).unwrap().to_be_bytes();
                let at = wire
                    .windows(5)
                    .position(|x| x[0] == 0x1a && x[1..] == be)
                    .unwrap();
                let mut long = wire.clone();
                long[at + 1..at + 5].copy_from_slice(&[0, 0, 0, 5]);
                let e = pair.open(&long, "iat not in shortest form").unwrap_err();
                assert!(e.contains("iat must be"), "{e}");
                // ... then the message itself, then its replay.
                pair.open(&wire, "valid").unwrap();
                assert!(pair.open(&wire, "replay").unwrap_err().contains("Replayed"));
                accepted.push(wire);
                // Another sender's shape, and a message for another node, between.
                agent.seal_payload(b"up", "report_state", &mut msg).unwrap();
                pair.open(msg.wire(), "agent").unwrap();
                agent.seal_payload(b"x", "boot_vm", &mut msg).unwrap();
                let e = pair.open(msg.wire(), "agent, forbidden").unwrap_err();
                assert!(e.contains("Forbidden"), "{e}");
                elsewhere.seal_payload(b"x", "boot_vm", &mut msg).unwrap();
                let e = pair.open(msg.wire(), "other node").unwrap_err();
                assert!(e.contains("WrongAudience"), "{e}");
                // The receiver's own message coming back (same key, same kid, same shape
                // up to `iss`): reflected, cache or not.
                mirror.seal_payload(b"x", "boot_vm", &mut msg).unwrap();
                let e = pair.open(msg.wire(), "reflected").unwrap_err();
                assert!(e.contains("Reflected"), "{e}");
            }
        }
        // Cross-node replay: compute-2, whose cache holds the scheduler's frame for
        // compute-2, gets every message captured on its way to compute-1.
        let mut w2 = World {
            clock: w.clock.clone(),
            keys: w.keys.clone(),
            store: w.store.clone(),
        };
        if let Some(node) = w2.store.node.as_mut() {
            node.kid = b"compute-2".to_vec();
        }
        let mut other = Pair::new(&w2);
        elsewhere.seal_payload(b"x", "boot_vm", &mut msg).unwrap();
        other.open(msg.wire(), "compute-2's own").unwrap();
        for wire in &accepted {
            let e = other.open(wire, "cross-node replay").unwrap_err();
            assert!(e.contains("WrongAudience") || e.contains("Expired"), "{e}");
        }
        // A fresh message of a known shape once the clock has moved past the window, and
        // one sealed by a sender whose clock runs ahead.
        sched.seal_payload(b"late", "boot_vm", &mut msg).unwrap();
        let late = msg.wire().to_vec();
        w.clock.advance(301);
        assert!(pair.open(&late, "expired").unwrap_err().contains("Expired"));
        sched.seal_payload(b"ahead", "boot_vm", &mut msg).unwrap();
        let ahead = msg.wire().to_vec();
        w.clock.set(w.clock.now_s() - 31);
        assert!(
            pair.open(&ahead, "future")
                .unwrap_err()
                .contains("FromFuture")
        );
        for wire in &accepted {
            pair.open(wire, "old replay").unwrap_err();
        }
        // The comparison is not vacuous: most messages went down the fast path.
        assert!(pair.hits > 1_000, "only {} fast-path opens", pair.hits);
    }

    #[test]
    fn a_receiver_of_many_senders_finds_their_frames() {
        for bound in [SENDERS, 3] {
            many_senders(bound);
        }
    }

    fn many_senders(bound: usize) {
        // A controller hearing 40 compute nodes, each on its own pairwise key.
        let mut w = world();
        w.keys = (0..40)
            .map(|i| {
                let kid = format!("pair-compute-{i}");
                generate(KeyAlg::Aead(AeadId::Aes128Gcm), kid.as_bytes(), "scheduler").unwrap()
            })
            .collect();
        w.store.entries = w.keys.clone();
        let mut pair = Pair::new(&w);
        pair.cached.frames = Frames::new(bound);
        let mut sealers: Vec<Sealer> = (0..w.keys.len()).map(|i| sealer(&w, i, ME)).collect();
        let mut msg = MessageBuf::new();
        let mut opens = 0;
        for round in 0..5 {
            for (i, s) in sealers.iter_mut().enumerate() {
                s.seal_payload(&[round as u8; 40], "report_state", &mut msg)
                    .unwrap();
                pair.open(msg.wire(), &format!("sender {i}, round {round}"))
                    .unwrap();
                opens += 1;
            }
        }
        // Every message but each sender's first takes the fast path, when the cache holds
        // every sender; with room for 3 of 40 (round robin), the results are still the
        // full path's and the table stays within its bound.
        if bound >= sealers.len() {
            assert_eq!(pair.hits, opens - sealers.len());
        }
        assert!(pair.cached.frames.groups.len() <= bound);
        assert_eq!(
            pair.cached.frames.index.len(),
            pair.cached.frames.groups.len()
        );
    }

    #[test]
    fn method_names_are_interned_once_and_only_up_to_the_bound() {
        let a = names::intern("boot_vm").unwrap();
        let b = names::intern(&String::from("boot_vm")).unwrap();
        assert!(std::ptr::eq(a, b), "one copy per name");
        let mut last = None;
        for i in 0..=names::MAX {
            last = names::intern(&format!("method-{i}"));
        }
        assert_eq!(last, None, "more than {} names interned", names::MAX);
        assert!(
            std::ptr::eq(names::intern("boot_vm").unwrap(), a),
            "held names stay"
        );
    }

    #[test]
    fn a_frame_is_not_used_after_the_keyring_changed() {
        let w = world();
        let mut o = Opener::new(
            ALL_BACKENDS[0],
            &w.store,
            OpenOptions::default(),
            w.clock.clone(),
        )
        .unwrap();
        let mut s = sealer(&w, 0, ME);
        let mut msg = MessageBuf::new();
        s.seal_payload(b"a", "boot_vm", &mut msg).unwrap();
        o.open(&mut msg.wire().to_vec()).unwrap();
        s.seal_payload(b"b", "boot_vm", &mut msg).unwrap();
        let g = o.keys.generation();
        assert!(o.frames.find(msg.wire(), g).is_some());
        assert!(o.frames.find(msg.wire(), g + 1).is_none());
    }
}
