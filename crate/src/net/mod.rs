//! Delivery of messages between nodes over named planes. The network never looks
//! inside a message: a plane, two endpoints and a size are all it needs.

pub mod cut;
pub mod device;
pub mod link;
pub mod streams;

use crate::engine::time::SimTime;
use crate::ids::{DeviceId, LinkId, NodeId, PlaneId};
pub use device::{Device, DeviceFault};
pub use link::Link;
pub use streams::LinkStreams;

/// Why a message did not arrive. Recorded in the trace so the stage can draw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drop {
    /// No link between the two nodes on that plane.
    NoRoute,
    /// The link is cut in that direction.
    Cut,
    /// A device on the path dropped it (gray failure or dead switch).
    Device(DeviceId),
    /// Random loss on the link.
    Loss,
}

/// How a link looks at one moment, for monitors and drawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum LinkStatus {
    Up = 0,
    /// Carrier down: both ends can see the link is gone.
    Cut = 1,
    /// Carrier up but a device on the path drops traffic: nobody can tell from link state.
    Gray = 2,
    /// Lossy or queueing: traffic arrives, late or not always.
    Degraded = 3,
}

pub struct Network {
    pub planes: Vec<String>,
    pub devices: Vec<Device>,
    pub links: Vec<Link>,
    node_count: u32,
    /// Sparse routing: the links leaving each (plane, sender), sorted by receiver,
    /// in `route[row_start[row]..row_start[row + 1]]` with `row = plane × nodes + from`.
    /// Memory grows with planes × nodes + links (never nodes², which for 10,000
    /// nodes on 64 planes would be 51 GB), and a lookup is a binary search in a
    /// row as long as the sender's neighbour count.
    row_start: Vec<u32>,
    route: Vec<(NodeId, LinkId)>,
}

impl Network {
    pub fn new(planes: Vec<String>, devices: Vec<Device>, links: Vec<Link>, node_count: u32) -> Network {
        // Rows counted in u64 first: planes ≤ 64 and nodes ≤ 10,000 (scenario/cost.rs),
        // so the product fits a u32 on every target.
        let rows = u32::try_from(planes.len() as u64 * u64::from(node_count)).expect("planes × nodes fits in u32 (scenario/cost.rs)");
        let row_of = |l: &Link| l.plane.0 as u32 * node_count + l.from.0;
        let keyed: Vec<(u32, NodeId, LinkId)> = links
            .iter()
            .enumerate()
            .filter(|(_, l)| l.plane.index() < planes.len() && l.from.0 < node_count && l.to.0 < node_count)
            .map(|(i, l)| (row_of(l), l.to, LinkId(i as u32)))
            .collect();
        // By row, then destination, then link id.
        let keys: Vec<(u64, u64)> = keyed.iter().map(|&(row, to, id)| (u64::from(row) << 32 | u64::from(to.0), u64::from(id.0))).collect();
        let mut keyed = crate::order::permute(keyed, &crate::order::order_by(&keys));
        // Two links for one (plane, from, to): the later one carries the traffic
        // (the resolver refuses such files; tests may still build them).
        keyed.dedup_by(|later, earlier| {
            let same = (later.0, later.1) == (earlier.0, earlier.1);
            if same {
                earlier.2 = later.2;
            }
            same
        });
        let mut row_start = vec![0u32; rows as usize + 1];
        for &(row, _, _) in &keyed {
            row_start[row as usize + 1] += 1;
        }
        for r in 0..rows as usize {
            row_start[r + 1] += row_start[r];
        }
        let route = keyed.into_iter().map(|(_, to, id)| (to, id)).collect();
        Network { planes, devices, links, node_count, row_start, route }
    }

    pub fn link_between(&self, from: NodeId, to: NodeId, plane: PlaneId) -> Option<LinkId> {
        if plane.index() >= self.planes.len() || from.0 >= self.node_count || to.0 >= self.node_count {
            return None;
        }
        let row = plane.index() * self.node_count as usize + from.index();
        let out = &self.route[self.row_start[row] as usize..self.row_start[row + 1] as usize];
        out.binary_search_by_key(&to, |&(t, _)| t).ok().map(|i| out[i].1)
    }

    /// Decide the fate of one message sent now: its arrival time, or why it is
    /// lost. Each draw comes from the stream of the link (or of the device on
    /// the link) it is about, never from a shared one.
    pub fn transmit(
        &mut self,
        now: SimTime,
        from: NodeId,
        to: NodeId,
        plane: PlaneId,
        bytes: u64,
        streams: &mut LinkStreams,
    ) -> (Option<LinkId>, Result<SimTime, Drop>) {
        let Some(id) = self.link_between(from, to, plane) else {
            return (None, Err(Drop::NoRoute));
        };
        let link = &self.links[id.index()];
        if link.cut {
            return (Some(id), Err(Drop::Cut));
        }
        for (position, &d) in link.via.iter().enumerate() {
            if let Some(fault) = &self.devices[d.index()].fault {
                if fault.affects(from, to, plane) && streams.device(id, position).chance_ppm(fault.drop_ppm) {
                    return (Some(id), Err(Drop::Device(d)));
                }
            }
        }
        let rng = streams.link(id);
        if rng.chance_ppm(link.total_loss_ppm()) {
            return (Some(id), Err(Drop::Loss));
        }
        let link = &mut self.links[id.index()];
        (Some(id), Ok(link.schedule(now, bytes, rng)))
    }

    /// What an observer would see on this link right now.
    pub fn status(&self, id: LinkId, now: SimTime) -> LinkStatus {
        let link = &self.links[id.index()];
        if link.cut {
            return LinkStatus::Cut;
        }
        let mut gray = false;
        for &d in &link.via {
            if let Some(f) = &self.devices[d.index()].fault {
                if f.drop_ppm > 0 && f.affects(link.from, link.to, link.plane) {
                    if !f.carrier_up && f.drop_ppm >= 1_000_000 {
                        return LinkStatus::Cut;
                    }
                    gray = true;
                }
            }
        }
        if gray {
            LinkStatus::Gray
        } else if link.total_loss_ppm() > 0 || link.netem_delay_us > 0 || link.queueing(now) {
            LinkStatus::Degraded
        } else {
            LinkStatus::Up
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn full_mesh(n: u32, planes: &[&str], via: Vec<DeviceId>) -> Network {
        let mut links = vec![];
        for p in 0..planes.len() as u8 {
            for a in 0..n {
                for b in 0..n {
                    if a != b {
                        links.push(Link {
                            from: NodeId(a),
                            to: NodeId(b),
                            plane: PlaneId(p),
                            latency_us: 100,
                            jitter_us: 0,
                            loss_ppm: 0,
                            bandwidth_bytes_per_s: 0,
                            via: via.clone(),
                            cut: false,
                            netem_loss_ppm: 0,
                            netem_delay_us: 0,
                            busy_until_us: 0,
                            last_arrival_us: 0,
                        });
                    }
                }
            }
        }
        let devices = vec![Device { name: "sw".into(), fault: None }];
        Network::new(planes.iter().map(|s| s.to_string()).collect(), devices, links, n)
    }

    /// Streams for `net` with nodes named n0, n1, ...
    pub(crate) fn streams(net: &Network, seed: u64) -> LinkStreams {
        let names: Vec<String> = (0..net.node_count).map(|i| format!("n{i}")).collect();
        LinkStreams::new(seed, net, &names)
    }

    #[test]
    fn delivers_after_latency() {
        let mut net = full_mesh(2, &["data"], vec![]);
        let mut rng = streams(&net, 1);
        let (_, r) = net.transmit(10, NodeId(0), NodeId(1), PlaneId(0), 100, &mut rng);
        assert_eq!(r, Ok(110));
    }

    #[test]
    fn missing_plane_or_link_is_no_route() {
        let mut net = full_mesh(2, &["data"], vec![]);
        let mut rng = streams(&net, 1);
        assert_eq!(net.transmit(0, NodeId(0), NodeId(1), PlaneId(1), 1, &mut rng).1, Err(Drop::NoRoute));
        assert_eq!(net.transmit(0, NodeId(0), NodeId(0), PlaneId(0), 1, &mut rng).1, Err(Drop::NoRoute));
    }

    #[test]
    fn loss_rate_is_close_to_configured() {
        let mut net = full_mesh(2, &["data"], vec![]);
        net.links[0].loss_ppm = 100_000; // 10%
        let mut rng = streams(&net, 7);
        let lost = (0..100_000)
            .filter(|_| net.transmit(0, NodeId(0), NodeId(1), PlaneId(0), 1, &mut rng).1 == Err(Drop::Loss))
            .count();
        assert!((9_400..10_600).contains(&lost), "{lost}");
    }

    #[test]
    fn gray_device_drops_only_listed_pairs_and_planes_with_carrier_up() {
        let mut net = full_mesh(3, &["data", "cluster"], vec![DeviceId(0)]);
        net.devices[0].fault = Some(DeviceFault {
            drop_ppm: 1_000_000,
            plane_mask: 1 << 1,
            pairs: vec![(NodeId(0), NodeId(2))],
            carrier_up: true,
        });
        let mut rng = streams(&net, 1);
        let on = |net: &mut Network, rng: &mut LinkStreams, a, b, p| net.transmit(0, NodeId(a), NodeId(b), PlaneId(p), 1, rng).1;
        assert_eq!(on(&mut net, &mut rng, 0, 2, 1), Err(Drop::Device(DeviceId(0))));
        assert!(on(&mut net, &mut rng, 2, 0, 1).is_ok(), "one direction only");
        assert!(on(&mut net, &mut rng, 0, 2, 0).is_ok(), "data plane untouched");
        assert!(on(&mut net, &mut rng, 0, 1, 1).is_ok(), "other pairs untouched");
        let l = net.link_between(NodeId(0), NodeId(2), PlaneId(1)).unwrap();
        assert_eq!(net.status(l, 0), LinkStatus::Gray);
    }

    /// Common random numbers: the fates on one link do not depend on how much
    /// traffic other links carry, even through the same gray-failing device.
    #[test]
    fn traffic_on_one_link_leaves_another_links_draws_alone() {
        let fates = |extra_on_other: usize| {
            let mut net = full_mesh(3, &["data"], vec![DeviceId(0)]);
            for l in net.links.iter_mut() {
                l.loss_ppm = 200_000;
                l.jitter_us = 500;
            }
            net.devices[0].fault = Some(DeviceFault { drop_ppm: 300_000, plane_mask: u64::MAX, pairs: vec![], carrier_up: true });
            let mut s = streams(&net, 11);
            let mut seen = vec![];
            for t in 0..2_000u64 {
                for _ in 0..extra_on_other {
                    net.transmit(t * 1_000, NodeId(1), NodeId(2), PlaneId(0), 10, &mut s);
                }
                seen.push(net.transmit(t * 1_000, NodeId(0), NodeId(1), PlaneId(0), 10, &mut s).1);
            }
            seen
        };
        let quiet = fates(0);
        assert_eq!(quiet, fates(3), "busier 1->2 moved 0->1's loss, jitter or device drops");
        assert!(quiet.iter().any(|f| *f == Err(Drop::Loss)) && quiet.iter().any(|f| matches!(f, Err(Drop::Device(_)))));
        assert!(quiet.iter().any(|f| f.is_ok()));
    }

    #[test]
    fn sparse_routing_finds_every_link_and_nothing_else() {
        let net = full_mesh(5, &["data", "cluster", "mgmt"], vec![]);
        for (i, l) in net.links.iter().enumerate() {
            assert_eq!(net.link_between(l.from, l.to, l.plane), Some(LinkId(i as u32)));
        }
        assert_eq!(net.link_between(NodeId(2), NodeId(2), PlaneId(1)), None);
        assert_eq!(net.link_between(NodeId(5), NodeId(1), PlaneId(0)), None);
        assert_eq!(net.link_between(NodeId(1), NodeId(2), PlaneId(3)), None);
    }

    #[test]
    fn many_nodes_on_many_planes_need_no_square_table() {
        // 10,000 nodes on 64 planes: a dense table would be 6.4e9 cells.
        let net = Network::new((0..64).map(|p| format!("p{p}")).collect(), vec![], vec![], 10_000);
        assert_eq!(net.row_start.len(), 640_001);
        assert_eq!(net.link_between(NodeId(9_999), NodeId(0), PlaneId(63)), None);
    }
}
