//! The controller, played by the broker that holds `/controller`: it reacts to
//! brokers coming and going, elects the partition's leader, and tells the
//! replicas in a `LeaderAndIsr` stamped with its controller epoch. Every
//! decision is written to ZooKeeper first (conditional on the epoch znode's
//! version when `conditional_writes` is on) and sent only once the write
//! succeeded; a failed conditional write means another controller took over,
//! and this one resigns.
//!
//! Leader election: the first replica (in preference order) that is alive and
//! in the ISR; with none, any live replica if unclean leader election is on
//! (it may lack acknowledged records), else no leader (the partition is
//! offline). A dead follower leaves the ISR. Each decision raises the leader
//! epoch; an ISR change a leader asks for keeps it.
//!
//! The controller works from its own cache of the partition state, loaded from
//! ZooKeeper when it took over and kept up by its own writes: a controller that
//! was deposed without knowing it decides from a stale cache.

use super::broker::{bit, Broker};
use super::msg::{KafkaMsg, PartitionState, ZkView, NONE};
use crate::model::effect::Cx;

#[derive(Clone, Debug)]
pub struct Controller {
    pub epoch: u32,
    epoch_version: u32,
    /// The partition as this controller last wrote (or loaded) it.
    cache: PartitionState,
    /// Brokers with a live session, as ZooKeeper last told this controller.
    pub(super) alive: u8,
    /// A write sent and not yet answered.
    pub(super) in_flight: Option<PartitionState>,
    /// Brokers that came back and still need the current decision.
    to_tell: u8,
    /// Something changed while a write was in flight: decide again after it.
    redo: bool,
    /// The session expired while a write was in flight: the event thread
    /// finishes the decision it is in (write, then send) before it handles the
    /// expiry, as Kafka's controller does with its event queue.
    pub(super) resign_after_write: bool,
}

impl Controller {
    pub fn new(view: ZkView) -> Controller {
        Controller {
            epoch: view.controller_epoch,
            epoch_version: view.epoch_version,
            cache: view.partition,
            alive: view.alive,
            in_flight: None,
            to_tell: 0,
            redo: false,
            resign_after_write: false,
        }
    }
}

/// The next decision for a partition in state `c` with live brokers `alive`, or `None`.
pub fn decide(c: PartitionState, alive: u8, replicas: &[u8], unclean: bool) -> Option<PartitionState> {
    let next_epoch = c.leader_epoch + 1;
    if c.leader != NONE && alive & bit(c.leader) != 0 {
        let isr = c.isr & alive;
        return (isr != c.isr).then_some(PartitionState { leader: c.leader, leader_epoch: next_epoch, isr });
    }
    let live_isr = c.isr & alive;
    if let Some(&r) = replicas.iter().find(|&&r| live_isr & bit(r) != 0) {
        return Some(PartitionState { leader: r, leader_epoch: next_epoch, isr: live_isr });
    }
    if unclean {
        if let Some(&r) = replicas.iter().find(|&&r| alive & bit(r) != 0) {
            return Some(PartitionState { leader: r, leader_epoch: next_epoch, isr: bit(r) });
        }
    }
    // Offline: no leader until an ISR member returns; the ISR keeps its last members.
    (c.leader != NONE).then_some(PartitionState { leader: NONE, leader_epoch: next_epoch, isr: c.isr })
}

impl Broker {
    pub(super) fn become_controller(&mut self, cx: &mut Cx, view: ZkView) {
        let mut c = Controller::new(view);
        // A new controller tells every live broker the state in its own epoch.
        c.to_tell = view.alive;
        self.controller = Some(c);
        self.gauge_controller(cx);
        self.controller_decide(cx);
    }

    pub(super) fn controller_brokers_changed(&mut self, cx: &mut Cx, view: ZkView) {
        let Some(c) = self.controller.as_mut() else { return };
        c.to_tell |= view.alive & !c.alive;
        c.alive = view.alive;
        self.controller_decide(cx);
    }

    pub(super) fn controller_alter_isr(&mut self, cx: &mut Cx, from: u8, leader_epoch: u32, isr: u8) {
        let replicas = self.cfg.replicas.iter().fold(0u8, |m, &r| m | bit(r));
        let Some(c) = self.controller.as_mut() else { return };
        let current = c.cache;
        if c.in_flight.is_some() || from != current.leader || leader_epoch != current.leader_epoch || isr & bit(from) == 0 {
            return; // the leader asks again on its next session tick
        }
        let isr = isr & replicas & c.alive | bit(from);
        if isr != current.isr {
            self.controller_write(cx, PartitionState { isr, ..current });
        }
    }

    fn controller_decide(&mut self, cx: &mut Cx) {
        let Some(c) = self.controller.as_mut() else { return };
        if c.in_flight.is_some() {
            c.redo = true;
            return;
        }
        match decide(c.cache, c.alive, &self.cfg.replicas, self.cfg.unclean_leader_election) {
            Some(next) => self.controller_write(cx, next),
            None => self.controller_publish(cx),
        }
    }

    fn controller_write(&mut self, cx: &mut Cx, next: PartitionState) {
        let conditional = self.cfg.conditional_writes;
        let Some(c) = self.controller.as_mut() else { return };
        c.in_flight = Some(next);
        let epoch_version = if conditional { c.epoch_version } else { 0 };
        self.send_zk(cx, KafkaMsg::Write { epoch_version, state: next });
    }

    pub(super) fn controller_write_done(&mut self, cx: &mut Cx, ok: bool) {
        let Some(c) = self.controller.as_mut() else { return };
        let Some(written) = c.in_flight.take() else { return };
        if !ok {
            // The epoch znode moved on: another broker is controller (ControllerMovedException).
            return self.resign(cx);
        }
        c.cache = written;
        c.to_tell |= c.alive;
        let redo = std::mem::take(&mut c.redo);
        let resign = c.resign_after_write;
        self.controller_publish(cx);
        if resign {
            self.resign(cx);
        } else if redo {
            self.controller_decide(cx);
        }
    }

    /// Send the current decision to the brokers that need it (this one applies it directly).
    fn controller_publish(&mut self, cx: &mut Cx) {
        let me = self.me();
        let Some(c) = self.controller.as_mut() else { return };
        let (epoch, state, to_tell) = (c.epoch, c.cache, std::mem::take(&mut c.to_tell));
        for b in 0..self.cfg.brokers.len() as u8 {
            if to_tell & bit(b) != 0 && self.cfg.replicas.contains(&b) {
                if b == me {
                    self.on_leader_and_isr(cx, me, epoch, state);
                } else {
                    self.send_to(cx, b, KafkaMsg::LeaderAndIsr { controller_epoch: epoch, state });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: u8 = 0b111;

    fn st(leader: u8, leader_epoch: u32, isr: u8) -> PartitionState {
        PartitionState { leader, leader_epoch, isr }
    }

    #[test]
    fn a_dead_leader_is_replaced_by_the_first_live_isr_member() {
        let next = decide(st(2, 4, ALL), 0b011, &[2, 0, 1], false);
        assert_eq!(next, Some(st(0, 5, 0b011)));
    }

    #[test]
    fn a_dead_follower_leaves_the_isr_and_a_healthy_partition_needs_nothing() {
        assert_eq!(decide(st(0, 1, ALL), 0b011, &[0, 1, 2], false), Some(st(0, 2, 0b011)));
        assert_eq!(decide(st(0, 1, 0b011), 0b011, &[0, 1, 2], false), None);
    }

    #[test]
    fn only_unclean_election_picks_a_replica_outside_the_isr() {
        // ISR {2}, broker 2 dead, 0 and 1 alive.
        assert_eq!(decide(st(2, 7, 0b100), 0b011, &[2, 0, 1], false), Some(st(NONE, 8, 0b100)));
        assert_eq!(decide(st(2, 7, 0b100), 0b011, &[2, 0, 1], true), Some(st(0, 8, 0b001)));
        // Offline stays offline without news.
        assert_eq!(decide(st(NONE, 8, 0b100), 0b011, &[2, 0, 1], false), None);
    }
}
