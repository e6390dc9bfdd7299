//! Terms and elections: heartbeats, the dry run before a real election, one
//! vote per member per term for a candidate whose oplog is at least as up to
//! date, and stepping down on a higher term or on losing sight of a majority.

use super::{bit, MongoMember, MongoMsg, MongoTimer, OplogEntry, State, SMALL_BYTES};
use crate::model::effect::{Cx, Effect, Epoch, Role};
use crate::model::msg::{ReplyStatus, ServiceMsg};

impl MongoMember {
    pub(super) fn announce(&self, cx: &mut Cx) {
        let (role, leader) = match self.state {
            State::Primary => (Role::Active, self.me),
            State::Candidate { dry_run: false } => (Role::Candidate, self.me),
            State::Candidate { dry_run: true } | State::Secondary => (Role::Passive, self.sync_source.unwrap_or(self.me)),
        };
        let epoch = Epoch::new(self.term, self.cfg.members[leader]);
        cx.emit(Effect::Role { group: self.cfg.group, role, epoch });
    }

    pub(super) fn arm_election(&self, cx: &mut Cx) {
        let offset = cx.rng.below(self.cfg.election_offset_max_us.saturating_add(1));
        cx.set_timer(MongoTimer::Election, self.cfg.election_timeout_us.saturating_add(offset));
    }

    /// A message carried `term`: a newer term makes this member a secondary of it.
    pub(super) fn observe_term(&mut self, cx: &mut Cx, term: u32) {
        if term <= self.term {
            return;
        }
        self.term = term;
        // The primary it followed belongs to an older term now.
        self.sync_source = None;
        self.fetching = false;
        if self.state != State::Secondary {
            self.become_secondary(cx);
        } else {
            self.announce(cx);
        }
    }

    pub(super) fn become_secondary(&mut self, cx: &mut Cx) {
        let was_primary = self.state == State::Primary;
        self.state = State::Secondary;
        if was_primary {
            // A primary that steps down interrupts the writes waiting for the majority.
            while let Some(w) = self.waiting.pop_front() {
                cx.send(w.client, self.cfg.client_plane, ServiceMsg::Reply { req: w.req, status: ReplyStatus::NotActive }, SMALL_BYTES);
            }
            self.parked.iter_mut().for_each(|p| *p = false);
            self.sync_source = None;
        }
        self.arm_election(cx);
        self.announce(cx);
    }

    pub(super) fn heartbeat_tick(&mut self, cx: &mut Cx) {
        let (last_index, last_term) = self.last();
        let msg = MongoMsg::Heartbeat { term: self.term, primary: self.state == State::Primary, last_index, last_term };
        for j in self.others() {
            self.send(cx, j, msg, SMALL_BYTES);
        }
        if self.state == State::Primary {
            let window = self.cfg.election_timeout_us;
            let seen = 1 + self.others().filter(|&j| cx.now_us.saturating_sub(self.heard_us[j]) < window).count();
            if seen < self.majority() {
                self.become_secondary(cx);
            }
        }
        cx.set_timer(MongoTimer::Heartbeat, self.cfg.heartbeat_interval_us);
    }

    pub(super) fn on_heartbeat(&mut self, cx: &mut Cx, from: usize, term: u32, primary: bool) {
        self.observe_term(cx, term);
        if primary && term == self.term && self.state != State::Primary {
            if self.state != State::Secondary {
                self.become_secondary(cx);
            }
            self.primary_heard_us = cx.now_us;
            self.arm_election(cx);
            if self.sync_source != Some(from) {
                self.sync_source = Some(from);
                self.fetching = false;
                self.announce(cx);
            }
            if !self.fetching {
                self.fetch(cx);
            }
        }
    }

    pub(super) fn stand(&mut self, cx: &mut Cx) {
        if self.state == State::Primary {
            return;
        }
        // First a dry run in the next term; the term is raised only if it succeeds.
        self.state = State::Candidate { dry_run: true };
        self.votes = bit(self.me);
        self.ask_votes(cx, self.term + 1, true);
        self.arm_election(cx);
    }

    pub(super) fn ask_votes(&self, cx: &mut Cx, term: u32, dry_run: bool) {
        let (last_index, last_term) = self.last();
        for j in self.others() {
            self.send(cx, j, MongoMsg::RequestVote { term, dry_run, last_index, last_term }, SMALL_BYTES);
        }
    }

    pub(super) fn on_request_vote(&mut self, cx: &mut Cx, from: usize, term: u32, dry_run: bool, last: (u32, u32)) {
        if !dry_run {
            self.observe_term(cx, term);
        }
        let (my_index, my_term) = self.last();
        let up_to_date = (last.1, last.0) >= (my_term, my_index);
        let granted = up_to_date && if dry_run { term > self.term } else { term == self.term && self.voted_in_term < term };
        if granted && !dry_run {
            self.voted_in_term = term;
            self.arm_election(cx);
        }
        self.send(cx, from, MongoMsg::Vote { term, dry_run, granted }, SMALL_BYTES);
    }

    pub(super) fn on_vote(&mut self, cx: &mut Cx, from: usize, term: u32, dry_run: bool, granted: bool) {
        if !dry_run {
            self.observe_term(cx, term);
        }
        let State::Candidate { dry_run: running_dry } = self.state else { return };
        let expected_term = if running_dry { self.term + 1 } else { self.term };
        if !granted || dry_run != running_dry || term != expected_term {
            return;
        }
        self.votes |= bit(from);
        if (self.votes.count_ones() as usize) < self.majority() {
            return;
        }
        if running_dry {
            self.term += 1;
            self.voted_in_term = self.term;
            self.state = State::Candidate { dry_run: false };
            self.votes = bit(self.me);
            self.announce(cx);
            self.ask_votes(cx, self.term, false);
            self.arm_election(cx);
        } else {
            self.become_primary(cx);
        }
    }

    pub(super) fn become_primary(&mut self, cx: &mut Cx) {
        self.state = State::Primary;
        self.sync_source = None;
        self.fetching = false;
        cx.cancel_timer(MongoTimer::Election);
        cx.cancel_timer(MongoTimer::Fetch);
        if let Some(g) = self.cfg.failover_gauge {
            let value = cx.now_us.saturating_sub(self.primary_heard_us) / 1_000;
            cx.emit(Effect::Gauge { gauge: g, value: value as i64 });
        }
        self.match_len.iter_mut().for_each(|m| *m = 0);
        self.match_len[self.me] = self.oplog.len() as u32;
        self.parked.iter_mut().for_each(|p| *p = false);
        // A new primary writes a no-op in its term: its commit point can advance from it.
        self.append(OplogEntry { term: self.term, write_id: 0 });
        self.announce(cx);
        self.heartbeat_tick(cx);
    }
}
