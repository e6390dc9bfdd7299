//! Objects: a proxy sends each request to the target that owns the object by
//! HRW over the map the proxy holds; targets keep what they store on disk.
//! After a forced merge, a target counts what it holds from the split and
//! what the new map places elsewhere, and (with rebalance) moves it there.

use super::msg::{AisMsg, Op};
use super::smap::{hrw, Smap, NONE};
use super::{AisNode, Phase};
use crate::ids::NodeId;
use crate::model::effect::Cx;
use crate::model::msg::{ReplyStatus, ServiceMsg};

/// One stored object: its name, when it was written (whole seconds, local
/// clock) and the primary of the map it was written under.
#[derive(Clone, Copy, Debug)]
pub struct Stored {
    pub id: u64,
    pub at_s: u32,
    pub primary: u8,
}

#[derive(Clone, Debug, Default)]
pub struct Store {
    pub objects: Vec<Stored>,
    rehomed: i64,
}

/// The client id a rebalance transfer carries (no client waits for it).
const REBALANCE: u32 = u32::MAX;

fn read_key(client: NodeId, req: u32) -> u64 {
    (u64::from(client.0) << 32) | u64::from(req)
}

impl AisNode {
    pub(super) fn on_client_request(&mut self, cx: &mut Cx, client: NodeId, req: u32, write_id: u64) {
        let write = write_id != 0;
        let all_proxies = self.cfg.proxies.count_ones();
        let no_quorum = self.cfg.quorum_required_to_serve && self.smap.count_in(self.cfg.proxies) * 2 <= all_proxies;
        let serving = self.is_proxy() && self.smap.primary != NONE && self.phase != Phase::Discovering;
        let key = if write { write_id } else { read_key(client, req) };
        let owner = hrw(&self.smap, self.cfg.targets, key, NONE);
        match owner {
            Some(t) if serving && !(write && no_quorum) => {
                let op = if write { Op::Put } else { Op::Get };
                // Simplification: the body (PUT's or GET's) passes through the
                // proxy's host (AIStore redirects it), so the proxy's host
                // carries its clients' load.
                self.tcp.charge(cx.now_us, self.cfg.object_bytes);
                let to = self.cfg.cluster[usize::from(t)];
                let bytes = if write { self.cfg.object_bytes } else { super::CONTROL_BYTES };
                cx.send(to, self.cfg.plane, AisMsg::Object { client: client.0, req, object: key, op }, bytes);
            }
            _ => {
                let status = if self.is_proxy() { ReplyStatus::Unavailable } else { ReplyStatus::NotActive };
                self.send_data(cx, client, ServiceMsg::Reply { req, status }, super::CONTROL_BYTES);
            }
        }
    }

    pub(super) fn on_object(&mut self, cx: &mut Cx, _from: u8, client: u32, req: u32, object: u64, op: Op) {
        if self.cfg.targets & super::smap::bit(self.me) == 0 {
            return;
        }
        let at_s = (cx.now_us / 1_000_000).min(u64::from(u32::MAX)) as u32;
        match op {
            Op::Put | Op::Migrate => {
                if !self.objects.objects.iter().any(|o| o.id == object) {
                    let primary = if op == Op::Put { self.smap.primary } else { NONE };
                    self.objects.objects.push(Stored { id: object, at_s, primary });
                }
            }
            Op::Get => {}
        }
        if client != REBALANCE {
            let bytes = if op == Op::Get { self.cfg.object_bytes } else { super::CONTROL_BYTES };
            self.send_data(cx, NodeId(client), ServiceMsg::Reply { req, status: ReplyStatus::Ok }, bytes);
        }
    }

    /// After accepting a forced map: this island's writes since the split
    /// began, and the objects the new map places on another target.
    pub(super) fn on_merge(&mut self, cx: &mut Cx, prev: Smap, new: Smap, kept: u8, split_since_s: u32) {
        if self.cfg.targets & super::smap::bit(self.me) == 0 {
            return;
        }
        let split_writes =
            self.objects.objects.iter().filter(|o| o.at_s >= split_since_s && o.primary == prev.primary && o.primary != NONE).count() as i64;
        let side_gauge = if prev.primary == kept { self.cfg.gauges.split_writes_kept } else { self.cfg.gauges.split_writes_discarded };
        self.gauge(cx, side_gauge, split_writes);
        let me = self.me;
        let targets = self.cfg.targets;
        let (stay, moved): (Vec<Stored>, Vec<Stored>) =
            self.objects.objects.iter().partition(|o| hrw(&new, targets, o.id, NONE).is_none_or(|t| t == me));
        if self.cfg.rebalance_after_merge {
            for o in &moved {
                if let Some(t) = hrw(&new, targets, o.id, NONE) {
                    let to = self.cfg.cluster[usize::from(t)];
                    let msg = AisMsg::Object { client: REBALANCE, req: 0, object: o.id, op: Op::Migrate };
                    self.send_data(cx, to, msg, self.cfg.object_bytes);
                }
            }
            self.objects.rehomed += moved.len() as i64;
            self.objects.objects = stay;
            self.gauge(cx, self.cfg.gauges.misplaced, 0);
            self.gauge(cx, self.cfg.gauges.rehomed, self.objects.rehomed);
        } else {
            self.gauge(cx, self.cfg.gauges.misplaced, moved.len() as i64);
        }
    }
}
