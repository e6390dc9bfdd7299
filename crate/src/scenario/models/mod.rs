//! One file per model: its scenario spec (serde) and how it is built into a
//! runnable `Model`, with units converted and the events it will need counted.

pub mod aistore;
pub mod backup_catalog;
pub mod client;
pub mod db_cluster;
pub mod elasticsearch;
pub mod fencing;
pub mod fileserver;
pub mod ha_member;
pub mod kafka;
pub mod lease_store;
pub mod mongodb;
pub mod patroni;
pub mod postgres;
pub mod raft;
pub mod redis_cluster;

use std::collections::BTreeMap;

use super::error::ScenarioError;
use super::field_path::FieldPath;
use super::format::{ModelSpec, Quantity};
use super::params::Values;
use crate::engine::time::format_duration;
use crate::ids::{DeviceId, GroupId, NodeId, PlaneId};
use crate::model::AnyModel;
use crate::monitor::metrics::Unit;

/// What a model's builder can look up and report while it is resolved.
pub struct BuildCx<'a> {
    pub file: &'a str,
    pub values: &'a Values<'a>,
    pub end_us: u64,
    pub nodes: BTreeMap<&'a str, NodeId>,
    pub planes: BTreeMap<&'a str, PlaneId>,
    pub devices: BTreeMap<&'a str, DeviceId>,
    pub groups: BTreeMap<String, GroupId>,
    /// Gauge names by id (time series a model reports, e.g. replication lag).
    pub gauges: Vec<String>,
    /// The unit each gauge was registered with, by id.
    pub gauge_units: Vec<Unit>,
    /// Nodes left out of this run (`enabled` off): they run nothing.
    pub dormant: Vec<bool>,
    budget: Budget,
}

impl<'a> BuildCx<'a> {
    pub fn new(file: &'a str, values: &'a Values<'a>, end_us: u64, events_max: u64) -> BuildCx<'a> {
        BuildCx {
            file,
            values,
            end_us,
            nodes: BTreeMap::new(),
            planes: BTreeMap::new(),
            devices: BTreeMap::new(),
            groups: BTreeMap::new(),
            gauges: vec![],
            gauge_units: vec![],
            dormant: vec![],
            budget: Budget { events_max, total: 0, biggest: (0, String::new()) },
        }
    }

    pub fn err(&self, path: impl Into<String>, reason: impl Into<String>) -> ScenarioError {
        ScenarioError::new(self.file, path, reason)
    }

    pub fn node(&self, name: &str, path: &str) -> Result<NodeId, ScenarioError> {
        self.nodes.get(name).copied().ok_or_else(|| self.err(path, format!("no node named `{name}`")))
    }

    /// A list of distinct nodes (peers, targets, members): a name listed twice is
    /// refused, since it would count one node's vote or traffic twice.
    pub fn nodes(&self, names: &[String], path: &str) -> Result<Vec<NodeId>, ScenarioError> {
        crate::scenario::cost::unique(self.file, path, names)?;
        let path = FieldPath::at(path);
        names.iter().enumerate().map(|(i, n)| self.node(n, &path.index(i))).collect()
    }

    pub fn plane(&self, name: &str, path: &str) -> Result<PlaneId, ScenarioError> {
        self.planes.get(name).copied().ok_or_else(|| {
            let known: Vec<&str> = self.planes.keys().copied().collect();
            self.err(path, format!("no plane named `{name}` (planes: {})", known.join(", ")))
        })
    }

    /// A list of plane names; empty means every plane.
    pub fn plane_set(&self, names: &[String], path: &str) -> Result<crate::net::cut::Planes, ScenarioError> {
        if names.is_empty() {
            return Ok(crate::net::cut::Planes::All);
        }
        crate::scenario::cost::unique(self.file, path, names)?;
        let path = FieldPath::at(path);
        let ids = names.iter().enumerate().map(|(i, n)| self.plane(n, &path.index(i))).collect::<Result<_, _>>()?;
        Ok(crate::net::cut::Planes::Only(ids))
    }

    pub fn is_dormant(&self, n: NodeId) -> bool {
        self.dormant.get(n.index()).copied().unwrap_or(false)
    }

    pub fn device(&self, name: &str, path: &str) -> Result<DeviceId, ScenarioError> {
        self.devices.get(name).copied().ok_or_else(|| self.err(path, format!("no device named `{name}`")))
    }

    /// The id of a replication group, created on first mention.
    pub fn group(&mut self, name: &str) -> GroupId {
        let next = GroupId(self.groups.len() as u16);
        *self.groups.entry(name.to_string()).or_insert(next)
    }

    /// The id of a gauge, created on first mention with the unit its values
    /// are in (the first registration's unit stays: nodes of one model that
    /// share a gauge declare the same one).
    pub fn gauge(&mut self, name: &str, unit: Unit) -> u16 {
        if let Some(i) = self.gauges.iter().position(|g| g == name) {
            return i as u16;
        }
        self.gauges.push(name.to_string());
        self.gauge_units.push(unit);
        (self.gauges.len() - 1) as u16
    }

    /// A duration that must be above zero.
    pub fn positive_micros(&self, q: &Quantity, path: &str) -> Result<u64, ScenarioError> {
        match self.values.micros(q, path)? {
            0 => Err(self.err(path, "must be above zero")),
            v => Ok(v),
        }
    }

    /// Count `events` the run will need because of the field at `path` (holding `q`).
    pub fn expect_events(&mut self, events: u64, q: &Quantity, path: &str) {
        self.budget.add(events, q, path);
    }

    pub fn projected_events(&self) -> u64 {
        self.budget.total
    }

    /// Refuse a setup whose projected event count is over the budget, naming the
    /// field (or parameter) that contributes most.
    pub fn check_budget(&self) -> Result<(), ScenarioError> {
        let b = &self.budget;
        if b.total > b.events_max {
            return Err(self.err(
                b.biggest.1.clone(),
                format!(
                    "this value would need about {:.2e} events over {}, more than limits.events_max ({})",
                    b.total as f64,
                    format_duration(self.end_us),
                    b.events_max
                ),
            ));
        }
        Ok(())
    }
}

/// Running estimate of the events a run will need, remembering which field
/// contributes most so the error can name it.
struct Budget {
    events_max: u64,
    total: u64,
    biggest: (u64, String),
}

impl Budget {
    fn add(&mut self, events: u64, q: &Quantity, path: &str) {
        self.total = self.total.saturating_add(events);
        if events > self.biggest.0 {
            self.biggest = (events, field_or_parameter(q, path));
        }
    }
}

/// The parameter a field refers to (`parameters.NAME` for `"$NAME"`), else the
/// field itself: what a viewer changed, so what an error should name.
pub fn field_or_parameter(q: &Quantity, path: impl Into<String>) -> String {
    match q {
        Quantity::Text(t) if t.starts_with('$') => format!("parameters.{}", &t[1..]),
        _ => path.into(),
    }
}

/// Build the model a node runs (the dispatch comes from the registry).
pub fn build(spec: &ModelSpec, cx: &mut BuildCx, me: NodeId, path: &FieldPath) -> Result<AnyModel, ScenarioError> {
    if cx.dormant.get(me.index()).copied().unwrap_or(false) {
        return Ok(Box::new(crate::model::dormant::Dormant));
    }
    spec.build(cx, me, path)
}
