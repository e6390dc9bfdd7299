//! What ZooKeeper and a Kafka broker show the viewer (`model/show.rs`).
//!
//! A broker: the controller epoch it acts in if it believes it is the
//! controller (a zombie controller still shows its old epoch), the controller
//! epoch of the decision it follows (the woken zombie leads by its own stale
//! epoch-10 decision, the new leader by epoch 11's), the newest
//! controller epoch it has seen in a decision, the partition leader it follows
//! with that leader's epoch, and its log. A controller also shows the brokers
//! ZooKeeper last told it are alive: the zombie's list is the stale one.
//! ZooKeeper: the controller epoch it holds, who owns `/controller`, and the
//! brokers whose sessions are alive.

use super::broker::Broker;
use super::msg::NONE;
use super::zookeeper::ZooKeeper;
use crate::ids::NodeId;
use crate::model::show::{peers_mask, NodeShow, Unit, FACT_NONE};

/// A broker index as a `Node` fact.
fn broker(brokers: &[NodeId], i: u8) -> i64 {
    if i == NONE {
        return FACT_NONE;
    }
    brokers.get(usize::from(i)).map_or(FACT_NONE, |n| i64::from(n.0))
}

fn mask(brokers: &[NodeId], bits: u8) -> i64 {
    peers_mask(brokers.len(), |i| i < 8 && bits & (1 << i) != 0)
}

impl Broker {
    pub(super) fn declare_show(&self) -> NodeShow {
        // In the order the story needs them when only a few lines fit under a node:
        // two partition leaders tell apart by their leader epochs.
        NodeShow::with_roles(["", "follower replica", "", "partition leader", ""])
            .fact("controller_epoch_acting", "acts as controller in epoch", Unit::Count)
            .fact("decision_controller_epoch", "decision from controller epoch", Unit::Count)
            .fact("leader_epoch", "leader epoch", Unit::Count)
            .fact("partition_leader", "partition leader it follows", Unit::Node)
            .follows_last()
            .fact("controller_epoch_seen", "newest controller epoch seen", Unit::Count)
            .fact("controller_alive", "as controller, brokers alive", Unit::Peers)
            .watching(&self.cfg.brokers)
            .fact("log_records", "records in its log", Unit::Count)
            .fact("acknowledged", "records it acknowledged as leader", Unit::Count)
    }

    pub(super) fn push_facts(&self, out: &mut Vec<i64>) {
        let brokers = &self.cfg.brokers;
        let acting = self.controller.as_ref();
        out.extend_from_slice(&[
            acting.map_or(FACT_NONE, |c| i64::from(c.epoch)),
            if self.decision_controller_epoch == 0 { FACT_NONE } else { i64::from(self.decision_controller_epoch) },
            i64::from(self.state.leader_epoch),
            broker(brokers, self.state.leader),
            i64::from(self.max_controller_epoch),
            acting.map_or(FACT_NONE, |c| mask(brokers, c.alive)),
            self.log.len() as i64,
            self.acknowledged.len() as i64,
        ]);
    }
}

impl ZooKeeper {
    pub(super) fn declare_show(&self) -> NodeShow {
        NodeShow::default()
            .fact("controller_epoch", "/controller_epoch", Unit::Count)
            .fact("controller", "/controller held by", Unit::Node)
            .fact("sessions_alive", "broker sessions alive", Unit::Peers)
            .watching(&self.cfg.brokers)
    }

    pub(super) fn push_facts(&self, out: &mut Vec<i64>) {
        let brokers = &self.cfg.brokers;
        out.extend_from_slice(&[
            i64::from(self.view.controller_epoch),
            broker(brokers, self.view.controller),
            mask(brokers, self.view.alive),
        ]);
    }
}
