//! The run's fingerprint: a running hash of every event handled (kind, whom it
//! concerns, when), sampled every `trace::event::FINGERPRINT_EVERY` events so
//! two runs that part can be told apart by the simulated time where they do.

use super::Event;

/// What identifies an event for the fingerprint: its kind and whom it concerns.
pub(super) fn event_word(event: &Event) -> u64 {
    match *event {
        Event::Deliver { to, from, msg } => (u64::from(msg.kind()) << 48) | (u64::from(from.0) << 24) | u64::from(to.0),
        Event::Wake { node, slot } => (1 << 56) | (u64::from(slot) << 32) | u64::from(node.0),
        Event::Action { index } => (2 << 56) | u64::from(index),
        Event::Resume { node } => (3 << 56) | u64::from(node.0),
        Event::Watchdog { node } => (4 << 56) | u64::from(node.0),
        Event::Boot { node } => (5 << 56) | u64::from(node.0),
        Event::LinkCheck { link } => (6 << 56) | u64::from(link.0),
    }
}

/// One step of a 64-bit multiply-xorshift mix (from SplitMix64): cheap, and
/// every input bit reaches every output bit.
pub(super) fn mix(hash: u64, word: u64) -> u64 {
    let mut z = hash ^ word.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

