//! Redis Cluster as a sans-IO state machine, after the Redis Cluster
//! specification and `cluster.c` / `cluster_legacy.c`:
//!
//! - **Slots.** 16,384 hash slots in contiguous ranges, one per initial
//!   master; every node keeps a table of who serves each range and with
//!   which `configEpoch`. A higher `configEpoch` wins a range ("last
//!   failover wins"); a master that loses its last range becomes a replica
//!   of the winner, and its data set is replaced by the winner's.
//! - **Failure detection** (`view.rs`): pings on the cluster bus; a peer
//!   whose ping stays unanswered longer than `cluster-node-timeout` is PFAIL;
//!   PFAIL reports gossiped by a majority of the masters within twice the
//!   timeout make it FAIL, which is broadcast.
//! - **Cluster state**: a node refuses every query (`CLUSTERDOWN`) when it
//!   cannot reach a majority of the masters (so a master cut off with a
//!   minority stops accepting writes about one node timeout after the
//!   partition), or, with `cluster-require-full-coverage`, when some range is
//!   served by nobody or by a FAIL master.
//! - **Failover** (`failover.rs`): a replica of a FAIL master waits
//!   500 ms + random 0–500 ms + rank × 1 s, raises `currentEpoch`, and needs
//!   the votes of a majority of the masters (one vote per master per epoch)
//!   within twice the timeout; else it retries after four times the timeout.
//!   A replica whose data is older than `node-timeout × validity-factor +
//!   repl-ping-replica-period` does not stand.
//! - **Data** (`data.rs`): a master acknowledges a write at once and streams
//!   it to its replicas (asynchronous replication); `min-replicas-to-write`
//!   refuses writes without enough replicas acknowledging within
//!   `min-replicas-max-lag`. A node forwards a request for a slot it does not
//!   serve to the master it believes does (a `MOVED` redirection).

mod data;
mod failover;
mod msg;
mod show;
mod view;

pub use msg::{Header, RcInbox, RcMsg, RcTimer};

use super::effect::{Cx, Effect, Epoch, Role};
use super::msg::ServiceMsg;
use super::Model;
use crate::ids::{GroupId, NodeId, PlaneId};

/// Nodes a cluster may have (node sets are `u16` bit masks).
pub const NODES_MAX: usize = 16;
/// Slot ranges (initial masters) a cluster may have.
pub const RANGES_MAX: usize = 16;
/// Hash slots in a Redis Cluster.
pub const SLOTS: u32 = 16_384;
/// "No node".
pub const NONE: u8 = u8::MAX;

/// `clusterCron` runs ten times a second.
const CRON_US: u64 = 100_000;
/// A master that just started refuses writes this long (`CLUSTER_WRITABLE_DELAY`).
const WRITABLE_DELAY_US: u64 = 2_000_000;
/// Bytes on the wire (assumed sizes; only the bandwidth queue uses them).
const BUS_BYTES: u32 = 2_048;
const SMALL_BYTES: u32 = 128;
const WRITE_BYTES: u32 = 512;

pub(crate) fn bit(i: u8) -> u16 {
    if usize::from(i) < 16 {
        1 << i
    } else {
        0
    }
}
pub(crate) fn has(mask: u16, i: u8) -> bool {
    mask & bit(i) != 0
}

#[derive(Clone, Debug)]
pub struct RcConfig {
    pub plane: PlaneId,
    pub client_plane: PlaneId,
    /// Every node of the cluster; a node's index in this list names it in messages.
    pub cluster: Vec<NodeId>,
    /// The slot range each node belongs to (its initial master's), by index.
    pub range_of: Vec<u8>,
    /// Whom each node replicates at the start (`NONE`: a master).
    pub initial_master: Vec<u8>,
    /// The group of each range (two writable masters in one = split brain).
    pub groups: Vec<GroupId>,
    pub node_timeout_us: u64,
    /// `cluster-replica-validity-factor` (0: a replica always tries).
    pub validity_factor: u32,
    pub repl_ping_period_us: u64,
    pub full_coverage: bool,
    pub min_replicas_to_write: u32,
    pub min_replicas_max_lag_us: u64,
    /// Gauges: this node's cluster state (0 ok, 1 fail); the milliseconds it
    /// has refused all queries so far; slots it sees uncovered; on promotion,
    /// the milliseconds from the last contact with the old master.
    pub state_gauge: Option<u16>,
    pub down_ms_gauge: Option<u16>,
    pub uncovered_gauge: Option<u16>,
    pub failover_gauge: Option<u16>,
}

impl RcConfig {
    fn ranges(&self) -> usize {
        self.groups.len()
    }
    /// Slots in range `r`: the ranges split 16,384 as evenly as integers allow.
    fn slots_in(&self, r: usize) -> u32 {
        let n = self.ranges().max(1) as u32;
        (r as u32 + 1) * SLOTS / n - r as u32 * SLOTS / n
    }
    /// Half the masters plus one, of `size` masters serving slots.
    fn quorum(size: u32) -> u32 {
        size / 2 + 1
    }
}

/// This node's view of one peer.
#[derive(Clone, Debug, Default)]
struct Peer {
    /// A ping in flight since then (`ping_sent`).
    ping_sent_us: Option<u64>,
    /// When the last ping (first or repeated) went out.
    last_ping_us: u64,
    pong_received_us: u64,
    pfail: bool,
    fail: bool,
    fail_time_us: u64,
    /// Whom the peer says it replicates (`NONE`: a master).
    master_of: u8,
    offset: u32,
    /// PFAIL/FAIL reports about this peer, by reporting master: when (`None`: no report).
    reports: Vec<Option<u64>>,
    /// When this node, as a master, last voted for a replica of this peer.
    voted_time_us: Option<u64>,
}

/// Who serves a slot range, and the `configEpoch` of that claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RangeOwner {
    pub owner: u8,
    pub epoch: u32,
}

/// A replica's election in progress.
#[derive(Clone, Copy, Debug)]
struct Election {
    /// When the request goes (or went) out.
    auth_time_us: u64,
    /// The epoch asked for, once sent.
    epoch: Option<u32>,
    votes: u16,
}

/// A master's view of one attached replica.
#[derive(Clone, Copy, Debug)]
struct ReplicaLink {
    acked_us: u64,
    /// The master's data length at that ack: writes below it not yet
    /// acknowledged by the next ack are sent again.
    len_at_ack: u32,
}

#[derive(Clone, Debug)]
pub struct RcNode {
    cfg: RcConfig,
    id: NodeId,
    me: u8,
    current_epoch: u32,
    /// Own `configEpoch` (meaningful while a master).
    config_epoch: u32,
    last_vote_epoch: u32,
    /// Whom this node replicates (`NONE`: it is a master).
    master_of: u8,
    peers: Vec<Peer>,
    ranges: Vec<RangeOwner>,
    state_ok: bool,
    /// When the process started (the writable delay counts from here).
    started_us: u64,
    among_minority_us: Option<u64>,
    tick: u64,
    /// The data set: write ids by position (0: a hole not yet received).
    data: Vec<u64>,
    /// A full synchronisation being received.
    incoming: Option<Vec<u64>>,
    needs_full_sync: bool,
    /// Last data or ping from the master on the replication link.
    master_contact_us: u64,
    election: Option<Election>,
    replicas: Vec<Option<ReplicaLink>>,
    last_repl_ping_us: u64,
    formed: bool,
    /// Came back after a crash (the writable delay applies).
    restarted: bool,
    down_ms: i64,
    last_role: Role,
    last_gauges: [i64; 3],
}

impl RcNode {
    pub fn new(id: NodeId, me: u8, cfg: RcConfig) -> RcNode {
        let n = cfg.cluster.len();
        let mut ranges = vec![RangeOwner { owner: NONE, epoch: 0 }; cfg.ranges()];
        for (i, &m) in cfg.initial_master.iter().enumerate() {
            if m == NONE {
                let r = usize::from(cfg.range_of[i]);
                // `redis-cli --cluster create` gives each master its own epoch.
                ranges[r] = RangeOwner { owner: i as u8, epoch: r as u32 + 1 };
            }
        }
        let master_of = cfg.initial_master[usize::from(me)];
        let peers = (0..n)
            .map(|i| Peer { master_of: cfg.initial_master[i], reports: vec![None; n], ..Peer::default() })
            .collect();
        RcNode {
            id,
            me,
            current_epoch: cfg.ranges() as u32,
            config_epoch: if master_of == NONE { u32::from(cfg.range_of[usize::from(me)]) + 1 } else { 0 },
            last_vote_epoch: 0,
            master_of,
            peers,
            ranges,
            state_ok: false,
            started_us: 0,
            among_minority_us: None,
            tick: 0,
            data: Vec::new(),
            incoming: None,
            needs_full_sync: master_of != NONE,
            master_contact_us: 0,
            election: None,
            replicas: vec![None; n],
            last_repl_ping_us: 0,
            formed: false,
            restarted: false,
            down_ms: 0,
            last_role: Role::None,
            last_gauges: [-1; 3],
            cfg,
        }
    }

    pub fn is_master(&self) -> bool {
        self.master_of == NONE
    }
    pub fn master_of(&self) -> Option<u8> {
        (self.master_of != NONE).then_some(self.master_of)
    }
    pub fn state_ok(&self) -> bool {
        self.state_ok
    }
    pub fn ranges(&self) -> &[RangeOwner] {
        &self.ranges
    }
    pub fn config_epoch(&self) -> u32 {
        self.config_epoch
    }

    /// Ranges `node` serves in this node's table, as a bit mask.
    fn slots_of(&self, node: u8) -> u16 {
        self.ranges.iter().enumerate().filter(|(_, o)| o.owner == node).fold(0, |m, (r, _)| m | bit(r as u8))
    }

    fn send(&self, cx: &mut Cx, to: u8, msg: RcMsg, bytes: u32) {
        if let Some(&node) = self.cfg.cluster.get(usize::from(to)) {
            cx.send(node, self.cfg.plane, msg, bytes);
        }
    }

    fn others(&self) -> impl Iterator<Item = u8> + '_ {
        (0..self.cfg.cluster.len() as u8).filter(move |&i| i != self.me)
    }

    /// The header of every cluster-bus packet this node sends.
    fn header(&self) -> Header {
        let suspects = self.peers.iter().enumerate().filter(|(_, p)| p.pfail || p.fail).fold(0, |m, (i, _)| m | bit(i as u8));
        let (slots, config_epoch) = if self.is_master() {
            (self.slots_of(self.me), self.config_epoch)
        } else {
            // A replica claims its master's ranges at their epoch (what an auth request asks for).
            let slots = self.slots_of(self.master_of);
            let epoch = self.ranges.iter().filter(|o| o.owner == self.master_of).map(|o| o.epoch).max().unwrap_or(0);
            (slots, epoch)
        };
        Header {
            current_epoch: self.current_epoch,
            config_epoch,
            master_of: self.master_of,
            slots,
            suspects,
            offset: self.data.len() as u32,
        }
    }

    /// Accepting writes for its range: a master serving slots, cluster state
    /// ok, and enough fresh replicas if `min-replicas-to-write` asks for them.
    fn writable(&self, now_us: u64) -> bool {
        self.is_master() && self.slots_of(self.me) != 0 && self.state_ok && self.enough_replicas(now_us)
    }

    /// Role in its range's group, and the gauges.
    fn report(&mut self, cx: &mut Cx) {
        let role = if self.writable(cx.now_us) {
            Role::Active
        } else if self.election.is_some_and(|e| e.epoch.is_some()) {
            Role::Candidate
        } else {
            Role::Passive
        };
        if role != self.last_role {
            self.last_role = role;
            let group = self.cfg.groups[usize::from(self.cfg.range_of[usize::from(self.me)])];
            let term = if role == Role::Candidate { self.current_epoch } else { self.config_epoch };
            cx.emit(Effect::Role { group, role, epoch: Epoch::new(term, self.id) });
        }
        let uncovered = self.uncovered_slots() as i64;
        let values = [i64::from(!self.state_ok), self.down_ms, uncovered];
        let gauges = [self.cfg.state_gauge, self.cfg.down_ms_gauge, self.cfg.uncovered_gauge];
        for k in 0..3 {
            if let Some(g) = gauges[k] {
                if values[k] != self.last_gauges[k] {
                    self.last_gauges[k] = values[k];
                    cx.emit(Effect::Gauge { gauge: g, value: values[k] });
                }
            }
        }
    }

    fn uncovered_slots(&self) -> u32 {
        (0..self.ranges.len())
            .filter(|&r| {
                let o = self.ranges[r].owner;
                o == NONE || (o != self.me && self.peers[usize::from(o)].fail)
            })
            .map(|r| self.cfg.slots_in(r))
            .sum()
    }

    fn on_cron(&mut self, cx: &mut Cx) {
        self.tick += 1;
        self.ping_round(cx);
        self.detect_failures(cx);
        self.update_state(cx.now_us);
        // Refusing queries counts once the cluster has formed (not the start's writable delay).
        self.formed |= self.state_ok;
        if !self.state_ok && self.formed {
            self.down_ms += (CRON_US / 1_000) as i64;
        }
        if self.is_master() {
            self.ping_replicas(cx);
        } else {
            if self.tick.is_multiple_of(10) {
                self.send_repl_ack(cx);
            }
            self.consider_failover(cx);
        }
    }
}

impl Model for RcNode {
    type Msg = RcInbox;
    type Timer = RcTimer;
    type Command = crate::model::command::NoCommand;

    /// The run starts with the cluster formed (state ok, no writable delay:
    /// that applies to a node coming back, `restart`).
    fn start(&mut self, cx: &mut Cx) {
        self.started_us = cx.now_us;
        self.state_ok = true;
        for p in &mut self.peers {
            p.pong_received_us = cx.now_us;
        }
        self.master_contact_us = cx.now_us;
        self.report(cx);
        let phase_us = cx.rng.below(CRON_US) + 1;
        cx.set_timer(RcTimer::Cron, phase_us);
    }

    /// After a crash: `nodes.conf` keeps the epochs, the vote and the slot
    /// table; the data set survives (an assumption: AOF with fsync always).
    fn restart(&mut self, cx: &mut Cx) {
        for p in &mut self.peers {
            p.ping_sent_us = None;
            p.pong_received_us = cx.now_us;
            p.pfail = false;
            p.reports.iter_mut().for_each(|r| *r = None);
        }
        self.replicas.iter_mut().for_each(|r| *r = None);
        self.incoming = None;
        self.needs_full_sync = !self.is_master();
        self.election = None;
        self.state_ok = false;
        self.restarted = true;
        self.started_us = cx.now_us;
        self.master_contact_us = cx.now_us;
        self.report(cx);
        let phase_us = cx.rng.below(CRON_US) + 1;
        cx.set_timer(RcTimer::Cron, phase_us);
    }

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: RcInbox) {
        match msg {
            RcInbox::Rc(m) => {
                if let Some(idx) = self.cfg.cluster.iter().position(|&n| n == from) {
                    self.on_rc(cx, idx as u8, m);
                }
            }
            RcInbox::Service(ServiceMsg::Request { req, write_id }) => self.serve(cx, from, req, write_id, false),
            RcInbox::Service(ServiceMsg::Reply { .. } | ServiceMsg::Traffic { .. }) => {}
        }
        self.report(cx);
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: RcTimer) {
        match timer {
            RcTimer::Cron => {
                self.on_cron(cx);
                cx.set_timer(RcTimer::Cron, CRON_US);
            }
            RcTimer::Failover => self.on_failover_timer(cx),
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

impl RcNode {
    fn on_rc(&mut self, cx: &mut Cx, from: u8, msg: RcMsg) {
        match msg {
            RcMsg::Ping { hdr } => {
                self.on_header(cx, from, hdr, true);
                let reply = RcMsg::Pong { hdr: self.header() };
                self.send(cx, from, reply, BUS_BYTES);
            }
            RcMsg::Pong { hdr } => {
                self.on_pong(cx.now_us, from);
                self.on_header(cx, from, hdr, true);
            }
            RcMsg::Fail { node, hdr } => {
                self.on_header(cx, from, hdr, false);
                self.on_fail_message(cx.now_us, node);
            }
            RcMsg::AuthRequest { hdr } => {
                self.on_header(cx, from, hdr, false);
                self.on_auth_request(cx, from, hdr);
            }
            RcMsg::AuthAck { epoch } => self.on_auth_ack(cx, from, epoch),
            RcMsg::Forward { client, req, write_id } => self.serve(cx, NodeId(client), req, write_id, true),
            RcMsg::Repl { seq, write_id, sync } => self.on_repl(cx.now_us, from, seq, write_id, sync),
            RcMsg::SyncEnd { len } => self.on_sync_end(cx, from, len),
            RcMsg::ReplAck { offset, full } => self.on_repl_ack(cx, from, offset, full),
            RcMsg::ReplPing => self.on_repl_ping(cx.now_us, from),
        }
        self.update_state(cx.now_us);
    }
}
