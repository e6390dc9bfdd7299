//! Safety properties a scenario declares (`invariants` in the file), checked
//! against a finished run's trace. Each check replays the role and health
//! changes in time order and names the first moment the property fails.

use std::collections::BTreeMap;

use crate::engine::time::format_clock;
use crate::ids::{GroupId, NodeId};
use crate::model::effect::Role;
use crate::engine::host::Health;
use crate::scenario::format::Invariant;
use crate::trace::event::{Trace, TraceEvent};

/// `Err` names the first violation: when, which group, which nodes.
pub fn check(invariant: Invariant, trace: &Trace, node_names: &[String], groups: &[String]) -> Result<(), String> {
    let name = |n: NodeId| node_names.get(n.index()).map_or("?", String::as_str).to_string();
    let group = |g: GroupId| groups.get(g.index()).map_or("?", String::as_str).to_string();
    match invariant {
        Invariant::SingleWriter => single_writer(trace).map_err(|(at, g, nodes)| {
            let nodes: Vec<String> = nodes.into_iter().map(name).collect();
            format!("single_writer: at {} group `{}` has live writers {}", format_clock(at), group(g), nodes.join(", "))
        }),
        Invariant::SingleLeaderPerTerm => single_leader_per_term(trace).map_err(|(at, g, term, a, b)| {
            format!("single_leader_per_term: at {} group `{}` term {term} has leaders {} and {}", format_clock(at), group(g), name(a), name(b))
        }),
        Invariant::NoLostWrites => no_lost_writes(trace),
    }
}

type Violation = (u64, GroupId, Vec<NodeId>);

/// Live actives per group, checked whenever time moves on (changes at one
/// instant are applied together, so a hand-over within a microsecond is fine).
fn single_writer(trace: &Trace) -> Result<(), Violation> {
    let mut active: BTreeMap<NodeId, GroupId> = BTreeMap::new();
    let mut down: BTreeMap<NodeId, bool> = BTreeMap::new();
    let mut now = 0;
    let check = |active: &BTreeMap<NodeId, GroupId>, down: &BTreeMap<NodeId, bool>, at: u64| -> Result<(), Violation> {
        let mut live: BTreeMap<GroupId, Vec<NodeId>> = BTreeMap::new();
        for (&n, &g) in active {
            if !down.get(&n).copied().unwrap_or(false) {
                live.entry(g).or_default().push(n);
            }
        }
        match live.into_iter().find(|(_, nodes)| nodes.len() > 1) {
            Some((g, nodes)) => Err((at, g, nodes)),
            None => Ok(()),
        }
    };
    for e in &trace.events {
        let at = e.at_us();
        if at > now {
            check(&active, &down, now)?;
            now = at;
        }
        match *e {
            TraceEvent::Role { node, group, role, .. } => {
                if role == Role::Active {
                    active.insert(node, group);
                } else {
                    active.remove(&node);
                }
            }
            TraceEvent::Health { node, health, .. } => {
                // A frozen process accepts nothing; it counts again when it thaws.
                down.insert(node, health != Health::Up);
            }
            _ => {}
        }
    }
    check(&active, &down, now)
}

fn single_leader_per_term(trace: &Trace) -> Result<(), (u64, GroupId, u32, NodeId, NodeId)> {
    let mut leader: BTreeMap<(GroupId, u32), NodeId> = BTreeMap::new();
    for e in &trace.events {
        if let TraceEvent::Role { at_us, node, group, role: Role::Active, epoch } = *e {
            match leader.get(&(group, epoch.term)) {
                Some(&other) if other != node => return Err((at_us, group, epoch.term, other, node)),
                _ => {
                    leader.insert((group, epoch.term), node);
                }
            }
        }
    }
    Ok(())
}

fn no_lost_writes(trace: &Trace) -> Result<(), String> {
    let acked: std::collections::BTreeSet<u64> =
        trace.events.iter().filter_map(|e| if let TraceEvent::Acked { write_id, .. } = *e { Some(write_id) } else { None }).collect();
    for e in &trace.events {
        match *e {
            TraceEvent::Discarded { at_us, write_id, .. } if acked.contains(&write_id) => {
                return Err(format!("no_lost_writes: at {} acknowledged write {write_id} was discarded", format_clock(at_us)));
            }
            TraceEvent::DataLost { at_us, writes, .. } if writes > 0 => {
                return Err(format!("no_lost_writes: at {} {writes} acknowledged writes were lost", format_clock(at_us)));
            }
            _ => {}
        }
    }
    Ok(())
}
