//! A MongoDB replica set member (protocol version 1) as a sans-IO state machine.
//!
//! - **Terms and elections.** Members send heartbeats every
//!   `heartbeatIntervalMillis`. A secondary that has heard no primary for
//!   `electionTimeoutMillis` plus a random offset first runs a dry-run election
//!   (would a majority vote for me in the next term?), and only then raises
//!   its term and asks for real votes: one vote per member per term, and only
//!   for a candidate whose oplog is at least as up to date. A majority makes a
//!   primary, which writes a no-op entry in its new term.
//! - **Stepping down.** A member that sees a higher term in any message adopts
//!   it and, if primary, steps down. A primary that has not heard from a
//!   majority (itself included) for `electionTimeoutMillis` steps down too.
//!   Between the majority electing a new primary and the old one noticing, two
//!   members believe they are primary, in different terms.
//! - **Replication and write concern.** Secondaries pull the oplog from the
//!   primary they know, one entry per request. A `w: 1` write is acknowledged
//!   once the primary has it; a `w: "majority"` write once a majority has an
//!   oplog reaching it and the entry is of the primary's current term (the
//!   commit point). A primary that steps down fails its waiting writes.
//! - **Rollback.** When a fetcher's last entry is not in its sync source's
//!   oplog, the source answers `RollBack`; the fetcher removes that entry
//!   and asks again. Rolling back a write this member had acknowledged as
//!   primary is reported (`Discarded`): that acknowledged write is lost. (A
//!   client's retry can put the same write in two primaries' oplogs; rolling
//!   back the copy that was never acknowledged loses nothing.)
//!   The oplog, the term and the vote survive a restart (the journal).

mod msg;

pub use msg::{MongoInbox, MongoMsg, MongoTimer};

use std::collections::{BTreeSet, VecDeque};

use super::effect::{Cx, Effect, Epoch, Role};
use super::msg::{Command, ReplyStatus, ServiceMsg};
use super::Model;
use crate::ids::{GroupId, NodeId, PlaneId};

const SMALL_BYTES: u32 = 128;
const ENTRY_BYTES: u32 = 512;
/// Writes a primary keeps waiting for the majority; more are refused.
const WAITING_WRITES_MAX: usize = 100_000;
/// Oplog entries a member keeps; a primary refuses writes beyond it.
pub const OPLOG_ENTRIES_MAX: usize = 2_000_000;

#[derive(Clone, Debug)]
pub struct MongoConfig {
    pub group: GroupId,
    pub plane: PlaneId,
    pub client_plane: PlaneId,
    /// The replica set's members (all voting), in `_id` order.
    pub members: Vec<NodeId>,
    pub heartbeat_interval_us: u64,
    pub election_timeout_us: u64,
    /// Largest random offset added to each election timeout.
    pub election_offset_max_us: u64,
    /// `w: "majority"` instead of `w: 1` for every client write.
    pub write_majority: bool,
    /// The member that is primary in term 1 when the run starts (`rs.initiate`).
    pub initial_primary: usize,
    /// Gauge: milliseconds from the last heartbeat of the previous primary to
    /// this member winning an election.
    pub failover_gauge: Option<u16>,
    /// Gauge: writes this member rolled back.
    pub rollback_gauge: Option<u16>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Secondary,
    Candidate { dry_run: bool },
    Primary,
}

#[derive(Clone, Copy, Debug)]
struct OplogEntry {
    term: u32,
    write_id: u64,
}

/// A `w: "majority"` write the primary has not answered yet.
#[derive(Clone, Copy, Debug)]
struct WaitingWrite {
    client: NodeId,
    req: u32,
    /// Oplog length once the write is in.
    through: u32,
}

#[derive(Clone, Debug)]
pub struct MongoMember {
    cfg: MongoConfig,
    me: usize,
    // Durable (the journal): survives a restart.
    term: u32,
    voted_in_term: u32,
    oplog: Vec<OplogEntry>,
    /// Writes this member acknowledged as primary.
    acknowledged: BTreeSet<u64>,
    // Volatile.
    state: State,
    votes: u32,
    /// Last time each member was heard from (this member's clock).
    heard_us: Vec<u64>,
    /// The primary this member follows, and when it last heard from it.
    sync_source: Option<usize>,
    primary_heard_us: u64,
    fetching: bool,
    /// Primary: each member's oplog length as its fetches show, and fetches
    /// parked until there is a new entry.
    match_len: Vec<u32>,
    parked: Vec<bool>,
    commit_len: u32,
    waiting: VecDeque<WaitingWrite>,
    rolled_back: i64,
}

fn bit(i: usize) -> u32 {
    1 << i
}

impl MongoMember {
    pub fn new(me: usize, cfg: MongoConfig) -> MongoMember {
        let n = cfg.members.len();
        MongoMember {
            me,
            term: 0,
            voted_in_term: 0,
            oplog: vec![],
            acknowledged: BTreeSet::new(),
            state: State::Secondary,
            votes: 0,
            heard_us: vec![0; n],
            sync_source: None,
            primary_heard_us: 0,
            fetching: false,
            match_len: vec![0; n],
            parked: vec![false; n],
            commit_len: 0,
            waiting: VecDeque::new(),
            rolled_back: 0,
            cfg,
        }
    }

    fn majority(&self) -> usize {
        self.cfg.members.len() / 2 + 1
    }

    fn last(&self) -> (u32, u32) {
        (self.oplog.len() as u32, self.oplog.last().map_or(0, |e| e.term))
    }

    fn send(&self, cx: &mut Cx, to: usize, msg: MongoMsg, bytes: u32) {
        cx.send(self.cfg.members[to], self.cfg.plane, msg, bytes);
    }

    fn others(&self) -> impl Iterator<Item = usize> {
        let me = self.me;
        (0..self.cfg.members.len()).filter(move |&i| i != me)
    }

    fn announce(&self, cx: &mut Cx) {
        let (role, leader) = match self.state {
            State::Primary => (Role::Active, self.me),
            State::Candidate { dry_run: false } => (Role::Candidate, self.me),
            State::Candidate { dry_run: true } | State::Secondary => (Role::Passive, self.sync_source.unwrap_or(self.me)),
        };
        let epoch = Epoch::new(self.term, self.cfg.members[leader]);
        cx.emit(Effect::Role { group: self.cfg.group, role, epoch });
    }

    fn arm_election(&self, cx: &mut Cx) {
        let offset = cx.rng.below(self.cfg.election_offset_max_us.saturating_add(1));
        cx.set_timer(MongoTimer::Election, self.cfg.election_timeout_us.saturating_add(offset));
    }

    /// A message carried `term`: a newer term makes this member a secondary of it.
    fn observe_term(&mut self, cx: &mut Cx, term: u32) {
        if term <= self.term {
            return;
        }
        self.term = term;
        // The primary it followed belongs to an older term now.
        self.sync_source = None;
        self.fetching = false;
        if self.state != State::Secondary {
            self.become_secondary(cx);
        } else {
            self.announce(cx);
        }
    }

    fn become_secondary(&mut self, cx: &mut Cx) {
        let was_primary = self.state == State::Primary;
        self.state = State::Secondary;
        if was_primary {
            // A primary that steps down interrupts the writes waiting for the majority.
            while let Some(w) = self.waiting.pop_front() {
                cx.send(w.client, self.cfg.client_plane, ServiceMsg::Reply { req: w.req, status: ReplyStatus::NotActive }, SMALL_BYTES);
            }
            self.parked.iter_mut().for_each(|p| *p = false);
            self.sync_source = None;
        }
        self.arm_election(cx);
        self.announce(cx);
    }

    fn heartbeat_tick(&mut self, cx: &mut Cx) {
        let (last_index, last_term) = self.last();
        let msg = MongoMsg::Heartbeat { term: self.term, primary: self.state == State::Primary, last_index, last_term };
        for j in self.others() {
            self.send(cx, j, msg, SMALL_BYTES);
        }
        if self.state == State::Primary {
            let window = self.cfg.election_timeout_us;
            let seen = 1 + self.others().filter(|&j| cx.now_us.saturating_sub(self.heard_us[j]) < window).count();
            if seen < self.majority() {
                self.become_secondary(cx);
            }
        }
        cx.set_timer(MongoTimer::Heartbeat, self.cfg.heartbeat_interval_us);
    }

    fn on_heartbeat(&mut self, cx: &mut Cx, from: usize, term: u32, primary: bool) {
        self.observe_term(cx, term);
        if primary && term == self.term && self.state != State::Primary {
            if self.state != State::Secondary {
                self.become_secondary(cx);
            }
            self.primary_heard_us = cx.now_us;
            self.arm_election(cx);
            if self.sync_source != Some(from) {
                self.sync_source = Some(from);
                self.fetching = false;
                self.announce(cx);
            }
            if !self.fetching {
                self.fetch(cx);
            }
        }
    }

    fn stand(&mut self, cx: &mut Cx) {
        if self.state == State::Primary {
            return;
        }
        // First a dry run in the next term; the term is raised only if it succeeds.
        self.state = State::Candidate { dry_run: true };
        self.votes = bit(self.me);
        self.ask_votes(cx, self.term + 1, true);
        self.arm_election(cx);
    }

    fn ask_votes(&self, cx: &mut Cx, term: u32, dry_run: bool) {
        let (last_index, last_term) = self.last();
        for j in self.others() {
            self.send(cx, j, MongoMsg::RequestVote { term, dry_run, last_index, last_term }, SMALL_BYTES);
        }
    }

    fn on_request_vote(&mut self, cx: &mut Cx, from: usize, term: u32, dry_run: bool, last: (u32, u32)) {
        if !dry_run {
            self.observe_term(cx, term);
        }
        let (my_index, my_term) = self.last();
        let up_to_date = (last.1, last.0) >= (my_term, my_index);
        let granted = up_to_date && if dry_run { term > self.term } else { term == self.term && self.voted_in_term < term };
        if granted && !dry_run {
            self.voted_in_term = term;
            self.arm_election(cx);
        }
        self.send(cx, from, MongoMsg::Vote { term, dry_run, granted }, SMALL_BYTES);
    }

    fn on_vote(&mut self, cx: &mut Cx, from: usize, term: u32, dry_run: bool, granted: bool) {
        if !dry_run {
            self.observe_term(cx, term);
        }
        let State::Candidate { dry_run: running_dry } = self.state else { return };
        let expected_term = if running_dry { self.term + 1 } else { self.term };
        if !granted || dry_run != running_dry || term != expected_term {
            return;
        }
        self.votes |= bit(from);
        if (self.votes.count_ones() as usize) < self.majority() {
            return;
        }
        if running_dry {
            self.term += 1;
            self.voted_in_term = self.term;
            self.state = State::Candidate { dry_run: false };
            self.votes = bit(self.me);
            self.announce(cx);
            self.ask_votes(cx, self.term, false);
            self.arm_election(cx);
        } else {
            self.become_primary(cx);
        }
    }

    fn become_primary(&mut self, cx: &mut Cx) {
        self.state = State::Primary;
        self.sync_source = None;
        self.fetching = false;
        cx.cancel_timer(MongoTimer::Election);
        cx.cancel_timer(MongoTimer::Fetch);
        if let Some(g) = self.cfg.failover_gauge {
            let value = cx.now_us.saturating_sub(self.primary_heard_us) / 1_000;
            cx.emit(Effect::Gauge { gauge: g, value: value as i64 });
        }
        self.match_len.iter_mut().for_each(|m| *m = 0);
        self.match_len[self.me] = self.oplog.len() as u32;
        self.parked.iter_mut().for_each(|p| *p = false);
        // A new primary writes a no-op in its term: its commit point can advance from it.
        self.append(OplogEntry { term: self.term, write_id: 0 });
        self.announce(cx);
        self.heartbeat_tick(cx);
    }

    fn append(&mut self, entry: OplogEntry) {
        self.oplog.push(entry);
        self.match_len[self.me] = self.oplog.len() as u32;
    }

    fn fetch(&mut self, cx: &mut Cx) {
        let Some(source) = self.sync_source else { return };
        let (next, prev_term) = self.last();
        self.fetching = true;
        self.send(cx, source, MongoMsg::Fetch { term: self.term, next, prev_term }, SMALL_BYTES);
        cx.set_timer(MongoTimer::Fetch, self.cfg.heartbeat_interval_us);
    }

    fn on_fetch(&mut self, cx: &mut Cx, from: usize, term: u32, next: u32, prev_term: u32) {
        self.observe_term(cx, term);
        if self.state != State::Primary {
            return; // the fetcher asks again and learns the primary from heartbeats
        }
        let n = next as usize;
        let matches = n <= self.oplog.len() && (n == 0 || self.oplog[n - 1].term == prev_term);
        if !matches {
            self.send(cx, from, MongoMsg::RollBack { term: self.term, next }, SMALL_BYTES);
            return;
        }
        self.match_len[from] = next;
        self.advance_commit(cx);
        if n < self.oplog.len() {
            self.send_entry(cx, from, n);
        } else {
            self.parked[from] = true;
        }
    }

    fn send_entry(&self, cx: &mut Cx, to: usize, index: usize) {
        let e = self.oplog[index];
        self.send(cx, to, MongoMsg::Entry { term: self.term, index: index as u32, entry_term: e.term, write_id: e.write_id }, ENTRY_BYTES);
    }

    fn on_entry(&mut self, cx: &mut Cx, from: usize, term: u32, index: u32, entry_term: u32, write_id: u64) {
        self.observe_term(cx, term);
        if term != self.term || self.state != State::Secondary || self.sync_source != Some(from) {
            return;
        }
        if index as usize == self.oplog.len() && self.oplog.len() < OPLOG_ENTRIES_MAX {
            self.oplog.push(OplogEntry { term: entry_term, write_id });
        }
        self.fetch(cx);
    }

    fn on_rollback(&mut self, cx: &mut Cx, from: usize, term: u32, next: u32) {
        self.observe_term(cx, term);
        // An answer to an older fetch (a retry can overtake it) says nothing about the oplog now.
        let current = next as usize == self.oplog.len();
        if !current || term != self.term || self.state != State::Secondary || self.sync_source != Some(from) {
            return;
        }
        if let Some(e) = self.oplog.pop() {
            if e.write_id != 0 {
                if self.acknowledged.contains(&e.write_id) {
                    cx.emit(Effect::Discarded { write_id: e.write_id });
                }
                self.rolled_back += 1;
                if let Some(g) = self.cfg.rollback_gauge {
                    cx.emit(Effect::Gauge { gauge: g, value: self.rolled_back });
                }
            }
        }
        self.fetch(cx);
    }

    /// The commit point: the longest oplog prefix a majority holds, once it
    /// reaches an entry of this primary's term.
    fn advance_commit(&mut self, cx: &mut Cx) {
        let mut lens = self.match_len.clone();
        lens.sort_unstable_by(|a, b| b.cmp(a));
        let candidate = lens[self.majority() - 1];
        let in_my_term = candidate > 0 && self.oplog[candidate as usize - 1].term == self.term;
        if candidate > self.commit_len && in_my_term {
            self.commit_len = candidate;
        }
        while self.waiting.front().is_some_and(|w| w.through <= self.commit_len) {
            if let Some(w) = self.waiting.pop_front() {
                self.acknowledged.insert(self.oplog[w.through as usize - 1].write_id);
                cx.send(w.client, self.cfg.client_plane, ServiceMsg::Reply { req: w.req, status: ReplyStatus::Ok }, SMALL_BYTES);
            }
        }
    }

    fn on_request(&mut self, cx: &mut Cx, client: NodeId, req: u32, write_id: u64) {
        let plane = self.cfg.client_plane;
        let reply = |cx: &mut Cx, status| cx.send(client, plane, ServiceMsg::Reply { req, status }, SMALL_BYTES);
        if self.state != State::Primary {
            return reply(cx, ReplyStatus::NotActive);
        }
        if write_id == 0 {
            return reply(cx, ReplyStatus::Ok);
        }
        if self.oplog.len() >= OPLOG_ENTRIES_MAX || self.waiting.len() >= WAITING_WRITES_MAX {
            return reply(cx, ReplyStatus::Unavailable);
        }
        self.append(OplogEntry { term: self.term, write_id });
        for j in self.others() {
            if self.parked[j] {
                self.parked[j] = false;
                self.send_entry(cx, j, self.oplog.len() - 1);
            }
        }
        if self.cfg.write_majority {
            self.waiting.push_back(WaitingWrite { client, req, through: self.oplog.len() as u32 });
            self.advance_commit(cx);
        } else {
            self.acknowledged.insert(write_id);
            reply(cx, ReplyStatus::Ok);
        }
    }

    fn boot(&mut self, cx: &mut Cx) {
        self.state = State::Secondary;
        self.sync_source = None;
        self.fetching = false;
        self.waiting.clear();
        self.heard_us.iter_mut().for_each(|h| *h = cx.now_us);
        self.primary_heard_us = cx.now_us;
        let phase = cx.rng.below(self.cfg.heartbeat_interval_us.max(1));
        cx.set_timer(MongoTimer::Heartbeat, phase);
        self.arm_election(cx);
        self.announce(cx);
    }
}

impl Model for MongoMember {
    type Msg = MongoInbox;
    type Timer = MongoTimer;
    type Command = Command;

    fn start(&mut self, cx: &mut Cx) {
        if self.me == self.cfg.initial_primary {
            // `rs.initiate()` has run: this member won term 1 before the replay starts.
            self.term = 1;
            self.voted_in_term = 1;
            self.heard_us.iter_mut().for_each(|h| *h = cx.now_us);
            self.primary_heard_us = cx.now_us;
            self.become_primary(cx);
        } else {
            self.term = 1;
            self.voted_in_term = 1;
            self.boot(cx);
        }
    }

    fn restart(&mut self, cx: &mut Cx) {
        self.boot(cx);
    }

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: MongoInbox) {
        let msg = match msg {
            MongoInbox::Service(ServiceMsg::Request { req, write_id }) => return self.on_request(cx, from, req, write_id),
            MongoInbox::Service(ServiceMsg::Reply { .. } | ServiceMsg::Traffic { .. }) => return,
            MongoInbox::Mongo(m) => m,
        };
        let Some(from) = self.cfg.members.iter().position(|&m| m == from) else { return };
        self.heard_us[from] = cx.now_us;
        match msg {
            MongoMsg::Heartbeat { term, primary, .. } => self.on_heartbeat(cx, from, term, primary),
            MongoMsg::RequestVote { term, dry_run, last_index, last_term } => {
                self.on_request_vote(cx, from, term, dry_run, (last_index, last_term))
            }
            MongoMsg::Vote { term, dry_run, granted } => self.on_vote(cx, from, term, dry_run, granted),
            MongoMsg::Fetch { term, next, prev_term } => self.on_fetch(cx, from, term, next, prev_term),
            MongoMsg::Entry { term, index, entry_term, write_id } => self.on_entry(cx, from, term, index, entry_term, write_id),
            MongoMsg::RollBack { term, next } => self.on_rollback(cx, from, term, next),
        }
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: MongoTimer) {
        match timer {
            MongoTimer::Heartbeat => self.heartbeat_tick(cx),
            MongoTimer::Election => self.stand(cx),
            MongoTimer::Fetch => {
                if self.state == State::Secondary {
                    self.fetch(cx);
                }
            }
        }
    }
}
