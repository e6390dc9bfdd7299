//! What Raft servers send each other, and the timers a server sets.

/// Messages between Raft servers. Terms and indexes are `u32` so the message
/// stays small enough to queue inline; an append carries a run of entries that
/// all have the same term (the leader splits a batch at a term boundary).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaftMsg {
    /// `pre`: a pre-vote for `term` (the sender's term + 1), which changes nobody's term.
    RequestVote { term: u32, last_index: u32, last_term: u32, pre: bool },
    Vote { term: u32, granted: bool, pre: bool },
    /// Entries `prev_index + 1 ..= prev_index + count`, all of term `entry_term`.
    Append { term: u32, prev_index: u32, prev_term: u32, count: u32, entry_term: u32, commit: u32 },
    /// `index`: on success the last index now known to match; on failure a hint
    /// (the follower's last index) so the leader backs up in one step.
    AppendReply { term: u32, success: bool, index: u32 },
    /// etcd's `MsgHeartbeat`: no entries, only the leader's term and a commit
    /// index capped at what this follower is known to hold.
    Heartbeat { term: u32, commit: u32 },
    /// etcd's `MsgHeartbeatResp`: tells the leader the follower is alive, so it
    /// can send the entries the follower lacks (catch-up costs a round trip).
    HeartbeatReply { term: u32 },
}

impl RaftMsg {
    pub const KIND_NAMES: [&'static str; 6] = ["request-vote", "vote", "append", "append-reply", "heartbeat", "heartbeat-reply"];
    pub fn kind(&self) -> u8 {
        match self {
            RaftMsg::RequestVote { .. } => 0,
            RaftMsg::Vote { .. } => 1,
            RaftMsg::Append { .. } => 2,
            RaftMsg::AppendReply { .. } => 3,
            RaftMsg::Heartbeat { .. } => 4,
            RaftMsg::HeartbeatReply { .. } => 5,
        }
    }
}

/// Timer slots of a Raft server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RaftTimer {
    /// Follower / candidate: no leader heard for a randomised election timeout.
    Election = 0,
    /// Leader: send the next round of appends (heartbeats).
    Heartbeat = 1,
    /// Leader with CheckQuorum: once per election timeout, step down without a majority.
    Quorum = 2,
    /// The oldest pending stable-storage write is done: send what waited for it.
    Persist = 3,
}
