//! Scenario spec of a PostgreSQL server with Patroni (`model/patroni/`), and
//! Patroni's own configuration rules.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::monitor::metrics::Unit;
use super::{field_or_parameter, BuildCx};
use crate::engine::time::US_PER_S;
use crate::ids::NodeId;
use crate::model::patroni::database::DbConfig;
use crate::model::patroni::{PatroniConfig, PatroniNode, WatchdogMode};
use crate::model::AnyModel;
use crate::scenario::error::ScenarioError;
use crate::scenario::field_path::FieldPath;
use crate::scenario::format::{Flag, Quantity};

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatroniSpec {
    /// The cluster (split brain = two primaries in it).
    pub group: String,
    /// Plane Patroni's DCS and REST traffic and replication control travel on.
    pub plane: String,
    /// Plane the WAL stream travels on (its own connection).
    pub wal_plane: String,
    /// Plane client queries travel on.
    pub client_plane: String,
    /// The lease store node holding the leader key (the DCS).
    pub store: String,
    /// Every member of the cluster (this node may be listed too).
    pub members: Vec<String>,
    /// This node initializes the cluster: it takes the key first and becomes the primary.
    #[serde(default)]
    pub bootstrap: bool,
    /// `ttl`: the leader key's lease. Patroni: at least 20 s.
    pub ttl: Quantity,
    /// `loop_wait`: the leader's sleep between HA cycles. At least 1 s.
    pub loop_wait: Quantity,
    /// `retry_timeout`: how long a DCS call is retried before Patroni gives up
    /// (a leader then demotes). At least 3 s; `loop_wait + 2 x retry_timeout <= ttl`.
    pub retry_timeout: Quantity,
    /// `maximum_lag_on_failover`: a replica further behind the leader's last
    /// recorded WAL position does not race for the key.
    pub maximum_lag_on_failover: Quantity,
    /// `synchronous_mode`: commits wait for a synchronous standby, and only it may take over.
    pub synchronous_mode: Flag,
    pub watchdog: WatchdogSpec,
    /// How long `pg_ctl promote` takes.
    pub promote_time: Quantity,
    /// WAL bytes one client write makes (lag is measured in bytes).
    pub wal_record_bytes: Quantity,
    /// How long the `patroni_stall` command stops this node's Patroni process.
    pub stall: Quantity,
    /// Draw whether Patroni believes it holds the leader key (1/0).
    #[serde(default)]
    pub leads_gauge: Option<String>,
    /// Draw the time left on the host's watchdog (ms), once a second while it is armed (no sample when not armed).
    #[serde(default)]
    pub watchdog_gauge: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchdogSpec {
    /// `watchdog.mode`: 0 off, 1 automatic (use it if the device is there), 2 required.
    pub mode: Quantity,
    /// The host has a watchdog device (`/dev/watchdog`, e.g. `softdog`).
    pub device: Flag,
    /// `watchdog.safety_margin`: the watchdog fires this long before the key
    /// would expire (timeout `ttl - safety_margin`).
    pub safety_margin: Quantity,
    /// `safety_margin: -1`: a timeout of `ttl // 2` instead.
    #[serde(default)]
    pub half_ttl: Flag,
    /// From the watchdog's reset to the host running again.
    pub boot_time: Quantity,
}

fn at_least(cx: &BuildCx, q: &Quantity, path: FieldPath, min_s: u64) -> Result<u64, ScenarioError> {
    let v = cx.values.micros(q, &path)?;
    if v < min_s * US_PER_S {
        return Err(cx.err(field_or_parameter(q, path), format!("Patroni's minimum is {min_s} s")));
    }
    Ok(v)
}

struct Timing {
    ttl_us: u64,
    loop_wait_us: u64,
    retry_timeout_us: u64,
}

/// `ttl`, `loop_wait`, `retry_timeout` and the rule that ties them.
fn timing(s: &PatroniSpec, cx: &BuildCx, p: &FieldPath) -> Result<Timing, ScenarioError> {
    let ttl_us = at_least(cx, &s.ttl, p.field("ttl"), 20)?;
    let loop_wait_us = at_least(cx, &s.loop_wait, p.field("loop_wait"), 1)?;
    let retry_timeout_us = at_least(cx, &s.retry_timeout, p.field("retry_timeout"), 3)?;
    let needed_us = loop_wait_us.saturating_add(retry_timeout_us.saturating_mul(2));
    if needed_us > ttl_us {
        let secs = |us: u64| us as f64 / US_PER_S as f64;
        return Err(cx.err(
            field_or_parameter(&s.ttl, p.field("ttl")),
            format!(
                "{} ({} s) + 2 x {} ({} s) = {} s is more than ttl ({} s): Patroni requires loop_wait + 2 x retry_timeout <= ttl",
                field_or_parameter(&s.loop_wait, p.field("loop_wait")),
                secs(loop_wait_us),
                field_or_parameter(&s.retry_timeout, p.field("retry_timeout")),
                secs(retry_timeout_us),
                secs(needed_us),
                secs(ttl_us)
            ),
        ));
    }
    Ok(Timing { ttl_us, loop_wait_us, retry_timeout_us })
}

/// The watchdog's mode, whether the device is there, and its timeout.
fn watchdog(w: &WatchdogSpec, ttl_us: u64, cx: &BuildCx, p: &FieldPath) -> Result<(WatchdogMode, bool, u64), ScenarioError> {
    let mode = match cx.values.count(&w.mode, &p.field("mode"))? {
        0 => WatchdogMode::Off,
        1 => WatchdogMode::Automatic,
        2 => WatchdogMode::Required,
        n => return Err(cx.err(field_or_parameter(&w.mode, p.field("mode")), format!("{n} is not a mode: 0 off, 1 automatic, 2 required"))),
    };
    let device = cx.values.flag(&w.device, &p.field("device"))?;
    let timeout_us = if cx.values.flag(&w.half_ttl, &p.field("half_ttl"))? {
        ttl_us / US_PER_S / 2 * US_PER_S
    } else {
        let margin_us = cx.values.micros(&w.safety_margin, &p.field("safety_margin"))?;
        if margin_us >= ttl_us {
            return Err(cx.err(field_or_parameter(&w.safety_margin, p.field("safety_margin")), "must be less than ttl (the watchdog's timeout is ttl - safety_margin)"));
        }
        ttl_us - margin_us
    };
    Ok((mode, device, timeout_us))
}

pub fn build(s: &PatroniSpec, cx: &mut BuildCx, me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let t = timing(s, cx, p)?;
    let (watchdog_mode, watchdog_device, watchdog_timeout_us) = watchdog(&s.watchdog, t.ttl_us, cx, &p.field("watchdog"))?;
    let wal_record_bytes = cx.values.bytes(&s.wal_record_bytes, &p.field("wal_record_bytes"))?;
    if !(1..=16_000_000).contains(&wal_record_bytes) {
        return Err(cx.err(p.field("wal_record_bytes"), format!("{wal_record_bytes} B is outside 1 B..=16 MB")));
    }
    let plane = cx.plane(&s.plane, &p.field("plane"))?;
    let db = DbConfig {
        group: cx.group(&s.group),
        plane,
        wal_plane: cx.plane(&s.wal_plane, &p.field("wal_plane"))?,
        client_plane: cx.plane(&s.client_plane, &p.field("client_plane"))?,
        wal_record_bytes: wal_record_bytes as u32,
        synchronous: cx.values.flag(&s.synchronous_mode, &p.field("synchronous_mode"))?,
    };
    let cfg = PatroniConfig {
        db,
        store: cx.node(&s.store, &p.field("store"))?,
        peers: cx.nodes(&s.members, &p.field("members"))?.into_iter().filter(|&n| n != me && !cx.is_dormant(n)).collect(),
        dcs_plane: plane,
        ttl_us: t.ttl_us,
        loop_wait_us: t.loop_wait_us,
        retry_timeout_us: t.retry_timeout_us,
        maximum_lag_on_failover_bytes: cx.values.bytes(&s.maximum_lag_on_failover, &p.field("maximum_lag_on_failover"))?,
        watchdog_mode,
        watchdog_device,
        watchdog_timeout_us,
        boot_us: cx.values.micros(&s.watchdog.boot_time, &p.field("watchdog").field("boot_time"))?,
        promote_us: cx.values.micros(&s.promote_time, &p.field("promote_time"))?,
        bootstrap: s.bootstrap,
        stall_us: cx.values.micros(&s.stall, &p.field("stall"))?,
        leads_gauge: s.leads_gauge.as_ref().map(|g| cx.gauge(g, Unit::Code)),
        watchdog_gauge: s.watchdog_gauge.as_ref().map(|g| cx.gauge(g, Unit::Milliseconds)),
    };
    // Per cycle: the timer, two or three DCS round trips, a watch; gauges once a second.
    let cycles = cx.end_us / cfg.loop_wait_us + 1;
    cx.expect_events(cycles.saturating_mul(10), &s.loop_wait, &p.field("loop_wait"));
    cx.expect_events((cx.end_us / US_PER_S + 1) * 3, &s.ttl, &p.field("ttl"));
    Ok(Box::new(PatroniNode::new(me, cfg)))
}
