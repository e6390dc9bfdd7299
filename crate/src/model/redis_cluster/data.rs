//! Keys and data: which range a request's key hashes to, serving or
//! redirecting it, asynchronous replication to replicas, full
//! synchronisation (which throws away what the replica had and the master
//! has not), and `min-replicas-to-write`.

use super::{RcMsg, RcNode, ReplicaLink, NONE, SLOTS, SMALL_BYTES, WRITE_BYTES};
use crate::ids::NodeId;
use crate::model::effect::{Cx, Effect};
use crate::model::msg::{ReplyStatus, ServiceMsg};

/// Writes a master keeps in its data set; more are refused (memory bound).
const DATA_MAX: usize = 1 << 20;

/// The hash slot of a key (a fixed mix of the write id or request, as CRC16 would spread keys).
pub(super) fn slot_of(key: u64) -> u32 {
    let mut x = key.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    ((x ^ (x >> 31)) % u64::from(SLOTS)) as u32
}

impl RcNode {
    /// The range a slot belongs to.
    fn range_of_slot(&self, slot: u32) -> usize {
        let n = self.ranges.len().max(1) as u64;
        ((u64::from(slot) * n) / u64::from(SLOTS)) as usize
    }

    fn reply(&self, cx: &mut Cx, client: NodeId, req: u32, status: ReplyStatus) {
        cx.send(client, self.cfg.client_plane, ServiceMsg::Reply { req, status }, SMALL_BYTES);
    }

    /// A client request (or one forwarded by a node that does not serve its slot).
    pub(super) fn serve(&mut self, cx: &mut Cx, client: NodeId, req: u32, write_id: u64, forwarded: bool) {
        if !self.state_ok {
            self.reply(cx, client, req, ReplyStatus::Unavailable); // -CLUSTERDOWN
            return;
        }
        let key = if write_id != 0 { write_id } else { (u64::from(client.0) << 32) | u64::from(req) };
        let r = self.range_of_slot(slot_of(key));
        let owner = self.ranges[r].owner;
        if owner != self.me || !self.is_master() {
            if !forwarded && owner != NONE {
                self.send(cx, owner, RcMsg::Forward { client: client.0, req, write_id }, WRITE_BYTES);
            } else {
                self.reply(cx, client, req, ReplyStatus::NotActive); // -MOVED again: the client retries
            }
            return;
        }
        if write_id == 0 {
            self.reply(cx, client, req, ReplyStatus::Ok);
            return;
        }
        if !self.enough_replicas(cx.now_us) || self.data.len() >= DATA_MAX {
            self.reply(cx, client, req, ReplyStatus::Unavailable); // -NOREPLICAS
            return;
        }
        let seq = self.data.len() as u32;
        self.data.push(write_id);
        for k in self.attached().collect::<Vec<_>>() {
            self.send(cx, k, RcMsg::Repl { seq, write_id, sync: false }, WRITE_BYTES);
        }
        // Asynchronous replication: the client hears OK before any replica has the write.
        self.reply(cx, client, req, ReplyStatus::Ok);
    }

    fn attached(&self) -> impl Iterator<Item = u8> + '_ {
        self.replicas.iter().enumerate().filter(|(_, r)| r.is_some()).map(|(k, _)| k as u8)
    }

    /// `min-replicas-to-write`: replicas whose last ack is at most `min-replicas-max-lag` old.
    pub(super) fn enough_replicas(&self, now_us: u64) -> bool {
        let want = self.cfg.min_replicas_to_write;
        if want == 0 {
            return true;
        }
        let lag = self.cfg.min_replicas_max_lag_us;
        let good = self.replicas.iter().flatten().filter(|l| now_us.saturating_sub(l.acked_us) <= lag).count() as u32;
        good >= want
    }

    /// Writes held without a hole from the start (the replication offset acknowledged).
    fn contiguous(&self) -> u32 {
        self.data.iter().position(|&w| w == 0).unwrap_or(self.data.len()) as u32
    }

    /// Every second a replica acknowledges what it holds, or asks for a full sync.
    pub(super) fn send_repl_ack(&mut self, cx: &mut Cx) {
        if self.master_of == NONE {
            return;
        }
        let full = self.needs_full_sync;
        if full && self.incoming.is_none() {
            self.incoming = Some(Vec::new());
        }
        let offset = self.contiguous();
        self.send(cx, self.master_of, RcMsg::ReplAck { offset, full }, SMALL_BYTES);
    }

    /// The master: a replica's ack. A new replica (or one asking) gets the
    /// whole data set; a known one, writes it missed for a second or more again.
    pub(super) fn on_repl_ack(&mut self, cx: &mut Cx, from: u8, offset: u32, full: bool) {
        if !self.is_master() {
            return;
        }
        let len = self.data.len() as u32;
        let k = usize::from(from);
        match self.replicas[k] {
            Some(link) if !full => {
                for seq in offset..link.len_at_ack.min(len) {
                    let write_id = self.data[seq as usize];
                    self.send(cx, from, RcMsg::Repl { seq, write_id, sync: false }, WRITE_BYTES);
                }
            }
            _ => {
                for seq in 0..len {
                    let write_id = self.data[seq as usize];
                    self.send(cx, from, RcMsg::Repl { seq, write_id, sync: true }, WRITE_BYTES);
                }
                self.send(cx, from, RcMsg::SyncEnd { len }, SMALL_BYTES);
            }
        }
        self.replicas[k] = Some(ReplicaLink { acked_us: cx.now_us, len_at_ack: len });
    }

    /// `repl-ping-replica-period`: the master pings its replicas.
    pub(super) fn ping_replicas(&mut self, cx: &mut Cx) {
        if cx.now_us.saturating_sub(self.last_repl_ping_us) < self.cfg.repl_ping_period_us {
            return;
        }
        self.last_repl_ping_us = cx.now_us;
        for k in self.attached().collect::<Vec<_>>() {
            self.send(cx, k, RcMsg::ReplPing, SMALL_BYTES);
        }
    }

    pub(super) fn on_repl_ping(&mut self, now_us: u64, from: u8) {
        if from == self.master_of {
            self.master_contact_us = now_us;
        }
    }

    pub(super) fn on_repl(&mut self, now_us: u64, from: u8, seq: u32, write_id: u64, sync: bool) {
        if from != self.master_of {
            return;
        }
        self.master_contact_us = now_us;
        let target = match (&mut self.incoming, sync) {
            (Some(buf), _) => buf,
            (None, true) => return, // a sync this replica no longer waits for
            (None, false) => &mut self.data,
        };
        let i = seq as usize;
        if i >= DATA_MAX {
            return;
        }
        if target.len() <= i {
            target.resize(i + 1, 0);
        }
        target[i] = write_id;
    }

    /// A full synchronisation is complete: the master's data set replaces
    /// this node's; writes only this node had are gone (`Discarded`).
    pub(super) fn on_sync_end(&mut self, cx: &mut Cx, from: u8, len: u32) {
        if from != self.master_of {
            return;
        }
        let Some(mut new) = self.incoming.take() else { return };
        self.master_contact_us = cx.now_us;
        new.resize((len as usize).max(new.len()), 0);
        let kept = crate::order::sorted_set(new.iter().copied().filter(|&w| w != 0).collect());
        for &w in self.data.iter().filter(|&&w| w != 0 && kept.binary_search(&w).is_err()) {
            cx.emit(Effect::Discarded { write_id: w });
        }
        self.data = new;
        self.needs_full_sync = false;
    }
}

#[cfg(test)]
mod tests {
    use super::{slot_of, SLOTS};

    #[test]
    fn keys_spread_over_the_slots() {
        let mut thirds = [0u32; 3];
        for id in 1..=3_000u64 {
            thirds[(slot_of((9u64 << 40) | id) * 3 / SLOTS) as usize] += 1;
        }
        assert!(thirds.iter().all(|&c| (850..1150).contains(&c)), "{thirds:?}");
    }
}
