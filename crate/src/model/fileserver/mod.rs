//! A fileserver of an active/passive pair, as GitHub ran them in 2012: a cluster
//! manager (Pacemaker/Heartbeat-like) that heartbeats its peer, declares it dead
//! after `dead_time` of silence, fences it (STONITH) through fence devices and
//! promotes; and DRBD-like synchronous block replication of the repositories.
//!
//! Rules, each a guarded function below:
//! - A silent peer is *unclean*: it must be fenced before it may rejoin, so its
//!   heartbeats are ignored until a fence confirms or an operator intervenes.
//! - Fencing: a request to the first fence method, a timeout, `fence_attempts`
//!   tries per method, then the next method; after the last, start over. The
//!   request can be lost on a frozen path; a fence device that gets it powers
//!   the target off after its own delay, even if the requester died meanwhile.
//! - Promotion: at once when the peer is declared dead (2012 behaviour), or only
//!   after a confirmed fence (`promote_needs_fence`).
//! - Writes wait for the peer's ack; after `replication_timeout` without one the
//!   active goes standalone and acknowledges alone, so two actives diverge. With
//!   `generation_check` a write needs an ack under the writer's generation or a
//!   fenced peer, and a node that meets a newer generation stands down.
//! - With `quorum` (a witness as third vote) a member promotes or fences only
//!   with two of three votes, and an active without them stops serving.
//! - After a power-on the node waits, passive, for an operator (`Resume`).

mod fencing;
pub mod msg;
mod operator;
pub mod ops_team;
mod replication;
mod show;

use std::collections::VecDeque;

use self::msg::{epoch_of, term_of, FsInbox, GhMsg, GhTimer};
use super::effect::{Cx, Effect, Epoch, Role};
use super::fencing::{FenceMsg, VoteMsg};
use super::msg::{Command, ReplyStatus, ServiceMsg};
use super::Model;
use crate::ids::{GroupId, NodeId, PlaneId};

const HEARTBEAT_BYTES: u32 = 128;
const REPLICATE_BYTES: u32 = 4096;
const SMALL_BYTES: u32 = 64;
/// Log entries resent per sync request, so catching up is bounded steps.
const SYNC_BATCH_MAX: u32 = 256;
/// Writes waiting for the peer's ack; more are refused (the queue is pre-sized).
const PENDING_MAX: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FenceMethod {
    pub device: NodeId,
    pub plane: PlaneId,
}

#[derive(Clone, Debug)]
pub struct FsConfig {
    pub group: GroupId,
    pub peer: NodeId,
    pub initially_active: bool,
    pub heartbeat_interval_us: u64,
    pub dead_time_us: u64,
    pub heartbeat_plane: PlaneId,
    pub replication_plane: PlaneId,
    pub data_plane: PlaneId,
    /// Where operators reach this node (answers to `Inspect`).
    pub mgmt_plane: PlaneId,
    pub replication_timeout_us: u64,
    /// In order of preference; disabled methods are left out when resolved.
    pub fence_methods: Vec<FenceMethod>,
    pub fence_timeout_us: u64,
    pub fence_attempts: u32,
    pub promote_needs_fence: bool,
    /// The witness and the plane to reach it; used only with `quorum`.
    pub witness: Option<(NodeId, PlaneId)>,
    pub quorum: bool,
    pub maintenance_in_change_window: bool,
    pub generation_check: bool,
}

/// What this node believes about its peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peer {
    Alive,
    /// Declared dead, not yet fenced: ignored until fenced.
    Unclean,
    /// A fence device confirmed it powered off.
    Fenced,
}

#[derive(Clone, Copy, Debug)]
struct FenceOp {
    op: u32,
    method: usize,
    attempt: u32,
}

#[derive(Clone, Copy, Debug)]
struct Pending {
    index: u32,
    client: NodeId,
    req: u32,
    since_us: u64,
}

#[derive(Clone, Debug)]
pub struct Fileserver {
    cfg: FsConfig,
    me: NodeId,
    role: Role,
    epoch: u32,
    /// Write ids in block order; on disk, survives power-off.
    log: Vec<u64>,
    /// Log length when this node's generation began (on disk).
    base_len: u32,
    /// Last time this node acted as active (its logs say so; on disk).
    last_active_us: u64,
    peer: Peer,
    peer_heard_us: u64,
    /// Last heartbeat from an active peer (or when this node stopped being active).
    active_heard_us: u64,
    witness_vote_us: u64,
    /// The newest term the witness refused this member for: a takeover asks
    /// for the term after it.
    witness_term: u32,
    fence: Option<FenceOp>,
    next_op: u32,
    maintenance: bool,
    change_window: bool,
    /// Powered back on; waits for an operator before doing anything.
    held: bool,
    /// Replication is flowing: writes wait for the peer's ack.
    connected: bool,
    pending: VecDeque<Pending>,
    sync_asked_us: Option<u64>,
    /// Active side of a resync: end of the last batch sent; when the peer acks
    /// it, the next batch follows (no heartbeat needed, so it works in maintenance).
    sync_sent_to: u32,
    /// For the viewer only (`show.rs`): fence requests sent, confirmations
    /// received, and the device of the latest request.
    fence_requests: u32,
    fence_confirmed: u32,
    fence_device_last: Option<NodeId>,
}

impl Fileserver {
    pub fn new(me: NodeId, cfg: FsConfig) -> Fileserver {
        Fileserver {
            role: Role::Passive,
            epoch: 0,
            log: Vec::with_capacity(1024),
            base_len: 0,
            last_active_us: 0,
            peer: Peer::Alive,
            peer_heard_us: 0,
            active_heard_us: 0,
            witness_vote_us: 0,
            witness_term: 0,
            fence: None,
            next_op: 1,
            maintenance: false,
            change_window: false,
            held: false,
            connected: true,
            pending: VecDeque::with_capacity(PENDING_MAX),
            sync_asked_us: None,
            sync_sent_to: 0,
            fence_requests: 0,
            fence_confirmed: 0,
            fence_device_last: None,
            me,
            cfg,
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn peer_state(&self) -> Peer {
        self.peer
    }

    pub fn held(&self) -> bool {
        self.held
    }

    fn log_len(&self) -> u32 {
        self.log.len() as u32
    }

    /// The cluster manager watches (heartbeats, detects, fences) unless an operator
    /// holds it: maintenance mode, a change window it is told to sit out, or the
    /// wait after a power-on. While it does not watch it sends no heartbeats either:
    /// nothing would act on them.
    fn watching(&self) -> bool {
        let sitting_out_change = self.change_window && self.cfg.maintenance_in_change_window;
        !(self.maintenance || sitting_out_change || self.held)
    }

    fn set_role(&mut self, cx: &mut Cx, role: Role) {
        if self.role == Role::Active && role != Role::Active {
            self.last_active_us = cx.now_us;
            self.active_heard_us = cx.now_us;
        }
        self.role = role;
        cx.emit(Effect::Role { group: self.cfg.group, role, epoch: self.trace_epoch() });
    }

    /// The generation as the trace shows it.
    fn trace_epoch(&self) -> Epoch {
        Epoch { term: term_of(self.epoch), node: (self.epoch & ((1 << msg::EPOCH_NODE_BITS) - 1)) as u16 }
    }

    fn start_watching(&mut self, cx: &mut Cx, phase_us: u64) {
        let now = cx.now_us;
        self.peer_heard_us = now;
        self.active_heard_us = now;
        self.witness_vote_us = now;
        cx.set_timer(GhTimer::Heartbeat, phase_us);
    }

    fn begin(&mut self, cx: &mut Cx) {
        if self.cfg.initially_active {
            self.epoch = epoch_of(1, self.me);
            self.set_role(cx, Role::Active);
        } else {
            self.epoch = epoch_of(1, self.cfg.peer);
            self.set_role(cx, Role::Passive);
        }
        // Each node's heartbeat starts at its own phase, as real daemons do.
        let phase = cx.rng.below(self.cfg.heartbeat_interval_us.max(1));
        self.start_watching(cx, phase);
    }

    // ---- heartbeats and failure detection ----

    fn on_heartbeat_timer(&mut self, cx: &mut Cx) {
        if !self.watching() {
            return; // re-armed when watching resumes
        }
        let msg = GhMsg::Heartbeat {
            epoch: self.epoch,
            active: self.role == Role::Active,
            log_len: self.log_len(),
            base_len: self.base_len,
        };
        cx.send(self.cfg.peer, self.cfg.heartbeat_plane, msg, HEARTBEAT_BYTES);
        if let (true, Some((w, plane))) = (self.cfg.quorum, self.cfg.witness) {
            // An active keeps its vote in its own term; anyone else asks for the
            // term it would take over in.
            let term = if self.role == Role::Active { term_of(self.epoch) } else { self.next_term() };
            cx.send(w, plane, VoteMsg::VoteRequest { term }, HEARTBEAT_BYTES);
        }
        self.check_peer(cx);
        cx.set_timer(GhTimer::Heartbeat, self.cfg.heartbeat_interval_us);
    }

    /// Votes this member sees within `window_us`: itself, its peer, the witness.
    fn has_quorum(&self, now: u64, window_us: u64) -> bool {
        if !self.cfg.quorum {
            return true;
        }
        let peer = self.peer == Peer::Alive && now.saturating_sub(self.peer_heard_us) <= window_us;
        let witness = self.cfg.witness.is_some() && now.saturating_sub(self.witness_vote_us) <= window_us;
        1 + u32::from(peer) + u32::from(witness) >= 2
    }

    fn check_peer(&mut self, cx: &mut Cx) {
        let now = cx.now_us;
        let dead = self.cfg.dead_time_us;
        if self.role == Role::Active && !self.has_quorum(now, dead * 3 / 4) {
            // No quorum: stop serving before anyone else could promote.
            self.stand_down(cx);
            return;
        }
        let silent = now.saturating_sub(self.peer_heard_us) > dead;
        if self.peer == Peer::Alive && silent {
            if !self.has_quorum(now, dead) {
                return; // without quorum: neither fence nor promote
            }
            self.peer = Peer::Unclean;
            self.connected = false;
            self.start_fencing(cx);
            if self.role == Role::Passive {
                if self.cfg.promote_needs_fence && !self.cfg.fence_methods.is_empty() {
                    self.set_role(cx, Role::Candidate);
                } else {
                    self.promote(cx);
                }
            }
            return;
        }
        // Peer alive but nobody active (e.g. both stood down without quorum):
        // the lower id takes over once no active has been heard for the dead time.
        if self.role == Role::Passive
            && self.peer == Peer::Alive
            && !silent
            && now.saturating_sub(self.active_heard_us) > dead
            && self.me < self.cfg.peer
            && self.has_quorum(now, dead)
        {
            self.promote(cx);
        }
    }

    /// The term a takeover claims: past this member's own and past any the
    /// witness has given to someone else.
    fn next_term(&self) -> u32 {
        term_of(self.epoch).max(self.witness_term) + 1
    }

    fn on_vote(&mut self, cx: &mut Cx, term: u32, granted: bool, voter_term: u32) {
        if granted {
            self.witness_vote_us = cx.now_us;
        } else if voter_term >= term {
            self.witness_term = self.witness_term.max(voter_term);
        }
    }

    fn promote(&mut self, cx: &mut Cx) {
        self.epoch = epoch_of(self.next_term(), self.me);
        self.base_len = self.log_len();
        self.set_role(cx, Role::Active);
        self.last_active_us = cx.now_us;
    }

    /// Stop serving (lost quorum or learned of a newer generation).
    fn stand_down(&mut self, cx: &mut Cx) {
        self.fail_pending(cx);
        self.set_role(cx, Role::Passive);
    }
}

impl Model for Fileserver {
    type Msg = FsInbox;
    type Timer = GhTimer;
    type Command = Command;

    fn start(&mut self, cx: &mut Cx) {
        self.begin(cx);
    }

    /// Powered back on (after fencing): volatile state is gone; the disk (log,
    /// generation, last-active time) stays. The node waits for an operator.
    fn restart(&mut self, cx: &mut Cx) {
        self.held = true;
        self.fence = None;
        self.pending.clear();
        self.connected = false;
        self.peer = Peer::Unclean;
        self.sync_asked_us = None;
        self.role = Role::Passive;
        cx.emit(Effect::Role { group: self.cfg.group, role: Role::Passive, epoch: self.trace_epoch() });
    }

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: FsInbox) {
        if self.role == Role::Active {
            self.last_active_us = cx.now_us;
        }
        let from_peer = from == self.cfg.peer;
        match msg {
            FsInbox::Service(ServiceMsg::Request { req, write_id }) => self.on_request(cx, from, req, write_id),
            // A fileserver is nobody's client.
            FsInbox::Service(ServiceMsg::Reply { .. } | ServiceMsg::Traffic { .. }) => {}
            FsInbox::Gh(m) => match m {
                GhMsg::Heartbeat { epoch, active, log_len, base_len } => {
                    if from_peer {
                        self.on_peer_heartbeat(cx, epoch, active, log_len, base_len)
                    }
                }
                GhMsg::Replicate { epoch, index, write_id } => {
                    if from_peer {
                        self.on_replicate(cx, epoch, index, write_id)
                    }
                }
                GhMsg::ReplicateAck { epoch, index, refused } => {
                    if from_peer {
                        self.on_replicate_ack(cx, epoch, index, refused)
                    }
                }
                GhMsg::SyncRequest { epoch, from_index } => {
                    if from_peer {
                        self.on_sync_request(cx, epoch, from_index)
                    }
                }
                GhMsg::Inspect => self.on_inspect(cx, from),
                GhMsg::Resume { active, keep_len, term } => self.on_resume(cx, active, keep_len, term),
                // Sent by fileservers to operators, never to a fileserver.
                GhMsg::InspectReply { .. } => {}
            },
            FsInbox::Fence(FenceMsg::PoweredOff { target, op }) => self.on_fence_done(cx, target, op),
            // A fileserver asks fence devices; it is not one.
            FsInbox::Fence(FenceMsg::PowerOff { .. }) => {}
            FsInbox::Vote(VoteMsg::Vote { term, granted, voter_term }) => self.on_vote(cx, term, granted, voter_term),
            // Fileservers ask the witness; they do not vote for each other.
            FsInbox::Vote(VoteMsg::VoteRequest { .. }) => {}
        }
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: GhTimer) {
        if self.role == Role::Active {
            self.last_active_us = cx.now_us;
        }
        match timer {
            GhTimer::Heartbeat => self.on_heartbeat_timer(cx),
            GhTimer::FenceTimeout => self.on_fence_timeout(cx),
            GhTimer::Replication => self.on_replication_timeout(cx),
            // The operators' slot.
            GhTimer::OpsStep => {}
        }
    }

    fn on_command(&mut self, cx: &mut Cx, command: Command) {
        self.command(cx, command);
    }

    fn show(&self) -> crate::model::show::NodeShow {
        self.declare_show()
    }

    fn facts(&self, now_us: u64, out: &mut Vec<i64>) {
        self.push_facts(now_us, out);
    }
}
