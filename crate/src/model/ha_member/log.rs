//! The replicated log of an HA member: the active appends each write and sends
//! it to every peer; a replica appends in order, asks for a resend when it
//! finds a gap, and discards what diverges from the active's log.

use super::{HaMember, HaMsg, HEARTBEAT_BYTES, REPLY_BYTES};
use crate::ids::NodeId;
use crate::model::effect::{Cx, Effect, Epoch, Role};
use crate::model::msg::{ReplyStatus, ServiceMsg};

const REPLICATE_BYTES: u32 = 4096;
/// At most this many log entries are resent per sync request, so a far-behind
/// replica catches up in bounded steps instead of one unbounded burst.
const SYNC_BATCH_MAX: u64 = 256;

impl HaMember {
    pub(super) fn ask_sync(&mut self, cx: &mut Cx, active: NodeId) {
        if self.sync_asked_us.is_some_and(|t| cx.mono_us < t.saturating_add(self.cfg.heartbeat_interval_us)) {
            return;
        }
        self.sync_asked_us = Some(cx.mono_us);
        let msg = HaMsg::SyncRequest { epoch: self.epoch, from_index: self.log_len() };
        cx.send(active, self.cfg.data_plane, msg, HEARTBEAT_BYTES);
    }

    pub(super) fn truncate(&mut self, cx: &mut Cx, len: u64) {
        while self.log_len() > len {
            if let Some(write_id) = self.log.pop() {
                cx.emit(Effect::Discarded { write_id });
            }
        }
    }

    pub(super) fn on_request(&mut self, cx: &mut Cx, client: NodeId, req: u32, write_id: u64) {
        if self.role != Role::Active {
            cx.send(client, self.cfg.data_plane, ServiceMsg::Reply { req, status: ReplyStatus::NotActive }, REPLY_BYTES);
            return;
        }
        if write_id != 0 {
            let index = self.log_len();
            self.log.push(write_id);
            for &p in &self.cfg.peers {
                cx.send(p, self.cfg.data_plane, HaMsg::Replicate { epoch: self.epoch, index, write_id }, REPLICATE_BYTES);
            }
        }
        cx.send(client, self.cfg.data_plane, ServiceMsg::Reply { req, status: ReplyStatus::Ok }, REPLY_BYTES);
    }

    pub(super) fn on_replicate(&mut self, cx: &mut Cx, from: NodeId, epoch: Epoch, index: u64, write_id: u64) {
        if epoch < self.epoch || self.role == Role::Active {
            return;
        }
        self.epoch = epoch;
        self.active = Some(from);
        if index > self.log_len() {
            self.ask_sync(cx, from);
            return;
        }
        if index < self.log_len() {
            if self.log[index as usize] == write_id {
                return; // a resend of what we already have
            }
            self.truncate(cx, index);
        }
        self.log.push(write_id);
        cx.send(from, self.cfg.data_plane, HaMsg::ReplicateAck { epoch, index }, REPLY_BYTES);
    }

    /// A replica asks for the log from `from_index`: resend at most a batch.
    pub(super) fn on_sync_request(&mut self, cx: &mut Cx, from: NodeId, epoch: Epoch, from_index: u64) {
        if self.role == Role::Active && epoch <= self.epoch {
            let end = self.log_len().min(from_index + SYNC_BATCH_MAX);
            for index in from_index..end {
                let write_id = self.log[index as usize];
                cx.send(from, self.cfg.data_plane, HaMsg::Replicate { epoch: self.epoch, index, write_id }, REPLICATE_BYTES);
            }
        }
    }
}
