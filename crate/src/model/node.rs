//! The host a node's process runs on, as opposed to the protocol running on it:
//! its health (up, crashed, paused, powered off), its own clock, and an
//! optional hardware watchdog.
//!
//! - **Clock.** Every host keeps local time, which models read (`Cx::now_us`)
//!   and their timers run on. It starts equal to true time; `clock_skew` changes
//!   its rate and `clock_step` moves it, so a lease or a failure detector under
//!   drift behaves as on a real machine. At zero skew and no step, local time is
//!   true time.
//! - **Pause.** A paused *process* is frozen (a GC pause, SIGSTOP): it handles
//!   nothing until it thaws, and then finds its messages and overdue timers. The
//!   host's clock and its watchdog keep running.
//! - **Watchdog.** Armed by the process, kicked by it, and fired by the host in
//!   true time after its timeout, whatever the process is doing (running,
//!   paused, stalled or crashed): the host resets and the process restarts
//!   after a boot time (Patroni-style self-fencing).

use crate::engine::time::SimTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Health {
    Up = 0,
    /// The process died (or its host is resetting); it restarts by a timeline
    /// action or when a watchdog reset finishes booting.
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

const PPM: i128 = 1_000_000;

/// A host's clock: local time is `anchor_local_us` at true time
/// `anchor_true_us`, advancing `1e6 / (1e6 + slow_ppm)` local microseconds per
/// true one. `slow_ppm` +20,000 is a clock 2% slow: a one-second timer takes
/// 1.02 s of true time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    anchor_true_us: SimTime,
    anchor_local_us: SimTime,
    slow_ppm: i32,
}

impl Clock {
    pub fn slow_ppm(&self) -> i32 {
        self.slow_ppm
    }

    /// Local time at true time `true_us` (not before the anchor).
    #[inline]
    pub fn local(&self, true_us: SimTime) -> SimTime {
        let elapsed = true_us.saturating_sub(self.anchor_true_us);
        self.anchor_local_us.saturating_add(self.to_local_duration(elapsed))
    }

    #[inline]
    fn to_local_duration(&self, true_us: u64) -> u64 {
        if self.slow_ppm == 0 {
            return true_us;
        }
        clamp(i128::from(true_us) * PPM / (PPM + i128::from(self.slow_ppm)))
    }

    /// True time a duration measured on this clock takes.
    #[inline]
    pub fn to_true_duration(&self, local_us: u64) -> u64 {
        if self.slow_ppm == 0 {
            return local_us;
        }
        clamp(i128::from(local_us) * (PPM + i128::from(self.slow_ppm)) / PPM)
    }

    /// The true time at which this clock reads `local_us`, or `now_us` if it
    /// already has (after a step forward).
    pub fn true_at(&self, local_us: SimTime, now_us: SimTime) -> SimTime {
        let ahead = local_us.saturating_sub(self.local(now_us));
        now_us.saturating_add(self.to_true_duration(ahead))
    }

    /// From true time `now_us` on, run at a new rate (local time is continuous).
    pub fn set_rate(&mut self, now_us: SimTime, slow_ppm: i32) {
        self.anchor_local_us = self.local(now_us);
        self.anchor_true_us = now_us;
        self.slow_ppm = slow_ppm;
    }

    /// Step local time by `by_us` (backwards when negative), as an NTP step or
    /// an operator's `date -s` does.
    pub fn step(&mut self, now_us: SimTime, by_us: i64) {
        let local = self.local(now_us);
        self.anchor_local_us = if by_us >= 0 { local.saturating_add(by_us as u64) } else { local.saturating_sub(by_us.unsigned_abs()) };
        self.anchor_true_us = now_us;
    }
}

fn clamp(v: i128) -> u64 {
    v.clamp(0, i128::from(u64::MAX / 4)) as u64
}

/// A hardware watchdog the process armed: it fires at `deadline_us` (true
/// time) unless kicked first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Watchdog {
    pub timeout_us: u64,
    /// From the reset to the process running again.
    pub boot_us: u64,
    pub deadline_us: SimTime,
}

#[derive(Clone, Debug)]
pub struct Host {
    pub health: Health,
    pub paused_until_us: SimTime,
    pub clock: Clock,
    pub watchdog: Option<Watchdog>,
}

impl Default for Host {
    fn default() -> Self {
        Host { health: Health::Up, paused_until_us: 0, clock: Clock::default(), watchdog: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_clock_stretches_timers_and_lags_true_time() {
        let mut c = Clock::default();
        assert_eq!(c.to_true_duration(1_000_000), 1_000_000);
        assert_eq!(c.local(5_000_000), 5_000_000);
        c.set_rate(10_000_000, 50_000);
        assert_eq!(c.to_true_duration(1_000_000), 1_050_000);
        assert_eq!(c.local(10_000_000), 10_000_000, "local time is continuous at a rate change");
        assert_eq!(c.local(11_050_000), 11_000_000);
        c.set_rate(11_050_000, -500_000);
        assert_eq!(c.to_true_duration(1_000_000), 500_000);
    }

    #[test]
    fn a_step_moves_local_time_and_pending_deadlines_come_sooner_or_later() {
        let mut c = Clock::default();
        c.step(1_000_000, 2_000_000);
        assert_eq!(c.local(1_000_000), 3_000_000);
        // A timer due at local 4 s now fires at true 2 s.
        assert_eq!(c.true_at(4_000_000, 1_000_000), 2_000_000);
        // One due at local 2 s is overdue: it fires now.
        assert_eq!(c.true_at(2_000_000, 1_000_000), 1_000_000);
        c.step(1_000_000, -3_000_000);
        assert_eq!(c.local(1_500_000), 500_000);
    }
}
