//! Protocol models. Each is a sans-IO state machine: a message, a timer or an
//! operator command goes in with the time and the node's random stream; effects
//! come out through `Cx`. A model never touches the queue, the network, other
//! nodes or the browser.
//!
//! Adding a model: a module here implementing `Protocol`, its messages and
//! timers as variants of `msg::Msg` and `msg::Timer`, and its scenario spec in
//! `scenario/models/`.

pub mod backup_catalog;
pub mod db_cluster;
pub mod dormant;
pub mod effect;
pub mod fileserver;
pub mod ha_member;
pub mod msg;
pub mod node;
pub mod postgres;
pub mod raft;
pub mod workload;

use effect::Cx;
use msg::{Command, Msg, Timer};

use crate::ids::NodeId;

/// What every model implements. Handlers return nothing: effects go into `cx`.
pub trait Protocol: std::fmt::Debug {
    /// Called once at time zero.
    fn start(&mut self, cx: &mut Cx);
    /// The node comes back after a crash or power-off: volatile state is gone,
    /// what the model keeps on disk stays.
    fn restart(&mut self, cx: &mut Cx);
    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: Msg);
    fn on_timer(&mut self, cx: &mut Cx, timer: Timer);
    /// Operator commands from the timeline; models ignore the ones they do not know.
    fn on_command(&mut self, _cx: &mut Cx, _command: Command) {}
    /// For tests and property checks that inspect a model's state.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// The model a node runs.
pub type Model = Box<dyn Protocol>;
