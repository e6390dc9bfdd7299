//! What PostgreSQL nodes under Patroni send each other (streaming replication),
//! what a node receives, and its timers.

use crate::model::lease_store::msg::LeaseMsg;
use crate::model::msg::{inbox, message_family, timer_enum, ServiceMsg};

message_family! {
    /// Streaming replication between PostgreSQL servers. `lsn` counts WAL
    /// records (one client write each); timelines are PostgreSQL's: a
    /// promotion starts a new one.
    pub enum PgStreamMsg {
        /// A standby asks to stream from the primary: it has `lsn` records of `timeline`.
        /// `seq` numbers the standby's attempts; the answer echoes it.
        Follow { seq: u32, timeline: u32, lsn: u64 } = "pg-follow",
        /// The primary's answer: keep your first `lsn` records (rewind the rest,
        /// as `pg_rewind` does), records after them follow on `timeline`.
        StreamFrom { seq: u32, timeline: u32, lsn: u64 } = "pg-stream-from",
        /// WAL record `lsn` (a client write) on `timeline`.
        Wal { timeline: u32, lsn: u64, write_id: u64 } = "pg-wal",
        /// A standby has flushed records up to `lsn` (synchronous replication waits for it).
        WalAck { lsn: u64 } = "pg-wal-ack",
        /// Patroni's REST API during the leader race: how far is your WAL, are
        /// you a primary? (`GET /patroni`, 2 s timeout, no retry.)
        StatusQuery { req: u32 } = "patroni-status?",
        Status { req: u32, wal_bytes: u64, primary: bool } = "patroni-status",
    }
}

inbox! {
    /// What a PostgreSQL node with its Patroni receives: client queries,
    /// replication, and the DCS's answers to Patroni.
    pub enum PatroniInbox {
        Service(ServiceMsg),
        Stream(PgStreamMsg),
        Lease(LeaseMsg),
    }
}

timer_enum! {
    /// Timer slots of a PostgreSQL node with its Patroni.
    pub enum PatroniTimer {
        /// Patroni's HA loop: the next cycle is due (after `loop_wait`).
        Cycle,
        /// The DCS request in flight has been retried for `retry_timeout`.
        DcsDeadline,
        /// `pg_ctl promote` has finished: the server accepts writes.
        Promoted,
        /// The leader race's status requests to the other members time out.
        MembersDeadline,
        /// The stalled Patroni process runs again.
        Thaw,
        /// Draw the gauges (once a second).
        Sample,
    }
}
