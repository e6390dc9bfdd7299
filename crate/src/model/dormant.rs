//! The model of a node left out of a run (its `enabled` flag is off): it runs
//! nothing, sends nothing and joins no group.

use super::effect::Cx;
use super::msg::{NoMsg, NoTimer};
use super::show::NodeShow;
use super::Model;
use crate::ids::NodeId;

#[derive(Clone, Copy, Debug, Default)]
pub struct Dormant;

impl Model for Dormant {
    type Msg = NoMsg;
    type Timer = NoTimer;
    type Command = crate::model::command::NoCommand;

    fn start(&mut self, _cx: &mut Cx) {}
    fn restart(&mut self, _cx: &mut Cx) {}
    fn on_message(&mut self, _cx: &mut Cx, _from: NodeId, msg: NoMsg) {
        match msg {}
    }
    fn on_timer(&mut self, _cx: &mut Cx, timer: NoTimer) {
        match timer {}
    }
    /// No roles and no facts: only that it is left out (the stage's "spare").
    fn show(&self) -> NodeShow {
        NodeShow { dormant: true, ..NodeShow::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dormant_node_shows_that_it_is_left_out_and_a_model_by_default_does_not() {
        assert!(Model::show(&Dormant).dormant);
        assert!(!NodeShow::default().dormant);
    }
}
