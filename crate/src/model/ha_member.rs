//! A member of a heartbeat-based HA cluster (Pacemaker/Heartbeat-like): one
//! member is active and replicates its writes to the others; a passive member
//! that hears nothing from the active for `dead_time` promotes itself.
//!
//! With `quorum` on, a member counts how many members (itself included) it has
//! heard from within the dead time: a passive promotes only with a majority, and
//! an active without one demotes itself after `dead_time * 3 / 4`, before any
//! passive can promote, so two actives never overlap.
//!
//! Epochs carry the node id beside the term, so two members promoting at
//! once still order their claims; the higher epoch wins and the loser discards
//! the writes it took after the winner's epoch began (DRBD's "discard my data").

use super::effect::{Cx, Effect, Epoch, Role};
use super::command::unit_commands;
use super::msg::{inbox, message_family, timer_enum, ReplyStatus, ServiceMsg};
use super::Model;
use crate::ids::{GroupId, NodeId, PlaneId};

/// What a majority is counted for (see `members_alive`).
#[derive(Clone, Copy)]
enum MajorityFor {
    /// An active keeping its lease.
    Lease,
    /// A passive replacing the active.
    Promotion,
}

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
        /// `hears_active`: the sender (a passive) hears a live active right now,
        /// so it is no vote for anyone replacing that active.
        Heartbeat { epoch: Epoch, active: bool, log_len: u64, base_len: u64, hears_active: bool } = "heartbeat",
        /// One replicated write at `index` of the active's log.
        Replicate { epoch: Epoch, index: u64, write_id: u64 } = "replicate",
        ReplicateAck { epoch: Epoch, index: u64 } = "replicate-ack",
        /// A replica asks the active to resend its log from `from_index`.
        SyncRequest { epoch: Epoch, from_index: u64 } = "sync-request",
    }
}

inbox! {
    /// What a cluster member receives: client requests and its peers' messages.
    pub enum HaInbox {
        Service(ServiceMsg),
        Ha(HaMsg),
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
    /// What each peer said in its last heartbeat: it hears a live active.
    peer_hears_active: Vec<bool>,
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
}

impl HaMember {
    pub fn new(me: NodeId, cfg: HaConfig) -> HaMember {
        let peers = cfg.peers.len();
        HaMember {
            role: Role::Passive,
            epoch: Epoch::default(),
            heard_us: vec![0; peers],
            peer_hears_active: vec![false; peers],
            active_heard_us: 0,
            active: None,
            log: Vec::new(),
            base_len: 0,
            maintenance: false,
            sync_asked_us: None,
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
        self.heard_us.iter_mut().for_each(|t| *t = cx.now_us);
        self.active_heard_us = cx.now_us;
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

    /// Members heard from within `window_us`, this one included. For an active's
    /// own lease every member heard counts. For a promotion, neither the active
    /// being replaced nor a peer that still hears some active is a vote: such a
    /// peer follows a live active, even one this member has never heard of.
    fn members_alive(&self, now: u64, window_us: u64, check: MajorityFor) -> usize {
        let heard = self.cfg.peers.iter().zip(&self.heard_us).zip(&self.peer_hears_active).filter(|&((&p, &t), &busy)| {
            let fresh = now.saturating_sub(t) <= window_us;
            match check {
                MajorityFor::Lease => fresh,
                MajorityFor::Promotion => fresh && Some(p) != self.active && !busy,
            }
        });
        1 + heard.count()
    }

    fn has_majority(&self, now: u64, window_us: u64, check: MajorityFor) -> bool {
        2 * self.members_alive(now, window_us, check) > self.cfg.peers.len() + 1
    }

    fn timer(&mut self, cx: &mut Cx, timer: HaTimer) {
        match timer {
            HaTimer::Heartbeat => {
                let hears_active = self.role != Role::Active
                    && self.active.is_some()
                    && cx.now_us.saturating_sub(self.active_heard_us) <= self.cfg.dead_time_us;
                let msg = HaMsg::Heartbeat {
                    epoch: self.epoch,
                    active: self.role == Role::Active,
                    log_len: self.log_len(),
                    base_len: self.base_len,
                    hears_active,
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
        let now = cx.now_us;
        let dead = self.cfg.dead_time_us;
        match self.role {
            Role::Active if self.cfg.quorum
                // Demote before any passive could promote (lease shorter than detection).
                && !self.has_majority(now, dead * 3 / 4, MajorityFor::Lease) => {
                    self.active = None;
                    self.set_role(cx, Role::Passive);
                }
            Role::Passive | Role::Candidate => {
                if now.saturating_sub(self.active_heard_us) <= dead {
                    return;
                }
                // Votes count over the same window an active keeps its lease by, so
                // a member that just lost its majority cannot find one in older
                // messages; neither the active being replaced nor a peer that still
                // hears it votes (a partial partition). All three found by
                // tests/rust/fault_properties.rs.
                if self.cfg.quorum && !self.has_majority(now, dead * 3 / 4, MajorityFor::Promotion) {
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
                if !lower_alive {
                    self.promote(cx);
                }
            }
            _ => {}
        }
    }

    fn promote(&mut self, cx: &mut Cx) {
        self.epoch = self.epoch.next(self.me);
        self.base_len = self.log_len();
        self.active = Some(self.me);
        self.set_role(cx, Role::Active);
    }

    fn command(&mut self, cx: &mut Cx, command: HaCommand) {
        match command {
            HaCommand::MaintenanceOn => self.maintenance = true,
            HaCommand::MaintenanceOff => {
                self.maintenance = false;
                let now = cx.now_us;
                self.heard_us.iter_mut().for_each(|t| *t = (*t).max(now));
                self.active_heard_us = now;
            }
            HaCommand::ForceActive => {
                if self.role != Role::Active {
                    self.promote(cx);
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
            self.heard_us[i] = cx.now_us;
        }
        match msg {
            HaInbox::Ha(HaMsg::Heartbeat { epoch, active, log_len, base_len, hears_active }) => {
                if let Some(i) = self.peer_index(from) {
                    self.peer_hears_active[i] = hears_active;
                }
                self.on_heartbeat(cx, from, epoch, active, log_len, base_len)
            }
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
            self.epoch = epoch;
            self.active = Some(from);
            self.active_heard_us = cx.now_us;
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
        if self.sync_asked_us.is_some_and(|t| cx.now_us < t.saturating_add(self.cfg.heartbeat_interval_us)) {
            return;
        }
        self.sync_asked_us = Some(cx.now_us);
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
    type Command = HaCommand;

    fn start(&mut self, cx: &mut Cx) {
        self.begin(cx);
    }

    /// After a crash: the process restarts passive and must hear an active again.
    fn restart(&mut self, cx: &mut Cx) {
        self.role = Role::Passive;
        self.active = None;
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
}

unit_commands! {
    /// What an operator can tell an HA member.
    pub enum HaCommand {
        MaintenanceOn = "maintenance_on": "Maintenance mode: stop acting on heartbeat loss (no promotion, no demotion).",
        MaintenanceOff = "maintenance_off": "Leave maintenance mode; every peer counts as just heard.",
        ForceActive = "force_active": "Make this member active now (a manual failover to it), in a new epoch.",
        ForcePassive = "force_passive": "Make this member passive now (a manual demotion).",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// A passive that has forgotten who the active is (it demoted itself, or never
    /// heard it) must still not count a peer that follows a live active as a vote:
    /// found by tests/rust/fault_properties.rs (demo-partition, seed 5, with quorum).
    #[test]
    fn a_peer_that_hears_an_active_is_no_vote_even_for_a_member_that_knows_no_active() {
        let mut m = member(0);
        let now = 100_000_000;
        m.heard_us = vec![now, 0];
        m.peer_hears_active = vec![true, false];
        assert_eq!(m.active, None);
        assert!(!m.has_majority(now, 7_500_000, MajorityFor::Promotion), "n2 follows an active elsewhere");
        m.peer_hears_active = vec![false, false];
        assert!(m.has_majority(now, 7_500_000, MajorityFor::Promotion), "a free peer is a vote");
        // An active's lease counts every member it hears, followers included.
        m.peer_hears_active = vec![true, false];
        assert!(m.has_majority(now, 7_500_000, MajorityFor::Lease));
    }
}
