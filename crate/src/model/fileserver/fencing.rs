//! STONITH from a fileserver: one fencing operation at a time, an attempt per
//! `fence_timeout`, `fence_attempts` per method, then the next method; after the
//! last method, a new round. Only a confirmation from a fence device ends it.

use super::*;

impl Fileserver {
    pub(super) fn start_fencing(&mut self, cx: &mut Cx) {
        if self.cfg.fence_methods.is_empty() {
            return;
        }
        let op = self.next_op;
        self.next_op += 1;
        self.fence = Some(FenceOp { op, method: 0, attempt: 0 });
        self.send_fence(cx);
    }

    pub(super) fn send_fence(&mut self, cx: &mut Cx) {
        let Some(f) = self.fence else { return };
        let m = self.cfg.fence_methods[f.method];
        self.fence_requests += 1;
        self.fence_device_last = Some(m.device);
        cx.send(m.device, m.plane, FenceMsg::PowerOff { target: self.cfg.peer, op: f.op }, SMALL_BYTES);
        cx.set_timer(GhTimer::FenceTimeout, self.cfg.fence_timeout_us);
    }

    pub(super) fn on_fence_timeout(&mut self, cx: &mut Cx) {
        let Some(mut f) = self.fence else { return };
        if !self.watching() {
            self.fence = None; // a held cluster manager does not fence
            return;
        }
        f.attempt += 1;
        if f.attempt >= self.cfg.fence_attempts {
            f.attempt = 0;
            f.method = (f.method + 1) % self.cfg.fence_methods.len();
        }
        self.fence = Some(f);
        self.send_fence(cx);
    }

    pub(super) fn on_fence_done(&mut self, cx: &mut Cx, target: NodeId, op: u32) {
        if target != self.cfg.peer || self.fence.map(|f| f.op) != Some(op) {
            return;
        }
        self.fence = None;
        self.fence_confirmed += 1;
        cx.cancel_timer(GhTimer::FenceTimeout);
        self.peer = Peer::Fenced;
        self.connected = false;
        if self.role == Role::Candidate {
            self.promote(cx);
        }
        // The peer is certainly off: writes waiting for it may complete alone.
        self.flush_pending_standalone(cx);
    }
}
