//! A run's outcome: every monitor's figure in one structured object, plus the
//! comparison with the historical outcomes the scenario records.

use serde::{Deserialize, Serialize};

use super::gauges::{self, GaugeSummary};
use super::{groups, impact, writes};
use crate::scenario::format::{Challenge, CheckKind, ExpectedOutcome};
use crate::trace::digest::digest;
use crate::trace::event::Trace;

const US: f64 = 1e6;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct GroupOutcome {
    pub name: String,
    pub split_brain_s: f64,
    pub unavailable_s: f64,
    pub all_down_s: f64,
    pub divergent_writes: u64,
    pub leader_changes: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Check {
    pub metric: String,
    pub kind: CheckKind,
    pub expected: f64,
    pub tolerance: f64,
    /// `None` when the metric name is unknown.
    pub measured: Option<f64>,
    pub within: bool,
    pub source: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Outcome {
    pub digest: String,
    pub seed: u64,
    pub events: u64,
    pub end_s: f64,
    /// Time any group had more than one live node accepting writes.
    pub split_brain_s: f64,
    pub groups_split: u32,
    /// Time any group had every member powered off or crashed.
    pub all_down_s: f64,
    pub groups_all_down: u32,
    /// Group-seconds with no live active member.
    pub unavailable_s: f64,
    /// Time any group was split or unavailable.
    pub degraded_s: f64,
    /// From the first to the last moment of trouble: a group split or
    /// unavailable, or a request bucket with failed requests (the span an
    /// incident report gives as "impact from ... to ...").
    pub impact_s: f64,
    pub leader_changes: u32,
    pub acked_writes: u64,
    pub lost_writes: u64,
    pub divergent_writes: u64,
    pub requests_ok: u64,
    pub requests_failed: u64,
    pub success_rate_pct: f64,
    pub latency_mean_ms: f64,
    /// Worst bucket's request success rate.
    pub success_rate_min_pct: f64,
    /// What clients felt: from the first to the last bucket with success below 99%
    /// or mean latency above twice the best bucket's.
    pub request_impact_s: f64,
    /// Worst bucket's mean latency over the best bucket's.
    pub latency_peak_ratio: f64,
    /// Window of acknowledged data lost.
    pub rpo_s: f64,
    /// Longest time a group had no live active member.
    pub rto_s: f64,
    pub groups: Vec<GroupOutcome>,
    /// Model-defined gauges; as metrics, `NAME` is the last value, `NAME_max` the
    /// largest, `NAME_total` the sum of each node's last value.
    pub gauges: Vec<GaugeSummary>,
    pub checks: Vec<Check>,
    /// The scenario's workshop challenges, met or not by this run.
    pub challenges: Vec<ChallengeResult>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct GoalResult {
    pub metric: String,
    pub at_most: Option<f64>,
    pub at_least: Option<f64>,
    pub measured: Option<f64>,
    pub met: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ChallengeResult {
    pub title: String,
    pub met: bool,
    pub goals: Vec<GoalResult>,
}

impl Outcome {
    /// A metric by name: one of `METRIC_TABLE`'s, or a gauge's (`NAME` its last
    /// value, `NAME_max` its largest).
    pub fn metric(&self, name: &str) -> Option<f64> {
        match super::metrics::metric_def(name) {
            Some(m) => Some((m.read)(self)),
            None => self.gauge_metric(name),
        }
    }

    /// The unit of a metric by name: the table's, or the one its gauge was
    /// registered with (`NAME`, `NAME_max`, `NAME_min`, `NAME_total`).
    pub fn metric_unit(&self, name: &str) -> Option<super::metrics::Unit> {
        if let Some(m) = super::metrics::metric_def(name) {
            return Some(m.unit);
        }
        let base = ["_max", "_min", "_total"].iter().find_map(|s| name.strip_suffix(s)).unwrap_or(name);
        let exact = self.gauges.iter().find(|g| g.name == name);
        exact.or_else(|| self.gauges.iter().find(|g| g.name == base)).map(|g| g.unit)
    }

    fn gauge_metric(&self, name: &str) -> Option<f64> {
        if let Some(g) = self.gauges.iter().find(|g| g.name == name) {
            return Some(g.last as f64);
        }
        if let Some(base) = name.strip_suffix("_total") {
            return self.gauges.iter().find(|g| g.name == base).map(|g| g.total as f64);
        }
        let base = name.strip_suffix("_max")?;
        self.gauges.iter().find(|g| g.name == base).map(|g| g.max as f64)
    }
}

/// The union span of degraded groups and buckets with failed requests.
fn impact_span(g: &groups::GroupsReport, trace: &Trace) -> Option<(u64, u64)> {
    let width = trace.bucket_us.max(1);
    let first = trace.buckets.iter().position(|b| b.failed > 0).map(|i| i as u64 * width);
    let last = trace.buckets.iter().rposition(|b| b.failed > 0).map(|i| ((i as u64 + 1) * width).min(trace.end_us));
    let requests = first.zip(last);
    match (g.degraded_span_us, requests) {
        (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
        (x, None) | (None, x) => x,
    }
}

pub fn compute(
    trace: &Trace,
    node_count: usize,
    group_names: &[String],
    gauge_names: &[String],
    gauge_units: &[super::metrics::Unit],
    expected: &[ExpectedOutcome],
    challenges: &[Challenge],
    seed: u64,
) -> Outcome {
    let g = groups::measure(&trace.events, node_count, group_names.len(), trace.end_us);
    let w = writes::measure(&trace.events, &g.node_group, group_names.len());
    // "Any group split" time: the union is bounded by the sum; report the per-group max
    // and the union through `degraded_s`.
    let split_any = g.groups.iter().map(|s| s.split_brain_us).max().unwrap_or(0);
    let all_down_any = g.groups.iter().map(|s| s.all_down_us).max().unwrap_or(0);
    let (ok, failed, latency_sum) = trace.buckets.iter().fold((0u64, 0u64, 0u64), |(o, f, l), b| {
        (o + u64::from(b.ok), f + u64::from(b.failed), l + b.latency_sum_us)
    });
    let total = ok + failed;
    let impact_us = impact_span(&g, trace).map_or(0, |(a, b)| b - a);
    let hurt = impact::measure(&trace.buckets, trace.bucket_us);
    let mut outcome = Outcome {
        digest: digest(trace),
        seed,
        events: trace.event_count,
        end_s: trace.end_us as f64 / US,
        split_brain_s: split_any as f64 / US,
        groups_split: g.groups.iter().filter(|s| s.split_brain_us > 0).count() as u32,
        all_down_s: all_down_any as f64 / US,
        groups_all_down: g.groups.iter().filter(|s| s.all_down_us > 0).count() as u32,
        unavailable_s: g.groups.iter().map(|s| s.unavailable_us).sum::<u64>() as f64 / US,
        degraded_s: g.degraded_us as f64 / US,
        impact_s: impact_us as f64 / US,
        leader_changes: g.groups.iter().map(|s| s.leader_changes).sum(),
        acked_writes: w.acked,
        lost_writes: w.lost,
        divergent_writes: w.divergent_by_group.iter().sum(),
        requests_ok: ok,
        requests_failed: failed,
        success_rate_pct: if total == 0 { 100.0 } else { 100.0 * ok as f64 / total as f64 },
        latency_mean_ms: if ok == 0 { 0.0 } else { latency_sum as f64 / ok as f64 / 1e3 },
        success_rate_min_pct: hurt.success_rate_min_pct,
        request_impact_s: hurt.impact_s,
        latency_peak_ratio: hurt.latency_peak_ratio,
        rpo_s: w.lost_window_us.map_or(0.0, |(a, b)| (b - a) as f64 / US),
        rto_s: g.groups.iter().map(|s| s.longest_outage_us).max().unwrap_or(0) as f64 / US,
        groups: g
            .groups
            .iter()
            .zip(group_names)
            .enumerate()
            .map(|(i, (s, name))| GroupOutcome {
                name: name.clone(),
                split_brain_s: s.split_brain_us as f64 / US,
                unavailable_s: s.unavailable_us as f64 / US,
                all_down_s: s.all_down_us as f64 / US,
                divergent_writes: w.divergent_by_group[i],
                leader_changes: s.leader_changes,
            })
            .collect(),
        gauges: gauges::measure(&trace.events, gauge_names, gauge_units),
        checks: vec![],
        challenges: vec![],
    };
    outcome.checks = expected
        .iter()
        .map(|e| {
            let measured = outcome.metric(&e.metric);
            Check {
                metric: e.metric.clone(),
                kind: e.kind,
                expected: e.value,
                tolerance: e.tolerance,
                measured,
                within: measured.is_some_and(|m| (m - e.value).abs() <= e.tolerance),
                source: e.source.clone(),
            }
        })
        .collect();
    outcome.challenges = challenges
        .iter()
        .map(|c| {
            let goals: Vec<GoalResult> = c
                .goals
                .iter()
                .map(|g| {
                    let measured = outcome.metric(&g.metric);
                    let met = measured.is_some_and(|m| g.at_most.is_none_or(|hi| m <= hi) && g.at_least.is_none_or(|lo| m >= lo));
                    GoalResult { metric: g.metric.clone(), at_most: g.at_most, at_least: g.at_least, measured, met }
                })
                .collect();
            ChallengeResult { title: c.title.clone(), met: goals.iter().all(|g| g.met), goals }
        })
        .collect();
    outcome
}
