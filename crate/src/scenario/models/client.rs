//! Scenario spec of a client workload (`model/workload.rs`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::BuildCx;
use crate::engine::time::US_PER_S;
use crate::ids::NodeId;
use crate::model::workload::{Client, ClientConfig};
use crate::model::AnyModel;
use crate::scenario::error::ScenarioError;
use crate::scenario::field_path::FieldPath;
use crate::scenario::format::{Flag, Quantity};

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    pub targets: Vec<String>,
    pub plane: String,
    /// Requests per second.
    pub rate: Quantity,
    /// Share of requests that are writes (`"30%"`).
    pub writes: Quantity,
    pub timeout: Quantity,
    /// Attempts after the first.
    pub retries: Quantity,
    /// Exponential backoff with full jitter; without it, retries go out at once.
    #[serde(default)]
    pub backoff: Option<BackoffSpec>,
    #[serde(default = "default_outstanding")]
    pub outstanding_max: u32,
}

fn default_outstanding() -> u32 {
    1_000
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackoffSpec {
    pub enabled: Flag,
    pub base: Quantity,
    pub cap: Quantity,
}

pub fn build(c: &ClientSpec, cx: &mut BuildCx, me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let targets = cx.nodes(&c.targets, &p.field("targets"))?;
    if targets.is_empty() {
        return Err(cx.err(p.field("targets"), "a client needs at least one target"));
    }
    let rate_per_s = cx.values.base(&c.rate, crate::scenario::units::Kind::Count, &p.field("rate"))?;
    // Whole microseconds between requests; a rate of 0 sends nothing.
    let interval_us = if rate_per_s > 0.0 { (US_PER_S as f64 / rate_per_s).round().max(1.0) as u64 } else { 0 };
    let retries_max = cx.values.count(&c.retries, &p.field("retries"))?.min(1_000) as u32;
    let backoff_us = match &c.backoff {
        Some(b) if cx.values.flag(&b.enabled, &p.field("backoff").field("enabled"))? => Some((
            cx.positive_micros(&b.base, &p.field("backoff").field("base"))?,
            cx.values.micros(&b.cap, &p.field("backoff").field("cap"))?,
        )),
        _ => None,
    };
    let timeout_us = cx.positive_micros(&c.timeout, &p.field("timeout"))?;
    // Each request: issue timer, request, reply, a sweep; times the attempts.
    let per_request = 4 * (1 + u64::from(retries_max));
    let requests = cx.end_us.checked_div(interval_us).map_or(0, |n| n + 1);
    cx.expect_events(per_request.saturating_mul(requests), &c.rate, &p.field("rate"));
    Ok(Box::new(Client::new(
        me,
        ClientConfig {
            targets,
            plane: cx.plane(&c.plane, &p.field("plane"))?,
            interval_us,
            write_ppm: cx.values.ppm(&c.writes, &p.field("writes"))?,
            timeout_us,
            retries_max,
            backoff_us,
            outstanding_max: c.outstanding_max.max(1),
        },
    )))
}
