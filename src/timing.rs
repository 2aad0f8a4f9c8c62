//! Wall time per phase, for `PORTOLAN_TIMINGS=1` and the benchmarks.

use std::time::{Duration, Instant};

/// Named phases and how long each took, in order.
pub type Laps = Vec<(&'static str, Duration)>;

/// Measures consecutive phases: each `lap` records the time since the last.
pub struct Clock {
    last: Instant,
    pub laps: Laps,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            last: Instant::now(),
            laps: Vec::new(),
        }
    }
}

impl Clock {
    pub fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        self.laps.push((name, now - self.last));
        self.last = now;
    }
}
