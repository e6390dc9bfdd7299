//! Per-group monitors over the trace: split brain (more than one live node
//! accepting writes), unavailability (none), all members down, leader changes.

use crate::ids::{GroupId, NodeId};
use crate::model::effect::Role;
use crate::engine::host::Health;
use crate::trace::event::TraceEvent;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupStats {
    pub split_brain_us: u64,
    pub unavailable_us: u64,
    /// Every member powered off or crashed.
    pub all_down_us: u64,
    /// Longest stretch with no live active member.
    pub longest_outage_us: u64,
    /// New active members after the first.
    pub leader_changes: u32,
    /// Largest number of live actives seen at once.
    pub actives_max: u32,
}

/// What the page shades along its timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Shade {
    /// Some group has more than one live node accepting writes.
    SplitBrain = 0,
    /// Some group has no live node accepting writes.
    Unavailable = 1,
    /// Some group has every member crashed or powered off.
    AllDown = 2,
}

/// A stretch of time during which `shade` held, `[start_us, end_us)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShadeInterval {
    pub shade: Shade,
    pub start_us: u64,
    pub end_us: u64,
}

#[derive(Clone, Debug, Default)]
pub struct GroupsReport {
    pub groups: Vec<GroupStats>,
    /// Time when any group was split or unavailable.
    pub degraded_us: u64,
    /// Group of each node, if it belongs to one.
    pub node_group: Vec<Option<GroupId>>,
    /// First and last moment any group was split or unavailable.
    pub degraded_span_us: Option<(u64, u64)>,
    /// When any group was split, unavailable or all down, in time order per shade.
    pub intervals: Vec<ShadeInterval>,
}

/// Opens and closes shade intervals as the any-group flags change.
#[derive(Default)]
struct Shading {
    open: [Option<u64>; 3],
    done: Vec<ShadeInterval>,
}

impl Shading {
    /// The state held from `from_us` on is `on`.
    fn set(&mut self, shade: Shade, on: bool, from_us: u64) {
        let slot = &mut self.open[shade as usize];
        match (on, *slot) {
            (true, None) => *slot = Some(from_us),
            (false, Some(start)) => {
                *slot = None;
                if from_us > start {
                    self.done.push(ShadeInterval { shade, start_us: start, end_us: from_us });
                }
            }
            _ => {}
        }
    }

    fn finish(mut self, end_us: u64) -> Vec<ShadeInterval> {
        for (i, shade) in [Shade::SplitBrain, Shade::Unavailable, Shade::AllDown].into_iter().enumerate() {
            if let Some(start) = self.open[i].take() {
                if end_us > start {
                    self.done.push(ShadeInterval { shade, start_us: start, end_us });
                }
            }
        }
        self.done
    }
}

#[derive(Clone, Copy)]
struct Member {
    role: Role,
    health: Health,
}

/// A member accepts writes: the definition split brain counts (also used by
/// frames, so the stage marks exactly what the monitor measures).
pub fn writable(role: Role, health: Health) -> bool {
    role == Role::Active && health == Health::Up
}

impl Member {
    fn writable(self) -> bool {
        writable(self.role, self.health)
    }
    fn down(self) -> bool {
        matches!(self.health, Health::Crashed | Health::PoweredOff)
    }
}

pub fn measure(events: &[TraceEvent], node_count: usize, group_count: usize, end_us: u64) -> GroupsReport {
    let mut members = vec![Member { role: Role::None, health: Health::Up }; node_count];
    let mut node_group: Vec<Option<GroupId>> = vec![None; node_count];
    let mut stats = vec![GroupStats::default(); group_count];
    let mut last_active: Vec<Option<NodeId>> = vec![None; group_count];
    let mut outage_start: Vec<Option<u64>> = vec![None; group_count];
    let mut degraded_us = 0;
    let mut degraded_span_us: Option<(u64, u64)> = None;
    let mut t_prev = 0u64;
    let mut shading = Shading::default();

    // Integrate the state held since the previous event, then apply the event.
    let mut integrate = |t: u64, members: &[Member], node_group: &[Option<GroupId>], stats: &mut [GroupStats], outage_start: &mut [Option<u64>]| {
        let dt = t.saturating_sub(t_prev);
        let mut degraded = false;
        let mut any = [false; 3];
        for (g, s) in stats.iter_mut().enumerate() {
            let in_group = || (0..members.len()).filter(move |&i| node_group[i] == Some(GroupId(g as u16)));
            let writable = in_group().filter(|&i| members[i].writable()).count() as u32;
            let all_down = in_group().all(|i| members[i].down());
            s.actives_max = s.actives_max.max(writable);
            if writable > 1 {
                s.split_brain_us += dt;
                degraded = true;
                any[Shade::SplitBrain as usize] = true;
            }
            if writable == 0 {
                s.unavailable_us += dt;
                degraded = true;
                any[Shade::Unavailable as usize] = true;
                outage_start[g].get_or_insert(t_prev);
            } else if let Some(start) = outage_start[g].take() {
                s.longest_outage_us = s.longest_outage_us.max(t_prev - start);
            }
            if all_down {
                s.all_down_us += dt;
                any[Shade::AllDown as usize] = true;
            }
        }
        if degraded && dt > 0 {
            degraded_us += dt;
            let first = degraded_span_us.map_or(t_prev, |(f, _)| f);
            degraded_span_us = Some((first, t));
        }
        if dt > 0 {
            for (i, shade) in [Shade::SplitBrain, Shade::Unavailable, Shade::AllDown].into_iter().enumerate() {
                shading.set(shade, any[i], t_prev);
            }
        }
        t_prev = t;
    };

    for e in events {
        match *e {
            TraceEvent::Health { at_us, node, health } => {
                integrate(at_us, &members, &node_group, &mut stats, &mut outage_start);
                members[node.index()].health = health;
            }
            TraceEvent::Role { at_us, node, group, role, .. } => {
                integrate(at_us, &members, &node_group, &mut stats, &mut outage_start);
                members[node.index()].role = role;
                node_group[node.index()] = Some(group);
                if role == Role::Active {
                    let g = group.index();
                    if last_active[g].is_some_and(|n| n != node) {
                        stats[g].leader_changes += 1;
                    }
                    last_active[g] = Some(node);
                }
            }
            _ => {}
        }
    }
    integrate(end_us, &members, &node_group, &mut stats, &mut outage_start);
    for (g, s) in stats.iter_mut().enumerate() {
        if let Some(start) = outage_start[g] {
            s.longest_outage_us = s.longest_outage_us.max(end_us - start);
        }
    }
    GroupsReport { groups: stats, degraded_us, node_group, degraded_span_us, intervals: shading.finish(end_us) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(at_us: u64, node: u32, role: Role) -> TraceEvent {
        TraceEvent::Role { at_us, node: NodeId(node), group: GroupId(0), role, epoch: Default::default() }
    }

    #[test]
    fn two_actives_count_as_split_brain() {
        let events = [role(0, 0, Role::Active), role(0, 1, Role::Passive), role(10, 1, Role::Active), role(25, 0, Role::Passive)];
        let r = measure(&events, 2, 1, 100);
        assert_eq!(r.groups[0].split_brain_us, 15);
        assert_eq!(r.groups[0].unavailable_us, 0);
        assert_eq!(r.groups[0].leader_changes, 1);
        assert_eq!(r.groups[0].actives_max, 2);
        assert_eq!(r.degraded_us, 15);
        assert_eq!(r.intervals, vec![ShadeInterval { shade: Shade::SplitBrain, start_us: 10, end_us: 25 }]);
    }

    #[test]
    fn powered_off_active_is_not_writable_and_both_off_is_counted() {
        let events = [
            role(0, 0, Role::Active),
            role(0, 1, Role::Passive),
            TraceEvent::Health { at_us: 40, node: NodeId(0), health: Health::PoweredOff },
            TraceEvent::Health { at_us: 50, node: NodeId(1), health: Health::PoweredOff },
        ];
        let r = measure(&events, 2, 1, 100);
        assert_eq!(r.groups[0].unavailable_us, 60);
        assert_eq!(r.groups[0].all_down_us, 50);
        assert_eq!(r.groups[0].longest_outage_us, 60);
        assert_eq!(r.groups[0].split_brain_us, 0);
        let shades: Vec<(Shade, u64, u64)> = r.intervals.iter().map(|i| (i.shade, i.start_us, i.end_us)).collect();
        assert_eq!(shades, vec![(Shade::Unavailable, 40, 100), (Shade::AllDown, 50, 100)]);
    }

    #[test]
    fn a_monitor_on_a_quiet_trace_reports_nothing() {
        let events = [role(0, 0, Role::Active), role(0, 1, Role::Passive)];
        let r = measure(&events, 2, 1, 1_000);
        assert_eq!(r.groups[0], GroupStats { actives_max: 1, ..GroupStats::default() });
    }

    #[test]
    fn longest_outage_picks_the_longest_gap() {
        let events = [
            role(0, 0, Role::Active),
            role(10, 0, Role::Passive),
            role(20, 0, Role::Active),
            role(30, 0, Role::Passive),
            role(70, 0, Role::Active),
        ];
        let r = measure(&events, 1, 1, 100);
        assert_eq!(r.groups[0].unavailable_us, 50);
        assert_eq!(r.groups[0].longest_outage_us, 40);
        assert_eq!(r.groups[0].leader_changes, 0);
    }
}
