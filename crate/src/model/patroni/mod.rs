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
//! The loop is in `ha_loop.rs`, its requests to the store in `dcs.rs`, the
//! race for a free key in `leader_race.rs`.
//!
//! **PostgreSQL** (`database.rs`) serves clients whatever Patroni is doing.
//! The `patroni_stall` command stops the Patroni process (a SIGSTOP, a hung
//! call, a VM too busy to schedule it) for the configured time: its cycles,
//! the store's answers and its deadlines wait, while the database commits.
//!
//! **The watchdog** is the host's (`model/node.rs`): armed with a timeout of
//! `ttl - safety_margin` (or `ttl / 2`), kicked after each confirmed renewal,
//! it resets the whole host in true time if the kicks stop, stalled or not.
//!
//! The stall is in `stall.rs`; what the stage shows (the key holder as this
//! node last read it, the TTL it believes is left, the watchdog) in `show.rs`.

pub mod database;
mod dcs;
mod ha_loop;
mod leader_race;
pub mod msg;
mod show;
mod stall;

use database::{Database, DbConfig, DbRole};
use msg::{PatroniInbox, PatroniTimer, PgStreamMsg};

use super::effect::{Cx, Effect};
use super::lease_store::msg::{Key, LeaseMsg};
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
    /// left on its armed watchdog (ms; no sample while it is not armed).
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
    // For the stage only (`show.rs`); nothing decides on them.
    /// Who held the leader key when this node last read or wrote it (`None`: free or not yet read).
    key_holder_seen: Option<u16>,
    /// Local time of this node's last confirmed take or renewal of the key.
    renewed_local_us: Option<u64>,
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
            key_holder_seen: None,
            renewed_local_us: None,
        }
    }

    fn my_owner_id(&self) -> u16 {
        self.me.0 as u16
    }

    fn ttl_ms(&self) -> u32 {
        (self.cfg.ttl_us / 1_000).min(u64::from(u32::MAX)) as u32
    }

    fn draw(&self, cx: &mut Cx) {
        if let Some(g) = self.cfg.leads_gauge {
            cx.emit(Effect::Gauge { gauge: g, value: i64::from(self.believes_leader) });
        }
        // A disarmed watchdog has no time left to report: no sample at all,
        // rather than a sentinel a chart or the outcome table would show as a value.
        if let (Some(g), Some(due)) = (self.cfg.watchdog_gauge, self.watchdog_due_local_us) {
            cx.emit(Effect::Gauge { gauge: g, value: (due.saturating_sub(cx.now_us) / 1_000) as i64 });
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
        self.key_holder_seen = None;
        self.renewed_local_us = None;
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

    fn show(&self) -> crate::model::show::NodeShow {
        self.declare_show()
    }

    fn facts(&self, now_us: u64, out: &mut Vec<i64>) {
        self.push_facts(now_us, out);
    }
}

unit_commands! {
    /// What an operator (or a fault) can do to a Patroni process.
    pub enum PatroniCommand {
        Stall = "patroni_stall": "Patroni's process stops for the node's configured stall (SIGSTOP, a hung call) while the host, its clock, its watchdog and PostgreSQL keep running.",
    }
}
