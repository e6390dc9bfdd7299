//! The stall: the Patroni process stops (`patroni_stall`) while the host, its
//! clock, its watchdog and PostgreSQL run on; what arrives meanwhile waits.

use super::msg::PatroniTimer;
use super::{PatroniNode, Step};
use crate::model::effect::Cx;

impl PatroniNode {
    pub(super) fn stall(&mut self, cx: &mut Cx) {
        if !self.stalled {
            self.stalled = true;
            cx.set_timer(PatroniTimer::Thaw, self.cfg.stall_us);
        }
    }

    /// The process runs again and finds what waited: answers first (they
    /// arrived before the overdue timers looked), then deadlines, then the cycle.
    pub(super) fn thaw(&mut self, cx: &mut Cx) {
        self.stalled = false;
        for msg in std::mem::take(&mut self.held) {
            self.on_lease(cx, msg);
        }
        if std::mem::take(&mut self.deadline_due) {
            self.on_deadline(cx);
        }
        if self.step == Step::AskMembers {
            self.after_members(cx); // its 2 s ran out while stopped
        }
        if std::mem::take(&mut self.cycle_due) && self.step == Step::Idle {
            cx.cancel_timer(PatroniTimer::Cycle);
            self.start_cycle(cx);
        }
    }
}
