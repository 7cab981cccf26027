//! The two clocks. Both count nanoseconds since the program started.

use std::time::Instant;

pub enum Clock {
    /// Wall time: waiting means really waiting (on an async-io timer).
    Real { start: Instant },
    /// Jumps to the next deadline whenever every task waits.
    Virtual { now: u64 },
}

impl Clock {
    pub fn real() -> Clock {
        Clock::Real {
            start: Instant::now(),
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
            Clock::Real { start } => start.elapsed().as_nanos() as u64,
            Clock::Virtual { now } => *now,
        }
    }
    pub fn now_secs(&self) -> f64 {
        self.now_ns() as f64 / 1e9
    }
}
