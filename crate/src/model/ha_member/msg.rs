//! What an HA cluster member sends, receives, times and is told by an operator.

use crate::model::command::unit_commands;
use crate::model::effect::Epoch;
use crate::model::fencing::VoteMsg;
use crate::model::msg::{inbox, message_family, timer_enum, ServiceMsg};

message_family! {
    /// Messages between cluster members.
    pub enum HaMsg {
        /// `base_len` is the log length at which the sender's epoch began: everything
        /// a deposed active wrote past it is divergent.
        Heartbeat { epoch: Epoch, active: bool, log_len: u64, base_len: u64 } = "heartbeat",
        /// One replicated write at `index` of the active's log.
        Replicate { epoch: Epoch, index: u64, write_id: u64 } = "replicate",
        ReplicateAck { epoch: Epoch, index: u64 } = "replicate-ack",
        /// A replica asks the active to resend its log from `from_index`.
        SyncRequest { epoch: Epoch, from_index: u64 } = "sync-request",
    }
}

inbox! {
    /// What a cluster member receives: client requests, its peers' messages
    /// and, with quorum, their votes.
    pub enum HaInbox {
        Service(ServiceMsg),
        Ha(HaMsg),
        Vote(VoteMsg),
    }
}

timer_enum! {
    /// Timer slots of a cluster member.
    pub enum HaTimer {
        /// Send the next heartbeat.
        Heartbeat,
        /// Check whether peers have been silent for longer than the dead time.
        PeerCheck,
    }
}

unit_commands! {
    /// What an operator can tell an HA member.
    pub enum HaCommand {
        MaintenanceOn = "maintenance_on": "Maintenance mode: stop acting on heartbeat loss (no promotion, no demotion).",
        MaintenanceOff = "maintenance_off": "Leave maintenance mode; every peer counts as just heard.",
        ForceActive = "force_active": "Make this member active now (a manual failover to it), in a new epoch.",
        ForcePassive = "force_passive": "Make this member passive now (a manual demotion).",
    }
}
