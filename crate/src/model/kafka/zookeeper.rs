//! The ZooKeeper ensemble, modelled as one linearizable server (its own
//! replication is not the subject here): broker sessions with a timeout,
//! ephemeral `/brokers/ids/N` and `/controller` nodes, the `/controller_epoch`
//! znode with its version, the partition's state znode, and watches.
//!
//! A session that is not pinged within the session timeout expires: its
//! ephemeral nodes go, the brokers are told `/controller` is gone if it was the
//! controller's, and the controller is told the broker set changed. A claim of
//! a free `/controller` raises the controller epoch and its version in the same
//! step. A write conditional on a version of `/controller_epoch` that is no
//! longer current fails (KAFKA-6082's fix). Writes are judged by their
//! condition only: a broker's client re-opens an expired session on its own, so
//! a deposed controller's writes reach ZooKeeper on a fresh session — the gap
//! the conditional write closes.

use super::msg::{KafkaMsg, KafkaTimer, PartitionState, Watch, ZkOp, ZkView, NONE};
use crate::model::effect::Cx;
use crate::ids::{NodeId, PlaneId};

const SMALL_BYTES: u32 = 128;

#[derive(Clone, Debug)]
pub struct ZkConfig {
    pub plane: PlaneId,
    /// The brokers, by index.
    pub brokers: Vec<NodeId>,
    pub session_timeout_us: u64,
    /// State when the replay starts (the cluster has been running).
    pub initial: ZkView,
}

#[derive(Clone, Copy, Debug, Default)]
struct Session {
    id: u32,
    /// Local time it expires unless pinged; `None` once expired.
    deadline_us: Option<u64>,
}

#[derive(Clone, Debug)]
pub struct ZooKeeper {
    pub(super) cfg: ZkConfig,
    pub(super) view: ZkView,
    sessions: Vec<Session>,
}

impl ZooKeeper {
    pub fn new(cfg: ZkConfig) -> ZooKeeper {
        let n = cfg.brokers.len();
        ZooKeeper { view: cfg.initial, sessions: vec![Session::default(); n], cfg }
    }

    /// The running cluster's sessions (id 1 per live broker), due a timeout from now.
    pub fn start(&mut self, cx: &mut Cx) {
        let deadline = cx.now_us + self.cfg.session_timeout_us;
        for (i, s) in self.sessions.iter_mut().enumerate() {
            if self.view.alive & (1 << i) != 0 {
                *s = Session { id: 1, deadline_us: Some(deadline) };
            }
        }
        self.arm(cx);
    }

    /// A restarted server keeps its data; sessions survive and start their timeout over (as on a leader change).
    pub fn restart(&mut self, cx: &mut Cx) {
        let deadline = cx.now_us + self.cfg.session_timeout_us;
        for s in self.sessions.iter_mut().filter(|s| s.deadline_us.is_some()) {
            s.deadline_us = Some(deadline);
        }
        self.arm(cx);
    }

    fn arm(&self, cx: &mut Cx) {
        if let Some(next) = self.sessions.iter().filter_map(|s| s.deadline_us).min() {
            cx.set_timer(KafkaTimer::Session, next.saturating_sub(cx.now_us));
        }
    }

    fn send(&self, cx: &mut Cx, broker: usize, msg: KafkaMsg) {
        cx.send(self.cfg.brokers[broker], self.cfg.plane, msg, SMALL_BYTES);
    }

    /// Sessions past their deadline expire, earliest first.
    pub fn on_timer(&mut self, cx: &mut Cx) {
        loop {
            let due = (0..self.sessions.len())
                .filter_map(|i| self.sessions[i].deadline_us.filter(|&d| d <= cx.now_us).map(|d| (d, i)))
                .min();
            let Some((_, i)) = due else { break };
            self.expire(cx, i);
        }
        self.arm(cx);
    }

    fn expire(&mut self, cx: &mut Cx, i: usize) {
        self.sessions[i].deadline_us = None;
        self.view.alive &= !(1 << i);
        if self.view.controller == i as u8 {
            self.drop_controller(cx);
        } else {
            self.notify_controller(cx);
        }
    }

    /// `/controller` is deleted: every live broker's watch fires.
    fn drop_controller(&mut self, cx: &mut Cx) {
        self.view.controller = NONE;
        for b in self.live() {
            self.send(cx, b, KafkaMsg::ZkWatch { watch: Watch::ControllerGone, view: self.view });
        }
    }

    fn live(&self) -> Vec<usize> {
        (0..self.sessions.len()).filter(|&b| self.sessions[b].deadline_us.is_some()).collect()
    }

    fn notify_controller(&self, cx: &mut Cx) {
        let c = self.view.controller;
        if c != NONE {
            self.send(cx, c as usize, KafkaMsg::ZkWatch { watch: Watch::BrokersChanged, view: self.view });
        }
    }

    pub fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: KafkaMsg) {
        let Some(b) = self.cfg.brokers.iter().position(|&n| n == from) else { return };
        match msg {
            KafkaMsg::Ping { session, claim } => self.on_ping(cx, b, session, claim),
            KafkaMsg::Write { epoch_version, state } => self.on_write(cx, b, epoch_version, state),
            _ => {}
        }
    }

    fn on_ping(&mut self, cx: &mut Cx, b: usize, session: u32, claim: bool) {
        let s = self.sessions[b];
        let deadline = Some(cx.now_us + self.cfg.session_timeout_us);
        let alive = if session == s.id && s.deadline_us.is_some() {
            self.sessions[b].deadline_us = deadline;
            true
        } else if session > s.id {
            // A new session replaces the broker's old one (its ephemeral node is re-created).
            self.sessions[b] = Session { id: session, deadline_us: deadline };
            self.view.alive |= 1 << b;
            if self.view.controller == b as u8 {
                self.drop_controller(cx);
            } else {
                self.notify_controller(cx);
            }
            true
        } else {
            false
        };
        self.arm(cx);
        let (op, ok) = if !alive {
            (ZkOp::Ping, false)
        } else if claim && self.view.controller == NONE {
            self.view.controller = b as u8;
            self.view.controller_epoch += 1;
            self.view.epoch_version += 1;
            (ZkOp::Claim, true)
        } else if claim {
            (ZkOp::Claim, false)
        } else {
            (ZkOp::Ping, true)
        };
        self.send(cx, b, KafkaMsg::ZkReply { op, ok, view: self.view });
    }

    fn on_write(&mut self, cx: &mut Cx, b: usize, epoch_version: u32, state: PartitionState) {
        let ok = epoch_version == 0 || epoch_version == self.view.epoch_version;
        if ok {
            self.view.partition = state;
        }
        self.send(cx, b, KafkaMsg::ZkReply { op: ZkOp::Write, ok, view: self.view });
    }
}
