//! Acknowledged writes that did not survive: a write a client saw acknowledged
//! and that some node later discarded as divergent is lost.

use std::collections::BTreeMap;

use crate::ids::GroupId;
use crate::trace::event::TraceEvent;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct WritesReport {
    pub acked: u64,
    pub lost: u64,
    /// Discarded writes per group (divergent writes), acknowledged or not.
    pub divergent_by_group: Vec<u64>,
    /// The widest window of acknowledged data one discard threw away: from the
    /// ack of its first lost write to the ack of its last (the RPO of that episode).
    pub lost_window_us: Option<(u64, u64)>,
}

pub fn measure(events: &[TraceEvent], node_group: &[Option<GroupId>], group_count: usize) -> WritesReport {
    // write id -> ack time; BTreeMap so nothing depends on hash order.
    let mut acked: BTreeMap<u64, u64> = BTreeMap::new();
    // write id -> the discard episode (node, time) that first threw it away.
    let mut discarded: BTreeMap<u64, (u32, u64)> = BTreeMap::new();
    let mut divergent_by_group = vec![0; group_count];
    for e in events {
        match *e {
            TraceEvent::Acked { at_us, write_id, .. } => {
                acked.entry(write_id).or_insert(at_us);
            }
            TraceEvent::Discarded { at_us, node, write_id } => {
                if let std::collections::btree_map::Entry::Vacant(e) = discarded.entry(write_id) {
                    e.insert((node.0, at_us));
                    if let Some(Some(g)) = node_group.get(node.index()) {
                        divergent_by_group[g.index()] += 1;
                    }
                }
            }
            _ => {}
        }
    }
    let mut lost = 0;
    let mut episodes: BTreeMap<(u32, u64), (u64, u64)> = BTreeMap::new();
    for (id, &at) in &acked {
        if let Some(&episode) = discarded.get(id) {
            lost += 1;
            let w = episodes.entry(episode).or_insert((at, at));
            *w = (w.0.min(at), w.1.max(at));
        }
    }
    // Models that count lost writes instead of naming them report whole windows.
    for e in events {
        if let TraceEvent::DataLost { at_us, node, from_us, to_us, writes } = *e {
            lost += writes;
            episodes.insert((node.0, at_us), (from_us, to_us.max(from_us)));
        }
    }
    let window = episodes.into_values().max_by_key(|&(a, b)| (b - a, a));
    WritesReport { acked: acked.len() as u64, lost, divergent_by_group, lost_window_us: window }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::NodeId;

    #[test]
    fn acked_then_discarded_is_lost_and_unacked_discards_only_diverge() {
        let events = [
            TraceEvent::Acked { at_us: 5, node: NodeId(9), write_id: 1 },
            TraceEvent::Acked { at_us: 7, node: NodeId(9), write_id: 2 },
            TraceEvent::Acked { at_us: 9, node: NodeId(9), write_id: 3 },
            TraceEvent::Discarded { at_us: 20, node: NodeId(0), write_id: 2 },
            TraceEvent::Discarded { at_us: 20, node: NodeId(0), write_id: 3 },
            TraceEvent::Discarded { at_us: 20, node: NodeId(0), write_id: 4 },
            TraceEvent::Discarded { at_us: 21, node: NodeId(1), write_id: 4 },
        ];
        let groups = vec![Some(GroupId(0)), Some(GroupId(0))];
        let r = measure(&events, &groups, 1);
        assert_eq!(r.acked, 3);
        assert_eq!(r.lost, 2);
        assert_eq!(r.divergent_by_group, vec![3]);
        assert_eq!(r.lost_window_us, Some((7, 9)));
    }

    #[test]
    fn rpo_is_the_widest_single_episode_not_the_span_of_all() {
        let events = [
            TraceEvent::Acked { at_us: 100, node: NodeId(9), write_id: 1 },
            TraceEvent::Acked { at_us: 130, node: NodeId(9), write_id: 2 },
            TraceEvent::Discarded { at_us: 200, node: NodeId(0), write_id: 1 },
            TraceEvent::Discarded { at_us: 200, node: NodeId(0), write_id: 2 },
            TraceEvent::Acked { at_us: 900, node: NodeId(9), write_id: 3 },
            TraceEvent::Acked { at_us: 905, node: NodeId(9), write_id: 4 },
            TraceEvent::Discarded { at_us: 950, node: NodeId(1), write_id: 3 },
            TraceEvent::Discarded { at_us: 950, node: NodeId(1), write_id: 4 },
        ];
        let r = measure(&events, &[Some(GroupId(0)), Some(GroupId(0))], 1);
        assert_eq!(r.lost, 4);
        assert_eq!(r.lost_window_us, Some((100, 130)));
    }

    #[test]
    fn nothing_discarded_nothing_lost() {
        let events = [TraceEvent::Acked { at_us: 5, node: NodeId(0), write_id: 1 }];
        let r = measure(&events, &[None], 0);
        assert_eq!((r.acked, r.lost, r.lost_window_us), (1, 0, None));
    }
}
