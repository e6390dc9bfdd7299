//! Timeline actions after resolution: what the engine does at a scripted time.
//! Scenario files describe them by name; the resolver turns names into ids.

use crate::ids::{DeviceId, NodeId};
use crate::model::msg::Command;
use crate::net::cut::Planes;
use crate::net::DeviceFault;

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Note,
    Crash(NodeId),
    Restart(NodeId),
    Pause { node: NodeId, duration_us: u64 },
    PowerOff(NodeId),
    PowerOn(NodeId),
    /// The host's clock runs `ppm` slow from now on (negative: fast).
    ClockSkew { node: NodeId, ppm: i32 },
    /// The host's clock jumps by `by_us` (backwards when negative).
    ClockStep { node: NodeId, by_us: i64 },
    Cut { from: NodeId, to: NodeId, planes: Planes, both_ways: bool, cut: bool },
    Partition { groups: Vec<Vec<NodeId>>, planes: Planes },
    HealAll,
    DeviceFault { device: DeviceId, fault: Option<DeviceFault> },
    Command { nodes: Vec<NodeId>, command: Command },
    End,
}

#[derive(Clone, Debug)]
pub struct TimedAction {
    pub at_us: u64,
    pub action: Action,
    /// Index of the timeline step this came from (the chapter).
    pub step_index: u32,
}
