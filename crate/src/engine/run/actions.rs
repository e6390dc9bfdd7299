//! Applying a timeline step or an injected action: crashes, pauses, clock
//! changes, cuts and partitions, device faults, operator commands, the end.

use super::{Event, Run};
use crate::engine::action::{Action, Origin};
use crate::engine::host::Health;
use crate::net::cut;
use crate::trace::event::TraceEvent;

impl Run {
    pub(super) fn apply_action(&mut self, index: u32) {
        let now = self.now_us;
        self.trace.events.push(match self.actions[index as usize].origin {
            Origin::Step(index) => TraceEvent::Step { at_us: now, index },
            Origin::Injected(index) => TraceEvent::Injected { at_us: now, index },
        });
        let action = self.actions[index as usize].action.clone();
        match action {
            Action::Note => {}
            Action::Crash(n) => self.set_health(n, Health::Crashed),
            Action::PowerOff(n) => self.set_health(n, Health::PoweredOff),
            Action::Restart(n) | Action::PowerOn(n) => self.set_health(n, Health::Up),
            Action::Pause { node, duration_us } => {
                if self.nodes[node.index()].host.health == Health::Up {
                    let until = now.saturating_add(duration_us);
                    self.nodes[node.index()].host.paused_until_us = until;
                    self.set_health(node, Health::Paused);
                    self.queue.push(until, Event::Resume { node });
                }
            }
            Action::ClockSkew { node, ppm } => {
                self.nodes[node.index()].host.clock.set_rate(now, ppm);
                self.clock_changed(node);
            }
            Action::ClockStep { node, by_us } => {
                self.nodes[node.index()].host.clock.step(now, by_us);
                self.clock_changed(node);
            }
            Action::Cut { from, to, planes, both_ways, cut } => {
                cut::set_one_way(&mut self.network, from, to, &planes, cut);
                if both_ways {
                    cut::set_one_way(&mut self.network, to, from, &planes, cut);
                }
            }
            Action::Netem { from, to, planes, both_ways, loss_ppm, delay_us } => {
                cut::set_netem(&mut self.network, from, to, &planes, loss_ppm, delay_us);
                if both_ways {
                    cut::set_netem(&mut self.network, to, from, &planes, loss_ppm, delay_us);
                }
            }
            Action::Partition { groups, planes, cut } => cut::set_partition(&mut self.network, &groups, &planes, cut),
            Action::HealAll => cut::heal_all(&mut self.network),
            Action::DeviceFault { device, fault } => self.network.devices[device.index()].fault = fault,
            Action::Command { nodes, command } => {
                for n in nodes {
                    if self.nodes[n.index()].host.health == Health::Up {
                        self.dispatch(n, |model, cx| model.on_command(cx, command));
                    }
                }
            }
            Action::End => {
                self.finished = true;
                self.end_us = now;
            }
        }
        self.record_link_changes();
    }
}
