//! Scenario spec of an HA cluster member (`model/ha_member.rs`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::BuildCx;
use crate::ids::NodeId;
use crate::model::ha_member::{HaConfig, HaMember};
use crate::model::AnyModel;
use crate::scenario::error::ScenarioError;
use crate::scenario::field_path::FieldPath;
use crate::scenario::format::{Flag, Quantity};

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HaMemberSpec {
    /// Replication group (split brain is counted per group).
    pub group: String,
    pub peers: Vec<String>,
    #[serde(default)]
    pub initially_active: bool,
    pub heartbeat_interval: Quantity,
    pub dead_time: Quantity,
    pub heartbeat_plane: String,
    pub data_plane: String,
    /// Promote and keep serving only with a majority of members in contact.
    #[serde(default)]
    pub quorum: Flag,
}

pub fn build(s: &HaMemberSpec, cx: &mut BuildCx, me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let peers = cx.nodes(&s.peers, &p.field("peers"))?;
    if let Some(j) = peers.iter().position(|&id| id == me) {
        return Err(cx.err(p.field("peers").index(j), "a node cannot be its own peer"));
    }
    let heartbeat_interval_us = cx.positive_micros(&s.heartbeat_interval, &p.field("heartbeat_interval"))?;
    let cfg = HaConfig {
        group: cx.group(&s.group),
        initially_active: s.initially_active,
        heartbeat_interval_us,
        dead_time_us: cx.values.micros(&s.dead_time, &p.field("dead_time"))?,
        heartbeat_plane: cx.plane(&s.heartbeat_plane, &p.field("heartbeat_plane"))?,
        data_plane: cx.plane(&s.data_plane, &p.field("data_plane"))?,
        quorum: cx.values.flag(&s.quorum, &p.field("quorum"))?,
        peers,
    };
    // Two timers and a heartbeat to each peer (sent + delivered) per interval.
    let per_interval = 2 + 2 * cfg.peers.len() as u64;
    let events = per_interval.saturating_mul(cx.end_us / heartbeat_interval_us + 1);
    cx.expect_events(events, &s.heartbeat_interval, &p.field("heartbeat_interval"));
    Ok(Box::new(HaMember::new(me, cfg)))
}
