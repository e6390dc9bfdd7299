//! Everything that travels between nodes, every timer a model can set, and the
//! operator commands a timeline can issue. Plain `Copy` enums: the queue stores
//! them inline, so the hot path never allocates.
//!
//! Each protocol owns a sub-enum (`HaMsg`, ...) in its own module; this file only
//! lists them. Adding a protocol: add its variant to `Msg` (and `Timer`), give its
//! message kinds a block of codes in `Msg::kind`, and name them in `KIND_NAMES`.

use super::backup_catalog::BackupTimer;
use super::fileserver::msg::{GhMsg, GhTimer};
use super::ha_member::{HaMsg, HaTimer};
use super::postgres::{PgMsg, PgTimer};
use super::db_cluster::{DbMsg, DbTimer};
use super::raft::{RaftMsg, RaftTimer};
use super::workload::ClientTimer;

/// Why a server did not serve a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyStatus {
    Ok,
    /// This node is not the one accepting writes; the client tries another.
    NotActive,
    /// The node is overloaded or the write could not be made durable in time.
    Unavailable,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    /// A client request; `write_id` is 0 for a read.
    Request { req: u32, write_id: u64 },
    Reply { req: u32, status: ReplyStatus },
    /// Stop (`on: false`) or resume a client's traffic, e.g. while the site
    /// shows a maintenance page.
    Traffic { on: bool },
    Ha(HaMsg),
    /// Fileserver pairs, fencing, witness and operators (GitHub 2012).
    Gh(GhMsg),
    /// PostgreSQL streaming replication, base backups, WAL archiving and backup status (GitLab 2017).
    Pg(PgMsg),
    /// Raft consensus (etcd).
    Raft(RaftMsg),
    /// Database cluster manager and members (Cloudflare 2020).
    Db(DbMsg),
}

/// Names of message kinds by code (the `kind` in frames and message records).
/// Codes: 0-2 client, 10-19 HA cluster manager, 20-29 fileserver pairs and fencing,
/// 30-39 PostgreSQL and backups, 40-49 Raft, 50-59 database cluster manager.
pub fn kind_name(code: u8) -> &'static str {
    match code {
        0 => "request",
        1 => "reply",
        2 => "traffic",
        10..=19 => HaMsg::KIND_NAMES.get(usize::from(code - 10)).copied().unwrap_or("ha"),
        30..=39 => PgMsg::KIND_NAMES.get(usize::from(code - 30)).copied().unwrap_or("postgres"),
        20..=29 => GhMsg::KIND_NAMES.get(usize::from(code - 20)).copied().unwrap_or("fileserver"),
        40..=49 => RaftMsg::KIND_NAMES.get(usize::from(code - 40)).copied().unwrap_or("raft"),
        50..=59 => DbMsg::KIND_NAMES.get(usize::from(code - 50)).copied().unwrap_or("db"),
        _ => "message",
    }
}

/// Every code with a name, for the browser's legend.
pub const KIND_CODES: [u8; 35] = [
    0, 1, 2, 10, 11, 12, 13, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 50, 51, 52, 53,
];

impl Msg {
    pub fn kind(&self) -> u8 {
        match self {
            Msg::Request { .. } => 0,
            Msg::Reply { .. } => 1,
            Msg::Traffic { .. } => 2,
            Msg::Ha(m) => 10 + m.kind(),
            Msg::Pg(m) => 30 + m.kind(),
            Msg::Gh(m) => 20 + m.kind(),
            Msg::Raft(m) => 40 + m.kind(),
            Msg::Db(m) => 50 + m.kind(),
        }
    }
}

/// Timers. Each has a slot (below `TIMER_SLOTS`); setting a timer replaces the
/// pending one in its slot. A node runs one model, so models share slot numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    Ha(HaTimer),
    Client(ClientTimer),
    Pg(PgTimer),
    Backup(BackupTimer),
    Gh(GhTimer),
    Raft(RaftTimer),
    Db(DbTimer),
}

pub const TIMER_SLOTS: usize = 8;

impl Timer {
    pub fn slot(self) -> usize {
        let slot = match self {
            Timer::Ha(t) => t as usize,
            Timer::Client(t) => t as usize,
            Timer::Pg(t) => t as usize,
            Timer::Backup(t) => t as usize,
            Timer::Gh(t) => t as usize,
            Timer::Raft(t) => t as usize,
            Timer::Db(t) => t as usize,
        };
        debug_assert!(slot < TIMER_SLOTS);
        slot
    }
}

/// Operator commands delivered by timeline actions; each model handles the ones it knows.
/// Scenario files name them in snake_case (`"command": "maintenance_on"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// Stop acting on heartbeat loss (cluster-manager maintenance mode).
    MaintenanceOn,
    MaintenanceOff,
    /// Make this node the active one of its group (after a human decided it is the true primary).
    ForceActive,
    /// Make this node passive and resync it from the active.
    ForcePassive,
    /// PostgreSQL primary: the abuse burst of WAL-heavy writes starts / ends.
    StartLoadBurst,
    StopLoadBurst,
    /// Backup system: take an LVM snapshot of the primary's disk now and load it into staging.
    TakeLvmSnapshot,
    /// PostgreSQL replica: if its replication is broken, wipe its data directory and
    /// start `pg_basebackup` from the primary (an operator only rebuilds a broken replica).
    RebuildReplica,
    /// PostgreSQL node: `rm -rf` of the data directory starts / is interrupted.
    DeleteDataDirectory,
    StopDeletion,
    /// A planned network change begins / ends; models with a runbook for it react
    /// (e.g. a cluster manager configured to enter maintenance mode).
    NetworkChangeBegin,
    NetworkChangeEnd,
    /// Operators start their recovery procedure (models of a human runbook act on it).
    Recover,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_stay_small_enough_to_queue_inline() {
        assert!(std::mem::size_of::<Msg>() <= 40, "{}", std::mem::size_of::<Msg>());
    }
}
