//! Kafka (`scenarios/kafka-zombie-controller.json`): the zombie controller over
//! ten seeds — two leaders in one leader epoch and lost acks=1 records with
//! unconditional ZooKeeper writes, none with KAFKA-6082's conditional writes —
//! every toggle and parameter moving the outcome as its mechanism says, the
//! refusals visible as messages, and bad input refused with a path.

mod common;

use common::{SEEDS, num, off, on, over_seeds, run_with};
use incident_replay::model::effect::Role;
use incident_replay::model::msg::kind_name;
use incident_replay::replay::{replay, Replay};
use incident_replay::scenario::{OverrideValue, Overrides};
use incident_replay::trace::event::TraceEvent;
use serde_json::{json, Value};

const NAME: &str = "kafka-zombie-controller";
fn refusals(r: &Replay) -> usize {
    r.run.trace.messages.iter().filter(|m| kind_name(m.kind) == "stale-controller-epoch").count()
}

/// (node, leader epoch) of every broker that became leader.
fn leaders(r: &Replay) -> Vec<(u32, u32)> {
    let leaders = r.run.trace.events.iter().filter_map(|e| match *e {
        TraceEvent::Role { node, role: Role::Active, epoch, .. } => Some((node.0, epoch.term)),
        _ => None,
    });
    leaders.collect()
}

/// The brokers that led in leader epoch `epoch`.
fn leaders_in_epoch(r: &Replay, epoch: u32) -> Vec<u32> {
    let mut nodes: Vec<u32> = leaders(r).into_iter().filter(|l| l.1 == epoch).map(|l| l.0).collect();
    nodes.sort_unstable();
    nodes.dedup();
    nodes
}

#[test]
fn unconditional_writes_give_two_leaders_in_one_epoch_and_lose_acks_1_records() {
    for r in over_seeds(NAME, &[]) {
        let o = &r.outcome;
        // From the end of the pause (93 s) to the controller's restart (120 s).
        assert!((o.split_brain_s - 27.0).abs() < 0.5, "seed {}: two leaders {} s", o.seed, o.split_brain_s);
        assert!(o.lost_writes > 300, "seed {}: lost {}", o.seed, o.lost_writes);
        assert!(o.checks.iter().all(|c| c.within), "seed {}: {:?}", o.seed, o.checks);
        // b2 refuses the zombie's decision, b1 refuses b2's: both lead in epoch 6.
        assert!(refusals(&r) >= 2, "seed {}", o.seed);
        let l = leaders(&r);
        assert!(l.contains(&(1, 6)) && l.contains(&(2, 6)), "seed {}: {l:?}", o.seed);
    }
}

#[test]
fn conditional_writes_make_the_zombie_resign_before_it_sends_anything() {
    for r in over_seeds(NAME, &[on("conditional_writes")]) {
        let o = &r.outcome;
        assert_eq!((o.split_brain_s, o.lost_writes), (0.0, 0), "seed {}", o.seed);
        assert_eq!(refusals(&r), 0, "seed {}: nothing stale was sent", o.seed);
        // The new controller's leader: b2 in epoch 6, and nobody else in it.
        assert_eq!(leaders_in_epoch(&r, 6), vec![2], "seed {}", o.seed);
        assert!(o.acked_writes > 2_000, "seed {}: the producer carries on: {}", o.seed, o.acked_writes);
    }
}

#[test]
fn without_any_epoch_check_the_decisions_interleave_and_the_partition_goes_offline() {
    for r in over_seeds(NAME, &[off("epoch_check")]) {
        let o = &r.outcome;
        assert_eq!(refusals(&r), 0, "seed {}: nobody refuses", o.seed);
        // b2 follows the zombie, the zombie follows b2: no leader until the restart.
        assert!(o.unavailable_s > 30.0, "seed {}: {}", o.seed, o.unavailable_s);
        assert!(o.lost_writes > 300, "seed {}: {}", o.seed, o.lost_writes);
    }
    // Both safeguards off but conditional writes on: still nothing stale is applied.
    for r in over_seeds(NAME, &[off("epoch_check"), on("conditional_writes")]) {
        assert_eq!((r.outcome.split_brain_s, r.outcome.lost_writes), (0.0, 0));
    }
}

#[test]
fn acks_all_with_two_in_sync_replicas_loses_nothing_acknowledged_but_one_is_not_enough() {
    for r in over_seeds(NAME, &[on("acks_all")]) {
        let o = &r.outcome;
        assert_eq!(o.lost_writes, 0, "seed {}", o.seed);
        assert!(o.split_brain_s > 20.0, "seed {}: the two leaders are still there", o.seed);
        // b2 alone in the ISR refuses writes until b1 is back in it.
        assert!(o.requests_failed > 300, "seed {}: {}", o.seed, o.requests_failed);
    }
    for r in over_seeds(NAME, &[on("acks_all"), num("min_insync_replicas", 1.0)]) {
        assert!(r.outcome.lost_writes > 300, "seed {}: {}", r.outcome.seed, r.outcome.lost_writes);
    }
}

#[test]
fn a_pause_shorter_than_the_session_timeout_deposes_nobody() {
    // 3 s of pause plus up to 2 s since the last ping stays inside the 6 s session.
    for sets in [vec![num("pause_length", 3.0)], vec![num("session_timeout", 40.0)]] {
        for r in over_seeds(NAME, &sets) {
            let o = &r.outcome;
            assert_eq!((o.split_brain_s, o.lost_writes, refusals(&r)), (0.0, 0, 0), "seed {} {:?}", o.seed, sets[0].0);
            // b1 is still the controller when it handles b3's failure: one new leader, in epoch 6.
            assert_eq!(leaders_in_epoch(&r, 6).len(), 1, "seed {}: {:?}", o.seed, leaders(&r));
        }
    }
    // A long session timeout keeps the partition leaderless longer after b3 fails.
    let short = over_seeds(NAME, &[on("conditional_writes")]).iter().map(|r| r.outcome.rto_s).fold(0.0, f64::max);
    let long = over_seeds(NAME, &[on("conditional_writes"), num("session_timeout", 18.0)]).iter().map(|r| r.outcome.rto_s).fold(f64::MAX, f64::min);
    assert!(long > short + 8.0, "time without a leader {long} vs {short}");
}

/// No replica but b3 is in sync (the followers cannot reach it): only unclean
/// leader election gives the partition a leader when b3 fails.
fn followers_cut_off_from_b3(s: &mut Value) {
    s["nodes"][0]["model"]["kafka"]["zookeeper"]["isr"] = json!(["b3"]);
    let cut = |to: &str| {
        json!({"at": "0s", "title": "cut", "narration": "x", "source": "assumption",
               "action": {"cut": {"from": "b3", "to": to, "planes": ["cluster"], "both_ways": true}}})
    };
    let timeline = s["timeline"].as_array_mut().unwrap();
    timeline.insert(1, cut("b2"));
    timeline.insert(1, cut("b1"));
}

#[test]
fn unclean_leader_election_elects_outside_the_isr_instead_of_staying_offline() {
    let run = |unclean: bool, seed: u64| {
        let mut v: Value = serde_json::from_str(&common::scenario_text(NAME)).unwrap();
        followers_cut_off_from_b3(&mut v);
        let o: Overrides = [("conditional_writes".to_string(), OverrideValue::Flag(true)), ("unclean_leader_election".to_string(), OverrideValue::Flag(unclean))].into_iter().collect();
        replay("x.json", &v.to_string(), &o, seed).unwrap()
    };
    for seed in 1..=SEEDS {
        let (clean, unclean) = (run(false, seed), run(true, seed));
        assert!(clean.outcome.unavailable_s > 80.0, "seed {seed}: offline from the crash on: {}", clean.outcome.unavailable_s);
        assert!(unclean.outcome.unavailable_s < 20.0, "seed {seed}: {}", unclean.outcome.unavailable_s);
        assert!(leaders(&unclean).iter().any(|l| l.0 != 3), "seed {seed}: a replica outside the ISR leads");
    }
}

#[test]
fn same_seed_same_digest() {
    let (a, b) = (run_with(NAME, &[], 4), run_with(NAME, &[], 4));
    assert_eq!(a.outcome.digest, b.outcome.digest);
}

fn scenario() -> Value {
    common::scenario_json(NAME)
}

fn error_of(edit: impl FnOnce(&mut Value)) -> String {
    common::error_after(NAME, edit)
}

#[test]
fn bad_kafka_input_is_refused_with_a_path() {
    fn zk(v: &mut Value) -> &mut Value {
        &mut v["nodes"][0]["model"]["kafka"]["zookeeper"]
    }
    fn b(v: &mut Value) -> &mut Value {
        &mut v["nodes"][1]["model"]["kafka"]["broker"]
    }
    let e = error_of(|v| zk(v)["isr"] = json!(["b1", "b2"]));
    assert!(e.starts_with("x.json: nodes[0].model.kafka.zookeeper.isr:") && e.contains("leader `b3` must be in the ISR"), "{e}");
    let e = error_of(|v| zk(v)["leader"] = "producer".into());
    assert!(e.contains("nodes[0].model.kafka.zookeeper.leader") && e.contains("not one of the brokers"), "{e}");
    let e = error_of(|v| zk(v)["controller"] = "nobody".into());
    assert!(e.contains("nodes[0].model.kafka.zookeeper.controller") && e.contains("nobody"), "{e}");
    let e = error_of(|v| zk(v)["controller_epoch"] = "0".into());
    assert!(e.contains("nodes[0].model.kafka.zookeeper.controller_epoch") && e.contains("outside"), "{e}");
    let e = error_of(|v| zk(v)["brokers"] = json!([]));
    assert!(e.contains("nodes[0].model.kafka.zookeeper.brokers") && e.contains("1 to 8"), "{e}");
    let e = error_of(|v| zk(v)["session_timeout"] = "0s".into());
    assert!(e.contains("nodes[0].model.kafka.zookeeper.session_timeout") && e.contains("above zero"), "{e}");
    let e = error_of(|v| b(v)["replicas"] = json!([]));
    assert!(e.contains("nodes[1].model.kafka.broker.replicas") && e.contains("at least one"), "{e}");
    let e = error_of(|v| b(v)["replicas"][0] = "zk".into());
    assert!(e.contains("nodes[1].model.kafka.broker.replicas[0]") && e.contains("not one of the brokers"), "{e}");
    let e = error_of(|v| b(v)["brokers"] = json!(["b2", "b3"]));
    assert!(e.contains("nodes[1].model.kafka.broker.brokers") && e.contains("not one of the brokers"), "{e}");
    let e = error_of(|v| b(v)["min_insync_replicas"] = 4.into());
    assert!(e.contains("nodes[1].model.kafka.broker.min_insync_replicas") && e.contains("1..=3"), "{e}");
    let e = error_of(|v| b(v)["fetch_retry"] = "0ms".into());
    assert!(e.contains("nodes[1].model.kafka.broker.fetch_retry") && e.contains("above zero"), "{e}");
    let e = error_of(|v| b(v)["epoch_check"] = "$epoch_checks".into());
    assert!(e.contains("nodes[1].model.kafka.broker.epoch_check") && e.contains("unknown toggle"), "{e}");
    let e = error_of(|v| b(v)["acks"] = "all".into());
    assert!(e.contains("nodes[1].model.kafka.broker") && e.contains("acks"), "{e}");
    let e = error_of(|v| v["nodes"][1]["model"]["kafka"] = json!({"controller": {}}));
    assert!(e.contains("nodes[1].model.kafka") && e.contains("controller"), "{e}");
    let e = error_of(|v| v["invariants"][0]["when"] = "$epoch_check&".into());
    assert!(e.contains("invariants[0].when"), "{e}");
    let bad = replay("x.json", &scenario().to_string(), &[("min_insync_replicas".to_string(), OverrideValue::Number(0.0))].into_iter().collect(), 1);
    assert!(bad.is_err_and(|e| e.to_string().contains("min_insync_replicas")));
}
