//! CPU time: of another process (the broker) from `/proc/<pid>/stat`, of this process and
//! of the current thread from the kernel's CPU clocks.
//!
//! The envelope's share is measured inside the clients: every seal and open is bracketed
//! by two reads of the calling thread's CPU clock (`CLOCK_THREAD_CPUTIME_ID`), summed in an
//! [`EnvelopeMeter`]. The pair of clock reads costs something itself; [`clock_pair_ns`]
//! measures it once and the meter subtracts it per call, so plain (no envelope) reads 0.
//!
//! The thread CPU clock is a real system call, never the vDSO (Linux serves only the
//! wall clocks there): 0.22–0.3 µs per pair in a hot loop on the reference VM, but the
//! first pair after the thread did other work is slower (the kernel's path is cold), so
//! subtracting the hot pair cost left 0.31–0.5 µs of clock (mean) in an envelope call of a
//! busy RPC process. The meter therefore reads the clock once, unrecorded, just before the
//! bracket: the bracket's own reads are then warm and the hot pair cost is the right one
//! to subtract (residual 26–45 ns). Measured by `examples/envelope_in_situ.rs`
//! (docs/E2E.md, "The in-situ factor").

use std::sync::atomic::{AtomicU64, Ordering};

use super::error::SystemError;

/// `USER_HZ`: the unit of `utime`/`stime` in `/proc/<pid>/stat`, fixed at 100 by the Linux
/// userspace ABI on every architecture we run on.
// ref: https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html (utime: "clock ticks")
const USER_HZ: u64 = 100;

/// User + system CPU time of process `pid` (all its threads), in nanoseconds; 10 ms
/// resolution.
pub fn process_cpu_ns(pid: u32) -> Result<u64, SystemError> {
    let path = format!("/proc/{pid}/stat");
    let text = std::fs::read_to_string(&path).map_err(SystemError::io(path.clone()))?;
    parse_stat(&text)
        .map(|ticks| ticks.saturating_mul(1_000_000_000 / USER_HZ))
        .ok_or_else(|| SystemError::Io {
            context: path,
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, "unparsable stat line"),
        })
}

/// utime + stime (fields 14 and 15) of a `/proc/<pid>/stat` line, in clock ticks. The
/// command name (field 2) may contain spaces and parentheses, so fields are counted from
/// the last `)`.
fn parse_stat(text: &str) -> Option<u64> {
    let rest = text.get(text.rfind(')')?.checked_add(1)?..)?;
    let mut fields = rest.split_whitespace();
    // After the name: state is field 3; utime is field 14, i.e. the 12th after the name.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    utime.checked_add(stime)
}

fn clock_ns(id: rustix::time::ClockId) -> u64 {
    let ts = rustix::time::clock_gettime(id);
    let secs = u64::try_from(ts.tv_sec).unwrap_or(0);
    let nanos = u64::try_from(ts.tv_nsec).unwrap_or(0);
    secs.saturating_mul(1_000_000_000).saturating_add(nanos)
}

/// CPU time of this process (every thread), ns.
pub fn self_cpu_ns() -> u64 {
    clock_ns(rustix::time::ClockId::ProcessCPUTime)
}

/// CPU time of the calling thread, ns.
pub fn thread_cpu_ns() -> u64 {
    clock_ns(rustix::time::ClockId::ThreadCPUTime)
}

/// The median cost of two consecutive thread-CPU clock reads, ns (what bracketing a call
/// adds to its measured time).
pub fn clock_pair_ns() -> u64 {
    let mut v: Vec<u64> = (0..201)
        .map(|_| {
            let a = thread_cpu_ns();
            let b = thread_cpu_ns();
            b.saturating_sub(a)
        })
        .collect();
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

/// Sums the CPU time spent in envelope calls, from any thread.
#[derive(Debug, Default)]
pub struct EnvelopeMeter {
    ns: AtomicU64,
    calls: AtomicU64,
    overhead_ns: u64,
}

impl EnvelopeMeter {
    /// A meter that subtracts `overhead_ns` (from [`clock_pair_ns`]) per call.
    pub fn new(overhead_ns: u64) -> Self {
        Self {
            overhead_ns,
            ..Self::default()
        }
    }

    /// Runs `f` on this thread and adds its CPU time.
    pub fn time<T>(&self, f: impl FnOnce() -> T) -> T {
        self.time_with(&mut thread_cpu_ns, f)
    }

    /// [`time`](Self::time) with `clock` as the thread CPU clock (tests drive it). The
    /// first read only warms the clock's kernel path and is not used: the bracket is the
    /// second and third reads, whose hot cost `overhead_ns` is.
    fn time_with<T>(&self, clock: &mut dyn FnMut() -> u64, f: impl FnOnce() -> T) -> T {
        std::hint::black_box(clock());
        let start = clock();
        let out = f();
        let spent = clock()
            .saturating_sub(start)
            .saturating_sub(self.overhead_ns);
        self.ns.fetch_add(spent, Ordering::Relaxed);
        self.calls.fetch_add(1, Ordering::Relaxed);
        out
    }

    /// (CPU ns, calls) so far.
    pub fn read(&self) -> (u64, u64) {
        (
            self.ns.load(Ordering::Relaxed),
            self.calls.load(Ordering::Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_the_name() {
        let line = "716 (beam.smp (x) y) S 1 716 716 0 -1 4194560 1 0 0 0 250 37 0 0 20 0 30";
        assert_eq!(parse_stat(line), Some(287));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn own_process_and_thread_clocks_advance() {
        let me = std::process::id();
        let t0 = thread_cpu_ns();
        let mut x = 0u64;
        for i in 0..3_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        assert!(thread_cpu_ns() > t0);
        assert!(process_cpu_ns(me).is_ok());
        let m = EnvelopeMeter::new(0);
        m.time(|| std::hint::black_box(1 + 1));
        assert_eq!(m.read().1, 1);
    }

    /// The meter warms the clock with one unused read, then brackets `f` with the next
    /// two, subtracting the pair cost: a cold first read (here 700 ns late) is not charged
    /// to the envelope.
    #[test]
    fn meter_brackets_with_warm_reads_and_subtracts_the_pair() {
        // Reads: warm-up at 1_000 (its cold cost shows as the 700 ns gap to the next one),
        // start at 1_700, end at 2_700 after f: f + the pair = 1_000 ns, pair = 200 ns.
        let mut reads = [1_000u64, 1_700, 2_700].into_iter();
        let mut clock = || reads.next().unwrap_or(u64::MAX);
        let m = EnvelopeMeter::new(200);
        let x = m.time_with(&mut clock, || 7);
        assert_eq!(x, 7);
        assert_eq!(m.read(), (800, 1));
        // A pair cost above the bracket never goes negative.
        let mut reads = [0u64, 10, 50].into_iter();
        let mut clock = || reads.next().unwrap_or(0);
        let m = EnvelopeMeter::new(200);
        m.time_with(&mut clock, || ());
        assert_eq!(m.read(), (0, 1));
    }
}
