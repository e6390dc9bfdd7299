//! Finding, electing, checking and leaving a master; publishing cluster states.

use super::state::{bit, has, majority, voting_for, ClusterState, NONE};
use super::{EsMsg, EsNode, EsTimer, FdSlot, Mode, Publication, Seen, SMALL_BYTES, STATE_BYTES};
use crate::model::effect::{Cx, Effect};

impl EsNode {
    // ---- fault detection -------------------------------------------------

    /// One fault-detection round: the master pings each member, a follower its
    /// master. A ping unanswered after `timeout` is a failure; `retries`
    /// failures in a row and the peer is gone. A master also pings the nodes
    /// outside its cluster (discovery), which is how two masters meet after a heal.
    pub(super) fn fd_round(&mut self, cx: &mut Cx) {
        let mode = self.mode;
        match mode {
            Mode::Master => {
                let mut gone = 0u16;
                for i in self.others().collect::<Vec<_>>() {
                    if has(self.state.members, i) {
                        if self.fd_check(cx, i) {
                            gone |= bit(i);
                        }
                    } else {
                        self.send(cx, i, EsMsg::Ping { term: self.term, fd: false }, SMALL_BYTES);
                    }
                }
                if gone != 0 {
                    self.remove_members(cx, gone);
                }
            }
            Mode::Follower(m) if self.fd_check(cx, m) => self.master_gone(cx),
            _ => {}
        }
    }

    /// Advance peer `i`'s check; true when it has now failed `retries` times.
    fn fd_check(&mut self, cx: &mut Cx, i: u8) -> bool {
        let fd = &self.cfg.fault_detection;
        let slot = &mut self.fd[usize::from(i)];
        match slot.sent_at_us {
            Some(t) if cx.now_us.saturating_sub(t) >= fd.timeout_us => {
                slot.sent_at_us = None;
                slot.failures += 1;
                if slot.failures >= fd.retries {
                    *slot = FdSlot::default();
                    return true;
                }
            }
            Some(_) => return false,
            None => {}
        }
        slot.sent_at_us = Some(cx.now_us);
        self.send(cx, i, EsMsg::Ping { term: self.term, fd: true }, SMALL_BYTES);
        false
    }

    pub(super) fn on_ping(&mut self, cx: &mut Cx, from: u8, _term: u32, fd: bool) {
        let master = self.master().unwrap_or(NONE);
        // A fault-detection ping is answered `ok` only if the relation holds
        // both ways: I am the master it checks, or I follow (or joined) it.
        let ok = !fd || self.mode == Mode::Master || master == from || self.mode == Mode::Joining(from);
        let pong = EsMsg::Pong { master, term: self.term, version: self.state.version, ok };
        self.send(cx, from, pong, SMALL_BYTES);
    }

    pub(super) fn on_pong(&mut self, cx: &mut Cx, from: u8, master: u8, term: u32, version: u32, ok: bool) {
        self.seen[usize::from(from)] = Some(Seen { master, term, version });
        let slot = &mut self.fd[usize::from(from)];
        if slot.sent_at_us.is_some() {
            if ok {
                *slot = FdSlot::default();
            } else {
                // "Not my master" / "no longer master": no need to wait out the retries.
                *slot = FdSlot::default();
                match self.mode {
                    Mode::Master if has(self.state.members, from) => self.remove_members(cx, bit(from)),
                    Mode::Follower(m) if m == from => self.master_gone(cx),
                    _ => {}
                }
                return;
            }
        }
        if self.mode == Mode::Master && master == from && from != self.me {
            self.another_master(cx, from, term, version);
        }
    }

    /// Two masters meet (a healed partition). Zen: the one with the older
    /// cluster state (ties: the higher index) rejoins the other. 7.x: a higher
    /// term wins, so a stale leader steps down.
    fn another_master(&mut self, cx: &mut Cx, other: u8, term: u32, version: u32) {
        let other_wins = if self.cfg.voting_mode {
            term > self.term
        } else {
            (version, std::cmp::Reverse(other)) > (self.state.version, std::cmp::Reverse(self.me))
        };
        if other_wins {
            self.step_down(cx);
            self.join(cx, other);
        }
    }

    fn master_gone(&mut self, cx: &mut Cx) {
        self.start_discovery(cx);
        self.data_changed(cx);
    }

    // ---- discovery and elections ----------------------------------------

    pub(super) fn start_discovery(&mut self, cx: &mut Cx) {
        self.mode = Mode::Discovering;
        self.seen.iter_mut().for_each(|s| *s = None);
        for i in self.others().collect::<Vec<_>>() {
            self.send(cx, i, EsMsg::Ping { term: self.term, fd: false }, SMALL_BYTES);
        }
        cx.set_timer(EsTimer::Election, self.cfg.discovery_round_us);
    }

    pub(super) fn on_election_timer(&mut self, cx: &mut Cx) {
        match self.mode {
            Mode::Discovering => self.end_discovery_round(cx),
            Mode::Candidate { started: false } if self.cfg.voting_mode => self.request_votes(cx),
            // A join or a candidacy that came to nothing: look again.
            Mode::Joining(_) | Mode::Candidate { .. } => self.start_discovery(cx),
            Mode::Follower(_) | Mode::Master => {}
        }
    }

    fn end_discovery_round(&mut self, cx: &mut Cx) {
        // Someone reports an active master: join it (the lowest index if several).
        let active = self.seen.iter().flatten().map(|s| s.master).filter(|&m| m != NONE && m != self.me).min();
        if let Some(m) = active {
            self.join(cx, m);
            return;
        }
        if !self.is_eligible() {
            self.start_discovery(cx);
            return;
        }
        if self.cfg.voting_mode {
            // Pre-vote: stand only if the nodes without a leader, with me, are a
            // majority of the voting configuration and none has a newer state
            // (so a minority never raises its term and disrupts the majority).
            let config = if self.state.voting != 0 { self.state.voting } else { voting_for(self.cfg.eligible, 0) };
            let mut free = bit(self.me);
            for (i, s) in self.seen.iter().enumerate() {
                if let Some(s) = s {
                    if s.master == NONE && (s.term, s.version) <= (self.state.term.max(self.term), self.state.version) {
                        free |= bit(i as u8);
                    }
                }
            }
            if !majority(free, config) {
                self.start_discovery(cx);
                return;
            }
            // Schedule an election after a random delay that grows with the attempts.
            self.election_attempts = self.election_attempts.saturating_add(1);
            let c = &self.cfg;
            let ceiling = c.election_initial_us.saturating_add(c.election_backoff_us.saturating_mul(u64::from(self.election_attempts))).min(c.election_max_us);
            let delay = cx.rng.between(0, ceiling);
            self.mode = Mode::Candidate { started: false };
            cx.set_timer(EsTimer::Election, delay.max(1));
            return;
        }
        // Zen: elect among the visible master-eligible nodes, if there are enough.
        let mut visible = bit(self.me);
        let mut best = (self.state.version, std::cmp::Reverse(self.me));
        for (i, s) in self.seen.iter().enumerate() {
            if let Some(s) = s {
                if has(self.cfg.eligible, i as u8) {
                    visible |= bit(i as u8);
                    best = best.max((s.version, std::cmp::Reverse(i as u8)));
                }
            }
        }
        if visible.count_ones() < self.cfg.minimum_master_nodes {
            self.start_discovery(cx); // "not enough master nodes discovered"
            return;
        }
        let winner = best.1 .0;
        if winner == self.me {
            self.mode = Mode::Candidate { started: true };
            cx.set_timer(EsTimer::Election, self.cfg.join_timeout_us);
            self.try_win(cx);
        } else {
            self.join(cx, winner);
        }
    }

    /// 7.x: start an election in a new term and ask the master-eligible nodes to join.
    fn request_votes(&mut self, cx: &mut Cx) {
        let seen_term = self.seen.iter().flatten().map(|s| s.term).max().unwrap_or(0);
        self.term = self.term.max(seen_term).max(self.state.term) + 1;
        self.joins_at_us.iter_mut().for_each(|j| *j = None);
        self.joins_at_us[usize::from(self.me)] = Some((cx.now_us, self.term));
        self.mode = Mode::Candidate { started: true };
        let ask = EsMsg::StartJoin { term: self.term, last_term: self.state.term, last_version: self.state.version };
        for i in self.others().filter(|&i| has(self.cfg.eligible, i)).collect::<Vec<_>>() {
            self.send(cx, i, ask, SMALL_BYTES);
        }
        cx.set_timer(EsTimer::Election, self.cfg.discovery_round_us);
        self.try_win(cx);
    }

    pub(super) fn on_start_join(&mut self, cx: &mut Cx, from: u8, term: u32, last_term: u32, last_version: u32) {
        if !self.cfg.voting_mode || term <= self.term || matches!(self.mode, Mode::Follower(_)) {
            return; // one vote per term; a node that has a leader stays with it
        }
        if (last_term, last_version) < (self.state.term, self.state.version) {
            return; // the candidate's state is older than mine
        }
        self.term = term;
        if self.mode == Mode::Master {
            self.step_down(cx);
        }
        self.join(cx, from);
    }

    fn join(&mut self, cx: &mut Cx, to: u8) {
        self.mode = Mode::Joining(to);
        self.fd[usize::from(to)] = FdSlot::default();
        self.send(cx, to, EsMsg::Join { term: self.term }, SMALL_BYTES);
        cx.set_timer(EsTimer::Election, self.cfg.join_timeout_us);
    }

    pub(super) fn on_join(&mut self, cx: &mut Cx, from: u8, term: u32) {
        match self.mode {
            Mode::Master => {
                if term <= self.term && !has(self.state.members, from) {
                    self.fd[usize::from(from)] = FdSlot::default();
                    self.state.members |= bit(from);
                    self.change(cx);
                }
            }
            _ => {
                self.joins_at_us[usize::from(from)] = Some((cx.now_us, term));
                if matches!(self.mode, Mode::Candidate { started: true }) {
                    self.try_win(cx);
                }
            }
        }
    }

    /// Joins that still count: Zen's within the join timeout, 7.x's in this term.
    fn joined(&self, now_us: u64) -> u16 {
        let mut mask = 0;
        for (i, j) in self.joins_at_us.iter().enumerate() {
            let Some((at, term)) = *j else { continue };
            let fresh = if self.cfg.voting_mode { term == self.term } else { now_us.saturating_sub(at) <= self.cfg.join_timeout_us };
            if fresh || i == usize::from(self.me) {
                mask |= bit(i as u8);
            }
        }
        mask | bit(self.me)
    }

    fn try_win(&mut self, cx: &mut Cx) {
        let joined = self.joined(cx.now_us);
        let won = if self.cfg.voting_mode {
            // A majority of the last accepted and of the last committed
            // configuration: an accepted but uncommitted reconfiguration cannot
            // let a smaller set of voters elect on its own.
            let initial = voting_for(self.cfg.eligible, 0);
            let accepted = if self.state.voting != 0 { self.state.voting } else { initial };
            let committed = if self.committed_voting != 0 { self.committed_voting } else { initial };
            majority(joined & self.cfg.eligible, accepted) && majority(joined & self.cfg.eligible, committed)
        } else {
            (joined & self.cfg.eligible).count_ones() >= self.cfg.minimum_master_nodes
        };
        if !won {
            return;
        }
        self.mode = Mode::Master;
        self.election_attempts = 0;
        if !self.cfg.voting_mode {
            self.term = self.term.max(self.state.term) + 1; // Zen has no terms; count elections
        }
        self.fd.iter_mut().for_each(|s| *s = FdSlot::default());
        self.joins_at_us.iter_mut().for_each(|j| *j = None);
        self.state.members = joined;
        if self.state.voting == 0 {
            self.state.voting = voting_for(self.cfg.eligible, 0); // cluster.initial_master_nodes
            self.committed_voting = self.state.voting;
        }
        self.publishing = None;
        self.change(cx);
    }

    pub(super) fn step_down(&mut self, cx: &mut Cx) {
        self.publishing = None;
        self.dirty = false;
        cx.cancel_timer(EsTimer::Publish);
        self.start_discovery(cx);
        self.data_changed(cx);
    }

    // ---- the master's cluster state ----------------------------------------

    fn remove_members(&mut self, cx: &mut Cx, gone: u16) {
        self.state.members &= !gone;
        let eligible = self.state.members & self.cfg.eligible;
        let enough = if self.cfg.voting_mode {
            majority(eligible, self.committed_voting)
        } else {
            eligible.count_ones() >= self.cfg.minimum_master_nodes
        };
        if enough {
            self.change(cx);
        } else {
            // Zen: "not enough master nodes"; 7.x: the removal could never commit.
            self.step_down(cx);
        }
    }

    /// The master changed its state: re-allocate and publish (or queue behind the publication in flight).
    pub(super) fn change(&mut self, cx: &mut Cx) {
        self.state.allocate(self.cfg.shards, self.cfg.data, &self.cfg.rack);
        if self.cfg.voting_mode {
            self.state.voting = voting_for(self.state.members & self.cfg.eligible, self.committed_voting);
        }
        if self.publishing.is_some() {
            self.dirty = true;
            return;
        }
        self.publish(cx);
    }

    fn publish(&mut self, cx: &mut Cx) {
        self.state.version += 1;
        self.state.term = self.term;
        self.state.master = self.me;
        let state = self.state;
        for i in self.others().filter(|&i| has(state.members, i)).collect::<Vec<_>>() {
            self.send(cx, i, EsMsg::Publish { state }, STATE_BYTES);
        }
        self.publishing = Some(Publication { version: state.version, acks: bit(self.me), old_voting: self.committed_voting });
        cx.set_timer(EsTimer::Publish, self.cfg.publish_timeout_us);
        self.data_changed(cx);
        self.check_commit(cx);
    }

    fn check_commit(&mut self, cx: &mut Cx) {
        let Some(p) = self.publishing else { return };
        let committed = if self.cfg.voting_mode {
            majority(p.acks, p.old_voting) && majority(p.acks, self.state.voting)
        } else {
            (p.acks & self.cfg.eligible).count_ones() >= self.cfg.minimum_master_nodes
        };
        if !committed {
            return;
        }
        self.publishing = None;
        self.committed_voting = self.state.voting;
        cx.cancel_timer(EsTimer::Publish);
        if let Some(g) = self.cfg.commit_gauge {
            cx.emit(Effect::Gauge { gauge: g, value: i64::from(p.version) });
        }
        if self.dirty {
            self.dirty = false;
            self.publish(cx);
        }
    }

    pub(super) fn on_publish_ack(&mut self, cx: &mut Cx, from: u8, _term: u32, version: u32) {
        if self.mode != Mode::Master {
            return;
        }
        if let Some(p) = self.publishing.as_mut() {
            if p.version == version {
                p.acks |= bit(from);
                self.check_commit(cx);
            }
        }
    }

    /// A follower applies a published state if it comes from the master it
    /// follows or joined (Zen rejects a state from any other master), or from
    /// a leader of at least its term (7.x).
    pub(super) fn on_publish(&mut self, cx: &mut Cx, from: u8, incoming: ClusterState) {
        if !has(incoming.members, self.me) {
            return;
        }
        let accept = if self.cfg.voting_mode {
            incoming.term >= self.term && (incoming.term, incoming.version) > (self.state.term, self.state.version)
        } else {
            match self.mode {
                Mode::Follower(m) | Mode::Joining(m) => m == from && (incoming.version > self.state.version || self.mode == Mode::Joining(from)),
                Mode::Discovering | Mode::Candidate { .. } => true,
                Mode::Master => incoming.version > self.state.version,
            }
        };
        if !accept {
            return;
        }
        if self.mode == Mode::Master {
            self.publishing = None;
            self.dirty = false;
            cx.cancel_timer(EsTimer::Publish);
        }
        if self.mode != Mode::Follower(from) {
            self.fd[usize::from(from)] = FdSlot::default();
            cx.cancel_timer(EsTimer::Election);
        }
        self.term = self.term.max(incoming.term);
        self.mode = Mode::Follower(from);
        // A master publishes its next state only after the previous one
        // committed, so the next state from the same master and term commits
        // the configuration of the one before it. (No separate commit message.)
        if incoming.master == self.state.master && incoming.term == self.state.term {
            self.committed_voting = self.state.voting;
        } else if self.committed_voting == 0 {
            self.committed_voting = voting_for(self.cfg.eligible, 0);
        }
        self.state = incoming;
        self.send(cx, from, EsMsg::PublishAck { term: incoming.term, version: incoming.version }, SMALL_BYTES);
        self.data_changed(cx);
    }
}
