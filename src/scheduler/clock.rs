//! The two clocks. Both count nanoseconds since the program started.

use std::cell::Cell;
use std::time::Instant;

pub enum Clock {
    /// Wall time: waiting means really waiting (on an async-io timer).
    /// `last`: the latest reading, what a task's suspension stamps its
    /// wait with (reading the clock there would cost every wait a system
    /// call; the loop reads it at each wait and around timers anyway).
    /// `start_ns`: the monotonic clock's reading (ns) at `start`.
    Real {
        start: Instant,
        start_ns: u64,
        last: Cell<u64>,
    },
    /// Jumps to the next deadline whenever every task waits.
    Virtual { now: u64 },
}

impl Clock {
    pub fn real() -> Clock {
        // Read first, so that `now_ns` never runs behind `start.elapsed()`:
        // a timer due by its `Instant` deadline is due by `now_ns` too.
        let start_ns = monotonic_ns();
        Clock::Real {
            start: Instant::now(),
            start_ns,
            last: Cell::new(0),
        }
    }
    pub fn virtual_clock() -> Clock {
        Clock::Virtual { now: 0 }
    }
    pub fn is_virtual(&self) -> bool {
        matches!(self, Clock::Virtual { .. })
    }
    pub fn now_ns(&self) -> u64 {
        match self {
            Clock::Real { start_ns, last, .. } => {
                let now = monotonic_ns().saturating_sub(*start_ns);
                last.set(now);
                now
            }
            Clock::Virtual { now } => *now,
        }
    }
    /// The latest reading, without reading the clock: at most as old as the
    /// loop's last wait, timer check or `sleep` (exact under virtual time).
    pub fn last_ns(&self) -> u64 {
        match self {
            Clock::Real { last, .. } => last.get(),
            Clock::Virtual { now } => *now,
        }
    }
    pub fn now_secs(&self) -> f64 {
        self.now_ns() as f64 / 1e9
    }
}

/// CLOCK_MONOTONIC in ns, the clock `Instant` reads on Linux (so readings
/// and `Instant` deadlines agree). Read directly rather than through
/// `Instant::elapsed`: the loop reads it at every step of a traced run,
/// and `elapsed`'s `Duration` arithmetic cost twice the read itself.
/// (glibc's `clock_gettime`, through the vDSO; rustix's own vDSO lookup
/// crashes under valgrind, which the benchmarks are measured with.)
fn monotonic_ns() -> u64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec; CLOCK_MONOTONIC exists on
    // every system `tasks` runs on, and if the call failed `t` stays zero.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut t) };
    (t.tv_sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(t.tv_nsec as u64)
}
