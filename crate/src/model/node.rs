//! The health of a node's host, as opposed to the protocol running on it:
//! up, crashed, paused (frozen: a GC pause, a stalled VM), or powered off by
//! fencing. Plus an optional clock skew that stretches the node's timers.

use crate::engine::time::SimTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Health {
    Up = 0,
    /// The process died; it restarts only by a timeline action.
    Crashed = 1,
    /// Frozen until `paused_until_us`: nothing runs, messages wait in the socket buffers.
    Paused = 2,
    /// Powered off by an external actor (STONITH); it stays off until powered on.
    PoweredOff = 3,
}

impl Health {
    pub const NAMES: [&'static str; 4] = ["up", "crashed", "paused", "off"];
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

#[derive(Clone, Debug)]
pub struct Host {
    pub health: Health,
    pub paused_until_us: SimTime,
    /// Clock rate error in parts per million: +50,000 makes every timer 5% longer.
    pub clock_skew_ppm: i32,
}

impl Default for Host {
    fn default() -> Self {
        Host { health: Health::Up, paused_until_us: 0, clock_skew_ppm: 0 }
    }
}

impl Host {
    /// A duration measured on this host's clock, in true time.
    pub fn skewed(&self, after_us: u64) -> u64 {
        if self.clock_skew_ppm == 0 {
            return after_us;
        }
        let scaled = i128::from(after_us) * i128::from(1_000_000 + i64::from(self.clock_skew_ppm)) / 1_000_000;
        scaled.clamp(0, i128::from(u64::MAX / 4)) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_stretches_and_shrinks_timers() {
        let mut h = Host::default();
        assert_eq!(h.skewed(1_000_000), 1_000_000);
        h.clock_skew_ppm = 50_000;
        assert_eq!(h.skewed(1_000_000), 1_050_000);
        h.clock_skew_ppm = -500_000;
        assert_eq!(h.skewed(1_000_000), 500_000);
    }
}
