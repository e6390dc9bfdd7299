//! Replica election (`clusterHandleSlaveFailover`) and the masters' votes
//! (`clusterSendFailoverAuthIfNeeded`).

use super::{bit, has, Election, Header, RcConfig, RcMsg, RcNode, RcTimer, BUS_BYTES, NONE, SMALL_BYTES};
use crate::model::effect::{Cx, Effect};

/// The fixed part of the election delay, and the random part's range.
const DELAY_FIXED_US: u64 = 500_000;
const DELAY_RANDOM_US: u64 = 500_000;
/// Extra delay per rank (replicas with more data go first).
const RANK_STEP_US: u64 = 1_000_000;
/// The vote window is twice the node timeout, at least 2 s; a new attempt
/// waits twice that.
const AUTH_TIMEOUT_MIN_US: u64 = 2_000_000;

impl RcNode {
    fn auth_timeout_us(&self) -> u64 {
        (self.cfg.node_timeout_us * 2).max(AUTH_TIMEOUT_MIN_US)
    }

    /// A replica whose master is FAIL, still serves slots, and whose data is
    /// fresh enough schedules an election (or a new one once the retry time passed).
    pub(super) fn consider_failover(&mut self, cx: &mut Cx) {
        let m = self.master_of;
        if m == NONE || !self.peers[usize::from(m)].fail || self.slots_of(m) == 0 {
            return;
        }
        // Data age: since the last interaction with the master, minus the node
        // timeout (the master was unreachable that long before it could be FAIL).
        let mut data_age = cx.now_us.saturating_sub(self.master_contact_us);
        if data_age > self.cfg.node_timeout_us {
            data_age -= self.cfg.node_timeout_us;
        }
        let limit = self.cfg.node_timeout_us * u64::from(self.cfg.validity_factor) + self.cfg.repl_ping_period_us;
        if self.cfg.validity_factor > 0 && data_age > limit {
            return; // "my data is too old": this replica never stands
        }
        let retry_us = self.auth_timeout_us() * 2;
        if let Some(e) = self.election {
            if cx.now_us < e.auth_time_us + retry_us {
                return;
            }
        }
        let delay = DELAY_FIXED_US + cx.rng.below(DELAY_RANDOM_US + 1) + u64::from(self.rank()) * RANK_STEP_US;
        self.election = Some(Election { auth_time_us: cx.now_us + delay, epoch: None, votes: 0 });
        cx.set_timer(RcTimer::Failover, delay);
    }

    /// Replicas of the same master with a higher offset than this one.
    fn rank(&self) -> u32 {
        let mine = self.data.len() as u32;
        self.others().filter(|&j| self.peers[usize::from(j)].master_of == self.master_of && self.peers[usize::from(j)].offset > mine).count() as u32
    }

    pub(super) fn on_failover_timer(&mut self, cx: &mut Cx) {
        let Some(e) = self.election else { return };
        if e.epoch.is_some() {
            // The vote window closed without a majority: stand down until the
            // retry time (`consider_failover` starts the next attempt).
            self.election = Some(Election { epoch: None, votes: 0, ..e });
            return;
        }
        let m = self.master_of;
        if m == NONE || !self.peers[usize::from(m)].fail {
            self.election = None;
            return;
        }
        self.current_epoch += 1;
        let epoch = self.current_epoch;
        self.election = Some(Election { epoch: Some(epoch), ..e });
        let hdr = self.header();
        for k in self.others().collect::<Vec<_>>() {
            self.send(cx, k, RcMsg::AuthRequest { hdr }, BUS_BYTES);
        }
        cx.set_timer(RcTimer::Failover, self.auth_timeout_us());
    }

    /// A master votes at most once per epoch, only for a replica of a FAIL
    /// master, not twice for that master's replicas within twice the node
    /// timeout, and only if none of the claimed ranges has a newer epoch here.
    pub(super) fn on_auth_request(&mut self, cx: &mut Cx, from: u8, hdr: Header) {
        if !self.is_master() || self.slots_of(self.me) == 0 {
            return;
        }
        let epoch = hdr.current_epoch;
        if epoch < self.current_epoch || self.last_vote_epoch == self.current_epoch {
            return;
        }
        let m = hdr.master_of;
        if m == NONE || usize::from(m) >= self.peers.len() || !self.peers[usize::from(m)].fail {
            return;
        }
        let twice_timeout = self.cfg.node_timeout_us * 2;
        if self.peers[usize::from(m)].voted_time_us.is_some_and(|t| cx.now_us.saturating_sub(t) < twice_timeout) {
            return;
        }
        let stale = (0..self.ranges.len()).any(|r| has(hdr.slots, r as u8) && self.ranges[r].epoch > hdr.config_epoch);
        if stale {
            return;
        }
        self.last_vote_epoch = self.current_epoch;
        self.peers[usize::from(m)].voted_time_us = Some(cx.now_us);
        self.send(cx, from, RcMsg::AuthAck { epoch: self.current_epoch }, SMALL_BYTES);
    }

    pub(super) fn on_auth_ack(&mut self, cx: &mut Cx, from: u8, epoch: u32) {
        let Some(mut e) = self.election else { return };
        if e.epoch != Some(epoch) || self.master_of == NONE {
            return;
        }
        // Only votes of masters serving slots count.
        if !self.ranges.iter().any(|o| o.owner == from) {
            return;
        }
        e.votes |= bit(from);
        self.election = Some(e);
        if e.votes.count_ones() >= RcConfig::quorum(self.size()) {
            self.promote(cx, epoch);
        }
    }

    /// Won: serve the old master's ranges under the new epoch and tell everyone.
    fn promote(&mut self, cx: &mut Cx, epoch: u32) {
        let old = self.master_of;
        if let Some(g) = self.cfg.failover_gauge {
            let ms = cx.now_us.saturating_sub(self.master_contact_us) / 1_000;
            cx.emit(Effect::Gauge { gauge: g, value: ms as i64 });
        }
        self.master_of = NONE;
        self.config_epoch = epoch;
        for o in self.ranges.iter_mut().filter(|o| o.owner == old) {
            o.owner = self.me;
            o.epoch = epoch;
        }
        self.election = None;
        self.needs_full_sync = false;
        self.incoming = None;
        self.replicas.iter_mut().for_each(|r| *r = None);
        cx.cancel_timer(RcTimer::Failover);
        let hdr = self.header();
        for k in self.others().collect::<Vec<_>>() {
            self.send(cx, k, RcMsg::Pong { hdr }, BUS_BYTES);
        }
    }

    /// Become (or stay) a replica of `master`: its data set replaces ours
    /// through a full synchronisation.
    pub(super) fn set_master(&mut self, cx: &mut Cx, master: u8) {
        self.master_of = master;
        self.needs_full_sync = true;
        self.incoming = None;
        self.election = None;
        self.master_contact_us = cx.now_us;
        self.replicas.iter_mut().for_each(|r| *r = None);
        cx.cancel_timer(RcTimer::Failover);
        self.send_repl_ack(cx);
    }
}
