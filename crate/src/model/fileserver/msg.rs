//! Messages and timers of the GitHub 2012 models: fileserver pairs (cluster
//! manager + DRBD-like replication) and the operators (`Msg::Gh`). Fence
//! devices and the witness speak their own families (`model/fencing`).

use crate::ids::NodeId;
use crate::model::fencing::{FenceMsg, VoteMsg};
use crate::model::msg::{inbox, message_family, timer_enum, ServiceMsg};

/// Generations (epochs) are `term << 12 | node id`: a newer term always wins,
/// and two nodes promoting in the same term still order their claims.
pub const EPOCH_NODE_BITS: u32 = 12;

pub fn epoch_of(term: u32, me: NodeId) -> u32 {
    (term << EPOCH_NODE_BITS) | (me.0 & ((1 << EPOCH_NODE_BITS) - 1))
}

pub fn term_of(epoch: u32) -> u32 {
    epoch >> EPOCH_NODE_BITS
}

message_family! {
    pub enum GhMsg {
        /// Cluster heartbeat to the peer.
        /// `base_len`: log length where the sender's generation began.
        Heartbeat { epoch: u32, active: bool, log_len: u32, base_len: u32 } = "fs-heartbeat",
        /// One replicated block write at `index` of the active's log.
        Replicate { epoch: u32, index: u32, write_id: u64 } = "drbd-replicate",
        /// `refused`: the receiver holds the newer generation `epoch`, which began at
        /// log length `index`; the sender is stale (generation checks only).
        ReplicateAck { epoch: u32, index: u32, refused: bool } = "drbd-ack",
        /// A replica asks the active to resend its log from `from_index`.
        SyncRequest { epoch: u32, from_index: u32 } = "drbd-sync",
        /// An operator asks a node for its state (reading its logs).
        Inspect = "inspect",
        InspectReply { epoch: u32, log_len: u32, base_len: u32, last_active_ms: u32, active: bool } = "inspect-reply",
        /// An operator names the true active (`active`) or the one to resync, which keeps
        /// only its first `keep_len` writes; both move to generation term `term`.
        Resume { active: bool, keep_len: u32, term: u32 } = "resume",
    }
}

inbox! {
    /// What a fileserver receives: client requests, its peer's and the
    /// operators' messages, the fence devices' confirmations and the witness's votes.
    pub enum FsInbox {
        Service(ServiceMsg),
        Gh(GhMsg),
        Fence(FenceMsg),
        Vote(VoteMsg),
    }
}

timer_enum! {
    /// Timer slots. Each node runs one model, but the slots are kept distinct anyway.
    pub enum GhTimer {
        /// Fileserver: send a heartbeat and check the peer.
        Heartbeat,
        /// Fileserver: the current fencing attempt timed out.
        FenceTimeout,
        /// Fileserver: the oldest write waiting for the peer's ack timed out.
        Replication,
        /// Operators: the current step of the runbook is done.
        OpsStep,
    }
}
