//! Scenario spec of a lease store (`model/lease_store/`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::BuildCx;
use crate::monitor::metrics::Unit;
use crate::ids::NodeId;
use crate::model::lease_store::msg::KEYS_MAX;
use crate::model::lease_store::{LeaseStore, LeaseStoreConfig};
use crate::model::AnyModel;
use crate::scenario::error::ScenarioError;
use crate::scenario::field_path::FieldPath;
use crate::scenario::format::Quantity;

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaseStoreSpec {
    /// Plane its clients reach it on.
    pub plane: String,
    /// Between expiry checks (etcd's lessor: 500 ms): a lease lasts its TTL plus up to this.
    pub tick: Quantity,
    /// Draw the lease time left on `gauge_key` (ms; 0 when the key is absent).
    #[serde(default)]
    pub remaining_gauge: Option<String>,
    /// Draw who holds `gauge_key` (the owner's node index; -1 when absent).
    #[serde(default)]
    pub holder_gauge: Option<String>,
    /// The key the gauges show (0 to 15; Patroni's leader key is 0).
    #[serde(default)]
    pub gauge_key: u8,
}

pub fn build(s: &LeaseStoreSpec, cx: &mut BuildCx, _me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let tick_us = cx.positive_micros(&s.tick, &p.field("tick"))?;
    if tick_us < 1_000 {
        return Err(cx.err(p.field("tick"), "must be at least 1 ms"));
    }
    if usize::from(s.gauge_key) >= KEYS_MAX {
        return Err(cx.err(p.field("gauge_key"), format!("{} is outside 0..={}", s.gauge_key, KEYS_MAX - 1)));
    }
    let key = s.gauge_key;
    let remaining_gauge = s.remaining_gauge.as_ref().map(|g| (key, cx.gauge(g, Unit::Milliseconds)));
    let holder_gauge = s.holder_gauge.as_ref().map(|g| (key, cx.gauge(g, Unit::Code)));
    // A tick (and its gauges) per tick length.
    cx.expect_events((cx.end_us / tick_us + 1).saturating_mul(3), &s.tick, &p.field("tick"));
    Ok(Box::new(LeaseStore::new(LeaseStoreConfig {
        plane: cx.plane(&s.plane, &p.field("plane"))?,
        tick_us,
        remaining_gauge,
        owner_gauge: holder_gauge,
    })))
}
