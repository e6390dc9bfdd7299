//! Common random numbers: every component draws from its own stream keyed by
//! its name, so a what-if changes only the draws of what it touches. These
//! tests change one thing in `demo-partition` (one client's rate; an extra node
//! inserted before all others) and check that unrelated components drew the
//! same numbers: the same loss and jitter on an unrelated link, the same
//! request phase and write/read mix on an untouched client.

mod common;

use incident_replay::replay::{replay, Replay};
use incident_replay::scenario::Overrides;
use incident_replay::trace::event::{Fate, MessageRecord};
use serde_json::{json, Value};

fn demo() -> Value {
    let mut s: Value = serde_json::from_str(&common::scenario_text("demo-partition")).unwrap();
    // 5% loss on the servers' mesh, so the mesh links draw loss as well as jitter.
    s["links"][0]["loss"] = json!("5%");
    s
}

fn run(s: &Value, seed: u64) -> Replay {
    replay("demo-partition.json", &s.to_string(), &Overrides::new(), seed).unwrap_or_else(|e| panic!("{e}"))
}

fn node(r: &Replay, name: &str) -> u32 {
    r.run.node_names.iter().position(|n| n == name).unwrap() as u32
}

/// (sent, arrival or drop time, fate) of every message from `a` to `b` on `plane`.
fn on_link(r: &Replay, a: &str, b: &str, plane: u8) -> Vec<(u64, u64, Fate)> {
    let (a, b) = (node(r, a), node(r, b));
    r.run.trace.messages.iter().filter(|m| m.from.0 == a && m.to.0 == b && m.plane == plane).map(|m: &MessageRecord| (m.sent_us, m.end_us, m.fate)).collect()
}

/// The first `n` requests of client `c`: when it sent them, and to whom.
fn first_requests(r: &Replay, c: &str, n: usize) -> Vec<(u64, String)> {
    let c = node(r, c);
    r.run.trace.messages.iter().filter(|m| m.from.0 == c).take(n).map(|m| (m.sent_us, r.run.node_names[m.to.index()].clone())).collect()
}

const CLUSTER: u8 = 1;

#[test]
fn doubling_one_clients_rate_leaves_an_unrelated_links_draws_identical() {
    for seed in 1..=3 {
        let base = demo();
        let mut busier = demo();
        busier["nodes"][3]["model"]["client"]["rate"] = json!(40);
        let (a, b) = (run(&base, seed), run(&busier, seed));
        assert_ne!(a.outcome.digest, b.outcome.digest, "the change must change the run");
        assert_ne!(on_link(&a, "c1", "n1", 0).len(), on_link(&b, "c1", "n1", 0).len());
        // Heartbeats between the two standbys: same traffic, so the same fates
        // and arrival times, message for message (loss and jitter drawn alike).
        let (x, y) = (on_link(&a, "n2", "n3", CLUSTER), on_link(&b, "n2", "n3", CLUSTER));
        assert!(x.iter().any(|m| m.2 == Fate::Loss), "seed {seed}: the link must draw some loss");
        assert_eq!(x, y, "seed {seed}: n2->n3 heartbeats' loss or jitter moved with c1's rate");
        // The other client's own draws (phase, read/write mix, targets) are untouched.
        assert_eq!(first_requests(&a, "c2", 200), first_requests(&b, "c2", 200), "seed {seed}");
    }
}

#[test]
fn inserting_a_node_leaves_the_other_nodes_draws_identical() {
    for seed in 1..=3 {
        let base = demo();
        let mut more = demo();
        // A quiet observer inserted first: every other node's index shifts by one.
        let observer = json!({"name": "c0", "label": "observer", "x": 0.5, "y": 0.95,
            "model": {"client": {"targets": ["n1"], "plane": "data", "rate": 0, "writes": "0%", "timeout": "1s", "retries": 0}}});
        more["nodes"].as_array_mut().unwrap().insert(0, observer);
        let (a, b) = (run(&base, seed), run(&more, seed));
        assert_eq!(node(&b, "c2"), node(&a, "c2") + 1);
        assert_eq!(on_link(&a, "n2", "n3", CLUSTER), on_link(&b, "n2", "n3", CLUSTER), "seed {seed}");
        assert_eq!(first_requests(&a, "c1", 200), first_requests(&b, "c1", 200), "seed {seed}");
        assert_eq!(first_requests(&a, "c2", 200), first_requests(&b, "c2", 200), "seed {seed}");
        // With nothing else changed, the whole outcome is the same run.
        assert_eq!(a.outcome.split_brain_s, b.outcome.split_brain_s);
        assert_eq!(a.outcome.lost_writes, b.outcome.lost_writes);
    }
}

#[test]
fn a_different_seed_does_change_the_draws() {
    // The identity above is not because the links draw nothing.
    let s = demo();
    assert_ne!(on_link(&run(&s, 1), "n2", "n3", CLUSTER), on_link(&run(&s, 2), "n2", "n3", CLUSTER));
}

/// History vs a what-if over seeds 1..10: quorum removes split brain in every
/// seed (a change), while a client timeout 1% longer leaves lost writes within
/// the seeds' scatter (no change called).
#[test]
fn a_change_is_called_only_when_the_distributions_differ() {
    use incident_replay::monitor::spread::{compare, spread};
    use incident_replay::scenario::OverrideValue;
    let over = |sets: &[(&str, OverrideValue)]| spread(&(1..=10).map(|s| common::run_with("demo-partition", sets, s).outcome).collect::<Vec<_>>());
    let history = over(&[]);
    let figure = |changes: &[incident_replay::monitor::spread::FigureChange], m: &str| changes.iter().find(|c| c.metric == m).unwrap().clone();
    let quorum = compare(&history, &over(&[common::on("quorum")]));
    let split = figure(&quorum, "split_brain_s");
    assert!(split.changed && split.direction < 0 && split.history.seeds_above_zero == 10 && split.yours.seeds_above_zero == 0, "{split:?}");
    let nudged = compare(&history, &over(&[common::num("client_timeout", 1010.0)]));
    let lost = figure(&nudged, "lost_writes");
    assert!(!lost.changed, "a 1% longer client timeout is not a change in lost writes: {lost:?}");
    let same = compare(&history, &history);
    assert!(same.iter().all(|c| !c.changed));
}
