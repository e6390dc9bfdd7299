//! A member of a heartbeat-based HA cluster (Pacemaker/Heartbeat-like): one
//! member is active and replicates its writes to the others; a passive member
//! that hears nothing from the active for `dead_time` promotes itself.
//!
//! With `quorum` on, a passive that hears no active for the dead time asks its
//! peers for their votes in the next term and promotes only with a majority of
//! them (itself included). A member votes with a `Ballot` (`model/fencing`):
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

use super::show::{node_fact, peers_mask, NodeShow, Unit};
use super::effect::{Cx, Effect, Epoch, Role};
use super::fencing::{Ballot, VoteMsg};
use super::msg::{inbox, message_family, timer_enum, Command, ReplyStatus, ServiceMsg};
use super::Model;
use crate::ids::{GroupId, NodeId, PlaneId};

const HEARTBEAT_BYTES: u32 = 128;
const REPLICATE_BYTES: u32 = 4096;
const REPLY_BYTES: u32 = 64;
/// At most this many log entries are resent per sync request, so a far-behind
/// replica catches up in bounded steps instead of one unbounded burst.
const SYNC_BATCH_MAX: u64 = 256;

message_family! {
    /// Messages between cluster members.
    pub enum HaMsg {
        /// `base_len` is the log length at which the sender's epoch began: everything
        /// a deposed active wrote past it is divergent.
        Heartbeat { epoch: Epoch, active: bool, log_len: u64, base_len: u64 } = "heartbeat",
        /// One replicated write at `index` of the active's log.
        Replicate { epoch: Epoch, index: u64, write_id: u64 } = "replicate",
        ReplicateAck { epoch: Epoch, index: u64 } = "replicate-ack",
        /// A replica asks the active to resend its log from `from_index`.
        SyncRequest { epoch: Epoch, from_index: u64 } = "sync-request",
    }
}

inbox! {
    /// What a cluster member receives: client requests, its peers' messages
    /// and, with quorum, their votes.
    pub enum HaInbox {
        Service(ServiceMsg),
        Ha(HaMsg),
        Vote(VoteMsg),
    }
}

timer_enum! {
    /// Timer slots of a cluster member.
    pub enum HaTimer {
        /// Send the next heartbeat.
        Heartbeat,
        /// Check whether peers have been silent for longer than the dead time.
        PeerCheck,
    }
}

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
    election: Option<Election>,
    /// The newest term a peer refused this member's vote request with: the
    /// next takeover claims the term after it.
    refused_term: u32,
}

/// Votes collected for a takeover in `term`.
#[derive(Clone, Debug)]
struct Election {
    term: u32,
    /// Per peer (same order as `cfg.peers`): granted.
    granted: Vec<bool>,
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

    /// A majority of the members, this one included, out of `count`.
    fn is_majority(&self, count: usize) -> bool {
        2 * count > self.cfg.peers.len() + 1
    }

    /// An active's lease: it has heard from a majority within `window_us`.
    fn has_lease(&self, now: u64, window_us: u64) -> bool {
        let heard = self.heard_us.iter().filter(|&&t| now.saturating_sub(t) <= window_us).count();
        self.is_majority(1 + heard)
    }

    /// This member follows an active it has heard within the dead time.
    fn hears_active(&self, now: u64) -> bool {
        self.role != Role::Active && self.active.is_some() && now.saturating_sub(self.active_heard_us) <= self.cfg.dead_time_us
    }

    /// The term a takeover claims: past this member's own and past any a peer refused it with.
    fn next_term(&self) -> u32 {
        self.epoch.term.max(self.refused_term) + 1
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

    /// Ask every peer for its vote in the next term (again each check until a
    /// majority answers or an active is heard), voting for itself first.
    fn ask_for_votes(&mut self, cx: &mut Cx, now: u64) {
        let term = self.next_term();
        if self.election.as_ref().map(|e| e.term) != Some(term) {
            if !self.ballot.request(self.me, term, now, self.cfg.dead_time_us) {
                return; // this member's own vote is promised to another candidate
            }
            self.election = Some(Election { term, granted: vec![false; self.cfg.peers.len()] });
        }
        for &p in &self.cfg.peers {
            cx.send(p, self.cfg.heartbeat_plane, VoteMsg::VoteRequest { term }, REPLY_BYTES);
        }
    }

    /// A peer asks for this member's vote in `term`: granted at most once per
    /// term, never while this member follows a live active or is one, and
    /// never for a term this member already knows.
    fn on_vote_request(&mut self, cx: &mut Cx, from: NodeId, term: u32) {
        let now = cx.mono_us;
        let granted = self.cfg.quorum
            && self.role != Role::Active
            && !self.hears_active(now)
            && term > self.epoch.term
            && self.ballot.request(from, term, now, self.cfg.dead_time_us);
        let voter_term = self.epoch.term.max(self.ballot.term());
        cx.send(from, self.cfg.heartbeat_plane, VoteMsg::Vote { term, granted, voter_term }, REPLY_BYTES);
    }

    fn on_vote(&mut self, cx: &mut Cx, from: NodeId, term: u32, granted: bool, voter_term: u32) {
        if !granted {
            self.refused_term = self.refused_term.max(voter_term);
            return;
        }
        let (Some(i), Some(e)) = (self.peer_index(from), self.election.as_mut()) else { return };
        if e.term != term || self.role == Role::Active {
            return;
        }
        e.granted[i] = true;
        let votes = 1 + e.granted.iter().filter(|&&g| g).count();
        if self.is_majority(votes) {
            self.promote(cx, term);
        }
    }

    fn promote(&mut self, cx: &mut Cx, term: u32) {
        self.election = None;
        self.epoch = Epoch::new(term, self.me);
        self.base_len = self.log_len();
        self.active = Some(self.me);
        self.set_role(cx, Role::Active);
    }

    fn command(&mut self, cx: &mut Cx, command: Command) {
        match command {
            Command::MaintenanceOn => self.maintenance = true,
            Command::MaintenanceOff => {
                self.maintenance = false;
                let now = cx.mono_us;
                self.heard_us.iter_mut().for_each(|t| *t = (*t).max(now));
                self.active_heard_us = now;
            }
            Command::ForceActive
                if self.role != Role::Active => {
                    self.promote(cx, self.next_term());
                }
            Command::ForcePassive
                if self.role == Role::Active => {
                    self.active = None;
                    self.set_role(cx, Role::Passive);
                }
            Command::NetworkChangeBegin | Command::NetworkChangeEnd | Command::Recover => {}
            _ => {}
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
            HaInbox::Ha(HaMsg::SyncRequest { epoch, from_index }) => {
                if self.role == Role::Active && epoch <= self.epoch {
                    let end = self.log_len().min(from_index + SYNC_BATCH_MAX);
                    for index in from_index..end {
                        let write_id = self.log[index as usize];
                        cx.send(from, self.cfg.data_plane, HaMsg::Replicate { epoch: self.epoch, index, write_id }, REPLICATE_BYTES);
                    }
                }
            }
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

    fn ask_sync(&mut self, cx: &mut Cx, active: NodeId) {
        if self.sync_asked_us.is_some_and(|t| cx.mono_us < t.saturating_add(self.cfg.heartbeat_interval_us)) {
            return;
        }
        self.sync_asked_us = Some(cx.mono_us);
        let msg = HaMsg::SyncRequest { epoch: self.epoch, from_index: self.log_len() };
        cx.send(active, self.cfg.data_plane, msg, HEARTBEAT_BYTES);
    }

    fn truncate(&mut self, cx: &mut Cx, len: u64) {
        while self.log_len() > len {
            if let Some(write_id) = self.log.pop() {
                cx.emit(Effect::Discarded { write_id });
            }
        }
    }

    fn on_request(&mut self, cx: &mut Cx, client: NodeId, req: u32, write_id: u64) {
        if self.role != Role::Active {
            cx.send(client, self.cfg.data_plane, ServiceMsg::Reply { req, status: ReplyStatus::NotActive }, REPLY_BYTES);
            return;
        }
        if write_id != 0 {
            let index = self.log_len();
            self.log.push(write_id);
            for &p in &self.cfg.peers {
                cx.send(p, self.cfg.data_plane, HaMsg::Replicate { epoch: self.epoch, index, write_id }, REPLICATE_BYTES);
            }
        }
        cx.send(client, self.cfg.data_plane, ServiceMsg::Reply { req, status: ReplyStatus::Ok }, REPLY_BYTES);
    }

    fn on_replicate(&mut self, cx: &mut Cx, from: NodeId, epoch: Epoch, index: u64, write_id: u64) {
        if epoch < self.epoch || self.role == Role::Active {
            return;
        }
        self.epoch = epoch;
        self.active = Some(from);
        if index > self.log_len() {
            self.ask_sync(cx, from);
            return;
        }
        if index < self.log_len() {
            if self.log[index as usize] == write_id {
                return; // a resend of what we already have
            }
            self.truncate(cx, index);
        }
        self.log.push(write_id);
        cx.send(from, self.cfg.data_plane, HaMsg::ReplicateAck { epoch, index }, REPLY_BYTES);
    }
}

impl Model for HaMember {
    type Msg = HaInbox;
    type Timer = HaTimer;
    type Command = Command;

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

    fn on_command(&mut self, cx: &mut Cx, command: Command) {
        self.command(cx, command);
    }

    /// Shown (`model/show.rs`): the active it follows, the peers heard within
    /// the dead time (its failure detector's view), the writes it holds.
    fn show(&self) -> NodeShow {
        NodeShow::with_roles(["", "passive", "candidate", "active", "rebuilding"])
            .fact("believed_active", "follows active", Unit::Node)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Rng;
    use crate::model::msg::Msg;

    fn member(me: u32) -> HaMember {
        let cfg = HaConfig {
            group: GroupId(0),
            peers: (0..3).filter(|&n| n != me).map(NodeId).collect(),
            initially_active: false,
            heartbeat_interval_us: 1_000_000,
            dead_time_us: 10_000_000,
            heartbeat_plane: PlaneId(0),
            data_plane: PlaneId(0),
            quorum: true,
        };
        HaMember::new(NodeId(me), cfg)
    }

    /// `m` answers `from`'s request for `term` at `now_us`: granted?
    fn answer(m: &mut HaMember, now_us: u64, from: u32, term: u32) -> bool {
        let mut rng = Rng::for_component(1, 1);
        let mut out = vec![];
        let mut cx = Cx { now_us, mono_us: now_us, me: m.me, rng: &mut rng, out: &mut out };
        m.on_message(&mut cx, NodeId(from), HaInbox::Vote(VoteMsg::VoteRequest { term }));
        matches!(out[..], [Effect::Send { msg: Msg::Vote(VoteMsg::Vote { granted: true, .. }), .. }])
    }

    /// One vote for one candidate at a time: the voter of fault-injection case
    /// demo-partition seed 17 lent its vote to two members promoting at once.
    #[test]
    fn a_member_votes_once_per_term_and_not_while_it_hears_an_active() {
        let mut m = member(2);
        m.epoch = Epoch::new(2, NodeId(1));
        assert!(!answer(&mut m, 100_000_000, 0, 2), "term 2 is known: no vote in it");
        assert!(answer(&mut m, 100_000_000, 0, 3));
        assert!(!answer(&mut m, 100_000_001, 1, 4), "promised to n0 for a dead time");
        assert!(answer(&mut m, 100_500_000, 0, 3), "the same candidate asks again");
        // A member that follows a live active votes for nobody.
        let mut m = member(2);
        m.active = Some(NodeId(1));
        m.active_heard_us = 99_000_000;
        assert!(!answer(&mut m, 100_000_000, 0, 1));
        assert!(answer(&mut m, 110_000_000, 0, 1), "the active has been silent for the dead time");
    }
}
