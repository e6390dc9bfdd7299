//! What a Patroni host shows the viewer (`model/show.rs`): whether the
//! Patroni process runs or is stopped, the step of its HA loop, whether it
//! believes it holds the leader key and who held the key when it last looked,
//! the key's TTL left as this node counts it from its last confirmed renewal,
//! its watchdog and the time before it fires; and its PostgreSQL server's
//! state, timeline, WAL position and upstream. Between a stall and the thaw
//! the database stays primary while the TTL it counts runs out.

use super::database::DbRole;
use super::{PatroniNode, Step, WatchdogMode};
use crate::ids::NodeId;
use crate::model::show::{node_fact, NodeShow, Unit, FACT_NONE};

const PROCESS_WORDS: [&str; 2] = ["running", "stopped (stalled)"];
/// `Step` in order.
const STEP_WORDS: [&str; 7] = [
    "sleeping (loop_wait)",
    "reading the leader key",
    "reading the leader's WAL position",
    "asking the other members",
    "reading the sync key",
    "renewing the leader key",
    "racing for the leader key",
];
const YES_NO: [&str; 2] = ["no", "yes"];
const WATCHDOG_WORDS: [&str; 4] = ["not used", "no device", "disarmed", "armed"];
/// `DbRole` in order, in PostgreSQL's words.
const DB_WORDS: [&str; 3] = ["primary", "promoting", "standby (in recovery)"];

fn micros(v: u64) -> i64 {
    v.min(i64::MAX as u64) as i64
}

impl PatroniNode {
    pub(super) fn declare_show(&self) -> NodeShow {
        // In the order the story needs them when only a few lines fit under a node.
        let mut show = NodeShow::with_roles(["", "standby", "promoting", "primary", ""])
            .fact("db_role", "PostgreSQL", Unit::Choice(DB_WORDS.to_vec()))
            .fact("process", "Patroni process", Unit::Choice(PROCESS_WORDS.to_vec()))
            .fact("believes_leader", "thinks it holds the leader key", Unit::Choice(YES_NO.to_vec()))
            .fact("ttl_left_us", "leader key TTL left (its count)", Unit::Micros)
            .fact("key_holder_seen", "leader key held by (last read)", Unit::Node)
            .fact("watchdog", "watchdog", Unit::Choice(WATCHDOG_WORDS.to_vec()))
            .fact("watchdog_left_us", "watchdog resets the host in", Unit::Micros)
            .fact("ha_step", "HA loop", Unit::Choice(STEP_WORDS.to_vec()))
            .fact("timeline", "timeline", Unit::Count)
            .fact("wal_bytes", "WAL position", Unit::Bytes)
            .fact("upstream", "streams WAL from", Unit::Node)
            .follows_last();
        show.role_fact = Some(0);
        show
    }

    pub(super) fn push_facts(&self, now_us: u64, out: &mut Vec<i64>) {
        let step = match self.step {
            Step::Idle => 0,
            Step::ReadLeader => 1,
            Step::ReadOptime => 2,
            Step::AskMembers => 3,
            Step::ReadSync => 4,
            Step::Renew => 5,
            Step::Acquire => 6,
        };
        let db_role = match self.db.role {
            DbRole::Primary => 0,
            DbRole::Promoting => 1,
            DbRole::Standby => 2,
        };
        let watchdog = match (self.watchdog_due_local_us, self.cfg.watchdog_mode, self.cfg.watchdog_device) {
            (Some(_), _, _) => 3,
            (None, WatchdogMode::Off, _) => 0,
            (None, _, false) => 1,
            (None, _, true) => 2,
        };
        let ttl_left = self.renewed_local_us.filter(|_| self.believes_leader).map(|at| (at + self.cfg.ttl_us).saturating_sub(now_us));
        let watchdog_left = self.watchdog_due_local_us.map(|due| due.saturating_sub(now_us));
        out.extend_from_slice(&[
            db_role,
            i64::from(self.stalled),
            i64::from(self.believes_leader),
            ttl_left.map_or(FACT_NONE, micros),
            node_fact(self.key_holder_seen.map(|o| NodeId(u32::from(o)))),
            watchdog,
            watchdog_left.map_or(FACT_NONE, micros),
            step,
            i64::from(self.db.timeline),
            micros(self.db.wal_bytes()),
            node_fact(if self.db.role == DbRole::Primary { Some(self.me) } else { self.db.upstream }),
        ]);
    }
}
