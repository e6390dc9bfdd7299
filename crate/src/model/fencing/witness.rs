//! A quorum witness: the third vote for two-node pairs. It answers explicit vote
//! requests with one `Ballot` per pair: one vote per term, kept by its holder
//! while the holder keeps asking, lent to the other member of the pair only for
//! a newer term and after the holder has been silent for the dead time.
//! Its ballots survive a restart (on disk), so a term is never granted twice.

use super::ballot::Ballot;
use super::msg::VoteMsg;
use crate::ids::{NodeId, PlaneId};
use crate::model::effect::Cx;
use crate::model::msg::{Command, NoTimer};
use crate::model::Model;

const REPLY_BYTES: u32 = 64;

#[derive(Clone, Debug)]
pub struct WitnessConfig {
    pub pairs: Vec<[NodeId; 2]>,
    pub plane: PlaneId,
    pub dead_time_us: u64,
}

#[derive(Clone, Debug)]
pub struct Witness {
    cfg: WitnessConfig,
    /// Pair index by node index (`u16::MAX`: not a member).
    pair_of: Vec<u16>,
    ballots: Vec<Ballot>,
}

impl Witness {
    pub fn new(cfg: WitnessConfig) -> Witness {
        let max = cfg.pairs.iter().flatten().map(|n| n.index()).max().map_or(0, |m| m + 1);
        let mut pair_of = vec![u16::MAX; max];
        for (i, pair) in cfg.pairs.iter().enumerate() {
            for n in pair {
                pair_of[n.index()] = i as u16;
            }
        }
        let ballots = vec![Ballot::default(); cfg.pairs.len()];
        Witness { cfg, pair_of, ballots }
    }

    fn on_vote_request(&mut self, cx: &mut Cx, from: NodeId, term: u32) {
        let Some(&p) = self.pair_of.get(from.index()) else { return };
        if p == u16::MAX {
            return;
        }
        let ballot = &mut self.ballots[usize::from(p)];
        let granted = ballot.request(from, term, cx.mono_us, self.cfg.dead_time_us);
        cx.send(from, self.cfg.plane, VoteMsg::Vote { term, granted, voter_term: ballot.term() }, REPLY_BYTES);
    }
}

impl Model for Witness {
    type Msg = VoteMsg;
    type Timer = NoTimer;
    type Command = Command;

    fn start(&mut self, _cx: &mut Cx) {}

    fn restart(&mut self, _cx: &mut Cx) {}

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: VoteMsg) {
        match msg {
            VoteMsg::VoteRequest { term } => self.on_vote_request(cx, from, term),
            // The witness asks nobody for a vote.
            VoteMsg::Vote { .. } => {}
        }
    }

    fn on_timer(&mut self, _cx: &mut Cx, timer: NoTimer) {
        match timer {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Rng;
    use crate::model::effect::Effect;
    use crate::model::msg::Msg;

    fn vote(w: &mut Witness, now_us: u64, from: u32, term: u32) -> bool {
        let mut rng = Rng::for_component(1, 1);
        let mut out = vec![];
        let mut cx = Cx { now_us, mono_us: now_us, me: NodeId(9), rng: &mut rng, out: &mut out };
        w.on_message(&mut cx, NodeId(from), VoteMsg::VoteRequest { term });
        matches!(out[0], Effect::Send { msg: Msg::Vote(VoteMsg::Vote { granted: true, .. }), .. })
    }

    #[test]
    fn the_vote_goes_to_one_member_per_term_until_it_falls_silent() {
        let mut w = Witness::new(WitnessConfig { pairs: vec![[NodeId(0), NodeId(1)]], plane: PlaneId(0), dead_time_us: 5_000_000 });
        assert!(vote(&mut w, 0, 0, 1));
        assert!(!vote(&mut w, 1_000_000, 1, 2), "the holder was heard 1 s ago");
        assert!(vote(&mut w, 2_000_000, 0, 1));
        assert!(vote(&mut w, 7_500_000, 1, 2), "the holder has been silent past the dead time");
        assert!(!vote(&mut w, 7_600_000, 0, 2), "term 2 is taken");
        assert!(!vote(&mut w, 20_000_000, 0, 1), "an old term, however long the holder is silent");
    }
}
