//! The run loop: pop the earliest event, hand it to the node's model, apply the
//! effects the model returns, record what happened. Bounded by an event budget
//! and the scenario's duration, so a bad parameter can never hang a tab.

use super::action::{Action, Origin, TimedAction};
use super::queue::EventQueue;
use super::rng::{stream_name, Rng};
use super::time::{format_clock, SimTime};
use crate::ids::{LinkId, NodeId, PlaneId};
use crate::model::effect::{Cx, Effect};
use crate::model::msg::{Msg, Timer, TIMER_SLOTS};
use crate::model::node::{Health, Host, Watchdog};
use crate::model::AnyModel;
use crate::net::{cut, Drop, LinkStatus, LinkStreams, Network};
use crate::trace::event::{Fate, MessageRecord, Trace, TraceEvent};

/// Everything a run needs, already resolved from a scenario.
pub struct Setup {
    pub node_names: Vec<String>,
    pub models: Vec<AnyModel>,
    pub network: Network,
    pub actions: Vec<TimedAction>,
    pub end_us: SimTime,
    pub events_max: u64,
    pub bucket_us: u64,
    pub messages_recorded_max: u64,
    /// The scenario's own estimate of the events it needs (0 if unknown): the
    /// message record is sized from it once instead of growing by copies.
    pub events_expected: u64,
    pub seed: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunError {
    EventBudget { events_max: u64, at_us: SimTime },
    /// More than `queue::PENDING_MAX` events waited at once.
    PendingBudget { at_us: SimTime },
    /// The trace grew past `scenario::cost::TRACE_EVENTS_MAX` events.
    TraceBudget { at_us: SimTime },
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::EventBudget { events_max, at_us } => write!(
                f,
                "the run needed more than {events_max} events (stopped at {} simulated); \
                 a timeout or interval is too small for this scenario, or raise limits.events_max",
                format_clock(*at_us)
            ),
            RunError::PendingBudget { at_us } => write!(
                f,
                "more than {} events were waiting at once (at {} simulated): messages or timers are scheduled faster \
                 than they happen; a rate is too high or a latency or timeout too long for this scenario",
                super::queue::PENDING_MAX,
                format_clock(*at_us)
            ),
            RunError::TraceBudget { at_us } => write!(
                f,
                "the run recorded more than {} trace events (at {} simulated); fewer nodes, gauges or steps",
                crate::scenario::cost::TRACE_EVENTS_MAX,
                format_clock(*at_us)
            ),
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Event {
    Deliver { to: NodeId, from: NodeId, msg: Msg },
    /// A timer slot's wake-up; stale when the slot's deadline moved.
    Wake { node: NodeId, slot: u8 },
    Action { index: u32 },
    /// A paused node thaws.
    Resume { node: NodeId },
    /// A host's watchdog comes due; stale when it was kicked or disarmed since.
    Watchdog { node: NodeId },
    /// A host reset by its watchdog has booted: the process starts again.
    Boot { node: NodeId },
}

/// Engine-side timer bookkeeping: setting a later deadline never touches the
/// queue (the earlier wake-up re-arms itself), which keeps heartbeat-reset
/// timers cheap.
#[derive(Clone, Copy)]
struct TimerSlot {
    /// True time the timer fires.
    deadline_us: SimTime,
    /// The same deadline on the host's clock, so it can be re-derived when the
    /// clock changes rate or steps.
    local_deadline_us: SimTime,
    /// Earliest wake-up in the queue for this slot.
    queued_us: SimTime,
    timer: Option<Timer>,
}

const OFF: SimTime = SimTime::MAX;

struct NodeRuntime {
    host: Host,
    model: AnyModel,
    rng: Rng,
    timers: [TimerSlot; TIMER_SLOTS],
}

pub struct Run {
    pub node_names: Vec<String>,
    nodes: Vec<NodeRuntime>,
    pub network: Network,
    /// One stream per directed link and per device on a link (common random numbers).
    link_streams: LinkStreams,
    actions: Vec<TimedAction>,
    queue: EventQueue<Event>,
    now_us: SimTime,
    end_us: SimTime,
    events_max: u64,
    messages_recorded_max: u64,
    /// Reused effect buffer: handlers write here, the loop drains it.
    scratch: Vec<Effect>,
    link_status: Vec<LinkStatus>,
    pub trace: Trace,
    started: bool,
    finished: bool,
}

impl Run {
    pub fn new(setup: Setup) -> Run {
        // Each node's stream is keyed by its name, so inserting a node leaves
        // every other node's draws unchanged.
        let nodes = setup
            .models
            .into_iter()
            .enumerate()
            .map(|(i, model)| NodeRuntime {
                host: Host::default(),
                model,
                rng: Rng::for_name(setup.seed, &stream_name::node(setup.node_names.get(i).map_or("?", String::as_str))),
                timers: [TimerSlot { deadline_us: OFF, local_deadline_us: OFF, queued_us: OFF, timer: None }; TIMER_SLOTS],
            })
            .collect();
        let link_status = vec![LinkStatus::Up; setup.network.links.len()];
        let link_streams = LinkStreams::new(setup.seed, &setup.network, &setup.node_names);
        let mut queue = EventQueue::default();
        for (i, a) in setup.actions.iter().enumerate() {
            queue.push(a.at_us, Event::Action { index: i as u32 });
        }
        Run {
            node_names: setup.node_names,
            nodes,
            network: setup.network,
            link_streams,
            actions: setup.actions,
            queue,
            now_us: 0,
            end_us: setup.end_us,
            events_max: setup.events_max,
            messages_recorded_max: setup.messages_recorded_max,
            scratch: Vec::with_capacity(64),
            link_status,
            trace: Trace {
                bucket_us: setup.bucket_us,
                // The projection is an upper bound, a few times the real count, and
                // a message takes about two events: reserve a share of it, capped.
                messages: Vec::with_capacity((setup.events_expected / 8).min(setup.messages_recorded_max).min(1_000_000) as usize),
                ..Trace::default()
            },
            started: false,
            finished: false,
        }
    }

    pub fn now_us(&self) -> SimTime {
        self.now_us
    }

    pub fn end_us(&self) -> SimTime {
        self.end_us
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn health(&self, node: NodeId) -> Health {
        self.nodes[node.index()].host.health
    }

    pub fn model(&self, node: NodeId) -> &AnyModel {
        &self.nodes[node.index()].model
    }

    /// Run to the end of the scenario (or an `end` action).
    pub fn run_to_end(&mut self) -> Result<(), RunError> {
        self.run_until(self.end_us)
    }

    /// Process every event up to and including `until_us`.
    pub fn run_until(&mut self, until_us: SimTime) -> Result<(), RunError> {
        if !self.started {
            self.started = true;
            self.record_link_changes();
            for i in 0..self.nodes.len() {
                self.trace.events.push(TraceEvent::Health { at_us: 0, node: NodeId(i as u32), health: Health::Up });
                self.dispatch(NodeId(i as u32), |model, cx| model.start(cx));
            }
        }
        let until_us = until_us.min(self.end_us);
        while !self.finished {
            match self.queue.peek_time() {
                Some(t) if t <= until_us => {}
                _ => break,
            }
            let Some((at_us, event)) = self.queue.pop() else { break };
            self.trace.event_count += 1;
            if self.trace.event_count > self.events_max {
                return Err(RunError::EventBudget { events_max: self.events_max, at_us });
            }
            self.now_us = at_us;
            self.handle(event);
            if self.queue.overflowed() {
                return Err(RunError::PendingBudget { at_us });
            }
            if self.trace.events.len() as u64 > crate::scenario::cost::TRACE_EVENTS_MAX {
                return Err(RunError::TraceBudget { at_us });
            }
        }
        if !self.finished {
            self.now_us = self.now_us.max(until_us);
        }
        self.trace.end_us = self.now_us;
        Ok(())
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Deliver { to, from, msg } => {
                let host = &self.nodes[to.index()].host;
                match host.health {
                    Health::Up => self.dispatch(to, |model, cx| model.on_message(cx, from, msg)),
                    // A frozen process finds the message in its socket buffer when it thaws.
                    Health::Paused => self.queue.push(host.paused_until_us, event),
                    Health::Crashed | Health::PoweredOff => {}
                }
            }
            Event::Wake { node, slot } => self.wake(node, slot as usize),
            Event::Action { index } => self.apply_action(index),
            Event::Resume { node } => {
                let host = &mut self.nodes[node.index()].host;
                if host.health == Health::Paused && host.paused_until_us <= self.now_us {
                    self.set_health(node, Health::Up);
                }
            }
            Event::Watchdog { node } => self.watchdog_due(node),
            Event::Boot { node } => {
                if self.nodes[node.index()].host.health == Health::Crashed {
                    self.set_health(node, Health::Up);
                }
            }
        }
    }

    /// A watchdog that was not kicked in time resets its host, whatever the
    /// process is doing; the process comes back after the boot time.
    fn watchdog_due(&mut self, node: NodeId) {
        let now = self.now_us;
        let host = &mut self.nodes[node.index()].host;
        let Some(w) = host.watchdog else { return };
        if w.deadline_us != now {
            return; // kicked or re-armed since this wake-up was queued
        }
        host.watchdog = None;
        self.set_health(node, Health::Crashed);
        self.queue.push(now.saturating_add(w.boot_us), Event::Boot { node });
    }

    fn wake(&mut self, node: NodeId, slot: usize) {
        let now = self.now_us;
        let rt = &mut self.nodes[node.index()];
        let s = &mut rt.timers[slot];
        if s.queued_us == now {
            s.queued_us = OFF;
        }
        if s.deadline_us == OFF {
            return;
        }
        if s.deadline_us > now {
            if s.queued_us > s.deadline_us {
                s.queued_us = s.deadline_us;
                self.queue.push(s.deadline_us, Event::Wake { node, slot: slot as u8 });
            }
            return;
        }
        match rt.host.health {
            Health::Up => {}
            Health::Paused => {
                // Fires when the node thaws, like a timer in a stopped process.
                s.deadline_us = rt.host.paused_until_us;
                if s.queued_us > s.deadline_us {
                    s.queued_us = s.deadline_us;
                    self.queue.push(s.deadline_us, Event::Wake { node, slot: slot as u8 });
                }
                return;
            }
            Health::Crashed | Health::PoweredOff => {
                s.deadline_us = OFF;
                return;
            }
        }
        s.deadline_us = OFF;
        if let Some(timer) = s.timer {
            self.dispatch(node, |model, cx| model.on_timer(cx, timer));
        }
    }

    /// Run one handler of one node's model and apply what it asked for.
    fn dispatch(&mut self, node: NodeId, handler: impl FnOnce(&mut AnyModel, &mut Cx)) {
        let mut out = std::mem::take(&mut self.scratch);
        {
            let rt = &mut self.nodes[node.index()];
            let mut cx = Cx { now_us: rt.host.clock.local(self.now_us), me: node, rng: &mut rt.rng, out: &mut out };
            handler(&mut rt.model, &mut cx);
        }
        for effect in out.drain(..) {
            self.apply(node, effect);
        }
        self.scratch = out;
    }

    fn apply(&mut self, node: NodeId, effect: Effect) {
        let now = self.now_us;
        match effect {
            Effect::Send { to, plane, msg, bytes } => self.send(node, to, plane, msg, bytes),
            Effect::SetTimer { timer, after_us } => {
                let rt = &mut self.nodes[node.index()];
                let clock = rt.host.clock;
                let slot = timer.slot();
                let s = &mut rt.timers[slot];
                s.deadline_us = now.saturating_add(clock.to_true_duration(after_us));
                s.local_deadline_us = clock.local(now).saturating_add(after_us);
                s.timer = Some(timer);
                self.queue_wake(node, slot);
            }
            Effect::CancelTimer { timer } => {
                self.nodes[node.index()].timers[timer.slot()].deadline_us = OFF;
            }
            Effect::Role { group, role, epoch } => {
                self.trace.events.push(TraceEvent::Role { at_us: now, node, group, role, epoch });
            }
            Effect::Acked { write_id } => self.trace.events.push(TraceEvent::Acked { at_us: now, node, write_id }),
            Effect::Discarded { write_id } => {
                self.trace.events.push(TraceEvent::Discarded { at_us: now, node, write_id })
            }
            Effect::RequestDone { ok, latency_us, .. } => self.trace.request_done(now, ok, latency_us),
            Effect::Gauge { gauge, value } => self.trace.events.push(TraceEvent::Gauge { at_us: now, node, gauge, value }),
            Effect::DataLost { from_us, to_us, writes } => {
                self.trace.events.push(TraceEvent::DataLost { at_us: now, node, from_us, to_us, writes })
            }
            Effect::PowerOff { target } => {
                if target.index() < self.nodes.len() {
                    self.set_health(target, Health::PoweredOff);
                }
            }
            Effect::PowerOn { target } => {
                if self.nodes.get(target.index()).is_some_and(|rt| rt.host.health == Health::PoweredOff) {
                    self.set_health(target, Health::Up);
                }
            }
            Effect::WatchdogArm { timeout_us, boot_us } => {
                let deadline_us = now.saturating_add(timeout_us);
                self.nodes[node.index()].host.watchdog = Some(Watchdog { timeout_us, boot_us, deadline_us });
                self.queue.push(deadline_us, Event::Watchdog { node });
            }
            Effect::WatchdogKick => {
                if let Some(w) = self.nodes[node.index()].host.watchdog.as_mut() {
                    w.deadline_us = now.saturating_add(w.timeout_us);
                    let at = w.deadline_us;
                    self.queue.push(at, Event::Watchdog { node });
                }
            }
            Effect::WatchdogStop => self.nodes[node.index()].host.watchdog = None,
        }
    }

    /// Make sure a wake-up is queued no later than the slot's deadline (a later
    /// one re-arms itself when it fires early).
    fn queue_wake(&mut self, node: NodeId, slot: usize) {
        let s = &mut self.nodes[node.index()].timers[slot];
        if s.deadline_us != OFF && s.queued_us > s.deadline_us {
            s.queued_us = s.deadline_us;
            self.queue.push(s.deadline_us, Event::Wake { node, slot: slot as u8 });
        }
    }

    /// The host's clock changed rate or stepped: pending timers fire when the
    /// clock reads their deadline, so their true deadlines move.
    fn clock_changed(&mut self, node: NodeId) {
        let now = self.now_us;
        let rt = &mut self.nodes[node.index()];
        let clock = rt.host.clock;
        for s in rt.timers.iter_mut().filter(|s| s.deadline_us != OFF) {
            s.deadline_us = clock.true_at(s.local_deadline_us, now);
        }
        for slot in 0..TIMER_SLOTS {
            self.queue_wake(node, slot);
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, plane: PlaneId, msg: Msg, bytes: u32) {
        let now = self.now_us;
        let (_, fate) = self.network.transmit(now, from, to, plane, u64::from(bytes), &mut self.link_streams);
        let (end_us, fate) = match fate {
            Ok(at) => {
                self.queue.push(at, Event::Deliver { to, from, msg });
                (at, Fate::Delivered)
            }
            Err(Drop::Cut | Drop::NoRoute) => (now, Fate::Cut),
            // A dropped packet is drawn dying halfway; it never arrives.
            Err(Drop::Device(_)) => (now, Fate::DeviceDrop),
            Err(Drop::Loss) => (now, Fate::Loss),
        };
        if (self.trace.messages.len() as u64) < self.messages_recorded_max {
            self.trace.flight_max_us = self.trace.flight_max_us.max(end_us - now);
            self.trace.messages.push(MessageRecord {
                sent_us: now,
                end_us,
                from,
                to,
                plane: plane.0,
                kind: msg.kind(),
                fate,
            });
        } else {
            self.trace.messages_unrecorded += 1;
        }
    }

    fn set_health(&mut self, node: NodeId, health: Health) {
        let now = self.now_us;
        let rt = &mut self.nodes[node.index()];
        if rt.host.health == health {
            return;
        }
        let was = rt.host.health;
        rt.host.health = health;
        self.trace.events.push(TraceEvent::Health { at_us: now, node, health });
        match health {
            Health::Crashed | Health::PoweredOff => {
                // Volatile state is gone: no timer survives. Without power the
                // watchdog is off too; a crashed process's watchdog keeps counting.
                for s in rt.timers.iter_mut() {
                    s.deadline_us = OFF;
                }
                if health == Health::PoweredOff {
                    rt.host.watchdog = None;
                }
            }
            Health::Up if matches!(was, Health::Crashed | Health::PoweredOff) => {
                self.dispatch(node, |model, cx| model.restart(cx));
            }
            Health::Up | Health::Paused => {}
        }
    }

    fn apply_action(&mut self, index: u32) {
        let now = self.now_us;
        self.trace.events.push(match self.actions[index as usize].origin {
            Origin::Step(index) => TraceEvent::Step { at_us: now, index },
            Origin::Injected(index) => TraceEvent::Injected { at_us: now, index },
        });
        let action = self.actions[index as usize].action.clone();
        match action {
            Action::Note => {}
            Action::Crash(n) => self.set_health(n, Health::Crashed),
            Action::PowerOff(n) => self.set_health(n, Health::PoweredOff),
            Action::Restart(n) | Action::PowerOn(n) => self.set_health(n, Health::Up),
            Action::Pause { node, duration_us } => {
                if self.nodes[node.index()].host.health == Health::Up {
                    let until = now.saturating_add(duration_us);
                    self.nodes[node.index()].host.paused_until_us = until;
                    self.set_health(node, Health::Paused);
                    self.queue.push(until, Event::Resume { node });
                }
            }
            Action::ClockSkew { node, ppm } => {
                self.nodes[node.index()].host.clock.set_rate(now, ppm);
                self.clock_changed(node);
            }
            Action::ClockStep { node, by_us } => {
                self.nodes[node.index()].host.clock.step(now, by_us);
                self.clock_changed(node);
            }
            Action::Cut { from, to, planes, both_ways, cut } => {
                cut::set_one_way(&mut self.network, from, to, &planes, cut);
                if both_ways {
                    cut::set_one_way(&mut self.network, to, from, &planes, cut);
                }
            }
            Action::Netem { from, to, planes, both_ways, loss_ppm, delay_us } => {
                cut::set_netem(&mut self.network, from, to, &planes, loss_ppm, delay_us);
                if both_ways {
                    cut::set_netem(&mut self.network, to, from, &planes, loss_ppm, delay_us);
                }
            }
            Action::Partition { groups, planes } => cut::set_partition(&mut self.network, &groups, &planes, true),
            Action::HealAll => cut::heal_all(&mut self.network),
            Action::DeviceFault { device, fault } => self.network.devices[device.index()].fault = fault,
            Action::Command { nodes, command } => {
                for n in nodes {
                    if self.nodes[n.index()].host.health == Health::Up {
                        self.dispatch(n, |model, cx| model.on_command(cx, command));
                    }
                }
            }
            Action::End => {
                self.finished = true;
                self.end_us = now;
            }
        }
        self.record_link_changes();
    }

    fn record_link_changes(&mut self) {
        for i in 0..self.link_status.len() {
            let status = self.network.status(LinkId(i as u32), self.now_us);
            if status != self.link_status[i] {
                self.link_status[i] = status;
                self.trace.events.push(TraceEvent::Link { at_us: self.now_us, link: LinkId(i as u32), status });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        type Command = crate::model::command::NoCommand;

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
            actions: vec![TimedAction { at_us, action, origin: Origin::Step(0) }],
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
