//! Scenario spec of a PostgreSQL node (`model/postgres/`): a primary (no
//! `primary` field; needs the workload and retention fields) or a replica.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::BuildCx;
use crate::monitor::metrics::Unit;
use crate::ids::NodeId;
use crate::model::postgres::{PgConfig, PgGauges, Postgres};
use crate::model::AnyModel;
use crate::scenario::error::ScenarioError;
use crate::scenario::field_path::FieldPath;
use crate::scenario::format::{Flag, Quantity};

fn flag_true() -> Flag {
    Flag::Value(true)
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostgresSpec {
    /// Replication group (the primary is its active member).
    pub group: String,
    /// Off: the node takes no part in the run (a mitigation switched off).
    #[serde(default = "flag_true")]
    pub enabled: Flag,
    /// The primary this replica streams from; absent on the primary.
    #[serde(default)]
    pub primary: Option<String>,
    /// The primary's replicas (primary only).
    #[serde(default)]
    pub replicas: Vec<String>,
    /// The backup catalog node that receives status and archived WAL.
    #[serde(default)]
    pub catalog: Option<String>,
    /// Plane for replication, base backups, archiving and status.
    pub plane: String,
    /// Model step: WAL is written, streamed and replayed in steps of this length.
    pub tick: Quantity,
    /// Size of the database (data directory).
    pub data_size: Quantity,
    /// `rm -rf` speed on this node's data directory.
    pub delete_rate: Quantity,
    /// Primary: disk capacity for data plus retained WAL.
    #[serde(default)]
    pub disk_size: Option<Quantity>,
    /// Primary: WAL written per second under normal load.
    #[serde(default)]
    pub wal_rate: Option<Quantity>,
    /// Primary: extra WAL per second while the load burst is on (timeline commands).
    #[serde(default)]
    pub burst_wal_rate: Option<Quantity>,
    /// Primary: `wal_keep_segments`.
    #[serde(default)]
    pub wal_keep_segments: Option<Quantity>,
    /// Primary: WAL segment size.
    #[serde(default)]
    pub wal_segment_size: Option<Quantity>,
    /// Primary: a replication slot per replica (WAL is kept until the replica has it).
    #[serde(default)]
    pub replication_slot: Flag,
    /// Primary: commits wait until a replica has received their WAL.
    #[serde(default)]
    pub synchronous_commit: Flag,
    /// Primary: ship finished WAL segments to the catalog (object storage).
    #[serde(default)]
    pub wal_archiving: Flag,
    /// Primary: WAL a walsender keeps in flight beyond what the replica acknowledged.
    #[serde(default)]
    pub send_window: Option<Quantity>,
    /// Primary: `pg_basebackup`'s silent wait before copying.
    #[serde(default)]
    pub basebackup_wait: Option<Quantity>,
    /// Primary: size of one base backup transfer message.
    #[serde(default)]
    pub basebackup_chunk: Option<Quantity>,
    /// Refuse `rm -rf` of the data directory while this node is a serving primary
    /// (a prompt or wrapper that names host and role, or a second person checking).
    #[serde(default)]
    pub delete_guard: Flag,
    /// Replica: WAL replay speed.
    #[serde(default)]
    pub apply_rate: Option<Quantity>,
    /// Replica: `recovery_min_apply_delay` (a delayed replica).
    #[serde(default)]
    pub apply_delay: Option<Quantity>,
}

pub fn build(s: &PostgresSpec, cx: &mut BuildCx, me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let my_name = cx.nodes.iter().find(|(_, &id)| id == me).map(|(n, _)| n.to_string()).unwrap_or_default();
    let enabled = cx.values.flag(&s.enabled, &p.field("enabled"))?;
    let primary = match &s.primary {
        Some(n) => Some(cx.node(n, &p.field("primary"))?),
        None => None,
    };
    if primary == Some(me) {
        return Err(cx.err(p.field("primary"), "a node cannot replicate from itself"));
    }
    let replicas = cx.nodes(&s.replicas, &p.field("replicas"))?;
    if let Some(j) = replicas.iter().position(|&id| id == me) {
        return Err(cx.err(p.field("replicas").index(j), "a node cannot be its own replica"));
    }
    if primary.is_some() && !replicas.is_empty() {
        return Err(cx.err(p.field("replicas"), "a replica has no replicas of its own here (cascading is not modelled)"));
    }
    let catalog = match &s.catalog {
        Some(n) => Some(cx.node(n, &p.field("catalog"))?),
        None => None,
    };
    let tick_us = cx.positive_micros(&s.tick, &p.field("tick"))?;
    let data_bytes = cx.values.bytes(&s.data_size, &p.field("data_size"))?;
    if data_bytes == 0 {
        return Err(cx.err(p.field("data_size"), "must be above zero"));
    }
    let delete_rate = positive_rate(cx, &s.delete_rate, &p.field("delete_rate"))?;
    let is_primary = primary.is_none();
    // Fields one role needs: missing ones are an error naming the field.
    let need = |q: &Option<Quantity>, field: &str, needed: bool| -> Result<Option<Quantity>, ScenarioError> {
        match (q, needed) {
            (Some(q), _) => Ok(Some(q.clone())),
            (None, true) => Err(cx.err(p.field(field), if is_primary { "required on a primary" } else { "required on a replica" })),
            (None, false) => Ok(None),
        }
    };
    let zero = Quantity::Number(0.0);
    let wal_rate_q = need(&s.wal_rate, "wal_rate", is_primary)?.unwrap_or(zero.clone());
    let keep_q = need(&s.wal_keep_segments, "wal_keep_segments", is_primary)?.unwrap_or(zero.clone());
    let seg_q = need(&s.wal_segment_size, "wal_segment_size", is_primary)?;
    let disk_q = need(&s.disk_size, "disk_size", is_primary)?;
    let apply_q = need(&s.apply_rate, "apply_rate", !is_primary)?;

    let wal_rate = cx.values.bytes_per_s(&wal_rate_q, &p.field("wal_rate")).or_else(|e| if is_primary { Err(e) } else { Ok(0) })?;
    let burst_wal_rate = match &s.burst_wal_rate {
        Some(q) => cx.values.bytes_per_s(q, &p.field("burst_wal_rate"))?,
        None => 0,
    };
    let keep_segments = if is_primary { cx.values.count(&keep_q, &p.field("wal_keep_segments"))? } else { 0 };
    let segment_bytes = match &seg_q {
        Some(q) => match cx.values.bytes(q, &p.field("wal_segment_size"))? {
            0 => return Err(cx.err(p.field("wal_segment_size"), "must be above zero")),
            v => v,
        },
        None => 16 << 20,
    };
    let disk_bytes = match &disk_q {
        Some(q) => cx.values.bytes(q, &p.field("disk_size"))?,
        None => u64::MAX / 4,
    };
    // A disk smaller than the data is allowed: the primary stops at its first tick (disk full).
    let apply_rate = match &apply_q {
        Some(q) => positive_rate(cx, q, &p.field("apply_rate"))?,
        None => 0,
    };
    let send_window = match &s.send_window {
        Some(q) => cx.values.bytes(q, &p.field("send_window"))?.max(1),
        None => 64 << 20,
    };
    let basebackup_chunk = match &s.basebackup_chunk {
        Some(q) => match cx.values.bytes(q, &p.field("basebackup_chunk"))? {
            0 => return Err(cx.err(p.field("basebackup_chunk"), "must be above zero")),
            v => v.min(u64::from(u32::MAX)),
        },
        None => 256 << 20,
    };
    let opt_micros = |q: &Option<Quantity>, field: &str| -> Result<u64, ScenarioError> {
        match q {
            Some(q) => cx.values.micros(q, &p.field(field)),
            None => Ok(0),
        }
    };
    let basebackup_wait_us = opt_micros(&s.basebackup_wait, "basebackup_wait")?;
    let apply_delay_us = opt_micros(&s.apply_delay, "apply_delay")?;

    let gauges = PgGauges {
        state: cx.gauge(&format!("{my_name}_state"), Unit::Code),
        data_left: cx.gauge(&format!("{my_name}_data_left_bytes"), Unit::Bytes),
        wal_kept: cx.gauge(&format!("{my_name}_wal_kept_bytes"), Unit::Bytes),
        disk_used: cx.gauge(&format!("{my_name}_disk_used_bytes"), Unit::Bytes),
        broken_at_s: cx.gauge("replication_broken_at_s", Unit::Seconds),
        commit_wait_ms: cx.gauge(&format!("{my_name}_commit_wait_ms"), Unit::Milliseconds),
        writes_delayed: cx.gauge(&format!("{my_name}_writes_delayed_bytes"), Unit::Bytes),
        delete_refused: cx.gauge(&format!("{my_name}_delete_refused"), Unit::Count),
        lag_bytes: s.replicas.iter().map(|r| cx.gauge(&format!("{r}_lag_bytes"), Unit::Bytes)).collect(),
        lag_s: s.replicas.iter().map(|r| cx.gauge(&format!("{r}_lag_s"), Unit::Seconds)).collect(),
    };
    let cfg = PgConfig {
        group: cx.group(&s.group),
        enabled,
        primary,
        catalog,
        plane: cx.plane(&s.plane, &p.field("plane"))?,
        tick_us,
        data_bytes,
        disk_bytes,
        wal_rate,
        burst_wal_rate,
        wal_keep_bytes: keep_segments.saturating_mul(segment_bytes),
        segment_bytes,
        slot: cx.values.flag(&s.replication_slot, &p.field("replication_slot"))?,
        sync_commit: cx.values.flag(&s.synchronous_commit, &p.field("synchronous_commit"))?,
        archive: cx.values.flag(&s.wal_archiving, &p.field("wal_archiving"))?,
        send_window,
        basebackup_wait_us,
        basebackup_chunk,
        delete_rate,
        apply_rate,
        apply_delay_us,
        delete_guard: cx.values.flag(&s.delete_guard, &p.field("delete_guard"))?,
        gauges,
        replicas,
    };
    if enabled {
        // Per tick: the tick timer, a status report (sent + delivered) and, on a
        // primary, WAL and an ack (sent + delivered) per replica plus an archive
        // segment and its ack; on a replica, its ack.
        let per_tick = if is_primary { 7 + 4 * cfg.replicas.len() as u64 } else { 5 };
        let ticks = cx.end_us / tick_us + 1;
        cx.expect_events(per_tick.saturating_mul(ticks), &s.tick, &p.field("tick"));
        if is_primary && !cfg.replicas.is_empty() {
            // A base backup: a chunk and its ack (sent + delivered) per chunk.
            let chunks = data_bytes / basebackup_chunk + 1;
            let q = s.basebackup_chunk.clone().unwrap_or(zero);
            cx.expect_events(4 * chunks * cfg.replicas.len() as u64, &q, &p.field("basebackup_chunk"));
        }
    }
    Ok(Box::new(Postgres::new(me, cfg, cx.end_us)))
}

fn positive_rate(cx: &BuildCx, q: &Quantity, path: &FieldPath) -> Result<u64, ScenarioError> {
    match cx.values.bytes_per_s(q, path)? {
        0 => Err(cx.err(path, "must be above zero")),
        v => Ok(v),
    }
}
