//! What Elasticsearch nodes send each other, and the timers a node sets.

use super::state::ClusterState;
use crate::model::msg::{inbox, message_family, timer_enum, ServiceMsg};

/// What an operation in a primary -> copy stream is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    /// A new write being replicated.
    Live,
    /// Part of the primary's history sent to a recovering copy.
    History,
    /// End of the history: `seq` is its length.
    HistoryEnd,
}

message_family! {
    /// Messages between Elasticsearch nodes (at most ten kinds per family).
    /// Node references are indices into the cluster's node list (`state::NONE`).
    pub enum EsMsg {
        /// Discovery (`fd: false`): who is out there, whom do they follow? Fault
        /// detection (`fd: true`): the master checks a follower, a follower its master.
        Ping { term: u32, fd: bool } = "es-ping",
        /// `master`: whom the responder follows (itself when master). `ok`: for
        /// fault detection, the responder is (or follows) the sender as master.
        Pong { master: u8, term: u32, version: u32, ok: bool } = "es-pong",
        /// A candidate (voting configurations) asks for joins in a new term.
        StartJoin { term: u32, last_term: u32, last_version: u32 } = "es-start-join",
        /// Join the sender's cluster (Zen: my pick for master; 7.x: my vote in `term`).
        Join { term: u32 } = "es-join",
        Publish { state: ClusterState } = "es-publish",
        PublishAck { term: u32, version: u32 } = "es-publish-ack",
        /// Coordinating node -> primary: index this document for `client`'s
        /// request `req`; the primary answers the client directly.
        Index { client: u32, req: u32, shard: u8, write_id: u64 } = "es-index",
        /// Primary -> copy: operation `seq` of `shard`.
        Replicate { shard: u8, seq: u32, write_id: u64, kind: OpKind } = "es-replicate",
        ReplicaAck { shard: u8, seq: u32, ok: bool } = "es-replica-ack",
        /// A copy asks its primary for the history (`recovered: false`), or tells
        /// the master it has recovered and is in sync (`recovered: true`).
        Copy { shard: u8, recovered: bool } = "es-copy",
    }
}

inbox! {
    /// What an Elasticsearch node receives: its peers' messages and client requests.
    pub enum EsInbox {
        Es(EsMsg),
        Service(ServiceMsg),
    }
}

timer_enum! {
    /// Timer slots of an Elasticsearch node.
    pub enum EsTimer {
        /// Fault detection round (every ping interval).
        Fd,
        /// End of a discovery round, an election delay, or a join that went unanswered.
        Election,
        /// A publication not acknowledged by a quorum in time.
        Publish,
    }
}
