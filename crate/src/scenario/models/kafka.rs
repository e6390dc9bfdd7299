//! Scenario spec of a Kafka cluster node (`model/kafka/`): the ZooKeeper
//! server or a broker.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::BuildCx;
use crate::monitor::metrics::Unit;
use crate::ids::NodeId;
use crate::model::kafka::{Broker, BrokerConfig, KafkaNode, PartitionState, ZkConfig, ZkView, ZooKeeper, BROKERS_MAX};
use crate::model::AnyModel;
use crate::scenario::error::ScenarioError;
use crate::scenario::field_path::FieldPath;
use crate::scenario::format::{Flag, Quantity};

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KafkaSpec {
    /// The ZooKeeper ensemble, modelled as one server.
    Zookeeper(ZkSpec),
    /// A Kafka broker holding a replica of the partition.
    Broker(BrokerSpec),
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZkSpec {
    pub plane: String,
    /// The brokers, in broker-id order (all have live sessions when the replay starts).
    pub brokers: Vec<String>,
    /// The session timeout the brokers negotiated (`zookeeper.session.timeout.ms`).
    pub session_timeout: Quantity,
    /// The running cluster when the replay starts: who is controller, in which epoch.
    pub controller: String,
    pub controller_epoch: Quantity,
    /// The partition's leader, leader epoch and in-sync replicas.
    pub leader: String,
    pub leader_epoch: Quantity,
    pub isr: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BrokerSpec {
    /// Group of the partition's replicas (two leaders at once = split brain in it).
    pub group: String,
    pub plane: String,
    /// Plane producer requests and replies travel on (default: `plane`).
    #[serde(default)]
    pub client_plane: Option<String>,
    /// Every broker of the cluster, in broker-id order (this one among them).
    pub brokers: Vec<String>,
    pub zookeeper: String,
    /// The partition's replicas, preferred leader first.
    pub replicas: Vec<String>,
    /// `zookeeper.session.timeout.ms` (the broker pings every third of it).
    pub session_timeout: Quantity,
    /// When the broker first contacts ZooKeeper.
    #[serde(default)]
    pub start_after: Option<Quantity>,
    /// `replica.fetch.wait.max.ms`: an unanswered fetch is sent again after this.
    pub fetch_retry: Quantity,
    /// Refuse decisions with an older controller epoch or leader epoch than seen.
    pub epoch_check: Flag,
    /// Controller writes to ZooKeeper are conditional on `/controller_epoch`'s version (KAFKA-6082).
    pub conditional_writes: Flag,
    /// Producers use `acks=all` (else `acks=1`).
    pub acks_all: Flag,
    /// `min.insync.replicas` (checked for `acks=all` writes).
    pub min_insync_replicas: Quantity,
    /// `unclean.leader.election.enable`.
    pub unclean_leader_election: Flag,
    /// Draw the controller epoch this broker believes it holds (0: not controller).
    #[serde(default)]
    pub controller_gauge: Option<String>,
}

fn brokers(names: &[String], cx: &BuildCx, p: &FieldPath) -> Result<Vec<NodeId>, ScenarioError> {
    let list = cx.nodes(names, p)?;
    if list.is_empty() || list.len() > BROKERS_MAX {
        return Err(cx.err(p, format!("a cluster has 1 to {BROKERS_MAX} brokers, not {}", list.len())));
    }
    Ok(list)
}

/// Indices into `brokers` of the named nodes; each must be one of them.
fn indices(names: &[String], all: &[NodeId], cx: &BuildCx, p: &FieldPath) -> Result<Vec<u8>, ScenarioError> {
    let nodes = cx.nodes(names, p)?;
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| all.iter().position(|b| b == n).map(|b| b as u8).ok_or_else(|| cx.err(p.index(i), format!("`{}` is not one of the brokers", names[i]))))
        .collect()
}

fn one(name: &str, all: &[NodeId], cx: &BuildCx, p: &FieldPath) -> Result<u8, ScenarioError> {
    let n = cx.node(name, p)?;
    all.iter().position(|&b| b == n).map(|b| b as u8).ok_or_else(|| cx.err(p, format!("`{name}` is not one of the brokers")))
}

fn epoch(q: &Quantity, cx: &BuildCx, p: &FieldPath) -> Result<u32, ScenarioError> {
    let v = cx.values.count(q, p)?;
    if !(1..=1_000_000).contains(&v) {
        return Err(cx.err(p, format!("{v} is outside 1..=1000000")));
    }
    Ok(v as u32)
}

pub fn build(s: &KafkaSpec, cx: &mut BuildCx, _me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    match s {
        KafkaSpec::Zookeeper(z) => build_zookeeper(z, cx, &p.field("zookeeper")),
        KafkaSpec::Broker(b) => build_broker(b, cx, _me, &p.field("broker")),
    }
}

fn build_zookeeper(s: &ZkSpec, cx: &mut BuildCx, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let all = brokers(&s.brokers, cx, &p.field("brokers"))?;
    let isr = indices(&s.isr, &all, cx, &p.field("isr"))?;
    let leader = one(&s.leader, &all, cx, &p.field("leader"))?;
    if !isr.contains(&leader) {
        return Err(cx.err(p.field("isr"), format!("the leader `{}` must be in the ISR", s.leader)));
    }
    let session_timeout_us = cx.positive_micros(&s.session_timeout, &p.field("session_timeout"))?;
    let initial = ZkView {
        controller_epoch: epoch(&s.controller_epoch, cx, &p.field("controller_epoch"))?,
        epoch_version: 1,
        controller: one(&s.controller, &all, cx, &p.field("controller"))?,
        alive: ((1u16 << all.len()) - 1) as u8,
        partition: PartitionState {
            leader,
            leader_epoch: epoch(&s.leader_epoch, cx, &p.field("leader_epoch"))?,
            isr: isr.iter().fold(0, |m, &i| m | (1 << i)),
        },
    };
    let cfg = ZkConfig { plane: cx.plane(&s.plane, &p.field("plane"))?, brokers: all, session_timeout_us, initial };
    Ok(Box::new(KafkaNode::ZooKeeper(ZooKeeper::new(cfg))))
}

fn build_broker(s: &BrokerSpec, cx: &mut BuildCx, me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let all = brokers(&s.brokers, cx, &p.field("brokers"))?;
    let Some(my_index) = all.iter().position(|&b| b == me) else {
        return Err(cx.err(p.field("brokers"), "this node is not one of the brokers"));
    };
    let replicas = indices(&s.replicas, &all, cx, &p.field("replicas"))?;
    if replicas.is_empty() {
        return Err(cx.err(p.field("replicas"), "a partition needs at least one replica"));
    }
    let min_isr = cx.values.count(&s.min_insync_replicas, &p.field("min_insync_replicas"))?;
    if min_isr < 1 || min_isr > replicas.len() as u64 {
        return Err(cx.err(
            p.field("min_insync_replicas"),
            format!("{min_isr} is outside 1..={} (the replicas listed)", replicas.len()),
        ));
    }
    let session_timeout_us = cx.positive_micros(&s.session_timeout, &p.field("session_timeout"))?;
    if session_timeout_us < 3 {
        return Err(cx.err(p.field("session_timeout"), "must be at least 3us (the broker pings every third of it)"));
    }
    let fetch_retry_us = cx.positive_micros(&s.fetch_retry, &p.field("fetch_retry"))?;
    let start_after_us = match &s.start_after {
        Some(q) => cx.values.micros(q, &p.field("start_after"))?,
        None => 0,
    };
    let plane = cx.plane(&s.plane, &p.field("plane"))?;
    let client_plane = match &s.client_plane {
        Some(c) => cx.plane(c, &p.field("client_plane"))?,
        None => plane,
    };
    let cfg = BrokerConfig {
        me: my_index as u8,
        zookeeper: cx.node(&s.zookeeper, &p.field("zookeeper"))?,
        plane,
        client_plane,
        group: cx.group(&s.group),
        replicas,
        session_timeout_us,
        start_after_us,
        fetch_retry_us,
        epoch_check: cx.values.flag(&s.epoch_check, &p.field("epoch_check"))?,
        conditional_writes: cx.values.flag(&s.conditional_writes, &p.field("conditional_writes"))?,
        acks_all: cx.values.flag(&s.acks_all, &p.field("acks_all"))?,
        min_insync_replicas: min_isr as u32,
        unclean_leader_election: cx.values.flag(&s.unclean_leader_election, &p.field("unclean_leader_election"))?,
        controller_gauge: s.controller_gauge.as_ref().map(|g| cx.gauge(g, Unit::Count)),
        brokers: all,
    };
    // Session pings (three per timeout, each a ping, a reply and a timer),
    // plus fetches: a follower re-fetches at least every fetch_retry.
    let pings = (cx.end_us / (session_timeout_us / 3).max(1) + 1).saturating_mul(5);
    cx.expect_events(pings, &s.session_timeout, &p.field("session_timeout"));
    let fetches = (cx.end_us / fetch_retry_us + 1).saturating_mul(4);
    cx.expect_events(fetches, &s.fetch_retry, &p.field("fetch_retry"));
    Ok(Box::new(KafkaNode::Broker(Box::new(Broker::new(cfg)))))
}
