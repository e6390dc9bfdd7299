//! Scenario specs of the database cluster manager and its members
//! (`model/db_cluster.rs`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::BuildCx;
use crate::monitor::metrics::Unit;
use crate::engine::time::US_PER_S;
use crate::ids::NodeId;
use crate::model::db_cluster::{DbManager, ManagerConfig, MemberConfig, DbMember};
use crate::model::AnyModel;
use crate::scenario::error::ScenarioError;
use crate::scenario::field_path::FieldPath;
use crate::scenario::format::{Flag, Quantity};
use crate::scenario::units::Kind;

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DbManagerSpec {
    /// The etcd members the manager writes the primary's lease to, in the order it tries them.
    pub etcd: Vec<String>,
    pub etcd_plane: String,
    /// Database members; the first is the primary at start, a failover promotes the next.
    pub members: Vec<String>,
    pub db_plane: String,
    /// How often the manager checks the primary and renews its lease in etcd.
    pub renew_interval: Quantity,
    /// Without a renewal for this long the manager no longer vouches for the primary.
    pub lease_ttl: Quantity,
    /// Extra time the lease must stay expired before a failover (hysteresis).
    #[serde(default)]
    pub promotion_delay: Option<Quantity>,
    /// Fail over only after etcd has taken writes for `stable_window`.
    #[serde(default)]
    pub wait_stable_etcd: Flag,
    #[serde(default)]
    pub stable_window: Option<Quantity>,
    /// The defect: a new primary makes every other member rebuild from scratch.
    pub full_rebuild: Flag,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DbMemberSpec {
    pub group: String,
    pub plane: String,
    #[serde(default)]
    pub initially_primary: bool,
    /// Requests per second this member can serve.
    pub capacity: Quantity,
    /// Longest a request may wait in the queue before it is refused.
    pub queue_max: Quantity,
    /// Size of the data set a full rebuild copies.
    pub data_size: Quantity,
    /// Copy bandwidth of a full rebuild.
    pub copy_bandwidth: Quantity,
    /// Time an incremental resync takes after a failover.
    pub resync_time: Quantity,
}

pub fn build_manager(s: &DbManagerSpec, cx: &mut BuildCx, _me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let etcd = cx.nodes(&s.etcd, &p.field("etcd"))?;
    if etcd.is_empty() {
        return Err(cx.err(p.field("etcd"), "needs at least one etcd member"));
    }
    let members = cx.nodes(&s.members, &p.field("members"))?;
    if members.len() < 2 {
        return Err(cx.err(p.field("members"), "needs a primary and at least one replica"));
    }
    let renew_interval_us = cx.positive_micros(&s.renew_interval, &p.field("renew_interval"))?;
    let members_len = members.len() as u64;
    let zero = Quantity::Number(0.0);
    let cfg = ManagerConfig {
        etcd,
        etcd_plane: cx.plane(&s.etcd_plane, &p.field("etcd_plane"))?,
        members,
        db_plane: cx.plane(&s.db_plane, &p.field("db_plane"))?,
        renew_interval_us,
        lease_ttl_us: cx.positive_micros(&s.lease_ttl, &p.field("lease_ttl"))?,
        promotion_delay_us: cx.values.micros(s.promotion_delay.as_ref().unwrap_or(&zero), &p.field("promotion_delay"))?,
        wait_stable_etcd: cx.values.flag(&s.wait_stable_etcd, &p.field("wait_stable_etcd"))?,
        stable_window_us: cx.values.micros(s.stable_window.as_ref().unwrap_or(&zero), &p.field("stable_window"))?,
        full_rebuild: cx.values.flag(&s.full_rebuild, &p.field("full_rebuild"))?,
        failovers_gauge: cx.gauge("db_failovers", Unit::Count),
        lease_age_gauge: cx.gauge("db_lease_age_s", Unit::Seconds),
        write_gap_gauge: cx.gauge("etcd_write_gap_s", Unit::Seconds),
    };
    // Per round: the tick, a ping and its answer per member, an etcd write and its answer.
    let per_round = 3 + 2 * members_len;
    let events = per_round.saturating_mul(cx.end_us / renew_interval_us + 1);
    cx.expect_events(events, &s.renew_interval, &p.field("renew_interval"));
    Ok(Box::new(DbManager::new(cfg)))
}

pub fn build_member(s: &DbMemberSpec, cx: &mut BuildCx, _me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let capacity = cx.values.base(&s.capacity, Kind::Count, &p.field("capacity"))?;
    if !(0.001..=1e6).contains(&capacity) {
        return Err(cx.err(p.field("capacity"), "must be between 0.001 and 1000000 requests per second"));
    }
    let data_bytes = cx.values.bytes(&s.data_size, &p.field("data_size"))?;
    let bandwidth = cx.values.bytes_per_s(&s.copy_bandwidth, &p.field("copy_bandwidth"))?;
    if bandwidth == 0 {
        return Err(cx.err(p.field("copy_bandwidth"), "must be above zero"));
    }
    let rebuild_us = u64::try_from(u128::from(data_bytes) * u128::from(US_PER_S) / u128::from(bandwidth)).unwrap_or(u64::MAX / 4);
    let service_us = ((US_PER_S as f64 / capacity).round() as u64).max(1);
    let cfg = MemberConfig {
        group: cx.group(&s.group),
        plane: cx.plane(&s.plane, &p.field("plane"))?,
        initially_primary: s.initially_primary,
        service_us,
        queue_max_us: cx.values.micros(&s.queue_max, &p.field("queue_max"))?,
        rebuild_us: rebuild_us.min(u64::MAX / 4),
        resync_us: cx.values.micros(&s.resync_time, &p.field("resync_time"))?,
    };
    Ok(Box::new(DbMember::new(cfg)))
}
