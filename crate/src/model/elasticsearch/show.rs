//! What an Elasticsearch node shows the viewer (`model/show.rs`): what it is
//! doing about the master, the master it follows, its term and cluster-state
//! version, and the nodes in the cluster state it applied (in a split, each
//! side's state lists only its own side).

use super::*;
use crate::model::show::{NodeShow, Unit, FACT_NONE};

const MODE_WORDS: [&str; 5] = ["discovering", "joining", "master candidate", "follower", "elected master"];

impl EsNode {
    pub(super) fn declare_show(&self) -> NodeShow {
        let mut show = NodeShow::with_roles(["", "master-eligible", "master candidate", "elected master", ""])
            .fact("mode", "discovery", Unit::Choice(MODE_WORDS.to_vec()))
            .fact("believed_master", "follows master", Unit::Node)
            .fact("term", "term", Unit::Count)
            .fact("state_version", "cluster state version", Unit::Count)
            .fact("hears", "its cluster state lists", Unit::Peers)
            .watching(&self.cfg.cluster);
        show.role_fact = Some(0);
        show
    }

    pub(super) fn push_facts(&self, out: &mut Vec<i64>) {
        let (mode, master) = match self.mode {
            Mode::Discovering => (0, None),
            Mode::Joining(_) => (1, None),
            Mode::Candidate { .. } => (2, None),
            Mode::Follower(m) => (3, Some(m)),
            Mode::Master => (4, Some(self.me)),
        };
        let master = master.and_then(|m| self.cfg.cluster.get(usize::from(m))).map_or(FACT_NONE, |n| i64::from(n.0));
        let members = self.state.members;
        out.extend_from_slice(&[
            mode,
            master,
            i64::from(self.term.max(self.state.term)),
            i64::from(self.state.version),
            crate::model::show::peers_mask(self.cfg.cluster.len(), |i| i < 16 && members & (1 << i) != 0),
        ]);
    }
}
