//! What a backup catalog is configured with: each restore path's schedule and
//! failure mode, the rates restores run at, and the gauges it reports.

use crate::ids::{NodeId, PlaneId};

/// A periodic job: runs at `first_at_us + k * interval_us` for every integer k.
#[derive(Clone, Copy, Debug)]
pub struct Schedule {
    pub enabled: bool,
    pub interval_us: u64,
    pub first_at_us: u64,
}

impl Schedule {
    /// The latest run at or before `t` (may be before the start: negative).
    pub fn latest_at_or_before(&self, t: i64) -> Option<i64> {
        if !self.enabled || self.interval_us == 0 {
            return None;
        }
        let (first, interval) = (self.first_at_us as i128, self.interval_us as i128);
        let k = (i128::from(t) - first).div_euclid(interval);
        Some((first + k * interval).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
    }
}

#[derive(Clone, Debug)]
pub struct DumpConfig {
    pub schedule: Schedule,
    /// The dump client's major version matches the server's.
    pub version_matches: bool,
    /// Cron failure mails reach a person.
    pub alerts_delivered: bool,
    /// A restore of the newest dump is tried every `test_interval_us`.
    pub restore_tests: bool,
    pub test_interval_us: u64,
    /// How long before the start the dumps began failing (the server upgrade).
    pub failing_for_us: u64,
    /// From detection to a fixed dump job.
    pub fix_delay_us: u64,
    /// Logical restore speed (bytes of database per second).
    pub restore_rate: u64,
    pub s3_uploads: bool,
    /// Dumps the bucket keeps.
    pub s3_keep: u64,
}

#[derive(Clone, Debug, Default)]
pub struct CatalogGauges {
    pub lvm: u16,
    pub pg_dump: u16,
    pub s3: u16,
    pub azure: u16,
    pub archive: u16,
    pub usable: u16,
    pub choice: u16,
    pub restore_at_s: u16,
    /// Per record kind.
    pub lost: Vec<u16>,
}

/// Records lost, calibrated: `count` were written per `over_us` of time.
#[derive(Clone, Copy, Debug)]
pub struct RecordRate {
    pub count: u64,
    pub over_us: u64,
}

#[derive(Clone, Debug)]
pub struct CatalogConfig {
    pub primary: NodeId,
    pub replicas: Vec<NodeId>,
    pub plane: PlaneId,
    pub data_bytes: u64,
    /// WAL replay speed when restoring from a base or promoting a replica.
    pub apply_rate: u64,
    pub lvm: Schedule,
    pub staging_bandwidth: u64,
    pub dump: DumpConfig,
    pub azure: Schedule,
    pub azure_restore_us: u64,
    pub promote_us: u64,
    pub decide_delay_us: u64,
    pub post_restore_us: u64,
    pub records: Vec<RecordRate>,
    pub gauges: CatalogGauges,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::time::US_PER_S;

    #[test]
    fn schedules_reach_back_before_the_start() {
        let h = 3_600 * US_PER_S as i64;
        let s = Schedule { enabled: true, interval_us: 24 * h as u64, first_at_us: 8 * h as u64 };
        assert_eq!(s.latest_at_or_before(0), Some(-16 * h));
        assert_eq!(s.latest_at_or_before(8 * h), Some(8 * h));
        assert_eq!(Schedule { enabled: false, ..s }.latest_at_or_before(0), None);
    }
}
