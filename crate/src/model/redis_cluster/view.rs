//! Failure detection and the cluster state: pings, PFAIL, failure reports
//! gossiped by masters, FAIL, the slot table updated by higher
//! `configEpoch`s, and whether this node serves queries at all.

use super::{bit, has, Header, RcConfig, RcMsg, RcNode, BUS_BYTES, NONE, WRITABLE_DELAY_US};
use crate::model::effect::Cx;

/// Failure reports count for twice the node timeout (`CLUSTER_FAIL_REPORT_VALIDITY_MULT`).
const REPORT_VALIDITY_MULT: u64 = 2;
/// A FAIL master that answers again, and was not failed over, is cleared
/// after twice the node timeout (`CLUSTER_FAIL_UNDO_TIME_MULT`).
const FAIL_UNDO_MULT: u64 = 2;
/// A master back from the minority waits the node timeout, clamped to
/// 0.5–5 s, before serving again (`CLUSTER_MIN/MAX_REJOIN_DELAY`).
const REJOIN_DELAY_MIN_US: u64 = 500_000;
const REJOIN_DELAY_MAX_US: u64 = 5_000_000;
/// Peers sampled for the once-a-second random ping (`clusterCron`).
const PING_SAMPLES: usize = 5;

impl RcNode {
    /// `clusterCron`'s pings: once a second the peer with the oldest pong out
    /// of five random ones, and every peer not pinged for half the node timeout.
    pub(super) fn ping_round(&mut self, cx: &mut Cx) {
        let n = self.cfg.cluster.len();
        if n < 2 {
            return;
        }
        let now = cx.now_us;
        if self.tick.is_multiple_of(10) {
            let mut best: Option<u8> = None;
            for _ in 0..PING_SAMPLES {
                let j = cx.rng.below(n as u64) as u8;
                let p = &self.peers[usize::from(j)];
                if j == self.me || p.ping_sent_us.is_some() {
                    continue;
                }
                if best.is_none_or(|b| p.pong_received_us < self.peers[usize::from(b)].pong_received_us) {
                    best = Some(j);
                }
            }
            if let Some(j) = best {
                self.ping(cx, j);
            }
        }
        // Every peer not heard from for half the timeout gets a ping; one whose
        // ping has gone unanswered that long gets it again over a new link
        // (the source reconnects the link), keeping the first ping's time.
        let half = self.cfg.node_timeout_us / 2;
        let due: Vec<u8> = self
            .others()
            .filter(|&j| {
                let p = &self.peers[usize::from(j)];
                let quiet = now.saturating_sub(p.pong_received_us) > half;
                quiet && p.ping_sent_us.is_none_or(|_| now.saturating_sub(p.last_ping_us) > half)
            })
            .collect();
        for j in due {
            self.ping(cx, j);
        }
    }

    fn ping(&mut self, cx: &mut Cx, j: u8) {
        let p = &mut self.peers[usize::from(j)];
        p.ping_sent_us.get_or_insert(cx.now_us);
        p.last_ping_us = cx.now_us;
        let hdr = self.header();
        self.send(cx, j, RcMsg::Ping { hdr }, BUS_BYTES);
    }

    /// PFAIL for every ping unanswered longer than the node timeout; old
    /// failure reports expire; PFAIL peers with enough reports become FAIL.
    pub(super) fn detect_failures(&mut self, cx: &mut Cx) {
        let now = cx.now_us;
        let timeout = self.cfg.node_timeout_us;
        let validity = timeout * REPORT_VALIDITY_MULT;
        for j in self.others().collect::<Vec<_>>() {
            let p = &mut self.peers[usize::from(j)];
            if p.ping_sent_us.is_some_and(|t| now.saturating_sub(t) > timeout) && !p.fail {
                p.pfail = true;
            }
            for r in &mut p.reports {
                if r.is_some_and(|t| now.saturating_sub(t) > validity) {
                    *r = None;
                }
            }
            self.mark_failing_if_needed(cx, j);
        }
    }

    /// Masters serving slots in this node's table (the cluster's "size").
    pub(super) fn size(&self) -> u32 {
        let mut owners = 0u16;
        for o in &self.ranges {
            owners |= bit(o.owner);
        }
        owners.count_ones()
    }

    /// `markNodeAsFailingIfNeeded`: PFAIL here plus reports from masters
    /// (this node counts if it is a master) reaching a majority of the masters.
    fn mark_failing_if_needed(&mut self, cx: &mut Cx, j: u8) {
        let p = &self.peers[usize::from(j)];
        if !p.pfail || p.fail {
            return;
        }
        let reports = p.reports.iter().enumerate().filter(|&(r, t)| t.is_some() && self.is_master_serving(r as u8)).count() as u32;
        let mine = u32::from(self.is_master() && self.slots_of(self.me) != 0);
        if reports + mine < RcConfig::quorum(self.size()) {
            return;
        }
        self.set_fail(cx.now_us, j);
        let hdr = self.header();
        for k in self.others().collect::<Vec<_>>() {
            self.send(cx, k, RcMsg::Fail { node: j, hdr }, BUS_BYTES);
        }
    }

    fn is_master_serving(&self, i: u8) -> bool {
        self.ranges.iter().any(|o| o.owner == i)
    }

    fn set_fail(&mut self, now: u64, j: u8) {
        let p = &mut self.peers[usize::from(j)];
        p.pfail = false;
        p.fail = true;
        p.fail_time_us = now;
    }

    pub(super) fn on_fail_message(&mut self, now: u64, node: u8) {
        if node != self.me && usize::from(node) < self.peers.len() && !self.peers[usize::from(node)].fail {
            self.set_fail(now, node);
        }
    }

    /// A pong: the peer is reachable. FAIL is undone for a replica or a master
    /// without slots at once, for a master still serving slots only after
    /// twice the node timeout (nobody failed it over meanwhile).
    pub(super) fn on_pong(&mut self, now: u64, j: u8) {
        let serving = self.is_master_serving(j);
        let undo_us = self.cfg.node_timeout_us * FAIL_UNDO_MULT;
        let p = &mut self.peers[usize::from(j)];
        p.pong_received_us = now;
        p.ping_sent_us = None;
        p.pfail = false;
        if p.fail && (!serving || now.saturating_sub(p.fail_time_us) > undo_us) {
            p.fail = false;
        }
    }

    /// What every packet's header tells: epochs, roles, the sender's slot
    /// claims (a higher `configEpoch` takes a range over) and, from a master,
    /// its failure suspicions (`gossip`: pings and pongs carry them).
    pub(super) fn on_header(&mut self, cx: &mut Cx, from: u8, hdr: Header, gossip: bool) {
        self.current_epoch = self.current_epoch.max(hdr.current_epoch);
        let sender_master = hdr.master_of == NONE;
        {
            let p = &mut self.peers[usize::from(from)];
            p.master_of = if usize::from(hdr.master_of) < self.cfg.cluster.len() { hdr.master_of } else { NONE };
            p.offset = hdr.offset;
        }
        if sender_master {
            for r in 0..self.ranges.len() {
                let o = self.ranges[r];
                if has(hdr.slots, r as u8) && o.owner != from && hdr.config_epoch > o.epoch {
                    self.take_over_range(cx, r, from, hdr.config_epoch);
                }
            }
        }
        if gossip && sender_master && hdr.slots != 0 {
            let now = cx.now_us;
            for k in self.others().filter(|&k| k != from).collect::<Vec<_>>() {
                let report = &mut self.peers[usize::from(k)].reports[usize::from(from)];
                *report = has(hdr.suspects, k).then_some(now);
                self.mark_failing_if_needed(cx, k);
            }
        }
    }

    /// `clusterUpdateSlotsConfigWith`: `new_owner` serves range `r` from now
    /// on. A master that lost its last range, and a replica whose master did,
    /// become replicas of the new owner.
    fn take_over_range(&mut self, cx: &mut Cx, r: usize, new_owner: u8, epoch: u32) {
        let old = self.ranges[r].owner;
        self.ranges[r] = super::RangeOwner { owner: new_owner, epoch };
        let follow = (old == self.me && self.is_master()) || (old == self.master_of && !self.is_master());
        if follow && self.slots_of(old) == 0 && new_owner != self.me {
            self.set_master(cx, new_owner);
        }
    }

    /// `clusterUpdateState`: ok unless this node sees fewer than a majority
    /// of the masters reachable (itself included), or, with full coverage,
    /// a range served by nobody or by a FAIL master.
    pub(super) fn update_state(&mut self, now: u64) {
        if self.is_master() && !self.state_ok && self.restarted && now.saturating_sub(self.started_us) < WRITABLE_DELAY_US {
            return;
        }
        let mut ok = true;
        if self.cfg.full_coverage && self.uncovered_slots() > 0 {
            ok = false;
        }
        let mut owners = 0u16;
        for o in &self.ranges {
            owners |= bit(o.owner);
        }
        let reachable = (0..self.cfg.cluster.len() as u8)
            .filter(|&i| has(owners, i))
            .filter(|&i| i == self.me || !(self.peers[usize::from(i)].pfail || self.peers[usize::from(i)].fail))
            .count() as u32;
        if reachable < RcConfig::quorum(owners.count_ones()) {
            ok = false;
            self.among_minority_us = Some(now);
        }
        if ok == self.state_ok {
            return;
        }
        let rejoin_us = self.cfg.node_timeout_us.clamp(REJOIN_DELAY_MIN_US, REJOIN_DELAY_MAX_US);
        if ok && self.is_master() && self.among_minority_us.is_some_and(|t| now.saturating_sub(t) < rejoin_us) {
            return;
        }
        self.state_ok = ok;
    }
}
