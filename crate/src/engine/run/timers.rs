//! Timers on host clocks: each node has one slot per timer kind; a slot keeps
//! its deadline in true time and on the host's clock, so a clock that changes
//! rate or steps moves the true deadline, as on a real machine.

use super::{Event, Run};
use crate::engine::host::Health;
use crate::engine::time::SimTime;
use crate::ids::NodeId;
use crate::model::msg::{Timer, TIMER_SLOTS};

/// Engine-side timer bookkeeping: setting a later deadline never touches the
/// queue (the earlier wake-up re-arms itself), which keeps heartbeat-reset
/// timers cheap.
#[derive(Clone, Copy)]
pub(super) struct TimerSlot {
    /// True time the timer fires.
    pub(super) deadline_us: SimTime,
    /// The same deadline on the host's clock, so it can be re-derived when the
    /// clock changes rate or steps.
    pub(super) local_deadline_us: SimTime,
    /// Earliest wake-up in the queue for this slot.
    pub(super) queued_us: SimTime,
    pub(super) timer: Option<Timer>,
}

pub(super) const OFF: SimTime = SimTime::MAX;

impl Run {
    pub(super) fn wake(&mut self, node: NodeId, slot: usize) {
        let now = self.now_us;
        let rt = &mut self.nodes[node.index()];
        let s = &mut rt.timers[slot];
        if s.queued_us == now {
            s.queued_us = OFF;
        }
        if s.deadline_us == OFF {
            return;
        }
        if s.deadline_us > now {
            if s.queued_us > s.deadline_us {
                s.queued_us = s.deadline_us;
                self.queue.push(s.deadline_us, Event::Wake { node, slot: slot as u8 });
            }
            return;
        }
        match rt.host.health {
            Health::Up => {}
            Health::Paused => {
                // Fires when the node thaws, like a timer in a stopped process.
                s.deadline_us = rt.host.paused_until_us;
                if s.queued_us > s.deadline_us {
                    s.queued_us = s.deadline_us;
                    self.queue.push(s.deadline_us, Event::Wake { node, slot: slot as u8 });
                }
                return;
            }
            Health::Crashed | Health::PoweredOff => {
                s.deadline_us = OFF;
                return;
            }
        }
        s.deadline_us = OFF;
        if let Some(timer) = s.timer {
            self.dispatch(node, |model, cx| model.on_timer(cx, timer));
        }
    }

    /// Make sure a wake-up is queued no later than the slot's deadline (a later
    /// one re-arms itself when it fires early).
    pub(super) fn queue_wake(&mut self, node: NodeId, slot: usize) {
        let s = &mut self.nodes[node.index()].timers[slot];
        if s.deadline_us != OFF && s.queued_us > s.deadline_us {
            s.queued_us = s.deadline_us;
            self.queue.push(s.deadline_us, Event::Wake { node, slot: slot as u8 });
        }
    }

    /// The host's clock changed rate or stepped: pending timers fire when the
    /// clock reads their deadline, so their true deadlines move.
    pub(super) fn clock_changed(&mut self, node: NodeId) {
        let now = self.now_us;
        let rt = &mut self.nodes[node.index()];
        let clock = rt.host.clock;
        for s in rt.timers.iter_mut().filter(|s| s.deadline_us != OFF) {
            s.deadline_us = clock.true_at(s.local_deadline_us, now);
        }
        for slot in 0..TIMER_SLOTS {
            self.queue_wake(node, slot);
        }
    }
}
