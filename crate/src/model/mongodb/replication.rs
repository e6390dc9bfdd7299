//! Replication: secondaries pull the oplog from the primary they know, one
//! entry per request; a fetcher whose last entry is not in its source's oplog
//! rolls it back (and reports an acknowledged write it loses that way).

use super::{MongoMember, MongoMsg, MongoTimer, OplogEntry, State, ENTRY_BYTES, OPLOG_ENTRIES_MAX, SMALL_BYTES};
use crate::model::effect::{Cx, Effect};

impl MongoMember {
    pub(super) fn append(&mut self, entry: OplogEntry) {
        self.oplog.push(entry);
        self.match_len[self.me] = self.oplog.len() as u32;
    }

    pub(super) fn fetch(&mut self, cx: &mut Cx) {
        let Some(source) = self.sync_source else { return };
        let (next, prev_term) = self.last();
        self.fetching = true;
        self.send(cx, source, MongoMsg::Fetch { term: self.term, next, prev_term }, SMALL_BYTES);
        cx.set_timer(MongoTimer::Fetch, self.cfg.heartbeat_interval_us);
    }

    pub(super) fn on_fetch(&mut self, cx: &mut Cx, from: usize, term: u32, next: u32, prev_term: u32) {
        self.observe_term(cx, term);
        if self.state != State::Primary {
            return; // the fetcher asks again and learns the primary from heartbeats
        }
        let n = next as usize;
        let matches = n <= self.oplog.len() && (n == 0 || self.oplog[n - 1].term == prev_term);
        if !matches {
            self.send(cx, from, MongoMsg::RollBack { term: self.term, next }, SMALL_BYTES);
            return;
        }
        self.match_len[from] = next;
        self.advance_commit(cx);
        if n < self.oplog.len() {
            self.send_entry(cx, from, n);
        } else {
            self.parked[from] = true;
        }
    }

    pub(super) fn send_entry(&self, cx: &mut Cx, to: usize, index: usize) {
        let e = self.oplog[index];
        self.send(cx, to, MongoMsg::Entry { term: self.term, index: index as u32, entry_term: e.term, write_id: e.write_id }, ENTRY_BYTES);
    }

    pub(super) fn on_entry(&mut self, cx: &mut Cx, from: usize, term: u32, index: u32, entry_term: u32, write_id: u64) {
        self.observe_term(cx, term);
        if term != self.term || self.state != State::Secondary || self.sync_source != Some(from) {
            return;
        }
        if index as usize == self.oplog.len() && self.oplog.len() < OPLOG_ENTRIES_MAX {
            self.oplog.push(OplogEntry { term: entry_term, write_id });
        }
        self.fetch(cx);
    }

    pub(super) fn on_rollback(&mut self, cx: &mut Cx, from: usize, term: u32, next: u32) {
        self.observe_term(cx, term);
        // An answer to an older fetch (a retry can overtake it) says nothing about the oplog now.
        let current = next as usize == self.oplog.len();
        if !current || term != self.term || self.state != State::Secondary || self.sync_source != Some(from) {
            return;
        }
        if let Some(e) = self.oplog.pop() {
            if e.write_id != 0 {
                if self.acknowledged.contains(&e.write_id) {
                    cx.emit(Effect::Discarded { write_id: e.write_id });
                }
                self.rolled_back += 1;
                if let Some(g) = self.cfg.rollback_gauge {
                    cx.emit(Effect::Gauge { gauge: g, value: self.rolled_back });
                }
            }
        }
        self.fetch(cx);
    }
}
