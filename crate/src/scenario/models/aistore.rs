//! Scenario spec of an AIStore node (`model/aistore/`): a proxy or a target.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::BuildCx;
use crate::monitor::metrics::Unit;
use crate::ids::NodeId;
use crate::model::aistore::smap::{bit, NODES_MAX};
use crate::model::aistore::tcp_mem::TcpMemConfig;
use crate::model::aistore::{AisConfig, AisNode, Gauges, Keepalive, ProbeConfig};
use crate::model::AnyModel;
use crate::scenario::error::ScenarioError;
use crate::scenario::field_path::FieldPath;
use crate::scenario::format::{Flag, Quantity};

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AisSpec {
    /// Group of the proxies (two primaries = split brain in it).
    pub group: String,
    pub plane: String,
    /// The deployment's proxies and targets (nodes left out of the run are left out).
    pub proxies: Vec<String>,
    pub targets: Vec<String>,
    /// The primary at deployment (one of `proxies`).
    pub initial_primary: String,
    /// `keepalivetracker`: interval, factor, retry factor.
    pub keepalive: KeepaliveSpec,
    /// How long a keepalive, ping, vote or discovery request waits for its answer.
    pub request_timeout: Quantity,
    /// The host's `net.ipv4.tcp_mem` budget and how fast socket buffers drain.
    pub tcp_mem: TcpMemSpec,
    /// The kubelet's liveness probe.
    pub liveness_probe: ProbeSpec,
    /// A proxy serves writes only while its map holds more than half of all proxies.
    pub quorum_required_to_serve: Flag,
    /// v3.26 reunification: accept a forced map from another island.
    pub accept_forced_merge: Flag,
    /// After a forced merge, move misplaced objects to their HRW owners (`ais start rebalance`).
    pub rebalance_after_merge: Flag,
    /// Size of one object (its body's bytes in the hosts' TCP memory).
    pub object_size: Quantity,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeepaliveSpec {
    pub interval: Quantity,
    pub factor: Quantity,
    pub retry_factor: Quantity,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TcpMemSpec {
    /// Use at which the kernel starts refusing allocations (`tcp_mem` "pressure").
    pub pressure: Quantity,
    /// Use at which control messages fail with `max_drop` ("high").
    pub high: Quantity,
    /// Time constant of socket buffers draining.
    pub drain_time: Quantity,
    /// Share of control messages lost at and above `high`.
    pub max_drop: Quantity,
    /// On: the host runs with `sized_right_pressure` / `sized_right_high`
    /// instead (the misconfiguration removed).
    pub sized_right: Flag,
    pub sized_right_pressure: Quantity,
    pub sized_right_high: Quantity,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeSpec {
    /// `periodSeconds`.
    pub period: Quantity,
    /// `failureThreshold`.
    pub failure_threshold: Quantity,
    /// From the kill to the container running again.
    pub restart_delay: Quantity,
}

fn whole(cx: &BuildCx, q: &Quantity, path: &FieldPath, range: std::ops::RangeInclusive<u64>) -> Result<u32, ScenarioError> {
    let v = cx.values.count(q, path)?;
    if !range.contains(&v) {
        return Err(cx.err(path, format!("{v} is outside {}..={}", range.start(), range.end())));
    }
    Ok(v as u32)
}

fn tcp_mem(s: &TcpMemSpec, cx: &BuildCx, p: &FieldPath) -> Result<TcpMemConfig, ScenarioError> {
    let right = cx.values.flag(&s.sized_right, &p.field("sized_right"))?;
    let (pressure, high, pressure_path, high_path) = if right {
        (&s.sized_right_pressure, &s.sized_right_high, p.field("sized_right_pressure"), p.field("sized_right_high"))
    } else {
        (&s.pressure, &s.high, p.field("pressure"), p.field("high"))
    };
    let pressure_bytes = cx.values.bytes(pressure, &pressure_path)?;
    let high_bytes = cx.values.bytes(high, &high_path)?;
    if high_bytes <= pressure_bytes {
        return Err(cx.err(high_path, format!("{high_bytes} bytes is not above the pressure threshold ({pressure_bytes} bytes)")));
    }
    Ok(TcpMemConfig {
        pressure_bytes,
        high_bytes,
        drain_us: cx.positive_micros(&s.drain_time, &p.field("drain_time"))?,
        max_drop_ppm: cx.values.ppm(&s.max_drop, &p.field("max_drop"))?,
    })
}

fn gauges(cx: &mut BuildCx) -> Gauges {
    Gauges {
        smap_version: Some(cx.gauge("smap_version", Unit::Count)),
        probe_kills: Some(cx.gauge("probe_kills", Unit::Count)),
        split_writes_kept: Some(cx.gauge("split_writes_kept", Unit::Count)),
        split_writes_discarded: Some(cx.gauge("split_writes_discarded", Unit::Count)),
        misplaced: Some(cx.gauge("misplaced_objects", Unit::Count)),
        rehomed: Some(cx.gauge("rehomed_objects", Unit::Count)),
        tcp_mem_used: Some(cx.gauge("tcp_mem_used_bytes", Unit::Bytes)),
    }
}

pub fn build(s: &AisSpec, cx: &mut BuildCx, me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let proxies = cx.nodes(&s.proxies, &p.field("proxies"))?;
    let targets = cx.nodes(&s.targets, &p.field("targets"))?;
    if let Some(j) = targets.iter().position(|t| proxies.contains(t)) {
        return Err(cx.err(p.field("targets").index(j), "a node is a proxy or a target, not both"));
    }
    let mut cluster: Vec<NodeId> = proxies.iter().copied().filter(|&n| !cx.is_dormant(n)).collect();
    let proxy_count = cluster.len();
    cluster.extend(targets.iter().copied().filter(|&n| !cx.is_dormant(n)));
    if cluster.len() > NODES_MAX {
        return Err(cx.err(p.field("targets"), format!("at most {NODES_MAX} proxies and targets together, not {}", cluster.len())));
    }
    if proxy_count == 0 {
        return Err(cx.err(p.field("proxies"), "a cluster needs a proxy that runs"));
    }
    let index = |n: NodeId| cluster.iter().position(|&c| c == n).map(|i| i as u8);
    let Some(my_index) = index(me) else {
        return Err(cx.err(p.field("proxies"), "this node is in neither proxies nor targets"));
    };
    let primary = cx.node(&s.initial_primary, &p.field("initial_primary"))?;
    let initial_primary = match index(primary) {
        Some(i) if usize::from(i) < proxy_count => i,
        _ => return Err(cx.err(p.field("initial_primary"), format!("`{}` is not one of the running proxies", s.initial_primary))),
    };
    let proxy_mask = (0..proxy_count as u8).fold(0u32, |m, i| m | bit(i));
    let target_mask = (proxy_count as u8..cluster.len() as u8).fold(0u32, |m, i| m | bit(i));
    let kp = p.field("keepalive");
    let keepalive = Keepalive {
        interval_us: cx.positive_micros(&s.keepalive.interval, &kp.field("interval"))?,
        factor: whole(cx, &s.keepalive.factor, &kp.field("factor"), 1..=100)?,
        retry_factor: whole(cx, &s.keepalive.retry_factor, &kp.field("retry_factor"), 1..=100)?,
    };
    let pp = p.field("liveness_probe");
    let probe = ProbeConfig {
        period_us: cx.positive_micros(&s.liveness_probe.period, &pp.field("period"))?,
        failure_threshold: whole(cx, &s.liveness_probe.failure_threshold, &pp.field("failure_threshold"), 1..=1_000)?,
        restart_us: cx.positive_micros(&s.liveness_probe.restart_delay, &pp.field("restart_delay"))?,
    };
    let object_bytes = cx.values.bytes(&s.object_size, &p.field("object_size"))?;
    if object_bytes == 0 || object_bytes > u64::from(u32::MAX) {
        return Err(cx.err(p.field("object_size"), format!("{object_bytes} bytes is outside 1 byte..=4 GiB")));
    }
    let cfg = AisConfig {
        group: cx.group(&s.group),
        plane: cx.plane(&s.plane, &p.field("plane"))?,
        proxies: proxy_mask,
        targets: target_mask,
        initial_primary,
        keepalive,
        request_timeout_us: cx.positive_micros(&s.request_timeout, &p.field("request_timeout"))?,
        tcp_mem: tcp_mem(&s.tcp_mem, cx, &p.field("tcp_mem"))?,
        probe,
        quorum_required_to_serve: cx.values.flag(&s.quorum_required_to_serve, &p.field("quorum_required_to_serve"))?,
        accept_forced_merge: cx.values.flag(&s.accept_forced_merge, &p.field("accept_forced_merge"))?,
        rebalance_after_merge: cx.values.flag(&s.rebalance_after_merge, &p.field("rebalance_after_merge"))?,
        object_bytes: object_bytes as u32,
        gauges: gauges(cx),
        cluster,
    };
    // Events: per keepalive interval a keepalive, its answer and a timer (more
    // while retrying); the primary's round; probes; elections and discovery
    // are bursts over the cluster. Counted per node.
    let nodes = cfg.cluster.len() as u64;
    let ka_rounds = cx.end_us / keepalive.interval_us + 1;
    // (the primary's share: every member's keepalive and answer, a round timer).
    let per_round = 3 + u64::from(keepalive.retry_factor) + nodes;
    cx.expect_events(ka_rounds.saturating_mul(per_round), &s.keepalive.interval, &kp.field("interval"));
    let probes = cx.end_us / probe.period_us + 1;
    cx.expect_events(probes.saturating_mul(2), &s.liveness_probe.period, &pp.field("period"));
    let name = cx.nodes.iter().find(|(_, &id)| id == me).map(|(n, _)| n.to_string()).unwrap_or_default();
    Ok(Box::new(AisNode::new(my_index, cfg, &name)))
}
