//! Devices (switches) that links pass through. A device fault is data: which
//! traffic it drops, on which planes, between which node pairs, and whether the
//! links still look up to their endpoints (a gray failure) or go dark (a clean cut).

use crate::ids::{NodeId, PlaneId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceFault {
    /// Chance that a packet through the device is dropped, parts per million.
    pub drop_ppm: u32,
    /// Bit i set: plane i is affected. All bits set: every plane.
    pub plane_mask: u64,
    /// Directed (from, to) pairs affected; empty means all traffic through the device.
    pub pairs: Vec<(NodeId, NodeId)>,
    /// True when the links keep their carrier while traffic is dropped: the
    /// endpoints cannot tell anything is wrong from link state (a gray failure).
    pub carrier_up: bool,
}

impl DeviceFault {
    pub fn affects(&self, from: NodeId, to: NodeId, plane: PlaneId) -> bool {
        if self.plane_mask & (1u64 << plane.0) == 0 {
            return false;
        }
        self.pairs.is_empty() || self.pairs.iter().any(|&(a, b)| a == from && b == to)
    }
}

#[derive(Clone, Debug)]
pub struct Device {
    pub name: String,
    pub fault: Option<DeviceFault>,
}
