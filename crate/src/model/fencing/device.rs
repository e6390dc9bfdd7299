//! A fence device: an IPMI baseboard management controller on the management
//! network, or a switched PDU on its own power-control network. It powers a
//! target off some time after a request reaches it and confirms to the
//! requester. It executes every request it receives, even when the requester has
//! died meanwhile: that is how two nodes can shoot each other.

use std::collections::VecDeque;

use super::msg::{FenceMsg, FenceTimer};
use crate::model::effect::{Cx, Effect};
use crate::model::msg::Command;
use crate::model::Model;
use crate::ids::{NodeId, PlaneId};

const QUEUE_MAX: usize = 64;
const REPLY_BYTES: u32 = 64;

#[derive(Clone, Debug)]
pub struct FenceConfig {
    /// Nodes whose power this device controls.
    pub targets: Vec<NodeId>,
    /// From a request's arrival to the power cut.
    pub action_delay_us: u64,
    pub plane: PlaneId,
}

#[derive(Clone, Copy, Debug)]
struct Queued {
    due_us: u64,
    target: NodeId,
    requester: NodeId,
    op: u32,
}

#[derive(Clone, Debug)]
pub struct FenceDevice {
    cfg: FenceConfig,
    queue: VecDeque<Queued>,
    /// Power-offs executed (for tests).
    pub executed: u32,
}

impl FenceDevice {
    pub fn new(cfg: FenceConfig) -> FenceDevice {
        FenceDevice { cfg, queue: VecDeque::with_capacity(QUEUE_MAX), executed: 0 }
    }

    fn on_request(&mut self, cx: &mut Cx, requester: NodeId, target: NodeId, op: u32) {
        if !self.cfg.targets.contains(&target) || self.queue.len() >= QUEUE_MAX {
            return; // not ours, or overloaded: the requester times out
        }
        let due_us = cx.now_us.saturating_add(self.cfg.action_delay_us);
        if self.queue.is_empty() {
            cx.set_timer(FenceTimer::PowerOffDue, self.cfg.action_delay_us);
        }
        // Same delay for all, so arrival order is due order.
        self.queue.push_back(Queued { due_us, target, requester, op });
    }

    fn on_due(&mut self, cx: &mut Cx) {
        while self.queue.front().is_some_and(|q| q.due_us <= cx.now_us) {
            let Some(q) = self.queue.pop_front() else { break };
            cx.emit(Effect::PowerOff { target: q.target });
            self.executed += 1;
            let done = FenceMsg::PoweredOff { target: q.target, op: q.op };
            cx.send(q.requester, self.cfg.plane, done, REPLY_BYTES);
        }
        if let Some(q) = self.queue.front() {
            cx.set_timer(FenceTimer::PowerOffDue, q.due_us - cx.now_us);
        }
    }
}

impl Model for FenceDevice {
    type Msg = FenceMsg;
    type Timer = FenceTimer;
    type Command = Command;

    fn start(&mut self, _cx: &mut Cx) {}

    fn restart(&mut self, _cx: &mut Cx) {
        self.queue.clear();
    }

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: FenceMsg) {
        match msg {
            FenceMsg::PowerOff { target, op } => self.on_request(cx, from, target, op),
            // Another device's confirmation: a device requests nothing itself.
            FenceMsg::PoweredOff { .. } => {}
        }
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: FenceTimer) {
        match timer {
            FenceTimer::PowerOffDue => self.on_due(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Rng;
    use crate::model::msg::Msg;

    #[test]
    fn powers_off_its_targets_after_the_delay_and_ignores_others() {
        let mut d = FenceDevice::new(FenceConfig { targets: vec![NodeId(1)], action_delay_us: 2_000_000, plane: PlaneId(0) });
        let mut rng = Rng::for_component(1, 1);
        let mut out = vec![];
        let mut cx = Cx { now_us: 10, mono_us: 10, me: NodeId(5), rng: &mut rng, out: &mut out };
        d.on_message(&mut cx, NodeId(0), FenceMsg::PowerOff { target: NodeId(2), op: 1 });
        d.on_message(&mut cx, NodeId(0), FenceMsg::PowerOff { target: NodeId(1), op: 2 });
        assert_eq!(out, vec![Effect::SetTimer { timer: FenceTimer::PowerOffDue.into(), after_us: 2_000_000 }]);
        out.clear();
        let mut cx = Cx { now_us: 2_000_010, mono_us: 2_000_010, me: NodeId(5), rng: &mut rng, out: &mut out };
        d.on_timer(&mut cx, FenceTimer::PowerOffDue);
        assert_eq!(out[0], Effect::PowerOff { target: NodeId(1) });
        assert!(matches!(out[1], Effect::Send { to: NodeId(0), msg: Msg::Fence(FenceMsg::PoweredOff { op: 2, .. }), .. }));
        assert_eq!(d.executed, 1);
    }
}
