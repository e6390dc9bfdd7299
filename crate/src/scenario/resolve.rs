//! Turns a parsed scenario plus parameter values into an engine `Setup`: names
//! become ids, quantities become integers, and the projected event count is
//! checked against the budget before anything runs.

use std::collections::BTreeMap;

use super::error::ScenarioError;
use super::format::{ActionSpec, CommandSpec, LinkSpec, ModelSpec, Quantity, Scenario};
use super::params::Values;
use super::units::{parse_literal, Kind};
use crate::engine::action::{Action, TimedAction};
use crate::engine::run::Setup;
use crate::engine::time::{format_duration, US_PER_S};
use crate::ids::{DeviceId, GroupId, NodeId, PlaneId};
use crate::model::ha_member::{HaConfig, HaMember};
use crate::model::msg::Command;
use crate::model::workload::{Client, ClientConfig};
use crate::model::Model;
use crate::net::cut::Planes;
use crate::net::{Device, DeviceFault, Link, Network};

struct Names<'a> {
    file: &'a str,
    nodes: BTreeMap<&'a str, NodeId>,
    planes: BTreeMap<&'a str, PlaneId>,
    devices: BTreeMap<&'a str, DeviceId>,
    groups: BTreeMap<String, GroupId>,
}

impl<'a> Names<'a> {
    fn node(&self, name: &str, path: &str) -> Result<NodeId, ScenarioError> {
        self.nodes.get(name).copied().ok_or_else(|| ScenarioError::new(self.file, path, format!("no node named `{name}`")))
    }
    fn plane(&self, name: &str, path: &str) -> Result<PlaneId, ScenarioError> {
        self.planes.get(name).copied().ok_or_else(|| {
            let known: Vec<&str> = self.planes.keys().copied().collect();
            ScenarioError::new(self.file, path, format!("no plane named `{name}` (planes: {})", known.join(", ")))
        })
    }
    fn planes(&self, names: &[String], path: &str) -> Result<Planes, ScenarioError> {
        if names.is_empty() {
            return Ok(Planes::All);
        }
        let mut ids = vec![];
        for (i, n) in names.iter().enumerate() {
            ids.push(self.plane(n, &format!("{path}[{i}]"))?);
        }
        Ok(Planes::Only(ids))
    }
    fn device(&self, name: &str, path: &str) -> Result<DeviceId, ScenarioError> {
        self.devices.get(name).copied().ok_or_else(|| ScenarioError::new(self.file, path, format!("no device named `{name}`")))
    }
    fn group(&mut self, name: &str) -> GroupId {
        let next = GroupId(self.groups.len() as u16);
        *self.groups.entry(name.to_string()).or_insert(next)
    }
}

/// Extra facts a face needs besides the engine setup.
pub struct Resolved {
    pub setup: Setup,
    /// Group names by id.
    pub groups: Vec<String>,
    /// Events the run is projected to need (an upper-bound estimate).
    pub projected_events: u64,
}

pub fn resolve(file: &str, s: &Scenario, values: &Values, seed: u64) -> Result<Resolved, ScenarioError> {
    let mut names = Names {
        file,
        nodes: s.nodes.iter().enumerate().map(|(i, n)| (n.name.as_str(), NodeId(i as u32))).collect(),
        planes: s.planes.iter().enumerate().map(|(i, p)| (p.as_str(), PlaneId(i as u8))).collect(),
        devices: s.devices.iter().enumerate().map(|(i, d)| (d.name.as_str(), DeviceId(i as u16))).collect(),
        groups: BTreeMap::new(),
    };
    let end_us = parse_literal(&s.meta.duration, Kind::Duration)
        .map_err(|r| ScenarioError::new(file, "meta.duration", r))?
        .round() as u64;
    if end_us == 0 || end_us > 30 * 24 * 3600 * US_PER_S {
        return Err(ScenarioError::new(file, "meta.duration", "must be above zero and at most 30 days"));
    }
    let bucket_us = parse_literal(&s.limits.bucket, Kind::Duration)
        .map_err(|r| ScenarioError::new(file, "limits.bucket", r))?
        .round() as u64;
    if bucket_us == 0 || end_us / bucket_us > 100_000 {
        return Err(ScenarioError::new(file, "limits.bucket", "must be above zero and split the run into at most 100000 buckets"));
    }

    let mut budget = Budget { file, end_us, events_max: s.limits.events_max, total: 0, biggest: (0, String::new()) };
    let mut models = Vec::with_capacity(s.nodes.len());
    for (i, n) in s.nodes.iter().enumerate() {
        let me = NodeId(i as u32);
        let path = format!("nodes[{i}].model");
        let model = match &n.model {
            ModelSpec::HaMember(m) => {
                let p = format!("{path}.ha_member");
                let mut peers = vec![];
                for (j, peer) in m.peers.iter().enumerate() {
                    let id = names.node(peer, &format!("{p}.peers[{j}]"))?;
                    if id == me {
                        return Err(ScenarioError::new(file, format!("{p}.peers[{j}]"), "a node cannot be its own peer"));
                    }
                    peers.push(id);
                }
                let heartbeat_interval_us = positive(values.micros(&m.heartbeat_interval, &format!("{p}.heartbeat_interval"))?, file, &format!("{p}.heartbeat_interval"))?;
                let cfg = HaConfig {
                    group: names.group(&m.group),
                    initially_active: m.initially_active,
                    heartbeat_interval_us,
                    dead_time_us: values.micros(&m.dead_time, &format!("{p}.dead_time"))?,
                    heartbeat_plane: names.plane(&m.heartbeat_plane, &format!("{p}.heartbeat_plane"))?,
                    data_plane: names.plane(&m.data_plane, &format!("{p}.data_plane"))?,
                    quorum: values.flag(&m.quorum, &format!("{p}.quorum"))?,
                    peers,
                };
                // Two timers and a heartbeat to each peer (sent + delivered) per interval.
                let per_interval = 2 + 2 * cfg.peers.len() as u64;
                budget.add(per_interval.saturating_mul(end_us / heartbeat_interval_us + 1), &m.heartbeat_interval, &format!("{p}.heartbeat_interval"));
                Model::HaMember(HaMember::new(me, cfg))
            }
            ModelSpec::Client(c) => {
                let p = format!("{path}.client");
                let mut targets = vec![];
                for (j, t) in c.targets.iter().enumerate() {
                    targets.push(names.node(t, &format!("{p}.targets[{j}]"))?);
                }
                if targets.is_empty() {
                    return Err(ScenarioError::new(file, format!("{p}.targets"), "a client needs at least one target"));
                }
                let rate_per_s = values.count(&c.rate, &format!("{p}.rate"))?;
                let retries_max = values.count(&c.retries, &format!("{p}.retries"))?.min(1_000) as u32;
                let backoff_us = match &c.backoff {
                    Some(b) if values.flag(&b.enabled, &format!("{p}.backoff.enabled"))? => Some((
                        positive(values.micros(&b.base, &format!("{p}.backoff.base"))?, file, &format!("{p}.backoff.base"))?,
                        values.micros(&b.cap, &format!("{p}.backoff.cap"))?,
                    )),
                    _ => None,
                };
                let timeout_us = positive(values.micros(&c.timeout, &format!("{p}.timeout"))?, file, &format!("{p}.timeout"))?;
                // Each request: issue timer, request, reply, a sweep; times the attempts.
                let per_request = 4 * (1 + u64::from(retries_max));
                let requests = rate_per_s.saturating_mul(end_us / US_PER_S + 1);
                budget.add(per_request.saturating_mul(requests), &c.rate, &format!("{p}.rate"));
                Model::Client(Client::new(
                    me,
                    ClientConfig {
                        targets,
                        plane: names.plane(&c.plane, &format!("{p}.plane"))?,
                        rate_per_s,
                        write_ppm: values.ppm(&c.writes, &format!("{p}.writes"))?,
                        timeout_us,
                        retries_max,
                        backoff_us,
                        outstanding_max: c.outstanding_max.max(1),
                    },
                ))
            }
        };
        models.push(model);
    }
    budget.check()?;

    let mut links = vec![];
    for (i, l) in s.links.iter().enumerate() {
        resolve_links(&names, values, l, &format!("links[{i}]"), &mut links)?;
    }
    let devices = s.devices.iter().map(|d| Device { name: d.name.clone(), fault: None }).collect();
    let network = Network::new(s.planes.clone(), devices, links, s.nodes.len() as u32);

    let mut actions = vec![];
    let mut last_at = 0;
    for (i, step) in s.timeline.iter().enumerate() {
        let path = format!("timeline[{i}]");
        let at_us = values.micros(&step.at, &format!("{path}.at"))?;
        if at_us < last_at {
            return Err(ScenarioError::new(file, format!("{path}.at"), format!("{} is before the previous step ({})", format_duration(at_us), format_duration(last_at))));
        }
        if at_us > end_us {
            return Err(ScenarioError::new(file, format!("{path}.at"), format!("{} is after meta.duration ({})", format_duration(at_us), format_duration(end_us))));
        }
        last_at = at_us;
        let action = resolve_action(&names, values, &step.action, &format!("{path}.action"))?;
        actions.push(TimedAction { at_us, action, step_index: i as u32 });
    }

    let mut groups = vec![String::new(); names.groups.len()];
    for (name, id) in &names.groups {
        groups[id.index()] = name.clone();
    }
    Ok(Resolved {
        projected_events: budget.total,
        groups,
        setup: Setup {
            node_names: s.nodes.iter().map(|n| n.name.clone()).collect(),
            models,
            network,
            actions,
            end_us,
            events_max: s.limits.events_max,
            bucket_us,
            messages_recorded_max: s.limits.messages_recorded_max,
            seed,
        },
    })
}

fn positive(v: u64, file: &str, path: &str) -> Result<u64, ScenarioError> {
    if v == 0 {
        return Err(ScenarioError::new(file, path, "must be above zero"));
    }
    Ok(v)
}

/// Running estimate of the events a run will need, remembering which field
/// contributes most so the error can name it.
struct Budget<'a> {
    file: &'a str,
    end_us: u64,
    events_max: u64,
    total: u64,
    biggest: (u64, String),
}

impl Budget<'_> {
    fn add(&mut self, events: u64, q: &Quantity, path: &str) {
        self.total = self.total.saturating_add(events);
        if events > self.biggest.0 {
            // Name the parameter when the field refers to one: that is what the viewer changed.
            let named = match q {
                Quantity::Text(t) if t.starts_with('$') => format!("parameters.{}", &t[1..]),
                _ => path.to_string(),
            };
            self.biggest = (events, named);
        }
    }

    fn check(&self) -> Result<(), ScenarioError> {
        if self.total > self.events_max {
            return Err(ScenarioError::new(
                self.file,
                self.biggest.1.clone(),
                format!(
                    "this value would need about {:.2e} events over {}, more than limits.events_max ({})",
                    self.total as f64,
                    format_duration(self.end_us),
                    self.events_max
                ),
            ));
        }
        Ok(())
    }
}

fn resolve_links(names: &Names, values: &Values, l: &LinkSpec, path: &str, out: &mut Vec<Link>) -> Result<(), ScenarioError> {
    let file = names.file;
    let mut ends = vec![];
    for (i, n) in l.nodes.iter().enumerate() {
        ends.push(names.node(n, &format!("{path}.nodes[{i}]"))?);
    }
    if ends.len() < 2 || (l.one_way && ends.len() != 2) {
        return Err(ScenarioError::new(file, format!("{path}.nodes"), "needs two or more nodes (exactly two with one_way)"));
    }
    let mut via = vec![];
    for (i, d) in l.via.iter().enumerate() {
        via.push(names.device(d, &format!("{path}.via[{i}]"))?);
    }
    let latency_us = values.micros(&l.latency, &format!("{path}.latency"))?;
    let jitter_us = match &l.jitter {
        Some(q) => values.micros(q, &format!("{path}.jitter"))?,
        None => 0,
    };
    let loss_ppm = match &l.loss {
        Some(q) => values.ppm(q, &format!("{path}.loss"))?,
        None => 0,
    };
    let bandwidth_bytes_per_s = match &l.bandwidth {
        Some(q) => positive(values.bytes_per_s(q, &format!("{path}.bandwidth"))?, file, &format!("{path}.bandwidth"))?,
        None => 0,
    };
    if l.planes.is_empty() {
        return Err(ScenarioError::new(file, format!("{path}.planes"), "name at least one plane"));
    }
    for (pi, plane) in l.planes.iter().enumerate() {
        let plane = names.plane(plane, &format!("{path}.planes[{pi}]"))?;
        for (ai, &a) in ends.iter().enumerate() {
            for (bi, &b) in ends.iter().enumerate() {
                if a == b || (l.one_way && (ai, bi) != (0, 1)) {
                    continue;
                }
                out.push(Link { from: a, to: b, plane, latency_us, jitter_us, loss_ppm, bandwidth_bytes_per_s, via: via.clone(), cut: false, busy_until_us: 0, last_arrival_us: 0 });
            }
        }
    }
    Ok(())
}

fn resolve_action(names: &Names, values: &Values, a: &ActionSpec, path: &str) -> Result<Action, ScenarioError> {
    let node = |n: &str, field: &str| names.node(n, &format!("{path}.{field}"));
    Ok(match a {
        ActionSpec::Note => Action::Note,
        ActionSpec::End => Action::End,
        ActionSpec::Crash { node: n } => Action::Crash(node(n, "crash.node")?),
        ActionSpec::Restart { node: n } => Action::Restart(node(n, "restart.node")?),
        ActionSpec::PowerOff { node: n } => Action::PowerOff(node(n, "power_off.node")?),
        ActionSpec::PowerOn { node: n } => Action::PowerOn(node(n, "power_on.node")?),
        ActionSpec::Pause { node: n, duration } => Action::Pause {
            node: node(n, "pause.node")?,
            duration_us: values.micros(duration, &format!("{path}.pause.duration"))?,
        },
        ActionSpec::ClockSkew { node: n, ppm } => {
            if !(-500_000..=500_000).contains(ppm) {
                return Err(ScenarioError::new(names.file, format!("{path}.clock_skew.ppm"), "must be within ±500000"));
            }
            Action::ClockSkew { node: node(n, "clock_skew.node")?, ppm: *ppm }
        }
        ActionSpec::Cut { from, to, planes, both_ways } | ActionSpec::Heal { from, to, planes, both_ways } => {
            let word = if matches!(a, ActionSpec::Cut { .. }) { "cut" } else { "heal" };
            Action::Cut {
                from: node(from, &format!("{word}.from"))?,
                to: node(to, &format!("{word}.to"))?,
                planes: names.planes(planes, &format!("{path}.{word}.planes"))?,
                both_ways: *both_ways,
                cut: word == "cut",
            }
        }
        ActionSpec::Partition { groups, planes } => {
            let mut ids = vec![];
            for (gi, g) in groups.iter().enumerate() {
                let mut group = vec![];
                for (ni, n) in g.iter().enumerate() {
                    group.push(node(n, &format!("partition.groups[{gi}][{ni}]"))?);
                }
                ids.push(group);
            }
            Action::Partition { groups: ids, planes: names.planes(planes, &format!("{path}.partition.planes"))? }
        }
        ActionSpec::HealAll => Action::HealAll,
        ActionSpec::DeviceFault { device, drop, planes, pairs, both_ways, carrier_up } => {
            let p = format!("{path}.device_fault");
            let plane_mask = match names.planes(planes, &format!("{p}.planes"))? {
                Planes::All => u64::MAX,
                Planes::Only(ids) => ids.iter().fold(0, |m, id| m | (1u64 << id.0)),
            };
            let mut directed = vec![];
            for (i, [a, b]) in pairs.iter().enumerate() {
                let a = names.node(a, &format!("{p}.pairs[{i}][0]"))?;
                let b = names.node(b, &format!("{p}.pairs[{i}][1]"))?;
                directed.push((a, b));
                if *both_ways {
                    directed.push((b, a));
                }
            }
            Action::DeviceFault {
                device: names.device(device, &format!("{p}.device"))?,
                fault: Some(DeviceFault { drop_ppm: values.ppm(drop, &format!("{p}.drop"))?, plane_mask, pairs: directed, carrier_up: *carrier_up }),
            }
        }
        ActionSpec::DeviceHeal { device } => Action::DeviceFault { device: names.device(device, &format!("{path}.device_heal.device"))?, fault: None },
        ActionSpec::Command { nodes, command } => {
            let mut ids = vec![];
            for (i, n) in nodes.iter().enumerate() {
                ids.push(node(n, &format!("command.nodes[{i}]"))?);
            }
            let command = match command {
                CommandSpec::MaintenanceOn => Command::MaintenanceOn,
                CommandSpec::MaintenanceOff => Command::MaintenanceOff,
                CommandSpec::ForceActive => Command::ForceActive,
                CommandSpec::ForcePassive => Command::ForcePassive,
            };
            Action::Command { nodes: ids, command }
        }
    })
}
