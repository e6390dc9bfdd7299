//! Scenario spec of the backup storage and recovery node (`model/backup_catalog.rs`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::BuildCx;
use crate::monitor::metrics::Unit;
use crate::ids::NodeId;
use crate::model::backup_catalog::{BackupCatalog, CatalogConfig, CatalogGauges, DumpConfig, RecordRate, Schedule};
use crate::model::AnyModel;
use crate::scenario::error::ScenarioError;
use crate::scenario::field_path::FieldPath;
use crate::scenario::format::{Flag, Quantity};

fn flag_true() -> Flag {
    Flag::Value(true)
}

/// A periodic job at `first_at + k * interval` (k any integer, so it also ran before the start).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSpec {
    #[serde(default = "flag_true")]
    pub enabled: Flag,
    pub interval: Quantity,
    /// One run's time since the start (earlier and later runs follow from the interval).
    pub first_at: Quantity,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DumpSpec {
    pub schedule: ScheduleSpec,
    /// The dump client's major version matches the server's (else dumps come out empty).
    pub version_matches: Flag,
    /// Failure alerts reach a person.
    pub alerts_delivered: Flag,
    /// Regular test restores of the newest dump.
    pub restore_tests: Flag,
    pub test_interval: Quantity,
    /// How long before the start dumps began to fail.
    pub failing_for: Quantity,
    /// From detection to a working dump job.
    pub fix_delay: Quantity,
    /// Logical restore speed.
    pub restore_rate: Quantity,
    /// Dumps are uploaded to the object-storage bucket.
    pub s3_uploads: Flag,
    /// Dumps the bucket keeps.
    pub s3_keep: Quantity,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordSpec {
    /// Record kind, e.g. `projects`; reported as gauge `lost_NAME`.
    pub name: String,
    /// Calibration: this many were written per `over`.
    pub count: Quantity,
    pub over: Quantity,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupCatalogSpec {
    pub primary: String,
    /// Replicas whose status makes them restore candidates.
    #[serde(default)]
    pub replicas: Vec<String>,
    pub plane: String,
    /// How often the PostgreSQL nodes report (their `tick`), to size buffers.
    pub tick: Quantity,
    pub data_size: Quantity,
    /// WAL replay speed for point-in-time recovery and promotions.
    pub apply_rate: Quantity,
    pub lvm_snapshots: ScheduleSpec,
    /// Copy speed from staging back to production.
    pub staging_bandwidth: Quantity,
    pub pg_dump: DumpSpec,
    pub cloud_snapshots: ScheduleSpec,
    pub cloud_restore_time: Quantity,
    pub promote_time: Quantity,
    /// From the failure to the start of the restore (finding out what is left).
    pub decide_delay: Quantity,
    /// After the data is back: checks and re-enabling before the site opens.
    pub post_restore_checks: Quantity,
    #[serde(default)]
    pub records: Vec<RecordSpec>,
}

fn schedule(cx: &BuildCx, s: &ScheduleSpec, p: &FieldPath) -> Result<Schedule, ScenarioError> {
    Ok(Schedule {
        enabled: cx.values.flag(&s.enabled, &p.field("enabled"))?,
        interval_us: cx.positive_micros(&s.interval, &p.field("interval"))?,
        first_at_us: cx.values.micros(&s.first_at, &p.field("first_at"))?,
    })
}

fn rate(cx: &BuildCx, q: &Quantity, path: &FieldPath) -> Result<u64, ScenarioError> {
    match cx.values.bytes_per_s(q, path)? {
        0 => Err(cx.err(path, "must be above zero")),
        v => Ok(v),
    }
}

pub fn build(s: &BackupCatalogSpec, cx: &mut BuildCx, _me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let primary = cx.node(&s.primary, &p.field("primary"))?;
    let replicas = cx.nodes(&s.replicas, &p.field("replicas"))?;
    let tick_us = cx.positive_micros(&s.tick, &p.field("tick"))?;
    let d = &s.pg_dump;
    let dp = p.field("pg_dump");
    let dump = DumpConfig {
        schedule: schedule(cx, &d.schedule, &dp.field("schedule"))?,
        version_matches: cx.values.flag(&d.version_matches, &dp.field("version_matches"))?,
        alerts_delivered: cx.values.flag(&d.alerts_delivered, &dp.field("alerts_delivered"))?,
        restore_tests: cx.values.flag(&d.restore_tests, &dp.field("restore_tests"))?,
        test_interval_us: cx.positive_micros(&d.test_interval, &dp.field("test_interval"))?,
        failing_for_us: cx.values.micros(&d.failing_for, &dp.field("failing_for"))?,
        fix_delay_us: cx.values.micros(&d.fix_delay, &dp.field("fix_delay"))?,
        restore_rate: rate(cx, &d.restore_rate, &dp.field("restore_rate"))?,
        s3_uploads: cx.values.flag(&d.s3_uploads, &dp.field("s3_uploads"))?,
        s3_keep: cx.values.count(&d.s3_keep, &dp.field("s3_keep"))?,
    };
    let mut records = vec![];
    let mut lost = vec![];
    for (i, r) in s.records.iter().enumerate() {
        let rp = p.field("records").index(i);
        if r.name.is_empty() || !r.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(cx.err(rp.field("name"), "use letters, digits and _ only"));
        }
        records.push(RecordRate {
            count: cx.values.count(&r.count, &rp.field("count"))?,
            over_us: cx.positive_micros(&r.over, &rp.field("over"))?,
        });
        lost.push(cx.gauge(&format!("lost_{}", r.name), Unit::Count));
    }
    let gauges = CatalogGauges {
        lvm: cx.gauge("state_lvm_staging", Unit::Code),
        pg_dump: cx.gauge("state_pg_dump", Unit::Code),
        s3: cx.gauge("state_object_storage", Unit::Code),
        azure: cx.gauge("state_cloud_snapshots", Unit::Code),
        archive: cx.gauge("state_wal_archive", Unit::Code),
        usable: cx.gauge("usable_restore_points", Unit::Count),
        choice: cx.gauge("restore_choice", Unit::Code),
        restore_at_s: cx.gauge("restored_at_s", Unit::Seconds),
        lost,
    };
    let data_size = cx.values.bytes(&s.data_size, &p.field("data_size"))?;
    let cfg = CatalogConfig {
        primary,
        replicas,
        plane: cx.plane(&s.plane, &p.field("plane"))?,
        data_bytes: data_size,
        apply_rate: rate(cx, &s.apply_rate, &p.field("apply_rate"))?,
        lvm: schedule(cx, &s.lvm_snapshots, &p.field("lvm_snapshots"))?,
        staging_bandwidth: rate(cx, &s.staging_bandwidth, &p.field("staging_bandwidth"))?,
        dump,
        azure: schedule(cx, &s.cloud_snapshots, &p.field("cloud_snapshots"))?,
        azure_restore_us: cx.values.micros(&s.cloud_restore_time, &p.field("cloud_restore_time"))?,
        promote_us: cx.values.micros(&s.promote_time, &p.field("promote_time"))?,
        decide_delay_us: cx.values.micros(&s.decide_delay, &p.field("decide_delay"))?,
        post_restore_us: cx.values.micros(&s.post_restore_checks, &p.field("post_restore_checks"))?,
        records,
        gauges,
    };
    Ok(Box::new(BackupCatalog::new(cfg, cx.end_us, tick_us)))
}
