//! Patroni and the PostgreSQL server it manages, on one host: two processes.
//!
//! **Patroni** (`ha.py`'s HA loop) keeps the cluster's leader key in a lease
//! store (`model/lease_store`). Every cycle it reads the key; the holder renews
//! it (a write conditional on the revision it read, with a TTL of `ttl`) and,
//! only once the store confirms, kicks the host's watchdog; a replica follows
//! the holder, and when the key is gone it races for it (a create that only
//! one can win) if its WAL is within `maximum_lag_on_failover` of the last
//! position the leader recorded, arms the watchdog and promotes. A leader that
//! loses the key, or cannot reach the store within `retry_timeout`, demotes its
//! server. Between cycles the leader sleeps `loop_wait`; replicas watch the
//! key and wake when it changes (Patroni's etcd3 watch).
//!
//! **PostgreSQL** (`database.rs`) serves clients whatever Patroni is doing.
//! The `patroni_stall` command stops the Patroni process (a SIGSTOP, a hung
//! call, a VM too busy to schedule it) for the configured time: its cycles,
//! the store's answers and its deadlines wait, while the database commits.
//!
//! **The watchdog** is the host's (`model/node.rs`): armed with a timeout of
//! `ttl - safety_margin` (or `ttl / 2`), kicked after each confirmed renewal,
//! it resets the whole host in true time if the kicks stop, stalled or not.

pub mod database;
pub mod msg;

use database::{Database, DbConfig, DbRole};
use msg::{PatroniInbox, PatroniTimer, PgStreamMsg};

use super::effect::{Cx, Effect};
use super::lease_store::msg::{Expect, Key, LeaseMsg, NO_OWNER};
use super::command::unit_commands;
use super::msg::ServiceMsg;
use super::Model;
use crate::ids::{NodeId, PlaneId};

/// The leader key (`/leader`), with a TTL.
pub const KEY_LEADER: Key = 0;
/// The leader's last WAL position (`/optime/leader`); it also marks the
/// cluster as initialized (`/initialize`).
pub const KEY_OPTIME: Key = 1;
/// The synchronous standby the leader named (`/sync`).
pub const KEY_SYNC: Key = 2;

const DCS_BYTES: u32 = 256;
/// Patroni's REST status request during a leader race: 2 s, no retry (`fetch_node_status`).
const MEMBER_STATUS_TIMEOUT_US: u64 = 2_000_000;
/// Answers from the store held while Patroni is stalled (socket buffers).
const HELD_MAX: usize = 8;

/// `watchdog.mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchdogMode {
    /// Never use a watchdog.
    Off,
    /// Use it if the device is there, lead without it otherwise.
    Automatic,
    /// No watchdog, no leadership.
    Required,
}

#[derive(Clone, Debug)]
pub struct PatroniConfig {
    pub db: DbConfig,
    /// The lease store (DCS) node.
    pub store: NodeId,
    /// The other members of the cluster (asked for their status in a leader race).
    pub peers: Vec<NodeId>,
    pub dcs_plane: PlaneId,
    pub ttl_us: u64,
    pub loop_wait_us: u64,
    pub retry_timeout_us: u64,
    pub maximum_lag_on_failover_bytes: u64,
    pub watchdog_mode: WatchdogMode,
    /// Whether the host has a watchdog device (`/dev/watchdog`).
    pub watchdog_device: bool,
    /// `ttl - safety_margin`, or `ttl / 2` with `safety_margin: -1`.
    pub watchdog_timeout_us: u64,
    /// From a watchdog reset to the host running again.
    pub boot_us: u64,
    /// How long `pg_ctl promote` takes.
    pub promote_us: u64,
    /// This node initializes the cluster: it takes the key first and becomes the primary.
    pub bootstrap: bool,
    /// How long a `patroni_stall` command stops the Patroni process.
    pub stall_us: u64,
    /// Gauges: Patroni believes it holds the leader key (1/0), and the time
    /// left on its watchdog (ms; -1 when disarmed).
    pub leads_gauge: Option<u16>,
    pub watchdog_gauge: Option<u16>,
}

/// Which request of a cycle is in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Between cycles (a replica's watch may be out).
    Idle,
    ReadLeader,
    ReadOptime,
    /// Asking the other members' REST APIs how far their WAL is.
    AskMembers,
    ReadSync,
    Renew,
    Acquire,
}

#[derive(Debug)]
pub struct PatroniNode {
    cfg: PatroniConfig,
    me: NodeId,
    db: Database,
    step: Step,
    /// The request the current step waits for; replies to others are stale.
    req: u32,
    next_req: u32,
    /// The watch a sleeping replica has out (its reply starts a cycle).
    watch_req: u32,
    /// Leader race: members yet to answer, and whether one of them rules us out.
    members_pending: usize,
    members_rule_out: bool,
    /// Patroni believes it holds the leader key (`is_leader`).
    believes_leader: bool,
    /// Taking the key to initialize the cluster: the new server starts as a primary.
    initializing: bool,
    just_initialized: bool,
    /// The leader key's revision after this node's last confirmed write.
    revision: u32,
    /// Local time the watchdog fires unless kicked; `None` when disarmed.
    watchdog_due_local_us: Option<u64>,
    /// The Patroni process is stopped until this local time; what it would
    /// have handled meanwhile waits.
    stalled: bool,
    held: Vec<LeaseMsg>,
    cycle_due: bool,
    deadline_due: bool,
}

impl PatroniNode {
    pub fn new(me: NodeId, cfg: PatroniConfig) -> PatroniNode {
        let db = Database::new(cfg.db.clone(), me);
        PatroniNode {
            cfg,
            me,
            db,
            step: Step::Idle,
            req: 0,
            next_req: 1,
            watch_req: 0,
            members_pending: 0,
            members_rule_out: false,
            believes_leader: false,
            initializing: false,
            just_initialized: false,
            revision: 0,
            watchdog_due_local_us: None,
            stalled: false,
            held: vec![],
            cycle_due: false,
            deadline_due: false,
        }
    }

    fn my_owner_id(&self) -> u16 {
        self.me.0 as u16
    }

    fn ttl_ms(&self) -> u32 {
        (self.cfg.ttl_us / 1_000).min(u64::from(u32::MAX)) as u32
    }

    fn request(&mut self, cx: &mut Cx, step: Step, msg: impl FnOnce(u32) -> LeaseMsg) {
        let req = self.take_req();
        self.step = step;
        self.req = req;
        // Each call is retried for `retry_timeout` (a cycle makes two: hence
        // Patroni's rule loop_wait + 2 x retry_timeout <= ttl).
        cx.set_timer(PatroniTimer::DcsDeadline, self.cfg.retry_timeout_us);
        cx.send(self.cfg.store, self.cfg.dcs_plane, msg(req), DCS_BYTES);
    }

    /// A write whose answer Patroni does not wait for (`/optime/leader`, `/sync`).
    fn write_and_forget(&mut self, cx: &mut Cx, key: Key, owner: u16, value: u64) {
        let req = self.take_req();
        let msg = LeaseMsg::Put { req, key, owner, expect: Expect::Any, ttl_ms: 0, value };
        cx.send(self.cfg.store, self.cfg.dcs_plane, msg, DCS_BYTES);
    }

    fn take_req(&mut self) -> u32 {
        let req = self.next_req;
        self.next_req = self.next_req.wrapping_add(1).max(1);
        req
    }

    // ----- the HA loop ---------------------------------------------------

    fn start_cycle(&mut self, cx: &mut Cx) {
        self.watch_req = 0;
        self.request(cx, Step::ReadLeader, |req| LeaseMsg::Get { req, key: KEY_LEADER });
    }

    /// Sleep until the next cycle: the leader for `loop_wait`; a replica
    /// also watches the leader key (`revision` as it read it) and wakes when
    /// it changes, waiting half a second longer while a leader exists.
    fn end_cycle(&mut self, cx: &mut Cx, watch: Option<u32>) {
        self.step = Step::Idle;
        cx.cancel_timer(PatroniTimer::DcsDeadline);
        let mut sleep_us = self.cfg.loop_wait_us;
        if let Some(revision) = watch.filter(|_| !self.believes_leader) {
            let req = self.take_req();
            self.watch_req = req;
            cx.send(self.cfg.store, self.cfg.dcs_plane, LeaseMsg::Watch { req, key: KEY_LEADER, revision }, DCS_BYTES);
            if revision != 0 {
                sleep_us += 500_000;
            }
        }
        cx.set_timer(PatroniTimer::Cycle, sleep_us);
    }

    fn on_lease(&mut self, cx: &mut Cx, msg: LeaseMsg) {
        let LeaseMsg::Reply { req, ok, present, owner, revision, value, .. } = msg else { return };
        if req == self.watch_req && self.step == Step::Idle {
            cx.cancel_timer(PatroniTimer::Cycle);
            self.start_cycle(cx);
            return;
        }
        if req != self.req || self.step == Step::Idle {
            return; // an answer Patroni stopped waiting for, or a write it did not wait for
        }
        cx.cancel_timer(PatroniTimer::DcsDeadline);
        match self.step {
            Step::ReadLeader => self.on_leader_read(cx, present.then_some(owner), revision),
            Step::ReadOptime => self.on_optime_read(cx, present.then_some(value)),
            Step::ReadSync => {
                let named_other = present && owner != self.my_owner_id() && owner != NO_OWNER;
                if named_other {
                    self.end_cycle(cx, Some(0)); // only the synchronous standby may take over
                } else {
                    self.acquire(cx);
                }
            }
            Step::Renew | Step::Acquire => self.on_lock_write(cx, ok, present.then_some(owner), revision),
            Step::Idle | Step::AskMembers => {}
        }
    }

    fn on_leader_read(&mut self, cx: &mut Cx, owner: Option<u16>, revision: u32) {
        match owner {
            Some(o) if o == self.my_owner_id() => {
                let (ttl_ms, me) = (self.ttl_ms(), self.my_owner_id());
                self.request(cx, Step::Renew, |req| LeaseMsg::Put { req, key: KEY_LEADER, owner: me, expect: Expect::Revision(revision), ttl_ms, value: 0 });
            }
            Some(o) => {
                // "demoting self because I do not have the lock and I was a leader"
                self.step_down(cx);
                self.db.follow(cx, NodeId(u32::from(o)));
                self.end_cycle(cx, Some(revision));
            }
            None if self.db.role == DbRole::Primary => self.acquire(cx),
            None => self.request(cx, Step::ReadOptime, |req| LeaseMsg::Get { req, key: KEY_OPTIME }),
        }
    }

    /// The leader race's health checks (`is_healthiest_node`, `is_lagging`).
    fn on_optime_read(&mut self, cx: &mut Cx, optime: Option<u64>) {
        let Some(leader_bytes) = optime else {
            // Nobody has initialized the cluster: the node configured to
            // bootstrap it takes the key (`/initialize` and initdb, in Patroni).
            if self.cfg.bootstrap {
                self.initializing = true;
                self.acquire(cx);
            } else {
                self.end_cycle(cx, Some(0));
            }
            return;
        };
        let lag = leader_bytes.saturating_sub(self.db.wal_bytes());
        let watchdog_blocks = self.cfg.watchdog_mode == WatchdogMode::Required && !self.cfg.watchdog_device;
        if lag > self.cfg.maximum_lag_on_failover_bytes || watchdog_blocks {
            self.end_cycle(cx, Some(0));
        } else {
            self.ask_members(cx);
        }
    }

    /// `fetch_nodes_statuses`: a member that answers as a primary ("primary is
    /// still alive") or with more WAL than ours rules us out; one that does not
    /// answer within 2 s does not count.
    fn ask_members(&mut self, cx: &mut Cx) {
        let req = self.take_req();
        self.step = Step::AskMembers;
        self.req = req;
        self.members_pending = self.cfg.peers.len();
        self.members_rule_out = false;
        for i in 0..self.cfg.peers.len() {
            cx.send(self.cfg.peers[i], self.cfg.dcs_plane, PgStreamMsg::StatusQuery { req }, DCS_BYTES);
        }
        if self.members_pending == 0 {
            self.after_members(cx);
        } else {
            cx.set_timer(PatroniTimer::MembersDeadline, MEMBER_STATUS_TIMEOUT_US);
        }
    }

    fn on_member_status(&mut self, cx: &mut Cx, req: u32, wal_bytes: u64, primary: bool) {
        if self.step != Step::AskMembers || req != self.req {
            return;
        }
        self.members_rule_out |= primary || wal_bytes > self.db.wal_bytes();
        self.members_pending = self.members_pending.saturating_sub(1);
        if self.members_pending == 0 {
            cx.cancel_timer(PatroniTimer::MembersDeadline);
            self.after_members(cx);
        }
    }

    fn after_members(&mut self, cx: &mut Cx) {
        if self.members_rule_out {
            self.end_cycle(cx, Some(0));
        } else if self.cfg.db.synchronous {
            self.request(cx, Step::ReadSync, |req| LeaseMsg::Get { req, key: KEY_SYNC });
        } else {
            self.acquire(cx);
        }
    }

    fn acquire(&mut self, cx: &mut Cx) {
        if self.cfg.watchdog_mode == WatchdogMode::Required && !self.cfg.watchdog_device {
            // "refuse to become leader": no watchdog, no leadership.
            self.step_down(cx);
            self.end_cycle(cx, Some(0));
            return;
        }
        let (ttl_ms, me) = (self.ttl_ms(), self.my_owner_id());
        self.request(cx, Step::Acquire, |req| LeaseMsg::Put { req, key: KEY_LEADER, owner: me, expect: Expect::Absent, ttl_ms, value: 0 });
    }

    fn on_lock_write(&mut self, cx: &mut Cx, ok: bool, owner: Option<u16>, revision: u32) {
        if !ok {
            self.step_down(cx);
            if let Some(o) = owner.filter(|&o| o != self.my_owner_id()) {
                self.db.follow(cx, NodeId(u32::from(o)));
            }
            self.end_cycle(cx, Some(revision));
            return;
        }
        let newly = !self.believes_leader;
        self.believes_leader = true;
        self.revision = revision;
        if self.watchdog_due_local_us.is_some() {
            cx.emit(Effect::WatchdogKick);
            self.watchdog_due_local_us = Some(cx.now_us + self.cfg.watchdog_timeout_us);
        } else if self.cfg.watchdog_mode != WatchdogMode::Off && self.cfg.watchdog_device {
            // Activated before promoting (`watchdog.activate()`).
            cx.emit(Effect::WatchdogArm { timeout_us: self.cfg.watchdog_timeout_us, boot_us: self.cfg.boot_us });
            self.watchdog_due_local_us = Some(cx.now_us + self.cfg.watchdog_timeout_us);
        }
        if std::mem::take(&mut self.initializing) {
            self.db.start_as_primary(cx); // initdb: a new cluster starts as its primary
            self.just_initialized = true;
        } else if self.db.role == DbRole::Standby {
            self.db.begin_promote(cx);
            cx.set_timer(PatroniTimer::Promoted, self.cfg.promote_us);
        }
        self.write_and_forget(cx, KEY_OPTIME, NO_OWNER, self.db.wal_bytes());
        if self.cfg.db.synchronous && self.db.role == DbRole::Primary {
            self.name_sync_standby(cx);
        }
        if newly {
            self.draw(cx);
        }
        if std::mem::take(&mut self.just_initialized) {
            // The run starts at a random point of the leader's loop: the next
            // cycle comes after a random part of `loop_wait`.
            self.step = Step::Idle;
            cx.cancel_timer(PatroniTimer::DcsDeadline);
            let phase_us = cx.rng.below(self.cfg.loop_wait_us);
            cx.set_timer(PatroniTimer::Cycle, phase_us);
            return;
        }
        self.end_cycle(cx, None);
    }

    /// Synchronous mode: the first standby streaming from us is the one
    /// commits wait for; the choice is recorded in `/sync`.
    fn name_sync_standby(&mut self, cx: &mut Cx) {
        let pick = self.db.best_follower();
        if pick != self.db.sync_standby {
            self.db.set_sync_standby(cx, pick);
            let owner = pick.map_or(NO_OWNER, |n| n.0 as u16);
            self.write_and_forget(cx, KEY_SYNC, owner, 0);
        }
    }

    /// Patroni no longer holds the key (or cannot tell): the server stops
    /// taking writes and the watchdog is disarmed.
    fn step_down(&mut self, cx: &mut Cx) {
        let was = self.believes_leader;
        self.believes_leader = false;
        self.db.demote(cx);
        if self.watchdog_due_local_us.take().is_some() {
            cx.emit(Effect::WatchdogStop);
        }
        if was {
            self.draw(cx);
        }
    }

    fn on_deadline(&mut self, cx: &mut Cx) {
        if self.step == Step::Idle {
            return;
        }
        // "demoting self because DCS is not accessible and I was a leader"
        if self.believes_leader || self.db.role != DbRole::Standby {
            self.step_down(cx);
        }
        self.end_cycle(cx, None);
    }

    // ----- the stall -----------------------------------------------------

    fn stall(&mut self, cx: &mut Cx) {
        if !self.stalled {
            self.stalled = true;
            cx.set_timer(PatroniTimer::Thaw, self.cfg.stall_us);
        }
    }

    /// The process runs again and finds what waited: answers first (they
    /// arrived before the overdue timers looked), then deadlines, then the cycle.
    fn thaw(&mut self, cx: &mut Cx) {
        self.stalled = false;
        for msg in std::mem::take(&mut self.held) {
            self.on_lease(cx, msg);
        }
        if std::mem::take(&mut self.deadline_due) {
            self.on_deadline(cx);
        }
        if self.step == Step::AskMembers {
            self.after_members(cx); // its 2 s ran out while stopped
        }
        if std::mem::take(&mut self.cycle_due) && self.step == Step::Idle {
            cx.cancel_timer(PatroniTimer::Cycle);
            self.start_cycle(cx);
        }
    }

    fn draw(&self, cx: &mut Cx) {
        if let Some(g) = self.cfg.leads_gauge {
            cx.emit(Effect::Gauge { gauge: g, value: i64::from(self.believes_leader) });
        }
        if let Some(g) = self.cfg.watchdog_gauge {
            let left = self.watchdog_due_local_us.map_or(-1, |due| (due.saturating_sub(cx.now_us) / 1_000) as i64);
            cx.emit(Effect::Gauge { gauge: g, value: left });
        }
    }

    /// Patroni starts: the first cycle comes at a random point of a
    /// `loop_wait` (the members were not started in step).
    fn begin(&mut self, cx: &mut Cx) {
        self.db.report(cx);
        self.draw(cx);
        let phase_us = if self.cfg.bootstrap && self.db.lsn() == 0 { 0 } else { cx.rng.below(self.cfg.loop_wait_us) };
        cx.set_timer(PatroniTimer::Cycle, phase_us);
        if self.cfg.watchdog_gauge.is_some() {
            cx.set_timer(PatroniTimer::Sample, 1_000_000);
        }
    }
}

impl Model for PatroniNode {
    type Msg = PatroniInbox;
    type Timer = PatroniTimer;
    type Command = PatroniCommand;

    fn start(&mut self, cx: &mut Cx) {
        self.begin(cx);
    }

    /// The host came back (a crash, a watchdog reset): both processes start
    /// again, PostgreSQL in recovery; Patroni's memory is gone.
    fn restart(&mut self, cx: &mut Cx) {
        self.step = Step::Idle;
        self.watch_req = 0;
        self.believes_leader = false;
        self.watchdog_due_local_us = None;
        self.stalled = false;
        self.held.clear();
        self.cycle_due = false;
        self.deadline_due = false;
        self.db.restart();
        self.begin(cx);
    }

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: PatroniInbox) {
        match msg {
            PatroniInbox::Service(ServiceMsg::Request { req, write_id }) => self.db.on_query(cx, from, req, write_id),
            PatroniInbox::Service(ServiceMsg::Reply { .. } | ServiceMsg::Traffic { .. }) => {}
            PatroniInbox::Stream(PgStreamMsg::StatusQuery { req }) if !self.stalled => {
                let status = PgStreamMsg::Status { req, wal_bytes: self.db.wal_bytes(), primary: self.db.role == DbRole::Primary };
                cx.send(from, self.cfg.dcs_plane, status, DCS_BYTES);
            }
            PatroniInbox::Stream(PgStreamMsg::Status { req, wal_bytes, primary }) if !self.stalled => {
                self.on_member_status(cx, req, wal_bytes, primary)
            }
            // A stalled Patroni's REST API answers nothing; its own race waits.
            PatroniInbox::Stream(PgStreamMsg::StatusQuery { .. } | PgStreamMsg::Status { .. }) => {}
            PatroniInbox::Stream(m) => {
                self.db.on_stream(cx, from, m);
                if matches!(m, PgStreamMsg::Follow { .. }) && self.cfg.db.synchronous && !self.stalled && self.believes_leader {
                    self.name_sync_standby(cx);
                }
            }
            PatroniInbox::Lease(m) if self.stalled => {
                if self.held.len() < HELD_MAX {
                    self.held.push(m);
                }
            }
            PatroniInbox::Lease(m) => self.on_lease(cx, m),
        }
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: PatroniTimer) {
        match timer {
            PatroniTimer::Cycle if self.stalled => self.cycle_due = true,
            PatroniTimer::Cycle if self.step == Step::Idle => self.start_cycle(cx),
            PatroniTimer::Cycle => {}
            PatroniTimer::DcsDeadline if self.stalled => self.deadline_due = true,
            PatroniTimer::DcsDeadline => self.on_deadline(cx),
            // PostgreSQL finishes its promotion whatever Patroni does; the new
            // timeline is numbered by the key revision that made it leader.
            PatroniTimer::Promoted => self.db.finish_promote(cx, self.revision.max(self.db.timeline + 1)),
            PatroniTimer::MembersDeadline if self.stalled => {}
            PatroniTimer::MembersDeadline if self.step == Step::AskMembers => self.after_members(cx),
            PatroniTimer::MembersDeadline => {}
            PatroniTimer::Thaw => self.thaw(cx),
            PatroniTimer::Sample => {
                self.draw(cx);
                cx.set_timer(PatroniTimer::Sample, 1_000_000);
            }
        }
    }

    fn on_command(&mut self, cx: &mut Cx, command: PatroniCommand) {
        match command {
            PatroniCommand::Stall => self.stall(cx),
        }
    }
}

unit_commands! {
    /// What an operator (or a fault) can do to a Patroni process.
    pub enum PatroniCommand {
        Stall = "patroni_stall": "Patroni's process stops for the node's configured stall (SIGSTOP, a hung call) while the host, its clock, its watchdog and PostgreSQL keep running.",
    }
}
