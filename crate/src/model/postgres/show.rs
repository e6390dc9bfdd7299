//! What a PostgreSQL node shows the viewer (`model/show.rs`): its state in
//! PostgreSQL's words, the data directory it holds (GitLab's 300 GB that
//! `rm -rf` took to 4.5 GB), and on a primary the WAL it retains against the
//! WAL its replicas still need, and the lag of its furthest replica.

use super::*;
use crate::model::show::{NodeShow, Unit, FACT_NONE};

/// `PgState` in order, in the words of the PostgreSQL documentation and the postmortem.
const STATE_WORDS: [&str; 8] = [
    "not running",
    "primary",
    "standby, streaming",
    "standby, WAL gone",
    "rebuilding (pg_basebackup)",
    "data directory deleted",
    "primary, disk full",
    "primary (restored)",
];

fn bytes(v: u64) -> i64 {
    v.min(i64::MAX as u64) as i64
}

impl Postgres {
    pub(super) fn declare_show(&self) -> NodeShow {
        let mut show = NodeShow::with_roles(["", "standby", "", "primary", "rebuilding"])
            .fact("state", "PostgreSQL state", Unit::Choice(STATE_WORDS.to_vec()))
            .fact("data_bytes", "data directory", Unit::Bytes)
            .fact("wal_retained_bytes", "WAL retained", Unit::Bytes)
            .fact("wal_needed_bytes", "WAL replicas still need", Unit::Bytes)
            .fact("replication_lag_bytes", "replication lag", Unit::Bytes);
        show.role_fact = Some(0);
        show
    }

    pub(super) fn push_facts(&self, out: &mut Vec<i64>) {
        if !self.cfg.enabled {
            out.extend_from_slice(&[FACT_NONE; 5]);
            return;
        }
        let is_primary = self.cfg.primary.is_none() && matches!(self.state, PgState::Primary | PgState::DiskFull | PgState::Restored);
        let (retained, needed, lag) = if is_primary {
            let streaming = || self.peers.iter().filter(|p| p.connected && !p.broken && p.basebackup.is_none());
            let retained = self.insert - self.oldest_local().min(self.insert);
            let needed = streaming().map(|p| self.insert.saturating_sub(p.sent.min(p.received))).max();
            let lag = streaming().map(|p| self.insert.saturating_sub(p.received)).max();
            (bytes(retained), needed.map_or(FACT_NONE, bytes), lag.map_or(FACT_NONE, bytes))
        } else {
            (FACT_NONE, FACT_NONE, FACT_NONE)
        };
        out.extend_from_slice(&[self.state as i64, bytes(self.data_left), retained, needed, lag]);
    }
}
