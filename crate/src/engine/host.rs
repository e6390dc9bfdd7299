//! The host a node's process runs on, as opposed to the protocol running on it:
//! its health (up, crashed, paused, powered off), its own clock, and an
//! optional hardware watchdog.
//!
//! - **Clock.** Every host keeps local time, which models read (`Cx::now_us`)
//!   and their timers run on. It starts equal to true time; `clock_skew` changes
//!   its rate and `clock_step` moves it, so a lease or a failure detector under
//!   drift behaves as on a real machine. At zero skew and no step, local time is
//!   true time.
//!   Its monotonic clock (`Cx::mono_us`) runs at the same rate but ignores
//!   steps, as `CLOCK_MONOTONIC` does.
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
    /// Every step so far, summed: the monotonic clock is local time without them.
    stepped_us: i64,
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

    /// The host's monotonic clock at true time `true_us` (`CLOCK_MONOTONIC`):
    /// it runs at the same rate as local time but a step never moves it, so
    /// a daemon measuring silence with it is not fooled by `date -s`.
    #[inline]
    pub fn monotonic(&self, true_us: SimTime) -> SimTime {
        let local = self.local(true_us);
        if self.stepped_us >= 0 {
            local.saturating_sub(self.stepped_us as u64)
        } else {
            local.saturating_add(self.stepped_us.unsigned_abs())
        }
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
        self.stepped_us = self.stepped_us.saturating_add(by_us);
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

impl Host {
    /// The process arms the watchdog: it fires `timeout_us` from now unless
    /// kicked. Returns the deadline, when the engine must look again.
    pub fn arm_watchdog(&mut self, now_us: SimTime, timeout_us: u64, boot_us: u64) -> SimTime {
        let deadline_us = now_us.saturating_add(timeout_us);
        self.watchdog = Some(Watchdog { timeout_us, boot_us, deadline_us });
        deadline_us
    }

    /// The process kicks an armed watchdog: its deadline moves a timeout from
    /// now (returned); an unarmed one stays unarmed.
    pub fn kick_watchdog(&mut self, now_us: SimTime) -> Option<SimTime> {
        let w = self.watchdog.as_mut()?;
        w.deadline_us = now_us.saturating_add(w.timeout_us);
        Some(w.deadline_us)
    }

    /// A watchdog look-up comes due at `now_us`: if the watchdog was not kicked
    /// or re-armed since, it fires and is gone, and the boot time is returned
    /// (the engine resets the host and boots it that much later).
    pub fn watchdog_fires(&mut self, now_us: SimTime) -> Option<u64> {
        let w = self.watchdog?;
        if w.deadline_us != now_us {
            return None; // kicked or re-armed since this wake-up was queued
        }
        self.watchdog = None;
        Some(w.boot_us)
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
        assert_eq!(c.monotonic(1_500_000), 1_500_000, "a step does not move the monotonic clock");
        c.step(1_000_000, -3_000_000);
        assert_eq!(c.local(1_500_000), 500_000);
        assert_eq!(c.monotonic(1_500_000), 1_500_000);
    }
}

#[cfg(test)]
mod watchdog_tests {
    //! The host effects on the real run loop: watchdog resets, host-clock timers.
    use super::super::run::{Run, Setup};
    use super::*;
    use crate::engine::action::{Action, TimedAction};
    use crate::ids::NodeId;
    use crate::model::effect::{Cx, Effect};
    use crate::net::Network;
    use crate::trace::event::TraceEvent;
    use crate::model::msg::NoMsg;
    use crate::model::workload::ClientTimer;
    use crate::model::Model;

    const KICK_GAUGE: u16 = 0;
    const RESTART_GAUGE: u16 = 1;

    /// Arms a 3 s watchdog at start and kicks it every second; reports each
    /// kick's local time and each restart as gauges.
    #[derive(Debug, Default)]
    struct Kicker {
        restarts: i64,
    }

    impl Kicker {
        fn arm(&mut self, cx: &mut Cx) {
            cx.emit(Effect::WatchdogArm { timeout_us: 3_000_000, boot_us: 10_000_000 });
            cx.set_timer(ClientTimer::Issue, 1_000_000);
        }
    }

    impl Model for Kicker {
        type Msg = NoMsg;
        type Timer = ClientTimer;
        type Command = crate::model::msg::Command;

        fn start(&mut self, cx: &mut Cx) {
            self.arm(cx);
        }
        fn restart(&mut self, cx: &mut Cx) {
            self.restarts += 1;
            cx.emit(Effect::Gauge { gauge: RESTART_GAUGE, value: self.restarts });
            self.arm(cx);
        }
        fn on_message(&mut self, _cx: &mut Cx, _from: NodeId, msg: NoMsg) {
            match msg {}
        }
        fn on_timer(&mut self, cx: &mut Cx, _timer: ClientTimer) {
            cx.emit(Effect::Gauge { gauge: KICK_GAUGE, value: cx.now_us as i64 });
            cx.emit(Effect::WatchdogKick);
            cx.set_timer(ClientTimer::Issue, 1_000_000);
        }
    }

    fn run_with(action: Action, at_us: u64) -> Run {
        let setup = Setup {
            node_names: vec!["a".into()],
            models: vec![Box::new(Kicker::default())],
            network: Network::new(vec!["p".into()], vec![], vec![], 1),
            actions: vec![TimedAction { at_us, action, step_index: 0 }],
            end_us: 60_000_000,
            events_max: 100_000,
            bucket_us: 1_000_000,
            messages_recorded_max: 0,
            events_expected: 0,
            seed: 1,
        };
        let mut run = Run::new(setup);
        run.run_to_end().unwrap();
        run
    }

    fn health_changes(run: &Run) -> Vec<(u64, Health)> {
        let changes = run.trace.events.iter().filter_map(|e| match *e {
            TraceEvent::Health { at_us, health, .. } if at_us > 0 => Some((at_us, health)),
            _ => None,
        });
        changes.collect()
    }

    fn gauge(run: &Run, id: u16) -> Vec<i64> {
        let values = run.trace.events.iter().filter_map(|e| match *e {
            TraceEvent::Gauge { gauge, value, .. } if gauge == id => Some(value),
            _ => None,
        });
        values.collect()
    }

    #[test]
    fn a_watchdog_resets_a_paused_process_in_true_time_and_it_boots_again() {
        let run = run_with(Action::Pause { node: NodeId(0), duration_us: 20_000_000 }, 10_500_000);
        // Last kick at 10 s; the watchdog fires at 13 s although the process is
        // frozen until 30.5 s; the host boots 10 s later and the process re-arms.
        assert_eq!(health_changes(&run), vec![(10_500_000, Health::Paused), (13_000_000, Health::Crashed), (23_000_000, Health::Up)]);
        assert_eq!(gauge(&run, RESTART_GAUGE), vec![1]);
    }

    #[test]
    fn a_kicked_watchdog_never_fires_and_a_short_pause_is_survived() {
        let run = run_with(Action::Pause { node: NodeId(0), duration_us: 1_500_000 }, 10_500_000);
        assert_eq!(health_changes(&run), vec![(10_500_000, Health::Paused), (12_000_000, Health::Up)]);
        assert!(gauge(&run, RESTART_GAUGE).is_empty());
    }

    #[test]
    fn a_crashed_process_is_restarted_by_its_watchdog() {
        let run = run_with(Action::Crash(NodeId(0)), 10_500_000);
        assert_eq!(health_changes(&run), vec![(10_500_000, Health::Crashed), (23_000_000, Health::Up)]);
    }

    #[test]
    fn timers_run_on_the_host_clock() {
        // 2% slow from 10 s: kicks every 1.02 s of true time, each a local second apart.
        let run = run_with(Action::ClockSkew { node: NodeId(0), ppm: 20_000 }, 10_000_000);
        let kicks = gauge(&run, KICK_GAUGE);
        assert!(kicks.windows(2).all(|w| w[1] - w[0] == 1_000_000), "{kicks:?}");
        // The 50 true seconds after the skew are about 49 local ones.
        assert_eq!(kicks.last().copied(), Some(59_000_000));
        // A 5 s step forward makes the pending kick come due at once.
        let run = run_with(Action::ClockStep { node: NodeId(0), by_us: 5_000_000 }, 10_500_000);
        assert_eq!(&gauge(&run, KICK_GAUGE)[9..12], &[10_000_000, 15_500_000, 16_500_000]);
    }
}
