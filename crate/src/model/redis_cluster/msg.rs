//! What Redis Cluster nodes send each other on the cluster bus and the
//! replication link, and the timers a node sets.

use crate::model::msg::{inbox, message_family, timer_enum, ServiceMsg};

/// The header every cluster-bus packet carries (`clusterMsg` in the source):
/// what the sender believes about itself, plus its failure suspicions (Redis
/// gossips every node it holds in PFAIL; with at most 16 nodes the model sends
/// them all as a bit mask). Node references are indices into the cluster list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub current_epoch: u32,
    /// A master's own `configEpoch`; a replica sends its master's.
    pub config_epoch: u32,
    /// Whom the sender replicates (`NONE` for a master).
    pub master_of: u8,
    /// Slot ranges the sender serves as master, one bit per range.
    pub slots: u16,
    /// Nodes the sender holds in PFAIL or FAIL.
    pub suspects: u16,
    /// The sender's replication offset (writes it holds).
    pub offset: u32,
}

message_family! {
    /// Messages between Redis Cluster nodes (at most ten kinds per family).
    pub enum RcMsg {
        /// Cluster-bus heartbeat; answered with a `Pong` carrying the same kind of header.
        Ping { hdr: Header } = "rc-ping",
        Pong { hdr: Header } = "rc-pong",
        /// `node` reached FAIL (a majority of masters reported it): everyone marks it FAIL.
        Fail { node: u8, hdr: Header } = "rc-fail",
        /// A replica asks a master for its vote in `hdr.current_epoch` to replace
        /// its failed master (`FAILOVER_AUTH_REQUEST`); `hdr.slots` and
        /// `hdr.config_epoch` are the slots it claims and their epoch.
        AuthRequest { hdr: Header } = "rc-auth-request",
        /// The vote (`FAILOVER_AUTH_ACK`); a master refuses silently.
        AuthAck { epoch: u32 } = "rc-auth-ack",
        /// A client request for a slot this node does not serve, passed to the
        /// owner it knows: the `MOVED` redirection and the client's re-send in one hop.
        Forward { client: u32, req: u32, write_id: u64 } = "rc-forward",
        /// Master -> replica: write number `seq` of the master's data set, live
        /// or (`sync: true`) part of a full synchronisation.
        Repl { seq: u32, write_id: u64, sync: bool } = "rc-repl",
        /// End of a full synchronisation: the master's data set has `len` writes.
        SyncEnd { len: u32 } = "rc-sync-end",
        /// Replica -> master, every second (`REPLCONF ACK`): writes held. `full`:
        /// the replica needs a full synchronisation (`PSYNC ? -1`).
        ReplAck { offset: u32, full: bool } = "rc-repl-ack",
        /// Master -> replica every `repl-ping-replica-period`: the link is alive.
        ReplPing = "rc-repl-ping",
    }
}

inbox! {
    /// What a Redis Cluster node receives: its peers' messages and client requests.
    pub enum RcInbox {
        Rc(RcMsg),
        Service(ServiceMsg),
    }
}

timer_enum! {
    /// Timer slots of a Redis Cluster node.
    pub enum RcTimer {
        /// `clusterCron`, every 100 ms: pings, failure detection, cluster state,
        /// replication acks (every tenth tick).
        Cron,
        /// A replica's election: the delayed start, then the end of the vote window.
        Failover,
    }
}
