//! Cuts: one-way, two-way, and partitions between groups of nodes. Partial
//! partitions (A-B and B-C fine, A-C cut) are just two one-way cuts.

use super::Network;
use crate::ids::{NodeId, PlaneId};

/// Which planes a cut applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Planes {
    All,
    Only(Vec<PlaneId>),
}

impl Planes {
    fn contains(&self, p: PlaneId) -> bool {
        match self {
            Planes::All => true,
            Planes::Only(list) => list.contains(&p),
        }
    }
}

/// Cut or heal the direction `from -> to` on the given planes.
pub fn set_one_way(net: &mut Network, from: NodeId, to: NodeId, planes: &Planes, cut: bool) {
    for link in net.links.iter_mut() {
        if link.from == from && link.to == to && planes.contains(link.plane) {
            link.cut = cut;
        }
    }
}

/// Cut (or heal) every link between a node in one group and a node in another.
pub fn set_partition(net: &mut Network, groups: &[Vec<NodeId>], planes: &Planes, cut: bool) {
    let group_of = |n: NodeId| groups.iter().position(|g| g.contains(&n));
    for link in net.links.iter_mut() {
        if !planes.contains(link.plane) {
            continue;
        }
        if let (Some(a), Some(b)) = (group_of(link.from), group_of(link.to)) {
            if a != b {
                link.cut = cut;
            }
        }
    }
}

/// Set (or, with both zero, remove) a netem impairment on `from -> to`: it
/// replaces any earlier one there rather than adding to it.
pub fn set_netem(net: &mut Network, from: NodeId, to: NodeId, planes: &Planes, loss_ppm: u32, delay_us: u64) {
    for link in net.links.iter_mut() {
        if link.from == from && link.to == to && planes.contains(link.plane) {
            link.netem_loss_ppm = loss_ppm;
            link.netem_delay_us = delay_us;
        }
    }
}

/// Heal every cut link.
pub fn heal_all(net: &mut Network) {
    for link in net.links.iter_mut() {
        link.cut = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::tests::{full_mesh, streams};
    use crate::net::Drop;

    fn reach(net: &mut Network, a: u32, b: u32) -> bool {
        let mut rng = streams(net, 1);
        net.transmit(0, NodeId(a), NodeId(b), PlaneId(0), 1, &mut rng).1.is_ok()
    }

    #[test]
    fn one_way_cut_blocks_one_direction_only() {
        let mut net = full_mesh(2, &["data"], vec![]);
        set_one_way(&mut net, NodeId(0), NodeId(1), &Planes::All, true);
        assert!(!reach(&mut net, 0, 1));
        assert!(reach(&mut net, 1, 0));
        let mut rng = streams(&net, 1);
        assert_eq!(net.transmit(0, NodeId(0), NodeId(1), PlaneId(0), 1, &mut rng).1, Err(Drop::Cut));
    }

    #[test]
    fn partial_partition_cuts_only_the_middle_pair() {
        // A-B and B-C fine, A-C cut both ways.
        let mut net = full_mesh(3, &["data"], vec![]);
        set_one_way(&mut net, NodeId(0), NodeId(2), &Planes::All, true);
        set_one_way(&mut net, NodeId(2), NodeId(0), &Planes::All, true);
        assert!(reach(&mut net, 0, 1) && reach(&mut net, 1, 0));
        assert!(reach(&mut net, 1, 2) && reach(&mut net, 2, 1));
        assert!(!reach(&mut net, 0, 2) && !reach(&mut net, 2, 0));
    }

    #[test]
    fn partition_splits_groups_and_heals() {
        let mut net = full_mesh(4, &["data"], vec![]);
        let groups = vec![vec![NodeId(0), NodeId(1)], vec![NodeId(2), NodeId(3)]];
        set_partition(&mut net, &groups, &Planes::All, true);
        assert!(reach(&mut net, 0, 1) && reach(&mut net, 2, 3));
        assert!(!reach(&mut net, 0, 2) && !reach(&mut net, 3, 1));
        heal_all(&mut net);
        assert!(reach(&mut net, 0, 2) && reach(&mut net, 3, 1));
    }

    #[test]
    fn healing_a_partition_leaves_other_cuts() {
        let mut net = full_mesh(4, &["data"], vec![]);
        let groups = vec![vec![NodeId(0), NodeId(1)], vec![NodeId(2)]];
        set_partition(&mut net, &groups, &Planes::All, true);
        set_one_way(&mut net, NodeId(3), NodeId(0), &Planes::All, true);
        set_partition(&mut net, &groups, &Planes::All, false);
        assert!(reach(&mut net, 0, 2) && reach(&mut net, 2, 1));
        assert!(!reach(&mut net, 3, 0), "the one-way cut outside the partition stays");
    }

    #[test]
    fn cut_on_one_plane_leaves_others() {
        let mut net = full_mesh(2, &["data", "mgmt"], vec![]);
        set_one_way(&mut net, NodeId(0), NodeId(1), &Planes::Only(vec![PlaneId(1)]), true);
        assert!(reach(&mut net, 0, 1));
        let mut rng = streams(&net, 1);
        assert!(net.transmit(0, NodeId(0), NodeId(1), PlaneId(1), 1, &mut rng).1.is_err());
    }
}
