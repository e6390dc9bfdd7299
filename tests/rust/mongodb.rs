//! MongoDB (`scenarios/mongodb-rollback.json`): a partitioned primary over ten
//! seeds — w: 1 writes rolled back, w: "majority" writes never acknowledged and
//! never lost — each parameter moving the outcome as its mechanism says, the
//! terms and the refusals visible in the trace, and bad input refused with a path.

mod common;

use common::{mean, num, on, over_seeds, run_with};
use incident_replay::model::effect::Role;
use incident_replay::model::msg::kind_name;
use incident_replay::replay::{replay, Replay};
use incident_replay::scenario::OverrideValue;
use incident_replay::trace::event::TraceEvent;
use serde_json::{json, Value};

const NAME: &str = "mongodb-rollback";
fn gauge_last(r: &Replay, name: &str) -> f64 {
    r.outcome.metric(name).unwrap_or_else(|| panic!("no gauge {name}"))
}

fn messages_of_kind(r: &Replay, kind: &str) -> usize {
    r.run.trace.messages.iter().filter(|m| kind_name(m.kind) == kind).count()
}

#[test]
fn w1_writes_are_rolled_back_and_w_majority_writes_are_never_acknowledged_then_lost() {
    for r in over_seeds(NAME, &[]) {
        let o = &r.outcome;
        // 20 writes/s for about electionTimeoutMillis after the partition.
        assert!((150..=260).contains(&o.lost_writes), "seed {}: lost {}", o.seed, o.lost_writes);
        assert!(o.split_brain_s > 0.0 && o.split_brain_s < 3.0, "seed {}: two primaries {} s", o.seed, o.split_brain_s);
        assert!(o.checks.iter().all(|c| c.within), "seed {}: {:?}", o.seed, o.checks);
        assert!(messages_of_kind(&r, "mongo-rollback") > 100, "seed {}: the old primary is refused entry by entry", o.seed);
    }
    for r in over_seeds(NAME, &[on("write_majority")]) {
        let o = &r.outcome;
        assert_eq!(o.lost_writes, 0, "seed {}", o.seed);
        assert!(o.acked_writes > 2_000, "seed {}: the majority side's writes are acknowledged: {}", o.seed, o.acked_writes);
        // The old primary still wrote them into its oplog and rolls them back: nobody was told they were saved.
        assert!(gauge_last(&r, "rolled_back") > 50.0, "seed {}", o.seed);
    }
}

#[test]
fn both_primaries_are_in_different_terms_and_the_old_one_steps_down_for_the_higher_term() {
    let r = run_with(NAME, &[], 1);
    let actives: Vec<(u64, u32, u32)> = r
        .run
        .trace
        .events
        .iter()
        .filter_map(|e| match *e {
            TraceEvent::Role { at_us, node, role: Role::Active, epoch, .. } => Some((at_us, node.0, epoch.term)),
            _ => None,
        })
        .collect();
    assert_eq!(actives.len(), 2, "{actives:?}");
    assert_eq!((actives[0].1, actives[0].2), (0, 1), "m1 leads term 1");
    assert_ne!(actives[1].1, 0, "a member of the majority side wins");
    assert_eq!(actives[1].2, 2, "in term 2");
    // m1 ends as a secondary of term 2 (it heard the higher term after the heal).
    let last_m1 = r.run.trace.events.iter().rev().find_map(|e| match *e {
        TraceEvent::Role { node, role, epoch, .. } if node.0 == 0 => Some((role, epoch.term)),
        _ => None,
    });
    assert_eq!(last_m1, Some((Role::Passive, 2)));
}

#[test]
fn a_shorter_election_timeout_fails_over_sooner_and_rolls_back_less() {
    let default = over_seeds(NAME, &[]);
    let short = over_seeds(NAME, &[num("election_timeout", 5.0)]);
    let d = mean(&default, |r| gauge_last(r, "new_primary_after_ms"));
    let s = mean(&short, |r| gauge_last(r, "new_primary_after_ms"));
    assert!(s < d - 4_000.0, "failover {s} ms vs {d} ms");
    let (dl, sl) = (mean(&default, |r| r.outcome.lost_writes as f64), mean(&short, |r| r.outcome.lost_writes as f64));
    assert!(sl < dl * 0.7, "rolled back {sl} vs {dl}");
}

#[test]
fn a_longer_heartbeat_interval_lets_the_old_primary_linger() {
    // The old primary checks for a majority on its heartbeat ticks, so with a
    // 5 s interval it notices later while the new primary is elected as before.
    let default = over_seeds(NAME, &[]);
    let slow = over_seeds(NAME, &[num("heartbeat_interval", 5.0)]);
    let (d, s) = (mean(&default, |r| r.outcome.split_brain_s), mean(&slow, |r| r.outcome.split_brain_s));
    assert!(s > d + 2.0, "two primaries for {s} s vs {d} s");
    // With 8 s it steps down at its tick at 72 s instead of 70 s: two more seconds of w: 1 writes rolled back.
    let lost = |runs: &[Replay]| mean(runs, |r| r.outcome.lost_writes as f64);
    assert!(lost(&over_seeds(NAME, &[num("heartbeat_interval", 8.0)])) > lost(&default) + 30.0);
}

#[test]
fn a_partition_shorter_than_the_election_timeout_changes_nothing() {
    for r in over_seeds(NAME, &[num("heal_at", 65.0)]) {
        let o = &r.outcome;
        assert_eq!((o.lost_writes, o.leader_changes), (0, 0), "seed {}", o.seed);
        assert_eq!(o.split_brain_s, 0.0);
    }
    // A longer partition does not roll back more: the old primary stopped taking writes long before.
    let long = mean(&over_seeds(NAME, &[num("heal_at", 170.0)]), |r| r.outcome.lost_writes as f64);
    let default = mean(&over_seeds(NAME, &[]), |r| r.outcome.lost_writes as f64);
    assert!((long - default).abs() < 20.0, "{long} vs {default}");
}

#[test]
fn same_seed_same_digest() {
    let (a, b) = (run_with(NAME, &[], 3), run_with(NAME, &[], 3));
    assert_eq!(a.outcome.digest, b.outcome.digest);
    assert!(kind_name(a.run.trace.messages.first().map_or(0, |m| m.kind)).starts_with("mongo-"));
}

fn scenario() -> Value {
    common::scenario_json(NAME)
}

fn error_of(edit: impl FnOnce(&mut Value)) -> String {
    common::error_after(NAME, edit)
}

#[test]
fn bad_mongodb_input_is_refused_with_a_path() {
    fn m(v: &mut Value) -> &mut Value {
        &mut v["nodes"][0]["model"]["mongodb"]
    }
    let e = error_of(|v| m(v)["members"] = json!([]));
    assert!(e.starts_with("x.json: nodes[0].model.mongodb.members:") && e.contains("1 to 7"), "{e}");
    let e = error_of(|v| m(v)["members"] = json!(["m2", "m3"]));
    assert!(e.contains("nodes[0].model.mongodb.members") && e.contains("not one of the members"), "{e}");
    let e = error_of(|v| m(v)["members"][2] = "nobody".into());
    assert!(e.contains("nodes[0].model.mongodb.members[2]") && e.contains("nobody"), "{e}");
    let e = error_of(|v| m(v)["members"][2] = "m1".into());
    assert!(e.contains("nodes[0].model.mongodb.members") && e.contains("twice"), "{e}");
    let e = error_of(|v| m(v)["initial_primary"] = "app".into());
    assert!(e.contains("nodes[0].model.mongodb.initial_primary") && e.contains("not one of the members"), "{e}");
    let e = error_of(|v| m(v)["heartbeat_interval"] = "0s".into());
    assert!(e.contains("nodes[0].model.mongodb.heartbeat_interval") && e.contains("above zero"), "{e}");
    let e = error_of(|v| m(v)["election_timeout"] = "1s".into());
    assert!(e.contains("nodes[0].model.mongodb.election_timeout") && e.contains("heartbeat_interval"), "{e}");
    let e = error_of(|v| m(v)["election_offset_max"] = "3".into());
    assert!(e.contains("nodes[0].model.mongodb.election_offset_max"), "{e}");
    let e = error_of(|v| m(v)["write_majority"] = "$w_majority".into());
    assert!(e.contains("nodes[0].model.mongodb.write_majority") && e.contains("unknown toggle `w_majority`"), "{e}");
    let e = error_of(|v| m(v)["wtimeout"] = "1s".into());
    assert!(e.contains("wtimeout"), "{e}");
    // An invariant condition naming an unknown toggle, even behind `&`.
    let e = error_of(|v| v["invariants"][1]["when"] = "$write_majority&$nope".into());
    assert!(e.contains("invariants[1].when") && e.contains("unknown toggle `nope`"), "{e}");
    // Parameters out of range are refused before anything runs.
    let bad = replay("x.json", &scenario().to_string(), &[("election_timeout".to_string(), OverrideValue::Number(0.5))].into_iter().collect(), 1);
    assert!(bad.is_err_and(|e| e.to_string().contains("election_timeout")));
}
