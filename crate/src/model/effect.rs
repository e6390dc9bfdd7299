//! What a model asks the world to do. Models never touch the queue, the network
//! or other nodes: they push effects into a `Cx`, and the engine applies them.

use super::msg::{Msg, Timer};
use crate::engine::rng::Rng;
use crate::engine::time::SimTime;
use crate::ids::{GroupId, NodeId, PlaneId};

/// The part a node plays in its group, as monitors and the stage see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Role {
    /// Not part of a group (clients, devices).
    None = 0,
    /// Replica / standby / follower: serves no writes.
    Passive = 1,
    /// Asking for votes or waiting for fencing to confirm.
    Candidate = 2,
    /// Accepts writes for its group (active, primary, leader).
    Active = 3,
    /// Copying a full data set; serves nothing.
    Rebuilding = 4,
}

impl Role {
    pub const NAMES: [&'static str; 5] = ["none", "passive", "candidate", "active", "rebuilding"];
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// Orders concurrent claims to a role: a higher term wins; in one term the
/// node id breaks the tie. Shown as `term.node` in the timeline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Epoch {
    pub term: u32,
    pub node: u16,
}

impl Epoch {
    /// `node`'s claim in `term` (node ids are below 65,536: validation caps node counts far lower).
    pub fn new(term: u32, node: NodeId) -> Epoch {
        Epoch { term, node: node.0 as u16 }
    }

    /// The claim of the next term by `node`.
    pub fn next(self, node: NodeId) -> Epoch {
        Epoch::new(self.term + 1, node)
    }

    /// One word (`term << 16 | node`), for the digest.
    pub fn packed(self) -> u64 {
        (u64::from(self.term) << 16) | u64::from(self.node)
    }
}

impl std::fmt::Display for Epoch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.term, self.node)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Send { to: NodeId, plane: PlaneId, msg: Msg, bytes: u32 },
    SetTimer { timer: Timer, after_us: u64 },
    CancelTimer { timer: Timer },
    /// This node now plays `role` in `group` (`epoch` orders concurrent claims).
    Role { group: GroupId, role: Role, epoch: Epoch },
    /// A client received an acknowledgement for this write.
    Acked { write_id: u64 },
    /// A node threw away a write it had accepted (a divergent write).
    Discarded { write_id: u64 },
    /// A client request finished, well or badly, after `latency_us`.
    RequestDone { ok: bool, write: bool, latency_us: u64 },
    /// A model-defined time series (replication lag, data deleted, ...); the
    /// gauge id comes from `BuildCx::gauge` when the scenario is resolved.
    Gauge { gauge: u16, value: i64 },
    /// Acknowledged writes made between `from_us` and `to_us` are gone for good
    /// (`writes` of them): for models that count writes instead of naming each.
    DataLost { from_us: u64, to_us: u64, writes: u64 },
    /// Cut `target`'s power (a fence device executing STONITH). Recorded in the
    /// trace as the target's health change, like the timeline's `power_off`.
    PowerOff { target: NodeId },
    /// Power `target` back on; it restarts (a human at the console).
    PowerOn { target: NodeId },
    /// Arm this host's watchdog: unless kicked within `timeout_us` (true time),
    /// the host resets and the process restarts `boot_us` later.
    WatchdogArm { timeout_us: u64, boot_us: u64 },
    /// Kick the armed watchdog: its timeout starts over.
    WatchdogKick,
    /// Disarm it (a clean shutdown of the process that armed it).
    WatchdogStop,
}

/// The context a model handler runs in: the time, its own random stream, and an
/// output buffer for effects (reused across calls, so handlers do not allocate).
pub struct Cx<'a> {
    /// This host's clock (`engine/host.rs`): true time unless the scenario skews
    /// or steps it. Timers set through `Cx` run on it too.
    pub now_us: SimTime,
    /// The same host's monotonic clock: skewed like `now_us` but never
    /// stepped. Failure detectors measure silence on it.
    pub mono_us: SimTime,
    pub me: NodeId,
    pub rng: &'a mut Rng,
    pub out: &'a mut Vec<Effect>,
}

impl Cx<'_> {
    /// Send a message of any family (`HaMsg::Heartbeat { .. }` or a `Msg`).
    #[inline]
    pub fn send(&mut self, to: NodeId, plane: PlaneId, msg: impl Into<Msg>, bytes: u32) {
        self.out.push(Effect::Send { to, plane, msg: msg.into(), bytes });
    }
    #[inline]
    pub fn set_timer(&mut self, timer: impl Into<Timer>, after_us: u64) {
        self.out.push(Effect::SetTimer { timer: timer.into(), after_us });
    }
    #[inline]
    pub fn cancel_timer(&mut self, timer: impl Into<Timer>) {
        self.out.push(Effect::CancelTimer { timer: timer.into() });
    }
    pub fn emit(&mut self, effect: Effect) {
        self.out.push(effect);
    }
}
