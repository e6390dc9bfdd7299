//! The run loop: pop the earliest event, hand it to the node's model, apply the
//! effects the model returns, record what happened. Bounded by an event budget
//! and the scenario's duration, so a bad parameter can never hang a tab.
//!
//! The loop and the node lifecycle are here; the rest is one concept per
//! module: `actions` (timeline steps and injected faults), `effects` (what a
//! handler asked for, sends included), `timers` (timer slots on host clocks),
//! `links` (link status changes), `facts` (the stage's per-node facts) and
//! `fingerprint` (the running hash of events).

mod actions;
mod effects;
mod facts;
mod fingerprint;
mod links;
mod timers;

use super::action::TimedAction;
use super::host::{Health, Host};
use super::queue::EventQueue;
use super::rng::{stream_name, Rng};
use super::time::{format_clock, SimTime};
use crate::ids::{LinkId, NodeId};
use crate::model::effect::{Cx, Effect};
use crate::model::msg::{Msg, TIMER_SLOTS};
use crate::model::AnyModel;
use crate::net::{LinkStatus, LinkStreams, Network};
use crate::trace::event::{Trace, TraceEvent};
use facts::FactLog;
use fingerprint::{event_word, mix};
use timers::{TimerSlot, OFF};

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
    /// A queueing link's backlog should have drained: look at its status again.
    LinkCheck { link: LinkId },
}

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
    /// Per link: a `LinkCheck` is queued (one at a time).
    link_check_queued: Vec<bool>,
    pub trace: Trace,
    /// How each node presents itself (`model/show.rs`), asked once at set-up.
    pub shows: Vec<crate::model::show::NodeShow>,
    /// What each node's shown facts were when last recorded.
    facts: FactLog,
    /// Whether the shown facts and the fingerprints are recorded. Neither is
    /// in the digest or the outcome (facts are a view for people, fingerprints
    /// find where two runs part), so a run measured only for its outcome skips
    /// asking every model for its facts after every handler and hashing every event.
    for_playback: bool,
    started: bool,
    finished: bool,
    /// Running hash of every event handled (see `Trace::fingerprints`).
    fingerprint: u64,
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
        let facts = FactLog::new(&shows);
        let link_status = vec![LinkStatus::Up; setup.network.links.len()];
        let link_check_queued = vec![false; setup.network.links.len()];
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
            link_check_queued,
            shows,
            facts,
            for_playback: true,
            trace: Trace {
                bucket_us: setup.bucket_us,
                // The projection is an upper bound, a few times the real count, and
                // a message takes about two events: reserve a share of it, capped.
                messages: Vec::with_capacity((setup.events_expected / 8).min(setup.messages_recorded_max).min(1_000_000) as usize),
                ..Trace::default()
            },
            started: false,
            finished: false,
            fingerprint: 0,
        }
    }

    /// Record neither shown facts nor fingerprints (`trace.facts` and
    /// `trace.fingerprints` stay empty): for runs measured only for their outcome
    /// (`replay::outcome`). Events, messages, digest and outcome are the same
    /// either way: a model's `facts` only reads its state, and the fingerprint
    /// only reads the events.
    pub fn outcome_only(mut self) -> Run {
        self.for_playback = false;
        self
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
            if self.for_playback {
                self.fingerprint = mix(mix(self.fingerprint, at_us), event_word(&event));
                if self.trace.event_count % crate::trace::event::FINGERPRINT_EVERY == 0 {
                    self.trace.fingerprints.push((at_us, self.fingerprint));
                }
            }
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
            Event::LinkCheck { link } => {
                self.link_check_queued[link.index()] = false;
                self.check_link(link);
            }
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
        if self.for_playback {
            self.record_facts(node);
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
}
