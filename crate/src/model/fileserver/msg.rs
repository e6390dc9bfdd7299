//! Messages and timers of the GitHub 2012 models: fileserver pairs (cluster
//! manager + DRBD-like replication), fence devices, the quorum witness and the
//! operators. Kind codes 20-29 (`Msg::Gh`).

use crate::ids::NodeId;

/// Generations (epochs) are `term << 12 | node id`: a newer term always wins,
/// and two nodes promoting in the same term still order their claims.
pub const EPOCH_NODE_BITS: u32 = 12;

pub fn epoch_of(term: u32, me: NodeId) -> u32 {
    (term << EPOCH_NODE_BITS) | (me.0 & ((1 << EPOCH_NODE_BITS) - 1))
}

pub fn term_of(epoch: u32) -> u32 {
    epoch >> EPOCH_NODE_BITS
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GhMsg {
    /// Cluster heartbeat to the peer (and to the witness when quorum is on).
    /// `base_len`: log length where the sender's generation began.
    Heartbeat { epoch: u32, active: bool, log_len: u32, base_len: u32 },
    /// One replicated block write at `index` of the active's log.
    Replicate { epoch: u32, index: u32, write_id: u64 },
    /// `refused`: the receiver holds the newer generation `epoch`, which began at
    /// log length `index`; the sender is stale (generation checks only).
    ReplicateAck { epoch: u32, index: u32, refused: bool },
    /// A replica asks the active to resend its log from `from_index`.
    SyncRequest { epoch: u32, from_index: u32 },
    /// STONITH: power `target` off. `op` identifies the fencing operation.
    FenceRequest { target: NodeId, op: u32 },
    /// The fence device reports `target` powered off.
    FenceDone { target: NodeId, op: u32 },
    /// The witness's answer to a heartbeat: whether this member holds its vote.
    WitnessVote { granted: bool },
    /// An operator asks a node for its state (reading its logs).
    Inspect,
    InspectReply { epoch: u32, log_len: u32, base_len: u32, last_active_ms: u32, active: bool },
    /// An operator names the true active (`active`) or the one to resync, which keeps
    /// only its first `keep_len` writes; both move to generation term `term`.
    Resume { active: bool, keep_len: u32, term: u32 },
}

impl GhMsg {
    pub const KIND_NAMES: [&'static str; 10] = [
        "fs-heartbeat",
        "drbd-replicate",
        "drbd-ack",
        "drbd-sync",
        "fence-request",
        "fence-done",
        "witness-vote",
        "inspect",
        "inspect-reply",
        "resume",
    ];

    pub fn kind(&self) -> u8 {
        match self {
            GhMsg::Heartbeat { .. } => 0,
            GhMsg::Replicate { .. } => 1,
            GhMsg::ReplicateAck { .. } => 2,
            GhMsg::SyncRequest { .. } => 3,
            GhMsg::FenceRequest { .. } => 4,
            GhMsg::FenceDone { .. } => 5,
            GhMsg::WitnessVote { .. } => 6,
            GhMsg::Inspect => 7,
            GhMsg::InspectReply { .. } => 8,
            GhMsg::Resume { .. } => 9,
        }
    }
}

/// Timer slots. Each node runs one model, but the slots are kept distinct anyway.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GhTimer {
    /// Fileserver: send a heartbeat and check the peer.
    Heartbeat = 0,
    /// Fileserver: the current fencing attempt timed out.
    FenceTimeout = 1,
    /// Fileserver: the oldest write waiting for the peer's ack timed out.
    Replication = 2,
    /// Fence device: the next queued power-off is due.
    FenceAction = 3,
    /// Operators: the current step of the runbook is done.
    OpsStep = 4,
}
