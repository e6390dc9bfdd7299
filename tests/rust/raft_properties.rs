//! Raft safety over many random fault schedules. A tiny scheduler drives the
//! `RaftNode` state machines directly (no JSON, no engine): crashes and
//! restarts, pauses, one-way cuts, partial partitions, message loss and delay,
//! client writes to random servers, and every combination of PreVote and
//! CheckQuorum. After every event it checks the four safety properties of the
//! Raft paper (Figure 3): election safety, log matching, leader completeness,
//! state-machine safety; plus "no panic" and a per-schedule event budget.
//!
//! `RAFT_SCHEDULES=N` changes the count (default 100,000).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::time::Instant;

use incident_replay::engine::rng::Rng;
use incident_replay::ids::{GroupId, NodeId, PlaneId};
use incident_replay::model::effect::{Cx, Effect};
use incident_replay::model::msg::{Msg, ServiceMsg, Timer, TIMER_SLOTS};
use incident_replay::model::raft::{RaftConfig, RaftMsg, RaftNode, RaftRole};
use incident_replay::model::Protocol;

const EVENTS_MAX: u64 = 60_000;
const CLIENT: u32 = 99;

#[derive(Clone, Copy, Debug)]
enum Ev {
    Deliver { to: u32, from: u32, msg: Msg },
    Wake { node: u32, slot: usize },
    Fault,
    Write,
}

#[derive(Default)]
struct Stats {
    events: u64,
    leaders_elected: u64,
    commits: u64,
}

struct Sim {
    nodes: Vec<RaftNode>,
    rngs: Vec<Rng>,
    up: Vec<bool>,
    paused_until: Vec<u64>,
    /// Per directed pair: cut, loss in ppm.
    cut: Vec<Vec<bool>>,
    loss_ppm: Vec<Vec<u32>>,
    delay_max_us: u64,
    timers: Vec<[Option<(u64, Timer)>; TIMER_SLOTS]>,
    queue: BinaryHeap<Reverse<(u64, u64, usize)>>,
    evs: Vec<Ev>,
    seq: u64,
    now: u64,
    net: Rng,
    /// term -> leader (election safety)
    leader_of_term: BTreeMap<u32, u32>,
    /// index -> (term, term of the observer when first seen committed)
    committed: Vec<Option<(u32, u32)>>,
    out: Vec<Effect>,
    stats: Stats,
    desc: String,
    timeout_range: (u64, u64),
}

impl Sim {
    fn push(&mut self, at: u64, ev: Ev) {
        self.seq += 1;
        self.evs.push(ev);
        self.queue.push(Reverse((at, self.seq, self.evs.len() - 1)));
    }

    fn dispatch(&mut self, i: usize, f: impl FnOnce(&mut RaftNode, &mut Cx)) {
        let mut out = std::mem::take(&mut self.out);
        {
            let mut cx = Cx { now_us: self.now, mono_us: self.now, me: NodeId(i as u32), rng: &mut self.rngs[i], out: &mut out };
            f(&mut self.nodes[i], &mut cx);
        }
        for e in out.drain(..) {
            match e {
                Effect::Send { to, msg, .. } => {
                    if to.0 == CLIENT {
                        continue;
                    }
                    let (a, b) = (i, to.index());
                    if self.cut[a][b] || self.net.chance_ppm(self.loss_ppm[a][b]) {
                        continue;
                    }
                    let at = self.now + 100 + self.net.below(self.delay_max_us);
                    self.push(at, Ev::Deliver { to: to.0, from: i as u32, msg });
                }
                Effect::SetTimer { timer, after_us } => {
                    let slot = timer.slot();
                    let at = self.now + after_us;
                    self.timers[i][slot] = Some((at, timer));
                    self.push(at, Ev::Wake { node: i as u32, slot });
                }
                Effect::CancelTimer { timer } => self.timers[i][timer.slot()] = None,
                _ => {}
            }
        }
        self.out = out;
        self.check(i);
    }

    fn fail(&self, what: String) -> ! {
        panic!("{what} at t={}us in schedule {}", self.now, self.desc);
    }

    /// The four safety properties, checked for node `i` against everyone.
    fn check(&mut self, i: usize) {
        let n = &self.nodes[i];
        // Randomised election timeouts stay within the configured range.
        let t = n.last_timeout_us;
        if t != 0 && !(self.timeout_range.0..=self.timeout_range.1).contains(&t) {
            self.fail(format!("election timeout {t} outside {:?}", self.timeout_range));
        }
        // Election safety: at most one leader per term.
        if n.role() == RaftRole::Leader {
            match self.leader_of_term.get(&n.term()) {
                Some(&l) if l != i as u32 => self.fail(format!("two leaders in term {}: {l} and {i}", n.term())),
                Some(_) => {}
                None => {
                    self.leader_of_term.insert(n.term(), i as u32);
                    self.stats.leaders_elected += 1;
                }
            }
            // Leader completeness: every entry committed in an earlier term is in this leader's log.
            let log = n.log();
            for (idx, c) in self.committed.iter().enumerate() {
                if let Some((t, seen_in)) = *c {
                    if seen_in < n.term() && log.get(idx).copied() != Some(t) {
                        self.fail(format!("leader {i} of term {} lacks committed entry {} (term {t})", n.term(), idx + 1));
                    }
                }
            }
        }
        // State-machine safety: committed prefixes agree everywhere, forever.
        let commit = n.commit() as usize;
        if commit > n.log().len() {
            self.fail(format!("node {i} commit {commit} beyond its log"));
        }
        for idx in 0..commit {
            let t = n.log()[idx];
            if self.committed.len() <= idx {
                self.committed.resize(idx + 1, None);
            }
            match self.committed[idx] {
                None => {
                    self.committed[idx] = Some((t, n.term()));
                    self.stats.commits += 1;
                }
                Some((ct, _)) if ct != t => self.fail(format!("index {} committed as term {ct} and term {t}", idx + 1)),
                Some(_) => {}
            }
        }
        // Log matching: same term at the same index implies identical prefixes.
        let a = self.nodes[i].log();
        for (j, other) in self.nodes.iter().enumerate() {
            if j == i {
                continue;
            }
            let b = other.log();
            let len = a.len().min(b.len());
            let Some(k) = (0..len).rev().find(|&k| a[k] == b[k]) else { continue };
            if a[..k] != b[..k] {
                self.fail(format!("logs of {i} and {j} agree at index {} but differ before", k + 1));
            }
        }
    }

    fn fault(&mut self, rng: &mut Rng) {
        let n = self.nodes.len();
        let a = rng.below(n as u64) as usize;
        let b = (a + 1 + rng.below(n as u64 - 1) as usize) % n;
        match rng.below(9) {
            0 => {
                if self.up[a] {
                    self.up[a] = false;
                    self.timers[a] = [None; TIMER_SLOTS];
                }
            }
            1 => {
                if !self.up[a] {
                    self.up[a] = true;
                    self.dispatch(a, |m, cx| m.restart(cx));
                }
            }
            2 => self.paused_until[a] = self.now + rng.between(10_000, 400_000),
            3 => self.cut[a][b] = true,
            4 => {
                // Partial partition: a loses b both ways, everyone else stays connected.
                self.cut[a][b] = true;
                self.cut[b][a] = true;
            }
            5 => {
                // Split into two random sides.
                let side: Vec<bool> = (0..n).map(|_| rng.below(2) == 0).collect();
                for x in 0..n {
                    for y in 0..n {
                        self.cut[x][y] = side[x] != side[y];
                    }
                }
            }
            6 => self.loss_ppm[a][b] = rng.below(900_000) as u32,
            7 => self.delay_max_us = rng.between(500, 60_000),
            _ => {
                for row in self.cut.iter_mut() {
                    row.iter_mut().for_each(|c| *c = false);
                }
                for row in self.loss_ppm.iter_mut() {
                    row.iter_mut().for_each(|c| *c = 0);
                }
            }
        }
    }

    fn run(&mut self, rng: &mut Rng, end: u64) {
        self.start();
        self.run_until(rng, end);
    }

    fn start(&mut self) {
        for i in 0..self.nodes.len() {
            self.dispatch(i, |m, cx| m.start(cx));
        }
    }

    fn run_until(&mut self, rng: &mut Rng, end: u64) {
        while let Some(Reverse((at, seq, ix))) = self.queue.pop() {
            if at > end {
                self.queue.push(Reverse((at, seq, ix)));
                self.now = end;
                break;
            }
            self.now = at;
            self.stats.events += 1;
            if self.stats.events > EVENTS_MAX {
                self.fail(format!("more than {EVENTS_MAX} events"));
            }
            match self.evs[ix] {
                Ev::Deliver { to, from, msg } => {
                    let t = to as usize;
                    if !self.up[t] {
                        continue;
                    }
                    if self.paused_until[t] > at {
                        let until = self.paused_until[t];
                        self.push(until, Ev::Deliver { to, from, msg });
                        continue;
                    }
                    self.dispatch(t, |m, cx| m.on_message(cx, NodeId(from), msg));
                }
                Ev::Wake { node, slot } => {
                    let t = node as usize;
                    let Some((due, timer)) = self.timers[t][slot] else { continue };
                    if due != at || !self.up[t] {
                        continue;
                    }
                    if self.paused_until[t] > at {
                        let until = self.paused_until[t];
                        self.timers[t][slot] = Some((until, timer));
                        self.push(until, Ev::Wake { node, slot });
                        continue;
                    }
                    self.timers[t][slot] = None;
                    self.dispatch(t, |m, cx| m.on_timer(cx, timer));
                }
                Ev::Fault => {
                    self.fault(rng);
                    let next = self.now + rng.between(20_000, 300_000);
                    self.push(next, Ev::Fault);
                }
                Ev::Write => {
                    let t = rng.below(self.nodes.len() as u64) as usize;
                    if self.up[t] && self.paused_until[t] <= at {
                        let req = rng.below(1 << 30) as u32;
                        self.dispatch(t, |m, cx| m.on_message(cx, NodeId(CLIENT), Msg::Service(ServiceMsg::Request { req, write_id: 1 })));
                    }
                    let next = self.now + rng.between(5_000, 60_000);
                    self.push(next, Ev::Write);
                }
            }
        }
    }
}

struct Setup {
    n: usize,
    pre_vote: bool,
    check_quorum: bool,
    heartbeat_us: u64,
    election_min_us: u64,
    election_max_us: u64,
    initial_leader: Option<NodeId>,
    /// Stable-storage write before answering (0: none).
    disk_write_us: u64,
}

fn schedule(seed: u64) -> Stats {
    let mut rng = Rng::for_component(seed, 1_000);
    let n = if rng.below(2) == 0 { 3 } else { 5 };
    let pre_vote = rng.below(2) == 0;
    let check_quorum = rng.below(2) == 0;
    let heartbeat_us = rng.between(5_000, 20_000);
    let election_min_us = heartbeat_us * rng.between(3, 10);
    let election_max_us = election_min_us + rng.below(election_min_us + 1);
    let initial_leader = if rng.below(2) == 0 { Some(NodeId(0)) } else { None };
    // Half the schedules persist before answering, with a write of up to a heartbeat.
    let disk_write_us = if rng.below(2) == 0 { 0 } else { rng.between(100, heartbeat_us) };
    let setup = Setup { n, pre_vote, check_quorum, heartbeat_us, election_min_us, election_max_us, initial_leader, disk_write_us };
    let mut sim = build(seed, &setup);
    let first_fault = rng.between(0, 200_000);
    sim.push(first_fault, Ev::Fault);
    sim.push(rng.between(0, 20_000), Ev::Write);
    let end = rng.between(500_000, 1_500_000);
    sim.run(&mut rng, end);
    sim.stats
}

fn build(seed: u64, setup: &Setup) -> Sim {
    let Setup { n, pre_vote, check_quorum, heartbeat_us, election_min_us, election_max_us, initial_leader, disk_write_us } = *setup;
    let desc = format!("seed={seed} n={n} pre_vote={pre_vote} check_quorum={check_quorum} hb={heartbeat_us} et={election_min_us}..{election_max_us} disk={disk_write_us}");
    let nodes = (0..n)
        .map(|i| {
            let peers = (0..n).filter(|&j| j != i).map(|j| NodeId(j as u32)).collect();
            RaftNode::new(
                NodeId(i as u32),
                RaftConfig {
                    group: GroupId(0),
                    peers,
                    plane: PlaneId(0),
                    client_plane: PlaneId(0),
                    heartbeat_us,
                    election_min_us,
                    election_max_us,
                    pre_vote,
                    check_quorum,
                    initial_leader,
                    random_phase: true,
                    term_gauge: None,
                    elections_gauge: None,
                    disk_write_us,
                },
            )
        })
        .collect();
    Sim {
        nodes,
        rngs: (0..n).map(|i| Rng::for_component(seed, i as u32)).collect(),
        up: vec![true; n],
        paused_until: vec![0; n],
        cut: vec![vec![false; n]; n],
        loss_ppm: vec![vec![0; n]; n],
        delay_max_us: 2_000,
        timers: vec![[None; TIMER_SLOTS]; n],
        queue: BinaryHeap::new(),
        evs: Vec::with_capacity(4096),
        seq: 0,
        now: 0,
        net: Rng::for_component(seed, 2_000),
        leader_of_term: BTreeMap::new(),
        committed: Vec::new(),
        out: Vec::with_capacity(64),
        stats: Stats::default(),
        desc,
        timeout_range: (election_min_us, election_max_us),
    }
}

#[test]
fn raft_safety_holds_over_random_fault_schedules() {
    let count: u64 = std::env::var("RAFT_SCHEDULES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let started = Instant::now();
    let threads = 2u64;
    let totals: Vec<Stats> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut total = Stats::default();
                    let mut seed = t;
                    while seed < count {
                        let st = schedule(seed);
                        total.events += st.events;
                        total.leaders_elected += st.leaders_elected;
                        total.commits += st.commits;
                        seed += threads;
                    }
                    total
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a schedule panicked")).collect()
    });
    let events: u64 = totals.iter().map(|s| s.events).sum();
    let leaders: u64 = totals.iter().map(|s| s.leaders_elected).sum();
    let commits: u64 = totals.iter().map(|s| s.commits).sum();
    eprintln!(
        "raft properties: {count} schedules, {events} events, {leaders} leaders elected, {commits} entries committed, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // The schedules must exercise elections and commits, not just idle.
    assert!(leaders > count, "too few elections: {leaders}");
    assert!(commits > count, "too few commits: {commits}");
}

// ---- Targeted checks of the PreVote / CheckQuorum semantics (fact sheet §5.2).

fn three(pre_vote: bool, check_quorum: bool, leader: u32) -> Setup {
    Setup { n: 3, pre_vote, check_quorum, heartbeat_us: 10_000, election_min_us: 100_000, election_max_us: 199_000, initial_leader: Some(NodeId(leader)), disk_write_us: 0 }
}

fn isolate(sim: &mut Sim, a: usize) {
    for b in 0..sim.nodes.len() {
        if b != a {
            sim.cut[a][b] = true;
            sim.cut[b][a] = true;
        }
    }
}

#[test]
fn check_quorum_leader_steps_down_within_two_election_timeouts() {
    for seed in 0..50 {
        for (cq, pv) in [(true, false), (true, true), (false, false)] {
            let mut sim = build(seed, &three(pv, cq, 0));
            let mut rng = Rng::for_component(seed, 7);
            sim.start();
            sim.run_until(&mut rng, 300_000);
            assert_eq!(sim.nodes[0].role(), RaftRole::Leader, "seed {seed}");
            isolate(&mut sim, 0);
            sim.run_until(&mut rng, 300_000 + 2 * 100_000 + 1_000);
            let still = sim.nodes[0].role() == RaftRole::Leader;
            // With CheckQuorum the cut-off leader has stepped down; without, it never learns.
            assert_eq!(still, !cq, "seed {seed} check_quorum={cq} pre_vote={pv}");
        }
    }
}

#[test]
fn prevote_keeps_an_isolated_node_at_its_term() {
    for seed in 0..50 {
        for pv in [true, false] {
            let mut sim = build(seed, &three(pv, false, 0));
            let mut rng = Rng::for_component(seed, 7);
            sim.start();
            sim.run_until(&mut rng, 300_000);
            let before = sim.nodes[2].term();
            isolate(&mut sim, 2);
            sim.run_until(&mut rng, 2_300_000);
            let after = sim.nodes[2].term();
            if pv {
                assert_eq!(after, before, "seed {seed}: an isolated pre-candidate must not raise its term");
            } else {
                assert!(after > before + 5, "seed {seed}: without PreVote the isolated node inflates its term ({before} -> {after})");
            }
        }
    }
}

#[test]
fn answering_a_prevote_changes_neither_term_nor_vote() {
    let mut sim = build(1, &three(true, false, 0));
    let mut rng = Rng::for_component(1, 7);
    sim.start();
    sim.run_until(&mut rng, 300_000);
    let (term, vote) = (sim.nodes[1].term(), sim.nodes[1].voted_for());
    let last = sim.nodes[1].log().len() as u32;
    let msg = Msg::Raft(RaftMsg::RequestVote { term: term + 1, last_index: last, last_term: sim.nodes[1].log()[last as usize - 1], pre: true });
    sim.dispatch(1, |m, cx| m.on_message(cx, NodeId(2), msg));
    assert_eq!((sim.nodes[1].term(), sim.nodes[1].voted_for()), (term, vote));
}

/// The Cloudflare link pictures, leader 2, no client writes. `Symmetric`: 0-2
/// lossy both ways, 0-1 and 1-2 perfect (the fact sheet's picture). `IntoNode0`:
/// what is sent to node 0 is mostly lost (from 1 and 2), what it sends gets
/// through (the picture the Cloudflare scenario assumes).
#[derive(Clone, Copy)]
enum Picture {
    Symmetric,
    IntoNode0,
}

fn cloudflare(seed: u64, pre_vote: bool, check_quorum: bool, picture: Picture) -> (u32, u32) {
    let mut sim = build(
        seed,
        &Setup { n: 3, pre_vote, check_quorum, heartbeat_us: 10_000, election_min_us: 100_000, election_max_us: 190_000, initial_leader: Some(NodeId(2)), disk_write_us: 0 },
    );
    let mut rng = Rng::for_component(seed, 7);
    sim.start();
    match picture {
        Picture::Symmetric => {
            sim.loss_ppm[0][2] = 900_000;
            sim.loss_ppm[2][0] = 900_000;
        }
        Picture::IntoNode0 => {
            sim.loss_ppm[2][0] = 900_000;
            sim.loss_ppm[1][0] = 900_000;
        }
    }
    sim.run_until(&mut rng, 20_000_000);
    let terms = sim.nodes.iter().map(|n| n.term()).max().unwrap_or(0);
    (sim.leader_of_term.len() as u32, terms)
}

#[test]
fn cloudflare_shape_prevote_and_check_quorum() {
    for seed in 0..100 {
        for picture in [Picture::Symmetric, Picture::IntoNode0] {
            let (leaders, term) = cloudflare(seed, true, true, picture);
            assert_eq!((leaders, term), (1, 1), "seed {seed}: with both, leader 2 keeps term 1");
        }
    }
    // CheckQuorum only (etcd's server always sets it), node 0 deaf: node 0
    // inflates its term, and each reply it gets through to a stale heartbeat
    // deposes the leader: sustained churn in (nearly) every seed.
    let churn = |pv, cq, p| (0..20).filter(|&s| cloudflare(s, pv, cq, p).0 > 10).count();
    let deaf_cq = churn(false, true, Picture::IntoNode0);
    // The fact sheet's picture: node 1 hears everyone, wins an election and the
    // churn ends (node 0 lags behind the log and cannot win).
    let sym_cq = churn(false, true, Picture::Symmetric);
    let sym_neither = churn(false, false, Picture::Symmetric);
    eprintln!(
        "seeds of 20 with > 10 leaders in 20 s: deaf node 0 + CheckQuorum {deaf_cq}, symmetric + CheckQuorum {sym_cq}, symmetric + neither {sym_neither}"
    );
    assert!(deaf_cq >= 18, "{deaf_cq}");
    assert!(sym_cq < deaf_cq && sym_neither < deaf_cq, "{sym_cq} {sym_neither} vs {deaf_cq}");
    // PreVote only: node 1 grants node 0's pre-vote (equal logs), so a term rise is reachable.
    assert!((0..20).any(|s| cloudflare(s, true, false, Picture::Symmetric).1 > 1));
}
