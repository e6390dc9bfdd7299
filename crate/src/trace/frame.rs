//! Frames: the state at one instant as one flat `f32` buffer, so JS draws from a
//! typed array instead of building an object per node or message.
//!
//! Layout (mirrored in `www/lib/frame-layout.js`; change both together):
//!   header  [node_count, link_count, message_count, step_index, fact_slots, group_count]  (HEADER = 6)
//!   nodes   node_count × [health, role, term, group, discarded_writes, lost_writes]   (NODE_STRIDE = 6)
//!   links   link_count × [status]                                                     (LINK_STRIDE = 1)
//!   msgs    message_count × [from, to, plane, kind, progress 0..1, fate]              (MSG_STRIDE = 6)
//!   groups  group_count × [writable members]                                          (GROUP_STRIDE = 1)
//!   facts   node_count × fact_slots: each node's shown facts in declaration order,
//!           -1 (`FACT_NONE`) where none or where the node declares fewer (`model/show.rs`)

use super::event::{Fate, MessageRecord, Trace};
use super::facts::FactFrames;
use super::keyframe::{Keyframes, Snapshot};
use crate::monitor::groups::writable;

pub const HEADER: usize = 6;
pub const NODE_STRIDE: usize = 6;
pub const LINK_STRIDE: usize = 1;
pub const MSG_STRIDE: usize = 6;
pub const GROUP_STRIDE: usize = 1;
/// At most this many messages are drawn in one frame; the oldest beyond are skipped.
pub const MSGS_PER_FRAME_MAX: usize = 1_500;
/// A dropped message is drawn for this long, fading out halfway along its link.
pub const DROP_SHOW_US: u64 = 200_000;

#[derive(Default)]
pub struct FrameBuffer {
    pub data: Vec<f32>,
    facts: Vec<i64>,
}

/// What a frame is drawn from besides the trace.
pub struct FrameSources<'a> {
    pub keyframes: &'a Keyframes,
    pub facts: &'a FactFrames,
    pub node_count: usize,
    pub link_count: usize,
    pub group_count: usize,
}

fn visible_until(m: &MessageRecord, flight_floor_us: u64) -> u64 {
    match m.fate {
        Fate::Delivered => m.end_us.max(m.sent_us + 1),
        _ => m.sent_us + DROP_SHOW_US.min(flight_floor_us.max(1)),
    }
}

impl FrameBuffer {
    /// Fill the buffer for time `t_us`; returns its length in `f32`s.
    pub fn fill(&mut self, trace: &Trace, src: &FrameSources, t_us: u64) -> usize {
        let state = src.keyframes.state_at(&trace.events, t_us);
        let d = &mut self.data;
        d.clear();
        d.extend_from_slice(&[src.node_count as f32, src.link_count as f32, 0.0, state.step as f32, src.facts.slots as f32, src.group_count as f32]);
        for i in 0..src.node_count {
            let group = if state.group[i] == u16::MAX { -1.0 } else { f32::from(state.group[i]) };
            d.extend_from_slice(&[
                state.health[i] as u8 as f32,
                state.role[i] as u8 as f32,
                state.epoch[i].term as f32,
                group,
                state.discarded[i] as f32,
                state.lost[i] as f32,
            ]);
        }
        d.extend(state.link.iter().map(|s| *s as u8 as f32));
        d[2] = push_messages(d, trace, t_us) as f32;
        d.extend(writable_per_group(&state, src.group_count).into_iter().map(|w| w as f32));
        src.facts.values_at(&trace.facts, t_us, &mut self.facts);
        d.extend(self.facts.iter().map(|&v| v as f32));
        d.len()
    }
}

/// Messages in the air at `t_us` (newest first, at most `MSGS_PER_FRAME_MAX`); returns how many.
fn push_messages(d: &mut Vec<f32>, trace: &Trace, t_us: u64) -> usize {
    // Messages are recorded in send order; only those sent in the last
    // `flight_max` can still be in the air.
    let msgs = &trace.messages;
    let upto = msgs.partition_point(|m| m.sent_us <= t_us);
    let look_back = trace.flight_max_us.max(DROP_SHOW_US);
    let from = msgs[..upto].partition_point(|m| m.sent_us + look_back < t_us);
    let mut count = 0;
    for m in msgs[from..upto].iter().rev() {
        let until = visible_until(m, DROP_SHOW_US);
        if until <= t_us {
            continue;
        }
        let span = (until - m.sent_us).max(1) as f32;
        let mut progress = (t_us - m.sent_us) as f32 / span;
        if m.fate != Fate::Delivered {
            progress *= 0.5; // drops die halfway
        }
        d.extend_from_slice(&[m.from.0 as f32, m.to.0 as f32, f32::from(m.plane), f32::from(m.kind), progress, m.fate as u8 as f32]);
        count += 1;
        if count == MSGS_PER_FRAME_MAX {
            break;
        }
    }
    count
}

/// Live members accepting writes in each group, as the split-brain monitor counts them.
fn writable_per_group(state: &Snapshot, group_count: usize) -> Vec<u32> {
    let mut out = vec![0u32; group_count];
    for (i, &g) in state.group.iter().enumerate() {
        if let Some(w) = out.get_mut(usize::from(g)) {
            if writable(state.role[i], state.health[i]) {
                *w += 1;
            }
        }
    }
    out
}
