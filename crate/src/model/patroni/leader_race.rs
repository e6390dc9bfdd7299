//! The leader race's health checks (`is_healthiest_node`, `is_lagging`,
//! `fetch_nodes_statuses`): a replica takes the free key only if its WAL is
//! close enough to the leader's last recorded position and no other member
//! answers as a primary or with more WAL.

use super::msg::{PatroniTimer, PgStreamMsg};
use super::{PatroniNode, Step, WatchdogMode, DCS_BYTES, KEY_SYNC, MEMBER_STATUS_TIMEOUT_US};
use crate::model::effect::Cx;
use crate::model::lease_store::msg::LeaseMsg;

impl PatroniNode {
    /// The leader race's health checks (`is_healthiest_node`, `is_lagging`).
    pub(super) fn on_optime_read(&mut self, cx: &mut Cx, optime: Option<u64>) {
        let Some(leader_bytes) = optime else {
            // Nobody has initialized the cluster: the node configured to
            // bootstrap it takes the key (`/initialize` and initdb, in Patroni).
            if self.cfg.bootstrap {
                self.initializing = true;
                self.acquire(cx);
            } else {
                self.end_cycle(cx, Some(0));
            }
            return;
        };
        let lag = leader_bytes.saturating_sub(self.db.wal_bytes());
        let watchdog_blocks = self.cfg.watchdog_mode == WatchdogMode::Required && !self.cfg.watchdog_device;
        if lag > self.cfg.maximum_lag_on_failover_bytes || watchdog_blocks {
            self.end_cycle(cx, Some(0));
        } else {
            self.ask_members(cx);
        }
    }

    /// `fetch_nodes_statuses`: a member that answers as a primary ("primary is
    /// still alive") or with more WAL than ours rules us out; one that does not
    /// answer within 2 s does not count.
    pub(super) fn ask_members(&mut self, cx: &mut Cx) {
        let req = self.take_req();
        self.step = Step::AskMembers;
        self.req = req;
        self.members_pending = self.cfg.peers.len();
        self.members_rule_out = false;
        for i in 0..self.cfg.peers.len() {
            cx.send(self.cfg.peers[i], self.cfg.dcs_plane, PgStreamMsg::StatusQuery { req }, DCS_BYTES);
        }
        if self.members_pending == 0 {
            self.after_members(cx);
        } else {
            cx.set_timer(PatroniTimer::MembersDeadline, MEMBER_STATUS_TIMEOUT_US);
        }
    }

    pub(super) fn on_member_status(&mut self, cx: &mut Cx, req: u32, wal_bytes: u64, primary: bool) {
        if self.step != Step::AskMembers || req != self.req {
            return;
        }
        self.members_rule_out |= primary || wal_bytes > self.db.wal_bytes();
        self.members_pending = self.members_pending.saturating_sub(1);
        if self.members_pending == 0 {
            cx.cancel_timer(PatroniTimer::MembersDeadline);
            self.after_members(cx);
        }
    }

    pub(super) fn after_members(&mut self, cx: &mut Cx) {
        if self.members_rule_out {
            self.end_cycle(cx, Some(0));
        } else if self.cfg.db.synchronous {
            self.request(cx, Step::ReadSync, |req| LeaseMsg::Get { req, key: KEY_SYNC });
        } else {
            self.acquire(cx);
        }
    }
}
