//! What a node shows the viewer: its role in its protocol's own words and a
//! few named facts (data held, replication lag, Raft term, whom it follows,
//! which peers it hears, ...), read from the model's state.
//!
//! # The per-node state contract (for model authors)
//! A model that wants the stage to show its state implements two methods of
//! `Model` (both have empty defaults):
//! - `show(&self) -> NodeShow`: called once when the run is set up. It names
//!   the roles (`role_words`, one word per generic `Role` code, "" where the
//!   model never takes that role), declares its facts in a fixed order (`key`,
//!   a label for people, a `Unit`), and lists the `peers` its failure detector
//!   watches (the order of the bits of a `Unit::Peers` fact); after the `Node`
//!   fact naming whom it follows, `follows_last()` (the stage's view matrix).
//! - `facts(&self, now_us, out)`: pushes the current value of every declared
//!   fact, in declaration order, as `i64` (`FACT_NONE` where there is no
//!   value). The engine calls it after every handler of that node and records
//!   only the values that changed, so a model never "forgets to report".
//!
//! The stage draws facts by unit and never by key: a new model adds facts
//! without touching `www/stage/`. Facts are a view for people: they are not in
//! the trace digest and no monitor reads them (the digest covers behaviour).
//! At most `FACTS_MAX` facts per node; a `Peers` mask covers the first
//! `PEERS_SHOWN_MAX` peers (a frame carries `f32`s, exact up to 2^24).

use serde::Serialize;

use super::effect::Role;
use crate::ids::NodeId;

/// Facts one node may declare.
pub const FACTS_MAX: usize = 12;
/// Bits of a `Unit::Peers` mask (peers beyond are not shown).
pub const PEERS_SHOWN_MAX: usize = 24;
/// "No value" (no leader known, no fence attempt yet, ...).
pub const FACT_NONE: i64 = -1;

/// How a fact's value reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "unit", content = "choices", rename_all = "snake_case")]
pub enum Unit {
    Bytes,
    /// A duration in microseconds.
    Micros,
    Count,
    /// A node index (`FACT_NONE`: nobody).
    Node,
    /// Bit `i` set: this node currently hears from `NodeShow::peers[i]`.
    Peers,
    /// An index into these words (ok / failing / not configured / never tested, ...).
    Choice(Vec<&'static str>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// Stable identifier (`data_bytes`, `believed_leader`): for tests and exports.
    pub key: String,
    /// What a viewer reads ("data held", "pg_dump").
    pub label: String,
    #[serde(flatten)]
    pub unit: Unit,
}

impl Fact {
    pub fn new(key: &str, label: &str, unit: Unit) -> Fact {
        Fact { key: key.to_string(), label: label.to_string(), unit }
    }
}

/// A node's presentation, declared once by its model.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NodeShow {
    /// The word for each generic `Role` code (`Role as usize`), in the
    /// protocol's own vocabulary; "" for roles the model never takes.
    pub role_words: [&'static str; 5],
    /// A `Choice` fact that names the role more finely than the generic code
    /// (Raft's pre-candidate is a generic candidate): the stage shows its word.
    pub role_fact: Option<usize>,
    /// A `Node` fact naming whom this node follows (the leader, active or
    /// master it believes in): the stage's view matrix reads it.
    pub follows_fact: Option<usize>,
    pub facts: Vec<Fact>,
    /// Node indices a `Peers` fact's bits refer to, in bit order.
    pub peers: Vec<u32>,
    /// Left out of this run (its `enabled` flag is off, `model/dormant.rs`):
    /// it runs nothing, so the stage draws it as a spare, not as a member.
    pub dormant: bool,
}

impl NodeShow {
    pub fn with_roles(role_words: [&'static str; 5]) -> NodeShow {
        NodeShow { role_words, ..NodeShow::default() }
    }

    /// Declare a fact; returns `self` so declarations chain.
    pub fn fact(mut self, key: &str, label: &str, unit: Unit) -> NodeShow {
        debug_assert!(self.facts.len() < FACTS_MAX, "at most {FACTS_MAX} facts per node");
        self.facts.push(Fact::new(key, label, unit));
        self
    }

    /// Mark the fact declared last as the one naming whom this node follows.
    pub fn follows_last(mut self) -> NodeShow {
        self.follows_fact = self.facts.len().checked_sub(1);
        self
    }

    pub fn watching(mut self, peers: &[NodeId]) -> NodeShow {
        self.peers = peers.iter().take(PEERS_SHOWN_MAX).map(|p| p.0).collect();
        self
    }

    pub fn role_word(&self, role: Role) -> &'static str {
        self.role_words[role as usize]
    }
}

/// A `Peers` value: bit `i` set when `heard(i)` for the first `PEERS_SHOWN_MAX` peers.
pub fn peers_mask(count: usize, heard: impl Fn(usize) -> bool) -> i64 {
    // A plain loop without a branch per peer: models ask this after every handler.
    let mut mask = 0;
    for i in 0..count.min(PEERS_SHOWN_MAX) {
        mask |= i64::from(heard(i)) << i;
    }
    mask
}

/// A node id as a `Node` fact.
pub fn node_fact(n: Option<NodeId>) -> i64 {
    n.map_or(FACT_NONE, |n| i64::from(n.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peers_mask_sets_one_bit_per_heard_peer_and_stops_at_the_shown_maximum() {
        assert_eq!(peers_mask(3, |i| i != 1), 0b101);
        assert_eq!(peers_mask(40, |_| true), (1 << PEERS_SHOWN_MAX) - 1);
        assert_eq!(node_fact(None), FACT_NONE);
        assert_eq!(node_fact(Some(NodeId(7))), 7);
    }
}
