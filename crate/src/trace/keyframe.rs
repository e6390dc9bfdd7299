//! Keyframes: the drawable state (node health, roles, link status, chapter)
//! snapshotted every few hundred trace events, so a viewer can seek to any time
//! by restoring the nearest earlier snapshot and replaying a few events — never
//! by re-running from zero (RaftScope's `seek`).

use crate::model::effect::Epoch;
use super::event::TraceEvent;
use crate::model::effect::Role;
use crate::engine::host::Health;
use crate::net::LinkStatus;

/// Events between snapshots for small topologies.
const EVENTS_PER_KEYFRAME: usize = 256;

/// Events between snapshots: 256, or more when a snapshot is large, so that
/// keyframes never take more than about one byte per trace event on top of the
/// trace (a snapshot of 100,000 links every 256 events would take 400 bytes per
/// event; 1,000 device-fault link changes on a big mesh once took 15 GB).
fn events_per_keyframe(node_count: usize, link_count: usize) -> usize {
    let snapshot_bytes = node_count.saturating_mul(20).saturating_add(link_count);
    EVENTS_PER_KEYFRAME.max(snapshot_bytes)
}

#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub health: Vec<Health>,
    pub role: Vec<Role>,
    pub epoch: Vec<Epoch>,
    pub group: Vec<u16>,
    pub link: Vec<LinkStatus>,
    /// Writes each node threw away after accepting them (divergent), so far.
    pub discarded: Vec<u32>,
    /// Acknowledged writes each node reported gone for good, so far.
    pub lost: Vec<u32>,
    /// Latest timeline step that has run, or -1.
    pub step: i32,
}

impl Snapshot {
    pub fn initial(node_count: usize, link_count: usize) -> Snapshot {
        Snapshot {
            health: vec![Health::Up; node_count],
            role: vec![Role::None; node_count],
            epoch: vec![Epoch::default(); node_count],
            group: vec![u16::MAX; node_count],
            link: vec![LinkStatus::Up; link_count],
            discarded: vec![0; node_count],
            lost: vec![0; node_count],
            step: -1,
        }
    }

    pub fn apply(&mut self, e: &TraceEvent) {
        match *e {
            TraceEvent::Health { node, health, .. } => self.health[node.index()] = health,
            TraceEvent::Role { node, role, epoch, group, .. } => {
                self.role[node.index()] = role;
                self.epoch[node.index()] = epoch;
                self.group[node.index()] = group.0;
            }
            TraceEvent::Link { link, status, .. } => self.link[link.index()] = status,
            TraceEvent::Step { index, .. } => self.step = index as i32,
            TraceEvent::Discarded { node, .. } => self.discarded[node.index()] = self.discarded[node.index()].saturating_add(1),
            TraceEvent::DataLost { node, writes, .. } => {
                let lost = &mut self.lost[node.index()];
                *lost = lost.saturating_add(u32::try_from(writes).unwrap_or(u32::MAX));
            }
            // An injected action is no chapter: the narration stays where it is.
            TraceEvent::Injected { .. } | TraceEvent::Acked { .. } | TraceEvent::Gauge { .. } => {}
        }
    }
}

pub struct Keyframes {
    /// (index of the first event not yet applied, snapshot).
    frames: Vec<(usize, Snapshot)>,
    /// The state after the first `applied` events: where `extend` goes on
    /// when a run that stopped part-way is continued (`Replay::advance`).
    tip: Snapshot,
    applied: usize,
    every: usize,
}

impl Keyframes {
    pub fn build(events: &[TraceEvent], node_count: usize, link_count: usize) -> Keyframes {
        let tip = Snapshot::initial(node_count, link_count);
        let mut keyframes = Keyframes { frames: vec![(0, tip.clone())], tip, applied: 0, every: events_per_keyframe(node_count, link_count) };
        keyframes.extend(events);
        keyframes
    }

    /// Take in the events after the ones already applied (`events` is the same
    /// trace, grown): the same keyframes as `build` over the whole trace.
    pub fn extend(&mut self, events: &[TraceEvent]) {
        for (i, e) in events.iter().enumerate().skip(self.applied) {
            self.tip.apply(e);
            if (i + 1) % self.every == 0 {
                self.frames.push((i + 1, self.tip.clone()));
            }
        }
        self.applied = self.applied.max(events.len());
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The state after every event at or before `t_us`.
    pub fn state_at(&self, events: &[TraceEvent], t_us: u64) -> Snapshot {
        // Events applied through index i all have at_us <= t: the last keyframe whose
        // last applied event is not after t.
        let k = self.frames.partition_point(|(idx, _)| *idx == 0 || events[idx - 1].at_us() <= t_us);
        let (start, snapshot) = &self.frames[k.saturating_sub(1)];
        let mut state = snapshot.clone();
        for e in events[*start..].iter().take_while(|e| e.at_us() <= t_us) {
            state.apply(e);
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{GroupId, NodeId};

    #[test]
    fn seeking_matches_replaying_from_zero() {
        let mut events = vec![];
        for i in 0..2_000u64 {
            let role = if i % 3 == 0 { Role::Active } else { Role::Passive };
            events.push(TraceEvent::Role { at_us: i * 10, node: NodeId((i % 4) as u32), group: GroupId(0), role, epoch: Epoch { term: i as u32, node: 0 } });
        }
        let kf = Keyframes::build(&events, 4, 0);
        assert!(kf.len() > 5);
        for t in [0, 5, 10, 2_555, 10_000, 19_990, 50_000] {
            let mut slow = Snapshot::initial(4, 0);
            for e in events.iter().take_while(|e| e.at_us() <= t) {
                slow.apply(e);
            }
            assert_eq!(kf.state_at(&events, t), slow, "t={t}");
        }
    }

    #[test]
    fn extending_part_by_part_gives_the_keyframes_of_the_whole() {
        let events: Vec<_> = (0..3_000u64)
            .map(|i| TraceEvent::Health { at_us: i * 7, node: NodeId((i % 5) as u32), health: if i % 2 == 0 { Health::Crashed } else { Health::Up } })
            .collect();
        let whole = Keyframes::build(&events, 5, 0);
        let mut parts = Keyframes::build(&events[..1_000], 5, 0);
        parts.extend(&events[..1_001]);
        parts.extend(&events);
        assert_eq!(parts.frames, whole.frames);
        for t in [0, 6_999, 7_000, 20_993] {
            assert_eq!(parts.state_at(&events, t), whole.state_at(&events, t), "t={t}");
        }
    }

    #[test]
    fn big_snapshots_are_taken_less_often() {
        let events: Vec<_> = (0..300_000u64)
            .map(|i| TraceEvent::Link { at_us: i, link: crate::ids::LinkId((i % 100_000) as u32), status: crate::net::LinkStatus::Gray })
            .collect();
        let kf = Keyframes::build(&events, 1_000, 100_000);
        // One snapshot (112 kB) per 112,000 events: about a byte per event.
        assert_eq!(kf.len(), 3);
        assert_eq!(kf.state_at(&events, 250_000).link[50_000], crate::net::LinkStatus::Gray);
    }
}
