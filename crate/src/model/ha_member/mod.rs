//! A member of a heartbeat-based HA cluster (Pacemaker/Heartbeat-like): one
//! member is active and replicates its writes to the others; a passive member
//! that hears nothing from the active for `dead_time` promotes itself.
//!
//! With `quorum` on, a passive that hears no active for the dead time asks its
//! peers for their votes in the next term and promotes only with a majority of
//! them (itself included; `quorum.rs`). A member votes with a `Ballot` (`model/fencing`):
//! once per term, not while it hears a live active, and it keeps its vote for
//! the candidate it gave it to for a dead time. An active counts the members it
//! has heard from and, without a majority, demotes itself after
//! `dead_time * 3 / 4`, before any passive can promote, so two actives never
//! overlap.
//!
//! Silence is measured on the host's monotonic clock (`Cx::mono_us`), as
//! corosync's token timeout is: a wall-clock step does not make a live active
//! look dead to a voter (fault-injection case demo-partition seed 5: a forward
//! step on a follower made it a free vote while the active still held its
//! lease through it). A skewed clock still stretches every window.
//!
//! Epochs carry the node id beside the term, so two members promoting at
//! once still order their claims; the higher epoch wins and the loser discards
//! the writes it took after the winner's epoch began (DRBD's "discard my data").

mod log;
mod msg;
mod quorum;

pub use msg::{HaCommand, HaInbox, HaMsg, HaTimer};

use super::effect::{Cx, Effect, Epoch, Role};
use super::fencing::{Ballot, Tally, VoteMsg};
use super::msg::ServiceMsg;
use super::show::{node_fact, peers_mask, NodeShow, Unit};
use super::Model;
use crate::ids::{GroupId, NodeId, PlaneId};

pub(super) const HEARTBEAT_BYTES: u32 = 128;
pub(super) const REPLY_BYTES: u32 = 64;


#[derive(Clone, Debug)]
pub struct HaConfig {
    pub group: GroupId,
    pub peers: Vec<NodeId>,
    pub initially_active: bool,
    pub heartbeat_interval_us: u64,
    pub dead_time_us: u64,
    pub heartbeat_plane: PlaneId,
    pub data_plane: PlaneId,
    pub quorum: bool,
}

#[derive(Clone, Debug)]
pub struct HaMember {
    cfg: HaConfig,
    me: NodeId,
    role: Role,
    epoch: Epoch,
    /// Last time each peer (same order as `cfg.peers`) was heard from.
    heard_us: Vec<u64>,
    /// Last time a heartbeat from an active of the current epoch arrived.
    active_heard_us: u64,
    active: Option<NodeId>,
    /// Write ids in log order. Survives a crash (it is on disk).
    log: Vec<u64>,
    /// Log length when this node's own epoch began.
    base_len: u64,
    maintenance: bool,
    /// When this replica last asked for a resend; at most one request per
    /// heartbeat interval is outstanding, so catching up stays linear.
    sync_asked_us: Option<u64>,
    /// This member's vote (on disk).
    ballot: Ballot,
    /// The vote this member is collecting to take over, if any.
    election: Option<Tally>,
    /// The newest term a peer refused this member's vote request with: the
    /// next takeover claims the term after it.
    refused_term: u32,
}

impl HaMember {
    pub fn new(me: NodeId, cfg: HaConfig) -> HaMember {
        let peers = cfg.peers.len();
        HaMember {
            role: Role::Passive,
            epoch: Epoch::default(),
            heard_us: vec![0; peers],
            active_heard_us: 0,
            active: None,
            log: Vec::new(),
            base_len: 0,
            maintenance: false,
            sync_asked_us: None,
            ballot: Ballot::default(),
            election: None,
            refused_term: 0,
            me,
            cfg,
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn log_len(&self) -> u64 {
        self.log.len() as u64
    }

    fn begin(&mut self, cx: &mut Cx) {
        if self.cfg.initially_active {
            self.epoch = Epoch::new(1, self.me);
            self.set_role(cx, Role::Active);
            self.active = Some(self.me);
        } else {
            self.set_role(cx, Role::Passive);
        }
        // Everybody counts as just heard at start-up.
        self.heard_us.iter_mut().for_each(|t| *t = cx.mono_us);
        self.active_heard_us = cx.mono_us;
        cx.set_timer(HaTimer::Heartbeat, 0);
        cx.set_timer(HaTimer::PeerCheck, self.cfg.heartbeat_interval_us);
    }

    fn set_role(&mut self, cx: &mut Cx, role: Role) {
        self.role = role;
        cx.emit(Effect::Role { group: self.cfg.group, role, epoch: self.epoch });
    }

    fn peer_index(&self, n: NodeId) -> Option<usize> {
        self.cfg.peers.iter().position(|&p| p == n)
    }

    fn timer(&mut self, cx: &mut Cx, timer: HaTimer) {
        match timer {
            HaTimer::Heartbeat => {
                let msg = HaMsg::Heartbeat {
                    epoch: self.epoch,
                    active: self.role == Role::Active,
                    log_len: self.log_len(),
                    base_len: self.base_len,
                };
                for &p in &self.cfg.peers {
                    cx.send(p, self.cfg.heartbeat_plane, msg, HEARTBEAT_BYTES);
                }
                cx.set_timer(HaTimer::Heartbeat, self.cfg.heartbeat_interval_us);
            }
            HaTimer::PeerCheck => {
                self.check_peers(cx);
                cx.set_timer(HaTimer::PeerCheck, self.cfg.heartbeat_interval_us);
            }
        }
    }

    fn check_peers(&mut self, cx: &mut Cx) {
        if self.maintenance {
            return;
        }
        let now = cx.mono_us;
        let dead = self.cfg.dead_time_us;
        match self.role {
            Role::Active if self.cfg.quorum
                // Demote before any passive could promote (lease shorter than detection).
                && !self.has_lease(now, dead * 3 / 4) => {
                    self.active = None;
                    self.set_role(cx, Role::Passive);
                }
            Role::Passive | Role::Candidate => {
                if now.saturating_sub(self.active_heard_us) <= dead {
                    return;
                }
                // The surviving member with the lowest id takes over, so several
                // passives do not all promote at once.
                let lower_alive = self
                    .cfg
                    .peers
                    .iter()
                    .zip(&self.heard_us)
                    .any(|(&p, &t)| p < self.me && Some(p) != self.active && now.saturating_sub(t) <= dead);
                if lower_alive {
                    return;
                }
                if self.cfg.quorum {
                    self.ask_for_votes(cx, now);
                } else {
                    self.promote(cx, self.next_term());
                }
            }
            _ => {}
        }
    }

    fn promote(&mut self, cx: &mut Cx, term: u32) {
        self.election = None;
        self.epoch = Epoch::new(term, self.me);
        self.base_len = self.log_len();
        self.active = Some(self.me);
        self.set_role(cx, Role::Active);
    }

    fn command(&mut self, cx: &mut Cx, command: HaCommand) {
        match command {
            HaCommand::MaintenanceOn => self.maintenance = true,
            HaCommand::MaintenanceOff => {
                self.maintenance = false;
                let now = cx.mono_us;
                self.heard_us.iter_mut().for_each(|t| *t = (*t).max(now));
                self.active_heard_us = now;
            }
            HaCommand::ForceActive => {
                if self.role != Role::Active {
                    self.promote(cx, self.next_term());
                }
            }
            HaCommand::ForcePassive => {
                if self.role == Role::Active {
                    self.active = None;
                    self.set_role(cx, Role::Passive);
                }
            }
        }
    }

    fn message(&mut self, cx: &mut Cx, from: NodeId, msg: HaInbox) {
        if let Some(i) = self.peer_index(from) {
            self.heard_us[i] = cx.mono_us;
        }
        match msg {
            HaInbox::Ha(HaMsg::Heartbeat { epoch, active, log_len, base_len }) => self.on_heartbeat(cx, from, epoch, active, log_len, base_len),
            HaInbox::Vote(VoteMsg::VoteRequest { term }) => self.on_vote_request(cx, from, term),
            HaInbox::Vote(VoteMsg::Vote { term, granted, voter_term }) => self.on_vote(cx, from, term, granted, voter_term),
            HaInbox::Service(ServiceMsg::Request { req, write_id }) => self.on_request(cx, from, req, write_id),
            HaInbox::Ha(HaMsg::Replicate { epoch, index, write_id }) => self.on_replicate(cx, from, epoch, index, write_id),
            HaInbox::Ha(HaMsg::SyncRequest { epoch, from_index }) => self.on_sync_request(cx, from, epoch, from_index),
            // This active answers clients at once and does not wait for acks.
            HaInbox::Ha(HaMsg::ReplicateAck { .. }) => {}
            // A member is not a client.
            HaInbox::Service(ServiceMsg::Reply { .. } | ServiceMsg::Traffic { .. }) => {}
        }
    }

    fn on_heartbeat(&mut self, cx: &mut Cx, from: NodeId, epoch: Epoch, active: bool, log_len: u64, base_len: u64) {
        if !active || epoch < self.epoch {
            return;
        }
        if epoch > self.epoch || self.role != Role::Active {
            let was_active = self.role == Role::Active;
            self.election = None;
            self.epoch = epoch;
            self.active = Some(from);
            self.active_heard_us = cx.mono_us;
            if was_active || self.role != Role::Passive {
                self.set_role(cx, Role::Passive);
            }
            // Everything this node holds past the point where the winner's epoch
            // began was never seen by the winner: it is divergent and is discarded.
            if was_active && self.log_len() > base_len {
                self.truncate(cx, base_len);
            }
            if self.log_len() < log_len {
                self.ask_sync(cx, from);
            }
        }
    }

}

impl Model for HaMember {
    type Msg = HaInbox;
    type Timer = HaTimer;
    type Command = HaCommand;

    fn start(&mut self, cx: &mut Cx) {
        self.begin(cx);
    }

    /// After a crash: the process restarts passive and must hear an active again.
    fn restart(&mut self, cx: &mut Cx) {
        self.role = Role::Passive;
        self.active = None;
        self.election = None;
        self.cfg.initially_active = false;
        self.begin(cx);
    }

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: HaInbox) {
        self.message(cx, from, msg);
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: HaTimer) {
        self.timer(cx, timer);
    }

    fn on_command(&mut self, cx: &mut Cx, command: HaCommand) {
        self.command(cx, command);
    }

    /// Shown (`model/show.rs`): the active it follows, the peers heard within
    /// the dead time (its failure detector's view), the writes it holds.
    fn show(&self) -> NodeShow {
        NodeShow::with_roles(["", "passive", "candidate", "active", "rebuilding"])
            .fact("believed_active", "follows active", Unit::Node)
            .follows_last()
            .fact("hears", "hears from", Unit::Peers)
            .fact("writes_held", "writes held", Unit::Count)
            .watching(&self.cfg.peers)
    }

    fn facts(&self, now_us: u64, out: &mut Vec<i64>) {
        let dead = self.cfg.dead_time_us;
        let active = if self.role == Role::Active { Some(self.me) } else { self.active };
        out.extend_from_slice(&[
            node_fact(active),
            peers_mask(self.cfg.peers.len(), |i| now_us.saturating_sub(self.heard_us[i]) <= dead),
            self.log.len() as i64,
        ]);
    }
}

