//! What a Raft server shows the viewer (`model/show.rs`): its state in Raft's
//! words (pre-candidate included), term, vote, votes won, the leader it
//! believes in and the peers it heard from within an election timeout.

use super::*;
use crate::model::show::{node_fact, peers_mask, NodeShow, Unit};

/// Raft's states, in the order of the `state` fact's words.
const STATE_WORDS: [&str; 4] = ["follower", "pre-candidate", "candidate", "leader"];

impl RaftNode {
    pub(super) fn declare_show(&self) -> NodeShow {
        let mut show = NodeShow::with_roles(["", "follower", "candidate", "leader", ""])
            .fact("state", "Raft state", Unit::Choice(STATE_WORDS.to_vec()))
            .fact("term", "term", Unit::Count)
            .fact("voted_for", "voted for", Unit::Node)
            .fact("votes", "votes won", Unit::Count)
            .fact("believed_leader", "believes leader is", Unit::Node)
            .fact("hears", "hears from", Unit::Peers)
            .watching(&self.cfg.peers);
        show.role_fact = Some(0);
        show
    }

    pub(super) fn push_facts(&self, now_us: u64, out: &mut Vec<i64>) {
        let state = match self.role {
            RaftRole::Follower => 0,
            RaftRole::PreCandidate => 1,
            RaftRole::Candidate => 2,
            RaftRole::Leader => 3,
        };
        let campaigning = matches!(self.role, RaftRole::PreCandidate | RaftRole::Candidate);
        let votes = if campaigning { 1 + self.votes.iter().filter(|&&v| v).count() as i64 } else { crate::model::show::FACT_NONE };
        let leader = if self.role == RaftRole::Leader { Some(self.me) } else { self.leader };
        let window = self.cfg.election_min_us;
        out.extend_from_slice(&[
            state,
            i64::from(self.term),
            node_fact(self.voted_for),
            votes,
            node_fact(leader),
            peers_mask(self.cfg.peers.len(), |i| now_us.saturating_sub(self.heard_us[i]) < window),
        ]);
    }
}
