//! Raft (Ongaro & Ousterhout 2014; Ongaro's thesis) as a sans-IO state machine:
//! leader election with randomised timeouts, log replication, commit index,
//! terms and step-down, with etcd raft's two options:
//!
//! - `pre_vote`: a follower whose election timer fires first asks for
//!   *pre-votes* for `term + 1` without raising its own term; only with a
//!   majority of grants does it start a real election. A receiver never changes
//!   its term or vote for a pre-vote, and grants one whenever the candidate's log
//!   is up to date and the requested term is above its own (etcd `raft.go`
//!   `Step`: there is no leader-recency test in that rule).
//! - `check_quorum`: a leader that has not heard from a majority within an
//!   election timeout steps down (checked once per election timeout, so within
//!   one to two timeouts). It also enables the *follower lease*: a node that
//!   knows a leader and heard from it less than an election timeout ago ignores
//!   higher-term (pre-)vote requests entirely. In etcd the thesis's "do not vote
//!   while you hear a leader" rule exists only through this option.
//!
//! Like etcd, a leader's heartbeats carry no entries: a follower that missed
//! entries gets them only after its heartbeat reply tells the leader it is
//! alive (a round trip), or with the leader's next new entry. A server
//! persists before it answers: with `disk_write_us` > 0, every message a
//! handler produces after changing the term, the vote or the log waits for a
//! stable-storage write (etcd's `Ready`: save the hard state and entries, then
//! send). A leader's own appends go out at once and its disk write runs in
//! parallel (Raft thesis §10.2.1, as etcd does).
//!
//! Log entries carry no payload here: an entry is its term; a client write is
//! acknowledged once its entry is committed. Reads are served by any node from
//! its local state (etcd's serializable reads), which is why a leaderless etcd
//! is "read-only".

use std::collections::VecDeque;

mod election;
mod msg;
mod persist;
mod replication;
mod show;

pub use msg::{RaftInbox, RaftMsg, RaftTimer};

use super::effect::{Cx, Effect, Epoch, Role};
use super::msg::{Command, Msg, ReplyStatus, ServiceMsg, Timer};
use super::Model;
use crate::ids::{GroupId, NodeId, PlaneId};

const VOTE_BYTES: u32 = 64;
const APPEND_HEADER_BYTES: u32 = 64;
const ENTRY_BYTES: u32 = 256;
const REPLY_BYTES: u32 = 64;
/// Entries per append message; a follower far behind catches up in bounded steps.
const APPEND_BATCH_MAX: u32 = 64;
/// Client writes a leader keeps waiting for their commit; more are refused.
const PENDING_MAX: usize = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaftRole {
    Follower,
    PreCandidate,
    Candidate,
    Leader,
}

#[derive(Clone, Debug)]
pub struct RaftConfig {
    pub group: GroupId,
    pub peers: Vec<NodeId>,
    pub plane: PlaneId,
    /// Plane client requests and replies travel on.
    pub client_plane: PlaneId,
    pub heartbeat_us: u64,
    /// Each election timeout is drawn uniformly from `[min, max]` (etcd: `[T, 2T-1]` ticks).
    pub election_min_us: u64,
    pub election_max_us: u64,
    pub pre_vote: bool,
    pub check_quorum: bool,
    /// The leader of term 1 at start (everyone starts with the same one-entry
    /// log); `None`: everyone starts as a follower and an election follows.
    pub initial_leader: Option<NodeId>,
    /// The first heartbeat of an initial leader goes out after a random part of
    /// the interval, so a scripted crash lands at a random point of it.
    pub random_phase: bool,
    /// Gauge id for this server's term, if the scenario draws it.
    pub term_gauge: Option<u16>,
    /// Gauge id counting the elections this server starts (terms it raises itself).
    pub elections_gauge: Option<u16>,
    /// Time a stable-storage write (term, vote, log entries) takes before the
    /// answer that depends on it may leave; 0: no disk.
    pub disk_write_us: u64,
}

#[derive(Clone, Copy, Debug)]
struct PendingWrite {
    index: u32,
    term: u32,
    client: NodeId,
    req: u32,
}

#[derive(Clone, Debug)]
pub struct RaftNode {
    cfg: RaftConfig,
    me: NodeId,
    // Persistent state (survives a crash).
    term: u32,
    voted_for: Option<NodeId>,
    /// `log[i]` is the term of entry `i + 1`.
    log: Vec<u32>,
    /// Committed index; etcd keeps it in its hard state, so it survives too.
    commit: u32,
    // Volatile state.
    role: RaftRole,
    leader: Option<NodeId>,
    /// Last time this node heard from the leader it knows (follower lease).
    leader_heard_us: u64,
    /// Grants received in the current (pre-)election, one flag per peer.
    votes: Vec<bool>,
    rejections: Vec<bool>,
    next_index: Vec<u32>,
    match_index: Vec<u32>,
    /// CheckQuorum: peers heard from since the last quorum check.
    recent_active: Vec<bool>,
    pending: VecDeque<PendingWrite>,
    /// Raft messages produced by the handler now running (sent or held at its end).
    outbox: Vec<(NodeId, RaftMsg)>,
    /// Messages waiting for a stable-storage write: (write done at, to, message).
    held: VecDeque<(u64, NodeId, RaftMsg)>,
    /// Elections this server started (real ones, not pre-votes).
    elections: u32,
    /// Last time each peer (order of `cfg.peers`) sent this server a Raft
    /// message: what the stage shows as "hears from" (no decision reads it).
    heard_us: Vec<u64>,
    /// The election timeout currently armed (for property checks).
    pub last_timeout_us: u64,
}

impl RaftNode {
    pub fn new(me: NodeId, cfg: RaftConfig) -> RaftNode {
        let n = cfg.peers.len();
        let mut log = Vec::with_capacity(16_384);
        log.push(1);
        RaftNode {
            me,
            term: 1,
            voted_for: None,
            log,
            commit: 1,
            role: RaftRole::Follower,
            leader: None,
            leader_heard_us: 0,
            votes: vec![false; n],
            rejections: vec![false; n],
            next_index: vec![1; n],
            match_index: vec![0; n],
            recent_active: vec![false; n],
            pending: VecDeque::with_capacity(PENDING_MAX),
            outbox: Vec::with_capacity(8),
            held: VecDeque::new(),
            elections: 0,
            heard_us: vec![0; n],
            last_timeout_us: 0,
            cfg,
        }
    }

    pub fn term(&self) -> u32 {
        self.term
    }
    pub fn role(&self) -> RaftRole {
        self.role
    }
    pub fn log(&self) -> &[u32] {
        &self.log
    }
    pub fn commit(&self) -> u32 {
        self.commit
    }
    pub fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }
    pub fn leader(&self) -> Option<NodeId> {
        self.leader
    }

    fn last_index(&self) -> u32 {
        self.log.len() as u32
    }
    fn last_term(&self) -> u32 {
        self.log.last().copied().unwrap_or(0)
    }
    fn term_at(&self, index: u32) -> u32 {
        if index == 0 {
            0
        } else {
            self.log.get(index as usize - 1).copied().unwrap_or(0)
        }
    }
    fn quorum(&self) -> usize {
        let members = self.cfg.peers.len() + 1;
        members / 2 + 1
    }
    fn peer_index(&self, n: NodeId) -> Option<usize> {
        self.cfg.peers.iter().position(|&p| p == n)
    }
    /// Raft's "at least as up to date" rule (§5.4.1).
    fn log_ok(&self, last_index: u32, last_term: u32) -> bool {
        last_term > self.last_term() || (last_term == self.last_term() && last_index >= self.last_index())
    }

    fn emit_role(&self, cx: &mut Cx) {
        let role = match self.role {
            RaftRole::Follower => Role::Passive,
            RaftRole::PreCandidate | RaftRole::Candidate => Role::Candidate,
            RaftRole::Leader => Role::Active,
        };
        cx.emit(Effect::Role { group: self.cfg.group, role, epoch: Epoch::new(self.term, self.me) });
    }

    fn set_term(&mut self, cx: &mut Cx, term: u32) {
        if term != self.term {
            self.term = term;
            self.voted_for = None;
            if let Some(g) = self.cfg.term_gauge {
                cx.emit(Effect::Gauge { gauge: g, value: i64::from(term) });
            }
        }
    }

    fn on_timer_inner(&mut self, cx: &mut Cx, timer: RaftTimer) {
        match timer {
            RaftTimer::Election => {
                if self.role != RaftRole::Leader {
                    self.campaign(cx, self.cfg.pre_vote);
                }
            }
            RaftTimer::Heartbeat => {
                if self.role == RaftRole::Leader {
                    self.send_heartbeats();
                    cx.set_timer(Timer::Raft(RaftTimer::Heartbeat), self.cfg.heartbeat_us);
                }
            }
            RaftTimer::Quorum => {
                if self.role == RaftRole::Leader && self.cfg.check_quorum {
                    let active = 1 + self.recent_active.iter().filter(|&&a| a).count();
                    self.recent_active.iter_mut().for_each(|a| *a = false);
                    if active < self.quorum() {
                        let term = self.term;
                        self.become_follower(cx, term, None);
                    } else {
                        cx.set_timer(Timer::Raft(RaftTimer::Quorum), self.cfg.election_min_us);
                    }
                }
            }
            RaftTimer::Persist => self.on_persisted(cx),
        }
    }

    fn on_raft(&mut self, cx: &mut Cx, from: NodeId, msg: RaftMsg) {
        let Some(pi) = self.peer_index(from) else {
            return;
        };
        let (mterm, is_vote_req, is_pre_req) = match msg {
            RaftMsg::RequestVote { term, pre, .. } => (term, true, pre),
            RaftMsg::Vote { term, .. }
            | RaftMsg::Append { term, .. }
            | RaftMsg::AppendReply { term, .. }
            | RaftMsg::Heartbeat { term, .. }
            | RaftMsg::HeartbeatReply { term } => (term, false, false),
        };
        let from_leader = matches!(msg, RaftMsg::Append { .. } | RaftMsg::Heartbeat { .. });
        if mterm > self.term {
            if is_vote_req && self.in_lease(cx.now_us) {
                return; // follower lease: ignore a disruptive candidate
            }
            let pre_grant = matches!(msg, RaftMsg::Vote { pre: true, granted: true, .. });
            if !is_pre_req && !pre_grant {
                self.become_follower(cx, mterm, from_leader.then_some(from));
            }
        } else if mterm < self.term {
            match msg {
                // A stale leader: tell it our term so it steps down (etcd does this
                // when PreVote or CheckQuorum may keep our higher term from spreading).
                RaftMsg::Append { .. } if self.cfg.pre_vote || self.cfg.check_quorum => {
                    let reply = RaftMsg::AppendReply { term: self.term, success: false, index: self.last_index() };
                    self.out(from, reply);
                }
                RaftMsg::Heartbeat { .. } if self.cfg.pre_vote || self.cfg.check_quorum => {
                    self.out(from, RaftMsg::HeartbeatReply { term: self.term });
                }
                RaftMsg::RequestVote { pre: true, .. } => {
                    self.out(from, RaftMsg::Vote { term: self.term, granted: false, pre: true });
                }
                _ => {}
            }
            return;
        }
        match msg {
            RaftMsg::RequestVote { term, last_index, last_term, pre } => {
                let can_vote = self.voted_for == Some(from) || (self.voted_for.is_none() && self.leader.is_none()) || (pre && term > self.term);
                let granted = can_vote && self.log_ok(last_index, last_term);
                if granted && !pre {
                    self.voted_for = Some(from);
                    self.arm_election(cx);
                }
                // A granted vote answers for the requested term; a refusal carries ours.
                let reply_term = if granted { term } else { self.term };
                self.out(from, RaftMsg::Vote { term: reply_term, granted, pre });
            }
            RaftMsg::Vote { granted, pre, .. } => self.on_vote(cx, pi, granted, pre),
            RaftMsg::Append { term, prev_index, prev_term, count, entry_term, commit } => {
                self.heard_leader(cx, term, from);
                self.on_append(from, prev_index, prev_term, count, entry_term, commit);
            }
            RaftMsg::Heartbeat { term, commit } => {
                self.heard_leader(cx, term, from);
                // The leader caps `commit` at what we are known to hold.
                self.commit = self.commit.max(commit.min(self.last_index()));
                self.out(from, RaftMsg::HeartbeatReply { term: self.term });
            }
            RaftMsg::HeartbeatReply { .. } => {
                if self.role == RaftRole::Leader {
                    self.on_heartbeat_reply(pi);
                }
            }
            RaftMsg::AppendReply { success, index, .. } => {
                if self.role != RaftRole::Leader {
                    return;
                }
                self.recent_active[pi] = true;
                if success {
                    self.match_index[pi] = self.match_index[pi].max(index);
                    self.next_index[pi] = self.next_index[pi].max(index + 1);
                    self.advance_commit(cx);
                    if self.next_index[pi] <= self.last_index() {
                        self.send_append(pi);
                    }
                } else {
                    let back = (self.next_index[pi].saturating_sub(1)).min(index + 1).max(self.match_index[pi] + 1).max(1);
                    if back < self.next_index[pi] {
                        self.next_index[pi] = back;
                        self.send_append(pi);
                    }
                }
            }
        }
    }

    /// An append or heartbeat of our term from `from`: it is the leader.
    fn heard_leader(&mut self, cx: &mut Cx, term: u32, from: NodeId) {
        if self.role != RaftRole::Follower || self.leader != Some(from) {
            self.become_follower(cx, term, Some(from));
        } else {
            self.leader_heard_us = cx.now_us;
            self.arm_election(cx);
        }
    }

    fn begin(&mut self, cx: &mut Cx, initially_leader: bool) {
        if let Some(g) = self.cfg.term_gauge {
            cx.emit(Effect::Gauge { gauge: g, value: i64::from(self.term) });
        }
        if let Some(g) = self.cfg.elections_gauge {
            cx.emit(Effect::Gauge { gauge: g, value: i64::from(self.elections) });
        }
        if initially_leader {
            self.role = RaftRole::Leader;
            self.leader = Some(self.me);
            let next = self.last_index() + 1;
            self.next_index.iter_mut().for_each(|n| *n = next);
            self.match_index.iter_mut().for_each(|m| *m = 1);
            self.emit_role(cx);
            let phase = if self.cfg.random_phase { cx.rng.below(self.cfg.heartbeat_us.max(1)) } else { 0 };
            cx.set_timer(Timer::Raft(RaftTimer::Heartbeat), phase);
            if self.cfg.check_quorum {
                cx.set_timer(Timer::Raft(RaftTimer::Quorum), self.cfg.election_min_us);
            }
        } else {
            self.role = RaftRole::Follower;
            self.emit_role(cx);
            self.arm_election(cx);
        }
    }
}

impl Model for RaftNode {
    type Msg = RaftInbox;
    type Timer = RaftTimer;
    type Command = Command;

    fn start(&mut self, cx: &mut Cx) {
        // Everyone starts in term 1 knowing the initial leader, if there is one.
        self.leader = self.cfg.initial_leader;
        self.leader_heard_us = cx.now_us;
        self.heard_us.iter_mut().for_each(|t| *t = cx.now_us);
        let lead = self.cfg.initial_leader == Some(self.me);
        self.begin(cx, lead);
    }

    /// After a crash: term, vote, log and commit index are on disk; the rest is gone.
    fn restart(&mut self, cx: &mut Cx) {
        self.role = RaftRole::Follower;
        self.leader = None;
        self.pending.clear();
        self.drop_unsent();
        self.reset_votes();
        self.begin(cx, false);
    }

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: RaftInbox) {
        let before = self.durable();
        match msg {
            RaftInbox::Raft(m) => {
                if let Some(i) = self.peer_index(from) {
                    self.heard_us[i] = cx.now_us;
                }
                self.on_raft(cx, from, m)
            }
            RaftInbox::Service(ServiceMsg::Request { req, write_id }) => self.on_request(cx, from, req, write_id),
            // A server is nobody's client.
            RaftInbox::Service(ServiceMsg::Reply { .. } | ServiceMsg::Traffic { .. }) => {}
        }
        self.finish(cx, before);
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: RaftTimer) {
        let before = self.durable();
        self.on_timer_inner(cx, timer);
        self.finish(cx, before);
    }

    fn show(&self) -> crate::model::show::NodeShow {
        self.declare_show()
    }

    fn facts(&self, now_us: u64, out: &mut Vec<i64>) {
        self.push_facts(now_us, out);
    }
}
