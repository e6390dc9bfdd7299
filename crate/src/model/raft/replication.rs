//! Raft log replication: a leader's appends and heartbeats, a follower's
//! consistency check, commit advancement, and client writes.

use super::*;

impl RaftNode {
    pub(super) fn become_leader(&mut self, cx: &mut Cx) {
        self.role = RaftRole::Leader;
        self.leader = Some(self.me);
        let next = self.last_index() + 1;
        self.next_index.iter_mut().for_each(|n| *n = next);
        self.match_index.iter_mut().for_each(|m| *m = 0);
        self.recent_active.iter_mut().for_each(|a| *a = false);
        // A new leader appends an empty entry of its term so it can commit (§5.4.2).
        self.log.push(self.term);
        self.emit_role(cx);
        cx.cancel_timer(Timer::Raft(RaftTimer::Election));
        self.broadcast();
        cx.set_timer(Timer::Raft(RaftTimer::Heartbeat), self.cfg.heartbeat_us);
        if self.cfg.check_quorum {
            cx.set_timer(Timer::Raft(RaftTimer::Quorum), self.cfg.election_min_us);
        }
        self.advance_commit(cx);
    }

    pub(super) fn broadcast(&mut self) {
        for i in 0..self.cfg.peers.len() {
            self.send_append(i);
        }
    }

    /// etcd's heartbeat: no entries; the commit index is capped at what the
    /// follower is known to hold, so it never commits an entry it lacks.
    pub(super) fn send_heartbeats(&mut self) {
        for i in 0..self.cfg.peers.len() {
            let commit = self.commit.min(self.match_index[i]);
            self.out(self.cfg.peers[i], RaftMsg::Heartbeat { term: self.term, commit });
        }
    }

    /// A follower's heartbeat reply: it is alive; if it lacks entries, send them.
    pub(super) fn on_heartbeat_reply(&mut self, pi: usize) {
        self.recent_active[pi] = true;
        if self.match_index[pi] < self.last_index() {
            self.send_append(pi);
        }
    }

    pub(super) fn send_append(&mut self, i: usize) {
        let next = self.next_index[i].clamp(1, self.last_index() + 1);
        let prev_index = next - 1;
        let mut count = 0;
        let entry_term = self.term_at(next);
        while count < APPEND_BATCH_MAX && next + count <= self.last_index() && self.term_at(next + count) == entry_term {
            count += 1;
        }
        let msg = RaftMsg::Append {
            term: self.term,
            prev_index,
            prev_term: self.term_at(prev_index),
            count,
            entry_term: if count == 0 { 0 } else { entry_term },
            commit: self.commit,
        };
        self.out(self.cfg.peers[i], msg);
    }

    pub(super) fn advance_commit(&mut self, cx: &mut Cx) {
        // The highest index a majority holds, counting ourselves; only entries of
        // the current term are committed by counting (§5.4.2).
        let mut candidate = self.last_index();
        while candidate > self.commit {
            let holders = 1 + self.match_index.iter().filter(|&&m| m >= candidate).count();
            if holders >= self.quorum() && self.term_at(candidate) == self.term {
                self.commit = candidate;
                break;
            }
            candidate -= 1;
        }
        while let Some(p) = self.pending.front().copied() {
            if p.index > self.commit {
                break;
            }
            self.pending.pop_front();
            let status = if self.term_at(p.index) == p.term { ReplyStatus::Ok } else { ReplyStatus::Unavailable };
            cx.send(p.client, self.cfg.client_plane, ServiceMsg::Reply { req: p.req, status }, REPLY_BYTES);
        }
    }

    pub(super) fn fail_pending(&mut self, cx: &mut Cx) {
        while let Some(p) = self.pending.pop_front() {
            cx.send(p.client, self.cfg.client_plane, ServiceMsg::Reply { req: p.req, status: ReplyStatus::NotActive }, REPLY_BYTES);
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_append(&mut self, from: NodeId, prev_index: u32, prev_term: u32, count: u32, entry_term: u32, commit: u32) {
        if prev_index < self.commit && prev_index + count <= self.commit {
            // Everything offered is already committed here.
            let reply = RaftMsg::AppendReply { term: self.term, success: true, index: self.commit };
            self.out(from, reply);
            return;
        }
        if prev_index > self.last_index() || self.term_at(prev_index) != prev_term {
            let hint = self.last_index().min(prev_index.saturating_sub(1));
            let reply = RaftMsg::AppendReply { term: self.term, success: false, index: hint };
            self.out(from, reply);
            return;
        }
        for k in 1..=count {
            let idx = prev_index + k;
            if idx <= self.last_index() {
                if self.term_at(idx) == entry_term {
                    continue;
                }
                debug_assert!(idx > self.commit, "truncating a committed entry");
                self.log.truncate(idx as usize - 1);
            }
            self.log.push(entry_term);
        }
        let matched = prev_index + count;
        let new_commit = commit.min(matched);
        if new_commit > self.commit {
            self.commit = new_commit;
        }
        let reply = RaftMsg::AppendReply { term: self.term, success: true, index: matched };
        self.out(from, reply);
    }

    pub(super) fn on_request(&mut self, cx: &mut Cx, client: NodeId, req: u32, write_id: u64) {
        if write_id == 0 {
            // Serializable read from local state: any live member answers.
            cx.send(client, self.cfg.client_plane, ServiceMsg::Reply { req, status: ReplyStatus::Ok }, REPLY_BYTES);
            return;
        }
        if self.role != RaftRole::Leader || self.pending.len() >= PENDING_MAX {
            let status = if self.role == RaftRole::Leader { ReplyStatus::Unavailable } else { ReplyStatus::NotActive };
            cx.send(client, self.cfg.client_plane, ServiceMsg::Reply { req, status }, REPLY_BYTES);
            return;
        }
        self.log.push(self.term);
        self.pending.push_back(PendingWrite { index: self.last_index(), term: self.term, client, req });
        self.broadcast();
        self.advance_commit(cx);
    }
}
