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

pub mod fence_device;
pub mod msg;
pub mod ops_team;
pub mod witness;

use std::collections::VecDeque;

use self::msg::{epoch_of, term_of, GhMsg, GhTimer};
use super::effect::{Cx, Effect, Role};
use super::msg::{Command, Msg, ReplyStatus, Timer};
use super::Protocol;
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
            fence: None,
            next_op: 1,
            maintenance: false,
            change_window: false,
            held: false,
            connected: true,
            pending: VecDeque::with_capacity(PENDING_MAX),
            sync_asked_us: None,
            sync_sent_to: 0,
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

    /// The epoch as the trace shows it (`term << 16 | node`, like the other models).
    fn trace_epoch(&self) -> u64 {
        (u64::from(term_of(self.epoch)) << 16) | u64::from(self.epoch & ((1 << msg::EPOCH_NODE_BITS) - 1))
    }

    fn start_watching(&mut self, cx: &mut Cx, phase_us: u64) {
        let now = cx.now_us;
        self.peer_heard_us = now;
        self.active_heard_us = now;
        self.witness_vote_us = now;
        cx.set_timer(Timer::Gh(GhTimer::Heartbeat), phase_us);
    }

    // ---- heartbeats and failure detection ----

    fn on_heartbeat_timer(&mut self, cx: &mut Cx) {
        if !self.watching() {
            return; // re-armed when watching resumes
        }
        let msg = Msg::Gh(GhMsg::Heartbeat {
            epoch: self.epoch,
            active: self.role == Role::Active,
            log_len: self.log_len(),
            base_len: self.base_len,
        });
        cx.send(self.cfg.peer, self.cfg.heartbeat_plane, msg, HEARTBEAT_BYTES);
        if let (true, Some((w, plane))) = (self.cfg.quorum, self.cfg.witness) {
            cx.send(w, plane, msg, HEARTBEAT_BYTES);
        }
        self.check_peer(cx);
        cx.set_timer(Timer::Gh(GhTimer::Heartbeat), self.cfg.heartbeat_interval_us);
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

    fn promote(&mut self, cx: &mut Cx) {
        self.epoch = epoch_of(term_of(self.epoch) + 1, self.me);
        self.base_len = self.log_len();
        self.set_role(cx, Role::Active);
        self.last_active_us = cx.now_us;
    }

    /// Stop serving (lost quorum or learned of a newer generation).
    fn stand_down(&mut self, cx: &mut Cx) {
        self.fail_pending(cx);
        self.set_role(cx, Role::Passive);
    }

    // ---- fencing ----

    fn start_fencing(&mut self, cx: &mut Cx) {
        if self.cfg.fence_methods.is_empty() {
            return;
        }
        let op = self.next_op;
        self.next_op += 1;
        self.fence = Some(FenceOp { op, method: 0, attempt: 0 });
        self.send_fence(cx);
    }

    fn send_fence(&mut self, cx: &mut Cx) {
        let Some(f) = self.fence else { return };
        let m = self.cfg.fence_methods[f.method];
        cx.send(m.device, m.plane, Msg::Gh(GhMsg::FenceRequest { target: self.cfg.peer, op: f.op }), SMALL_BYTES);
        cx.set_timer(Timer::Gh(GhTimer::FenceTimeout), self.cfg.fence_timeout_us);
    }

    fn on_fence_timeout(&mut self, cx: &mut Cx) {
        let Some(mut f) = self.fence else { return };
        if !self.watching() {
            self.fence = None; // a held cluster manager does not fence
            return;
        }
        f.attempt += 1;
        if f.attempt >= self.cfg.fence_attempts {
            f.attempt = 0;
            f.method = (f.method + 1) % self.cfg.fence_methods.len();
        }
        self.fence = Some(f);
        self.send_fence(cx);
    }

    fn on_fence_done(&mut self, cx: &mut Cx, target: NodeId, op: u32) {
        if target != self.cfg.peer || self.fence.map(|f| f.op) != Some(op) {
            return;
        }
        self.fence = None;
        cx.cancel_timer(Timer::Gh(GhTimer::FenceTimeout));
        self.peer = Peer::Fenced;
        self.connected = false;
        if self.role == Role::Candidate {
            self.promote(cx);
        }
        // The peer is certainly off: writes waiting for it may complete alone.
        self.flush_pending_standalone(cx);
    }

    // ---- messages from the peer ----

    fn on_peer_heartbeat(&mut self, cx: &mut Cx, epoch: u32, active: bool, log_len: u32, base_len: u32) {
        if self.held {
            return;
        }
        if self.peer != Peer::Alive {
            // An unclean peer is ignored, unless generation checks show it is newer.
            if self.cfg.generation_check && active && epoch > self.epoch {
                self.learn_newer_generation(cx, epoch, base_len);
            }
            return;
        }
        self.peer_heard_us = cx.now_us;
        if !active {
            return;
        }
        self.active_heard_us = cx.now_us;
        if epoch > self.epoch {
            if self.role == Role::Active {
                self.learn_newer_generation(cx, epoch, base_len);
                return;
            }
            self.epoch = epoch;
            if self.role == Role::Candidate {
                self.set_role(cx, Role::Passive);
            }
        }
        if self.role != Role::Active && epoch == self.epoch && self.log_len() < log_len {
            self.ask_sync(cx);
        }
    }

    /// The peer holds a newer generation that began at `newer_base`: stop serving,
    /// stop fencing it, discard what was written here after that point, follow it.
    fn learn_newer_generation(&mut self, cx: &mut Cx, epoch: u32, newer_base: u32) {
        self.fence = None;
        cx.cancel_timer(Timer::Gh(GhTimer::FenceTimeout));
        self.peer = Peer::Alive;
        self.peer_heard_us = cx.now_us;
        self.active_heard_us = cx.now_us;
        if self.role == Role::Active || self.role == Role::Candidate {
            self.stand_down(cx);
        }
        self.epoch = epoch;
        self.truncate(cx, newer_base.min(self.log_len()));
        self.ask_sync(cx);
    }

    fn on_replicate(&mut self, cx: &mut Cx, epoch: u32, index: u32, write_id: u64) {
        if self.held {
            return;
        }
        if self.cfg.generation_check && epoch < self.epoch {
            let refusal = GhMsg::ReplicateAck { epoch: self.epoch, index: self.base_len, refused: true };
            cx.send(self.cfg.peer, self.cfg.replication_plane, Msg::Gh(refusal), SMALL_BYTES);
            return;
        }
        if self.peer != Peer::Alive || self.role == Role::Active {
            // Split brain: DRBD drops the connection and stays standalone. (With
            // generation checks the newer side's heartbeat, which carries where its
            // generation began, makes this node stand down within one interval.)
            return;
        }
        if epoch < self.epoch {
            return;
        }
        self.epoch = epoch;
        if index > self.log_len() {
            self.ask_sync(cx);
            return;
        }
        if index < self.log_len() {
            if self.log[index as usize] == write_id {
                self.ack(cx, epoch, index);
                return;
            }
            self.truncate(cx, index);
        }
        self.log.push(write_id);
        self.ack(cx, epoch, index);
    }

    fn ack(&mut self, cx: &mut Cx, epoch: u32, index: u32) {
        let msg = Msg::Gh(GhMsg::ReplicateAck { epoch, index, refused: false });
        cx.send(self.cfg.peer, self.cfg.replication_plane, msg, SMALL_BYTES);
    }

    fn on_replicate_ack(&mut self, cx: &mut Cx, epoch: u32, index: u32, refused: bool) {
        if refused {
            if self.cfg.generation_check && epoch > self.epoch {
                self.learn_newer_generation(cx, epoch, index);
            }
            return;
        }
        if self.role != Role::Active || epoch != self.epoch {
            return;
        }
        if index + 1 >= self.log_len() {
            self.connected = true; // the peer holds everything: back in sync
        } else if index + 1 == self.sync_sent_to {
            self.send_batch(cx, self.sync_sent_to);
        }
        while self.pending.front().is_some_and(|p| p.index <= index) {
            if let Some(p) = self.pending.pop_front() {
                self.reply(cx, p.client, p.req, ReplyStatus::Ok);
            }
        }
    }

    fn on_sync_request(&mut self, cx: &mut Cx, epoch: u32, from_index: u32) {
        if self.role != Role::Active || epoch > self.epoch || self.held {
            return;
        }
        self.send_batch(cx, from_index);
    }

    fn send_batch(&mut self, cx: &mut Cx, from_index: u32) {
        let end = self.log_len().min(from_index.saturating_add(SYNC_BATCH_MAX));
        for index in from_index..end {
            let write_id = self.log[index as usize];
            let msg = Msg::Gh(GhMsg::Replicate { epoch: self.epoch, index, write_id });
            cx.send(self.cfg.peer, self.cfg.replication_plane, msg, REPLICATE_BYTES);
        }
        self.sync_sent_to = end;
    }

    fn ask_sync(&mut self, cx: &mut Cx) {
        if self.sync_asked_us.is_some_and(|t| cx.now_us < t + self.cfg.heartbeat_interval_us) {
            return;
        }
        self.sync_asked_us = Some(cx.now_us);
        let msg = Msg::Gh(GhMsg::SyncRequest { epoch: self.epoch, from_index: self.log_len() });
        cx.send(self.cfg.peer, self.cfg.replication_plane, msg, SMALL_BYTES);
    }

    fn truncate(&mut self, cx: &mut Cx, len: u32) {
        while self.log_len() > len {
            if let Some(write_id) = self.log.pop() {
                cx.emit(Effect::Discarded { write_id });
            }
        }
    }

    // ---- client requests ----

    fn reply(&self, cx: &mut Cx, client: NodeId, req: u32, status: ReplyStatus) {
        cx.send(client, self.cfg.data_plane, Msg::Reply { req, status }, SMALL_BYTES);
    }

    fn on_request(&mut self, cx: &mut Cx, client: NodeId, req: u32, write_id: u64) {
        if self.role != Role::Active || self.held {
            self.reply(cx, client, req, ReplyStatus::NotActive);
            return;
        }
        self.last_active_us = cx.now_us;
        if write_id == 0 {
            self.reply(cx, client, req, ReplyStatus::Ok);
            return;
        }
        let standalone_allowed = !self.cfg.generation_check || self.peer == Peer::Fenced;
        if !self.connected && !standalone_allowed {
            // Nobody can confirm this node's generation: the write is refused.
            self.reply(cx, client, req, ReplyStatus::Unavailable);
            return;
        }
        if self.pending.len() >= PENDING_MAX {
            self.reply(cx, client, req, ReplyStatus::Unavailable);
            return;
        }
        let index = self.log_len();
        self.log.push(write_id);
        if self.peer == Peer::Alive {
            let msg = Msg::Gh(GhMsg::Replicate { epoch: self.epoch, index, write_id });
            cx.send(self.cfg.peer, self.cfg.replication_plane, msg, REPLICATE_BYTES);
        }
        if self.connected {
            if self.pending.is_empty() {
                cx.set_timer(Timer::Gh(GhTimer::Replication), self.cfg.replication_timeout_us);
            }
            self.pending.push_back(Pending { index, client, req, since_us: cx.now_us });
        } else {
            // Standalone: acknowledged on this node's disk alone.
            self.reply(cx, client, req, ReplyStatus::Ok);
        }
    }

    fn on_replication_timeout(&mut self, cx: &mut Cx) {
        let Some(oldest) = self.pending.front() else { return };
        let due = oldest.since_us + self.cfg.replication_timeout_us;
        if cx.now_us < due {
            cx.set_timer(Timer::Gh(GhTimer::Replication), due - cx.now_us);
            return;
        }
        // The peer stopped acknowledging: DRBD drops the connection.
        self.connected = false;
        if self.cfg.generation_check && self.peer != Peer::Fenced {
            self.fail_pending(cx);
        } else {
            self.flush_pending_standalone(cx);
        }
    }

    fn flush_pending_standalone(&mut self, cx: &mut Cx) {
        while let Some(p) = self.pending.pop_front() {
            self.reply(cx, p.client, p.req, ReplyStatus::Ok);
        }
    }

    fn fail_pending(&mut self, cx: &mut Cx) {
        while let Some(p) = self.pending.pop_front() {
            self.reply(cx, p.client, p.req, ReplyStatus::Unavailable);
        }
    }

    // ---- operators ----

    fn on_inspect(&mut self, cx: &mut Cx, from: NodeId) {
        let last_active_us = if self.role == Role::Active { cx.now_us } else { self.last_active_us };
        let msg = GhMsg::InspectReply {
            epoch: self.epoch,
            log_len: self.log_len(),
            base_len: self.base_len,
            last_active_ms: (last_active_us / 1_000).min(u64::from(u32::MAX)) as u32,
            active: self.role == Role::Active,
        };
        cx.send(from, self.cfg.mgmt_plane, Msg::Gh(msg), SMALL_BYTES);
    }

    /// An operator restarts DRBD by hand with the role they chose. The cluster
    /// manager is left in maintenance mode (as the rest of the fleet is while the
    /// team works): a node that missed the maintenance command while it was off
    /// must not start watching a partner that sends no heartbeats.
    fn on_resume(&mut self, cx: &mut Cx, active: bool, keep_len: u32, term: u32) {
        let was_watching = self.watching();
        self.held = false;
        self.maintenance = true;
        self.fence = None;
        cx.cancel_timer(Timer::Gh(GhTimer::FenceTimeout));
        self.peer = Peer::Alive;
        self.epoch = epoch_of(term, self.me);
        self.fail_pending(cx);
        if active {
            self.base_len = self.log_len();
            self.connected = false; // until the peer has caught up
            if self.role != Role::Active {
                self.set_role(cx, Role::Active);
            }
            self.last_active_us = cx.now_us;
        } else {
            if self.role != Role::Passive {
                self.set_role(cx, Role::Passive);
            }
            self.truncate(cx, keep_len.min(self.log_len()));
            self.sync_asked_us = None;
            self.ask_sync(cx);
        }
        if !was_watching && self.watching() {
            self.start_watching(cx, 0);
        } else {
            self.peer_heard_us = cx.now_us;
            self.active_heard_us = cx.now_us;
        }
    }

    fn command(&mut self, cx: &mut Cx, command: Command) {
        let was_watching = self.watching();
        match command {
            Command::MaintenanceOn => self.maintenance = true,
            Command::MaintenanceOff => self.maintenance = false,
            Command::NetworkChangeBegin => self.change_window = true,
            Command::NetworkChangeEnd => self.change_window = false,
            Command::ForceActive => self.on_resume(cx, true, self.log_len(), term_of(self.epoch) + 1),
            Command::ForcePassive => self.on_resume(cx, false, self.log_len(), term_of(self.epoch)),
            Command::Recover => {}
        }
        if !was_watching && self.watching() {
            self.start_watching(cx, 0);
        }
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
}

impl Protocol for Fileserver {
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

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: Msg) {
        if self.role == Role::Active {
            self.last_active_us = cx.now_us;
        }
        match msg {
            Msg::Request { req, write_id } => self.on_request(cx, from, req, write_id),
            Msg::Gh(m) => match m {
                GhMsg::Heartbeat { epoch, active, log_len, base_len } if from == self.cfg.peer => {
                    self.on_peer_heartbeat(cx, epoch, active, log_len, base_len)
                }
                GhMsg::WitnessVote { granted: true } => self.witness_vote_us = cx.now_us,
                GhMsg::Replicate { epoch, index, write_id } if from == self.cfg.peer => {
                    self.on_replicate(cx, epoch, index, write_id)
                }
                GhMsg::ReplicateAck { epoch, index, refused } if from == self.cfg.peer => {
                    self.on_replicate_ack(cx, epoch, index, refused)
                }
                GhMsg::SyncRequest { epoch, from_index } if from == self.cfg.peer => {
                    self.on_sync_request(cx, epoch, from_index)
                }
                GhMsg::FenceDone { target, op } => self.on_fence_done(cx, target, op),
                GhMsg::Inspect => self.on_inspect(cx, from),
                GhMsg::Resume { active, keep_len, term } => self.on_resume(cx, active, keep_len, term),
                _ => {}
            },
            _ => {}
        }
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: Timer) {
        if self.role == Role::Active {
            self.last_active_us = cx.now_us;
        }
        match timer {
            Timer::Gh(GhTimer::Heartbeat) => self.on_heartbeat_timer(cx),
            Timer::Gh(GhTimer::FenceTimeout) => self.on_fence_timeout(cx),
            Timer::Gh(GhTimer::Replication) => self.on_replication_timeout(cx),
            _ => {}
        }
    }

    fn on_command(&mut self, cx: &mut Cx, command: Command) {
        self.command(cx, command);
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
