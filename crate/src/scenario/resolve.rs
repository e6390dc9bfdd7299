//! Turns a parsed scenario plus parameter values into an engine `Setup`: names
//! become ids, quantities become integers, and the projected event count is
//! checked against the budget before anything runs.

use super::error::ScenarioError;
use super::field_path::FieldPath;
use super::format::{ActionSpec, LinkSpec, Scenario};
use super::inject::InjectedAction;
use super::models::{self, BuildCx};
use super::params::Values;
use super::units::{parse_literal, Kind};
use crate::engine::action::{Action, Origin, TimedAction};
use crate::engine::run::Setup;
use crate::engine::time::{format_duration, US_PER_S};
use crate::ids::{DeviceId, NodeId, PlaneId};
use crate::net::cut::Planes;
use crate::net::{Device, DeviceFault, Link, Network};

/// Extra facts a face needs besides the engine setup.
pub struct Resolved {
    pub setup: Setup,
    /// Group names by id.
    pub groups: Vec<String>,
    /// Gauge names by id.
    pub gauges: Vec<String>,
    /// The unit each gauge's model declared, by id.
    pub gauge_units: Vec<crate::monitor::metrics::Unit>,
    /// Events the run is projected to need (an upper-bound estimate).
    pub projected_events: u64,
    /// The scenario's invariants whose condition holds with these values.
    pub invariants: Vec<super::format::Invariant>,
}

pub fn resolve(file: &str, s: &Scenario, values: &Values, seed: u64, injected: &[InjectedAction]) -> Result<Resolved, ScenarioError> {
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

    let mut cx = BuildCx::new(file, values, end_us, s.limits.events_max);
    // Inserted one by one: `collect` into a `BTreeMap` sorts, a copy of the sort per map type.
    cx.nodes.extend(s.nodes.iter().enumerate().map(|(i, n)| (n.name.as_str(), NodeId(i as u32))));
    cx.planes.extend(s.planes.iter().enumerate().map(|(i, p)| (p.as_str(), PlaneId(i as u8))));
    cx.devices.extend(s.devices.iter().enumerate().map(|(i, d)| (d.name.as_str(), DeviceId(i as u16))));
    for (i, n) in s.nodes.iter().enumerate() {
        let enabled = values.flag(&n.enabled, &FieldPath::at("nodes").index(i).field("enabled"))?;
        cx.dormant.push(!enabled);
    }
    let mut models = Vec::with_capacity(s.nodes.len());
    for (i, n) in s.nodes.iter().enumerate() {
        models.push(models::build(&n.model, &mut cx, NodeId(i as u32), &FieldPath::at("nodes").index(i).field("model"))?);
    }
    cx.check_budget()?;

    let mut links = vec![];
    // Which spec made each (plane, from, to), so a second one is refused by name.
    let mut made_by = std::collections::BTreeMap::new();
    for (i, l) in s.links.iter().enumerate() {
        let path = FieldPath::at("links").index(i);
        let first = links.len();
        resolve_links(&cx, l, &path, &mut links)?;
        for link in &links[first..] {
            if let Some(earlier) = made_by.insert((link.plane, link.from, link.to), i) {
                let name = |n: NodeId| s.nodes[n.index()].name.as_str();
                return Err(ScenarioError::new(
                    file,
                    path.field("nodes"),
                    format!(
                        "`{}` -> `{}` on plane `{}` is also made by links[{earlier}] (give each pair one link per plane, or opposite `enabled` conditions)",
                        name(link.from),
                        name(link.to),
                        s.planes[link.plane.index()]
                    ),
                ));
            }
        }
    }
    let devices = s.devices.iter().map(|d| Device { name: d.name.clone(), fault: None }).collect();
    let network = Network::new(s.planes.clone(), devices, links, s.nodes.len() as u32);

    check_timeline_order(file, s)?;
    let mut actions = vec![];
    for (i, step) in s.timeline.iter().enumerate() {
        let path = FieldPath::at("timeline").index(i);
        let at_us = values.micros(&step.at, &path.field("at"))?;
        if at_us > end_us {
            return Err(ScenarioError::new(file, path.field("at"), format!("{} is after meta.duration ({})", format_duration(at_us), format_duration(end_us))));
        }
        let action = resolve_action(&cx, s, &step.action, &path.field("action"))?;
        actions.push(TimedAction { at_us, action, origin: Origin::Step(i as u32) });
    }
    resolve_injected(&cx, s, injected, network.links.len() as u64, &mut actions)?;

    let mut groups = vec![String::new(); cx.groups.len()];
    for (name, id) in &cx.groups {
        groups[id.index()] = name.clone();
    }
    let mut invariants = vec![];
    for (i, inv) in s.invariants.iter().enumerate() {
        if values.flag(&inv.when, &format!("invariants[{i}].when"))? {
            invariants.push(inv.check);
        }
    }
    Ok(Resolved {
        invariants,
        projected_events: cx.projected_events(),
        groups,
        gauges: cx.gauges.clone(),
        gauge_units: cx.gauge_units.clone(),
        setup: Setup {
            node_names: s.nodes.iter().map(|n| n.name.clone()).collect(),
            models,
            network,
            actions,
            end_us,
            events_max: s.limits.events_max,
            bucket_us,
            messages_recorded_max: s.limits.messages_recorded_max,
            events_expected: cx.projected_events(),
            seed,
        },
    })
}

/// The file lists its steps in time order at its own defaults. A viewer's
/// settings may move a step whose `at` is a sum (`"$pause_at + $session_timeout"`)
/// past its neighbour; the run then plays them in time order (the event queue
/// orders by time), so a slider never turns a valid file into an error.
fn check_timeline_order(file: &str, s: &Scenario) -> Result<(), ScenarioError> {
    let defaults = Values::new(file, s, &super::params::Overrides::new())?;
    let mut last_at = 0;
    for (i, step) in s.timeline.iter().enumerate() {
        let path = FieldPath::at("timeline").index(i).field("at");
        let at_us = defaults.micros(&step.at, &path)?;
        if at_us < last_at {
            return Err(ScenarioError::new(file, path, format!("{} is before the previous step ({})", format_duration(at_us), format_duration(last_at))));
        }
        last_at = at_us;
    }
    Ok(())
}

/// Injected actions go through the same resolution as timeline steps, with
/// paths `actions[i]...`; they need not be in time order. They join the run's
/// actions after the file's steps, so at one instant the file's step runs first.
fn resolve_injected(cx: &BuildCx, s: &Scenario, injected: &[InjectedAction], links: u64, actions: &mut Vec<TimedAction>) -> Result<(), ScenarioError> {
    super::inject::check_count(cx.file, injected.len())?;
    let mut scans: u64 = s.timeline.len() as u64 * links.max(1);
    for (i, a) in injected.iter().enumerate() {
        let path = FieldPath::at("actions").index(i);
        let at_us = cx.values.micros(&a.at, &path.field("at"))?;
        if at_us > cx.end_us {
            return Err(cx.err(path.field("at"), format!("{} is after the end of the run ({})", format_duration(at_us), format_duration(cx.end_us))));
        }
        let per_link = crate::scenario::cost::link_checks(cx.file, &path.field("action"), &a.action)?;
        scans = scans.saturating_add(links.max(1).saturating_mul(per_link));
        if scans > crate::scenario::cost::LINK_SCANS_MAX {
            return Err(cx.err(path, format!("with the timeline's steps, the injected actions need about {scans} link checks over {links} links; at most {} (fewer actions)", crate::scenario::cost::LINK_SCANS_MAX)));
        }
        let action = resolve_action(cx, s, &a.action, &path.field("action"))?;
        actions.push(TimedAction { at_us, action, origin: Origin::Injected(i as u32) });
    }
    Ok(())
}

fn resolve_links(cx: &BuildCx, l: &LinkSpec, path: &str, out: &mut Vec<Link>) -> Result<(), ScenarioError> {
    let path = FieldPath::at(path);
    let file = cx.file;
    let values = cx.values;
    let names = cx;
    let mut ends = vec![];
    for (i, n) in l.nodes.iter().enumerate() {
        ends.push(names.node(n, &path.field("nodes").index(i))?);
    }
    crate::scenario::cost::unique(file, &path.field("nodes"), &l.nodes)?;
    if ends.len() < 2 || (l.one_way && ends.len() != 2) {
        return Err(ScenarioError::new(file, path.field("nodes"), "needs two or more nodes (exactly two with one_way)"));
    }
    let mut via = vec![];
    for (i, d) in l.via.iter().enumerate() {
        via.push(names.device(d, &path.field("via").index(i))?);
    }
    let latency_us = values.micros(&l.latency, &path.field("latency"))?;
    let jitter_us = match &l.jitter {
        Some(q) => values.micros(q, &path.field("jitter"))?,
        None => 0,
    };
    let loss_ppm = match &l.loss {
        Some(q) => values.ppm(q, &path.field("loss"))?,
        None => 0,
    };
    let bandwidth_bytes_per_s = match &l.bandwidth {
        Some(q) => match values.bytes_per_s(q, &path.field("bandwidth"))? {
            0 => return Err(ScenarioError::new(file, path.field("bandwidth"), "must be above zero")),
            v => v,
        },
        None => 0,
    };
    if l.planes.is_empty() {
        return Err(ScenarioError::new(file, path.field("planes"), "name at least one plane"));
    }
    // Checked like every other field, then left out when disabled.
    let enabled = values.flag(&l.enabled, &path.field("enabled"))?;
    for (pi, plane) in l.planes.iter().enumerate() {
        let plane = names.plane(plane, &path.field("planes").index(pi))?;
        for (ai, &a) in ends.iter().enumerate() {
            for (bi, &b) in ends.iter().enumerate() {
                if !enabled || a == b || (l.one_way && (ai, bi) != (0, 1)) {
                    continue;
                }
                out.push(Link { from: a, to: b, plane, latency_us, jitter_us, loss_ppm, bandwidth_bytes_per_s, via: via.clone(), cut: false, netem_loss_ppm: 0, netem_delay_us: 0, busy_until_us: 0, last_arrival_us: 0 });
            }
        }
    }
    Ok(())
}

/// A partition (`cut`) or its healing: each node in at most one group; `at`
/// is the action's field (`...partition` or `...heal_partition`).
fn partition(cx: &BuildCx, groups: &[Vec<String>], planes: &[String], at: &FieldPath, cut: bool) -> Result<Action, ScenarioError> {
    let mut ids = vec![];
    let mut placed = std::collections::BTreeSet::new();
    for (gi, g) in groups.iter().enumerate() {
        let mut group = vec![];
        for (ni, n) in g.iter().enumerate() {
            let field = at.field("groups").index(gi).index(ni);
            let id = cx.node(n, &field)?;
            if !placed.insert(id) {
                return Err(ScenarioError::new(cx.file, field, format!("`{n}` is in two groups (or twice in one)")));
            }
            group.push(id);
        }
        ids.push(group);
    }
    Ok(Action::Partition { groups: ids, planes: cx.plane_set(planes, &at.field("planes"))?, cut })
}

pub(crate) fn resolve_action(cx: &BuildCx, s: &Scenario, a: &ActionSpec, path: &str) -> Result<Action, ScenarioError> {
    let path = FieldPath::at(path);
    let (names, values) = (cx, cx.values);
    let node = |n: &str, field: &str| names.node(n, &path.field(field));
    Ok(match a {
        ActionSpec::Note => Action::Note,
        ActionSpec::End => Action::End,
        ActionSpec::Crash { node: n } => Action::Crash(node(n, "crash.node")?),
        ActionSpec::Restart { node: n } => Action::Restart(node(n, "restart.node")?),
        ActionSpec::PowerOff { node: n } => Action::PowerOff(node(n, "power_off.node")?),
        ActionSpec::PowerOn { node: n } => Action::PowerOn(node(n, "power_on.node")?),
        ActionSpec::Pause { node: n, duration } => Action::Pause {
            node: node(n, "pause.node")?,
            duration_us: values.micros(duration, &path.field("pause").field("duration"))?,
        },
        ActionSpec::ClockSkew { node: n, ppm } => {
            if !(-500_000..=500_000).contains(ppm) {
                return Err(ScenarioError::new(names.file, path.field("clock_skew").field("ppm"), "must be within ±500000"));
            }
            Action::ClockSkew { node: node(n, "clock_skew.node")?, ppm: *ppm }
        }
        ActionSpec::ClockStep { node: n, by, backwards } => {
            let by_us = values.micros(by, &path.field("clock_step").field("by"))?.min(i64::MAX as u64) as i64;
            Action::ClockStep { node: node(n, "clock_step.node")?, by_us: if *backwards { -by_us } else { by_us } }
        }
        ActionSpec::Cut { from, to, planes, both_ways } | ActionSpec::Heal { from, to, planes, both_ways } => {
            let word = if matches!(a, ActionSpec::Cut { .. }) { "cut" } else { "heal" };
            Action::Cut {
                from: node(from, &format!("{word}.from"))?,
                to: node(to, &format!("{word}.to"))?,
                planes: names.plane_set(planes, &path.field(word).field("planes"))?,
                both_ways: *both_ways,
                cut: word == "cut",
            }
        }
        ActionSpec::Netem { from, to, planes, both_ways, loss, delay } => Action::Netem {
            from: node(from, "netem.from")?,
            to: node(to, "netem.to")?,
            planes: names.plane_set(planes, &path.field("netem").field("planes"))?,
            both_ways: *both_ways,
            loss_ppm: loss.as_ref().map_or(Ok(0), |q| values.ppm(q, &path.field("netem").field("loss")))?,
            delay_us: delay.as_ref().map_or(Ok(0), |q| values.micros(q, &path.field("netem").field("delay")))?,
        },
        ActionSpec::Partition { groups, planes } => partition(cx, groups, planes, &path.field("partition"), true)?,
        ActionSpec::HealPartition { groups, planes } => partition(cx, groups, planes, &path.field("heal_partition"), false)?,
        ActionSpec::HealAll => Action::HealAll,
        ActionSpec::DeviceFault { device, drop, planes, pairs, both_ways, carrier_up } => {
            let p = path.field("device_fault");
            let plane_mask = match names.plane_set(planes, &p.field("planes"))? {
                Planes::All => u64::MAX,
                Planes::Only(ids) => ids.iter().fold(0, |m, id| m | (1u64 << id.0)),
            };
            let mut directed = vec![];
            for (i, [a, b]) in pairs.iter().enumerate() {
                let a = names.node(a, &p.field("pairs").index(i).index(0))?;
                let b = names.node(b, &p.field("pairs").index(i).index(1))?;
                directed.push((a, b));
                if *both_ways {
                    directed.push((b, a));
                }
            }
            Action::DeviceFault {
                device: names.device(device, &p.field("device"))?,
                fault: Some(DeviceFault { drop_ppm: values.ppm(drop, &p.field("drop"))?, plane_mask, pairs: directed, carrier_up: *carrier_up }),
            }
        }
        ActionSpec::DeviceHeal { device } => Action::DeviceFault { device: names.device(device, &path.field("device_heal").field("device"))?, fault: None },
        ActionSpec::Command { nodes, command } => {
            crate::scenario::cost::unique(names.file, &path.field("command").field("nodes"), nodes)?;
            let mut ids = vec![];
            for (i, n) in nodes.iter().enumerate() {
                ids.push(node(n, &format!("command.nodes[{i}]"))?);
            }
            let command = super::command::resolve(cx, s, &ids, command, &path.field("command").field("command"))?;
            Action::Command { nodes: ids, command }
        }
    })
}
