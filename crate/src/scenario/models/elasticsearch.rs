//! Scenario spec of an Elasticsearch node (`model/elasticsearch/`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::BuildCx;
use crate::monitor::metrics::Unit;
use crate::ids::NodeId;
use crate::model::elasticsearch::state::{bit, NODES_MAX, SHARDS_MAX};
use crate::model::elasticsearch::{EsConfig, EsNode, FaultDetection};
use crate::model::AnyModel;
use crate::scenario::error::ScenarioError;
use crate::scenario::field_path::FieldPath;
use crate::scenario::format::{Flag, Quantity};

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EsSpec {
    /// Group of the master-eligible nodes (split brain = two masters in it).
    pub group: String,
    /// Plane the nodes talk to each other on.
    pub plane: String,
    /// Plane client requests and replies travel on (default: `plane`).
    #[serde(default)]
    pub client_plane: Option<String>,
    /// The master-eligible nodes (`discovery.seed_hosts` / `cluster.initial_master_nodes`).
    /// Nodes left out of the run (`enabled` off) are left out of the cluster.
    pub master_nodes: Vec<String>,
    /// The nodes holding shard copies (a node may be in both lists).
    pub data_nodes: Vec<String>,
    /// Allocation awareness (`cluster.routing.allocation.awareness.attributes: rack`):
    /// data nodes by rack; a shard's replica goes to another rack than its primary.
    #[serde(default)]
    pub racks: Vec<Vec<String>>,
    /// On: voting configurations (≥ 7.0); off: Zen discovery with `minimum_master_nodes`.
    pub voting_configuration: Flag,
    /// `discovery.zen.minimum_master_nodes` (Zen only; ignored from 7.0).
    pub minimum_master_nodes: Quantity,
    /// Zen fault detection (`discovery.zen.fd.ping_interval`, `_timeout`, `_retries`).
    pub zen_fault_detection: FaultDetectionSpec,
    /// 7.x fault detection (`cluster.fault_detection.follower_check.*` and `leader_check.*`).
    pub follower_check: FaultDetectionSpec,
    /// Length of a discovery round (`discovery.zen.ping_timeout`).
    pub ping_timeout: Quantity,
    /// How long a node waits for the master it joined (and a winner for joins).
    pub join_timeout: Quantity,
    /// A publication not committed by a quorum within this makes the master step down.
    pub publish_timeout: Quantity,
    /// 7.x elections: `cluster.election.initial_timeout`, `back_off_time`, `max_timeout`.
    pub election_initial_timeout: Quantity,
    pub election_back_off: Quantity,
    pub election_max_timeout: Quantity,
    /// Primary shards of the index (1 to 4), one replica each.
    pub shards: Quantity,
    /// Draw this node's view of `_cluster/health` (0 green, 1 yellow, 2 red, 3 no master).
    #[serde(default)]
    pub health_gauge: Option<String>,
    /// Draw each cluster-state version this node commits as master.
    #[serde(default)]
    pub commit_gauge: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultDetectionSpec {
    pub interval: Quantity,
    pub timeout: Quantity,
    pub retries: Quantity,
}

fn fault_detection(s: &FaultDetectionSpec, cx: &BuildCx, p: &FieldPath) -> Result<FaultDetection, ScenarioError> {
    let retries = cx.values.count(&s.retries, &p.field("retries"))?;
    if !(1..=100).contains(&retries) {
        return Err(cx.err(p.field("retries"), format!("{retries} is outside 1..=100")));
    }
    Ok(FaultDetection {
        interval_us: cx.positive_micros(&s.interval, &p.field("interval"))?,
        timeout_us: cx.positive_micros(&s.timeout, &p.field("timeout"))?,
        retries: retries as u32,
    })
}

fn has_bit(mask: u16, i: usize) -> bool {
    i < 16 && mask & (1 << i) != 0
}

pub fn build(s: &EsSpec, cx: &mut BuildCx, me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let masters = cx.nodes(&s.master_nodes, &p.field("master_nodes"))?;
    let data = cx.nodes(&s.data_nodes, &p.field("data_nodes"))?;
    // The cluster: master-eligible nodes, then data-only nodes, without the ones left out.
    let mut cluster: Vec<NodeId> = masters.iter().copied().filter(|&n| !cx.is_dormant(n)).collect();
    cluster.extend(data.iter().copied().filter(|&n| !cx.is_dormant(n) && !masters.contains(&n)));
    if cluster.len() > NODES_MAX {
        return Err(cx.err(p.field("data_nodes"), format!("at most {NODES_MAX} nodes in a cluster, not {}", cluster.len())));
    }
    let Some(my_index) = cluster.iter().position(|&n| n == me) else {
        return Err(cx.err(p.field("master_nodes"), "this node is in neither master_nodes nor data_nodes"));
    };
    let mask = |list: &[NodeId]| cluster.iter().enumerate().filter(|(_, n)| list.contains(n)).fold(0u16, |m, (i, _)| m | bit(i as u8));
    let (eligible, data_mask) = (mask(&masters), mask(&data));
    if eligible == 0 {
        return Err(cx.err(p.field("master_nodes"), "a cluster needs a master-eligible node"));
    }
    let mut rack = vec![0u8; cluster.len()];
    for (r, names) in s.racks.iter().enumerate().take(250) {
        let path = p.field("racks").index(r);
        for (j, n) in cx.nodes(names, &path)?.into_iter().enumerate() {
            match cluster.iter().position(|&c| c == n) {
                Some(i) if has_bit(data_mask, i) => rack[i] = r as u8 + 1,
                Some(_) | None if cx.is_dormant(n) => {}
                _ => return Err(cx.err(path.index(j), "not one of data_nodes")),
            }
        }
    }
    let minimum_master_nodes = cx.values.count(&s.minimum_master_nodes, &p.field("minimum_master_nodes"))?;
    if minimum_master_nodes < 1 || minimum_master_nodes > s.master_nodes.len() as u64 {
        return Err(cx.err(
            p.field("minimum_master_nodes"),
            format!("{minimum_master_nodes} is outside 1..={} (the master-eligible nodes listed)", s.master_nodes.len()),
        ));
    }
    let shards = cx.values.count(&s.shards, &p.field("shards"))?;
    if !(1..=SHARDS_MAX as u64).contains(&shards) {
        return Err(cx.err(p.field("shards"), format!("{shards} is outside 1..={SHARDS_MAX}")));
    }
    let voting_mode = cx.values.flag(&s.voting_configuration, &p.field("voting_configuration"))?;
    let zen = fault_detection(&s.zen_fault_detection, cx, &p.field("zen_fault_detection"))?;
    let v7 = fault_detection(&s.follower_check, cx, &p.field("follower_check"))?;
    let fd = if voting_mode { v7 } else { zen };
    let plane = cx.plane(&s.plane, &p.field("plane"))?;
    let client_plane = match &s.client_plane {
        Some(c) => cx.plane(c, &p.field("client_plane"))?,
        None => plane,
    };
    let election_initial_us = cx.values.micros(&s.election_initial_timeout, &p.field("election_initial_timeout"))?;
    let election_backoff_us = cx.values.micros(&s.election_back_off, &p.field("election_back_off"))?;
    let election_max_us = cx.positive_micros(&s.election_max_timeout, &p.field("election_max_timeout"))?;
    let cfg = EsConfig {
        group: cx.group(&s.group),
        plane,
        client_plane,
        eligible,
        data: data_mask,
        rack,
        voting_mode,
        minimum_master_nodes: minimum_master_nodes as u32,
        discovery_round_us: cx.positive_micros(&s.ping_timeout, &p.field("ping_timeout"))?,
        join_timeout_us: cx.positive_micros(&s.join_timeout, &p.field("join_timeout"))?,
        publish_timeout_us: cx.positive_micros(&s.publish_timeout, &p.field("publish_timeout"))?,
        election_initial_us,
        election_backoff_us,
        election_max_us,
        shards: shards as usize,
        health_gauge: s.health_gauge.as_ref().map(|g| cx.gauge(g, Unit::Code)),
        commit_gauge: s.commit_gauge.as_ref().map(|g| cx.gauge(g, Unit::Count)),
        fault_detection: fd,
        cluster,
    };
    // Per fault-detection round: the timer, a ping and a reply to each other
    // node (a master pings members and non-members alike).
    let peers = cfg.cluster.len() as u64;
    let rounds = cx.end_us / cfg.fault_detection.interval_us + 1;
    let fd_field = if voting_mode { &s.follower_check.interval } else { &s.zen_fault_detection.interval };
    cx.expect_events(rounds.saturating_mul(1 + 2 * peers / 2), fd_field, &p.field("zen_fault_detection").field("interval"));
    // Discovery rounds while masterless: pings and replies to everyone.
    let discovery = (cx.end_us / cfg.discovery_round_us + 1).saturating_mul(1 + 2 * peers);
    cx.expect_events(discovery, &s.ping_timeout, &p.field("ping_timeout"));
    Ok(Box::new(EsNode::new(me, my_index as u8, cfg)))
}
