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
    /// `tc netem` on `from -> to` (and back): extra loss and delay; zeros remove it.
    Netem { from: NodeId, to: NodeId, planes: Planes, both_ways: bool, loss_ppm: u32, delay_us: u64 },
    /// Cut (or with `cut: false` heal) every link between nodes in different groups.
    Partition { groups: Vec<Vec<NodeId>>, planes: Planes, cut: bool },
    HealAll,
    DeviceFault { device: DeviceId, fault: Option<DeviceFault> },
    Command { nodes: Vec<NodeId>, command: Command },
    End,
}

/// What put an action on the run's timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Timeline step `.0` of the scenario file.
    Step(u32),
    /// Injected action `.0` (from the stage, the command line or the chaos monkey).
    Injected(u32),
}

#[derive(Clone, Debug)]
pub struct TimedAction {
    pub at_us: u64,
    pub action: Action,
    /// Where the action came from: a timeline step (the chapter) or an injected action.
    pub origin: Origin,
}
