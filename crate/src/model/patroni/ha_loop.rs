//! The HA loop (`ha.py`): read the leader key; the holder renews it and kicks
//! the watchdog once the store confirms; a replica follows the holder or, with
//! the key gone, runs the leader race (`leader_race.rs`) and takes the key; a
//! leader that loses the key or the store demotes its server.

use super::database::DbRole;
use super::msg::PatroniTimer;
use super::{PatroniNode, Step, WatchdogMode, DCS_BYTES, KEY_LEADER, KEY_OPTIME, KEY_SYNC};
use crate::ids::NodeId;
use crate::model::effect::{Cx, Effect};
use crate::model::lease_store::msg::{Expect, LeaseMsg, NO_OWNER};

impl PatroniNode {
    pub(super) fn start_cycle(&mut self, cx: &mut Cx) {
        self.watch_req = 0;
        self.request(cx, Step::ReadLeader, |req| LeaseMsg::Get { req, key: KEY_LEADER });
    }

    /// Sleep until the next cycle: the leader for `loop_wait`; a replica
    /// also watches the leader key (`revision` as it read it) and wakes when
    /// it changes, waiting half a second longer while a leader exists.
    pub(super) fn end_cycle(&mut self, cx: &mut Cx, watch: Option<u32>) {
        self.step = Step::Idle;
        cx.cancel_timer(PatroniTimer::DcsDeadline);
        let mut sleep_us = self.cfg.loop_wait_us;
        if let Some(revision) = watch.filter(|_| !self.believes_leader) {
            let req = self.take_req();
            self.watch_req = req;
            cx.send(self.cfg.store, self.cfg.dcs_plane, LeaseMsg::Watch { req, key: KEY_LEADER, revision }, DCS_BYTES);
            if revision != 0 {
                sleep_us += 500_000;
            }
        }
        cx.set_timer(PatroniTimer::Cycle, sleep_us);
    }

    pub(super) fn on_lease(&mut self, cx: &mut Cx, msg: LeaseMsg) {
        let LeaseMsg::Reply { req, ok, present, owner, revision, value, .. } = msg else { return };
        if req == self.watch_req && self.step == Step::Idle {
            cx.cancel_timer(PatroniTimer::Cycle);
            self.start_cycle(cx);
            return;
        }
        if req != self.req || self.step == Step::Idle {
            return; // an answer Patroni stopped waiting for, or a write it did not wait for
        }
        cx.cancel_timer(PatroniTimer::DcsDeadline);
        match self.step {
            Step::ReadLeader => self.on_leader_read(cx, present.then_some(owner), revision),
            Step::ReadOptime => self.on_optime_read(cx, present.then_some(value)),
            Step::ReadSync => {
                let named_other = present && owner != self.my_owner_id() && owner != NO_OWNER;
                if named_other {
                    self.end_cycle(cx, Some(0)); // only the synchronous standby may take over
                } else {
                    self.acquire(cx);
                }
            }
            Step::Renew | Step::Acquire => self.on_lock_write(cx, ok, present.then_some(owner), revision),
            Step::Idle | Step::AskMembers => {}
        }
    }

    pub(super) fn on_leader_read(&mut self, cx: &mut Cx, owner: Option<u16>, revision: u32) {
        self.key_holder_seen = owner;
        match owner {
            Some(o) if o == self.my_owner_id() => {
                let (ttl_ms, me) = (self.ttl_ms(), self.my_owner_id());
                self.request(cx, Step::Renew, |req| LeaseMsg::Put { req, key: KEY_LEADER, owner: me, expect: Expect::Revision(revision), ttl_ms, value: 0 });
            }
            Some(o) => {
                // "demoting self because I do not have the lock and I was a leader"
                self.step_down(cx);
                self.db.follow(cx, NodeId(u32::from(o)));
                self.end_cycle(cx, Some(revision));
            }
            None if self.db.role == DbRole::Primary => self.acquire(cx),
            None => self.request(cx, Step::ReadOptime, |req| LeaseMsg::Get { req, key: KEY_OPTIME }),
        }
    }

    pub(super) fn acquire(&mut self, cx: &mut Cx) {
        if self.cfg.watchdog_mode == WatchdogMode::Required && !self.cfg.watchdog_device {
            // "refuse to become leader": no watchdog, no leadership.
            self.step_down(cx);
            self.end_cycle(cx, Some(0));
            return;
        }
        let (ttl_ms, me) = (self.ttl_ms(), self.my_owner_id());
        self.request(cx, Step::Acquire, |req| LeaseMsg::Put { req, key: KEY_LEADER, owner: me, expect: Expect::Absent, ttl_ms, value: 0 });
    }

    pub(super) fn on_lock_write(&mut self, cx: &mut Cx, ok: bool, owner: Option<u16>, revision: u32) {
        if !ok {
            self.key_holder_seen = owner;
            self.step_down(cx);
            if let Some(o) = owner.filter(|&o| o != self.my_owner_id()) {
                self.db.follow(cx, NodeId(u32::from(o)));
            }
            self.end_cycle(cx, Some(revision));
            return;
        }
        let newly = !self.believes_leader;
        self.believes_leader = true;
        self.revision = revision;
        self.key_holder_seen = Some(self.my_owner_id());
        self.renewed_local_us = Some(cx.now_us);
        if self.watchdog_due_local_us.is_some() {
            cx.emit(Effect::WatchdogKick);
            self.watchdog_due_local_us = Some(cx.now_us + self.cfg.watchdog_timeout_us);
        } else if self.cfg.watchdog_mode != WatchdogMode::Off && self.cfg.watchdog_device {
            // Activated before promoting (`watchdog.activate()`).
            cx.emit(Effect::WatchdogArm { timeout_us: self.cfg.watchdog_timeout_us, boot_us: self.cfg.boot_us });
            self.watchdog_due_local_us = Some(cx.now_us + self.cfg.watchdog_timeout_us);
        }
        if std::mem::take(&mut self.initializing) {
            self.db.start_as_primary(cx); // initdb: a new cluster starts as its primary
            self.just_initialized = true;
        } else if self.db.role == DbRole::Standby {
            self.db.begin_promote(cx);
            cx.set_timer(PatroniTimer::Promoted, self.cfg.promote_us);
        }
        self.write_and_forget(cx, KEY_OPTIME, NO_OWNER, self.db.wal_bytes());
        if self.cfg.db.synchronous && self.db.role == DbRole::Primary {
            self.name_sync_standby(cx);
        }
        if newly {
            self.draw(cx);
        }
        if std::mem::take(&mut self.just_initialized) {
            // The run starts at a random point of the leader's loop: the next
            // cycle comes after a random part of `loop_wait`.
            self.step = Step::Idle;
            cx.cancel_timer(PatroniTimer::DcsDeadline);
            let phase_us = cx.rng.below(self.cfg.loop_wait_us);
            cx.set_timer(PatroniTimer::Cycle, phase_us);
            return;
        }
        self.end_cycle(cx, None);
    }

    /// Synchronous mode: the first standby streaming from us is the one
    /// commits wait for; the choice is recorded in `/sync`.
    pub(super) fn name_sync_standby(&mut self, cx: &mut Cx) {
        let pick = self.db.best_follower();
        if pick != self.db.sync_standby {
            self.db.set_sync_standby(cx, pick);
            let owner = pick.map_or(NO_OWNER, |n| n.0 as u16);
            self.write_and_forget(cx, KEY_SYNC, owner, 0);
        }
    }

    /// Patroni no longer holds the key (or cannot tell): the server stops
    /// taking writes and the watchdog is disarmed.
    pub(super) fn step_down(&mut self, cx: &mut Cx) {
        let was = self.believes_leader;
        self.believes_leader = false;
        self.renewed_local_us = None;
        self.db.demote(cx);
        if self.watchdog_due_local_us.take().is_some() {
            cx.emit(Effect::WatchdogStop);
        }
        if was {
            self.draw(cx);
        }
    }

    pub(super) fn on_deadline(&mut self, cx: &mut Cx) {
        if self.step == Step::Idle {
            return;
        }
        // "demoting self because DCS is not accessible and I was a leader"
        if self.believes_leader || self.db.role != DbRole::Standby {
            self.step_down(cx);
        }
        self.end_cycle(cx, None);
    }
}
