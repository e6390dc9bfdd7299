//! Talking to the lease store (the DCS): each step of a cycle is one request
//! with a deadline of `retry_timeout`; some writes are sent without waiting.

use super::msg::PatroniTimer;
use super::{PatroniNode, Step, DCS_BYTES};
use crate::model::effect::Cx;
use crate::model::lease_store::msg::{Expect, Key, LeaseMsg};

impl PatroniNode {
    pub(super) fn request(&mut self, cx: &mut Cx, step: Step, msg: impl FnOnce(u32) -> LeaseMsg) {
        let req = self.take_req();
        self.step = step;
        self.req = req;
        // Each call is retried for `retry_timeout` (a cycle makes two: hence
        // Patroni's rule loop_wait + 2 x retry_timeout <= ttl).
        cx.set_timer(PatroniTimer::DcsDeadline, self.cfg.retry_timeout_us);
        cx.send(self.cfg.store, self.cfg.dcs_plane, msg(req), DCS_BYTES);
    }

    /// A write whose answer Patroni does not wait for (`/optime/leader`, `/sync`).
    pub(super) fn write_and_forget(&mut self, cx: &mut Cx, key: Key, owner: u16, value: u64) {
        let req = self.take_req();
        let msg = LeaseMsg::Put { req, key, owner, expect: Expect::Any, ttl_ms: 0, value };
        cx.send(self.cfg.store, self.cfg.dcs_plane, msg, DCS_BYTES);
    }

    pub(super) fn take_req(&mut self) -> u32 {
        let req = self.next_req;
        self.next_req = self.next_req.wrapping_add(1).max(1);
        req
    }
}
