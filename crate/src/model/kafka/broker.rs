//! A Kafka broker: its ZooKeeper session, its replica of the partition
//! (leader or follower), and the producer requests it serves. The controller
//! part, which some broker plays, is in `controller.rs`.
//!
//! - **Session.** The broker pings ZooKeeper every third of the session
//!   timeout. Told its session expired, it opens a new one (and, if it thought
//!   it was the controller, resigns: that is how a deposed controller learns).
//! - **Accepting decisions.** A `LeaderAndIsr` names the partition's leader,
//!   leader epoch and ISR, decided in some controller epoch. With the epoch
//!   check, a broker refuses (`StaleEpoch`) a decision from an older
//!   controller epoch than it has seen, or one that does not move the leader
//!   epoch forward (Kafka ignores a request "not higher than the current
//!   leader epoch"). Without it, the last decision to arrive wins.
//! - **Replication.** Followers fetch from the leader they know, one record at
//!   a time, sending their log end and the epoch of their last record; the
//!   leader answers with the next record, or `Truncate` when that last record
//!   is not in its log (leader-epoch truncation), and the follower discards it.
//!   Truncating a record this broker acknowledged as leader is reported
//!   (`Discarded`): that acknowledged record is lost. (A producer's retry can
//!   put one record in two leaders' logs; dropping the copy nobody
//!   acknowledged loses nothing.)
//! - **acks.** With `acks=1` the leader answers once it has the record. With
//!   `acks=all` it refuses the write when the ISR is smaller than
//!   `min.insync.replicas` and answers once every ISR member has fetched past
//!   it. A caught-up follower joins the ISR through the controller
//!   (`AlterIsr`); the leader counts it for acks from the moment it asks, so an
//!   ISR change in flight never acknowledges too early.

use std::collections::{BTreeSet, VecDeque};

use super::controller::Controller;
use super::msg::{KafkaMsg, KafkaTimer, PartitionState, Watch, ZkOp, ZkView, NONE};
use crate::model::effect::{Cx, Effect, Epoch, Role};
use crate::model::msg::{ReplyStatus, ServiceMsg};
use crate::ids::{GroupId, NodeId, PlaneId};

const SMALL_BYTES: u32 = 128;
const RECORD_BYTES: u32 = 512;
/// Producer requests a leader keeps waiting for the ISR; more are refused.
const WAITING_MAX: usize = 100_000;
/// Records a broker keeps; a leader refuses writes beyond it.
pub const LOG_RECORDS_MAX: usize = 2_000_000;
/// Brokers a cluster may have (ISR and liveness are one bit per broker).
pub const BROKERS_MAX: usize = 8;

#[derive(Clone, Debug)]
pub struct BrokerConfig {
    /// This broker's index in `brokers`.
    pub me: u8,
    pub brokers: Vec<NodeId>,
    pub zookeeper: NodeId,
    pub plane: PlaneId,
    pub client_plane: PlaneId,
    /// The partition's group (two leaders at once = split brain in it).
    pub group: GroupId,
    /// The partition's replicas in preference order (indices).
    pub replicas: Vec<u8>,
    pub session_timeout_us: u64,
    /// When this broker first contacts ZooKeeper.
    pub start_after_us: u64,
    /// A fetch unanswered this long is sent again (`replica.fetch.wait.max.ms`).
    pub fetch_retry_us: u64,
    /// Brokers refuse decisions of an older controller epoch or leader epoch.
    pub epoch_check: bool,
    /// The controller's ZooKeeper writes are conditional on its epoch znode's version (KAFKA-6082).
    pub conditional_writes: bool,
    /// Producers use `acks=all` (else `acks=1`).
    pub acks_all: bool,
    pub min_insync_replicas: u32,
    /// `unclean.leader.election.enable`: with no ISR member alive, elect any live replica.
    pub unclean_leader_election: bool,
    /// Gauge: the controller epoch this broker believes it holds as controller (0: not controller).
    pub controller_gauge: Option<u16>,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Record {
    pub epoch: u32,
    pub write_id: u64,
}

#[derive(Clone, Copy, Debug)]
struct Waiting {
    client: NodeId,
    req: u32,
    /// Log length once the record is in.
    through: u32,
}

pub(super) fn bit(i: u8) -> u8 {
    if i == NONE { 0 } else { 1 << i }
}

#[derive(Clone, Debug)]
pub struct Broker {
    pub(super) cfg: BrokerConfig,
    // Durable: the log, and the session counter (a restart opens a new session).
    pub(super) log: Vec<Record>,
    session: u32,
    /// Records this broker acknowledged as leader.
    pub(super) acknowledged: BTreeSet<u64>,
    // Volatile.
    /// The last ZooKeeper view seen; `None` until the first reply after start.
    zk_seen: bool,
    pub(super) controller: Option<Controller>,
    /// The partition as this broker last accepted it.
    pub(super) state: PartitionState,
    pub(super) max_controller_epoch: u32,
    /// The controller epoch of the decision it last accepted: after the zombie
    /// wakes, b1 leads by epoch 10's decision and b2 by epoch 11's, with the
    /// same leader epoch, so this is what tells the two leaders apart.
    pub(super) decision_controller_epoch: u32,
    /// The controller that sent the last accepted decision (where `AlterIsr` goes).
    controller_node: u8,
    fetching: bool,
    /// Leader: each replica's log end as its fetches show; fetches waiting for a record.
    match_len: [u32; BROKERS_MAX],
    parked: u8,
    /// Leader: the ISR it counts for acks (the ISR plus a member it asked to add).
    maximal_isr: u8,
    isr_request: Option<u8>,
    waiting: VecDeque<Waiting>,
}

impl Broker {
    pub fn new(cfg: BrokerConfig) -> Broker {
        Broker {
            cfg,
            log: vec![],
            session: 1,
            acknowledged: BTreeSet::new(),
            zk_seen: false,
            controller: None,
            state: PartitionState { leader: NONE, leader_epoch: 0, isr: 0 },
            max_controller_epoch: 0,
            decision_controller_epoch: 0,
            controller_node: NONE,
            fetching: false,
            match_len: [0; BROKERS_MAX],
            parked: 0,
            maximal_isr: 0,
            isr_request: None,
            waiting: VecDeque::new(),
        }
    }

    pub(super) fn me(&self) -> u8 {
        self.cfg.me
    }

    pub(super) fn send_to(&self, cx: &mut Cx, broker: u8, msg: KafkaMsg) {
        if let Some(&n) = self.cfg.brokers.get(broker as usize) {
            let bytes = if matches!(msg, KafkaMsg::Records { .. }) { RECORD_BYTES } else { SMALL_BYTES };
            cx.send(n, self.cfg.plane, msg, bytes);
        }
    }

    pub(super) fn send_zk(&self, cx: &mut Cx, msg: KafkaMsg) {
        cx.send(self.cfg.zookeeper, self.cfg.plane, msg, SMALL_BYTES);
    }

    pub fn start(&mut self, cx: &mut Cx) {
        self.announce(cx);
        cx.set_timer(KafkaTimer::Start, self.cfg.start_after_us);
    }

    /// After a crash: the log and the session counter survive; a new session is opened.
    pub fn restart(&mut self, cx: &mut Cx) {
        let (log, session) = (std::mem::take(&mut self.log), self.session + 1);
        let acknowledged = std::mem::take(&mut self.acknowledged);
        *self = Broker::new(self.cfg.clone());
        self.log = log;
        self.session = session;
        self.acknowledged = acknowledged;
        // Not a cold start of the cluster: it learns the partition from the controller.
        self.zk_seen = true;
        self.gauge_controller(cx);
        self.announce(cx);
        self.ping(cx, false);
    }

    pub fn on_timer(&mut self, cx: &mut Cx, timer: KafkaTimer) {
        match timer {
            KafkaTimer::Start => self.ping(cx, false),
            KafkaTimer::Session => {
                self.ping(cx, false);
                // An ISR change the controller did not act on is asked for again.
                if let Some(isr) = self.isr_request {
                    let msg = KafkaMsg::AlterIsr { leader_epoch: self.state.leader_epoch, isr };
                    self.send_to(cx, self.controller_node, msg);
                }
            }
            KafkaTimer::Fetch => {
                self.fetching = false;
                self.fetch(cx);
            }
        }
    }

    fn ping(&mut self, cx: &mut Cx, claim: bool) {
        self.send_zk(cx, KafkaMsg::Ping { session: self.session, claim });
        cx.set_timer(KafkaTimer::Session, self.cfg.session_timeout_us / 3);
    }

    pub(super) fn gauge_controller(&self, cx: &mut Cx) {
        if let Some(g) = self.cfg.controller_gauge {
            let value = self.controller.as_ref().map_or(0, |c| c.epoch);
            cx.emit(Effect::Gauge { gauge: g, value: i64::from(value) });
        }
    }

    /// Stop acting as controller (after the decision in progress, if any).
    pub(super) fn resign(&mut self, cx: &mut Cx) {
        if let Some(c) = self.controller.as_mut() {
            if c.in_flight.is_some() {
                c.resign_after_write = true;
                return;
            }
        }
        if self.controller.take().is_some() {
            self.gauge_controller(cx);
        }
    }

    pub fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: KafkaMsg) {
        if from == self.cfg.zookeeper {
            return self.on_zookeeper(cx, msg);
        }
        let Some(b) = self.cfg.brokers.iter().position(|&n| n == from).map(|b| b as u8) else { return };
        match msg {
            KafkaMsg::LeaderAndIsr { controller_epoch, state } => self.on_leader_and_isr(cx, b, controller_epoch, state),
            KafkaMsg::Fetch { offset, last_epoch } => self.on_fetch(cx, b, offset, last_epoch),
            KafkaMsg::Records { offset, epoch, write_id } => self.on_records(cx, b, offset, epoch, write_id),
            KafkaMsg::Truncate { offset, .. } => self.on_truncate(cx, b, offset),
            KafkaMsg::AlterIsr { leader_epoch, isr } => self.controller_alter_isr(cx, b, leader_epoch, isr),
            // A refusal: the stage draws it; the deposed controller learns its fate from ZooKeeper.
            KafkaMsg::StaleEpoch { .. } => {}
            KafkaMsg::Ping { .. } | KafkaMsg::Write { .. } | KafkaMsg::ZkReply { .. } | KafkaMsg::ZkWatch { .. } => {}
        }
    }

    fn on_zookeeper(&mut self, cx: &mut Cx, msg: KafkaMsg) {
        match msg {
            KafkaMsg::ZkReply { op, ok, view } => {
                if !self.zk_seen {
                    self.bootstrap(cx, view);
                }
                match (op, ok) {
                    (ZkOp::Ping, false) => {
                        // Session expired: a controller that learns it resigns; the client opens a new session.
                        self.resign(cx);
                        self.session += 1;
                        self.ping(cx, view.controller == NONE);
                    }
                    (ZkOp::Ping, true) if view.controller == NONE => self.ping(cx, true),
                    (ZkOp::Claim, true) => self.become_controller(cx, view),
                    (ZkOp::Write, _) => self.controller_write_done(cx, ok),
                    _ => {}
                }
            }
            KafkaMsg::ZkWatch { watch: Watch::ControllerGone, .. } => {
                self.resign(cx);
                self.ping(cx, true);
            }
            KafkaMsg::ZkWatch { watch: Watch::BrokersChanged, view } => self.controller_brokers_changed(cx, view),
            _ => {}
        }
    }

    /// First contact after a cold start: the running cluster's state, as the
    /// last controller decision delivered before the replay began.
    fn bootstrap(&mut self, cx: &mut Cx, view: ZkView) {
        self.zk_seen = true;
        if view.controller == self.me() {
            self.controller = Some(Controller::new(view));
            self.gauge_controller(cx);
        }
        self.accept(cx, view.controller, view.controller_epoch, view.partition);
    }

    pub(super) fn on_leader_and_isr(&mut self, cx: &mut Cx, from: u8, controller_epoch: u32, st: PartitionState) {
        if self.cfg.epoch_check {
            let current = self.state;
            let stale = controller_epoch < self.max_controller_epoch
                || st.leader_epoch < current.leader_epoch
                || (st.leader_epoch == current.leader_epoch && st.leader != current.leader);
            if stale {
                if from != self.me() {
                    self.send_to(cx, from, KafkaMsg::StaleEpoch { controller_epoch: self.max_controller_epoch });
                }
                return;
            }
        }
        self.accept(cx, from, controller_epoch, st);
    }

    fn accept(&mut self, cx: &mut Cx, from: u8, controller_epoch: u32, st: PartitionState) {
        self.max_controller_epoch = self.max_controller_epoch.max(controller_epoch);
        self.decision_controller_epoch = controller_epoch;
        self.controller_node = from;
        let was = self.state;
        self.state = st;
        self.maximal_isr = st.isr;
        self.isr_request = None;
        let me = self.me();
        if st.leader == me {
            if was.leader != me || was.leader_epoch != st.leader_epoch {
                self.match_len = [0; BROKERS_MAX];
                self.match_len[me as usize] = self.log.len() as u32;
                self.parked = 0;
                self.fetching = false;
                cx.cancel_timer(KafkaTimer::Fetch);
            }
            self.advance_acks(cx);
        } else {
            if was.leader == me {
                self.fail_waiting(cx, ReplyStatus::NotActive);
            }
            self.fetching = false;
            self.fetch(cx);
        }
        if was.leader != st.leader || was.leader_epoch != st.leader_epoch {
            self.announce(cx);
        }
    }

    fn announce(&self, cx: &mut Cx) {
        let me = self.me();
        let role = if self.state.leader == me { Role::Active } else { Role::Passive };
        let leader = if self.state.leader == NONE { me } else { self.state.leader };
        let epoch = Epoch::new(self.state.leader_epoch, self.cfg.brokers[leader as usize]);
        cx.emit(Effect::Role { group: self.cfg.group, role, epoch });
    }

    fn fail_waiting(&mut self, cx: &mut Cx, status: ReplyStatus) {
        while let Some(w) = self.waiting.pop_front() {
            cx.send(w.client, self.cfg.client_plane, ServiceMsg::Reply { req: w.req, status }, SMALL_BYTES);
        }
    }

    fn last_epoch(&self) -> u32 {
        self.log.last().map_or(0, |r| r.epoch)
    }

    fn fetch(&mut self, cx: &mut Cx) {
        let leader = self.state.leader;
        if self.fetching || leader == NONE || leader == self.me() {
            return;
        }
        self.fetching = true;
        self.send_to(cx, leader, KafkaMsg::Fetch { offset: self.log.len() as u32, last_epoch: self.last_epoch() });
        cx.set_timer(KafkaTimer::Fetch, self.cfg.fetch_retry_us);
    }

    fn on_fetch(&mut self, cx: &mut Cx, from: u8, offset: u32, last_epoch: u32) {
        if self.state.leader != self.me() {
            return;
        }
        let n = offset as usize;
        let matches = n <= self.log.len() && (n == 0 || self.log[n - 1].epoch == last_epoch);
        if !matches {
            return self.send_to(cx, from, KafkaMsg::Truncate { leader_epoch: self.state.leader_epoch, offset });
        }
        self.match_len[from as usize] = offset;
        if n < self.log.len() {
            self.send_record(cx, from, n);
        } else {
            self.parked |= bit(from);
            self.maybe_expand_isr(cx, from);
        }
        self.advance_acks(cx);
    }

    fn send_record(&self, cx: &mut Cx, to: u8, index: usize) {
        let r = self.log[index];
        self.send_to(cx, to, KafkaMsg::Records { offset: index as u32, epoch: r.epoch, write_id: r.write_id });
    }

    /// A follower that caught up joins the ISR, through the controller.
    fn maybe_expand_isr(&mut self, cx: &mut Cx, follower: u8) {
        if self.maximal_isr & bit(follower) != 0 || !self.cfg.replicas.contains(&follower) {
            return;
        }
        self.maximal_isr |= bit(follower);
        self.isr_request = Some(self.maximal_isr);
        let msg = KafkaMsg::AlterIsr { leader_epoch: self.state.leader_epoch, isr: self.maximal_isr };
        if self.controller_node == self.me() {
            self.controller_alter_isr(cx, self.me(), self.state.leader_epoch, self.maximal_isr);
        } else {
            self.send_to(cx, self.controller_node, msg);
        }
    }

    fn on_records(&mut self, cx: &mut Cx, from: u8, offset: u32, epoch: u32, write_id: u64) {
        if from != self.state.leader {
            return;
        }
        if offset as usize == self.log.len() && self.log.len() < LOG_RECORDS_MAX {
            self.log.push(Record { epoch, write_id });
        }
        self.fetching = false;
        self.fetch(cx);
    }

    fn on_truncate(&mut self, cx: &mut Cx, from: u8, offset: u32) {
        // An answer to an older fetch (several can be in flight) says nothing about the log now.
        if from != self.state.leader || offset as usize != self.log.len() {
            return;
        }
        if let Some(r) = self.log.pop() {
            if self.acknowledged.contains(&r.write_id) {
                cx.emit(Effect::Discarded { write_id: r.write_id });
            }
        }
        self.fetching = false;
        self.fetch(cx);
    }

    fn isr_large_enough(&self) -> bool {
        self.state.isr.count_ones() >= self.cfg.min_insync_replicas
    }

    /// Answer the `acks=all` writes every counted ISR member has fetched past.
    fn advance_acks(&mut self, cx: &mut Cx) {
        let acked_len = (0..self.cfg.brokers.len() as u8)
            .filter(|&b| self.maximal_isr & bit(b) != 0)
            .map(|b| if b == self.me() { self.log.len() as u32 } else { self.match_len[b as usize] })
            .min()
            .unwrap_or(0);
        while self.waiting.front().is_some_and(|w| w.through <= acked_len) {
            let Some(w) = self.waiting.pop_front() else { break };
            // NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below the minimum meanwhile.
            let status = if self.isr_large_enough() { ReplyStatus::Ok } else { ReplyStatus::Unavailable };
            if status == ReplyStatus::Ok {
                self.acknowledged.insert(self.log[w.through as usize - 1].write_id);
            }
            cx.send(w.client, self.cfg.client_plane, ServiceMsg::Reply { req: w.req, status }, SMALL_BYTES);
        }
    }

    pub fn on_request(&mut self, cx: &mut Cx, client: NodeId, req: u32, write_id: u64) {
        let plane = self.cfg.client_plane;
        let reply = |cx: &mut Cx, status| cx.send(client, plane, ServiceMsg::Reply { req, status }, SMALL_BYTES);
        if self.state.leader != self.me() {
            return reply(cx, ReplyStatus::NotActive); // NOT_LEADER_FOR_PARTITION
        }
        if write_id == 0 {
            return reply(cx, ReplyStatus::Ok);
        }
        let refused = self.log.len() >= LOG_RECORDS_MAX || self.waiting.len() >= WAITING_MAX;
        if refused || (self.cfg.acks_all && !self.isr_large_enough()) {
            return reply(cx, ReplyStatus::Unavailable); // NOT_ENOUGH_REPLICAS
        }
        self.log.push(Record { epoch: self.state.leader_epoch, write_id });
        let index = self.log.len() - 1;
        self.match_len[self.me() as usize] = self.log.len() as u32;
        for b in 0..self.cfg.brokers.len() as u8 {
            if self.parked & bit(b) != 0 {
                self.parked &= !bit(b);
                self.send_record(cx, b, index);
            }
        }
        if self.cfg.acks_all {
            self.waiting.push_back(Waiting { client, req, through: self.log.len() as u32 });
            self.advance_acks(cx);
        } else {
            self.acknowledged.insert(write_id);
            reply(cx, ReplyStatus::Ok);
        }
    }
}
