//! Backup storage and recovery (GitLab 2017): every restore path the team had,
//! each with its own schedule and failure mode, and the recovery that picks the
//! newest usable restore point once the primary's data is gone.
//!
//! - LVM snapshots of the primary's disk, loaded into staging (a schedule, plus
//!   snapshots taken by hand from the timeline); restoring means copying the data
//!   back at the staging disks' bandwidth.
//! - Logical dumps (`pg_dump`) on a schedule: with a client older than the server
//!   they come out nearly empty. The breakage is found only if a failure alert
//!   reaches someone or a restore test runs, and fixed `fix_delay` later.
//! - The object-storage bucket the dumps are uploaded to (with retention).
//! - Cloud disk snapshots, if enabled, with their own restore time.
//! - The WAL archive: segments the primary ships here (point-in-time recovery on
//!   top of a physical base, or a replica catching up).
//! - Replicas, from the status they report: a streaming or stale copy can be
//!   promoted after replaying what it has received; a wiped one is nothing.
//!
//! Schedules extend before the run's start (`first_at - k * interval`), so a
//! daily job that last ran the night before exists at t = 0.

use super::effect::{Cx, Effect};
use super::msg::{timer_enum, Command};
use super::postgres::{PgMsg, PgState};
use super::show::{NodeShow, Unit, FACT_NONE};
use super::Model;
use crate::engine::time::US_PER_S;
use crate::ids::{NodeId, PlaneId};

const CONTROL_BYTES: u32 = 128;
/// Largest archive read served at once (keeps messages within `u32` bytes).
const ARCHIVE_READ_MAX: u64 = 1 << 30;

timer_enum! {
    pub enum BackupTimer {
        /// The team has found out what is left and starts the restore.
        Decide,
        /// The restore (copy, replay, checks) is done.
        RestoreDone,
    }
}

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

/// A backup's observable state (gauge values).
pub mod state {
    pub const NONE: i64 = 0;
    pub const EMPTY: i64 = 1;
    pub const USABLE: i64 = 3;
}

/// Which restore path recovery chose (gauge `restore_choice`).
pub mod choice {
    pub const NOTHING: i64 = 0;
    pub const REPLICA: i64 = 1;
    pub const LVM: i64 = 2;
    pub const CLOUD_SNAPSHOT: i64 = 3;
    pub const PG_DUMP: i64 = 4;
    pub const OBJECT_STORAGE: i64 = 5;
}

#[derive(Clone, Copy, Debug, Default)]
struct ReplicaView {
    state: Option<PgState>,
    pos: u64,
    point_us: u64,
    pending: u64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    pub choice: i64,
    pub point_us: i64,
    pub restore_us: u64,
    pub target: NodeId,
}

#[derive(Clone, Debug)]
pub struct BackupCatalog {
    cfg: CatalogConfig,
    /// (time, WAL position) the primary reported, for the base position of a snapshot.
    primary_history: Vec<(u64, u64)>,
    manual_lvm_at: Option<i64>,
    archived_pos: u64,
    archived_gen_us: u64,
    /// (WAL position, written at) of every archived batch, for serving replicas.
    archive_index: Vec<(u64, u64)>,
    /// Archive WAL already sent to each replica (restore_command reads).
    served: Vec<u64>,
    replicas: Vec<ReplicaView>,
    failure_at: Option<u64>,
    chosen: Option<Candidate>,
}

fn rate_us(bytes: u64, rate: u64) -> u64 {
    (u128::from(bytes) * u128::from(US_PER_S)).div_ceil(u128::from(rate.max(1))).min(u128::from(u64::MAX / 8)) as u64
}

impl BackupCatalog {
    pub fn new(cfg: CatalogConfig, end_us: u64, tick_us: u64) -> BackupCatalog {
        let ticks = (end_us / tick_us.max(1)).min(10_000_000) as usize + 2;
        BackupCatalog {
            primary_history: Vec::with_capacity(ticks),
            manual_lvm_at: None,
            archived_pos: 0,
            archived_gen_us: 0,
            archive_index: Vec::with_capacity(ticks),
            served: vec![0; cfg.replicas.len()],
            replicas: vec![ReplicaView::default(); cfg.replicas.len()],
            failure_at: None,
            chosen: None,
            cfg,
        }
    }

    pub fn chosen(&self) -> Option<Candidate> {
        self.chosen
    }

    /// When the dump job was fixed, if ever: failures start with the first dump
    /// after the upgrade; a delivered alert or a restore test finds them.
    fn dump_fixed_at(&self) -> Option<i64> {
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

    fn dump_ok(&self, at: i64) -> bool {
        self.cfg.dump.version_matches || self.dump_fixed_at().is_some_and(|f| at >= f)
    }

    /// Only a primary that still has its data can be snapshotted or dumped.
    fn data_intact_at(&self, at: i64) -> bool {
        self.failure_at.is_none_or(|f| at < f as i64)
    }

    fn lvm_latest(&self, t: i64) -> Option<i64> {
        let scheduled = self.cfg.lvm.latest_at_or_before(t);
        let manual = self.manual_lvm_at.filter(|&m| m <= t);
        scheduled.max(manual).filter(|&s| self.data_intact_at(s))
    }

    fn newest_dump(&self, t: i64) -> Option<i64> {
        self.cfg.dump.schedule.latest_at_or_before(t).filter(|&s| self.data_intact_at(s))
    }

    /// The newest usable dump the bucket still keeps.
    fn newest_s3_dump(&self, t: i64) -> Option<i64> {
        let d = &self.cfg.dump;
        if !d.s3_uploads {
            return None;
        }
        let newest = self.newest_dump(t)?;
        (0..d.s3_keep.min(10_000) as i64).map(|k| newest - k * d.schedule.interval_us as i64).find(|&at| self.dump_ok(at))
    }

    fn primary_pos_at(&self, t: i64) -> Option<u64> {
        if t < 0 {
            return None;
        }
        let i = self.primary_history.partition_point(|&(at, _)| at <= t as u64);
        i.checked_sub(1).map(|i| self.primary_history[i].1)
    }

    /// Point-in-time recovery on top of a physical base taken at `base_at`: the
    /// archive's newest WAL, replayed from the base's position.
    fn with_archive(&self, base_at: i64, restore_us: u64) -> (i64, u64) {
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

    fn report_states(&self, cx: &mut Cx, t: i64) {
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

    fn on_status(&mut self, cx: &mut Cx, from: NodeId, state: PgState, pos: u64, point_us: u64, pending: u64) {
        if from == self.cfg.primary {
            match state {
                PgState::Primary => self.primary_history.push((cx.now_us, pos)),
                PgState::Destroyed if self.failure_at.is_none() => {
                    // Writes stopped when the deletion began; the team starts looking.
                    self.failure_at = Some(point_us);
                    cx.set_timer(BackupTimer::Decide, self.cfg.decide_delay_us);
                }
                _ => {}
            }
        }
        if let Some(i) = self.cfg.replicas.iter().position(|&r| r == from) {
            self.replicas[i] = ReplicaView { state: Some(state), pos, point_us, pending };
        }
    }

    /// A replica's restore_command: send the archived WAL it lacks, at most
    /// `ARCHIVE_READ_MAX` per request, ending on an archived batch boundary.
    fn serve_archive(&mut self, cx: &mut Cx, from: NodeId, received: u64) {
        let Some(i) = self.cfg.replicas.iter().position(|&r| r == from) else { return };
        let start = received.max(self.served[i]);
        let limit = start.saturating_add(ARCHIVE_READ_MAX);
        let j = self.archive_index.partition_point(|&(pos, _)| pos <= limit);
        let Some(&(end_pos, gen_us)) = j.checked_sub(1).and_then(|j| self.archive_index.get(j)) else { return };
        if end_pos > start {
            self.served[i] = end_pos;
            cx.send(from, self.cfg.plane, PgMsg::Wal { end_pos, gen_us }, (end_pos - start) as u32);
        }
    }

    fn decide(&mut self, cx: &mut Cx) {
        let Some(failure) = self.failure_at else { return };
        let mut found = Vec::new();
        self.candidates(failure as i64, &mut found);
        self.report_states(cx, failure as i64);
        let g = &self.cfg.gauges;
        cx.emit(Effect::Gauge { gauge: g.usable, value: found.len() as i64 });
        // The newest restore point wins; between equals, the quicker restore.
        let best = found.iter().copied().max_by(|a, b| a.point_us.cmp(&b.point_us).then(b.restore_us.cmp(&a.restore_us)));
        let point = best.map_or(0, |c| c.point_us.clamp(0, failure as i64) as u64);
        let window = failure - point;
        let mut lost_total = 0;
        for (k, r) in self.cfg.records.iter().enumerate() {
            let lost = (u128::from(r.count) * u128::from(window) / u128::from(r.over_us.max(1))) as u64;
            lost_total += lost;
            cx.emit(Effect::Gauge { gauge: g.lost[k], value: lost as i64 });
        }
        cx.emit(Effect::DataLost { from_us: point, to_us: failure, writes: lost_total });
        cx.emit(Effect::Gauge { gauge: g.choice, value: best.map_or(choice::NOTHING, |c| c.choice) });
        self.chosen = best;
        if let Some(c) = best {
            let after = c.restore_us.saturating_add(self.cfg.post_restore_us);
            cx.emit(Effect::Gauge { gauge: g.restore_at_s, value: (cx.now_us.saturating_add(after) / US_PER_S) as i64 });
            cx.set_timer(BackupTimer::RestoreDone, after);
        }
    }
}

impl Model for BackupCatalog {
    type Msg = PgMsg;
    type Timer = BackupTimer;
    type Command = Command;

    fn start(&mut self, cx: &mut Cx) {
        self.report_states(cx, 0);
    }

    fn restart(&mut self, _cx: &mut Cx) {}

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: PgMsg) {
        match msg {
            PgMsg::Status { state, pos, point_us, pending } => self.on_status(cx, from, state, pos, point_us, pending),
            PgMsg::Segment { end_pos, gen_us } => self.on_segment(cx, from, end_pos, gen_us),
            PgMsg::Ack { received, .. } => self.serve_archive(cx, from, received),
            // Between the primary and its replicas.
            PgMsg::Wal { .. }
            | PgMsg::WalGone { .. }
            | PgMsg::BaseBackupRequest
            | PgMsg::BaseBackupChunk { .. }
            | PgMsg::BaseBackupAck { .. }
            | PgMsg::SegmentAck { .. }
            | PgMsg::Restore { .. } => {}
        }
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: BackupTimer) {
        match timer {
            BackupTimer::Decide => self.decide(cx),
            BackupTimer::RestoreDone => {
                if let Some(c) = self.chosen {
                    let point_us = c.point_us.max(0) as u64;
                    cx.send(c.target, self.cfg.plane, PgMsg::Restore { point_us }, CONTROL_BYTES);
                }
            }
        }
    }

    fn on_command(&mut self, cx: &mut Cx, command: Command) {
        if command == Command::TakeLvmSnapshot && self.data_intact_at(cx.now_us as i64) {
            self.manual_lvm_at = Some(cx.now_us as i64);
            cx.emit(Effect::Gauge { gauge: self.cfg.gauges.lvm, value: state::USABLE });
        }
    }

    fn show(&self) -> NodeShow {
        let status = || Unit::Choice(METHOD_WORDS.to_vec());
        NodeShow::default()
            .fact("pg_dump", "pg_dump", status())
            .fact("lvm", "LVM snapshots", status())
            .fact("disk_snapshots", "disk snapshots", status())
            .fact("replication", "replication", status())
            .fact("automated_backups", "automated backups (S3)", status())
            .fact("wal_archive", "WAL archive", status())
            .fact("lvm_age", "newest LVM snapshot age", Unit::Micros)
            .fact("restore_from", "restoring from", Unit::Choice(CHOICE_WORDS.to_vec()))
    }

    fn facts(&self, now_us: u64, out: &mut Vec<i64>) {
        let t = now_us as i64;
        out.extend_from_slice(&[
            self.pg_dump_status(t),
            if self.lvm_latest(t).is_some() { method::OK } else if self.cfg.lvm.enabled { method::FAILING } else { method::NOT_CONFIGURED },
            match self.cfg.azure.latest_at_or_before(t) {
                _ if !self.cfg.azure.enabled => method::NOT_CONFIGURED,
                Some(at) if self.data_intact_at(at) => method::OK,
                _ => method::FAILING,
            },
            self.replication_status(),
            match self.newest_s3_dump(t) {
                _ if !self.cfg.dump.s3_uploads => method::NOT_CONFIGURED,
                Some(_) => method::OK,
                None => method::FAILING,
            },
            if self.archived_pos > 0 { method::OK } else { method::NOT_CONFIGURED },
            self.lvm_latest(t).map_or(FACT_NONE, |at| t - at),
            self.chosen.map_or(FACT_NONE, |c| c.choice),
        ]);
    }
}

/// What the stage shows for each restore path (`model/show.rs`).
const METHOD_WORDS: [&str; 4] = ["ok", "failing", "not configured", "never tested"];
const CHOICE_WORDS: [&str; 6] = ["nothing usable", "a replica", "LVM snapshot", "disk snapshot", "pg_dump", "S3 dump"];
mod method {
    pub const OK: i64 = 0;
    pub const FAILING: i64 = 1;
    pub const NOT_CONFIGURED: i64 = 2;
    pub const NEVER_TESTED: i64 = 3;
}

impl BackupCatalog {
    /// Dumps that come out empty are failing; good ones nobody restores are untested.
    fn pg_dump_status(&self, t: i64) -> i64 {
        let d = &self.cfg.dump;
        match self.newest_dump(t) {
            _ if !d.schedule.enabled => method::NOT_CONFIGURED,
            Some(at) if self.dump_ok(at) && d.restore_tests => method::OK,
            Some(at) if self.dump_ok(at) => method::NEVER_TESTED,
            _ => method::FAILING,
        }
    }

    /// Replication as a restore path: a streaming replica is one; a broken or wiped one is not.
    fn replication_status(&self) -> i64 {
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

impl BackupCatalog {
    /// A WAL segment from the primary's archiver: store it and acknowledge.
    fn on_segment(&mut self, cx: &mut Cx, from: NodeId, end_pos: u64, gen_us: u64) {
        if end_pos <= self.archived_pos {
            return; // a resend of what is archived already
        }
        let first = self.archived_pos == 0;
        (self.archived_pos, self.archived_gen_us) = (end_pos, gen_us);
        self.archive_index.push((end_pos, gen_us));
        cx.send(from, self.cfg.plane, PgMsg::SegmentAck { end_pos }, CONTROL_BYTES);
        if first {
            cx.emit(Effect::Gauge { gauge: self.cfg.gauges.archive, value: state::USABLE });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_reach_back_before_the_start() {
        let h = 3_600 * US_PER_S as i64;
        let s = Schedule { enabled: true, interval_us: 24 * h as u64, first_at_us: 8 * h as u64 };
        assert_eq!(s.latest_at_or_before(0), Some(-16 * h));
        assert_eq!(s.latest_at_or_before(8 * h), Some(8 * h));
        assert_eq!(Schedule { enabled: false, ..s }.latest_at_or_before(0), None);
    }
}
