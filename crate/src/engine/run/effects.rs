//! Applying what a model's handler asked for (`model::effect::Effect`):
//! sends through the network, timers, trace records, power and watchdogs.

use super::{Event, Run};
use super::timers::OFF;
use crate::engine::host::Health;
use crate::ids::{NodeId, PlaneId};
use crate::model::effect::Effect;
use crate::model::msg::Msg;
use crate::net::Drop;
use crate::trace::event::{Fate, MessageRecord, TraceEvent};

impl Run {
    pub(super) fn apply(&mut self, node: NodeId, effect: Effect) {
        let now = self.now_us;
        match effect {
            Effect::Send { to, plane, msg, bytes } => self.send(node, to, plane, msg, bytes),
            Effect::SetTimer { timer, after_us } => {
                let rt = &mut self.nodes[node.index()];
                let clock = rt.host.clock;
                let slot = timer.slot();
                let s = &mut rt.timers[slot];
                s.deadline_us = now.saturating_add(clock.to_true_duration(after_us));
                s.local_deadline_us = clock.local(now).saturating_add(after_us);
                s.timer = Some(timer);
                self.queue_wake(node, slot);
            }
            Effect::CancelTimer { timer } => {
                self.nodes[node.index()].timers[timer.slot()].deadline_us = OFF;
            }
            Effect::Role { group, role, epoch } => {
                self.trace.events.push(TraceEvent::Role { at_us: now, node, group, role, epoch });
            }
            Effect::Acked { write_id } => self.trace.events.push(TraceEvent::Acked { at_us: now, node, write_id }),
            Effect::Discarded { write_id } => {
                self.trace.events.push(TraceEvent::Discarded { at_us: now, node, write_id })
            }
            Effect::RequestDone { ok, latency_us, .. } => self.trace.request_done(now, ok, latency_us),
            Effect::Gauge { gauge, value } => self.trace.events.push(TraceEvent::Gauge { at_us: now, node, gauge, value }),
            Effect::DataLost { from_us, to_us, writes } => {
                self.trace.events.push(TraceEvent::DataLost { at_us: now, node, from_us, to_us, writes })
            }
            Effect::PowerOff { target } => {
                if target.index() < self.nodes.len() {
                    self.set_health(target, Health::PoweredOff);
                }
            }
            Effect::PowerOn { target } => {
                if self.nodes.get(target.index()).is_some_and(|rt| rt.host.health == Health::PoweredOff) {
                    self.set_health(target, Health::Up);
                }
            }
            Effect::WatchdogArm { timeout_us, boot_us } => {
                let deadline_us = self.nodes[node.index()].host.arm_watchdog(now, timeout_us, boot_us);
                self.queue.push(deadline_us, Event::Watchdog { node });
            }
            Effect::WatchdogKick => {
                if let Some(deadline_us) = self.nodes[node.index()].host.kick_watchdog(now) {
                    self.queue.push(deadline_us, Event::Watchdog { node });
                }
            }
            Effect::WatchdogStop => self.nodes[node.index()].host.watchdog = None,
        }
    }

    pub(super) fn send(&mut self, from: NodeId, to: NodeId, plane: PlaneId, msg: Msg, bytes: u32) {
        let now = self.now_us;
        let (link, fate) = self.network.transmit(now, from, to, plane, u64::from(bytes), &mut self.link_streams);
        let (end_us, fate) = match fate {
            Ok(at) => {
                self.queue.push(at, Event::Deliver { to, from, msg });
                // A send changes only its link's transmit queue, and only a link
                // with a bandwidth limit ever has one: every other change of a
                // link's status is an action's, and each action looks at every
                // link (`record_link_changes`). So the status of a link without
                // a limit is not looked at again on every message it carries.
                if let Some(link) = link.filter(|l| self.network.links[l.index()].bandwidth_bytes_per_s > 0) {
                    self.check_link(link);
                }
                (at, Fate::Delivered)
            }
            Err(Drop::Cut | Drop::NoRoute) => (now, Fate::Cut),
            // A dropped packet is drawn dying halfway; it never arrives.
            Err(Drop::Device(_)) => (now, Fate::DeviceDrop),
            Err(Drop::Loss) => (now, Fate::Loss),
        };
        if (self.trace.messages.len() as u64) < self.messages_recorded_max {
            self.trace.flight_max_us = self.trace.flight_max_us.max(end_us - now);
            self.trace.messages.push(MessageRecord {
                sent_us: now,
                end_us,
                from,
                to,
                plane: plane.0,
                kind: msg.kind(),
                fate,
            });
        } else {
            self.trace.messages_unrecorded += 1;
        }
    }
}
