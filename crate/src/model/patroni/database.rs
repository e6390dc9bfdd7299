//! The PostgreSQL server Patroni manages: a WAL of client writes on numbered
//! timelines, streaming replication to standbys, promotion and demotion, and
//! the rewind a former primary goes through before it can follow the new one.
//! It serves clients whatever Patroni is doing: a stalled Patroni does not
//! stop PostgreSQL from committing.

use std::collections::{BTreeSet, VecDeque};

use super::msg::PgStreamMsg;
use crate::ids::{GroupId, NodeId, PlaneId};
use crate::model::effect::{Cx, Effect, Epoch, Role};
use crate::model::msg::{ReplyStatus, ServiceMsg};

const CONTROL_BYTES: u32 = 128;
/// How long a standby waits for the primary's answer before asking again.
const FOLLOW_RETRY_US: u64 = 30_000_000;
/// Sync commits waiting at once; more are refused (`max_connections`, roughly).
const WAITING_MAX: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbRole {
    /// Accepts writes.
    Primary,
    /// `pg_ctl promote` is running.
    Promoting,
    /// In recovery, replaying what its upstream streams.
    Standby,
}

#[derive(Clone, Debug)]
pub struct DbConfig {
    pub group: GroupId,
    /// Replication control (follow requests, acknowledgements) and Patroni's
    /// DCS and REST traffic travel on this plane.
    pub plane: PlaneId,
    /// The WAL stream travels on this one: its own connection, so a standby
    /// that falls behind queues WAL there without delaying the rest.
    pub wal_plane: PlaneId,
    /// Client queries and answers travel on this one.
    pub client_plane: PlaneId,
    /// Size of one client write's WAL record (what a standby's lag is measured in).
    pub wal_record_bytes: u32,
    /// `synchronous_commit` with a synchronous standby named by Patroni: a
    /// commit is acknowledged once that standby has flushed it.
    pub synchronous: bool,
}

#[derive(Debug)]
pub struct Database {
    cfg: DbConfig,
    me: NodeId,
    pub role: DbRole,
    /// Write ids in WAL order: record `lsn` is `log[lsn - 1]`.
    log: Vec<u64>,
    pub timeline: u32,
    /// `(timeline, lsn)` where this server left each earlier timeline (its
    /// timeline history file), oldest first.
    history: Vec<(u32, u64)>,
    /// Standby: the primary it streams from, and whether the primary has
    /// answered its `Follow` (records are accepted only then).
    pub upstream: Option<NodeId>,
    streaming: bool,
    /// The last `Follow` sent (its number and local time); only its answer counts.
    follow_seq: u32,
    follow_sent_us: Option<u64>,
    /// Primary: standbys streaming from it, with what each has flushed.
    followers: Vec<(NodeId, u64)>,
    /// Primary, synchronous mode: the standby commits wait for (Patroni's
    /// `synchronous_standby_names`), what it has flushed, and the commits
    /// waiting for it: (lsn, client, request).
    pub sync_standby: Option<NodeId>,
    sync_flushed: u64,
    waiting: VecDeque<(u64, NodeId, u32)>,
    /// Writes in this server's WAL whose commit it never acknowledged (they
    /// waited for the standby, then the connection was cut): a rewind throws
    /// them away silently, since no client was told they committed and the
    /// client's retry is a write elsewhere.
    unacknowledged: BTreeSet<u64>,
}

impl Database {
    /// A server in recovery, as Patroni starts every one before it holds the key.
    pub fn new(cfg: DbConfig, me: NodeId) -> Database {
        Database {
            cfg,
            me,
            role: DbRole::Standby,
            log: vec![],
            timeline: 1,
            history: vec![],
            upstream: None,
            streaming: false,
            follow_seq: 0,
            follow_sent_us: None,
            followers: vec![],
            sync_standby: None,
            sync_flushed: 0,
            waiting: VecDeque::new(),
            unacknowledged: BTreeSet::new(),
        }
    }

    pub fn lsn(&self) -> u64 {
        self.log.len() as u64
    }

    /// The WAL position in bytes (as `pg_current_wal_lsn` would count it).
    pub fn wal_bytes(&self) -> u64 {
        self.lsn() * u64::from(self.cfg.wal_record_bytes)
    }

    /// The standby to name synchronous: the one furthest ahead (Patroni
    /// prefers the most advanced candidate); ties go to the first to follow.
    pub fn best_follower(&self) -> Option<NodeId> {
        let mut best: Option<(NodeId, u64)> = None;
        for &(n, flushed) in &self.followers {
            if best.is_none_or(|(_, b)| flushed > b) {
                best = Some((n, flushed));
            }
        }
        best.map(|(n, _)| n)
    }

    pub fn report(&self, cx: &mut Cx) {
        let role = match self.role {
            DbRole::Primary => Role::Active,
            DbRole::Promoting => Role::Candidate,
            DbRole::Standby => Role::Passive,
        };
        cx.emit(Effect::Role { group: self.cfg.group, role, epoch: Epoch::new(self.timeline, self.me) });
    }

    /// The server restarts (crash, host reset): it comes up in recovery, as
    /// Patroni starts it when it does not hold the leader key; its WAL is on disk.
    pub fn restart(&mut self) {
        self.role = DbRole::Standby;
        self.upstream = None;
        self.streaming = false;
        self.follow_sent_us = None;
        self.followers.clear();
        self.sync_standby = None;
        self.waiting.clear();
    }

    pub fn on_query(&mut self, cx: &mut Cx, client: NodeId, req: u32, write_id: u64) {
        let reply = |cx: &mut Cx, status| cx.send(client, self.cfg.client_plane, ServiceMsg::Reply { req, status }, CONTROL_BYTES);
        if self.role != DbRole::Primary {
            // `target_session_attrs=read-write`: a standby is not what the client wants.
            reply(cx, ReplyStatus::NotActive);
            return;
        }
        if write_id == 0 {
            reply(cx, ReplyStatus::Ok);
            return;
        }
        self.log.push(write_id);
        let lsn = self.lsn();
        for &(f, _) in &self.followers {
            let msg = PgStreamMsg::Wal { timeline: self.timeline, lsn, write_id };
            cx.send(f, self.cfg.wal_plane, msg, self.cfg.wal_record_bytes);
        }
        match self.sync_standby {
            Some(_) if self.cfg.synchronous => {
                if self.waiting.len() < WAITING_MAX {
                    self.waiting.push_back((lsn, client, req));
                    self.unacknowledged.insert(write_id);
                } else {
                    reply(cx, ReplyStatus::Unavailable);
                }
            }
            _ => reply(cx, ReplyStatus::Ok),
        }
    }

    pub fn on_stream(&mut self, cx: &mut Cx, from: NodeId, msg: PgStreamMsg) {
        match msg {
            PgStreamMsg::Follow { seq, timeline, lsn } => self.on_follow(cx, from, seq, timeline, lsn),
            PgStreamMsg::StreamFrom { seq, timeline, lsn } if seq == self.follow_seq => self.on_stream_from(cx, from, timeline, lsn),
            // An answer to an earlier attempt: the latest one's answer follows.
            PgStreamMsg::StreamFrom { .. } => {}
            PgStreamMsg::Wal { timeline, lsn, write_id } => self.on_wal(cx, from, timeline, lsn, write_id),
            PgStreamMsg::WalAck { lsn } => self.on_ack(cx, from, lsn),
            // Patroni's REST API answers these, not PostgreSQL.
            PgStreamMsg::StatusQuery { .. } | PgStreamMsg::Status { .. } => {}
        }
    }

    /// How much of a standby's WAL (`lsn` records of `timeline`) is also this
    /// server's history: the rest diverged and must be rewound.
    fn common_prefix(&self, timeline: u32, lsn: u64) -> u64 {
        if timeline == self.timeline {
            return lsn.min(self.lsn());
        }
        match self.history.iter().find(|&&(t, _)| t == timeline) {
            Some(&(_, end)) => lsn.min(end),
            // A timeline this server never was on: start from scratch (pg_basebackup).
            None => 0,
        }
    }

    fn on_follow(&mut self, cx: &mut Cx, standby: NodeId, seq: u32, timeline: u32, lsn: u64) {
        if self.role != DbRole::Primary {
            return; // not a primary (yet): the standby asks again at its next cycle
        }
        let keep = self.common_prefix(timeline, lsn);
        cx.send(standby, self.cfg.plane, PgStreamMsg::StreamFrom { seq, timeline: self.timeline, lsn: keep }, CONTROL_BYTES);
        for i in keep..self.lsn() {
            let msg = PgStreamMsg::Wal { timeline: self.timeline, lsn: i + 1, write_id: self.log[i as usize] };
            cx.send(standby, self.cfg.wal_plane, msg, self.cfg.wal_record_bytes);
        }
        match self.followers.iter_mut().find(|(n, _)| *n == standby) {
            Some(f) => f.1 = keep,
            None => self.followers.push((standby, keep)),
        }
    }

    /// The primary's answer: records after `keep` are not in its history.
    /// Throwing them away is `pg_rewind`: acknowledged writes among them are lost.
    fn on_stream_from(&mut self, cx: &mut Cx, from: NodeId, timeline: u32, keep: u64) {
        if self.role != DbRole::Standby || self.upstream != Some(from) {
            return;
        }
        // (A client that timed out may have sent the same write again: one id, two records.)
        for write_id in &self.log[keep.min(self.lsn()) as usize..] {
            if !self.unacknowledged.contains(write_id) {
                cx.emit(Effect::Discarded { write_id: *write_id });
            }
        }
        for write_id in &self.log[keep.min(self.lsn()) as usize..] {
            self.unacknowledged.remove(write_id);
        }
        self.log.truncate(keep as usize);
        if timeline != self.timeline {
            self.timeline = timeline;
            self.report(cx);
        }
        self.streaming = true;
        self.follow_sent_us = None;
    }

    fn on_wal(&mut self, cx: &mut Cx, from: NodeId, timeline: u32, lsn: u64, write_id: u64) {
        if self.role != DbRole::Standby || self.upstream != Some(from) || !self.streaming || timeline != self.timeline {
            return;
        }
        if lsn == self.lsn() + 1 {
            self.log.push(write_id);
            if self.cfg.synchronous {
                cx.send(from, self.cfg.plane, PgStreamMsg::WalAck { lsn }, CONTROL_BYTES);
            }
        } else if lsn > self.lsn() + 1 {
            self.streaming = false; // a gap: ask again from where we are
        }
    }

    fn on_ack(&mut self, cx: &mut Cx, from: NodeId, lsn: u64) {
        if let Some(f) = self.followers.iter_mut().find(|(n, _)| *n == from) {
            f.1 = f.1.max(lsn);
        }
        if self.sync_standby != Some(from) {
            return;
        }
        self.sync_flushed = self.sync_flushed.max(lsn);
        while self.waiting.front().is_some_and(|&(l, _, _)| l <= self.sync_flushed) {
            if let Some((lsn, client, req)) = self.waiting.pop_front() {
                self.acknowledge(cx, lsn, client, req);
            }
        }
    }

    /// A waiting commit completes: the client is told.
    fn acknowledge(&mut self, cx: &mut Cx, lsn: u64, client: NodeId, req: u32) {
        if let Some(&write_id) = self.log.get(lsn as usize - 1) {
            self.unacknowledged.remove(&write_id);
        }
        cx.send(client, self.cfg.client_plane, ServiceMsg::Reply { req, status: ReplyStatus::Ok }, CONTROL_BYTES);
    }

    /// Patroni names the synchronous standby (or none: commits are async).
    pub fn set_sync_standby(&mut self, cx: &mut Cx, standby: Option<NodeId>) {
        if self.sync_standby == standby {
            return;
        }
        self.sync_standby = standby;
        self.sync_flushed = 0;
        if standby.is_none() {
            // Nobody to wait for: the waiting commits complete.
            while let Some((lsn, client, req)) = self.waiting.pop_front() {
                self.acknowledge(cx, lsn, client, req);
            }
        }
    }

    /// A standby that is not streaming from `leader` asks it to; an attempt
    /// still unanswered is repeated only after `FOLLOW_RETRY_US` (as the WAL
    /// receiver retries a connection).
    pub fn follow(&mut self, cx: &mut Cx, leader: NodeId) {
        if self.role != DbRole::Standby || (self.upstream == Some(leader) && self.streaming) {
            return;
        }
        let waiting = self.upstream == Some(leader) && self.follow_sent_us.is_some_and(|t| cx.now_us < t + FOLLOW_RETRY_US);
        if waiting {
            return;
        }
        self.upstream = Some(leader);
        self.streaming = false;
        self.follow_seq = self.follow_seq.wrapping_add(1);
        self.follow_sent_us = Some(cx.now_us);
        let msg = PgStreamMsg::Follow { seq: self.follow_seq, timeline: self.timeline, lsn: self.lsn() };
        cx.send(leader, self.cfg.plane, msg, CONTROL_BYTES);
    }

    /// A freshly initialized cluster's first server starts as its primary.
    pub fn start_as_primary(&mut self, cx: &mut Cx) {
        if self.role == DbRole::Standby && self.lsn() == 0 {
            self.role = DbRole::Primary;
            self.upstream = None;
            self.report(cx);
        }
    }

    /// `pg_ctl promote`: recovery ends, writes are refused until it finishes.
    pub fn begin_promote(&mut self, cx: &mut Cx) {
        if self.role == DbRole::Standby {
            self.role = DbRole::Promoting;
            self.upstream = None;
            self.streaming = false;
            self.report(cx);
        }
    }

    /// Promotion done: a new timeline (`timeline`, unique in the cluster) starts here.
    pub fn finish_promote(&mut self, cx: &mut Cx, timeline: u32) {
        if self.role != DbRole::Promoting {
            return;
        }
        self.history.push((self.timeline, self.lsn()));
        self.timeline = timeline;
        self.role = DbRole::Primary;
        self.followers.clear();
        self.report(cx);
    }

    /// Patroni demotes the server: it is restarted in recovery, its client
    /// connections (and commits waiting for a standby) are cut.
    pub fn demote(&mut self, cx: &mut Cx) {
        if self.role == DbRole::Standby {
            return;
        }
        self.role = DbRole::Standby;
        self.followers.clear();
        self.sync_standby = None;
        self.waiting.clear();
        self.upstream = None;
        self.streaming = false;
        self.follow_sent_us = None;
        self.report(cx);
    }
}
