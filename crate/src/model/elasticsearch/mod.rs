//! Elasticsearch cluster coordination and indexing as a sans-IO state machine,
//! in its two generations:
//!
//! - **Zen discovery (≤ 6.x)**: fault detection by pings (`interval`, `timeout`,
//!   `retries`: a master gone is noticed after about retries × timeout), then
//!   a discovery round (`ping_timeout`, 3 s) among the visible nodes: join an
//!   active master if anyone reports one, else elect the best master-eligible
//!   node (newest cluster state, then lowest index) — but only when at least
//!   `minimum_master_nodes` master-eligible nodes are visible. The winner waits
//!   for that many joins. A master that can see fewer master-eligible nodes
//!   than the setting steps down. When two masters meet after a partition
//!   heals, the one with the older cluster state rejoins the other.
//! - **Voting configurations (≥ 7.0)**: elections by terms; a candidate needs
//!   joins (votes, one per node per term) from more than half of the voting
//!   configuration, which is the master-eligible set made odd, shrinking as
//!   nodes leave (never below three). `minimum_master_nodes` is ignored.
//!
//! In both, a master publishes each new cluster state and commits it once a
//! quorum acknowledges (Zen: `minimum_master_nodes` master-eligible nodes, as
//! in 5.x/6.x; 7.x: a majority of the old and the new voting configuration);
//! a publication not committed within `publish_timeout` makes it step down.
//!
//! Data: one index with up to four shards, one replica each (`state.rs`). A
//! node that receives a client write is the coordinating node: it refuses the
//! write without a master (the default `no_master_block: write`), else forwards
//! it to the shard's primary, which replicates to its replica and answers the
//! client once the replica acknowledged — or once the master has removed the
//! replica from the routing table. A copy that is not in sync recovers from the
//! primary's history (peer recovery); the operations it had that the primary
//! does not are thrown away (`Discarded`): after a split brain, the writes the
//! losing side acknowledged.

mod discovery;
mod indexing;
mod msg;
mod show;
pub mod state;

pub use msg::{EsInbox, EsMsg, EsTimer, OpKind};
use state::{has, ClusterState, NONE};

use super::effect::{Cx, Effect, Epoch, Role};
use super::msg::{Command, ServiceMsg};
use super::Model;
use crate::ids::{GroupId, NodeId, PlaneId};

#[derive(Clone, Debug)]
pub struct FaultDetection {
    pub interval_us: u64,
    pub timeout_us: u64,
    pub retries: u32,
}

#[derive(Clone, Debug)]
pub struct EsConfig {
    /// The group the master-eligible nodes form (split brain is counted in it).
    pub group: GroupId,
    pub plane: PlaneId,
    pub client_plane: PlaneId,
    /// Every node of the cluster; a node's index in this list names it in messages.
    pub cluster: Vec<NodeId>,
    /// Master-eligible nodes and data nodes, one bit per index.
    pub eligible: u16,
    pub data: u16,
    /// Rack of each node (allocation awareness: a shard's copies on different racks).
    pub rack: Vec<u8>,
    /// Voting configurations (≥ 7.0) instead of Zen's `minimum_master_nodes`.
    pub voting_mode: bool,
    pub minimum_master_nodes: u32,
    pub fault_detection: FaultDetection,
    /// Length of a discovery round (`discovery.zen.ping_timeout`).
    pub discovery_round_us: u64,
    /// How long a node waits for the master it joined, or a winner for joins.
    pub join_timeout_us: u64,
    pub publish_timeout_us: u64,
    /// 7.x election scheduling: a random delay up to initial + attempts × back-off, capped.
    pub election_initial_us: u64,
    pub election_backoff_us: u64,
    pub election_max_us: u64,
    pub shards: usize,
    /// Gauge ids: this node's view of `_cluster/health`; versions it committed as master.
    pub health_gauge: Option<u16>,
    pub commit_gauge: Option<u16>,
}

/// What a node is doing about the master.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Looking for a master: a discovery round is running.
    Discovering,
    /// Sent a join to this node and waits for its cluster state.
    Joining(u8),
    /// Zen: the best candidate waiting for joins. 7.x: `started` once it asked for votes.
    Candidate { started: bool },
    Follower(u8),
    Master,
}

/// Fault detection of one peer: a ping in flight since `sent_at_us`, and the
/// consecutive failures so far.
#[derive(Clone, Copy, Debug, Default)]
struct FdSlot {
    sent_at_us: Option<u64>,
    failures: u32,
}

/// A discovery answer: whom the responder follows, and its newest state.
#[derive(Clone, Copy, Debug)]
struct Seen {
    master: u8,
    term: u32,
    version: u32,
}

/// A publication waiting for its quorum.
#[derive(Clone, Copy, Debug)]
struct Publication {
    version: u32,
    acks: u16,
    /// The voting configuration committed before this state (7.x needs both majorities).
    old_voting: u16,
}

#[derive(Clone, Debug)]
pub struct EsNode {
    cfg: EsConfig,
    id: NodeId,
    me: u8,
    mode: Mode,
    /// The newest cluster state applied (a master's: the newest it published).
    state: ClusterState,
    /// The voting configuration of the last committed state.
    committed_voting: u16,
    /// Current term (7.x); a node joins at most one candidate per term.
    term: u32,
    seen: Vec<Option<Seen>>,
    /// Joins received, by node index: when (for Zen's pending joins) and for which term.
    joins_at_us: Vec<Option<(u64, u32)>>,
    election_attempts: u32,
    fd: Vec<FdSlot>,
    publishing: Option<Publication>,
    /// A change waits for the publication in flight.
    dirty: bool,
    copies: Vec<indexing::ShardCopy>,
    last_role: Role,
    last_health: i64,
}

impl EsNode {
    pub fn new(id: NodeId, me: u8, cfg: EsConfig) -> EsNode {
        let n = cfg.cluster.len();
        EsNode {
            id,
            me,
            mode: Mode::Discovering,
            state: ClusterState::empty(),
            committed_voting: 0,
            term: 0,
            seen: vec![None; n],
            joins_at_us: vec![None; n],
            election_attempts: 0,
            fd: vec![FdSlot::default(); n],
            publishing: None,
            dirty: false,
            copies: (0..cfg.shards).map(|_| indexing::ShardCopy::default()).collect(),
            last_role: Role::None,
            last_health: -1,
            cfg,
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }
    pub fn state(&self) -> &ClusterState {
        &self.state
    }
    pub fn is_eligible(&self) -> bool {
        has(self.cfg.eligible, self.me)
    }
    fn holds_data(&self) -> bool {
        has(self.cfg.data, self.me)
    }

    /// The master this node currently acts under, if any.
    fn master(&self) -> Option<u8> {
        match self.mode {
            Mode::Master => Some(self.me),
            Mode::Follower(m) => Some(m),
            _ => None,
        }
    }

    fn send(&self, cx: &mut Cx, to: u8, msg: EsMsg, bytes: u32) {
        if let Some(&node) = self.cfg.cluster.get(usize::from(to)) {
            cx.send(node, self.cfg.plane, msg, bytes);
        }
    }

    fn others(&self) -> impl Iterator<Item = u8> + '_ {
        (0..self.cfg.cluster.len() as u8).filter(move |&i| i != self.me)
    }

    /// Role in the masters group (master-eligible nodes only) and the health gauge.
    fn report(&mut self, cx: &mut Cx) {
        if self.is_eligible() {
            let role = match self.mode {
                Mode::Master => Role::Active,
                Mode::Candidate { started: true } => Role::Candidate,
                _ => Role::Passive,
            };
            if role != self.last_role {
                self.last_role = role;
                let epoch = Epoch::new(self.term.max(self.state.term), self.id);
                cx.emit(Effect::Role { group: self.cfg.group, role, epoch });
            }
        }
        if let Some(g) = self.cfg.health_gauge {
            let health = if self.master().is_some() { self.state.health(self.cfg.shards) } else { state::Health::NoMaster };
            let value = health as i64;
            if value != self.last_health {
                self.last_health = value;
                cx.emit(Effect::Gauge { gauge: g, value });
            }
        }
    }
}

impl Model for EsNode {
    type Msg = EsInbox;
    type Timer = EsTimer;
    type Command = Command;

    fn start(&mut self, cx: &mut Cx) {
        self.report(cx);
        self.start_discovery(cx);
        cx.set_timer(EsTimer::Fd, self.cfg.fault_detection.interval_us);
    }

    /// After a crash: the cluster state, the term and the shard data are on disk.
    fn restart(&mut self, cx: &mut Cx) {
        self.publishing = None;
        self.dirty = false;
        self.fd.iter_mut().for_each(|s| *s = FdSlot::default());
        for c in &mut self.copies {
            c.pending.clear();
            c.recovering = None;
        }
        self.mode = Mode::Discovering;
        self.report(cx);
        self.start_discovery(cx);
        cx.set_timer(EsTimer::Fd, self.cfg.fault_detection.interval_us);
    }

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: EsInbox) {
        match msg {
            EsInbox::Es(m) => {
                let Some(idx) = self.cfg.cluster.iter().position(|&n| n == from) else { return };
                self.on_es(cx, idx as u8, m);
            }
            EsInbox::Service(ServiceMsg::Request { req, write_id }) => self.on_client_request(cx, from, req, write_id),
            EsInbox::Service(ServiceMsg::Reply { .. } | ServiceMsg::Traffic { .. }) => {}
        }
        self.report(cx);
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: EsTimer) {
        match timer {
            EsTimer::Fd => {
                self.fd_round(cx);
                cx.set_timer(EsTimer::Fd, self.cfg.fault_detection.interval_us);
            }
            EsTimer::Election => self.on_election_timer(cx),
            EsTimer::Publish => {
                if self.mode == Mode::Master && self.publishing.is_some() {
                    self.step_down(cx);
                }
            }
        }
        self.report(cx);
    }

    fn show(&self) -> crate::model::show::NodeShow {
        self.declare_show()
    }

    fn facts(&self, _now_us: u64, out: &mut Vec<i64>) {
        self.push_facts(out);
    }
}

impl EsNode {
    fn on_es(&mut self, cx: &mut Cx, from: u8, msg: EsMsg) {
        match msg {
            EsMsg::Ping { term, fd } => self.on_ping(cx, from, term, fd),
            EsMsg::Pong { master, term, version, ok } => self.on_pong(cx, from, master, term, version, ok),
            EsMsg::StartJoin { term, last_term, last_version } => self.on_start_join(cx, from, term, last_term, last_version),
            EsMsg::Join { term } => self.on_join(cx, from, term),
            EsMsg::Publish { state } => self.on_publish(cx, from, state),
            EsMsg::PublishAck { term, version } => self.on_publish_ack(cx, from, term, version),
            EsMsg::Index { client, req, shard, write_id } => self.on_index(cx, NodeId(client), req, usize::from(shard), write_id),
            EsMsg::Replicate { shard, seq, write_id, kind } => self.on_replicate(cx, from, usize::from(shard), seq, write_id, kind),
            EsMsg::ReplicaAck { shard, seq, ok } => self.on_replica_ack(cx, usize::from(shard), seq, ok),
            EsMsg::Copy { shard, recovered } => self.on_copy(cx, from, usize::from(shard), recovered),
        }
    }
}

/// Bytes on the wire (assumed sizes; only the bandwidth queue uses them).
const SMALL_BYTES: u32 = 128;
const STATE_BYTES: u32 = 4_096;
const DOC_BYTES: u32 = 1_024;

#[allow(dead_code)]
const _: () = assert!(NONE as usize == state::NODES_MAX);
