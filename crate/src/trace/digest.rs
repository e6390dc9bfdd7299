//! A stable hash of a trace: BLAKE3 over an explicit little-endian encoding, so
//! the same run gives the same digest natively and in WASM, on every platform.

use super::event::{Trace, TraceEvent};

/// Bytes gathered before each hasher update: one update per word would spend
/// more time in call overhead than in hashing (a long run hashes ~60 MB).
const BATCH: usize = 64 * 1024;

pub fn digest(trace: &Trace) -> String {
    let mut h = blake3::Hasher::new();
    let mut buf: Vec<u8> = Vec::with_capacity(BATCH);
    let mut put = |x: u64| {
        buf.extend_from_slice(&x.to_le_bytes());
        if buf.len() >= BATCH {
            h.update(&buf);
            buf.clear();
        }
    };
    put(trace.event_count);
    put(trace.end_us);
    for e in &trace.events {
        match *e {
            TraceEvent::Health { at_us, node, health } => {
                put(1);
                put(at_us);
                put(u64::from(node.0));
                put(health as u64);
            }
            TraceEvent::Role { at_us, node, group, role, epoch } => {
                put(2);
                put(at_us);
                put(u64::from(node.0));
                put(u64::from(group.0));
                put(role as u64);
                put(epoch);
            }
            TraceEvent::Link { at_us, link, status } => {
                put(3);
                put(at_us);
                put(u64::from(link.0));
                put(status as u64);
            }
            TraceEvent::Step { at_us, index } => {
                put(4);
                put(at_us);
                put(u64::from(index));
            }
            TraceEvent::Acked { at_us, node, write_id } => {
                put(5);
                put(at_us);
                put(u64::from(node.0));
                put(write_id);
            }
            TraceEvent::Discarded { at_us, node, write_id } => {
                put(6);
                put(at_us);
                put(u64::from(node.0));
                put(write_id);
            }
            TraceEvent::Gauge { at_us, node, gauge, value } => {
                put(7);
                put(at_us);
                put(u64::from(node.0) | (u64::from(gauge) << 32));
                put(value as u64);
            }
            TraceEvent::DataLost { at_us, node, from_us, to_us, writes } => {
                put(8);
                put(at_us);
                put(u64::from(node.0));
                put(from_us);
                put(to_us);
                put(writes);
            }
        }
    }
    for m in &trace.messages {
        put(m.sent_us);
        put(m.end_us);
        put(u64::from(m.from.0) | (u64::from(m.to.0) << 32));
        put(u64::from(m.plane) | (u64::from(m.kind) << 8) | ((m.fate as u64) << 16));
    }
    put(trace.messages_unrecorded);
    for b in &trace.buckets {
        put(u64::from(b.ok) | (u64::from(b.failed) << 32));
        put(b.latency_sum_us);
        put(b.latency_max_us);
    }
    h.update(&buf);
    h.finalize().to_hex()[..32].to_string()
}
