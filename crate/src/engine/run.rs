//! The run loop: pop the earliest event, hand it to the node's model, apply the
//! effects the model returns, record what happened. Bounded by an event budget
//! and the scenario's duration, so a bad parameter can never hang a tab.

use super::action::{Action, TimedAction};
use super::host::{Health, Host};
use super::queue::EventQueue;
use super::rng::{stream_name, Rng};
use super::time::{format_clock, SimTime};
use crate::ids::{LinkId, NodeId, PlaneId};
use crate::model::effect::{Cx, Effect};
use crate::model::msg::{Msg, Timer, TIMER_SLOTS};
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
    /// How each node presents itself (`model/show.rs`), asked once at set-up.
    pub shows: Vec<crate::model::show::NodeShow>,
    /// Last recorded value of every node's facts: node `i`'s start at `fact_base[i]`.
    fact_last: Vec<i64>,
    fact_base: Vec<usize>,
    fact_scratch: Vec<i64>,
    started: bool,
    finished: bool,
}

impl Run {
    pub fn new(setup: Setup) -> Run {
        // Each node's stream is keyed by its name, so inserting a node leaves
        // every other node's draws unchanged.
        let nodes: Vec<NodeRuntime> = setup
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
        let shows: Vec<_> = nodes.iter().map(|n| n.model.show()).collect();
        let fact_base: Vec<usize> = shows.iter().scan(0, |at, s| { let base = *at; *at += s.facts.len(); Some(base) }).collect();
        let fact_last = vec![crate::model::show::FACT_NONE; shows.iter().map(|s| s.facts.len()).sum()];
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
            shows,
            fact_last,
            fact_base,
            fact_scratch: Vec::with_capacity(crate::model::show::FACTS_MAX),
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
        let Some(boot_us) = self.nodes[node.index()].host.watchdog_fires(now) else { return };
        self.set_health(node, Health::Crashed);
        self.queue.push(now.saturating_add(boot_us), Event::Boot { node });
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
            let clock = rt.host.clock;
            let mut cx = Cx { now_us: clock.local(self.now_us), mono_us: clock.monotonic(self.now_us), me: node, rng: &mut rt.rng, out: &mut out };
            handler(&mut rt.model, &mut cx);
        }
        for effect in out.drain(..) {
            self.apply(node, effect);
        }
        self.scratch = out;
        self.record_facts(node);
    }

    /// Ask the node's model for its shown facts and record those that changed.
    fn record_facts(&mut self, node: NodeId) {
        let i = node.index();
        let count = self.shows[i].facts.len();
        if count == 0 || self.trace.facts_truncated {
            return;
        }
        let rt = &self.nodes[i];
        let mut values = std::mem::take(&mut self.fact_scratch);
        values.clear();
        rt.model.facts(rt.host.clock.local(self.now_us), &mut values);
        let base = self.fact_base[i];
        for (f, &v) in values.iter().take(count).enumerate() {
            if self.fact_last[base + f] != v {
                self.fact_last[base + f] = v;
                if self.trace.facts.len() >= crate::trace::facts::FACT_CHANGES_MAX {
                    self.trace.facts_truncated = true;
                    break;
                }
                self.trace.facts.push(crate::trace::event::FactChange { at_us: self.now_us, node, fact: f as u8, value: v });
            }
        }
        self.fact_scratch = values;
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
                let deadline_us = self.nodes[node.index()].host.arm_watchdog(now, timeout_us, boot_us);
                self.queue.push(deadline_us, Event::Watchdog { node });
            }
            Effect::WatchdogKick => {
                if let Some(deadline_us) = self.nodes[node.index()].host.kick_watchdog(now) {
                    self.queue.push(deadline_us, Event::Watchdog { node });
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
        let step_index = self.actions[index as usize].step_index;
        self.trace.events.push(TraceEvent::Step { at_us: now, index: step_index });
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
