//! What a fileserver shows the viewer (`model/show.rs`): what it believes about
//! its peer, whether it hears it, whom it follows, its STONITH attempts (whom,
//! through which device, how many requests, how many confirmed) and the writes
//! it holds. Whether a request was lost on the way is drawn from the messages.

use super::*;
use crate::model::show::{node_fact, peers_mask, NodeShow, Unit, FACT_NONE};

const PEER_WORDS: [&str; 3] = ["alive", "dead, not fenced", "fenced"];
const FENCE_WORDS: [&str; 3] = ["not fencing", "waiting for the fence device", "confirmed off"];

impl Fileserver {
    pub(super) fn declare_show(&self) -> NodeShow {
        NodeShow::with_roles(["", "passive", "promoting", "active", "resyncing"])
            .fact("peer_view", "thinks its peer is", Unit::Choice(PEER_WORDS.to_vec()))
            .fact("hears", "hears from", Unit::Peers)
            .fact("follows", "follows active", Unit::Node)
            .fact("fence_state", "STONITH", Unit::Choice(FENCE_WORDS.to_vec()))
            .fact("fence_target", "shoots", Unit::Node)
            .fact("fence_device", "through", Unit::Node)
            .fact("fence_requests", "fence requests sent", Unit::Count)
            .fact("fence_confirmed", "fence confirmations", Unit::Count)
            .fact("writes_held", "writes held", Unit::Count)
            .watching(&[self.cfg.peer])
    }

    pub(super) fn push_facts(&self, now_us: u64, out: &mut Vec<i64>) {
        let dead = self.cfg.dead_time_us;
        let peer_view = match self.peer {
            Peer::Alive => 0,
            Peer::Unclean => 1,
            Peer::Fenced => 2,
        };
        let follows = if self.role == Role::Active {
            Some(self.me)
        } else if now_us.saturating_sub(self.active_heard_us) <= dead {
            Some(self.cfg.peer)
        } else {
            None
        };
        let fence_state = if self.fence.is_some() { 1 } else if self.peer == Peer::Fenced { 2 } else { 0 };
        let target = if self.fence_requests > 0 { i64::from(self.cfg.peer.0) } else { FACT_NONE };
        out.extend_from_slice(&[
            peer_view,
            peers_mask(1, |_| now_us.saturating_sub(self.peer_heard_us) <= dead),
            node_fact(follows),
            fence_state,
            target,
            node_fact(self.fence_device_last),
            i64::from(self.fence_requests),
            i64::from(self.fence_confirmed),
            self.log.len() as i64,
        ]);
    }
}
