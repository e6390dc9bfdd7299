//! GitHub 2012: the historical run shows the mechanism chain of the fact sheet
//! (a 90 s gray freeze, lost STONITH requests, two actives, mutual fencing,
//! pair-by-pair recovery), and each mitigation changes the outcome through the
//! model. Figures are for seed 1; the note on the issue lists them.

mod common;
use common::{num, on, run_with};
use incident_replay::monitor::Outcome;
use incident_replay::replay::replay;
use incident_replay::scenario::Overrides;
use incident_replay::trace::event::Fate;

const NAME: &str = "github-2012";
/// Kind code of a STONITH request.
fn fence_request_kind() -> u8 {
    incident_replay::model::msg::Msg::from(incident_replay::model::fencing::FenceMsg::PowerOff { target: incident_replay::ids::NodeId(0), op: 0 }).kind()
}

fn historical() -> Outcome {
    run_with(NAME, &[], 1).outcome
}

fn pairs_split(o: &Outcome) -> usize {
    o.groups.iter().filter(|g| g.name.starts_with("pair") && g.split_brain_s > 0.0).count()
}

fn pairs_both_off(o: &Outcome) -> usize {
    o.groups.iter().filter(|g| g.name.starts_with("pair") && g.all_down_s > 0.0).count()
}

#[test]
fn historical_run_splits_pairs_then_they_fence_each_other_off() {
    let r = run_with(NAME, &[], 1);
    let o = &r.outcome;
    assert!(pairs_split(o) > 0, "pairs with two actives");
    assert!(pairs_both_off(o) > 0, "pairs with both nodes off");
    assert!(pairs_both_off(o) < 22, "only some pairs lose both nodes");
    assert!(o.divergent_writes > 0 && o.lost_writes > 0, "{} {}", o.divergent_writes, o.lost_writes);
    let fence_request = fence_request_kind();
    let lost_fences = r.run.trace.messages.iter().filter(|m| m.kind == fence_request && m.fate == Fate::DeviceDrop).count();
    let delivered_fences = r.run.trace.messages.iter().filter(|m| m.kind == fence_request && m.fate == Fate::Delivered).count();
    assert!(lost_fences > 0 && delivered_fences > 0, "lost {lost_fences}, delivered {delivered_fences}");
    assert!(o.requests_failed > 0);
    for c in &o.checks {
        assert!(c.within, "{}: measured {:?}, expected {} ± {}", c.metric, c.measured, c.expected, c.tolerance);
    }
    assert!(o.events < 500_000, "{} events", o.events);
}

#[test]
fn promotion_only_after_confirmed_fencing_removes_split_brain() {
    let before = historical();
    let after = run_with(NAME, &[on("fence_before_promote")], 1).outcome;
    assert!(before.split_brain_s > 0.0);
    assert_eq!(after.split_brain_s, 0.0);
    assert!(after.unavailable_s >= before.unavailable_s, "no takeover while fencing is unconfirmed");
    assert!(pairs_both_off(&after) > 0, "both nodes still fence each other");
}

#[test]
fn a_second_fence_method_fences_during_the_freeze_and_saves_pairs() {
    let before = historical();
    let after = run_with(NAME, &[on("second_fence_method")], 1).outcome;
    assert!(pairs_both_off(&after) < pairs_both_off(&before));
    assert!(after.split_brain_s < before.split_brain_s);
    assert!(after.lost_writes < before.lost_writes);
    assert!(after.degraded_s < before.degraded_s);
}

#[test]
fn maintenance_mode_during_the_switch_work_prevents_any_failover() {
    let before = historical();
    let after = run_with(NAME, &[on("maintenance_during_upgrade")], 1).outcome;
    assert_eq!((after.split_brain_s, after.all_down_s, after.leader_changes), (0.0, 0.0, 0));
    assert_eq!(after.degraded_s, 0.0);
    assert!(after.impact_s < before.impact_s / 4.0, "{} vs {}", after.impact_s, before.impact_s);
}

#[test]
fn a_dedicated_cluster_network_keeps_heartbeats_through_the_freeze() {
    let after = run_with(NAME, &[on("dedicated_cluster_network")], 1).outcome;
    assert_eq!((after.split_brain_s, after.all_down_s, after.leader_changes), (0.0, 0.0, 0));
    assert_eq!(after.lost_writes, 0);
    assert!(after.requests_failed > 0, "client traffic across the frozen switches still fails");
}

#[test]
fn a_quorum_witness_stops_promotion_but_the_isolated_active_stops_serving() {
    let before = historical();
    let after = run_with(NAME, &[on("quorum_witness")], 1).outcome;
    assert_eq!((after.split_brain_s, after.all_down_s), (0.0, 0.0));
    let pair_unavailable: f64 = after.groups.iter().filter(|g| g.name.starts_with("pair")).map(|g| g.unavailable_s).sum();
    assert!(pair_unavailable > 22.0 * 60.0, "every active stands down for the freeze: {pair_unavailable}");
    assert!(after.unavailable_s < before.unavailable_s);
}

#[test]
fn generation_checks_refuse_the_stale_active_and_lose_no_writes() {
    let before = historical();
    let after = run_with(NAME, &[on("generation_check")], 1).outcome;
    assert_eq!(after.lost_writes, 0);
    assert!(after.divergent_writes < before.divergent_writes);
    assert!(pairs_both_off(&after) < pairs_both_off(&before), "the stale side stops fencing");
    assert!(after.split_brain_s < before.split_brain_s);
}

#[test]
fn a_dead_time_longer_than_the_freeze_avoids_false_failover() {
    let after = run_with(NAME, &[num("dead_time", 120.0)], 1).outcome;
    assert_eq!((after.split_brain_s, after.all_down_s, after.leader_changes), (0.0, 0.0, 0));
}

/// The historical scenario plus a real failure: fileserver 1 A loses power at
/// 40 min, long before the freeze. Returns pair 1's unavailable time.
fn real_failure_unavailable_s(dead_time_s: f64) -> f64 {
    let mut s: serde_json::Value = serde_json::from_str(&common::scenario_text(NAME)).unwrap();
    let crash = serde_json::json!({ "at": "40min", "title": "fileserver 1 A loses power", "action": { "power_off": { "node": "fs01a" } },
        "narration": "A real failure (test only).", "source": "assumption" });
    let timeline = s["timeline"].as_array_mut().unwrap();
    let at = timeline.iter().position(|st| st["at"] == "75min").unwrap();
    timeline.insert(at, crash);
    let mut o = Overrides::new();
    o.insert("dead_time".into(), incident_replay::scenario::OverrideValue::Number(dead_time_s));
    let r = replay("github-2012.json", &s.to_string(), &o, 1).unwrap();
    r.outcome.groups.iter().find(|g| g.name == "pair01").unwrap().unavailable_s
}

#[test]
fn a_longer_dead_time_takes_over_a_real_failure_later() {
    let fast = real_failure_unavailable_s(5.0);
    let slow = real_failure_unavailable_s(120.0);
    assert!(fast < 15.0, "{fast}");
    assert!(slow > 115.0, "{slow}");
}

#[test]
fn the_fleet_size_is_a_parameter_and_recovery_grows_with_broken_pairs() {
    let small = run_with(NAME, &[num("pairs", 6.0)], 1).outcome;
    let full = historical();
    assert_eq!(small.groups.iter().filter(|g| g.name.starts_with("pair")).count(), 6);
    assert!(pairs_both_off(&small) > 0);
    assert!(small.degraded_s < full.degraded_s / 2.0, "{} vs {}", small.degraded_s, full.degraded_s);
}

fn error_with(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut s: serde_json::Value = serde_json::from_str(&common::scenario_text(NAME)).unwrap();
    edit(&mut s);
    match replay("github-2012.json", &s.to_string(), &Overrides::new(), 1) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_fileserver_and_fencing_input_names_the_field() {
    use serde_json::json;
    let fs = |v: &mut serde_json::Value| v["nodes"][0]["model"]["fileserver"].clone();
    let e = error_with(|v| {
        let mut f = fs(v);
        f.as_object_mut().unwrap().remove("witness");
        f["quorum"] = json!(true);
        v["nodes"][0]["model"]["fileserver"] = f;
    });
    assert!(e.contains("nodes[0].model.fileserver.quorum: a two-node pair needs a `witness`"), "{e}");
    let e = error_with(|v| {
        v["nodes"][0]["model"]["fileserver"]["fence"][0]["enabled"] = json!(false);
        v["nodes"][0]["model"]["fileserver"]["fence"][1]["enabled"] = json!(false);
    });
    assert!(e.contains("nodes[0].model.fileserver.fence: every fence method is disabled"), "{e}");
    let e = error_with(|v| v["nodes"][0]["model"]["fileserver"]["fence_attempts"] = json!(0));
    assert!(e.contains("fence_attempts: 0 is outside 1..100"), "{e}");
    let e = error_with(|v| v["nodes"][0]["model"]["fileserver"]["fence"][0]["device"] = json!("nobody"));
    assert!(e.contains("nodes[0].model.fileserver.fence[0].device: no node named `nobody`"), "{e}");
    let e = error_with(|v| v["links"][0]["enabled"] = json!("!$no_such_toggle"));
    assert!(e.contains("links[0].enabled: refers to unknown toggle `no_such_toggle`"), "{e}");
    let e = error_with(|v| v["nodes"][4]["enabled"] = json!("$pairs>=two"));
    assert!(e.contains("nodes[4].enabled: `two` is not a number"), "{e}");
    let e = error_with(|v| v["nodes"][4]["enabled"] = json!("pairs>=2"));
    assert!(e.contains("nodes[4].enabled: `pairs>=2` should be"), "{e}");
    let e = error_with(|v| {
        let n = v["nodes"].as_array().unwrap().len();
        v["nodes"][n - 1]["model"]["ops_team"]["pairs"][0] = json!(["fs01a", "fs01a"]);
    });
    assert!(e.contains("ops_team.pairs[0]: a pair needs two different nodes"), "{e}");
}

#[test]
fn the_historical_figures_hold_in_nine_of_ten_seeds() {
    let runs: Vec<Outcome> = (1..=10).map(|seed| run_with(NAME, &[], seed).outcome).collect();
    for (i, o) in runs.iter().enumerate() {
        assert!(pairs_split(o) > 0 && pairs_both_off(o) > 0 && pairs_both_off(o) < 22, "seed {}", i + 1);
    }
    for (k, c) in runs[0].checks.iter().enumerate() {
        let held = runs.iter().filter(|o| o.checks[k].within).count();
        let measured: Vec<_> = runs.iter().map(|o| o.checks[k].measured).collect();
        assert!(held >= 9, "{} holds in {held} of 10 seeds: {measured:?}", c.metric);
    }
}
