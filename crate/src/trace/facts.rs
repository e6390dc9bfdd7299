//! Shown facts over time (`model/show.rs`): every node's declared facts as one
//! flat table (`node × slots`), snapshotted every few hundred changes so a
//! frame at any time costs one snapshot copy and a few replayed changes.

use super::event::FactChange;
use crate::model::show::FACT_NONE;

/// Fact changes recorded at most; later changes are dropped (`Trace::facts_truncated`).
pub const FACT_CHANGES_MAX: usize = 4_000_000;
const CHANGES_PER_SNAPSHOT_MIN: usize = 256;

pub struct FactFrames {
    /// Slots per node: the most facts any node declares.
    pub slots: usize,
    /// (index of the first change not yet applied, values).
    snapshots: Vec<(usize, Vec<i64>)>,
    /// The values after the first `applied` changes, where `extend` goes on.
    tip: Vec<i64>,
    applied: usize,
    every: usize,
}

impl FactFrames {
    pub fn build(changes: &[FactChange], node_count: usize, slots: usize) -> FactFrames {
        let tip = vec![FACT_NONE; node_count * slots];
        // A snapshot costs 8 bytes a slot: space them so they take about a byte per change.
        let every = CHANGES_PER_SNAPSHOT_MIN.max(tip.len() * 8);
        let mut frames = FactFrames { slots, snapshots: vec![(0, tip.clone())], tip, applied: 0, every };
        frames.extend(changes);
        frames
    }

    /// Take in the changes after the ones already applied (`changes` is the
    /// same list, grown): the same snapshots as `build` over the whole list.
    pub fn extend(&mut self, changes: &[FactChange]) {
        for (i, c) in changes.iter().enumerate().skip(self.applied) {
            apply(&mut self.tip, self.slots, c);
            if (i + 1) % self.every == 0 {
                self.snapshots.push((i + 1, self.tip.clone()));
            }
        }
        self.applied = self.applied.max(changes.len());
    }

    /// Every node's facts after all changes at or before `t_us`, into `out`.
    pub fn values_at(&self, changes: &[FactChange], t_us: u64, out: &mut Vec<i64>) {
        let k = self.snapshots.partition_point(|(idx, _)| *idx == 0 || changes[idx - 1].at_us <= t_us);
        let (start, values) = &self.snapshots[k.saturating_sub(1)];
        out.clear();
        out.extend_from_slice(values);
        for c in changes[*start..].iter().take_while(|c| c.at_us <= t_us) {
            apply(out, self.slots, c);
        }
    }
}

fn apply(values: &mut [i64], slots: usize, c: &FactChange) {
    let at = c.node.index() * slots + usize::from(c.fact);
    if let Some(v) = values.get_mut(at) {
        *v = c.value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::NodeId;

    #[test]
    fn seeking_matches_replaying_every_change() {
        let changes: Vec<FactChange> =
            (0..3_000u64).map(|i| FactChange { at_us: i * 7, node: NodeId((i % 3) as u32), fact: (i % 2) as u8, value: i as i64 }).collect();
        let frames = FactFrames::build(&changes, 3, 2);
        let mut out = vec![];
        for t in [0, 6, 7, 5_000, 20_993, 100_000] {
            frames.values_at(&changes, t, &mut out);
            let mut slow = vec![FACT_NONE; 6];
            for c in changes.iter().take_while(|c| c.at_us <= t) {
                apply(&mut slow, 2, c);
            }
            assert_eq!(out, slow, "t={t}");
        }
    }
}
