//! What Raft servers send each other, and the timers a server sets.

use crate::model::msg::{inbox, message_family, timer_enum, ServiceMsg};

message_family! {
    /// Messages between Raft servers. Terms and indexes are `u32` so the message
    /// stays small enough to queue inline; an append carries a run of entries that
    /// all have the same term (the leader splits a batch at a term boundary).
    pub enum RaftMsg {
        /// `pre`: a pre-vote for `term` (the sender's term + 1), which changes nobody's term.
        RequestVote { term: u32, last_index: u32, last_term: u32, pre: bool } = "request-vote",
        Vote { term: u32, granted: bool, pre: bool } = "vote",
        /// Entries `prev_index + 1 ..= prev_index + count`, all of term `entry_term`.
        Append { term: u32, prev_index: u32, prev_term: u32, count: u32, entry_term: u32, commit: u32 } = "append",
        /// `index`: on success the last index now known to match; on failure a hint
        /// (the follower's last index) so the leader backs up in one step.
        AppendReply { term: u32, success: bool, index: u32 } = "append-reply",
        /// etcd's `MsgHeartbeat`: no entries, only the leader's term and a commit
        /// index capped at what this follower is known to hold.
        Heartbeat { term: u32, commit: u32 } = "heartbeat",
        /// etcd's `MsgHeartbeatResp`: tells the leader the follower is alive, so it
        /// can send the entries the follower lacks (catch-up costs a round trip).
        HeartbeatReply { term: u32 } = "heartbeat-reply",
    }
}

inbox! {
    /// What a Raft server receives: its peers' messages and client requests.
    pub enum RaftInbox {
        Raft(RaftMsg),
        Service(ServiceMsg),
    }
}

timer_enum! {
    /// Timer slots of a Raft server.
    pub enum RaftTimer {
        /// Follower / candidate: no leader heard for a randomised election timeout.
        Election,
        /// Leader: send the next round of appends (heartbeats).
        Heartbeat,
        /// Leader with CheckQuorum: once per election timeout, step down without a majority.
        Quorum,
        /// The oldest pending stable-storage write is done: send what waited for it.
        Persist,
    }
}
