//! What AIStore nodes send each other, and the timers a node sets.

use super::smap::Smap;
use crate::model::msg::{inbox, message_family, timer_enum, ServiceMsg};

/// Why a node asks another for its cluster map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Query {
    /// A candidate checks whether the old primary still answers.
    PingPrimary,
    /// A restarted node looks for the newest map (bootstrap discovery).
    Discover,
    /// A forced re-designation gathers the maps of every island.
    Merge,
}

/// What the client asked a target to do with an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Put,
    Get,
    /// Rebalance: the object moves to its HRW owner under the new map.
    Migrate,
}

message_family! {
    /// Messages between AIStore proxies and targets (node references are
    /// indices into the configured node list).
    pub enum AisMsg {
        /// A node tells its primary it is alive, with the map version it holds.
        Keepalive { version: u32 } = "ais-keepalive",
        /// The primary answers; `member: false` means "not in my map, join again".
        KeepaliveAck { version: u32, member: bool } = "ais-keepalive-ack",
        /// The primary distributes a new map (also the election's commit phase).
        /// `forced`: a re-designation (`ais cluster set-primary --force`);
        /// `kept`: the primary whose island's metadata the merge keeps;
        /// `split_since_s`: when the younger island's primary took office.
        Metasync { smap: Smap, forced: bool, kept: u8, split_since_s: u32 } = "ais-metasync",
        SmapQuery { query: Query } = "ais-smap-query",
        SmapReply { query: Query, smap: Smap } = "ais-smap-reply",
        /// A node that sees the primary down asks the HRW candidate to run.
        ElectionRequest { version: u32 } = "ais-election-request",
        VoteRequest { version: u32 } = "ais-vote-request",
        Vote { yes: bool } = "ais-vote",
        /// A restarted or dropped node asks the primary to add it to the map.
        Join = "ais-join",
        /// Proxy -> target (or target -> target for rebalance): an object
        /// operation for `client`'s request `req`; the target answers the client.
        Object { client: u32, req: u32, object: u64, op: Op } = "ais-object",
    }
}

inbox! {
    /// What an AIStore node receives: its peers' messages and client requests.
    pub enum AisInbox {
        Ais(AisMsg),
        Service(ServiceMsg),
    }
}

timer_enum! {
    /// Timer slots of an AIStore node.
    pub enum AisTimer {
        /// Send the next keepalive (or retry one that went unanswered).
        Keepalive,
        /// The primary's round over members it has not heard from.
        Members,
        /// End of an election phase, a discovery or a merge gathering.
        Phase,
        /// The kubelet's liveness probe.
        Probe,
    }
}
