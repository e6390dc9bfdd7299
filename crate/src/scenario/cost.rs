//! The cost model of a run: everything a run allocates or does that the event
//! budget (`limits.events_max`) does not see, projected from the file before
//! anything runs and refused with the field responsible. Sizes are computed in
//! `u64`, so the native build and wasm32 (32-bit `usize`) accept the same files.
//!
//! | what                       | limit                         | why |
//! |----------------------------|-------------------------------|-----|
//! | nodes                      | `NODES_MAX` = 10,000          | per-node state, the stage |
//! | planes                     | `PLANES_MAX` = 64             | a device fault's plane mask is 64 bits |
//! | links (all specs)          | `LINKS_MAX` = 100,000         | every timeline step re-reads every link; keyframes copy link states |
//! | steps × links              | `LINK_SCANS_MAX` = 10,000,000 | each step checks every link's status (and may record a change) |
//! | `device_fault.pairs`       | `FAULT_PAIRS_MAX` = 1,024     | every message through the device is checked against the list |
//! | `limits.events_max`        | `EVENTS_MAX` = 100,000,000    | about 10 s of engine time natively |
//! | `limits.messages_recorded_max` | `MESSAGES_RECORDED_MAX` = 5,000,000 | 32 bytes each, kept for drawing |
//! | trace events (run time)    | `TRACE_EVENTS_MAX` = 20,000,000 | what the trace keeps (`engine/run.rs`) |
//! | pending events (run time)  | `engine::queue::PENDING_MAX` = 1,048,576 | the event queue's memory |
//!
//! Routing is sparse (`net/mod.rs`: one sorted row per plane and sender), so
//! its memory grows with planes × nodes + links, never with nodes².

use std::collections::BTreeSet;

use super::error::ScenarioError;
use super::format::{ActionSpec, Scenario};

pub const NODES_MAX: usize = 10_000;
pub const PLANES_MAX: usize = 64;
pub const LINKS_MAX: u64 = 100_000;
pub const LINK_SCANS_MAX: u64 = 10_000_000;
pub const FAULT_PAIRS_MAX: usize = 1_024;
pub const EVENTS_MAX: u64 = 100_000_000;
pub const MESSAGES_RECORDED_MAX: u64 = 5_000_000;
pub const TRACE_EVENTS_MAX: u64 = 20_000_000;

/// Check every size the file fixes by itself (before parameters are applied).
pub fn check_sizes(file: &str, s: &Scenario) -> Result<(), ScenarioError> {
    let err = |path: String, reason: String| Err(ScenarioError::new(file, path, reason));
    if s.nodes.len() > NODES_MAX {
        return err("nodes".into(), format!("{} nodes; at most {NODES_MAX}", s.nodes.len()));
    }
    if s.planes.len() > PLANES_MAX {
        return err("planes".into(), format!("{} planes; at most {PLANES_MAX}", s.planes.len()));
    }
    let limits = &s.limits;
    if limits.events_max == 0 || limits.events_max > EVENTS_MAX {
        return err("limits.events_max".into(), format!("{} is not between 1 and {EVENTS_MAX}", limits.events_max));
    }
    if limits.messages_recorded_max > MESSAGES_RECORDED_MAX {
        return err("limits.messages_recorded_max".into(), format!("{} is above {MESSAGES_RECORDED_MAX}", limits.messages_recorded_max));
    }
    let links = project_links(file, s)?;
    project_scans(file, s, links)
}

/// Links the file can create (an upper bound: as if every link spec were enabled),
/// refusing a spec that names a node, plane or device twice.
fn project_links(file: &str, s: &Scenario) -> Result<u64, ScenarioError> {
    let mut total: u64 = 0;
    for (i, l) in s.links.iter().enumerate() {
        let path = format!("links[{i}]");
        unique(file, &format!("{path}.nodes"), &l.nodes)?;
        unique(file, &format!("{path}.planes"), &l.planes)?;
        unique(file, &format!("{path}.via"), &l.via)?;
        let n = l.nodes.len() as u64;
        let pairs = if l.one_way { 1 } else { n.saturating_mul(n.saturating_sub(1)) };
        let created = pairs.saturating_mul(l.planes.len() as u64);
        total = total.saturating_add(created);
        if total > LINKS_MAX {
            return Err(ScenarioError::new(
                file,
                format!("{path}.nodes"),
                format!(
                    "this spec makes {created} links ({n} nodes, every ordered pair, on {} planes), {total} so far; at most {LINKS_MAX} in a scenario",
                    l.planes.len()
                ),
            ));
        }
    }
    Ok(total)
}

/// Every timeline step re-reads every link's status; partitions and device
/// faults compare each link with their node lists as well.
fn project_scans(file: &str, s: &Scenario, links: u64) -> Result<(), ScenarioError> {
    let mut scans: u64 = 0;
    for (i, step) in s.timeline.iter().enumerate() {
        let per_link = link_checks(file, &format!("timeline[{i}].action"), &step.action)?;
        scans = scans.saturating_add(links.max(1).saturating_mul(per_link));
        if scans > LINK_SCANS_MAX {
            return Err(ScenarioError::new(
                file,
                format!("timeline[{i}]"),
                format!(
                    "{} steps over {links} links need about {scans} link checks so far; at most {LINK_SCANS_MAX} (fewer steps or fewer links)",
                    i + 1
                ),
            ));
        }
    }
    Ok(())
}

/// How many times an action reads each link (its status, and a partition's or
/// a device fault's node lists); too many device-fault pairs are refused.
pub fn link_checks(file: &str, path: &str, action: &ActionSpec) -> Result<u64, ScenarioError> {
    Ok(match action {
        ActionSpec::DeviceFault { pairs, .. } => {
            if pairs.len() > FAULT_PAIRS_MAX {
                return Err(ScenarioError::new(file, format!("{path}.device_fault.pairs"), format!("{} pairs; at most {FAULT_PAIRS_MAX}", pairs.len())));
            }
            1 + pairs.len() as u64
        }
        ActionSpec::Partition { groups, .. } | ActionSpec::HealPartition { groups, .. } => 1 + groups.iter().map(|g| g.len() as u64).sum::<u64>(),
        _ => 1,
    })
}

/// A list of names in which each name appears once.
pub fn unique(file: &str, path: &str, names: &[String]) -> Result<(), ScenarioError> {
    let mut seen = BTreeSet::new();
    for (i, n) in names.iter().enumerate() {
        if !seen.insert(n.as_str()) {
            return Err(ScenarioError::new(file, format!("{path}[{i}]"), format!("`{n}` is listed twice")));
        }
    }
    Ok(())
}
