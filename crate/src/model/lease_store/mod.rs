//! A lease store: the distributed configuration store (DCS) an HA manager keeps
//! its leader key in, like etcd, Consul or ZooKeeper as Patroni uses them. Keys
//! with TTL leases, writes and deletes conditional on a revision
//! (compare-and-set), reads, and watches. A write that changes only the lease
//! (same owner, same value) is a keepalive: the key keeps its revision, so a
//! holder renews with the revision it read and watchers are not woken. Any model can be its client: it sends
//! `LeaseMsg` requests and matches the `Reply` by its request number.
//!
//! The store is one state machine, so every answer is linearizable: the
//! replicated log underneath (etcd's Raft) is not the subject of the models that
//! use it, and a scenario that wants a store that can fail puts a fault on this
//! node or its links.
//!
//! **Time.** A lease runs on the store's own clock, the way etcd's lessor
//! measures TTLs on its leader's monotonic clock: the store counts its own
//! expiry ticks, so the host clock's rate (`clock_skew`) stretches or shrinks
//! a lease, while a step of the wall clock (`clock_step`) moves at most one
//! tick. Keys expire at a tick (etcd checks every 500 ms), so a lease lasts its
//! TTL plus up to one tick; until then a read still sees the key.

pub mod msg;

use msg::{Expect, Key, LeaseMsg, LeaseTimer, KEYS_MAX, NO_OWNER};

use super::effect::{Cx, Effect};
use super::msg::Command;
use super::Model;
use crate::ids::{NodeId, PlaneId};

const REPLY_BYTES: u32 = 128;
/// Watches kept at once; a client's new watch on a key replaces its old one.
const WATCHES_MAX: usize = 64;

#[derive(Clone, Debug)]
pub struct LeaseStoreConfig {
    pub plane: PlaneId,
    /// Between expiry checks, on the store's clock.
    pub tick_us: u64,
    /// Draw the time left on this key's lease (ms; 0 when it is absent).
    pub remaining_gauge: Option<(Key, u16)>,
    /// Draw who holds this key (the owner's node index; -1 when it is absent).
    pub owner_gauge: Option<(Key, u16)>,
}

/// One key as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    owner: u16,
    value: u64,
    /// The store revision of the write that made it (etcd's `mod_revision`).
    revision: u32,
    /// Monotonic time it expires at; `None` without a lease.
    expires_mono_us: Option<u64>,
}

#[derive(Clone, Copy, Debug)]
struct WatchReq {
    client: NodeId,
    req: u32,
    key: Key,
}

#[derive(Debug)]
pub struct LeaseStore {
    cfg: LeaseStoreConfig,
    keys: [Option<Entry>; KEYS_MAX],
    /// The store revision: raised by every change (write, delete, expiry).
    revision: u32,
    /// Monotonic time: ticks counted times the tick length.
    mono_us: u64,
    /// Local clock reading at the last tick, to place a request between ticks.
    tick_local_us: u64,
    watches: Vec<WatchReq>,
}

impl LeaseStore {
    pub fn new(cfg: LeaseStoreConfig) -> LeaseStore {
        LeaseStore { cfg, keys: [None; KEYS_MAX], revision: 0, mono_us: 0, tick_local_us: 0, watches: vec![] }
    }

    /// Monotonic now: the last tick plus the local time since, never more than
    /// a tick (so a forward step of the wall clock counts for at most one).
    fn mono_now(&self, cx: &Cx) -> u64 {
        self.mono_us + cx.now_us.saturating_sub(self.tick_local_us).min(self.cfg.tick_us)
    }

    fn remaining_ms(&self, cx: &Cx, e: &Entry) -> u32 {
        e.expires_mono_us.map_or(0, |t| (t.saturating_sub(self.mono_now(cx)) / 1_000).min(u64::from(u32::MAX)) as u32)
    }

    fn holds(&self, key: Key, expect: Expect) -> bool {
        let entry = self.keys[usize::from(key)];
        match expect {
            Expect::Any => true,
            Expect::Absent => entry.is_none(),
            Expect::Revision(r) => entry.is_some_and(|e| e.revision == r),
        }
    }

    fn reply(&self, cx: &mut Cx, to: NodeId, req: u32, key: Key, ok: bool) {
        let entry = self.keys[usize::from(key)];
        let msg = match entry {
            Some(e) => LeaseMsg::Reply {
                req,
                key,
                ok,
                present: true,
                owner: e.owner,
                revision: e.revision,
                remaining_ms: self.remaining_ms(cx, &e),
                value: e.value,
            },
            None => LeaseMsg::Reply { req, key, ok, present: false, owner: NO_OWNER, revision: 0, remaining_ms: 0, value: 0 },
        };
        cx.send(to, self.cfg.plane, msg, REPLY_BYTES);
    }

    /// `key` changed: raise the revision, answer its watches, redraw it.
    fn changed(&mut self, cx: &mut Cx, key: Key) {
        let mut i = 0;
        while i < self.watches.len() {
            if self.watches[i].key == key {
                let w = self.watches.swap_remove(i);
                self.reply(cx, w.client, w.req, key, true);
            } else {
                i += 1;
            }
        }
        self.draw(cx);
    }

    fn draw(&self, cx: &mut Cx) {
        if let Some((key, gauge)) = self.cfg.remaining_gauge {
            let value = self.keys[usize::from(key)].map_or(0, |e| i64::from(self.remaining_ms(cx, &e)));
            cx.emit(Effect::Gauge { gauge, value });
        }
        if let Some((key, gauge)) = self.cfg.owner_gauge {
            let value = self.keys[usize::from(key)].map_or(-1, |e| if e.owner == NO_OWNER { -1 } else { i64::from(e.owner) });
            cx.emit(Effect::Gauge { gauge, value });
        }
    }

    fn put(&mut self, cx: &mut Cx, from: NodeId, req: u32, key: Key, write: (u16, Expect, u32, u64)) {
        let (owner, expect, ttl_ms, value) = write;
        if !self.holds(key, expect) {
            self.reply(cx, from, req, key, false);
            return;
        }
        let expires_mono_us = (ttl_ms > 0).then(|| self.mono_now(cx) + u64::from(ttl_ms) * 1_000);
        let slot = &mut self.keys[usize::from(key)];
        if let Some(e) = slot.as_mut().filter(|e| e.owner == owner && e.value == value) {
            // Nothing but the lease changes: a keepalive (etcd's LeaseKeepAlive).
            // The key keeps its revision and its watchers sleep on.
            e.expires_mono_us = expires_mono_us;
            self.reply(cx, from, req, key, true);
            self.draw(cx);
            return;
        }
        self.revision += 1;
        *slot = Some(Entry { owner, value, revision: self.revision, expires_mono_us });
        self.reply(cx, from, req, key, true);
        self.changed(cx, key);
    }

    fn delete(&mut self, cx: &mut Cx, from: NodeId, req: u32, key: Key, expect: Expect) {
        let ok = self.keys[usize::from(key)].is_some() && self.holds(key, expect);
        if ok {
            self.revision += 1;
            self.keys[usize::from(key)] = None;
        }
        self.reply(cx, from, req, key, ok);
        if ok {
            self.changed(cx, key);
        }
    }

    fn watch(&mut self, cx: &mut Cx, client: NodeId, req: u32, key: Key, revision: u32) {
        let now = self.keys[usize::from(key)].map_or(0, |e| e.revision);
        if now != revision {
            self.reply(cx, client, req, key, true);
            return;
        }
        self.watches.retain(|w| !(w.client == client && w.key == key));
        if self.watches.len() < WATCHES_MAX {
            self.watches.push(WatchReq { client, req, key });
        }
    }

    fn tick(&mut self, cx: &mut Cx) {
        self.mono_us += self.cfg.tick_us;
        self.tick_local_us = cx.now_us;
        for key in 0..KEYS_MAX {
            let expired = self.keys[key].is_some_and(|e| e.expires_mono_us.is_some_and(|t| t <= self.mono_us));
            if expired {
                self.revision += 1;
                self.keys[key] = None;
                self.changed(cx, key as Key);
            }
        }
        self.draw(cx);
        cx.set_timer(LeaseTimer::Tick, self.cfg.tick_us);
    }
}

impl Model for LeaseStore {
    type Msg = LeaseMsg;
    type Timer = LeaseTimer;
    type Command = Command;

    fn start(&mut self, cx: &mut Cx) {
        self.tick_local_us = cx.now_us;
        self.draw(cx);
        cx.set_timer(LeaseTimer::Tick, self.cfg.tick_us);
    }

    /// The store's data is durable (etcd's WAL), its watches are not; a lease
    /// keeps its remaining time over the outage, as etcd renews leases to
    /// their full TTL when a new leader takes over (so nobody loses a lease
    /// because the store was away).
    fn restart(&mut self, cx: &mut Cx) {
        self.watches.clear();
        let now = self.mono_us;
        for e in self.keys.iter_mut().flatten() {
            if let Some(t) = e.expires_mono_us.as_mut() {
                *t = (*t).max(now);
            }
        }
        self.start(cx);
    }

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: LeaseMsg) {
        match msg {
            LeaseMsg::Put { req, key, owner, expect, ttl_ms, value } if usize::from(key) < KEYS_MAX => {
                self.put(cx, from, req, key, (owner, expect, ttl_ms, value))
            }
            LeaseMsg::Delete { req, key, expect } if usize::from(key) < KEYS_MAX => self.delete(cx, from, req, key, expect),
            LeaseMsg::Get { req, key } if usize::from(key) < KEYS_MAX => self.reply(cx, from, req, key, true),
            LeaseMsg::Watch { req, key, revision } if usize::from(key) < KEYS_MAX => self.watch(cx, from, req, key, revision),
            // A key outside the store, or a reply (the store asks nobody): ignored.
            LeaseMsg::Put { .. } | LeaseMsg::Delete { .. } | LeaseMsg::Get { .. } | LeaseMsg::Watch { .. } => {}
            LeaseMsg::Reply { .. } => {}
        }
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: LeaseTimer) {
        match timer {
            LeaseTimer::Tick => self.tick(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Rng;
    use crate::model::msg::Msg;

    const CLIENT: NodeId = NodeId(1);
    const OTHER: NodeId = NodeId(2);

    struct Harness {
        store: LeaseStore,
        rng: Rng,
        out: Vec<Effect>,
        now_us: u64,
        next_tick_us: u64,
    }

    impl Harness {
        fn new() -> Harness {
            let cfg = LeaseStoreConfig { plane: PlaneId(0), tick_us: 500_000, remaining_gauge: Some((0, 0)), owner_gauge: None };
            let mut h = Harness { store: LeaseStore::new(cfg), rng: Rng::for_component(1, 0), out: vec![], now_us: 0, next_tick_us: 500_000 };
            h.with_cx(|s, cx| s.start(cx));
            h
        }

        fn with_cx(&mut self, f: impl FnOnce(&mut LeaseStore, &mut Cx)) {
            let mut cx = Cx { now_us: self.now_us, mono_us: self.now_us, me: NodeId(0), rng: &mut self.rng, out: &mut self.out };
            f(&mut self.store, &mut cx);
        }

        /// Send one request and return the replies it caused, to whom.
        fn ask(&mut self, from: NodeId, msg: LeaseMsg) -> Vec<(NodeId, LeaseMsg)> {
            self.out.clear();
            self.with_cx(|s, cx| s.on_message(cx, from, msg));
            self.replies()
        }

        fn replies(&mut self) -> Vec<(NodeId, LeaseMsg)> {
            let replies = self.out.iter().filter_map(|e| match *e {
                Effect::Send { to, msg: Msg::Lease(m), .. } => Some((to, m)),
                _ => None,
            });
            replies.collect()
        }

        /// Let true time pass, firing the store's ticks on the way.
        fn advance_to(&mut self, until_us: u64) -> Vec<(NodeId, LeaseMsg)> {
            let mut all = vec![];
            while self.next_tick_us <= until_us {
                self.now_us = self.next_tick_us;
                self.next_tick_us += self.store.cfg.tick_us;
                self.out.clear();
                self.with_cx(|s, cx| s.on_timer(cx, LeaseTimer::Tick));
                all.extend(self.replies());
            }
            self.now_us = until_us;
            all
        }
    }

    fn put(req: u32, owner: u16, expect: Expect) -> LeaseMsg {
        LeaseMsg::Put { req, key: 0, owner, expect, ttl_ms: 30_000, value: 7 }
    }

    fn ok_and_revision(r: &[(NodeId, LeaseMsg)]) -> (bool, u32) {
        match r {
            [(_, LeaseMsg::Reply { ok, revision, .. })] => (*ok, *revision),
            other => panic!("expected one reply, got {other:?}"),
        }
    }

    #[test]
    fn only_one_of_two_creates_wins_and_renewal_needs_the_revision() {
        let mut h = Harness::new();
        let (ok, rev) = ok_and_revision(&h.ask(CLIENT, put(1, 1, Expect::Absent)));
        assert!(ok);
        assert!(!ok_and_revision(&h.ask(OTHER, put(1, 2, Expect::Absent))).0, "the key exists");
        assert!(!ok_and_revision(&h.ask(OTHER, put(2, 2, Expect::Revision(rev + 5)))).0, "stale revision");
        let (ok, rev2) = ok_and_revision(&h.ask(CLIENT, put(2, 1, Expect::Revision(rev))));
        assert!(ok && rev2 == rev, "a keepalive keeps the revision");
        let new_value = LeaseMsg::Put { req: 3, key: 0, owner: 1, expect: Expect::Revision(rev), ttl_ms: 30_000, value: 8 };
        let (ok, rev3) = ok_and_revision(&h.ask(CLIENT, new_value));
        assert!(ok && rev3 > rev, "a new value is a new revision");
        assert!(!ok_and_revision(&h.ask(CLIENT, put(4, 1, Expect::Revision(rev)))).0, "the old revision is spent");
    }

    #[test]
    fn a_lease_expires_after_its_ttl_at_a_tick_and_a_renewal_extends_it() {
        let mut h = Harness::new();
        let (_, rev) = ok_and_revision(&h.ask(CLIENT, put(1, 1, Expect::Absent)));
        h.advance_to(20_000_000);
        let (ok, rev) = ok_and_revision(&h.ask(CLIENT, put(2, 1, Expect::Revision(rev))));
        assert!(ok);
        assert!(h.ask(OTHER, LeaseMsg::Watch { req: 8, key: 0, revision: rev }).is_empty());
        h.advance_to(49_900_000);
        match h.ask(OTHER, LeaseMsg::Get { req: 9, key: 0 })[..] {
            [(_, LeaseMsg::Reply { present: true, revision, remaining_ms, .. })] => {
                assert_eq!(revision, rev);
                assert_eq!(remaining_ms, 100, "30 s from the renewal at 20 s");
            }
            ref other => panic!("{other:?}"),
        }
        h.advance_to(50_000_000);
        match h.ask(OTHER, LeaseMsg::Get { req: 10, key: 0 })[..] {
            [(_, LeaseMsg::Reply { present, .. })] => assert!(!present, "expired 30 s after the renewal"),
            ref other => panic!("{other:?}"),
        }
        assert!(ok_and_revision(&h.ask(OTHER, put(11, 2, Expect::Absent))).0, "free for the next holder");
    }

    #[test]
    fn a_watch_is_answered_when_the_key_expires() {
        let mut h = Harness::new();
        let (_, rev) = ok_and_revision(&h.ask(CLIENT, put(1, 1, Expect::Absent)));
        assert!(h.ask(OTHER, LeaseMsg::Watch { req: 4, key: 0, revision: rev }).is_empty(), "nothing changed yet");
        let answered = h.advance_to(31_000_000);
        assert!(matches!(answered[..], [(OTHER, LeaseMsg::Reply { req: 4, present: false, .. })]), "{answered:?}");
        // A watch on a revision that is already gone is answered at once.
        assert_eq!(h.ask(OTHER, LeaseMsg::Watch { req: 5, key: 0, revision: rev }).len(), 1);
    }

    #[test]
    fn a_forward_step_of_the_store_clock_does_not_cut_a_lease_short() {
        let mut h = Harness::new();
        ok_and_revision(&h.ask(CLIENT, put(1, 1, Expect::Absent)));
        h.advance_to(10_000_000);
        // The wall clock jumps 25 s: only the next tick comes at once.
        h.now_us += 25_000_000;
        h.out.clear();
        h.with_cx(|s, cx| s.on_timer(cx, LeaseTimer::Tick));
        h.now_us -= 25_000_000;
        let after = h.ask(OTHER, LeaseMsg::Get { req: 2, key: 0 });
        assert!(matches!(after[..], [(_, LeaseMsg::Reply { present: true, .. })]), "{after:?}");
    }

    #[test]
    fn a_conditional_delete_releases_only_the_holders_key() {
        let mut h = Harness::new();
        let (_, rev) = ok_and_revision(&h.ask(CLIENT, put(1, 1, Expect::Absent)));
        assert!(!ok_and_revision(&h.ask(OTHER, LeaseMsg::Delete { req: 2, key: 0, expect: Expect::Revision(rev + 1) })).0);
        assert!(ok_and_revision(&h.ask(CLIENT, LeaseMsg::Delete { req: 3, key: 0, expect: Expect::Revision(rev) })).0);
        assert!(!ok_and_revision(&h.ask(CLIENT, LeaseMsg::Delete { req: 4, key: 0, expect: Expect::Any })).0, "already gone");
    }
}
