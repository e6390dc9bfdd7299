//! Scenario spec of a Redis Cluster node (`model/redis_cluster/`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::BuildCx;
use crate::monitor::metrics::Unit;
use crate::ids::NodeId;
use crate::model::redis_cluster::{RcConfig, RcNode, NODES_MAX, NONE, RANGES_MAX};
use crate::model::AnyModel;
use crate::scenario::error::ScenarioError;
use crate::scenario::field_path::FieldPath;
use crate::scenario::format::{Flag, Quantity};

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedisClusterSpec {
    /// Plane of the cluster bus and the replication links.
    pub plane: String,
    /// Plane client requests and replies travel on (default: `plane`).
    #[serde(default)]
    pub client_plane: Option<String>,
    /// The slot ranges, one per initial master, in slot order: 16,384 slots
    /// split evenly. A shard none of whose nodes runs (`enabled` off) is left
    /// out of the cluster.
    pub shards: Vec<ShardSpec>,
    /// `cluster-node-timeout`.
    pub node_timeout: Quantity,
    /// `cluster-replica-validity-factor` (0: a replica always tries to fail over).
    pub replica_validity_factor: Quantity,
    /// `repl-ping-replica-period`.
    pub repl_ping_replica_period: Quantity,
    /// `cluster-require-full-coverage`.
    pub require_full_coverage: Flag,
    /// `min-replicas-to-write` (0: off).
    pub min_replicas_to_write: Quantity,
    /// `min-replicas-max-lag`.
    pub min_replicas_max_lag: Quantity,
    /// Gauge: this node's cluster state (0 ok, 1 fail).
    #[serde(default)]
    pub state_gauge: Option<String>,
    /// Gauge: milliseconds this node has refused all queries so far (cluster state fail).
    #[serde(default)]
    pub down_ms_gauge: Option<String>,
    /// Gauge: slots this node sees served by nobody or by a FAIL master.
    #[serde(default)]
    pub uncovered_gauge: Option<String>,
    /// Gauge: when this node wins a failover, milliseconds since its last contact with the old master.
    #[serde(default)]
    pub failover_gauge: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShardSpec {
    /// Group of the range's master and replicas (split brain = two writable masters in it).
    pub group: String,
    /// The range's nodes: the first one that runs is its initial master, the
    /// others that run are its replicas (a node that can sit in two places
    /// exists twice, and a parameter enables one of them).
    pub nodes: Vec<String>,
}

/// The cluster as it runs: nodes (masters in shard order, then replicas),
/// each node's range and initial master, and each range's group name.
struct Layout {
    cluster: Vec<NodeId>,
    range_of: Vec<u8>,
    initial_master: Vec<u8>,
    groups: Vec<String>,
}

/// Shards none of whose nodes runs are left out.
fn layout(s: &RedisClusterSpec, cx: &mut BuildCx, p: &FieldPath) -> Result<Layout, ScenarioError> {
    if s.shards.is_empty() || s.shards.len() > RANGES_MAX {
        return Err(cx.err(p.field("shards"), format!("a cluster needs 1 to {RANGES_MAX} shards, not {}", s.shards.len())));
    }
    let mut masters = vec![];
    let mut replicas = vec![];
    for (i, shard) in s.shards.iter().enumerate() {
        let path = p.field("shards").index(i);
        let running: Vec<NodeId> = cx.nodes(&shard.nodes, &path.field("nodes"))?.into_iter().filter(|&n| !cx.is_dormant(n)).collect();
        let Some((&m, rs)) = running.split_first() else { continue };
        masters.push((m, shard.group.clone()));
        replicas.push(rs.to_vec());
    }
    if masters.is_empty() {
        return Err(cx.err(p.field("shards"), "no shard has a node that runs"));
    }
    let mut cluster = vec![];
    let (mut range_of, mut initial) = (vec![], vec![]);
    for (r, (m, _)) in masters.iter().enumerate() {
        cluster.push(*m);
        range_of.push(r as u8);
        initial.push(NONE);
    }
    for (r, rs) in replicas.iter().enumerate() {
        for &n in rs {
            cluster.push(n);
            range_of.push(r as u8);
            initial.push(r as u8);
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(&dup) = cluster.iter().find(|&&n| !seen.insert(n)) {
        let name = cx.nodes.iter().find(|(_, &id)| id == dup).map_or("?", |(n, _)| *n).to_string();
        return Err(cx.err(p.field("shards"), format!("node `{name}` is in more than one shard (or twice in one)")));
    }
    if cluster.len() > NODES_MAX {
        return Err(cx.err(p.field("shards"), format!("at most {NODES_MAX} nodes in a cluster, not {}", cluster.len())));
    }
    let groups = masters.into_iter().map(|(_, g)| g).collect();
    Ok(Layout { cluster, range_of, initial_master: initial, groups })
}

pub fn build(s: &RedisClusterSpec, cx: &mut BuildCx, me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let Layout { cluster, range_of, initial_master, groups: group_names } = layout(s, cx, p)?;
    let Some(my_index) = cluster.iter().position(|&n| n == me) else {
        return Err(cx.err(p.field("shards"), "this node is in no shard (as master or replica)"));
    };
    let plane = cx.plane(&s.plane, &p.field("plane"))?;
    let client_plane = match &s.client_plane {
        Some(c) => cx.plane(c, &p.field("client_plane"))?,
        None => plane,
    };
    let node_timeout_us = cx.positive_micros(&s.node_timeout, &p.field("node_timeout"))?;
    let validity = cx.values.count(&s.replica_validity_factor, &p.field("replica_validity_factor"))?;
    if validity > 1_000 {
        return Err(cx.err(p.field("replica_validity_factor"), format!("{validity} is outside 0..=1000")));
    }
    let min_replicas = cx.values.count(&s.min_replicas_to_write, &p.field("min_replicas_to_write"))?;
    if min_replicas >= NODES_MAX as u64 {
        return Err(cx.err(p.field("min_replicas_to_write"), format!("{min_replicas} is outside 0..={}", NODES_MAX - 1)));
    }
    let cfg = RcConfig {
        plane,
        client_plane,
        groups: group_names.iter().map(|g| cx.group(g)).collect(),
        node_timeout_us,
        validity_factor: validity as u32,
        repl_ping_period_us: cx.positive_micros(&s.repl_ping_replica_period, &p.field("repl_ping_replica_period"))?,
        full_coverage: cx.values.flag(&s.require_full_coverage, &p.field("require_full_coverage"))?,
        min_replicas_to_write: min_replicas as u32,
        min_replicas_max_lag_us: cx.values.micros(&s.min_replicas_max_lag, &p.field("min_replicas_max_lag"))?,
        state_gauge: s.state_gauge.as_ref().map(|g| cx.gauge(g, Unit::Code)),
        down_ms_gauge: s.down_ms_gauge.as_ref().map(|g| cx.gauge(g, Unit::Milliseconds)),
        uncovered_gauge: s.uncovered_gauge.as_ref().map(|g| cx.gauge(g, Unit::Count)),
        failover_gauge: s.failover_gauge.as_ref().map(|g| cx.gauge(g, Unit::Milliseconds)),
        cluster,
        range_of,
        initial_master,
    };
    // Per node: ten cron ticks a second; pings to every peer each half node
    // timeout plus one a second, each answered; gauges while the state is fail.
    let peers = cfg.cluster.len() as u64;
    let ticks = cx.end_us / 100_000 + 1;
    cx.expect_events(ticks.saturating_mul(2), &s.node_timeout, &p.field("node_timeout"));
    let pings = (cx.end_us / (node_timeout_us / 2).max(1) + 1).saturating_mul(peers).saturating_add(cx.end_us / 1_000_000 + 1);
    cx.expect_events(pings.saturating_mul(2), &s.node_timeout, &p.field("node_timeout"));
    Ok(Box::new(RcNode::new(me, my_index as u8, cfg)))
}
