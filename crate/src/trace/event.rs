//! What a run leaves behind: typed state changes, message records and request
//! counters per time bucket. Compact and `Copy`; monitors, frames and the digest
//! all read these and nothing else.

use crate::ids::{GroupId, LinkId, NodeId};
use crate::model::effect::{Epoch, Role};
use crate::engine::host::Health;
use crate::net::LinkStatus;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceEvent {
    Health { at_us: u64, node: NodeId, health: Health },
    Role { at_us: u64, node: NodeId, group: GroupId, role: Role, epoch: Epoch },
    Link { at_us: u64, link: LinkId, status: LinkStatus },
    /// Timeline step `index` ran.
    Step { at_us: u64, index: u32 },
    Acked { at_us: u64, node: NodeId, write_id: u64 },
    Discarded { at_us: u64, node: NodeId, write_id: u64 },
    Gauge { at_us: u64, node: NodeId, gauge: u16, value: i64 },
    DataLost { at_us: u64, node: NodeId, from_us: u64, to_us: u64, writes: u64 },
}

impl TraceEvent {
    pub fn at_us(&self) -> u64 {
        match *self {
            TraceEvent::Health { at_us, .. }
            | TraceEvent::Role { at_us, .. }
            | TraceEvent::Link { at_us, .. }
            | TraceEvent::Step { at_us, .. }
            | TraceEvent::Acked { at_us, .. }
            | TraceEvent::Discarded { at_us, .. }
            | TraceEvent::Gauge { at_us, .. }
            | TraceEvent::DataLost { at_us, .. } => at_us,
        }
    }
}

/// How a message ended, as a small code for frames (`www/lib/frame-layout.js`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Fate {
    Delivered = 0,
    /// Lost to a clean cut or a missing route.
    Cut = 1,
    /// Dropped by a gray-failing device.
    DeviceDrop = 2,
    /// Random link loss.
    Loss = 3,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageRecord {
    pub sent_us: u64,
    /// Arrival time when delivered; for a drop, where along the way it vanished.
    pub end_us: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub plane: u8,
    pub kind: u8,
    pub fate: Fate,
}

/// A node's shown fact took a new value (`model/show.rs`). Kept apart from
/// `events`: facts are a view for people, outside the digest and the monitors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FactChange {
    pub at_us: u64,
    pub node: NodeId,
    /// Index among the node's declared facts.
    pub fact: u8,
    pub value: i64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestBucket {
    pub ok: u32,
    pub failed: u32,
    pub latency_sum_us: u64,
    pub latency_max_us: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Trace {
    pub events: Vec<TraceEvent>,
    pub messages: Vec<MessageRecord>,
    /// Messages sent after the record cap was reached (still counted in the digest).
    pub messages_unrecorded: u64,
    pub buckets: Vec<RequestBucket>,
    pub bucket_us: u64,
    /// Longest time any recorded message spent in flight (bounds frame look-back).
    pub flight_max_us: u64,
    /// Events the loop processed.
    pub event_count: u64,
    /// Simulated time the run reached.
    pub end_us: u64,
    /// Shown facts as they changed, in time order (not in the digest).
    pub facts: Vec<FactChange>,
    /// Fact changes after `FACT_CHANGES_MAX` are not recorded (the stage then
    /// shows each node's last recorded values).
    pub facts_truncated: bool,
}

impl Trace {
    pub fn request_done(&mut self, at_us: u64, ok: bool, latency_us: u64) {
        let index = (at_us / self.bucket_us.max(1)) as usize;
        if self.buckets.len() <= index {
            self.buckets.resize(index + 1, RequestBucket::default());
        }
        let b = &mut self.buckets[index];
        if ok {
            b.ok += 1;
            b.latency_sum_us += latency_us;
            b.latency_max_us = b.latency_max_us.max(latency_us);
        } else {
            b.failed += 1;
        }
    }
}
