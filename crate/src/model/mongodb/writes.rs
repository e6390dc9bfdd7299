//! Client writes and the write concern: `w: 1` is acknowledged once the
//! primary has the write, `w: "majority"` once the commit point (the longest
//! oplog prefix a majority holds, reaching this primary's term) passes it.

use super::{MongoMember, OplogEntry, State, WaitingWrite, OPLOG_ENTRIES_MAX, SMALL_BYTES, WAITING_WRITES_MAX};
use crate::ids::NodeId;
use crate::model::effect::Cx;
use crate::model::msg::{ReplyStatus, ServiceMsg};

impl MongoMember {
    /// The commit point: the longest oplog prefix a majority holds, once it
    /// reaches an entry of this primary's term.
    pub(super) fn advance_commit(&mut self, cx: &mut Cx) {
        // The majority-th longest match: the longest that a majority of members
        // hold at least. No sort and no allocation: a replica set has at most
        // 7 voting members (scenario/models/mongodb.rs), so this is ≤ 49 compares.
        let majority = self.majority();
        let held_by_majority = |len: u32| self.match_len.iter().filter(|&&m| m >= len).count() >= majority;
        let candidate = self.match_len.iter().copied().filter(|&l| held_by_majority(l)).max().unwrap_or(0);
        let in_my_term = candidate > 0 && self.oplog[candidate as usize - 1].term == self.term;
        if candidate > self.commit_len && in_my_term {
            self.commit_len = candidate;
        }
        while self.waiting.front().is_some_and(|w| w.through <= self.commit_len) {
            if let Some(w) = self.waiting.pop_front() {
                self.acknowledged.insert(self.oplog[w.through as usize - 1].write_id);
                cx.send(w.client, self.cfg.client_plane, ServiceMsg::Reply { req: w.req, status: ReplyStatus::Ok }, SMALL_BYTES);
            }
        }
    }

    pub(super) fn on_request(&mut self, cx: &mut Cx, client: NodeId, req: u32, write_id: u64) {
        let plane = self.cfg.client_plane;
        let reply = |cx: &mut Cx, status| cx.send(client, plane, ServiceMsg::Reply { req, status }, SMALL_BYTES);
        if self.state != State::Primary {
            return reply(cx, ReplyStatus::NotActive);
        }
        if write_id == 0 {
            return reply(cx, ReplyStatus::Ok);
        }
        if self.oplog.len() >= OPLOG_ENTRIES_MAX || self.waiting.len() >= WAITING_WRITES_MAX {
            return reply(cx, ReplyStatus::Unavailable);
        }
        self.append(OplogEntry { term: self.term, write_id });
        for j in self.others() {
            if self.parked[j] {
                self.parked[j] = false;
                self.send_entry(cx, j, self.oplog.len() - 1);
            }
        }
        if self.cfg.write_majority {
            self.waiting.push_back(WaitingWrite { client, req, through: self.oplog.len() as u32 });
            self.advance_commit(cx);
        } else {
            self.acknowledged.insert(write_id);
            reply(cx, ReplyStatus::Ok);
        }
    }
}
