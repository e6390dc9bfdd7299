//! Keepalives, the primary's membership round, elections, bootstrap discovery
//! after a restart, and the operator's forced re-designation.

use super::msg::{AisMsg, AisTimer, Query};
use super::smap::{hrw, Smap, NONE};
use super::{AisNode, Phase, Tally};
use crate::model::effect::Cx;

impl AisNode {
    fn now_s(cx: &Cx) -> u32 {
        (cx.now_us / 1_000_000).min(u64::from(u32::MAX)) as u32
    }

    /// Send the next keepalive; after an unanswered one, retry sooner
    /// (`interval / retry_factor`); after `factor` intervals, the primary is down.
    pub(super) fn keepalive_tick(&mut self, cx: &mut Cx) {
        let ka = self.cfg.keepalive;
        let now = cx.now_us;
        let primary = self.smap.primary;
        if !self.is_primary() && self.phase == Phase::Steady && primary != NONE {
            if now.saturating_sub(self.last_ack_us) >= self.detection_us() {
                self.on_primary_down(cx);
            }
            self.keepalive_out_us.get_or_insert(now);
            let version = self.smap.version;
            self.send(cx, primary, AisMsg::Keepalive { version });
        }
        let failing = self.keepalive_out_us.is_some_and(|t| t < now);
        let next = if failing { (ka.interval_us / u64::from(ka.retry_factor.max(1))).max(1) } else { ka.interval_us };
        cx.set_timer(AisTimer::Keepalive, next);
    }

    pub(super) fn on_keepalive(&mut self, cx: &mut Cx, from: u8, version: u32) {
        if !self.is_primary() {
            return; // not the primary: the sender will find out by the silence
        }
        let member = self.smap.has(from);
        if member {
            self.last_heard_us[usize::from(from)] = cx.now_us;
        }
        let mine = self.smap.version;
        self.send(cx, from, AisMsg::KeepaliveAck { version: mine, member });
        if member && version < mine {
            let smap = self.smap;
            self.send(cx, from, AisMsg::Metasync { smap, forced: false, kept: NONE, split_since_s: 0 });
        }
    }

    pub(super) fn on_keepalive_ack(&mut self, cx: &mut Cx, from: u8, _version: u32, member: bool) {
        if from != self.smap.primary {
            return;
        }
        self.last_ack_us = cx.now_us;
        self.keepalive_out_us = None;
        if !member {
            self.send(cx, from, AisMsg::Join);
        }
    }

    pub(super) fn on_join(&mut self, cx: &mut Cx, from: u8) {
        if !self.is_primary() {
            return;
        }
        self.last_heard_us[usize::from(from)] = cx.now_us;
        if !self.smap.has(from) {
            let smap = Smap { version: self.smap.version + 1, ..self.smap.with(from) };
            self.publish(cx, smap, false, NONE, 0);
        } else {
            let smap = self.smap;
            self.send(cx, from, AisMsg::Metasync { smap, forced: false, kept: NONE, split_since_s: 0 });
        }
    }

    /// The primary drops members it has not heard from for the detection time.
    pub(super) fn members_round(&mut self, cx: &mut Cx) {
        if !self.is_primary() {
            return;
        }
        let now = cx.now_us;
        let detection = self.detection_us();
        let silent: Vec<u8> = self
            .smap
            .iter()
            .filter(|&i| i != self.me && now.saturating_sub(self.last_heard_us[usize::from(i)]) > detection)
            .collect();
        if !silent.is_empty() {
            let members = silent.iter().fold(self.smap, |m, &i| m.without(i));
            let smap = Smap { version: self.smap.version + 1, ..members };
            self.publish(cx, smap, false, NONE, 0);
        }
        cx.set_timer(AisTimer::Members, self.cfg.keepalive.interval_us);
    }

    /// Adopt `smap` as primary and distribute it to every member.
    fn publish(&mut self, cx: &mut Cx, smap: Smap, forced: bool, kept: u8, split_since_s: u32) {
        self.adopt(cx, smap);
        for i in smap.iter().filter(|&i| i != self.me).collect::<Vec<_>>() {
            self.send(cx, i, AisMsg::Metasync { smap, forced, kept, split_since_s });
        }
    }

    fn become_primary(&mut self, cx: &mut Cx, smap: Smap, forced: bool, kept: u8, split_since_s: u32) {
        let now = cx.now_us;
        self.last_heard_us.iter_mut().for_each(|t| *t = now);
        self.phase = Phase::Steady;
        self.keepalive_out_us = None;
        self.publish(cx, smap, forced, kept, split_since_s);
        cx.cancel_timer(AisTimer::Phase);
        cx.set_timer(AisTimer::Members, self.cfg.keepalive.interval_us);
    }

    /// The primary looks gone: the next proxy by HRW over this node's map runs.
    fn on_primary_down(&mut self, cx: &mut Cx) {
        let old = self.smap.primary;
        let Some(candidate) = hrw(&self.smap, self.cfg.proxies, 0, old) else { return };
        if candidate == self.me {
            self.start_election(cx);
            return;
        }
        let now = cx.now_us;
        if self.asked_candidate_us.is_none_or(|t| now.saturating_sub(t) >= self.detection_us()) {
            self.asked_candidate_us = Some(now);
            let version = self.smap.version;
            self.send(cx, candidate, AisMsg::ElectionRequest { version });
        }
    }

    pub(super) fn on_election_request(&mut self, cx: &mut Cx, _version: u32) {
        if self.is_proxy() && !self.is_primary() {
            self.start_election(cx);
        }
    }

    /// First the candidate pings the old primary (twice), and stands down if it answers.
    fn start_election(&mut self, cx: &mut Cx) {
        if self.phase != Phase::Steady || self.smap.primary == NONE {
            return;
        }
        self.phase = Phase::Pinging { attempt: 1 };
        let old = self.smap.primary;
        self.send(cx, old, AisMsg::SmapQuery { query: Query::PingPrimary });
        cx.set_timer(AisTimer::Phase, self.cfg.request_timeout_us);
    }

    fn ask_for_votes(&mut self, cx: &mut Cx) {
        self.phase = Phase::Voting;
        let old = self.smap.primary;
        let voters: Vec<u8> = self.smap.iter().filter(|&i| i != self.me && i != old).collect();
        self.tally = Tally { asked: voters.len() as u32, yes: 0, no: 0 };
        let version = self.smap.version;
        for v in voters {
            self.send(cx, v, AisMsg::VoteRequest { version });
        }
        cx.set_timer(AisTimer::Phase, self.cfg.request_timeout_us);
    }

    /// Yes only if this node too finds the primary overdue, names the same
    /// candidate by HRW over its own map, and holds no newer map.
    pub(super) fn on_vote_request(&mut self, cx: &mut Cx, from: u8, version: u32) {
        let overdue = cx.now_us.saturating_sub(self.last_ack_us) > self.cfg.keepalive.interval_us;
        let same_candidate = hrw(&self.smap, self.cfg.proxies, 0, self.smap.primary) == Some(from);
        let yes = !self.is_primary() && overdue && same_candidate && version >= self.smap.version;
        self.send(cx, from, AisMsg::Vote { yes });
    }

    pub(super) fn on_vote(&mut self, _cx: &mut Cx, yes: bool) {
        if self.phase == Phase::Voting {
            if yes {
                self.tally.yes += 1;
            } else {
                self.tally.no += 1;
            }
        }
    }

    /// Phase 1 result: errors (no answer) count as no; yes > no wins, and so
    /// does an election nobody answered. The commit phase distributes the map.
    fn count_votes(&mut self, cx: &mut Cx) {
        let t = self.tally;
        let errors = t.asked.saturating_sub(t.yes + t.no);
        let answered = t.yes + t.no;
        if t.yes > t.no + errors || answered == 0 {
            let old = self.smap.primary;
            let smap = Smap { version: self.smap.version + 100, primary: self.me, primary_since_s: Self::now_s(cx), ..self.smap.without(old) };
            self.become_primary(cx, smap, false, super::smap::NONE, 0);
        } else {
            self.phase = Phase::Steady;
            self.last_ack_us = cx.now_us; // try again after another detection time
        }
    }

    pub(super) fn phase_timeout(&mut self, cx: &mut Cx) {
        match self.phase {
            Phase::Pinging { attempt: 1 } => {
                self.phase = Phase::Pinging { attempt: 2 };
                let old = self.smap.primary;
                self.send(cx, old, AisMsg::SmapQuery { query: Query::PingPrimary });
                cx.set_timer(AisTimer::Phase, self.cfg.request_timeout_us);
            }
            Phase::Pinging { .. } => self.ask_for_votes(cx),
            Phase::Voting => self.count_votes(cx),
            Phase::Discovering => self.end_discovery(cx),
            Phase::Merging => self.end_merge(cx),
            Phase::Steady => {}
        }
    }

    pub(super) fn on_smap_reply(&mut self, cx: &mut Cx, from: u8, query: Query, smap: Smap) {
        match (query, self.phase) {
            (Query::PingPrimary, Phase::Pinging { .. }) if from == self.smap.primary && smap.primary == from => {
                // The old primary answers: stand down.
                self.phase = Phase::Steady;
                self.last_ack_us = cx.now_us;
                cx.cancel_timer(AisTimer::Phase);
            }
            (Query::Discover, Phase::Discovering) => {
                if smap.primary != NONE && self.gathered.is_none_or(|g| smap.version > g.version) {
                    self.gathered = Some(smap);
                }
            }
            (Query::Merge, Phase::Merging) => {
                self.merge_members |= smap.members;
                if self.gathered.is_none_or(|g| smap.version > g.version) {
                    self.gathered = Some(smap);
                }
                if smap.primary != self.smap.primary && smap.primary != NONE {
                    // The younger of the two primaries' starts: when two coexisted.
                    let younger = smap.primary_since_s.max(self.smap.primary_since_s);
                    self.merge_split_since_s = match self.merge_split_since_s {
                        u32::MAX => younger,
                        since => since.min(younger),
                    };
                }
            }
            _ => {}
        }
    }

    /// A node accepts a newer map from the primary it names; a forced one from
    /// a proxy of its own island, or (v3.26 reunification) from another island.
    pub(super) fn on_metasync(&mut self, cx: &mut Cx, from: u8, smap: Smap, forced: bool, kept: u8, split_since_s: u32) {
        if smap.version <= self.smap.version || !smap.has(self.me) {
            return;
        }
        // A map naming another primary is taken only while this node's own
        // primary is overdue, as a voter only agrees then (assumption: a
        // node that still hears its primary keeps it).
        let own_primary_alive = self.is_primary()
            || (self.smap.primary != NONE && cx.now_us.saturating_sub(self.last_ack_us) <= self.cfg.keepalive.interval_us);
        let takeover_ok = smap.primary == self.smap.primary || !own_primary_alive;
        let accept = if forced { self.cfg.accept_forced_merge || self.smap.has(from) } else { from == smap.primary && takeover_ok };
        if !accept {
            return;
        }
        let prev = self.smap;
        self.adopt(cx, smap);
        self.last_ack_us = cx.now_us;
        self.keepalive_out_us = None;
        if self.phase != Phase::Steady {
            self.phase = Phase::Steady;
            cx.cancel_timer(AisTimer::Phase);
        }
        if forced && kept != NONE {
            self.on_merge(cx, prev, smap, kept, split_since_s);
        }
    }

    /// Bootstrap after a restart: ask everyone for their map, join the newest.
    pub(super) fn start_discovery(&mut self, cx: &mut Cx) {
        self.phase = Phase::Discovering;
        self.gathered = Some(self.smap);
        let me = self.me;
        for i in (0..self.cfg.cluster.len() as u8).filter(|&i| i != me) {
            self.send(cx, i, AisMsg::SmapQuery { query: Query::Discover });
        }
        cx.set_timer(AisTimer::Phase, self.cfg.request_timeout_us);
    }

    fn end_discovery(&mut self, cx: &mut Cx) {
        let best = self.gathered.take().unwrap_or(self.smap);
        self.phase = Phase::Steady;
        self.last_ack_us = cx.now_us;
        if best.primary == self.me && self.is_proxy() {
            self.become_primary(cx, best, false, NONE, 0);
            return;
        }
        if best.version > self.smap.version {
            self.adopt(cx, best);
        }
        if best.primary != NONE {
            self.send(cx, best.primary, AisMsg::Join);
        }
        cx.set_timer(AisTimer::Keepalive, self.cfg.keepalive.interval_us);
    }

    /// `ais cluster set-primary --force`: gather every island's map.
    pub(super) fn start_merge(&mut self, cx: &mut Cx) {
        self.phase = Phase::Merging;
        self.gathered = Some(self.smap);
        self.merge_members = self.smap.members;
        // No other island found: nothing was written "during a split".
        self.merge_split_since_s = u32::MAX;
        let (me, proxies) = (self.me, self.cfg.proxies);
        for i in (0..self.cfg.cluster.len() as u8).filter(|&i| i != me && proxies & super::smap::bit(i) != 0) {
            self.send(cx, i, AisMsg::SmapQuery { query: Query::Merge });
        }
        cx.set_timer(AisTimer::Phase, self.cfg.request_timeout_us);
    }

    /// One map over every island: version max(own, others) + 100, this proxy primary.
    fn end_merge(&mut self, cx: &mut Cx) {
        let newest = self.gathered.take().map_or(self.smap.version, |g| g.version.max(self.smap.version));
        let kept = self.smap.primary;
        let members = self.merge_members | super::smap::bit(self.me);
        let smap = Smap { version: newest + 100, primary: self.me, primary_since_s: Self::now_s(cx), members };
        let since = self.merge_split_since_s;
        self.become_primary(cx, smap, true, kept, since);
    }
}
