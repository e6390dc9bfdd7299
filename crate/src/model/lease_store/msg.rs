//! What clients of the lease store send it, what it answers, and its timer.

use crate::model::msg::{message_family, timer_enum};

/// A key of the store: a small number (the store holds `KEYS_MAX` of them).
pub type Key = u8;

/// The store holds keys `0..KEYS_MAX`.
pub const KEYS_MAX: usize = 16;

/// `owner` of a key nobody owns (a plain value such as Patroni's `/optime/leader`).
pub const NO_OWNER: u16 = u16::MAX;

/// The condition a write or a delete is conditional on (etcd's transaction
/// compare, Consul's `cas`, ZooKeeper's version).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Unconditional.
    Any,
    /// The key must not exist: create it (etcd `create_revision == 0`, `prevExist=false`).
    Absent,
    /// The key must exist and have been last written at this revision (etcd `mod_revision`).
    Revision(u32),
}

message_family! {
    /// Requests to the lease store and its answers. `req` is the client's
    /// request number, echoed in the reply.
    pub enum LeaseMsg {
        /// Write `key := (owner, value)` if `expect` holds. With `ttl_ms` above
        /// zero the key expires `ttl_ms` after this write on the store's own
        /// clock (a lease granted or kept alive); zero: it never expires.
        Put { req: u32, key: Key, owner: u16, expect: Expect, ttl_ms: u32, value: u64 } = "lease-put",
        /// Delete `key` if `expect` holds (a holder releasing its lease).
        Delete { req: u32, key: Key, expect: Expect } = "lease-delete",
        /// Read `key` (a linearizable read: the store is one state machine).
        Get { req: u32, key: Key } = "lease-get",
        /// Answer when `key` changes after `revision` (written, deleted or
        /// expired): a watch, answered at once if it already has.
        Watch { req: u32, key: Key, revision: u32 } = "lease-watch",
        /// The answer to any request: whether its condition held (always for
        /// a `Get` or a `Watch`) and the key as it is now. `revision` is the
        /// key's last write (0 when `present` is false); `remaining_ms` the
        /// lease time left on the store's clock (0 for a key without a lease).
        Reply { req: u32, key: Key, ok: bool, present: bool, owner: u16, revision: u32, remaining_ms: u32, value: u64 } = "lease-reply",
    }
}

timer_enum! {
    /// Timer slots of the lease store.
    pub enum LeaseTimer {
        /// The store's expiry check (etcd's lessor checks every 500 ms).
        Tick,
    }
}
