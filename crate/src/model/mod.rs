//! Protocol models. Each is a sans-IO state machine: a message, a timer or an
//! operator command goes in with the time and the node's random stream; effects
//! come out through `Cx`. A model never touches the queue, the network, other
//! nodes or the browser.
//!
//! A model implements `Model` with its own message, timer and command types, so
//! its handlers match exhaustively over what it can receive; the blanket
//! `Protocol` impl is the one adapter the engine calls, converting from the hub
//! enums and dropping what is not the model's (a message of another protocol
//! is ignored, as a real daemon ignores a packet it cannot parse). How to add a
//! model: `registry.rs`.

pub mod aistore;
pub mod backup_catalog;
pub mod db_cluster;
pub mod dormant;
pub mod effect;
pub mod elasticsearch;
pub mod fencing;
pub mod fileserver;
pub mod ha_member;
pub mod kafka;
pub mod lease_store;
pub mod mongodb;
pub mod msg;
pub mod patroni;
pub mod postgres;
pub mod raft;
pub(crate) mod registry;
pub mod show;
pub mod workload;

use effect::Cx;
use msg::{Command, Msg, Timer};

use crate::engine::time::SimTime;
use crate::ids::NodeId;
use show::NodeShow;

/// What a model implements. Handlers return nothing: effects go into `cx`.
pub trait Model: std::fmt::Debug + 'static {
    /// What the model receives: its message family, or an `inbox!` of several.
    type Msg: TryFrom<Msg>;
    /// Its timer enum (`timer_enum!`), or `NoTimer`.
    type Timer: TryFrom<Timer>;
    /// The operator commands it acts on.
    type Command: TryFrom<Command>;

    /// Called once at time zero.
    fn start(&mut self, cx: &mut Cx);
    /// The node comes back after a crash or power-off: volatile state is gone,
    /// what the model keeps on disk stays.
    fn restart(&mut self, cx: &mut Cx);
    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: Self::Msg);
    fn on_timer(&mut self, cx: &mut Cx, timer: Self::Timer);
    fn on_command(&mut self, _cx: &mut Cx, _command: Self::Command) {}

    /// How the stage presents this node: role words, declared facts, watched
    /// peers (the contract is in `show.rs`). Called once at set-up.
    fn show(&self) -> NodeShow {
        NodeShow::default()
    }
    /// The declared facts' current values, in declaration order (`now_us` on
    /// this host's clock, for "heard within the dead time").
    fn facts(&self, _now_us: SimTime, _out: &mut Vec<i64>) {}
}

/// The engine's view of a model: hub enums in, effects out. Implemented for
/// every `Model` by the adapter below; nothing else implements it.
pub trait Protocol: std::fmt::Debug {
    fn start(&mut self, cx: &mut Cx);
    fn restart(&mut self, cx: &mut Cx);
    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: Msg);
    fn on_timer(&mut self, cx: &mut Cx, timer: Timer);
    fn on_command(&mut self, cx: &mut Cx, command: Command);
    fn show(&self) -> NodeShow;
    fn facts(&self, now_us: SimTime, out: &mut Vec<i64>);
}

impl<M: Model> Protocol for M {
    fn start(&mut self, cx: &mut Cx) {
        Model::start(self, cx);
    }
    fn restart(&mut self, cx: &mut Cx) {
        Model::restart(self, cx);
    }
    #[inline]
    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: Msg) {
        if let Ok(msg) = M::Msg::try_from(msg) {
            Model::on_message(self, cx, from, msg);
        }
    }
    #[inline]
    fn on_timer(&mut self, cx: &mut Cx, timer: Timer) {
        // A node's timers are set by its own model, so this always converts.
        if let Ok(timer) = M::Timer::try_from(timer) {
            Model::on_timer(self, cx, timer);
        }
    }
    fn on_command(&mut self, cx: &mut Cx, command: Command) {
        if let Ok(command) = M::Command::try_from(command) {
            Model::on_command(self, cx, command);
        }
    }
    fn show(&self) -> NodeShow {
        Model::show(self)
    }
    #[inline]
    fn facts(&self, now_us: SimTime, out: &mut Vec<i64>) {
        Model::facts(self, now_us, out);
    }
}

/// The model a node runs, as the engine holds it.
pub type AnyModel = Box<dyn Protocol>;
