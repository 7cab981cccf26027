//! The two clocks. Both count nanoseconds since the program started.

use std::cell::Cell;
use std::time::Instant;

pub enum Clock {
    /// Wall time: waiting means really waiting (on an async-io timer).
    /// `last`: the latest reading, what a task's suspension stamps its
    /// wait with (reading the clock there would cost every wait a system
    /// call; the loop reads it at each wait and around timers anyway).
    Real { start: Instant, last: Cell<u64> },
    /// Jumps to the next deadline whenever every task waits.
    Virtual { now: u64 },
}

impl Clock {
    pub fn real() -> Clock {
        Clock::Real {
            start: Instant::now(),
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
            Clock::Real { start, last } => {
                let now = start.elapsed().as_nanos() as u64;
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
