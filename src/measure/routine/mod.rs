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
            routine: Box::new(Memcpy::new(scenario.size)),
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

/// The copy baseline: `size` bytes from a pool of [`pool_len`]`(size)` buffers, round robin.
struct Memcpy {
    pool: Vec<Vec<u8>>,
    work: Vec<u8>,
    next: usize,
}

impl Memcpy {
    fn new(size: usize) -> Self {
        let pool = (0..pool_len(size))
            .map(|i| vec![(i % 251) as u8; size])
            .collect();
        Self {
            pool,
            work: vec![0u8; size],
            next: 0,
        }
    }
}

impl Routine for Memcpy {
    fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
        let Self { pool, work, next } = self;
        timed(timer, iters, || {
            let src = pool
                .get(*next)
                .ok_or(MeasureError::Scenario("empty pool"))?;
            work.copy_from_slice(src);
            black_box(&mut *work);
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
