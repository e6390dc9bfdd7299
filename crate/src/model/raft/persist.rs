//! Stable storage: a server answers only after what the answer promises is on
//! disk. Every Raft message a handler produces goes to an outbox; at the end of
//! the handler the outbox is sent at once, or, when the handler changed the
//! term, the vote or the log, held until a disk write of `disk_write_us` is
//! done (etcd's `Ready` loop: persist the hard state and entries, then send).
//! A leader sends at once (its own write runs in parallel with the followers').
//! Held messages leave in order, so a later answer never overtakes an earlier one.

use super::*;

/// What a disk write must cover before an answer may leave.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Durable {
    term: u32,
    voted_for: Option<NodeId>,
    last_index: u32,
    last_term: u32,
}

impl RaftNode {
    pub(super) fn durable(&self) -> Durable {
        Durable { term: self.term, voted_for: self.voted_for, last_index: self.last_index(), last_term: self.last_term() }
    }

    pub(super) fn out(&mut self, to: NodeId, msg: RaftMsg) {
        self.outbox.push((to, msg));
    }

    fn bytes(msg: &RaftMsg) -> u32 {
        match *msg {
            RaftMsg::RequestVote { .. } => VOTE_BYTES,
            RaftMsg::Append { count, .. } => APPEND_HEADER_BYTES + count * ENTRY_BYTES,
            _ => REPLY_BYTES,
        }
    }

    fn transmit(&self, cx: &mut Cx, to: NodeId, msg: RaftMsg) {
        cx.send(to, self.cfg.plane, Msg::Raft(msg), Self::bytes(&msg));
    }

    /// End of a handler: send the outbox, or hold it behind a disk write when
    /// the handler changed durable state (`before` is the state at its start).
    pub(super) fn finish(&mut self, cx: &mut Cx, before: Durable) {
        if self.outbox.is_empty() {
            return;
        }
        let must_persist = self.cfg.disk_write_us > 0 && self.role != RaftRole::Leader && self.durable() != before;
        // Drained, not taken: the outbox keeps its buffer, so a heartbeat and
        // its reply allocate nothing.
        if !must_persist && self.held.is_empty() {
            let plane = self.cfg.plane;
            for (to, msg) in self.outbox.drain(..) {
                cx.send(to, plane, Msg::Raft(msg), Self::bytes(&msg));
            }
            return;
        }
        let queued_until = self.held.back().map_or(0, |&(due, _, _)| due);
        let written_at = if must_persist { cx.now_us + self.cfg.disk_write_us } else { cx.now_us };
        let due = written_at.max(queued_until);
        if self.held.is_empty() {
            cx.set_timer(Timer::Raft(RaftTimer::Persist), due - cx.now_us);
        }
        self.held.extend(self.outbox.drain(..).map(|(to, msg)| (due, to, msg)));
    }

    /// A disk write is done: send every message that waited for it.
    pub(super) fn on_persisted(&mut self, cx: &mut Cx) {
        while let Some(&(due, to, msg)) = self.held.front() {
            if due > cx.now_us {
                cx.set_timer(Timer::Raft(RaftTimer::Persist), due - cx.now_us);
                return;
            }
            self.held.pop_front();
            self.transmit(cx, to, msg);
        }
    }

    /// A crash loses what was not yet written and the answers waiting for it.
    pub(super) fn drop_unsent(&mut self) {
        self.outbox.clear();
        self.held.clear();
    }
}
