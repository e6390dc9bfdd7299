//! A replicated database cluster run by a manager that keeps the primary's
//! lease in a coordination store (etcd), as in the Cloudflare 2020 incident.
//!
//! - `DbManager` health-checks the primary directly and records that it is
//!   healthy by writing to etcd every `renew_interval`. If no write has gone
//!   through for `lease_ttl` (plus an optional `promotion_delay`), it decides it
//!   can no longer vouch for the primary and fails over: as soon as etcd takes
//!   a write again it records a new primary, promotes a replica and tells every
//!   other member, the old primary included, to follow it. It promotes only a
//!   member that answered its last health checks as a serving replica; a member
//!   that is rebuilding is not one, so while the defect's rebuilds last there is
//!   nobody to promote and no second failover. With the historical
//!   defect every follower does a full rebuild (copy the whole data set at the
//!   copy bandwidth); with the fix it resyncs incrementally. With
//!   `wait_stable_etcd`, lease expiry alone never triggers a failover: the
//!   manager first waits until etcd has taken writes for `stable_window`, by
//!   which time the healthy primary's lease has been renewed.
//! - `DbMember` serves requests with a fixed capacity (a fluid queue: each request
//!   occupies the server for `1 / capacity`; one that would wait longer than
//!   `queue_max` is refused). The primary serves reads and writes, a replica
//!   reads, a rebuilding member nothing.

use super::show::{node_fact, peers_mask, NodeShow, Unit};
use std::collections::VecDeque;

use super::effect::{Cx, Effect, Epoch, Role};
use super::msg::{inbox, message_family, timer_enum, Command, ReplyStatus, ServiceMsg};
use super::Model;
use crate::engine::time::US_PER_S;
use crate::ids::{GroupId, NodeId, PlaneId};

const CONTROL_BYTES: u32 = 128;
const REPLY_BYTES: u32 = 512;
const QUEUE_PREALLOC: usize = 1024;

message_family! {
    pub enum DbMsg {
        /// Manager → member: are you alive and serving?
        Ping { seq: u32 } = "db-ping",
        /// Member → manager: alive; `primary`: serving as the primary; `serving`:
        /// primary or a replica that can take over (false while rebuilding).
        Pong { seq: u32, primary: bool, serving: bool } = "db-pong",
        /// Manager → member: you are the primary of `epoch`.
        Promote { epoch: u32 } = "db-promote",
        /// Manager → member: follow the primary of `epoch`; `full`: rebuild from scratch.
        Follow { epoch: u32, full: bool } = "db-follow",
    }
}

inbox! {
    /// What the manager and the members receive: etcd's replies and client
    /// requests, and each other's messages.
    pub enum DbInbox {
        Service(ServiceMsg),
        Db(DbMsg),
    }
}

timer_enum! {
    pub enum DbTimer {
        /// Manager: the next renewal round. Member: the next queued reply is due.
        Tick,
        /// Member: the rebuild or resync is done.
        Rebuilt,
    }
}

// ---------------------------------------------------------------- manager

#[derive(Clone, Debug)]
pub struct ManagerConfig {
    pub etcd: Vec<NodeId>,
    pub etcd_plane: PlaneId,
    pub members: Vec<NodeId>,
    pub db_plane: PlaneId,
    pub renew_interval_us: u64,
    pub lease_ttl_us: u64,
    pub promotion_delay_us: u64,
    pub wait_stable_etcd: bool,
    pub stable_window_us: u64,
    /// The defect: every follower of a new primary rebuilds from scratch.
    pub full_rebuild: bool,
    pub failovers_gauge: u16,
    pub lease_age_gauge: u16,
    /// Time since the last etcd write that went through (any purpose): its
    /// maximum is the longest stretch etcd took no writes from the manager.
    pub write_gap_gauge: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    Renew,
    Promote,
}

#[derive(Clone, Debug)]
pub struct DbManager {
    cfg: ManagerConfig,
    primary: usize,
    epoch: u32,
    target: usize,
    next_req: u32,
    outstanding: Option<(u32, u64, Purpose)>,
    last_renewed_us: u64,
    last_pong_us: u64,
    /// Per member: last time it answered as serving (promotion candidates).
    serving_seen_us: Vec<u64>,
    ping_seq: u32,
    /// Start of the current run of etcd writes that all went through.
    etcd_ok_since: Option<u64>,
    /// When the last etcd write that went through was sent.
    last_write_ok_us: u64,
    failovers: i64,
}

impl DbManager {
    pub fn new(cfg: ManagerConfig) -> DbManager {
        DbManager {
            cfg,
            primary: 0,
            epoch: 1,
            target: 0,
            next_req: 1,
            outstanding: None,
            last_renewed_us: 0,
            last_pong_us: 0,
            serving_seen_us: Vec::new(),
            ping_seq: 0,
            etcd_ok_since: None,
            last_write_ok_us: 0,
            failovers: 0,
        }
    }

    fn etcd_failed(&mut self) {
        self.target = (self.target + 1) % self.cfg.etcd.len();
        self.etcd_ok_since = None;
    }

    fn tick(&mut self, cx: &mut Cx) {
        let now = cx.now_us;
        self.ping_seq = self.ping_seq.wrapping_add(1);
        for &m in &self.cfg.members {
            cx.send(m, self.cfg.db_plane, DbMsg::Ping { seq: self.ping_seq }, CONTROL_BYTES);
        }
        if let Some((_, sent, _)) = self.outstanding {
            if now.saturating_sub(sent) >= self.cfg.renew_interval_us {
                self.outstanding = None; // no answer in time: try another etcd member
                self.etcd_failed();
            }
        }
        let lease_age = now.saturating_sub(self.last_renewed_us);
        cx.emit(Effect::Gauge { gauge: self.cfg.lease_age_gauge, value: (lease_age / US_PER_S) as i64 });
        let gap = now.saturating_sub(self.last_write_ok_us);
        cx.emit(Effect::Gauge { gauge: self.cfg.write_gap_gauge, value: (gap / US_PER_S) as i64 });
        let expired = lease_age > self.cfg.lease_ttl_us.saturating_add(self.cfg.promotion_delay_us);
        let etcd_stable = self.etcd_ok_since.is_some_and(|s| now.saturating_sub(s) >= self.cfg.stable_window_us);
        let may_fail_over = expired && (!self.cfg.wait_stable_etcd || etcd_stable) && self.successor(now).is_some();
        let primary_healthy = now.saturating_sub(self.last_pong_us) <= self.cfg.lease_ttl_us;
        let purpose = if may_fail_over {
            Some(Purpose::Promote)
        } else if primary_healthy {
            Some(Purpose::Renew)
        } else {
            None
        };
        if let (Some(purpose), None) = (purpose, self.outstanding) {
            let req = self.next_req;
            self.next_req = self.next_req.wrapping_add(1).max(1);
            self.outstanding = Some((req, now, purpose));
            let to = self.cfg.etcd[self.target];
            cx.send(to, self.cfg.etcd_plane, ServiceMsg::Request { req, write_id: u64::from(req) }, CONTROL_BYTES);
        }
        cx.set_timer(DbTimer::Tick, self.cfg.renew_interval_us);
    }

    fn on_etcd_reply(&mut self, cx: &mut Cx, req: u32, status: ReplyStatus) {
        let Some((want, sent, purpose)) = self.outstanding else { return };
        if req != want {
            return;
        }
        self.outstanding = None;
        if status != ReplyStatus::Ok {
            self.etcd_failed();
            return;
        }
        self.etcd_ok_since.get_or_insert(sent);
        self.last_write_ok_us = self.last_write_ok_us.max(sent);
        match purpose {
            Purpose::Renew => self.last_renewed_us = self.last_renewed_us.max(sent),
            Purpose::Promote => self.fail_over(cx),
        }
    }

    /// The next member after the primary that answered as serving within the lease.
    fn successor(&self, now: u64) -> Option<usize> {
        let n = self.cfg.members.len();
        (1..n).map(|k| (self.primary + k) % n).find(|&i| now.saturating_sub(self.serving_seen_us[i]) <= self.cfg.lease_ttl_us)
    }

    fn fail_over(&mut self, cx: &mut Cx) {
        let Some(next) = self.successor(cx.now_us) else { return };
        self.primary = next;
        self.epoch += 1;
        self.failovers += 1;
        for (i, &m) in self.cfg.members.iter().enumerate() {
            let msg = if i == self.primary {
                DbMsg::Promote { epoch: self.epoch }
            } else {
                DbMsg::Follow { epoch: self.epoch, full: self.cfg.full_rebuild }
            };
            cx.send(m, self.cfg.db_plane, msg, CONTROL_BYTES);
        }
        self.last_renewed_us = cx.now_us;
        self.last_pong_us = cx.now_us;
        cx.emit(Effect::Gauge { gauge: self.cfg.failovers_gauge, value: self.failovers });
    }
}

impl Model for DbManager {
    type Msg = DbInbox;
    type Timer = DbTimer;
    type Command = Command;

    fn start(&mut self, cx: &mut Cx) {
        self.last_renewed_us = cx.now_us;
        self.last_pong_us = cx.now_us;
        self.last_write_ok_us = cx.now_us;
        self.serving_seen_us = vec![cx.now_us; self.cfg.members.len()];
        cx.emit(Effect::Gauge { gauge: self.cfg.failovers_gauge, value: 0 });
        let phase = cx.rng.below(self.cfg.renew_interval_us);
        cx.set_timer(DbTimer::Tick, phase);
    }

    fn restart(&mut self, cx: &mut Cx) {
        self.outstanding = None;
        self.start(cx);
    }

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: DbInbox) {
        match msg {
            DbInbox::Service(ServiceMsg::Reply { req, status }) => self.on_etcd_reply(cx, req, status),
            DbInbox::Db(DbMsg::Pong { primary, serving, .. }) => {
                let Some(i) = self.cfg.members.iter().position(|&m| m == from) else { return };
                if i == self.primary && primary {
                    self.last_pong_us = cx.now_us;
                }
                if serving {
                    self.serving_seen_us[i] = cx.now_us;
                }
            }
            // The manager is the one sending these.
            DbInbox::Service(ServiceMsg::Request { .. } | ServiceMsg::Traffic { .. })
            | DbInbox::Db(DbMsg::Ping { .. } | DbMsg::Promote { .. } | DbMsg::Follow { .. }) => {}
        }
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: DbTimer) {
        match timer {
            DbTimer::Tick => self.tick(cx),
            DbTimer::Rebuilt => {} // a member's
        }
    }

    /// Shown (`model/show.rs`): the primary it believes in, the members it
    /// heard answer as serving within a lease, its lease's age, its failovers.
    fn show(&self) -> NodeShow {
        NodeShow::default()
            .fact("believed_primary", "believes primary is", Unit::Node)
            .fact("hears", "hears serving", Unit::Peers)
            .fact("lease_age", "lease renewed", Unit::Micros)
            .fact("failovers", "failovers", Unit::Count)
            .watching(&self.cfg.members)
    }

    fn facts(&self, now_us: u64, out: &mut Vec<i64>) {
        let ttl = self.cfg.lease_ttl_us;
        let seen = &self.serving_seen_us;
        out.extend_from_slice(&[
            node_fact(self.cfg.members.get(self.primary).copied()),
            peers_mask(self.cfg.members.len(), |i| seen.get(i).is_some_and(|&t| now_us.saturating_sub(t) <= ttl)),
            now_us.saturating_sub(self.last_renewed_us) as i64,
            self.failovers,
        ]);
    }
}

// ---------------------------------------------------------------- member

#[derive(Clone, Debug)]
pub struct MemberConfig {
    pub group: GroupId,
    pub plane: PlaneId,
    pub initially_primary: bool,
    /// Time one request occupies the server (1 / capacity).
    pub service_us: u64,
    /// A request that would wait longer than this is refused at once.
    pub queue_max_us: u64,
    /// Full rebuild: data size / copy bandwidth.
    pub rebuild_us: u64,
    /// Incremental resync after a failover.
    pub resync_us: u64,
}

#[derive(Clone, Debug)]
pub struct DbMember {
    cfg: MemberConfig,
    role: Role,
    epoch: u32,
    busy_until_us: u64,
    /// Accepted requests waiting for their reply time: (due, client, req).
    queue: VecDeque<(u64, NodeId, u32)>,
}

impl DbMember {
    pub fn new(cfg: MemberConfig) -> DbMember {
        DbMember { cfg, role: Role::Passive, epoch: 1, busy_until_us: 0, queue: VecDeque::with_capacity(QUEUE_PREALLOC) }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    fn set_role(&mut self, cx: &mut Cx, role: Role) {
        self.role = role;
        cx.emit(Effect::Role { group: self.cfg.group, role, epoch: Epoch { term: self.epoch, node: 0 } });
    }

    fn on_request(&mut self, cx: &mut Cx, client: NodeId, req: u32, write: bool) {
        let refuse = match self.role {
            Role::Active => None,
            Role::Passive if !write => None,
            _ => Some(ReplyStatus::NotActive),
        };
        let now = cx.now_us;
        let start = self.busy_until_us.max(now);
        let refuse = refuse.or((start - now > self.cfg.queue_max_us).then_some(ReplyStatus::Unavailable));
        if let Some(status) = refuse {
            cx.send(client, self.cfg.plane, ServiceMsg::Reply { req, status }, REPLY_BYTES);
            return;
        }
        self.busy_until_us = start.saturating_add(self.cfg.service_us);
        if self.queue.is_empty() {
            cx.set_timer(DbTimer::Tick, self.busy_until_us - now);
        }
        self.queue.push_back((self.busy_until_us, client, req));
    }

    fn serve_due(&mut self, cx: &mut Cx) {
        while let Some(&(due, client, req)) = self.queue.front() {
            if due > cx.now_us {
                cx.set_timer(DbTimer::Tick, due - cx.now_us);
                return;
            }
            self.queue.pop_front();
            cx.send(client, self.cfg.plane, ServiceMsg::Reply { req, status: ReplyStatus::Ok }, REPLY_BYTES);
        }
    }
}

impl Model for DbMember {
    type Msg = DbInbox;
    type Timer = DbTimer;
    type Command = Command;

    fn start(&mut self, cx: &mut Cx) {
        let role = if self.cfg.initially_primary { Role::Active } else { Role::Passive };
        self.set_role(cx, role);
    }

    fn restart(&mut self, cx: &mut Cx) {
        self.queue.clear();
        self.busy_until_us = cx.now_us;
        let role = if self.role == Role::Active { Role::Active } else { Role::Passive };
        self.set_role(cx, role);
    }

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: DbInbox) {
        match msg {
            DbInbox::Service(ServiceMsg::Request { req, write_id }) => self.on_request(cx, from, req, write_id != 0),
            DbInbox::Db(DbMsg::Ping { seq }) => {
                let (primary, serving) = (self.role == Role::Active, self.role != Role::Rebuilding);
                cx.send(from, self.cfg.plane, DbMsg::Pong { seq, primary, serving }, CONTROL_BYTES);
            }
            DbInbox::Db(DbMsg::Promote { epoch }) => {
                if epoch > self.epoch {
                    self.epoch = epoch;
                    cx.cancel_timer(DbTimer::Rebuilt);
                    self.set_role(cx, Role::Active);
                }
            }
            DbInbox::Db(DbMsg::Follow { epoch, full }) => {
                if epoch > self.epoch {
                    self.epoch = epoch;
                    let took = if full { self.cfg.rebuild_us } else { self.cfg.resync_us };
                    if took == 0 {
                        self.set_role(cx, Role::Passive);
                    } else {
                        self.set_role(cx, Role::Rebuilding);
                        cx.set_timer(DbTimer::Rebuilt, took);
                    }
                }
            }
            // A member is nobody's client and the manager's pongs are its own.
            DbInbox::Service(ServiceMsg::Reply { .. } | ServiceMsg::Traffic { .. }) | DbInbox::Db(DbMsg::Pong { .. }) => {}
        }
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: DbTimer) {
        match timer {
            DbTimer::Tick => self.serve_due(cx),
            DbTimer::Rebuilt => {
                if self.role == Role::Rebuilding {
                    self.set_role(cx, Role::Passive)
                }
            }
        }
    }

    fn show(&self) -> NodeShow {
        NodeShow::with_roles(["", "replica", "", "primary", "rebuilding"])
    }
}
