//! What a Redis Cluster node shows the viewer (`model/show.rs`): its cluster
//! state (ok, or refusing every query), its `currentEpoch` and the
//! `configEpoch` it claims its slots with, the master it replicates, which
//! peers answered its pings within the node timeout and which it marks PFAIL
//! or FAIL, its failover election, the slots it serves and its replication
//! offset. The FAIL marks spreading, the winning replica's higher
//! `configEpoch` and the old master turning into its replica are the story
//! of a failover.

use super::{RcNode, NONE};
use crate::model::show::{peers_mask, NodeShow, Unit, FACT_NONE};

const STATE_WORDS: [&str; 2] = ["ok", "fail (CLUSTERDOWN: refuses queries)"];
const ELECTION_WORDS: [&str; 3] = ["none", "waiting its delay", "asking masters for votes"];

impl RcNode {
    pub(super) fn declare_show(&self) -> NodeShow {
        NodeShow::with_roles(["", "replica", "replica (in election)", "master", ""])
            .fact("cluster_state", "cluster state", Unit::Choice(STATE_WORDS.to_vec()))
            .fact("current_epoch", "currentEpoch", Unit::Count)
            .fact("config_epoch", "configEpoch claimed", Unit::Count)
            .fact("replicates", "replicates", Unit::Node)
            .follows_last()
            .fact("hears", "answers its pings in time", Unit::Peers)
            .watching(&self.cfg.cluster)
            .fact("pfail", "marks PFAIL", Unit::Peers)
            .fact("fail", "marks FAIL", Unit::Peers)
            .fact("election", "failover election", Unit::Choice(ELECTION_WORDS.to_vec()))
            .fact("votes", "votes won", Unit::Count)
            .fact("slots", "slots served", Unit::Count)
            .fact("offset", "replication offset", Unit::Count)
    }

    pub(super) fn push_facts(&self, now_us: u64, out: &mut Vec<i64>) {
        let n = self.cfg.cluster.len();
        let me = usize::from(self.me);
        let peer = |i: usize| self.peers.get(i).filter(|_| i != me);
        let timeout = self.cfg.node_timeout_us;
        let hears = peers_mask(n, |i| peer(i).is_some_and(|p| now_us.saturating_sub(p.pong_received_us) <= timeout));
        let pfail = peers_mask(n, |i| peer(i).is_some_and(|p| p.pfail && !p.fail));
        let fail = peers_mask(n, |i| peer(i).is_some_and(|p| p.fail));
        let follows = if self.master_of == NONE { self.me } else { self.master_of };
        let follows = self.cfg.cluster.get(usize::from(follows)).map_or(FACT_NONE, |id| i64::from(id.0));
        let (election, votes) = match self.election {
            None => (0, FACT_NONE),
            Some(e) if e.epoch.is_none() => (1, FACT_NONE),
            Some(e) => (2, i64::from(e.votes.count_ones())),
        };
        let slots: u32 = (0..self.ranges.len()).filter(|&r| self.ranges[r].owner == self.me && self.master_of == NONE).map(|r| self.cfg.slots_in(r)).sum();
        out.extend_from_slice(&[
            i64::from(!self.state_ok),
            i64::from(self.current_epoch),
            i64::from(self.header().config_epoch),
            follows,
            hears,
            pfail,
            fail,
            election,
            votes,
            i64::from(slots),
            self.data.len() as i64,
        ]);
    }
}
