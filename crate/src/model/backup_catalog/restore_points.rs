//! Which restore points exist at a given time, and what restoring from each
//! costs: replicas (plus the archive's WAL), LVM snapshots and cloud disk
//! snapshots (plus point-in-time recovery from the archive), logical dumps
//! and the copies kept in the bucket.

use super::BackupCatalog;
use crate::engine::time::US_PER_S;
use crate::ids::NodeId;
use crate::model::postgres::PgState;

/// Which restore path recovery chose (gauge `restore_choice`).
pub mod choice {
    pub const NOTHING: i64 = 0;
    pub const REPLICA: i64 = 1;
    pub const LVM: i64 = 2;
    pub const CLOUD_SNAPSHOT: i64 = 3;
    pub const PG_DUMP: i64 = 4;
    pub const OBJECT_STORAGE: i64 = 5;
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    pub choice: i64,
    pub point_us: i64,
    pub restore_us: u64,
    pub target: NodeId,
}

fn rate_us(bytes: u64, rate: u64) -> u64 {
    (u128::from(bytes) * u128::from(US_PER_S)).div_ceil(u128::from(rate.max(1))).min(u128::from(u64::MAX / 8)) as u64
}

impl BackupCatalog {
    /// When the dump job was fixed, if ever: failures start with the first dump
    /// after the upgrade; a delivered alert or a restore test finds them.
    pub(super) fn dump_fixed_at(&self) -> Option<i64> {
        let d = &self.cfg.dump;
        let first_failure = d.schedule.latest_at_or_before(-(d.failing_for_us as i64))? + d.schedule.interval_us as i64;
        let by_alert = d.alerts_delivered.then_some(first_failure);
        let by_test = d.restore_tests.then_some(first_failure + d.test_interval_us as i64);
        let found = match (by_alert, by_test) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        Some(found + d.fix_delay_us as i64)
    }

    pub(super) fn dump_ok(&self, at: i64) -> bool {
        self.cfg.dump.version_matches || self.dump_fixed_at().is_some_and(|f| at >= f)
    }

    /// Only a primary that still has its data can be snapshotted or dumped.
    pub(super) fn data_intact_at(&self, at: i64) -> bool {
        self.failure_at.is_none_or(|f| at < f as i64)
    }

    pub(super) fn lvm_latest(&self, t: i64) -> Option<i64> {
        let scheduled = self.cfg.lvm.latest_at_or_before(t);
        let manual = self.manual_lvm_at.filter(|&m| m <= t);
        scheduled.max(manual).filter(|&s| self.data_intact_at(s))
    }

    pub(super) fn newest_dump(&self, t: i64) -> Option<i64> {
        self.cfg.dump.schedule.latest_at_or_before(t).filter(|&s| self.data_intact_at(s))
    }

    /// The newest usable dump the bucket still keeps.
    pub(super) fn newest_s3_dump(&self, t: i64) -> Option<i64> {
        let d = &self.cfg.dump;
        if !d.s3_uploads {
            return None;
        }
        let newest = self.newest_dump(t)?;
        (0..d.s3_keep.min(10_000) as i64).map(|k| newest - k * d.schedule.interval_us as i64).find(|&at| self.dump_ok(at))
    }

    pub(super) fn primary_pos_at(&self, t: i64) -> Option<u64> {
        if t < 0 {
            return None;
        }
        let i = self.primary_history.partition_point(|&(at, _)| at <= t as u64);
        i.checked_sub(1).map(|i| self.primary_history[i].1)
    }

    /// Point-in-time recovery on top of a physical base taken at `base_at`: the
    /// archive's newest WAL, replayed from the base's position.
    pub(super) fn with_archive(&self, base_at: i64, restore_us: u64) -> (i64, u64) {
        match self.primary_pos_at(base_at) {
            Some(pos) if self.archived_pos > pos && self.archived_gen_us as i64 > base_at => (
                self.archived_gen_us as i64,
                restore_us + rate_us(self.archived_pos - pos, self.cfg.apply_rate),
            ),
            _ => (base_at, restore_us),
        }
    }

    /// Every usable restore point at time `t`.
    pub fn candidates(&self, t: i64, out: &mut Vec<Candidate>) {
        out.clear();
        let cfg = &self.cfg;
        for (i, r) in self.replicas.iter().enumerate() {
            if !matches!(r.state, Some(PgState::Streaming | PgState::Broken)) {
                continue;
            }
            let mut c = Candidate {
                choice: choice::REPLICA,
                point_us: r.point_us as i64,
                restore_us: cfg.promote_us + rate_us(r.pending, cfg.apply_rate),
                target: cfg.replicas[i],
            };
            if self.archived_pos > r.pos && self.archived_gen_us > r.point_us {
                c.point_us = self.archived_gen_us as i64;
                c.restore_us += rate_us(self.archived_pos - r.pos, cfg.apply_rate);
            }
            out.push(c);
        }
        if let Some(at) = self.lvm_latest(t) {
            let (point_us, restore_us) = self.with_archive(at, rate_us(cfg.data_bytes, cfg.staging_bandwidth));
            out.push(Candidate { choice: choice::LVM, point_us, restore_us, target: cfg.primary });
        }
        if let Some(at) = cfg.azure.latest_at_or_before(t).filter(|&s| self.data_intact_at(s)) {
            let (point_us, restore_us) = self.with_archive(at, cfg.azure_restore_us);
            out.push(Candidate { choice: choice::CLOUD_SNAPSHOT, point_us, restore_us, target: cfg.primary });
        }
        let dump_restore_us = rate_us(cfg.data_bytes, cfg.dump.restore_rate);
        if let Some(at) = self.newest_dump(t).filter(|&at| self.dump_ok(at)) {
            out.push(Candidate { choice: choice::PG_DUMP, point_us: at, restore_us: dump_restore_us, target: cfg.primary });
        }
        if let Some(at) = self.newest_s3_dump(t) {
            out.push(Candidate { choice: choice::OBJECT_STORAGE, point_us: at, restore_us: dump_restore_us, target: cfg.primary });
        }
    }
}
