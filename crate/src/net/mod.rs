//! Delivery of messages between nodes over named planes. The network never looks
//! inside a message: a plane, two endpoints and a size are all it needs.

pub mod cut;
pub mod device;
pub mod link;

use crate::engine::rng::Rng;
use crate::engine::time::SimTime;
use crate::ids::{DeviceId, LinkId, NodeId, PlaneId};
pub use device::{Device, DeviceFault};
pub use link::Link;

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
    /// Dense (plane, from, to) -> link table; small scenarios, fast lookups.
    route: Vec<Option<LinkId>>,
}

impl Network {
    pub fn new(planes: Vec<String>, devices: Vec<Device>, links: Vec<Link>, node_count: u32) -> Network {
        let cells = planes.len() * node_count as usize * node_count as usize;
        let mut route = vec![None; cells];
        for (i, l) in links.iter().enumerate() {
            let slot = Self::slot(node_count, l.plane, l.from, l.to);
            route[slot] = Some(LinkId(i as u32));
        }
        Network { planes, devices, links, node_count, route }
    }

    fn slot(node_count: u32, plane: PlaneId, from: NodeId, to: NodeId) -> usize {
        let n = node_count as usize;
        (plane.index() * n + from.index()) * n + to.index()
    }

    pub fn link_between(&self, from: NodeId, to: NodeId, plane: PlaneId) -> Option<LinkId> {
        if plane.index() >= self.planes.len() || from.0 >= self.node_count || to.0 >= self.node_count {
            return None;
        }
        self.route[Self::slot(self.node_count, plane, from, to)]
    }

    /// Decide the fate of one message sent now: its arrival time, or why it is lost.
    pub fn transmit(
        &mut self,
        now: SimTime,
        from: NodeId,
        to: NodeId,
        plane: PlaneId,
        bytes: u64,
        rng: &mut Rng,
    ) -> (Option<LinkId>, Result<SimTime, Drop>) {
        let Some(id) = self.link_between(from, to, plane) else {
            return (None, Err(Drop::NoRoute));
        };
        let link = &self.links[id.index()];
        if link.cut {
            return (Some(id), Err(Drop::Cut));
        }
        for &d in &link.via {
            if let Some(fault) = &self.devices[d.index()].fault {
                if fault.affects(from, to, plane) && rng.chance_ppm(fault.drop_ppm) {
                    return (Some(id), Err(Drop::Device(d)));
                }
            }
        }
        if rng.chance_ppm(link.loss_ppm) {
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
        } else if link.loss_ppm > 0 || link.backlog_us(now) > link.latency_us.max(1_000) {
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

    #[test]
    fn delivers_after_latency() {
        let mut net = full_mesh(2, &["data"], vec![]);
        let mut rng = Rng::for_component(1, 1);
        let (_, r) = net.transmit(10, NodeId(0), NodeId(1), PlaneId(0), 100, &mut rng);
        assert_eq!(r, Ok(110));
    }

    #[test]
    fn missing_plane_or_link_is_no_route() {
        let mut net = full_mesh(2, &["data"], vec![]);
        let mut rng = Rng::for_component(1, 1);
        assert_eq!(net.transmit(0, NodeId(0), NodeId(1), PlaneId(1), 1, &mut rng).1, Err(Drop::NoRoute));
        assert_eq!(net.transmit(0, NodeId(0), NodeId(0), PlaneId(0), 1, &mut rng).1, Err(Drop::NoRoute));
    }

    #[test]
    fn loss_rate_is_close_to_configured() {
        let mut net = full_mesh(2, &["data"], vec![]);
        net.links[0].loss_ppm = 100_000; // 10%
        let mut rng = Rng::for_component(7, 1);
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
        let mut rng = Rng::for_component(1, 1);
        let on = |net: &mut Network, rng: &mut Rng, a, b, p| net.transmit(0, NodeId(a), NodeId(b), PlaneId(p), 1, rng).1;
        assert_eq!(on(&mut net, &mut rng, 0, 2, 1), Err(Drop::Device(DeviceId(0))));
        assert!(on(&mut net, &mut rng, 2, 0, 1).is_ok(), "one direction only");
        assert!(on(&mut net, &mut rng, 0, 2, 0).is_ok(), "data plane untouched");
        assert!(on(&mut net, &mut rng, 0, 1, 1).is_ok(), "other pairs untouched");
        let l = net.link_between(NodeId(0), NodeId(2), PlaneId(1)).unwrap();
        assert_eq!(net.status(l, 0), LinkStatus::Gray);
    }
}
