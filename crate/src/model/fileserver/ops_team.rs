//! The operators' recovery runbook, as GitHub's ops team ran it after the freeze:
//! survey every pair; if any pair serves nothing (both nodes off or stopped) or
//! serves twice (two actives), put the site in maintenance (clients stop). Then
//! repair broken pairs one at a time, worst first: power on what is off (it boots
//! and waits), read both nodes' logs (`check_time`), name the node that was active
//! last as the true active, resync the other from it (`resync_time`), move on.
//! The site reopens once no pair is left without a single active; pairs that
//! only lost one node are repaired after that with the site open. So the outage
//! grows with the number of pairs that ended with no server or two.
//!
//! The team is also the site's maintenance switch: it plays `Active` in the
//! `site` group while the site is open and `Passive` while it shows the
//! maintenance page, so the generic monitors count the site's downtime.

use std::collections::VecDeque;

use super::msg::{term_of, GhMsg, GhTimer};
use crate::ids::{GroupId, NodeId, PlaneId};
use crate::model::effect::{Cx, Effect, Epoch, Role};
use crate::model::command::unit_commands;
use crate::model::msg::ServiceMsg;
use crate::model::Model;

/// How long the team waits for answers after asking a pair's nodes for their state.
const INSPECT_WAIT_US: u64 = 5_000_000;
const SMALL_BYTES: u32 = 64;

#[derive(Clone, Debug)]
pub struct OpsConfig {
    pub pairs: Vec<[NodeId; 2]>,
    pub plane: PlaneId,
    pub clients: Vec<NodeId>,
    pub client_plane: PlaneId,
    pub site_group: GroupId,
    pub survey_time_us: u64,
    pub check_time_us: u64,
    pub resync_time_us: u64,
}

/// A node's answer to `Inspect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    pub epoch: u32,
    pub log_len: u32,
    pub base_len: u32,
    pub last_active_ms: u32,
    pub active: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Idle,
    Survey,
    /// Booting and reading logs of pair `.0`.
    Check(usize),
    /// Waiting for pair `.0`'s answers.
    Decide(usize),
    /// Watching pair `.0` resync.
    Resync(usize),
    Done,
}

#[derive(Clone, Debug)]
pub struct OpsTeam {
    cfg: OpsConfig,
    /// Answers by pair and side.
    seen: Vec<[Option<Seen>; 2]>,
    /// Broken pairs still to repair, worst first: (priority, pair).
    queue: VecDeque<(u8, usize)>,
    site_open: bool,
    pub stage: Stage,
    /// Pairs found broken in the survey (for tests and the note).
    pub broken: u32,
    /// When every broken pair was repaired.
    pub done_us: Option<u64>,
}

/// Repair order: no live active first (0), then two actives (1), then pairs that
/// lost one node (2). `None`: healthy.
pub fn priority(a: Option<Seen>, b: Option<Seen>) -> Option<u8> {
    let actives = [a, b].iter().filter(|s| s.is_some_and(|s| s.active)).count();
    match (a.is_some() && b.is_some(), actives) {
        (true, 1) => None,
        (_, 0) => Some(0),
        (_, 2) => Some(1),
        _ => Some(2),
    }
}

/// The pair's verdict: (index of the true active, writes the other keeps, next term).
/// The true active is the one whose logs show it active last (then the longer log).
/// Both agree up to where the newer generation began; with one generation the
/// shorter log is a prefix of the longer.
pub fn verdict(a: Seen, b: Seen) -> (usize, u32, u32) {
    let key = |s: Seen| (s.last_active_ms, s.log_len);
    let winner = if key(b) > key(a) { 1 } else { 0 };
    let keep = if a.epoch == b.epoch {
        a.log_len.min(b.log_len)
    } else {
        let newer = if b.epoch > a.epoch { b } else { a };
        newer.base_len.min(a.log_len).min(b.log_len)
    };
    (winner, keep, term_of(a.epoch.max(b.epoch)) + 1)
}

impl OpsTeam {
    pub fn new(cfg: OpsConfig) -> OpsTeam {
        let pairs = cfg.pairs.len();
        OpsTeam { cfg, seen: vec![[None; 2]; pairs], queue: VecDeque::with_capacity(pairs), stage: Stage::Idle, broken: 0, done_us: None, site_open: true }
    }

    fn step_after(&mut self, cx: &mut Cx, stage: Stage, after_us: u64) {
        self.stage = stage;
        cx.set_timer(GhTimer::OpsStep, after_us);
    }

    fn inspect(&self, cx: &mut Cx, pair: usize) {
        for n in self.cfg.pairs[pair] {
            cx.send(n, self.cfg.plane, GhMsg::Inspect, SMALL_BYTES);
        }
    }

    fn set_site(&mut self, cx: &mut Cx, open: bool) {
        if self.site_open == open {
            return;
        }
        self.site_open = open;
        let role = if open { Role::Active } else { Role::Passive };
        cx.emit(Effect::Role { group: self.cfg.site_group, role, epoch: Epoch::default() });
        for &c in &self.cfg.clients {
            cx.send(c, self.cfg.client_plane, ServiceMsg::Traffic { on: open }, SMALL_BYTES);
        }
    }

    fn begin_survey(&mut self, cx: &mut Cx) {
        if self.stage != Stage::Idle {
            return;
        }
        self.seen.iter_mut().for_each(|s| *s = [None; 2]);
        for p in 0..self.cfg.pairs.len() {
            self.inspect(cx, p);
        }
        self.step_after(cx, Stage::Survey, self.cfg.survey_time_us);
    }

    fn end_survey(&mut self, cx: &mut Cx) {
        let broken: Vec<(u8, usize)> = (0..self.cfg.pairs.len())
            .filter_map(|p| priority(self.seen[p][0], self.seen[p][1]).map(|prio| (prio, p)))
            .collect();
        // Most urgent first, then in pair order.
        let keys: Vec<(u64, u64)> = broken.iter().map(|&(prio, p)| (u64::from(prio), p as u64)).collect();
        let broken = crate::order::permute(broken, &crate::order::order_by(&keys));
        self.broken = broken.len() as u32;
        self.queue = broken.into_iter().collect();
        if self.queue.iter().any(|&(prio, _)| prio <= 1) {
            self.set_site(cx, false);
        }
        self.next_pair(cx);
    }

    fn next_pair(&mut self, cx: &mut Cx) {
        if !self.queue.iter().any(|&(prio, _)| prio <= 1) {
            // Every pair serves from exactly one node again: reopen the site.
            self.set_site(cx, true);
        }
        let Some((_, p)) = self.queue.pop_front() else {
            self.stage = Stage::Done;
            self.done_us = Some(cx.now_us);
            return;
        };
        // Whatever did not answer the survey is off: boot it (it waits for us).
        for (side, n) in self.cfg.pairs[p].into_iter().enumerate() {
            if self.seen[p][side].is_none() {
                cx.emit(Effect::PowerOn { target: n });
            }
        }
        self.step_after(cx, Stage::Check(p), self.cfg.check_time_us);
    }

    fn decide(&mut self, cx: &mut Cx, p: usize) {
        let [a, b] = self.cfg.pairs[p];
        let resume = |cx: &mut Cx, n: NodeId, active: bool, keep_len: u32, term: u32| {
            cx.send(n, self.cfg.plane, GhMsg::Resume { active, keep_len, term }, SMALL_BYTES);
        };
        match (self.seen[p][0], self.seen[p][1]) {
            (Some(sa), Some(sb)) => {
                let (winner, keep, term) = verdict(sa, sb);
                let (w, l, wl) = if winner == 0 { (a, b, sa.log_len) } else { (b, a, sb.log_len) };
                resume(cx, w, true, wl, term);
                resume(cx, l, false, keep, term);
            }
            // A node that does not answer may still be serving behind a broken
            // network: power it off at the console (STONITH by hand) before its
            // partner serves alone. A node that is already off stays off.
            (Some(s), None) => {
                cx.emit(Effect::PowerOff { target: b });
                resume(cx, a, true, s.log_len, term_of(s.epoch) + 1)
            }
            (None, Some(s)) => {
                cx.emit(Effect::PowerOff { target: a });
                resume(cx, b, true, s.log_len, term_of(s.epoch) + 1)
            }
            (None, None) => {} // nothing answers: the team moves on
        }
        self.step_after(cx, Stage::Resync(p), self.cfg.resync_time_us);
    }

    fn on_step(&mut self, cx: &mut Cx) {
        match self.stage {
            Stage::Survey => self.end_survey(cx),
            Stage::Check(p) => {
                self.seen[p] = [None; 2];
                self.inspect(cx, p);
                self.step_after(cx, Stage::Decide(p), INSPECT_WAIT_US);
            }
            Stage::Decide(p) => self.decide(cx, p),
            Stage::Resync(_) => self.next_pair(cx),
            Stage::Idle | Stage::Done => {}
        }
    }

    fn on_reply(&mut self, from: NodeId, seen: Seen) {
        for (p, pair) in self.cfg.pairs.iter().enumerate() {
            if let Some(side) = pair.iter().position(|&n| n == from) {
                self.seen[p][side] = Some(seen);
            }
        }
    }
}

impl Model for OpsTeam {
    type Msg = GhMsg;
    type Timer = GhTimer;
    type Command = OpsCommand;

    fn start(&mut self, cx: &mut Cx) {
        cx.emit(Effect::Role { group: self.cfg.site_group, role: Role::Active, epoch: Epoch::default() });
    }

    fn restart(&mut self, _cx: &mut Cx) {}

    fn on_message(&mut self, _cx: &mut Cx, from: NodeId, msg: GhMsg) {
        match msg {
            GhMsg::InspectReply { epoch, log_len, base_len, last_active_ms, active } => {
                self.on_reply(from, Seen { epoch, log_len, base_len, last_active_ms, active })
            }
            // The team reads logs; it takes no part in the pairs' protocol.
            GhMsg::Heartbeat { .. }
            | GhMsg::Replicate { .. }
            | GhMsg::ReplicateAck { .. }
            | GhMsg::SyncRequest { .. }
            | GhMsg::Inspect
            | GhMsg::Resume { .. } => {}
        }
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: GhTimer) {
        match timer {
            GhTimer::OpsStep => self.on_step(cx),
            GhTimer::Heartbeat | GhTimer::FenceTimeout | GhTimer::Replication => {}
        }
    }

    fn on_command(&mut self, cx: &mut Cx, command: OpsCommand) {
        match command {
            OpsCommand::Recover => self.begin_survey(cx),
        }
    }
}

unit_commands! {
    /// What the incident commander can tell the ops team.
    pub enum OpsCommand {
        Recover = "recover": "Start the recovery runbook: survey every pair, put the site in maintenance if needed, repair pair by pair.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(epoch: u32, log_len: u32, base_len: u32, last_active_ms: u32, active: bool) -> Seen {
        Seen { epoch, log_len, base_len, last_active_ms, active }
    }

    #[test]
    fn the_node_active_last_wins_and_the_other_keeps_the_common_prefix() {
        // A: generation 1, 100 writes; B promoted at 90 (generation 2) and took 5 more.
        let a = seen(1 << 12, 100, 0, 5_000, false);
        let b = seen((2 << 12) | 1, 95, 90, 7_000, false);
        assert_eq!(verdict(a, b), (1, 90, 3));
        let a_later = seen(1 << 12, 100, 0, 9_000, false);
        assert_eq!(verdict(a_later, b), (0, 90, 3));
    }

    #[test]
    fn same_generation_keeps_the_shorter_log() {
        let a = seen(1 << 12, 100, 0, 9_000, true);
        let b = seen(1 << 12, 80, 0, 0, false);
        assert_eq!(verdict(a, b), (0, 80, 2));
    }

    #[test]
    fn pairs_with_no_live_active_come_first() {
        let up = Some(seen(1, 1, 0, 0, true));
        let down = Some(seen(1, 1, 0, 0, false));
        assert_eq!(priority(up, down), None);
        assert_eq!(priority(None, None), Some(0));
        assert_eq!(priority(down, down), Some(0));
        assert_eq!(priority(up, up), Some(1));
        assert_eq!(priority(up, None), Some(2));
    }
}
