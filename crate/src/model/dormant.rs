//! The model of a node left out of a run (its `enabled` flag is off): it runs
//! nothing, sends nothing and joins no group.

use super::effect::Cx;
use super::msg::{Msg, Timer};
use super::Protocol;
use crate::ids::NodeId;

#[derive(Clone, Copy, Debug, Default)]
pub struct Dormant;

impl Protocol for Dormant {
    fn start(&mut self, _cx: &mut Cx) {}
    fn restart(&mut self, _cx: &mut Cx) {}
    fn on_message(&mut self, _cx: &mut Cx, _from: NodeId, _msg: Msg) {}
    fn on_timer(&mut self, _cx: &mut Cx, _timer: Timer) {}
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
