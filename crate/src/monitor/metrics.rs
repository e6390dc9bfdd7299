//! The one table of outcome metrics: key, label, unit, which way is better,
//! what the single number per run means, and how to read it from an
//! `Outcome`. It drives `Outcome::metric`, the names accepted in scenario
//! checks, challenges and `sweep --metrics`, the CLI's text outcome, and (via
//! `wasm::metric_table`) the page's outcome table, its over-seeds table and the
//! workshop's metric list. Model gauges declare a `Unit` from the same list when
//! they are registered (`BuildCx::gauge`).

use serde::{Deserialize, Serialize};

use super::outcome::Outcome;

/// What a metric or a gauge is measured in (a metric's key ends in the same unit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Seconds of simulated time.
    Seconds,
    Milliseconds,
    Percent,
    /// Things counted (writes, changes, groups, requests, terms).
    #[default]
    Count,
    /// A quotient of two figures of the same unit.
    Ratio,
    /// Bytes of data (gauges: WAL kept, replication lag, memory used).
    Bytes,
    /// A code, not a quantity: a state, a choice or a node, whose meaning the
    /// model that reports it documents (gauges only).
    Code,
}

impl Unit {
    /// The unit as the CLI prints it after a value.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Seconds => "s",
            Unit::Milliseconds => "ms",
            Unit::Percent => "%",
            Unit::Count | Unit::Code => "",
            Unit::Ratio => "x",
            Unit::Bytes => "B",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    Lower,
    Higher,
    /// Neither: a count of what happened (writes acknowledged, requests answered).
    Neither,
}

/// What the one number a run reports means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reading {
    /// Summed over the run.
    Total,
    /// Averaged over the run.
    Mean,
    /// The largest value at any moment (the longest outage, the worst bucket).
    Peak,
    /// The smallest value at any moment.
    Min,
    /// The value when the run ended.
    Last,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct MetricDef {
    pub key: &'static str,
    pub label: &'static str,
    pub unit: Unit,
    pub better: Better,
    pub reading: Reading,
    /// A row of the page's and the CLI's outcome table (the others are
    /// available to checks, challenges and sweeps).
    pub headline: bool,
    /// Says something only when clients sent requests.
    pub needs_requests: bool,
    /// A row of the over-seeds table (`run --seeds`, the page's "Over 10 seeds").
    pub spread_row: bool,
    /// Whether it happened at all is the point (split brain, lost writes): over
    /// seeds it is read as "in k of n seeds".
    pub presence: bool,
    #[serde(skip)]
    pub read: fn(&Outcome) -> f64,
}

macro_rules! metric_table {
    ( $( $key:ident : $label:literal, $unit:ident, $better:ident, $reading:ident, [$($flag:ident),*], |$o:ident| $read:expr ; )* ) => {
        /// Every outcome metric, in the order outputs list them.
        pub const METRIC_TABLE: &[MetricDef] = &[ $( MetricDef {
            key: stringify!($key),
            label: $label,
            unit: Unit::$unit,
            better: Better::$better,
            reading: Reading::$reading,
            headline: metric_table!(@has headline $($flag)*),
            needs_requests: metric_table!(@has requests $($flag)*),
            spread_row: metric_table!(@has spread $($flag)*),
            presence: metric_table!(@has presence $($flag)*),
            read: |$o: &Outcome| $read,
        }, )* ];

        /// Metric names accepted in `outcomes[].metric`, `sweep` and challenges.
        pub const METRICS: &[&str] = &[ $( stringify!($key) ),* ];
    };
    (@has $want:ident) => { false };
    (@has headline headline $($rest:ident)*) => { true };
    (@has requests requests $($rest:ident)*) => { true };
    (@has spread spread $($rest:ident)*) => { true };
    (@has presence presence $($rest:ident)*) => { true };
    (@has $want:ident $other:ident $($rest:ident)*) => { metric_table!(@has $want $($rest)*) };
}

// Flags: `headline` (a row of the outcome table), `requests` (only with client
// requests), `spread` (a row of the over-seeds table), `presence` (over seeds,
// read as "in k of n seeds").
metric_table! {
    split_brain_s: "Split-brain time", Seconds, Lower, Total, [headline, spread, presence], |o| o.split_brain_s;
    groups_split: "Groups split", Count, Lower, Total, [spread], |o| f64::from(o.groups_split);
    all_down_s: "All members down", Seconds, Lower, Total, [headline, spread, presence], |o| o.all_down_s;
    groups_all_down: "Groups all down", Count, Lower, Total, [spread, presence], |o| f64::from(o.groups_all_down);
    unavailable_s: "Unavailable (group-time)", Seconds, Lower, Total, [headline, spread], |o| o.unavailable_s;
    degraded_s: "Degraded time", Seconds, Lower, Total, [headline, spread], |o| o.degraded_s;
    impact_s: "Impact (first to last trouble)", Seconds, Lower, Total, [headline, spread], |o| o.impact_s;
    leader_changes: "Leader changes", Count, Lower, Total, [headline, spread], |o| f64::from(o.leader_changes);
    acked_writes: "Acknowledged writes", Count, Neither, Total, [], |o| o.acked_writes as f64;
    lost_writes: "Acknowledged writes lost", Count, Lower, Total, [headline, spread, presence], |o| o.lost_writes as f64;
    divergent_writes: "Divergent writes", Count, Lower, Total, [headline, spread, presence], |o| o.divergent_writes as f64;
    requests_ok: "Requests answered", Count, Neither, Total, [requests], |o| o.requests_ok as f64;
    requests_failed: "Requests failed", Count, Lower, Total, [requests, presence], |o| o.requests_failed as f64;
    success_rate_pct: "Request success", Percent, Higher, Mean, [headline, requests, spread], |o| o.success_rate_pct;
    latency_mean_ms: "Mean latency", Milliseconds, Lower, Mean, [headline, requests], |o| o.latency_mean_ms;
    success_rate_min_pct: "Lowest request success (per bucket)", Percent, Higher, Min, [headline, requests, spread], |o| o.success_rate_min_pct;
    request_impact_s: "Clients impaired (requests)", Seconds, Lower, Total, [headline, requests, spread], |o| o.request_impact_s;
    latency_peak_ratio: "Worst latency / best", Ratio, Lower, Peak, [requests], |o| o.latency_peak_ratio;
    rpo_s: "RPO (data lost window)", Seconds, Lower, Peak, [headline, spread, presence], |o| o.rpo_s;
    rto_s: "RTO (longest outage)", Seconds, Lower, Peak, [headline, spread], |o| o.rto_s;
}

/// The table row of `key`, if it is one of the outcome's own metrics.
pub fn metric_def(key: &str) -> Option<&'static MetricDef> {
    METRIC_TABLE.iter().find(|m| m.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_ends_in_its_unit_and_is_listed_once() {
        for (i, m) in METRIC_TABLE.iter().enumerate() {
            let suffix = match m.unit {
                Unit::Seconds => Some("_s"),
                Unit::Milliseconds => Some("_ms"),
                Unit::Percent => Some("_pct"),
                Unit::Bytes => Some("_bytes"),
                Unit::Count | Unit::Ratio | Unit::Code => None,
            };
            if let Some(s) = suffix {
                assert!(m.key.ends_with(s), "{} should end in {s}", m.key);
            }
            assert!(METRIC_TABLE[..i].iter().all(|n| n.key != m.key), "{} twice", m.key);
            assert_eq!(METRICS[i], m.key);
        }
        assert!(metric_def("rto_s").is_some_and(|m| m.reading == Reading::Peak && m.headline));
        assert!(metric_def("requests_ok").is_some_and(|m| m.needs_requests && !m.headline));
        assert!(metric_def("lost_writes").is_some_and(|m| m.spread_row && m.presence));
        assert!(metric_def("latency_mean_ms").is_some_and(|m| !m.spread_row && !m.presence));
    }
}
