//! A quorum witness: the third vote for two-node pairs. It answers each member's
//! heartbeat and lends its vote to one member of a pair at a time: the holder
//! keeps it while it keeps heartbeating; another member gets it only after the
//! holder has been silent for the dead time.

use super::msg::GhMsg;
use crate::ids::{NodeId, PlaneId};
use crate::model::effect::Cx;
use crate::model::msg::NoTimer;
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
    /// Per pair: who holds the vote and when it was last heard.
    holder: Vec<Option<(NodeId, u64)>>,
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
        let holder = vec![None; cfg.pairs.len()];
        Witness { cfg, pair_of, holder }
    }

    fn on_heartbeat(&mut self, cx: &mut Cx, from: NodeId) {
        let Some(&p) = self.pair_of.get(from.index()) else { return };
        if p == u16::MAX {
            return;
        }
        let slot = &mut self.holder[usize::from(p)];
        let granted = match *slot {
            Some((holder, heard)) => holder == from || cx.now_us.saturating_sub(heard) > self.cfg.dead_time_us,
            None => true,
        };
        if granted {
            *slot = Some((from, cx.now_us));
        }
        cx.send(from, self.cfg.plane, GhMsg::WitnessVote { granted }, REPLY_BYTES);
    }
}

impl Model for Witness {
    type Msg = GhMsg;
    type Timer = NoTimer;
    type Command = crate::model::command::NoCommand;

    fn start(&mut self, _cx: &mut Cx) {}

    fn restart(&mut self, _cx: &mut Cx) {
        self.holder.iter_mut().for_each(|h| *h = None);
    }

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: GhMsg) {
        match msg {
            GhMsg::Heartbeat { .. } => self.on_heartbeat(cx, from),
            // The witness only votes.
            GhMsg::Replicate { .. }
            | GhMsg::ReplicateAck { .. }
            | GhMsg::SyncRequest { .. }
            | GhMsg::FenceRequest { .. }
            | GhMsg::FenceDone { .. }
            | GhMsg::WitnessVote { .. }
            | GhMsg::Inspect
            | GhMsg::InspectReply { .. }
            | GhMsg::Resume { .. } => {}
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

    fn vote(w: &mut Witness, now_us: u64, from: u32) -> bool {
        let mut rng = Rng::for_component(1, 1);
        let mut out = vec![];
        let mut cx = Cx { now_us, me: NodeId(9), rng: &mut rng, out: &mut out };
        let hb = GhMsg::Heartbeat { epoch: 0, active: false, log_len: 0, base_len: 0 };
        w.on_message(&mut cx, NodeId(from), hb);
        matches!(out[0], Effect::Send { msg: Msg::Gh(GhMsg::WitnessVote { granted: true }), .. })
    }

    #[test]
    fn the_vote_goes_to_one_member_until_it_falls_silent() {
        let mut w = Witness::new(WitnessConfig { pairs: vec![[NodeId(0), NodeId(1)]], plane: PlaneId(0), dead_time_us: 5_000_000 });
        assert!(vote(&mut w, 0, 0));
        assert!(!vote(&mut w, 1_000_000, 1), "the holder was heard 1 s ago");
        assert!(vote(&mut w, 2_000_000, 0));
        assert!(vote(&mut w, 7_500_000, 1), "the holder has been silent past the dead time");
        assert!(!vote(&mut w, 7_600_000, 0));
    }
}
