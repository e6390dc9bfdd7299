//! Scenario spec of a MongoDB replica set member (`model/mongodb/`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::BuildCx;
use crate::monitor::metrics::Unit;
use crate::ids::NodeId;
use crate::model::mongodb::{MongoConfig, MongoMember};
use crate::model::AnyModel;
use crate::scenario::error::ScenarioError;
use crate::scenario::field_path::FieldPath;
use crate::scenario::format::{Flag, Quantity};

/// Members a replica set may have (MongoDB allows 50, of which 7 vote; all vote here).
const MEMBERS_MAX: usize = 7;

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MongoSpec {
    /// Group of the members (two primaries at once = split brain in it).
    pub group: String,
    /// Plane the members talk to each other on.
    pub plane: String,
    /// Plane client requests and replies travel on (default: `plane`).
    #[serde(default)]
    pub client_plane: Option<String>,
    /// The replica set's members, all voting (1 to 7), in `_id` order.
    pub members: Vec<String>,
    /// The member that won term 1 before the replay starts.
    pub initial_primary: String,
    /// `settings.heartbeatIntervalMillis`.
    pub heartbeat_interval: Quantity,
    /// `settings.electionTimeoutMillis`.
    pub election_timeout: Quantity,
    /// Largest random offset added to every election timeout (so members do not stand together).
    pub election_offset_max: Quantity,
    /// On: every client write uses `w: "majority"`; off: `w: 1`.
    pub write_majority: Flag,
    /// Draw, on the member that wins an election, the time since it last heard the previous primary (ms).
    #[serde(default)]
    pub failover_gauge: Option<String>,
    /// Draw the writes this member rolled back.
    #[serde(default)]
    pub rollback_gauge: Option<String>,
}

pub fn build(s: &MongoSpec, cx: &mut BuildCx, me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let members = cx.nodes(&s.members, &p.field("members"))?;
    if members.is_empty() || members.len() > MEMBERS_MAX {
        return Err(cx.err(p.field("members"), format!("a replica set has 1 to {MEMBERS_MAX} voting members, not {}", members.len())));
    }
    let Some(my_index) = members.iter().position(|&m| m == me) else {
        return Err(cx.err(p.field("members"), "this node is not one of the members"));
    };
    let first = cx.node(&s.initial_primary, &p.field("initial_primary"))?;
    let Some(initial_primary) = members.iter().position(|&m| m == first) else {
        return Err(cx.err(p.field("initial_primary"), format!("`{}` is not one of the members", s.initial_primary)));
    };
    let heartbeat_interval_us = cx.positive_micros(&s.heartbeat_interval, &p.field("heartbeat_interval"))?;
    let election_timeout_us = cx.positive_micros(&s.election_timeout, &p.field("election_timeout"))?;
    if election_timeout_us <= heartbeat_interval_us {
        return Err(cx.err(
            p.field("election_timeout"),
            "must be longer than heartbeat_interval (else a healthy primary is deposed between two heartbeats)",
        ));
    }
    let election_offset_max_us = cx.values.micros(&s.election_offset_max, &p.field("election_offset_max"))?;
    let plane = cx.plane(&s.plane, &p.field("plane"))?;
    let client_plane = match &s.client_plane {
        Some(c) => cx.plane(c, &p.field("client_plane"))?,
        None => plane,
    };
    let cfg = MongoConfig {
        group: cx.group(&s.group),
        plane,
        client_plane,
        heartbeat_interval_us,
        election_timeout_us,
        election_offset_max_us,
        write_majority: cx.values.flag(&s.write_majority, &p.field("write_majority"))?,
        initial_primary,
        failover_gauge: s.failover_gauge.as_ref().map(|g| cx.gauge(g, Unit::Milliseconds)),
        rollback_gauge: s.rollback_gauge.as_ref().map(|g| cx.gauge(g, Unit::Count)),
        members,
    };
    // Per heartbeat round: the timer and a heartbeat to each other member,
    // each delivered; elections and fetches are a few more per round.
    let peers = cfg.members.len() as u64;
    let rounds = cx.end_us / heartbeat_interval_us + 1;
    cx.expect_events(rounds.saturating_mul(2 + 4 * peers), &s.heartbeat_interval, &p.field("heartbeat_interval"));
    Ok(Box::new(MongoMember::new(my_index, cfg)))
}
