//! NVIDIA AIStore's control plane and object placement as a sans-IO state
//! machine: proxies (gateways, one of them primary) and targets (storage).
//!
//! - **Smap** (`smap.rs`): only the primary publishes the cluster map; it is
//!   immutable with a monotonic version, and every node keeps its own copy
//!   (AIStore docs, HA). A client may talk to any proxy; the proxy sends the
//!   object to the target that owns it by HRW over the map *it* holds.
//! - **Keepalives and elections** (`election.rs`): every node sends the primary
//!   a keepalive each interval; the primary drops members it has not heard
//!   from; a node that has not reached the primary asks the next candidate by
//!   HRW over its map to run. The candidate pings the old primary and stands
//!   down if it answers; voters say yes only if they too find the primary
//!   overdue and agree on the candidate; errors count as no; yes > no (or no
//!   answer at all) wins; the commit distributes a map with version +100
//!   (AIStore source, `ais/vote.go`).
//! - **The trigger** (`tcp_mem.rs`): each host's TCP memory budget, filled by
//!   the node's own traffic, drops control messages under pressure. The
//!   kubelet's liveness probe on each host (`probe.rs`) kills and restarts a
//!   node after consecutive failed probes; a restarted node keeps its map and
//!   objects on disk and rejoins the newest map it discovers.
//! - **Islands and reunification** (`data.rs`, `election.rs`): when two
//!   primaries survive, each island's map diverges and its clients' objects
//!   land on its own targets only. `ais cluster set-primary --force`
//!   (`Command::ForceActive` on a proxy) gathers every island's map and
//!   publishes one with version max(all) + 100 (AIStore source); with v3.26's
//!   reunification nodes of the other island accept it, then objects whose HRW
//!   owner moved are misplaced until a rebalance moves them.

mod data;
mod election;
mod msg;
mod probe;
mod show;
pub mod smap;
pub mod tcp_mem;

pub use msg::{AisInbox, AisMsg, AisTimer, Op, Query};
use smap::{bit, Smap, NONE};
use tcp_mem::{TcpMem, TcpMemConfig};

use super::effect::{Cx, Effect, Epoch, Role};
use super::command::unit_commands;
use super::msg::ServiceMsg;
use super::Model;
use crate::engine::rng::Rng;
use crate::ids::{GroupId, NodeId, PlaneId};

#[derive(Clone, Copy, Debug)]
pub struct Keepalive {
    pub interval_us: u64,
    /// The primary counts as gone after `factor` intervals without an answer
    /// (and drops a member after as long without its keepalive).
    pub factor: u32,
    /// After an unanswered keepalive, retry every `interval / retry_factor`.
    pub retry_factor: u32,
}

#[derive(Clone, Copy, Debug)]
pub struct ProbeConfig {
    pub period_us: u64,
    pub failure_threshold: u32,
    /// From the kill to the container running again (kubelet restart delay).
    pub restart_us: u64,
}

/// Gauge ids (`BuildCx::gauge`); per node, summed over nodes as `NAME_total`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Gauges {
    pub smap_version: Option<u16>,
    pub probe_kills: Option<u16>,
    pub split_writes_kept: Option<u16>,
    pub split_writes_discarded: Option<u16>,
    pub misplaced: Option<u16>,
    pub rehomed: Option<u16>,
    pub tcp_mem_used: Option<u16>,
}

#[derive(Clone, Debug)]
pub struct AisConfig {
    /// The proxies' group (two primaries = split brain in it).
    pub group: GroupId,
    pub plane: PlaneId,
    /// Every node of the deployment; a node's index in this list names it.
    pub cluster: Vec<NodeId>,
    /// Proxies and targets, one bit per index.
    pub proxies: u32,
    pub targets: u32,
    /// The primary at deployment (its index).
    pub initial_primary: u8,
    pub keepalive: Keepalive,
    /// How long a request (keepalive, ping, vote, discovery) waits for its answer.
    pub request_timeout_us: u64,
    pub tcp_mem: TcpMemConfig,
    pub probe: ProbeConfig,
    /// A proxy serves writes only while its map holds a majority of all proxies.
    pub quorum_required_to_serve: bool,
    /// v3.26: accept a forced map from another island (reunification).
    pub accept_forced_merge: bool,
    /// After a forced merge, targets move misplaced objects to their new owners.
    pub rebalance_after_merge: bool,
    pub object_bytes: u32,
    pub gauges: Gauges,
}

/// What a node is doing about the control plane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Following the primary in its map (or being it).
    Steady,
    /// Candidate: pinging the old primary (`attempt` 1 or 2).
    Pinging { attempt: u8 },
    /// Candidate: collecting votes.
    Voting,
    /// Restarted: gathering maps from everyone.
    Discovering,
    /// The operator's forced re-designation: gathering every island's map.
    Merging,
}

#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    asked: u32,
    yes: u32,
    no: u32,
}

#[derive(Clone, Debug)]
pub struct AisNode {
    cfg: AisConfig,
    me: u8,
    smap: Smap,
    phase: Phase,
    /// Local time of the last keepalive the primary answered (or when we became primary).
    last_ack_us: u64,
    /// A keepalive is out since then, not yet answered.
    keepalive_out_us: Option<u64>,
    /// Primary: when each member was last heard from.
    last_heard_us: Vec<u64>,
    /// When this node last asked a candidate to run (not more than once per detection time).
    asked_candidate_us: Option<u64>,
    tally: Tally,
    /// Best map seen while discovering or merging; for a merge, the union of members
    /// and the youngest island's primary start.
    gathered: Option<Smap>,
    merge_members: u32,
    merge_split_since_s: u32,
    tcp: TcpMem,
    tcp_stream: String,
    probe_failures: u32,
    probe_kills: i64,
    objects: data::Store,
    last_role: Role,
    last_reported_version: u32,
}

impl AisNode {
    /// `name`: the node's name, which keys its TCP memory stream (`tcp_mem NAME`).
    pub fn new(me: u8, cfg: AisConfig, name: &str) -> AisNode {
        let all = cfg.cluster.iter().enumerate().fold(0u32, |m, (i, _)| m | bit(i as u8));
        let smap = Smap { version: 1, primary_since_s: 0, members: all, primary: cfg.initial_primary };
        AisNode {
            me,
            smap,
            phase: Phase::Steady,
            last_ack_us: 0,
            keepalive_out_us: None,
            last_heard_us: vec![0; cfg.cluster.len()],
            asked_candidate_us: None,
            tally: Tally::default(),
            gathered: None,
            merge_members: 0,
            merge_split_since_s: 0,
            tcp: TcpMem::new(cfg.tcp_mem, Rng::for_name(0, "")),
            tcp_stream: format!("tcp_mem {name}"),
            probe_failures: 0,
            probe_kills: 0,
            objects: data::Store::default(),
            last_role: Role::None,
            last_reported_version: 0,
            cfg,
        }
    }

    pub fn smap(&self) -> &Smap {
        &self.smap
    }
    pub fn is_proxy(&self) -> bool {
        self.cfg.proxies & bit(self.me) != 0
    }
    pub fn is_primary(&self) -> bool {
        self.smap.primary == self.me && self.is_proxy()
    }
    fn detection_us(&self) -> u64 {
        self.cfg.keepalive.interval_us.saturating_mul(u64::from(self.cfg.keepalive.factor))
    }

    /// Send a control message: it costs the host's TCP memory and may fail there.
    fn send(&mut self, cx: &mut Cx, to: u8, msg: AisMsg) {
        self.tcp.charge(cx.now_us, CONTROL_BYTES);
        if self.tcp.control_dropped(cx.now_us) {
            return;
        }
        if let Some(&node) = self.cfg.cluster.get(usize::from(to)) {
            cx.send(node, self.cfg.plane, msg, CONTROL_BYTES);
        }
    }

    /// Send object data (bulk: slowed, never refused, by memory pressure).
    fn send_data(&mut self, cx: &mut Cx, to: NodeId, msg: impl Into<super::msg::Msg>, bytes: u32) {
        self.tcp.charge(cx.now_us, bytes);
        cx.send(to, self.cfg.plane, msg, bytes);
    }

    fn adopt(&mut self, cx: &mut Cx, smap: Smap) {
        self.smap = smap;
        if let Some(g) = self.cfg.gauges.smap_version {
            cx.emit(Effect::Gauge { gauge: g, value: i64::from(smap.version) });
        }
    }

    /// Role in the proxies' group: primary = active (it alone publishes maps).
    fn report(&mut self, cx: &mut Cx) {
        if !self.is_proxy() {
            return;
        }
        let role = match self.phase {
            _ if self.is_primary() => Role::Active,
            Phase::Pinging { .. } | Phase::Voting => Role::Candidate,
            _ => Role::Passive,
        };
        // Re-reported when the map version changes too, so the stage's label
        // (`role · tVERSION`) shows which map each proxy holds.
        if (role, self.smap.version) != (self.last_role, self.last_reported_version) {
            self.last_role = role;
            self.last_reported_version = self.smap.version;
            cx.emit(Effect::Role { group: self.cfg.group, role, epoch: Epoch::new(self.smap.version, cx.me) });
        }
    }

    fn gauge(&self, cx: &mut Cx, g: Option<u16>, value: i64) {
        if let Some(gauge) = g {
            cx.emit(Effect::Gauge { gauge, value });
        }
    }
}

impl Model for AisNode {
    type Msg = AisInbox;
    type Timer = AisTimer;
    type Command = AisCommand;

    fn start(&mut self, cx: &mut Cx) {
        // The host's own stream: keyed by its name, seeded by the run through
        // the node's first draw, so the drops move only with this host's load.
        let run_key = cx.rng.next_u64();
        self.tcp.set_stream(Rng::for_name(run_key, &self.tcp_stream));
        self.last_ack_us = cx.now_us;
        self.adopt(cx, self.smap);
        self.report(cx);
        // Spread the first keepalives over an interval, as daemons start apart.
        let first = cx.rng.below(self.cfg.keepalive.interval_us) + 1;
        cx.set_timer(AisTimer::Keepalive, first);
        if self.is_primary() {
            cx.set_timer(AisTimer::Members, self.cfg.keepalive.interval_us);
        }
        cx.set_timer(AisTimer::Probe, self.cfg.probe.period_us);
    }

    /// The container restarts: the map and the objects are on disk; the rest is gone.
    fn restart(&mut self, cx: &mut Cx) {
        self.keepalive_out_us = None;
        self.asked_candidate_us = None;
        self.probe_failures = 0;
        self.last_ack_us = cx.now_us;
        self.report(cx);
        self.start_discovery(cx);
        cx.set_timer(AisTimer::Probe, self.cfg.probe.period_us);
    }

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: AisInbox) {
        match msg {
            AisInbox::Ais(m) => {
                let Some(idx) = self.cfg.cluster.iter().position(|&n| n == from) else { return };
                let bytes = if matches!(m, AisMsg::Object { .. }) { self.cfg.object_bytes } else { CONTROL_BYTES };
                self.tcp.charge(cx.now_us, bytes);
                if !matches!(m, AisMsg::Object { .. }) && self.tcp.control_dropped(cx.now_us) {
                    return;
                }
                self.on_ais(cx, idx as u8, m);
            }
            AisInbox::Service(ServiceMsg::Request { req, write_id }) => {
                self.tcp.charge(cx.now_us, CONTROL_BYTES);
                self.on_client_request(cx, from, req, write_id);
            }
            AisInbox::Service(ServiceMsg::Reply { .. } | ServiceMsg::Traffic { .. }) => {}
        }
        self.report(cx);
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: AisTimer) {
        match timer {
            AisTimer::Keepalive => self.keepalive_tick(cx),
            AisTimer::Members => self.members_round(cx),
            AisTimer::Phase => self.phase_timeout(cx),
            AisTimer::Probe => self.probe(cx),
        }
        self.report(cx);
    }

    fn on_command(&mut self, cx: &mut Cx, command: AisCommand) {
        match command {
            AisCommand::ForceActive => {
                if self.is_proxy() {
                    self.start_merge(cx);
                }
            }
        }
        self.report(cx);
    }

    fn show(&self) -> crate::model::show::NodeShow {
        self.declare_show()
    }

    fn facts(&self, now_us: u64, out: &mut Vec<i64>) {
        self.push_facts(now_us, out);
    }
}

unit_commands! {
    /// What an operator can tell an AIStore node.
    pub enum AisCommand {
        ForceActive = "force_active": "On a proxy: gather every island's cluster map and merge them (a manual recovery after a split).",
    }
}

impl AisNode {
    fn on_ais(&mut self, cx: &mut Cx, from: u8, msg: AisMsg) {
        match msg {
            AisMsg::Keepalive { version } => self.on_keepalive(cx, from, version),
            AisMsg::KeepaliveAck { version, member } => self.on_keepalive_ack(cx, from, version, member),
            AisMsg::Metasync { smap, forced, kept, split_since_s } => self.on_metasync(cx, from, smap, forced, kept, split_since_s),
            AisMsg::SmapQuery { query } => {
                let smap = self.smap;
                self.send(cx, from, AisMsg::SmapReply { query, smap });
            }
            AisMsg::SmapReply { query, smap } => self.on_smap_reply(cx, from, query, smap),
            AisMsg::ElectionRequest { version } => self.on_election_request(cx, version),
            AisMsg::VoteRequest { version } => self.on_vote_request(cx, from, version),
            AisMsg::Vote { yes } => self.on_vote(cx, yes),
            AisMsg::Join => self.on_join(cx, from),
            AisMsg::Object { client, req, object, op } => self.on_object(cx, from, client, req, object, op),
        }
    }
}

/// Bytes of a control message on the wire (an HTTP request with a small JSON
/// body: an assumption; the map itself is a few hundred bytes for 12 nodes).
const CONTROL_BYTES: u32 = 512;

#[allow(dead_code)]
const _: () = assert!(NONE as usize > smap::NODES_MAX);
