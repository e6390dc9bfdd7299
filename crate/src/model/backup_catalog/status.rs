//! How each restore path looks from outside: the gauge states (none, empty,
//! usable) reported at the start and when recovery looks, and the words the
//! stage shows for each path (ok, failing, not configured, never tested).

use super::BackupCatalog;
use crate::model::effect::{Cx, Effect};
use crate::model::postgres::PgState;

/// A backup's observable state (gauge values).
pub mod state {
    pub const NONE: i64 = 0;
    pub const EMPTY: i64 = 1;
    pub const USABLE: i64 = 3;
}


/// What the stage shows for each restore path (`model/show.rs`).
pub(super) const METHOD_WORDS: [&str; 4] = ["ok", "failing", "not configured", "never tested"];
pub(super) const CHOICE_WORDS: [&str; 6] = ["nothing usable", "a replica", "LVM snapshot", "disk snapshot", "pg_dump", "S3 dump"];
pub(super) mod method {
    pub const OK: i64 = 0;
    pub const FAILING: i64 = 1;
    pub const NOT_CONFIGURED: i64 = 2;
    pub const NEVER_TESTED: i64 = 3;
}

impl BackupCatalog {
    pub(super) fn report_states(&self, cx: &mut Cx, t: i64) {
        let g = &self.cfg.gauges;
        let lvm = if self.lvm_latest(t).is_some() { state::USABLE } else { state::NONE };
        let dump = match self.newest_dump(t) {
            Some(at) if self.dump_ok(at) => state::USABLE,
            Some(_) => state::EMPTY,
            None => state::NONE,
        };
        let s3 = if self.newest_s3_dump(t).is_some() { state::USABLE } else { state::NONE };
        let azure = if self.cfg.azure.latest_at_or_before(t).filter(|&s| self.data_intact_at(s)).is_some() { state::USABLE } else { state::NONE };
        let archive = if self.archived_pos > 0 { state::USABLE } else { state::NONE };
        for (gauge, value) in [(g.lvm, lvm), (g.pg_dump, dump), (g.s3, s3), (g.azure, azure), (g.archive, archive)] {
            cx.emit(Effect::Gauge { gauge, value });
        }
    }

    /// Dumps that come out empty are failing; good ones nobody restores are untested.
    pub(super) fn pg_dump_status(&self, t: i64) -> i64 {
        let d = &self.cfg.dump;
        match self.newest_dump(t) {
            _ if !d.schedule.enabled => method::NOT_CONFIGURED,
            Some(at) if self.dump_ok(at) && d.restore_tests => method::OK,
            Some(at) if self.dump_ok(at) => method::NEVER_TESTED,
            _ => method::FAILING,
        }
    }

    /// Replication as a restore path: a streaming replica is one; a broken or wiped one is not.
    pub(super) fn replication_status(&self) -> i64 {
        let known = || self.replicas.iter().filter_map(|r| r.state).filter(|&s| s != PgState::Off);
        if known().next().is_none() {
            method::NOT_CONFIGURED
        } else if known().any(|s| s == PgState::Streaming) {
            method::OK
        } else {
            method::FAILING
        }
    }
}
