//! The network's random streams: one per directed link (loss and jitter) and
//! one per device on each link's path (gray-failure drops), each keyed by the
//! names of its endpoints, plane and device. Traffic on one link never moves
//! another link's draws, so changing one client's rate or adding a node leaves
//! the rest of the network's dice where they were.
//!
//! Held in flat vectors indexed by link id (and by a per-link offset for the
//! devices), so a transmission allocates nothing.

use super::Network;
use crate::engine::rng::{stream_name, Rng};
use crate::ids::LinkId;

pub struct LinkStreams {
    /// Loss and jitter of link i.
    link: Vec<Rng>,
    /// Drops by the devices on link i's path: `device[device_first[i] + k]` is
    /// the k-th device of `links[i].via`.
    device: Vec<Rng>,
    device_first: Vec<u32>,
}

impl LinkStreams {
    /// Streams for every link of `network` in run `seed`; `node_names` are
    /// indexed by node id.
    pub fn new(seed: u64, network: &Network, node_names: &[String]) -> LinkStreams {
        let name = |i: u32| node_names.get(i as usize).map_or("?", String::as_str);
        let mut link = Vec::with_capacity(network.links.len());
        let mut device = vec![];
        let mut device_first = Vec::with_capacity(network.links.len());
        for l in &network.links {
            let (from, to) = (name(l.from.0), name(l.to.0));
            let plane = network.planes.get(l.plane.index()).map_or("?", String::as_str);
            link.push(Rng::for_name(seed, &stream_name::link(from, to, plane)));
            device_first.push(device.len() as u32);
            for d in &l.via {
                let dev = network.devices.get(d.index()).map_or("?", |d| d.name.as_str());
                device.push(Rng::for_name(seed, &stream_name::device_on_link(dev, from, to, plane)));
            }
        }
        LinkStreams { link, device, device_first }
    }

    /// The loss-and-jitter stream of `id`.
    pub fn link(&mut self, id: LinkId) -> &mut Rng {
        &mut self.link[id.index()]
    }

    /// The stream of the `position`-th device on `id`'s path.
    pub fn device(&mut self, id: LinkId, position: usize) -> &mut Rng {
        &mut self.device[self.device_first[id.index()] as usize + position]
    }
}
