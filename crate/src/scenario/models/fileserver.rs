//! Scenario spec of a fileserver in an active/passive pair (`model/fileserver`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::BuildCx;
use crate::ids::NodeId;
use crate::model::fileserver::{FenceMethod, Fileserver, FsConfig};
use crate::model::AnyModel;
use crate::scenario::error::ScenarioError;
use crate::scenario::field_path::FieldPath;
use crate::scenario::format::{Flag, Quantity};

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileserverSpec {
    /// The pair (split brain and unavailability are counted per pair).
    pub group: String,
    pub peer: String,
    #[serde(default)]
    pub initially_active: bool,
    pub heartbeat_interval: Quantity,
    /// Silence after which the peer is declared dead.
    pub dead_time: Quantity,
    pub heartbeat_plane: String,
    /// Plane of the block replication between the two nodes.
    pub replication_plane: String,
    /// Plane clients reach this node on.
    pub data_plane: String,
    /// Plane operators reach this node on.
    pub mgmt_plane: String,
    /// How long a write waits for the peer's ack before the node goes standalone.
    pub replication_timeout: Quantity,
    /// STONITH methods in order of preference (at least one).
    pub fence: Vec<FenceMethodSpec>,
    /// How long one fencing attempt waits for confirmation.
    pub fence_timeout: Quantity,
    /// Attempts per method before the next method is tried.
    pub fence_attempts: Quantity,
    /// Promote only after a fence device confirmed the peer is off.
    #[serde(default)]
    pub promote_needs_fence: Flag,
    /// A quorum witness (third vote) and the plane to reach it.
    #[serde(default)]
    pub witness: Option<WitnessRef>,
    /// Promote, fence and keep serving only with two of three votes (needs `witness`).
    #[serde(default)]
    pub quorum: Flag,
    /// Enter maintenance mode for announced network changes (`network_change_begin`).
    #[serde(default)]
    pub maintenance_in_change_window: Flag,
    /// Generation (fencing-token) checks at the storage layer: a write needs an ack
    /// under the writer's generation or a fenced peer; older generations are refused.
    #[serde(default)]
    pub generation_check: Flag,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FenceMethodSpec {
    /// A node running the `fence_device` model that controls the peer's power.
    pub device: String,
    pub plane: String,
    /// A method can be switched by a toggle (`"$second_fence_method"`).
    #[serde(default = "enabled")]
    pub enabled: Flag,
}

fn enabled() -> Flag {
    Flag::Value(true)
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WitnessRef {
    pub node: String,
    pub plane: String,
}

pub fn build(s: &FileserverSpec, cx: &mut BuildCx, me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let peer = cx.node(&s.peer, &p.field("peer"))?;
    if peer == me {
        return Err(cx.err(p.field("peer"), "a node cannot be its own peer"));
    }
    let heartbeat_interval_us = cx.positive_micros(&s.heartbeat_interval, &p.field("heartbeat_interval"))?;
    let dead_time_us = cx.positive_micros(&s.dead_time, &p.field("dead_time"))?;
    let fence_timeout_us = cx.positive_micros(&s.fence_timeout, &p.field("fence_timeout"))?;
    let fence_attempts = cx.values.count(&s.fence_attempts, &p.field("fence_attempts"))?;
    if !(1..=100).contains(&fence_attempts) {
        return Err(cx.err(p.field("fence_attempts"), format!("{fence_attempts} is outside 1..100")));
    }
    if s.fence.is_empty() {
        return Err(cx.err(p.field("fence"), "name at least one fence method"));
    }
    let mut fence_methods = vec![];
    for (i, m) in s.fence.iter().enumerate() {
        let mp = p.field("fence").index(i);
        let device = cx.node(&m.device, &mp.field("device"))?;
        let plane = cx.plane(&m.plane, &mp.field("plane"))?;
        if cx.values.flag(&m.enabled, &mp.field("enabled"))? {
            fence_methods.push(FenceMethod { device, plane });
        }
    }
    if fence_methods.is_empty() {
        return Err(cx.err(p.field("fence"), "every fence method is disabled; enable at least one"));
    }
    let witness = match &s.witness {
        Some(w) => Some((cx.node(&w.node, &p.field("witness").field("node"))?, cx.plane(&w.plane, &p.field("witness").field("plane"))?)),
        None => None,
    };
    let quorum = cx.values.flag(&s.quorum, &p.field("quorum"))?;
    if quorum && witness.is_none() {
        return Err(cx.err(p.field("quorum"), "a two-node pair needs a `witness` for a quorum"));
    }
    let cfg = FsConfig {
        group: cx.group(&s.group),
        peer,
        initially_active: s.initially_active,
        heartbeat_interval_us,
        dead_time_us,
        heartbeat_plane: cx.plane(&s.heartbeat_plane, &p.field("heartbeat_plane"))?,
        replication_plane: cx.plane(&s.replication_plane, &p.field("replication_plane"))?,
        data_plane: cx.plane(&s.data_plane, &p.field("data_plane"))?,
        mgmt_plane: cx.plane(&s.mgmt_plane, &p.field("mgmt_plane"))?,
        replication_timeout_us: cx.positive_micros(&s.replication_timeout, &p.field("replication_timeout"))?,
        fence_methods,
        fence_timeout_us,
        fence_attempts: fence_attempts as u32,
        promote_needs_fence: cx.values.flag(&s.promote_needs_fence, &p.field("promote_needs_fence"))?,
        witness,
        quorum,
        maintenance_in_change_window: cx.values.flag(&s.maintenance_in_change_window, &p.field("maintenance_in_change_window"))?,
        generation_check: cx.values.flag(&s.generation_check, &p.field("generation_check"))?,
    };
    // Per heartbeat interval: the timer and the delivery to the peer, twice more
    // with a witness. Counted for the whole run (an upper bound: maintenance stops them).
    let per_interval = if quorum { 4 } else { 2 };
    let events = per_interval * (cx.end_us / heartbeat_interval_us + 1);
    cx.expect_events(events, &s.heartbeat_interval, &p.field("heartbeat_interval"));
    // A stuck fencing operation retries every timeout for the whole run at worst.
    cx.expect_events(2 * (cx.end_us / fence_timeout_us + 1), &s.fence_timeout, &p.field("fence_timeout"));
    Ok(Box::new(Fileserver::new(me, cfg)))
}
