//! A stable hash of a trace: BLAKE3 over an explicit little-endian encoding, so
//! the same run gives the same digest natively and in WASM, on every platform.

use super::event::{MessageRecord, Trace, TraceEvent};

/// Bytes gathered before each hasher update: one update per word would spend
/// more time in call overhead than in hashing (a long run hashes ~60 MB).
const BATCH: usize = 64 * 1024;

/// One message record as a single word: each field multiplied by its own odd
/// constant and the results mixed, so any change to a field changes the word
/// (up to a 2^-64 coincidence).
fn message_word(m: &MessageRecord) -> u64 {
    let ends = m.sent_us.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ m.end_us.wrapping_mul(0xC2B2_AE3D_27D4_EB4F).rotate_left(29);
    let who = (u64::from(m.from.0) | (u64::from(m.to.0) << 32)).wrapping_mul(0x1656_67B1_9E37_79F9).rotate_left(17);
    let what = (u64::from(m.plane) | (u64::from(m.kind) << 8) | ((m.fate as u64) << 16)).wrapping_mul(0x27D4_EB2F_1656_67C5).rotate_left(43);
    (ends ^ who ^ what).wrapping_mul(0xFF51_AFD7_ED55_8CCD)
}

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
                put(epoch.packed());
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
            TraceEvent::Injected { at_us, index } => {
                put(9);
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
    // A long run records millions of messages: each is folded into one word
    // before hashing (a quarter of the bytes), so a change to any field of
    // any message still changes the digest.
    for m in &trace.messages {
        put(message_word(m));
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
