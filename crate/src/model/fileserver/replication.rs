//! DRBD-like replication between the two nodes of a pair, and the client
//! requests it serves: heartbeats from the peer, replicated writes and their
//! acks, resync in bounded batches, standalone mode and generation checks.

use super::*;

impl Fileserver {
    pub(super) fn on_peer_heartbeat(&mut self, cx: &mut Cx, epoch: u32, active: bool, log_len: u32, base_len: u32) {
        if self.held {
            return;
        }
        if self.peer != Peer::Alive {
            // An unclean peer is ignored, unless generation checks show it is newer.
            if self.cfg.generation_check && active && epoch > self.epoch {
                self.learn_newer_generation(cx, epoch, base_len);
            }
            return;
        }
        self.peer_heard_us = cx.now_us;
        if !active {
            return;
        }
        self.active_heard_us = cx.now_us;
        if epoch > self.epoch {
            if self.role == Role::Active {
                self.learn_newer_generation(cx, epoch, base_len);
                return;
            }
            self.epoch = epoch;
            if self.role == Role::Candidate {
                self.set_role(cx, Role::Passive);
            }
        }
        if self.role != Role::Active && epoch == self.epoch && self.log_len() < log_len {
            self.ask_sync(cx);
        }
    }

    /// The peer holds a newer generation that began at `newer_base`: stop serving,
    /// stop fencing it, discard what was written here after that point, follow it.
    pub(super) fn learn_newer_generation(&mut self, cx: &mut Cx, epoch: u32, newer_base: u32) {
        self.fence = None;
        cx.cancel_timer(GhTimer::FenceTimeout);
        self.peer = Peer::Alive;
        self.peer_heard_us = cx.now_us;
        self.active_heard_us = cx.now_us;
        if self.role == Role::Active || self.role == Role::Candidate {
            self.stand_down(cx);
        }
        self.epoch = epoch;
        self.truncate(cx, newer_base.min(self.log_len()));
        self.ask_sync(cx);
    }

    pub(super) fn on_replicate(&mut self, cx: &mut Cx, epoch: u32, index: u32, write_id: u64) {
        if self.held {
            return;
        }
        if self.cfg.generation_check && epoch < self.epoch {
            let refusal = GhMsg::ReplicateAck { epoch: self.epoch, index: self.base_len, refused: true };
            cx.send(self.cfg.peer, self.cfg.replication_plane, refusal, SMALL_BYTES);
            return;
        }
        if self.peer != Peer::Alive || self.role == Role::Active {
            // Split brain: DRBD drops the connection and stays standalone. (With
            // generation checks the newer side's heartbeat, which carries where its
            // generation began, makes this node stand down within one interval.)
            return;
        }
        if epoch < self.epoch {
            return;
        }
        self.epoch = epoch;
        if index > self.log_len() {
            self.ask_sync(cx);
            return;
        }
        if index < self.log_len() {
            if self.log[index as usize] == write_id {
                self.ack(cx, epoch, index);
                return;
            }
            self.truncate(cx, index);
        }
        self.log.push(write_id);
        self.ack(cx, epoch, index);
    }

    pub(super) fn ack(&mut self, cx: &mut Cx, epoch: u32, index: u32) {
        let msg = GhMsg::ReplicateAck { epoch, index, refused: false };
        cx.send(self.cfg.peer, self.cfg.replication_plane, msg, SMALL_BYTES);
    }

    pub(super) fn on_replicate_ack(&mut self, cx: &mut Cx, epoch: u32, index: u32, refused: bool) {
        if refused {
            if self.cfg.generation_check && epoch > self.epoch {
                self.learn_newer_generation(cx, epoch, index);
            }
            return;
        }
        if self.role != Role::Active || epoch != self.epoch {
            return;
        }
        if index + 1 >= self.log_len() {
            self.connected = true; // the peer holds everything: back in sync
        } else if index + 1 == self.sync_sent_to {
            self.send_batch(cx, self.sync_sent_to);
        }
        while self.pending.front().is_some_and(|p| p.index <= index) {
            if let Some(p) = self.pending.pop_front() {
                self.reply(cx, p.client, p.req, ReplyStatus::Ok);
            }
        }
    }

    pub(super) fn on_sync_request(&mut self, cx: &mut Cx, epoch: u32, from_index: u32) {
        if self.role != Role::Active || epoch > self.epoch || self.held {
            return;
        }
        self.send_batch(cx, from_index);
    }

    pub(super) fn send_batch(&mut self, cx: &mut Cx, from_index: u32) {
        let end = self.log_len().min(from_index.saturating_add(SYNC_BATCH_MAX));
        for index in from_index..end {
            let write_id = self.log[index as usize];
            let msg = GhMsg::Replicate { epoch: self.epoch, index, write_id };
            cx.send(self.cfg.peer, self.cfg.replication_plane, msg, REPLICATE_BYTES);
        }
        self.sync_sent_to = end;
    }

    pub(super) fn ask_sync(&mut self, cx: &mut Cx) {
        if self.sync_asked_us.is_some_and(|t| cx.now_us < t.saturating_add(self.cfg.heartbeat_interval_us)) {
            return;
        }
        self.sync_asked_us = Some(cx.now_us);
        let msg = GhMsg::SyncRequest { epoch: self.epoch, from_index: self.log_len() };
        cx.send(self.cfg.peer, self.cfg.replication_plane, msg, SMALL_BYTES);
    }

    pub(super) fn truncate(&mut self, cx: &mut Cx, len: u32) {
        while self.log_len() > len {
            if let Some(write_id) = self.log.pop() {
                cx.emit(Effect::Discarded { write_id });
            }
        }
    }

    // ---- client requests ----

    pub(super) fn reply(&self, cx: &mut Cx, client: NodeId, req: u32, status: ReplyStatus) {
        cx.send(client, self.cfg.data_plane, ServiceMsg::Reply { req, status }, SMALL_BYTES);
    }

    pub(super) fn on_request(&mut self, cx: &mut Cx, client: NodeId, req: u32, write_id: u64) {
        if self.role != Role::Active || self.held {
            self.reply(cx, client, req, ReplyStatus::NotActive);
            return;
        }
        self.last_active_us = cx.now_us;
        if write_id == 0 {
            self.reply(cx, client, req, ReplyStatus::Ok);
            return;
        }
        let standalone_allowed = !self.cfg.generation_check || self.peer == Peer::Fenced;
        if !self.connected && !standalone_allowed {
            // Nobody can confirm this node's generation: the write is refused.
            self.reply(cx, client, req, ReplyStatus::Unavailable);
            return;
        }
        if self.pending.len() >= PENDING_MAX {
            self.reply(cx, client, req, ReplyStatus::Unavailable);
            return;
        }
        let index = self.log_len();
        self.log.push(write_id);
        if self.peer == Peer::Alive {
            let msg = GhMsg::Replicate { epoch: self.epoch, index, write_id };
            cx.send(self.cfg.peer, self.cfg.replication_plane, msg, REPLICATE_BYTES);
        }
        if self.connected {
            if self.pending.is_empty() {
                cx.set_timer(GhTimer::Replication, self.cfg.replication_timeout_us);
            }
            self.pending.push_back(Pending { index, client, req, since_us: cx.now_us });
        } else {
            // Standalone: acknowledged on this node's disk alone.
            self.reply(cx, client, req, ReplyStatus::Ok);
        }
    }

    pub(super) fn on_replication_timeout(&mut self, cx: &mut Cx) {
        let Some(oldest) = self.pending.front() else { return };
        let due = oldest.since_us.saturating_add(self.cfg.replication_timeout_us);
        if cx.now_us < due {
            cx.set_timer(GhTimer::Replication, due - cx.now_us);
            return;
        }
        // The peer stopped acknowledging: DRBD drops the connection.
        self.connected = false;
        if self.cfg.generation_check && self.peer != Peer::Fenced {
            self.fail_pending(cx);
        } else {
            self.flush_pending_standalone(cx);
        }
    }

    pub(super) fn flush_pending_standalone(&mut self, cx: &mut Cx) {
        while let Some(p) = self.pending.pop_front() {
            self.reply(cx, p.client, p.req, ReplyStatus::Ok);
        }
    }

    pub(super) fn fail_pending(&mut self, cx: &mut Cx) {
        while let Some(p) = self.pending.pop_front() {
            self.reply(cx, p.client, p.req, ReplyStatus::Unavailable);
        }
    }
}
