//! Recording a link's status (up, degraded, down) when it changes.

use super::{Event, Run};
use crate::ids::LinkId;
use crate::net::LinkStatus;
use crate::trace::event::TraceEvent;

impl Run {
    /// Record a change of one link's status when it happens (a backlog crossing
    /// the queueing threshold), not only at the next timeline step; while it
    /// queues, look again when the backlog should have drained.
    pub(super) fn check_link(&mut self, id: LinkId) {
        let now = self.now_us;
        let i = id.index();
        let status = self.network.status(id, now);
        if status != self.link_status[i] {
            self.link_status[i] = status;
            self.trace.events.push(TraceEvent::Link { at_us: now, link: id, status });
        }
        let link = &self.network.links[i];
        if status == LinkStatus::Degraded && link.queueing(now) && !self.link_check_queued[i] {
            self.link_check_queued[i] = true;
            self.queue.push(link.queue_drains_at_us().max(now + 1), Event::LinkCheck { link: id });
        }
    }

    pub(super) fn record_link_changes(&mut self) {
        for i in 0..self.link_status.len() {
            self.check_link(LinkId(i as u32));
        }
    }
}
