//! Recording the facts a node shows (`model/show.rs`) when they change: after
//! every handler, the model is asked for its values and only the differences
//! go into the trace, up to `trace::facts::FACT_CHANGES_MAX`.

use super::Run;
use crate::ids::NodeId;
use crate::model::show::{NodeShow, FACTS_MAX, FACT_NONE};
use crate::trace::event::FactChange;
use crate::trace::facts::FACT_CHANGES_MAX;

/// The last recorded value of every node's facts, in one flat list: node `i`'s
/// start at `base[i]`.
pub(super) struct FactLog {
    last: Vec<i64>,
    base: Vec<usize>,
    /// Reused buffer the model writes its current values into.
    scratch: Vec<i64>,
}

impl FactLog {
    pub(super) fn new(shows: &[NodeShow]) -> FactLog {
        let base = shows.iter().scan(0, |at, s| { let base = *at; *at += s.facts.len(); Some(base) }).collect();
        let last = vec![FACT_NONE; shows.iter().map(|s| s.facts.len()).sum()];
        FactLog { last, base, scratch: Vec::with_capacity(FACTS_MAX) }
    }
}

impl Run {
    /// Ask the node's model for its shown facts and record those that changed.
    pub(super) fn record_facts(&mut self, node: NodeId) {
        let i = node.index();
        let count = self.shows[i].facts.len();
        if count == 0 || self.trace.facts_truncated {
            return;
        }
        let rt = &self.nodes[i];
        let log = &mut self.facts;
        log.scratch.clear();
        rt.model.facts(rt.host.clock.local(self.now_us), &mut log.scratch);
        // This runs after every handler of every node, and nearly always nothing
        // changed: one comparison of the whole row first, then, only if it
        // differs, fact by fact (node i's slice of the last values zipped with
        // what the model wrote, the shorter of the two counts).
        let last = &mut log.last[log.base[i]..][..count];
        let written = log.scratch.len().min(count);
        if last[..written] == log.scratch[..written] {
            return;
        }
        for (f, (was, &v)) in last.iter_mut().zip(&log.scratch).enumerate() {
            if *was != v {
                *was = v;
                if self.trace.facts.len() >= FACT_CHANGES_MAX {
                    self.trace.facts_truncated = true;
                    break;
                }
                self.trace.facts.push(FactChange { at_us: self.now_us, node, fact: f as u8, value: v });
            }
        }
    }
}
