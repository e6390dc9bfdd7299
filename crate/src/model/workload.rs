//! A client: issues reads and writes at a fixed rate to a service made of several
//! nodes, times out, and retries, either at once (a retry storm) or after an
//! exponential backoff with full jitter. Every acknowledged write is reported so
//! monitors can check it survived.

use std::collections::VecDeque;

use super::effect::{Cx, Effect};
use super::msg::{timer_enum, ReplyStatus, ServiceMsg};
use super::Model;
use crate::ids::{NodeId, PlaneId};

const REQUEST_BYTES: u32 = 512;

#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The nodes of the service, in the order the client tries them.
    pub targets: Vec<NodeId>,
    pub plane: PlaneId,
    /// Time between requests; 0 means the client sends nothing. (An interval
    /// rather than a rate, so fractional rates like 0.1/s work.)
    pub interval_us: u64,
    /// Share of requests that are writes, parts per million.
    pub write_ppm: u32,
    pub timeout_us: u64,
    /// Attempts after the first before the request counts as failed.
    pub retries_max: u32,
    /// `Some((base, cap))`: wait `uniform(0, min(cap, base * 2^attempt))` before a
    /// retry. `None`: retry at once.
    pub backoff_us: Option<(u64, u64)>,
    /// Requests allowed in flight; more are refused at the client (counted as failed).
    pub outstanding_max: u32,
}

timer_enum! {
    /// Timer slots of a client.
    pub enum ClientTimer {
        /// Issue the next request.
        Issue,
        /// Check outstanding requests for time-outs and due retries.
        Sweep,
    }
}

#[derive(Clone, Copy, Debug)]
struct Pending {
    req: u32,
    write_id: u64,
    first_sent_us: u64,
    deadline_us: u64,
    attempt: u32,
}

#[derive(Clone, Debug)]
pub struct Client {
    cfg: ClientConfig,
    me: NodeId,
    next_req: u32,
    next_write_seq: u64,
    /// Which target the client currently believes serves; moves on a refusal or time-out.
    target_index: usize,
    /// In flight, in deadline order (the time-out is the same for all).
    in_flight: VecDeque<Pending>,
    /// Waiting out a backoff: (due time, request), kept sorted by due time.
    retry_wait: VecDeque<(u64, Pending)>,
    /// Traffic stopped by a `Msg::Traffic { on: false }` (site in maintenance).
    stopped: bool,
}

impl Client {
    pub fn new(me: NodeId, cfg: ClientConfig) -> Client {
        Client {
            cfg,
            me,
            next_req: 1,
            next_write_seq: 1,
            target_index: 0,
            in_flight: VecDeque::new(),
            retry_wait: VecDeque::new(),
            stopped: false,
        }
    }

    fn interval_us(&self) -> u64 {
        self.cfg.interval_us.max(1)
    }

    fn begin(&mut self, cx: &mut Cx) {
        if self.cfg.interval_us == 0 || self.cfg.targets.is_empty() {
            return;
        }
        // Spread clients' phases so they do not all fire on the same microsecond.
        let phase = cx.rng.below(self.interval_us());
        cx.set_timer(ClientTimer::Issue, phase);
    }


    fn timer(&mut self, cx: &mut Cx, timer: ClientTimer) {
        match timer {
            ClientTimer::Issue => {
                if self.stopped {
                    return; // the timer is re-armed when traffic resumes
                }
                self.issue(cx);
                cx.set_timer(ClientTimer::Issue, self.interval_us());
            }
            ClientTimer::Sweep => self.sweep(cx),
        }
    }

    fn issue(&mut self, cx: &mut Cx) {
        let req = self.next_req;
        self.next_req = self.next_req.wrapping_add(1).max(1);
        let write_id = if cx.rng.chance_ppm(self.cfg.write_ppm) {
            let id = (u64::from(self.me.0) << 40) | self.next_write_seq;
            self.next_write_seq += 1;
            id
        } else {
            0
        };
        if self.in_flight.len() + self.retry_wait.len() >= self.cfg.outstanding_max as usize {
            cx.emit(Effect::RequestDone { ok: false, write: write_id != 0, latency_us: 0 });
            return;
        }
        let p = Pending { req, write_id, first_sent_us: cx.now_us, deadline_us: 0, attempt: 0 };
        self.send(cx, p);
    }

    fn send(&mut self, cx: &mut Cx, mut p: Pending) {
        let target = self.cfg.targets[self.target_index % self.cfg.targets.len()];
        p.deadline_us = cx.now_us.saturating_add(self.cfg.timeout_us);
        cx.send(target, self.cfg.plane, ServiceMsg::Request { req: p.req, write_id: p.write_id }, REQUEST_BYTES);
        let first = self.in_flight.is_empty();
        self.in_flight.push_back(p);
        if first {
            self.arm_sweep(cx);
        }
    }

    fn next_target(&mut self) {
        self.target_index = (self.target_index + 1) % self.cfg.targets.len();
    }

    fn message(&mut self, cx: &mut Cx, msg: ServiceMsg) {
        match msg {
            ServiceMsg::Traffic { on } => {
                let resume = on && self.stopped;
                self.stopped = !on;
                if resume {
                    self.begin(cx);
                }
            }
            ServiceMsg::Reply { req, status } => self.on_reply(cx, req, status),
            // A client serves nobody.
            ServiceMsg::Request { .. } => {}
        }
    }

    fn on_reply(&mut self, cx: &mut Cx, req: u32, status: ReplyStatus) {
        let Some(pos) = self.in_flight.iter().position(|p| p.req == req) else {
            return; // a late reply to a request that already timed out
        };
        let Some(p) = self.in_flight.remove(pos) else { return };
        match status {
            ReplyStatus::Ok => {
                if p.write_id != 0 {
                    cx.emit(Effect::Acked { write_id: p.write_id });
                }
                let latency_us = cx.now_us - p.first_sent_us;
                cx.emit(Effect::RequestDone { ok: true, write: p.write_id != 0, latency_us });
            }
            ReplyStatus::NotActive | ReplyStatus::Unavailable => {
                self.next_target();
                self.retry_or_fail(cx, p);
            }
        }
    }

    fn retry_or_fail(&mut self, cx: &mut Cx, mut p: Pending) {
        if p.attempt >= self.cfg.retries_max {
            let latency_us = cx.now_us - p.first_sent_us;
            cx.emit(Effect::RequestDone { ok: false, write: p.write_id != 0, latency_us });
            return;
        }
        p.attempt += 1;
        match self.cfg.backoff_us {
            None => self.send(cx, p),
            Some((base, cap)) => {
                let ceiling = cap.min(base.saturating_mul(1u64 << p.attempt.min(32)));
                let due = cx.now_us.saturating_add(cx.rng.below(ceiling.saturating_add(1)));
                let at = self.retry_wait.partition_point(|&(t, _)| t <= due);
                self.retry_wait.insert(at, (due, p));
                self.arm_sweep(cx);
            }
        }
    }

    fn arm_sweep(&self, cx: &mut Cx) {
        let next_deadline = self.in_flight.front().map(|p| p.deadline_us);
        let next_retry = self.retry_wait.front().map(|&(t, _)| t);
        let next = match (next_deadline, next_retry) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => return,
        };
        cx.set_timer(ClientTimer::Sweep, next.saturating_sub(cx.now_us));
    }

    fn sweep(&mut self, cx: &mut Cx) {
        let now = cx.now_us;
        while self.in_flight.front().is_some_and(|p| p.deadline_us <= now) {
            if let Some(p) = self.in_flight.pop_front() {
                self.next_target();
                self.retry_or_fail(cx, p);
            }
        }
        while self.retry_wait.front().is_some_and(|&(t, _)| t <= now) {
            if let Some((_, p)) = self.retry_wait.pop_front() {
                self.send(cx, p);
            }
        }
        self.arm_sweep(cx);
    }
}

impl Model for Client {
    type Msg = ServiceMsg;
    type Timer = ClientTimer;
    type Command = crate::model::command::NoCommand;

    fn start(&mut self, cx: &mut Cx) {
        self.begin(cx);
    }

    fn restart(&mut self, cx: &mut Cx) {
        self.in_flight.clear();
        self.retry_wait.clear();
        self.begin(cx);
    }

    fn on_message(&mut self, cx: &mut Cx, _from: NodeId, msg: ServiceMsg) {
        self.message(cx, msg);
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: ClientTimer) {
        self.timer(cx, timer);
    }
}
