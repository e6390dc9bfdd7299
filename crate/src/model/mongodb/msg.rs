//! What replica-set members send each other, and the timers a member sets.

use crate::model::msg::{inbox, message_family, timer_enum, ServiceMsg};

message_family! {
    /// Messages between members of a MongoDB replica set. Member references
    /// are indices into the replica set's member list.
    pub enum MongoMsg {
        /// Sent to every other member every `heartbeatIntervalMillis`: my term,
        /// whether I believe I am primary, and how far my oplog goes.
        Heartbeat { term: u32, primary: bool, last_index: u32, last_term: u32 } = "mongo-heartbeat",
        /// A candidate asks for a vote in `term` (`dry_run`: would you vote for
        /// me? pv1's dry-run election, which changes nobody's term).
        RequestVote { term: u32, dry_run: bool, last_index: u32, last_term: u32 } = "mongo-request-vote",
        Vote { term: u32, dry_run: bool, granted: bool } = "mongo-vote",
        /// A secondary pulls the oplog from its sync source: it has `next`
        /// entries, the last of them written in `prev_term`.
        Fetch { term: u32, next: u32, prev_term: u32 } = "mongo-fetch",
        /// Oplog entry `index`, written in `entry_term`, carrying `write_id` (0: a no-op).
        Entry { term: u32, index: u32, entry_term: u32, write_id: u64 } = "mongo-oplog",
        /// The fetcher's last entry (of the `next` it fetched with) is not in the
        /// sender's oplog: it must roll it back and ask again. A refusal by the
        /// newer primary, drawn as such.
        RollBack { term: u32, next: u32 } = "mongo-rollback",
    }
}

inbox! {
    /// What a member receives: its peers' messages and client requests.
    pub enum MongoInbox {
        Mongo(MongoMsg),
        Service(ServiceMsg),
    }
}

timer_enum! {
    /// Timer slots of a replica-set member.
    pub enum MongoTimer {
        /// Send heartbeats; a primary also checks it still sees a majority.
        Heartbeat,
        /// No primary heard for `electionTimeoutMillis` (plus a random offset): stand.
        Election,
        /// An oplog fetch went unanswered: ask again.
        Fetch,
    }
}
