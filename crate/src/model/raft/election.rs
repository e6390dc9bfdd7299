//! Raft leader election: election timers, (pre-)campaigns, votes, stepping
//! down, and CheckQuorum's follower lease.

use super::*;

impl RaftNode {
    pub(super) fn arm_election(&mut self, cx: &mut Cx) {
        let t = cx.rng.between(self.cfg.election_min_us, self.cfg.election_max_us);
        self.last_timeout_us = t;
        cx.set_timer(Timer::Raft(RaftTimer::Election), t);
    }

    pub(super) fn become_follower(&mut self, cx: &mut Cx, term: u32, leader: Option<NodeId>) {
        let was = self.role;
        self.set_term(cx, term);
        self.role = RaftRole::Follower;
        self.leader = leader;
        if leader.is_some() {
            self.leader_heard_us = cx.now_us;
        }
        if was == RaftRole::Leader {
            self.fail_pending(cx);
            cx.cancel_timer(Timer::Raft(RaftTimer::Heartbeat));
            cx.cancel_timer(Timer::Raft(RaftTimer::Quorum));
        }
        self.arm_election(cx);
        if was != RaftRole::Follower {
            self.emit_role(cx);
        }
    }

    pub(super) fn reset_votes(&mut self) {
        self.votes.iter_mut().for_each(|v| *v = false);
        self.rejections.iter_mut().for_each(|v| *v = false);
    }

    pub(super) fn campaign(&mut self, cx: &mut Cx, pre: bool) {
        self.reset_votes();
        self.leader = None;
        let term = if pre {
            self.role = RaftRole::PreCandidate;
            self.term + 1
        } else {
            self.role = RaftRole::Candidate;
            self.set_term(cx, self.term + 1);
            self.voted_for = Some(self.me);
            self.elections += 1;
            if let Some(g) = self.cfg.elections_gauge {
                cx.emit(Effect::Gauge { gauge: g, value: i64::from(self.elections) });
            }
            self.term
        };
        self.emit_role(cx);
        self.arm_election(cx);
        if self.quorum() == 1 {
            self.on_election_won(cx, pre);
            return;
        }
        let msg = RaftMsg::RequestVote { term, last_index: self.last_index(), last_term: self.last_term(), pre };
        for i in 0..self.cfg.peers.len() {
            self.out(self.cfg.peers[i], msg);
        }
    }

    pub(super) fn on_election_won(&mut self, cx: &mut Cx, pre: bool) {
        if pre {
            self.campaign(cx, false);
        } else {
            self.become_leader(cx);
        }
    }

    /// etcd's `inLease`: with CheckQuorum, a node that knows a leader and heard
    /// from it within an election timeout ignores higher-term (pre-)votes. A
    /// leader is always in its own lease (its quorum check restarts the clock).
    pub(super) fn in_lease(&self, now: u64) -> bool {
        self.cfg.check_quorum
            && (self.role == RaftRole::Leader
                || (self.leader.is_some() && now.saturating_sub(self.leader_heard_us) < self.cfg.election_min_us))
    }

    pub(super) fn on_vote(&mut self, cx: &mut Cx, pi: usize, granted: bool, pre: bool) {
        let expecting_pre = self.role == RaftRole::PreCandidate;
        if !(self.role == RaftRole::Candidate && !pre || expecting_pre && pre) {
            return;
        }
        if granted {
            self.votes[pi] = true;
        } else {
            self.rejections[pi] = true;
        }
        let yes = 1 + self.votes.iter().filter(|&&v| v).count();
        let no = self.rejections.iter().filter(|&&v| v).count();
        if yes >= self.quorum() {
            self.on_election_won(cx, pre);
        } else if no >= self.quorum() {
            let term = self.term;
            self.become_follower(cx, term, None);
        }
    }
}
