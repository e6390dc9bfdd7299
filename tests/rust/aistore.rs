//! AIStore 2025 (`scenarios/aistore-2025.json`): the blog's account over ten
//! seeds (two clusters, each with its own primary), every toggle and the key
//! parameters moving the outcome the way their mechanism says, the +100 map
//! versions, bad input refused with a path, the event budget, determinism.

mod common;

use common::{num, on, over_seeds, run_with};
use incident_replay::model::msg::kind_name;
use incident_replay::replay::{replay, Replay};
use incident_replay::scenario::{OverrideValue, Overrides};
use incident_replay::trace::event::TraceEvent;
use serde_json::Value;

const NAME: &str = "aistore-2025";
fn metric(r: &Replay, m: &str) -> f64 {
    r.outcome.metric(m).unwrap_or_else(|| panic!("no metric {m}"))
}

fn mean(runs: &[Replay], m: &str) -> f64 {
    runs.iter().map(|r| metric(r, m)).sum::<f64>() / runs.len() as f64
}

fn split_seeds(runs: &[Replay]) -> usize {
    runs.iter().filter(|r| r.outcome.split_brain_s > 0.0).count()
}

#[test]
fn history_ends_as_two_clusters_each_with_a_primary_and_the_merge_reunites_them() {
    let runs = over_seeds(NAME, &[]);
    assert!(split_seeds(&runs) >= 9, "two primaries in {} of 10 seeds", split_seeds(&runs));
    for r in &runs {
        // The forced re-designation at 660 s ends the split: never two primaries to the end.
        assert!(r.outcome.split_brain_s < 660.0, "seed {}: {}", r.outcome.seed, r.outcome.split_brain_s);
        assert!(metric(r, "probe_kills_total") > 0.0, "the kubelet kills nodes");
        assert!(metric(r, "misplaced_objects_total") > 0.0, "the merged map places objects elsewhere");
    }
}

#[test]
fn a_tcp_mem_sized_right_drops_nothing_so_nothing_splits_or_dies() {
    let runs = over_seeds(NAME, &[on("tcp_mem_sized_right")]);
    for r in &runs {
        assert_eq!(r.outcome.split_brain_s, 0.0, "seed {}", r.outcome.seed);
        assert_eq!(metric(r, "probe_kills_total"), 0.0);
        assert_eq!(r.outcome.leader_changes, 0);
        assert_eq!(metric(r, "split_writes_discarded_total"), 0.0);
    }
    assert!(mean(&runs, "acked_writes") > mean(&over_seeds(NAME, &[]), "acked_writes"));
}

#[test]
fn less_load_means_less_pressure_fewer_kills_and_fewer_splits() {
    let light = over_seeds(NAME, &[num("job_rate", 20.0)]);
    let history = over_seeds(NAME, &[]);
    assert!(split_seeds(&light) < split_seeds(&history), "{} vs {}", split_seeds(&light), split_seeds(&history));
    assert!(mean(&light, "probe_kills_total") * 4.0 < mean(&history, "probe_kills_total"));
}

#[test]
fn requiring_a_proxy_majority_to_serve_trades_writes_for_safety() {
    let quorum = over_seeds(NAME, &[on("quorum_required_to_serve")]);
    let history = over_seeds(NAME, &[]);
    assert!(mean(&quorum, "acked_writes") < 0.9 * mean(&history, "acked_writes"));
    assert!(mean(&quorum, "requests_failed") > mean(&history, "requests_failed"));
}

#[test]
fn without_v3_26_the_other_island_rejects_the_forced_map_and_the_split_stays() {
    let off = over_seeds(NAME, &[("reunify_force_primary", OverrideValue::Flag(false))]);
    let history = over_seeds(NAME, &[]);
    assert!(mean(&off, "split_brain_s") > mean(&history, "split_brain_s") + 100.0);
    assert!(off.iter().filter(|r| r.outcome.split_brain_s > 660.0).count() >= 5);
}

#[test]
fn a_rebalance_after_the_merge_rehomes_what_would_be_misplaced() {
    let rebalanced = over_seeds(NAME, &[on("rebalance_after_reunify")]);
    let history = over_seeds(NAME, &[]);
    for (a, b) in rebalanced.iter().zip(&history) {
        assert_eq!(metric(a, "misplaced_objects_total"), 0.0);
        assert!(metric(a, "rehomed_objects_total") > 0.0);
        assert_eq!(metric(b, "rehomed_objects_total"), 0.0);
    }
}

#[test]
fn slower_failure_detection_splits_less() {
    let history = over_seeds(NAME, &[]);
    let patient = over_seeds(NAME, &[num("keepalive_factor", 6.0)]);
    assert!(mean(&patient, "split_brain_s") < mean(&history, "split_brain_s"));
    assert!(mean(&patient, "leader_changes") < mean(&history, "leader_changes"));
    let sparse = over_seeds(NAME, &[num("keepalive_interval", 20.0)]);
    assert!(mean(&sparse, "split_brain_s") < mean(&history, "split_brain_s"));
    // Retrying only once an interval gives up on the primary with fewer chances.
    let no_retry = over_seeds(NAME, &[num("keepalive_retry_factor", 1.0)]);
    assert!(mean(&no_retry, "split_brain_s") > mean(&history, "split_brain_s"));
}

#[test]
fn a_more_tolerant_probe_kills_fewer_nodes() {
    let tolerant = over_seeds(NAME, &[num("probe_failure_threshold", 10.0)]);
    assert!(mean(&tolerant, "probe_kills_total") * 3.0 < mean(&over_seeds(NAME, &[]), "probe_kills_total"));
}

#[test]
fn a_smaller_cluster_runs_and_takes_fewer_writes() {
    let small = over_seeds(NAME, &[num("proxies", 3.0), num("targets", 3.0)]);
    assert!(mean(&small, "acked_writes") > 0.0);
    assert!(small.iter().all(|r| r.outcome.events > 0));
}

/// Every new primary's map is +100 over the one it replaces; a merge is +100
/// over the newest island's.
#[test]
fn new_primaries_bump_the_map_version_by_a_hundred() {
    let r = run_with(NAME, &[], 2);
    let names = &r.gauges;
    let g = names.iter().position(|n| n == "smap_version").unwrap() as u16;
    let versions: Vec<i64> = r.run.trace.events.iter().filter_map(|e| match *e {
        TraceEvent::Gauge { gauge, value, .. } if gauge == g => Some(value),
        _ => None,
    }).collect();
    let max = *versions.iter().max().unwrap();
    assert!(max >= 200, "an election and a merge: {max}");
    assert!(versions.iter().any(|&v| v >= 100 && v % 100 < 50), "a +100 bump is visible");
}

#[test]
fn same_seed_same_digest() {
    let a = run_with(NAME, &[], 3);
    let b = run_with(NAME, &[], 3);
    assert_eq!(a.outcome.digest, b.outcome.digest);
    assert_ne!(a.outcome.digest, run_with(NAME, &[], 4).outcome.digest);
    assert!(a.run.trace.messages.iter().any(|m| kind_name(m.kind).starts_with("ais-")));
}

fn scenario() -> Value {
    common::scenario_json(NAME)
}

fn error_of(edit: impl FnOnce(&mut Value)) -> String {
    common::error_after(NAME, edit)
}

#[test]
fn bad_aistore_input_is_refused_with_a_path() {
    fn ais(v: &mut Value) -> &mut Value {
        &mut v["nodes"][0]["model"]["aistore"]
    }
    let e = error_of(|v| ais(v)["keepalive"]["factor"] = 0.into());
    assert!(e.contains("nodes[0].model.aistore.keepalive.factor") && e.contains("outside"), "{e}");
    let e = error_of(|v| ais(v)["keepalive"]["retry_factor"] = 1.5.into());
    assert!(e.contains("keepalive.retry_factor") && e.contains("whole"), "{e}");
    let e = error_of(|v| ais(v)["keepalive"]["interval"] = "0s".into());
    assert!(e.contains("keepalive.interval") && e.contains("above zero"), "{e}");
    let e = error_of(|v| ais(v)["tcp_mem"]["high"] = "1MB".into());
    assert!(e.contains("tcp_mem.high") && e.contains("pressure"), "{e}");
    let e = error_of(|v| ais(v)["tcp_mem"]["max_drop"] = "150%".into());
    assert!(e.contains("tcp_mem.max_drop"), "{e}");
    let e = error_of(|v| ais(v)["tcp_mem"]["drain_time"] = "0s".into());
    assert!(e.contains("tcp_mem.drain_time"), "{e}");
    let e = error_of(|v| ais(v)["tcp_mem"]["sized_right"] = "$nope".into());
    assert!(e.contains("tcp_mem.sized_right") && e.contains("nope"), "{e}");
    let e = error_of(|v| ais(v)["liveness_probe"]["failure_threshold"] = 0.into());
    assert!(e.contains("liveness_probe.failure_threshold"), "{e}");
    let e = error_of(|v| ais(v)["liveness_probe"]["period"] = "0s".into());
    assert!(e.contains("liveness_probe.period"), "{e}");
    let e = error_of(|v| ais(v)["initial_primary"] = "t1".into());
    assert!(e.contains("initial_primary") && e.contains("proxies"), "{e}");
    let e = error_of(|v| ais(v)["initial_primary"] = "nobody".into());
    assert!(e.contains("initial_primary") && e.contains("nobody"), "{e}");
    let e = error_of(|v| ais(v)["targets"][0] = "p2".into());
    assert!(e.contains("targets[0]") && e.contains("not both"), "{e}");
    let e = error_of(|v| ais(v)["object_size"] = "0B".into());
    assert!(e.contains("object_size"), "{e}");
    let e = error_of(|v| ais(v)["quorum_required_to_serve"] = "maybe".into());
    assert!(e.contains("quorum_required_to_serve"), "{e}");
    let e = error_of(|v| ais(v)["typo"] = 1.into());
    assert!(e.contains("typo"), "{e}");
    let e = error_of(|v| ais(v)["proxies"] = serde_json::json!(["p2"]));
    assert!(e.contains("nodes[0].model.aistore") && e.contains("neither"), "{e}");
    let bad = replay("x.json", &scenario().to_string(), &[("proxies".to_string(), OverrideValue::Number(9.0))].into_iter().collect(), 1);
    assert!(bad.is_err_and(|e| e.to_string().contains("proxies")));
}

#[test]
fn a_keepalive_too_fine_for_the_event_budget_is_refused_naming_it() {
    let mut v = scenario();
    v["limits"]["events_max"] = 100_000.into();
    let err = replay("x.json", &v.to_string(), &Overrides::new(), 1).err().expect("over budget").to_string();
    assert!(err.contains("events_max"), "{err}");
    let mut v = scenario();
    v["parameters"]["keepalive_interval"]["min"] = 0.001.into();
    let sets: Overrides = [("keepalive_interval".to_string(), OverrideValue::Number(0.001))].into_iter().collect();
    let err = replay("x.json", &v.to_string(), &sets, 1).err().expect("over budget").to_string();
    assert!(err.contains("keepalive_interval") && err.contains("events_max"), "{err}");
}
