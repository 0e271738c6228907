//! Turning a [`Scenario`] into a [`Routine`]: keys, buffers and message pools set up once,
//! the timed loop doing only what the scenario's `inside_loop` lists.
//!
//! In-place opens destroy their input, so they keep a pool of pristine sealed messages and
//! copy one into the work buffer before each open (that copy is `memcpy_<size>`, measured
//! alone over a pool of the same shape). The pool holds [`pool_len`] messages, about
//! [`POOL_BYTES`] in all: small enough to stay in the L2/L3 caches, large enough that an
//! open does not read the message the previous open just wrote.

mod channel;
mod envelope;
mod raw;

pub(super) use channel::inside_loop as channel_loop;

use std::hint::black_box;

use super::error::MeasureError;
use super::runner::Routine;
use super::scenario::{Scenario, Work};
use super::timer::{Elapsed, Timer};

/// Approximate bytes of sealed messages an open pool holds.
pub const POOL_BYTES: usize = 1 << 20;
/// Bounds on the number of messages in a pool.
pub const POOL_MIN: usize = 4;
/// See [`POOL_MIN`].
pub const POOL_MAX: usize = 4096;

/// Messages in a pool of `len`-byte messages.
pub fn pool_len(len: usize) -> usize {
    (POOL_BYTES / len.max(1)).clamp(POOL_MIN, POOL_MAX)
}

/// Where a pool's messages and the work buffer lie. An open copies a pristine message into
/// the work buffer before opening it in place, and what that copy costs depends on where the
/// two buffers lie relative to each other: copying 16 KiB from a round-robin pool of plain
/// `Vec`s took 160 ns per copy with 16,400-byte messages (the bare AEAD's) and 180–197 ns
/// with 16,505- and 16,521-byte ones (an envelope's), only because the allocations landed
/// differently (Xeon VM, 2026-12-06). So every open routine, and the `memcpy` control, puts
/// its work buffer on a page boundary and its messages one after another from a page
/// boundary, [`stride`] bytes apart: a bare AEAD and an envelope of the same payload size
/// copy between the same offsets.
#[derive(Debug)]
pub struct Pool {
    storage: Vec<u8>,
    base: usize,
    stride: usize,
    lens: Vec<usize>,
    cap: usize,
}

/// The page size the layout aligns to.
const PAGE: usize = 4096;

/// Distance between pool messages of up to `len` bytes: whole cache lines for short
/// messages (so a pool stays dense), whole pages from 4 KiB on (so that the copy's source
/// and destination are congruent modulo the page, whatever the exact message length).
pub fn stride(len: usize) -> usize {
    if len < PAGE {
        len.max(1).next_multiple_of(64)
    } else {
        len.next_multiple_of(PAGE)
    }
}

fn page_aligned(len: usize) -> (Vec<u8>, usize) {
    let storage = vec![0u8; len + PAGE];
    let base = (PAGE - storage.as_ptr().addr() % PAGE) % PAGE;
    (storage, base)
}

impl Pool {
    /// Room for `cap` messages of up to `max_len` bytes.
    pub fn new(max_len: usize, cap: usize) -> Self {
        let stride = stride(max_len);
        let (storage, base) = page_aligned(stride * cap.max(1));
        Self {
            storage,
            base,
            stride,
            lens: Vec::with_capacity(cap),
            cap,
        }
    }

    /// Messages held.
    pub fn len(&self) -> usize {
        self.lens.len()
    }

    /// Whether the pool holds no message.
    pub fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }

    /// Whether the pool is full.
    pub fn is_full(&self) -> bool {
        self.lens.len() >= self.cap
    }

    /// Appends a message (an error if the pool is full or the message longer than planned).
    pub fn push(&mut self, msg: &[u8]) -> Result<(), MeasureError> {
        if self.is_full() || msg.len() > self.stride {
            return Err(MeasureError::Scenario("message does not fit the pool"));
        }
        let at = self.base + self.lens.len() * self.stride;
        self.storage
            .get_mut(at..at + msg.len())
            .ok_or(MeasureError::Scenario("pool storage"))?
            .copy_from_slice(msg);
        self.lens.push(msg.len());
        Ok(())
    }

    /// Message `i`.
    pub fn get(&self, i: usize) -> Result<&[u8], MeasureError> {
        let len = *self
            .lens
            .get(i)
            .ok_or(MeasureError::Scenario("empty pool"))?;
        let at = self.base + i * self.stride;
        self.storage
            .get(at..at + len)
            .ok_or(MeasureError::Scenario("pool storage"))
    }

    /// Messages `0..n`, in order.
    pub fn iter(&self, n: usize) -> impl Iterator<Item = Result<&[u8], MeasureError>> {
        (0..n).map(|i| self.get(i))
    }
}

/// A work buffer of `len` bytes starting on a page boundary (see [`Pool`]).
#[derive(Debug)]
pub struct WorkBuf {
    storage: Vec<u8>,
    base: usize,
    len: usize,
}

impl WorkBuf {
    /// A zeroed buffer of `len` bytes.
    pub fn new(len: usize) -> Self {
        let (storage, base) = page_aligned(len);
        Self { storage, base, len }
    }

    /// Its first `n` bytes (an error beyond its length).
    pub fn get_mut(&mut self, n: usize) -> Result<&mut [u8], MeasureError> {
        if n > self.len {
            return Err(MeasureError::Scenario("work buffer too short"));
        }
        self.storage
            .get_mut(self.base..self.base + n)
            .ok_or(MeasureError::Scenario("work buffer"))
    }
}

/// A routine ready to run, and the bytes it adds on the wire (envelope and plain layers).
pub struct Built {
    /// The routine.
    pub routine: Box<dyn Routine>,
    /// Envelope size minus payload size.
    pub overhead_bytes: Option<u64>,
}

/// Sets up `scenario`. Unsupported algorithms come back as an error whose
/// [`MeasureError::unsupported`] gives the backend's reason.
pub fn build(scenario: &Scenario) -> Result<Built, MeasureError> {
    match scenario.work {
        Work::Envelope(_) => envelope::build(scenario),
        Work::Channel(_) => channel::build(scenario),
        Work::Memcpy => Ok(Built {
            routine: Box::new(Memcpy::new(scenario.size)?),
            overhead_bytes: None,
        }),
        Work::Arith => Ok(Built {
            routine: Box::new(Arith {
                steps: scenario.size,
                state: 0x9e37_79b9_7f4a_7c15,
            }),
            overhead_bytes: None,
        }),
        _ => Ok(Built {
            routine: raw::build(scenario)?,
            overhead_bytes: None,
        }),
    }
}

/// Times `iters` calls of `op`.
fn timed(
    timer: &dyn Timer,
    iters: u64,
    mut op: impl FnMut() -> Result<(), MeasureError>,
) -> Result<Elapsed, MeasureError> {
    let t0 = timer.now();
    for _ in 0..iters {
        op()?;
    }
    Ok(timer.now().since(t0))
}

/// The copy baseline: `size` bytes from a pool of [`pool_len`]`(size)` buffers, round
/// robin, laid out as the open routines lay out theirs ([`Pool`]).
struct Memcpy {
    pool: Pool,
    work: WorkBuf,
    size: usize,
    next: usize,
}

impl Memcpy {
    fn new(size: usize) -> Result<Self, MeasureError> {
        let n = pool_len(size);
        let mut pool = Pool::new(size, n);
        for i in 0..n {
            pool.push(&vec![(i % 251) as u8; size])?;
        }
        Ok(Self {
            pool,
            work: WorkBuf::new(size),
            size,
            next: 0,
        })
    }
}

impl Routine for Memcpy {
    fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
        let Self {
            pool,
            work,
            size,
            next,
        } = self;
        timed(timer, iters, || {
            let dst = work.get_mut(*size)?;
            dst.copy_from_slice(pool.get(*next)?);
            black_box(dst);
            *next = (*next + 1) % pool.len();
            Ok(())
        })
    }
}

/// The arithmetic control: `steps` dependent 64-bit multiply, xor and shift steps per
/// operation (a chain the CPU cannot overlap, so its time follows the core's clock and
/// scheduling only: no memory, no library, nothing a code change elsewhere can move).
struct Arith {
    steps: usize,
    state: u64,
}

impl Routine for Arith {
    fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
        let Self { steps, state } = self;
        let steps = black_box(*steps);
        timed(timer, iters, || {
            let mut x = *state;
            for _ in 0..steps {
                // ref: splitmix64's finaliser constants (Steele, Lea, Flood 2014).
                x = (x ^ (x >> 31)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            }
            *state = black_box(x);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn pools_and_work_buffers_start_on_pages_whatever_the_message_length() {
        // A bare AEAD message and an envelope of the same payload: the same stride, so
        // message i lies at the same page offset in both pools.
        for (a, b) in [(16_400, 16_521), (65_552, 65_657), (80, 120)] {
            assert_eq!(stride(a), stride(b), "{a} vs {b}");
        }
        let mut pool = Pool::new(16_521, 3);
        for i in 0..3u8 {
            pool.push(&vec![i; 16_521 - usize::from(i)]).unwrap();
        }
        assert!(pool.is_full());
        assert!(pool.push(&[0]).is_err());
        for i in 0..3 {
            let m = pool.get(i).unwrap();
            assert_eq!(m.len(), 16_521 - i);
            assert!(m.iter().all(|&b| usize::from(b) == i));
            assert_eq!(m.as_ptr().addr() % PAGE, 0);
        }
        assert!(pool.get(3).is_err());
        let mut long = Pool::new(100, 2);
        assert!(long.push(&[0; 129]).is_err(), "longer than the stride");
        let mut work = WorkBuf::new(16_521);
        assert_eq!(work.get_mut(16_521).unwrap().as_ptr().addr() % PAGE, 0);
        assert!(work.get_mut(16_522).is_err());
    }
}
