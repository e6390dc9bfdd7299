//! A MongoDB replica set member (protocol version 1) as a sans-IO state machine.
//!
//! - **Terms and elections** (`election.rs`). Members send heartbeats every
//!   `heartbeatIntervalMillis`. A secondary that has heard no primary for
//!   `electionTimeoutMillis` plus a random offset first runs a dry-run election
//!   (would a majority vote for me in the next term?), and only then raises
//!   its term and asks for real votes: one vote per member per term, and only
//!   for a candidate whose oplog is at least as up to date. A majority makes a
//!   primary, which writes a no-op entry in its new term.
//! - **Stepping down** (`election.rs`). A member that sees a higher term in any message adopts
//!   it and, if primary, steps down. A primary that has not heard from a
//!   majority (itself included) for `electionTimeoutMillis` steps down too.
//!   Between the majority electing a new primary and the old one noticing, two
//!   members believe they are primary, in different terms.
//! - **Replication and write concern** (`replication.rs`, `writes.rs`). Secondaries pull the oplog from the
//!   primary they know, one entry per request. A `w: 1` write is acknowledged
//!   once the primary has it; a `w: "majority"` write once a majority has an
//!   oplog reaching it and the entry is of the primary's current term (the
//!   commit point). A primary that steps down fails its waiting writes.
//! - **Rollback** (`replication.rs`). When a fetcher's last entry is not in its sync source's
//!   oplog, the source answers `RollBack`; the fetcher removes that entry
//!   and asks again. Rolling back a write this member had acknowledged as
//!   primary is reported (`Discarded`): that acknowledged write is lost. (A
//!   client's retry can put the same write in two primaries' oplogs; rolling
//!   back the copy that was never acknowledged loses nothing.)
//!   The oplog, the term and the vote survive a restart (the journal).
//! - **What the stage shows** (`show.rs`): term, whom it follows, oplog
//!   length, commit point and the writes it rolled back.

mod election;
mod msg;
mod replication;
mod show;
mod writes;

pub use msg::{MongoInbox, MongoMsg, MongoTimer};

use std::collections::{BTreeSet, VecDeque};

use super::effect::Cx;
use super::msg::ServiceMsg;
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
    type Command = crate::model::command::NoCommand;

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

    fn show(&self) -> crate::model::show::NodeShow {
        self.declare_show()
    }

    fn facts(&self, now_us: u64, out: &mut Vec<i64>) {
        self.push_facts(now_us, out);
    }
}
