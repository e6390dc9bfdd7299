//! Everything that travels between nodes, and every timer a model can set.
//! Plain `Copy` enums: the queue stores them inline, so the hot path never allocates.

/// Why a server did not serve a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyStatus {
    Ok,
    /// This node is not the one accepting writes; the client tries another.
    NotActive,
    /// The node is overloaded or the write could not be made durable in time.
    Unavailable,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    /// A client request; `write_id` is 0 for a read.
    Request { req: u32, write_id: u64 },
    Reply { req: u32, status: ReplyStatus },
    /// Cluster-manager heartbeat. `base_len` is the log length at which the
    /// sender's epoch began: everything a deposed active wrote past it is divergent.
    Heartbeat { epoch: u64, active: bool, log_len: u64, base_len: u64 },
    /// One replicated write at `index` of the active's log.
    Replicate { epoch: u64, index: u64, write_id: u64 },
    ReplicateAck { epoch: u64, index: u64 },
    /// A replica asks the active to resend its log from `from_index`.
    SyncRequest { epoch: u64, from_index: u64 },
}

/// Frame/trace code of a message kind; mirrored in `www/lib/frame-layout.js`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum MsgKind {
    Request = 0,
    Reply = 1,
    Heartbeat = 2,
    Replicate = 3,
    ReplicateAck = 4,
    SyncRequest = 5,
}

impl MsgKind {
    pub const NAMES: [&'static str; 6] = ["request", "reply", "heartbeat", "replicate", "replicate-ack", "sync-request"];

    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

impl Msg {
    pub fn kind(&self) -> MsgKind {
        match self {
            Msg::Request { .. } => MsgKind::Request,
            Msg::Reply { .. } => MsgKind::Reply,
            Msg::Heartbeat { .. } => MsgKind::Heartbeat,
            Msg::Replicate { .. } => MsgKind::Replicate,
            Msg::ReplicateAck { .. } => MsgKind::ReplicateAck,
            Msg::SyncRequest { .. } => MsgKind::SyncRequest,
        }
    }
}

/// Timers. Each has a slot; setting a timer replaces the pending one in its slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Send the next heartbeat.
    Heartbeat,
    /// Check whether peers have been silent for longer than the dead time.
    PeerCheck,
    /// A client issues its next request.
    Issue,
    /// A client checks outstanding requests for time-outs and due retries.
    Sweep,
}

pub const TIMER_SLOTS: usize = 4;

impl Timer {
    pub fn slot(self) -> usize {
        match self {
            Timer::Heartbeat => 0,
            Timer::PeerCheck => 1,
            Timer::Issue => 2,
            Timer::Sweep => 3,
        }
    }
}

/// Operator commands delivered by timeline actions; each model handles the ones it knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Stop acting on heartbeat loss (cluster-manager maintenance mode).
    MaintenanceOn,
    MaintenanceOff,
    /// Make this node the active one of its group (after a human decided it is the true primary).
    ForceActive,
    /// Make this node passive and resync it from the active.
    ForcePassive,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_stay_small_enough_to_queue_inline() {
        assert!(std::mem::size_of::<Msg>() <= 40, "{}", std::mem::size_of::<Msg>());
    }
}
