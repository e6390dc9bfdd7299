//! Documents: the coordinating node, the primary, its replica, and peer
//! recovery (a copy that is not in sync replays the primary's history and
//! throws away what it had that the primary has not).

use super::state::{has, NONE};
use super::{EsMsg, EsNode, OpKind, DOC_BYTES, SMALL_BYTES};
use crate::ids::NodeId;
use crate::model::effect::{Cx, Effect};
use crate::model::msg::{ReplyStatus, ServiceMsg};

/// Writes a primary keeps waiting for its replica; more are refused.
const PENDING_MAX: usize = 4_096;

/// This node's copy of one shard.
#[derive(Clone, Debug, Default)]
pub(super) struct ShardCopy {
    /// Write ids by sequence number (0: a hole, not yet received).
    pub log: Vec<u64>,
    /// Writes this primary has replicated and waits to hear back about.
    pub pending: Vec<PendingWrite>,
    pub recovering: Option<Recovery>,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct PendingWrite {
    seq: u32,
    replica: u8,
    client: NodeId,
    req: u32,
}

#[derive(Clone, Debug)]
pub(super) struct Recovery {
    /// The primary being recovered from.
    from: u8,
    /// What this copy held before: compared with the primary's history at the end.
    before: Vec<u64>,
}

/// The shard a document id routes to (a fixed hash, as `_routing` would).
pub(super) fn shard_of(write_id: u64, shards: usize) -> usize {
    let mut x = write_id.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    ((x ^ (x >> 31)) % shards.max(1) as u64) as usize
}

impl EsNode {
    fn reply(&self, cx: &mut Cx, client: NodeId, req: u32, status: ReplyStatus) {
        cx.send(client, self.cfg.client_plane, ServiceMsg::Reply { req, status }, SMALL_BYTES);
    }

    /// A client request arrives at this (coordinating) node.
    pub(super) fn on_client_request(&mut self, cx: &mut Cx, client: NodeId, req: u32, write_id: u64) {
        if write_id == 0 {
            // Reads are served from local copies even without a master (no_master_block: write).
            self.reply(cx, client, req, ReplyStatus::Ok);
            return;
        }
        if self.master().is_none() {
            self.reply(cx, client, req, ReplyStatus::Unavailable);
            return;
        }
        let shard = shard_of(write_id, self.cfg.shards);
        let primary = self.state.primary(shard);
        if primary == NONE {
            self.reply(cx, client, req, ReplyStatus::Unavailable); // a red shard
        } else if primary == self.me {
            self.on_index(cx, client, req, shard, write_id);
        } else {
            self.send(cx, primary, EsMsg::Index { client: client.0, req, shard: shard as u8, write_id }, DOC_BYTES);
        }
    }

    /// The primary indexes a document and replicates it.
    pub(super) fn on_index(&mut self, cx: &mut Cx, client: NodeId, req: u32, shard: usize, write_id: u64) {
        let is_primary = self.master().is_some() && shard < self.copies.len() && self.state.primary(shard) == self.me;
        if !is_primary || self.copies[shard].recovering.is_some() || self.copies[shard].pending.len() >= PENDING_MAX {
            self.reply(cx, client, req, ReplyStatus::NotActive);
            return;
        }
        let copy = &mut self.copies[shard];
        let seq = copy.log.len() as u32;
        copy.log.push(write_id);
        let replica = self.state.replica(shard);
        if replica == NONE {
            self.reply(cx, client, req, ReplyStatus::Ok);
            return;
        }
        copy.pending.push(PendingWrite { seq, replica, client, req });
        self.send(cx, replica, EsMsg::Replicate { shard: shard as u8, seq, write_id, kind: OpKind::Live }, DOC_BYTES);
    }

    pub(super) fn on_replicate(&mut self, cx: &mut Cx, from: u8, shard: usize, seq: u32, write_id: u64, kind: OpKind) {
        if shard >= self.copies.len() || self.state.primary(shard) != from || self.master().is_none() {
            if kind == OpKind::Live {
                self.send(cx, from, EsMsg::ReplicaAck { shard: shard as u8, seq, ok: false }, SMALL_BYTES);
            }
            return;
        }
        match kind {
            OpKind::Live | OpKind::History => {
                let log = &mut self.copies[shard].log;
                let i = seq as usize;
                if log.len() <= i {
                    log.resize(i + 1, 0);
                }
                log[i] = write_id;
                if kind == OpKind::Live {
                    self.send(cx, from, EsMsg::ReplicaAck { shard: shard as u8, seq, ok: true }, SMALL_BYTES);
                }
            }
            OpKind::HistoryEnd => self.finish_recovery(cx, shard, from),
        }
    }

    pub(super) fn on_replica_ack(&mut self, cx: &mut Cx, shard: usize, seq: u32, ok: bool) {
        let Some(copy) = self.copies.get_mut(shard) else { return };
        let Some(pos) = copy.pending.iter().position(|p| p.seq == seq) else { return };
        let p = copy.pending.remove(pos);
        self.reply(cx, p.client, p.req, if ok { ReplyStatus::Ok } else { ReplyStatus::Unavailable });
    }

    /// A copy asks for the primary's history, or (at the master) reports it is in sync.
    pub(super) fn on_copy(&mut self, cx: &mut Cx, from: u8, shard: usize, recovered: bool) {
        if shard >= self.copies.len() {
            return;
        }
        if recovered {
            if self.mode == super::Mode::Master && self.state.replica(shard) == from && !has(self.state.in_sync[shard], from) {
                self.state.in_sync[shard] |= super::state::bit(from);
                self.change(cx);
            }
            return;
        }
        if self.state.primary(shard) != self.me || self.master().is_none() {
            return;
        }
        let len = self.copies[shard].log.len() as u32;
        for seq in 0..len {
            let write_id = self.copies[shard].log[seq as usize];
            self.send(cx, from, EsMsg::Replicate { shard: shard as u8, seq, write_id, kind: OpKind::History }, DOC_BYTES);
        }
        self.send(cx, from, EsMsg::Replicate { shard: shard as u8, seq: len, write_id: 0, kind: OpKind::HistoryEnd }, SMALL_BYTES);
    }

    fn finish_recovery(&mut self, cx: &mut Cx, shard: usize, from: u8) {
        let copy = &mut self.copies[shard];
        let Some(rec) = copy.recovering.take() else { return };
        if rec.from != from {
            copy.recovering = Some(rec);
            return;
        }
        let now = crate::order::sorted_set(copy.log.iter().copied().filter(|&w| w != 0).collect());
        for &w in rec.before.iter().filter(|&&w| w != 0 && now.binary_search(&w).is_err()) {
            cx.emit(Effect::Discarded { write_id: w });
        }
        // Assigned here meanwhile or not, decide by the routing table now.
        if self.state.replica(shard) != self.me {
            copy.log.clear();
        } else if let Some(m) = self.master() {
            self.send(cx, m, EsMsg::Copy { shard: shard as u8, recovered: true }, SMALL_BYTES);
        }
    }

    /// The applied cluster state (or the master) changed: settle each shard copy.
    pub(super) fn data_changed(&mut self, cx: &mut Cx) {
        let has_master = self.master().is_some();
        for shard in 0..self.copies.len() {
            let (p, r) = (self.state.primary(shard), self.state.replica(shard));
            // Writes waiting for a replica the routing table no longer lists are done:
            // the master failed that copy out (or a new one will recover them).
            let still_primary = has_master && p == self.me;
            let pending = std::mem::take(&mut self.copies[shard].pending);
            for w in pending {
                if !still_primary {
                    self.reply(cx, w.client, w.req, ReplyStatus::NotActive);
                } else if w.replica != r {
                    self.reply(cx, w.client, w.req, ReplyStatus::Ok);
                } else {
                    self.copies[shard].pending.push(w);
                }
            }
            if !has_master || !self.holds_data() || p == NONE || p == self.me {
                continue;
            }
            let in_sync = has(self.state.in_sync[shard], self.me);
            let copy = &mut self.copies[shard];
            let assigned = r == self.me;
            let stale_here = !assigned && !in_sync && copy.log.iter().any(|&w| w != 0);
            if (assigned && !in_sync) || stale_here {
                if copy.recovering.as_ref().is_some_and(|rec| rec.from == p) {
                    continue;
                }
                let before = match copy.recovering.take() {
                    Some(rec) => rec.before,
                    None => std::mem::take(&mut copy.log),
                };
                copy.log.clear();
                copy.recovering = Some(Recovery { from: p, before });
                self.send(cx, p, EsMsg::Copy { shard: shard as u8, recovered: false }, SMALL_BYTES);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shard_of;

    #[test]
    fn documents_spread_over_the_shards() {
        let mut counts = [0u32; 4];
        for id in 1..=4_000u64 {
            counts[shard_of((7u64 << 40) | id, 4)] += 1;
        }
        assert!(counts.iter().all(|&c| (800..1200).contains(&c)), "{counts:?}");
    }
}
