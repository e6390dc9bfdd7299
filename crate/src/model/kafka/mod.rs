//! Kafka in its ZooKeeper era: a ZooKeeper server holding the controller
//! epoch and the partition's state, brokers with sessions, one of them the
//! controller, and a partition replicated over the brokers with a leader, a
//! leader epoch and an in-sync replica set (ISR).
//!
//! The failure this model exists for is the zombie controller: a controller
//! that stops (a long garbage-collection pause: the process is frozen, its
//! host's clock runs on) long enough for its ZooKeeper session to expire.
//! Another broker becomes controller with the epoch raised by one and moves
//! leadership; the old one wakes up, finishes the work it had pending with its
//! stale view, and sends its decisions. Two mechanisms stop them: brokers that
//! check the controller and leader epochs of every decision (`broker.rs`), and
//! controller writes to ZooKeeper that are conditional on the epoch znode's
//! version (`zookeeper.rs`, `controller.rs`; KAFKA-6082).

mod broker;
mod controller;
mod msg;
mod show;
mod zookeeper;

pub use broker::{Broker, BrokerConfig, BROKERS_MAX};
pub use msg::{KafkaInbox, KafkaMsg, KafkaTimer, PartitionState, ZkView, NONE};
pub use zookeeper::{ZkConfig, ZooKeeper};

use super::effect::Cx;
use super::msg::ServiceMsg;
use super::Model;
use crate::ids::NodeId;

/// What a node of a Kafka cluster runs.
#[derive(Clone, Debug)]
pub enum KafkaNode {
    ZooKeeper(ZooKeeper),
    Broker(Box<Broker>),
}

impl Model for KafkaNode {
    type Msg = KafkaInbox;
    type Timer = KafkaTimer;
    type Command = crate::model::command::NoCommand;

    fn start(&mut self, cx: &mut Cx) {
        match self {
            KafkaNode::ZooKeeper(z) => z.start(cx),
            KafkaNode::Broker(b) => b.start(cx),
        }
    }

    fn restart(&mut self, cx: &mut Cx) {
        match self {
            KafkaNode::ZooKeeper(z) => z.restart(cx),
            KafkaNode::Broker(b) => b.restart(cx),
        }
    }

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: KafkaInbox) {
        match (self, msg) {
            (KafkaNode::ZooKeeper(z), KafkaInbox::Kafka(m)) => z.on_message(cx, from, m),
            (KafkaNode::Broker(b), KafkaInbox::Kafka(m)) => b.on_message(cx, from, m),
            (KafkaNode::Broker(b), KafkaInbox::Service(ServiceMsg::Request { req, write_id })) => b.on_request(cx, from, req, write_id),
            (_, KafkaInbox::Service(_)) => {}
        }
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: KafkaTimer) {
        match self {
            KafkaNode::ZooKeeper(z) => z.on_timer(cx),
            KafkaNode::Broker(b) => b.on_timer(cx, timer),
        }
    }

    fn show(&self) -> crate::model::show::NodeShow {
        match self {
            KafkaNode::ZooKeeper(z) => z.declare_show(),
            KafkaNode::Broker(b) => b.declare_show(),
        }
    }

    fn facts(&self, _now_us: u64, out: &mut Vec<i64>) {
        match self {
            KafkaNode::ZooKeeper(z) => z.push_facts(out),
            KafkaNode::Broker(b) => b.push_facts(out),
        }
    }
}
