//! Protocol models. Each is a sans-IO state machine: a message, a timer or an
//! operator command goes in with the time and the node's random stream; effects
//! come out through `Cx`. A model never touches the queue, the network, other
//! nodes or the browser.

pub mod effect;
pub mod ha_member;
pub mod msg;
pub mod node;
pub mod workload;

use effect::Cx;
use msg::{Command, Msg, Timer};

use crate::ids::NodeId;

/// The model a node runs. Enum dispatch keeps the hot path free of allocation
/// and virtual calls, and the set of models is closed and listed here.
#[derive(Clone, Debug)]
pub enum Model {
    HaMember(ha_member::HaMember),
    Client(workload::Client),
}

impl Model {
    pub fn start(&mut self, cx: &mut Cx) {
        match self {
            Model::HaMember(m) => m.start(cx),
            Model::Client(m) => m.start(cx),
        }
    }

    /// The node comes back after a crash or power-off: volatile state is gone,
    /// what it keeps on disk stays.
    pub fn restart(&mut self, cx: &mut Cx) {
        match self {
            Model::HaMember(m) => m.restart(cx),
            Model::Client(m) => m.restart(cx),
        }
    }

    pub fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: Msg) {
        match self {
            Model::HaMember(m) => m.on_message(cx, from, msg),
            Model::Client(m) => m.on_message(cx, from, msg),
        }
    }

    pub fn on_timer(&mut self, cx: &mut Cx, timer: Timer) {
        match self {
            Model::HaMember(m) => m.on_timer(cx, timer),
            Model::Client(m) => m.on_timer(cx, timer),
        }
    }

    pub fn on_command(&mut self, cx: &mut Cx, command: Command) {
        match self {
            Model::HaMember(m) => m.on_command(cx, command),
            Model::Client(_) => {}
        }
    }
}
