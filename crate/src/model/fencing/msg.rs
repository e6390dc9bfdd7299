//! Messages and timers of fence devices and of votes.

use crate::ids::NodeId;
use crate::model::msg::{message_family, timer_enum};

message_family! {
    /// STONITH: power requests to a fence device and its confirmations.
    pub enum FenceMsg {
        /// Power `target` off. `op` identifies the requester's fencing operation.
        PowerOff { target: NodeId, op: u32 } = "fence-request",
        /// The device reports `target` powered off.
        PoweredOff { target: NodeId, op: u32 } = "fence-done",
    }
}

message_family! {
    /// Votes: a member asks for a vote in `term` (the term it holds, to keep
    /// its vote, or the next one, to take over); the voter answers.
    pub enum VoteMsg {
        VoteRequest { term: u32 } = "vote-request",
        /// The answer for `term`. `voter_term`: the newest term the voter has
        /// voted in or follows, so a refused member knows which term to ask for next.
        Vote { term: u32, granted: bool, voter_term: u32 } = "vote",
    }
}

timer_enum! {
    /// Timer slots of a fence device.
    pub enum FenceTimer {
        /// The next queued power-off is due.
        PowerOffDue,
    }
}
