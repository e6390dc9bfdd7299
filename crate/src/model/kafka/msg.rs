//! What ZooKeeper and Kafka brokers send each other, and their timers.
//! Brokers are named by their index in the cluster's broker list; `NONE` is no broker.

use crate::model::msg::{inbox, message_family, timer_enum, ServiceMsg};

/// No broker (no controller, no partition leader).
pub const NONE: u8 = u8::MAX;

/// What ZooKeeper holds, as a reply or a watch carries it: the controller
/// epoch znode (`/controller_epoch`, with its version), the ephemeral
/// `/controller` and `/brokers/ids/*` nodes, and the partition's state znode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZkView {
    pub controller_epoch: u32,
    /// Version of `/controller_epoch`: a write conditional on it fails once another controller took over.
    pub epoch_version: u32,
    pub controller: u8,
    /// Brokers with a live session, one bit per broker.
    pub alive: u8,
    pub partition: PartitionState,
}

/// A partition's leader, leader epoch and in-sync replicas (one bit per broker).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartitionState {
    pub leader: u8,
    pub leader_epoch: u32,
    pub isr: u8,
}

/// What a ZooKeeper reply answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZkOp {
    /// A session ping or registration (`ok`: the session is alive).
    Ping,
    /// A claim of `/controller` (`ok`: this broker is now the controller).
    Claim,
    /// A partition-state write (`ok`: it was applied).
    Write,
}

/// What a ZooKeeper watch reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watch {
    /// `/controller` was deleted (its owner's session expired): brokers race to claim it.
    ControllerGone,
    /// `/brokers/ids` changed (sent to the controller).
    BrokersChanged,
}

message_family! {
    /// ZooKeeper and Kafka broker messages (at most ten kinds per family).
    pub enum KafkaMsg {
        /// Broker -> ZooKeeper: keep session `session` alive, or open it if it is
        /// new (registering `/brokers/ids/N`); `claim`: also try to create `/controller`.
        Ping { session: u32, claim: bool } = "zk-ping",
        /// Broker -> ZooKeeper: set the partition's state, conditional on
        /// `/controller_epoch` still having version `epoch_version` (0: unconditional).
        Write { epoch_version: u32, state: PartitionState } = "zk-write",
        ZkReply { op: ZkOp, ok: bool, view: ZkView } = "zk-reply",
        ZkWatch { watch: Watch, view: ZkView } = "zk-watch",
        /// Controller -> replica: the partition's leader and ISR, decided in `controller_epoch`.
        LeaderAndIsr { controller_epoch: u32, state: PartitionState } = "leader-and-isr",
        /// Replica -> controller: refused, I have seen controller epoch
        /// `controller_epoch` (or a newer leader epoch): STALE_CONTROLLER_EPOCH.
        StaleEpoch { controller_epoch: u32 } = "stale-controller-epoch",
        /// Follower -> leader: I hold `offset` records, the last written in `last_epoch`.
        Fetch { offset: u32, last_epoch: u32 } = "fetch",
        /// Leader -> follower: record `offset`, written in leader epoch `epoch`.
        Records { offset: u32, epoch: u32, write_id: u64 } = "records",
        /// Leader -> follower: your record `offset - 1` (the last of the `offset`
        /// you fetched with) is not in my log; truncate it and fetch again.
        Truncate { leader_epoch: u32, offset: u32 } = "truncate",
        /// Leader -> controller: make the ISR `isr` (a caught-up follower joins), in `leader_epoch`.
        AlterIsr { leader_epoch: u32, isr: u8 } = "alter-isr",
    }
}

inbox! {
    /// What a Kafka node receives: cluster messages and producer requests.
    pub enum KafkaInbox {
        Kafka(KafkaMsg),
        Service(ServiceMsg),
    }
}

timer_enum! {
    /// Timer slots of a ZooKeeper server or a broker.
    pub enum KafkaTimer {
        /// ZooKeeper: the earliest session deadline. Broker: the next session ping.
        Session,
        /// Broker: a fetch went unanswered; fetch again.
        Fetch,
        /// Broker: first contact with ZooKeeper after start.
        Start,
    }
}
