//! Scenario spec of a Raft server (`model/raft/`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::BuildCx;
use crate::monitor::metrics::Unit;
use crate::ids::NodeId;
use crate::model::raft::{RaftConfig, RaftNode};
use crate::model::AnyModel;
use crate::scenario::error::ScenarioError;
use crate::scenario::field_path::FieldPath;
use crate::scenario::format::{Flag, Quantity};

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RaftSpec {
    /// Raft group (leader changes and no-leader time are counted per group).
    pub group: String,
    pub peers: Vec<String>,
    /// Plane Raft messages travel on.
    pub plane: String,
    /// Plane client requests and replies travel on (default: `plane`).
    #[serde(default)]
    pub client_plane: Option<String>,
    /// How often the leader sends appends (heartbeats).
    pub heartbeat_interval: Quantity,
    /// Each election timeout is drawn uniformly from `[election_timeout_min, election_timeout_max]`.
    pub election_timeout_min: Quantity,
    pub election_timeout_max: Quantity,
    #[serde(default)]
    pub pre_vote: Flag,
    #[serde(default)]
    pub check_quorum: Flag,
    /// Leader of term 1 at start; without it everyone starts as a follower.
    #[serde(default)]
    pub initial_leader: Option<String>,
    /// Start the initial leader's heartbeats at a random point of the interval.
    #[serde(default = "yes")]
    pub random_phase: bool,
    /// Draw this server's term as a gauge of this name.
    #[serde(default)]
    pub term_gauge: Option<String>,
    /// Count the elections this server starts as a gauge of this name.
    #[serde(default)]
    pub elections_gauge: Option<String>,
    /// Stable-storage write time: votes and log appends are answered only once
    /// written (default 0: no disk). The Raft paper's broadcast time is a round
    /// trip plus this write.
    #[serde(default)]
    pub disk_write: Option<Quantity>,
}

fn yes() -> bool {
    true
}

pub fn build(s: &RaftSpec, cx: &mut BuildCx, me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let peers = cx.nodes(&s.peers, &p.field("peers"))?;
    if let Some(j) = peers.iter().position(|&id| id == me) {
        return Err(cx.err(p.field("peers").index(j), "a node cannot be its own peer"));
    }
    if peers.len() > 15 {
        return Err(cx.err(p.field("peers"), "at most 15 peers"));
    }
    let heartbeat_us = cx.positive_micros(&s.heartbeat_interval, &p.field("heartbeat_interval"))?;
    let election_min_us = cx.positive_micros(&s.election_timeout_min, &p.field("election_timeout_min"))?;
    let election_max_us = cx.positive_micros(&s.election_timeout_max, &p.field("election_timeout_max"))?;
    if election_max_us < election_min_us {
        return Err(cx.err(p.field("election_timeout_max"), "must be at least election_timeout_min"));
    }
    let plane = cx.plane(&s.plane, &p.field("plane"))?;
    let client_plane = match &s.client_plane {
        Some(c) => cx.plane(c, &p.field("client_plane"))?,
        None => plane,
    };
    let initial_leader = match &s.initial_leader {
        Some(n) => Some(cx.node(n, &p.field("initial_leader"))?),
        None => None,
    };
    if initial_leader.is_some_and(|l| l != me && !peers.contains(&l)) {
        return Err(cx.err(p.field("initial_leader"), "must be this node or one of its peers"));
    }
    let term_gauge = s.term_gauge.as_ref().map(|g| cx.gauge(g, Unit::Count));
    let elections_gauge = s.elections_gauge.as_ref().map(|g| cx.gauge(g, Unit::Count));
    let disk_write_us = match &s.disk_write {
        Some(q) => cx.values.micros(q, &p.field("disk_write"))?,
        None => 0,
    };
    let cfg = RaftConfig {
        group: cx.group(&s.group),
        plane,
        client_plane,
        heartbeat_us,
        election_min_us,
        election_max_us,
        pre_vote: cx.values.flag(&s.pre_vote, &p.field("pre_vote"))?,
        check_quorum: cx.values.flag(&s.check_quorum, &p.field("check_quorum"))?,
        initial_leader,
        random_phase: s.random_phase,
        term_gauge,
        elections_gauge,
        disk_write_us,
        peers,
    };
    // Per heartbeat the leader's timer, an append to each peer and its reply,
    // shared among the members (plus one for slack). Elections at worst once per
    // minimum timeout: a timer and a request plus a vote per peer.
    let peers = cfg.peers.len() as u64;
    let per_heartbeat = (1 + 2 * peers).div_ceil(peers + 1) + 1;
    let heartbeats = per_heartbeat.saturating_mul(cx.end_us / heartbeat_us + 1);
    let per_round = 2 + 2 * peers;
    cx.expect_events(heartbeats, &s.heartbeat_interval, &p.field("heartbeat_interval"));
    let elections = per_round.saturating_mul(cx.end_us / election_min_us + 1);
    cx.expect_events(elections, &s.election_timeout_min, &p.field("election_timeout_min"));
    Ok(Box::new(RaftNode::new(me, cfg)))
}
