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

mod archive;
mod config;
mod restore_points;
mod status;

pub use config::{CatalogConfig, CatalogGauges, DumpConfig, RecordRate, Schedule};
pub use restore_points::{choice, Candidate};
pub use status::state;

use super::command::unit_commands;
use super::effect::{Cx, Effect};
use super::msg::timer_enum;
use super::postgres::{PgMsg, PgState};
use super::show::{NodeShow, Unit, FACT_NONE};
use super::Model;
use crate::engine::time::US_PER_S;
use crate::ids::NodeId;
use status::{method, CHOICE_WORDS, METHOD_WORDS};

const CONTROL_BYTES: u32 = 128;

timer_enum! {
    pub enum BackupTimer {
        /// The team has found out what is left and starts the restore.
        Decide,
        /// The restore (copy, replay, checks) is done.
        RestoreDone,
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct ReplicaView {
    state: Option<PgState>,
    pos: u64,
    point_us: u64,
    pending: u64,
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

unit_commands! {
    /// What an operator can tell the backup system.
    pub enum BackupCommand {
        TakeLvmSnapshot = "take_lvm_snapshot": "Take an LVM snapshot of the primary's disk now and load it into staging (if the data is intact).",
    }
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
    type Command = BackupCommand;

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

    fn on_command(&mut self, cx: &mut Cx, command: BackupCommand) {
        let BackupCommand::TakeLvmSnapshot = command;
        if self.data_intact_at(cx.now_us as i64) {
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

