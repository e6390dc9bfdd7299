//! Patroni (`scenarios/patroni-watchdog.json`): Patroni on the primary stops
//! while PostgreSQL keeps committing. Over ten seeds: without a watchdog two
//! primaries overlap and the old one's writes are rewound away; with mode
//! required the host is reset before the key expires. Each setting moves the
//! outcome the way its mechanism says; the measured times match the
//! documented arithmetic; every new field and Patroni's rule refuse bad input.

mod common;

use common::{SEEDS, num, on, over_seeds, run_with};
use incident_replay::model::effect::Role;
use incident_replay::engine::host::Health;
use incident_replay::replay::{replay, Replay};
use incident_replay::scenario::{OverrideValue, Overrides};
use incident_replay::trace::event::TraceEvent;
use serde_json::{json, Value};

const NAME: &str = "patroni-watchdog";
const STALL_AT_S: f64 = 120.0;

fn node(r: &Replay, name: &str) -> u32 {
    r.run.node_names.iter().position(|n| n == name).unwrap() as u32
}

/// Seconds of the first watchdog reset (or crash) of `name`'s host.
fn reset_at_s(r: &Replay, name: &str) -> Option<f64> {
    let n = node(r, name);
    r.run.trace.events.iter().find_map(|e| match *e {
        TraceEvent::Health { at_us, node, health: Health::Crashed } if node.0 == n => Some(at_us as f64 / 1e6),
        _ => None,
    })
}

/// Seconds at which `name` first accepts writes after the stall.
fn promoted_at_s(r: &Replay, name: &str) -> Option<f64> {
    let n = node(r, name);
    r.run.trace.events.iter().find_map(|e| match *e {
        TraceEvent::Role { at_us, node, role: Role::Active, .. } if node.0 == n && at_us > 60_000_000 => Some(at_us as f64 / 1e6),
        _ => None,
    })
}

#[test]
fn without_a_watchdog_two_primaries_overlap_and_with_required_never() {
    for r in over_seeds(NAME, &[]) {
        let o = &r.outcome;
        assert!(o.split_brain_s > 26.0 && o.split_brain_s < 37.0, "seed {}: split {}", o.seed, o.split_brain_s);
        assert!(o.lost_writes > 500, "seed {}: lost {}", o.seed, o.lost_writes);
        assert!(o.checks.iter().all(|c| c.within), "seed {}: {:?}", o.seed, o.checks);
        assert_eq!(reset_at_s(&r, "pg1"), None, "no watchdog, no reset");
        assert!(promoted_at_s(&r, "pg2").is_some() && promoted_at_s(&r, "pg3").is_none(), "seed {}", o.seed);
    }
    for r in over_seeds(NAME, &[num("watchdog_mode", 2.0)]) {
        let o = &r.outcome;
        assert_eq!((o.split_brain_s, o.lost_writes), (0.0, 0), "seed {}", o.seed);
        assert!(o.unavailable_s > 7.0 && o.unavailable_s < 9.0, "seed {}: a moment without a primary: {}", o.seed, o.unavailable_s);
        assert!(o.acked_writes > 5_700, "the application keeps writing to pg2: {}", o.acked_writes);
    }
}

#[test]
fn the_reset_comes_ttl_minus_safety_margin_after_the_last_renewal_and_before_the_promotion() {
    for r in over_seeds(NAME, &[num("watchdog_mode", 2.0)]) {
        let (reset, promoted) = (reset_at_s(&r, "pg1").unwrap(), promoted_at_s(&r, "pg2").unwrap());
        // The last renewal is 0 to loop_wait before the stall: reset 25 - U(0, 10) s after it.
        assert!((15.0..=25.1).contains(&(reset - STALL_AT_S)), "seed {}: stall -> reset {}", r.outcome.seed, reset - STALL_AT_S);
        // Then 5 s to the key's expiry, up to a 0.5 s lessor tick, the 2 s status
        // request the reset primary cannot answer, and 1 s of pg_ctl promote.
        assert!((8.0..=8.6).contains(&(promoted - reset)), "seed {}: reset -> promotion {}", r.outcome.seed, promoted - reset);
    }
    // safety_margin -1: ttl // 2 = 15 s after the renewal, 10 s earlier.
    for r in over_seeds(NAME, &[num("watchdog_mode", 2.0), on("watchdog_half_ttl")]) {
        let reset = reset_at_s(&r, "pg1").unwrap();
        assert!((5.0..=15.1).contains(&(reset - STALL_AT_S)), "seed {}: {}", r.outcome.seed, reset - STALL_AT_S);
        assert!(r.outcome.unavailable_s > 17.0, "a longer gap without a primary: {}", r.outcome.unavailable_s);
    }
    // A larger safety margin resets sooner.
    let r = run_with(NAME, &[num("watchdog_mode", 2.0), num("safety_margin", 15.0)], 1);
    let base = run_with(NAME, &[num("watchdog_mode", 2.0)], 1);
    let earlier = reset_at_s(&base, "pg1").unwrap() - reset_at_s(&r, "pg1").unwrap();
    assert!((earlier - 10.0).abs() < 0.01, "{earlier}");
}

#[test]
fn automatic_protects_only_where_the_device_exists_and_required_without_one_never_leads() {
    for r in over_seeds(NAME, &[num("watchdog_mode", 1.0)]) {
        assert_eq!(r.outcome.split_brain_s, 0.0, "seed {}", r.outcome.seed);
    }
    for r in over_seeds(NAME, &[num("watchdog_mode", 1.0), ("watchdog_device", OverrideValue::Flag(false))]) {
        assert!(r.outcome.split_brain_s > 26.0, "seed {}: automatic without a device leads unprotected", r.outcome.seed);
    }
    for r in over_seeds(NAME, &[num("watchdog_mode", 2.0), ("watchdog_device", OverrideValue::Flag(false))]) {
        let o = &r.outcome;
        assert_eq!(o.acked_writes, 0, "no watchdog, no leadership: nobody accepts writes");
        assert!(o.unavailable_s > 299.0, "seed {}: {}", o.seed, o.unavailable_s);
    }
}

#[test]
fn synchronous_mode_keeps_every_acknowledged_write_but_not_a_single_primary() {
    for r in over_seeds(NAME, &[on("synchronous_mode")]) {
        let o = &r.outcome;
        assert!(o.split_brain_s > 26.0, "seed {}: pg1 still takes writes", o.seed);
        assert_eq!(o.lost_writes, 0, "seed {}: its commits wait for pg2, which stopped acknowledging", o.seed);
        assert!(o.requests_failed > 50, "seed {}: those commits time out: {}", o.seed, o.requests_failed);
    }
}

#[test]
fn a_longer_stall_overlaps_longer_and_a_short_one_may_not_overlap() {
    let mean = |runs: &[Replay]| runs.iter().map(|r| r.outcome.split_brain_s).sum::<f64>() / runs.len() as f64;
    let (short, base, long) = (over_seeds(NAME, &[num("stall", 30.0)]), over_seeds(NAME, &[]), over_seeds(NAME, &[num("stall", 80.0)]));
    assert!(mean(&short) < mean(&base) && mean(&base) + 19.0 < mean(&long));
    // The source document's 30 s pause: the old primary wakes around the promotion.
    let overlapping = short.iter().filter(|r| r.outcome.split_brain_s > 0.0).count();
    assert!((1..SEEDS as usize).contains(&overlapping), "{overlapping} of {SEEDS}");
    // A stall shorter than the time to expiry never lets the key go.
    for r in over_seeds(NAME, &[num("stall", 15.0)]) {
        assert_eq!((r.outcome.split_brain_s, r.outcome.leader_changes), (0.0, 0), "seed {}", r.outcome.seed);
    }
}

#[test]
fn a_longer_ttl_fails_over_later_and_a_shorter_loop_wait_narrows_the_spread() {
    let promotion = |sets: &[(&str, OverrideValue)]| -> Vec<f64> {
        over_seeds(NAME, sets).iter().map(|r| promoted_at_s(r, "pg2").unwrap() - STALL_AT_S).collect()
    };
    let base = promotion(&[]);
    let ttl = promotion(&[num("ttl", 40.0)]);
    for (b, t) in base.iter().zip(&ttl) {
        assert!((t - b - 10.0).abs() < 0.6, "ttl + 10 s delays the promotion by 10 s: {b} -> {t}");
    }
    let spread = |v: &[f64]| v.iter().cloned().fold(f64::MIN, f64::max) - v.iter().cloned().fold(f64::MAX, f64::min);
    let short_loop = promotion(&[num("loop_wait", 4.0)]);
    assert!(spread(&short_loop) < 4.6 && spread(&base) > 4.6, "{short_loop:?} vs {base:?}");
}

/// The scenario with its stall replaced by `action` at the same time.
fn with_stall_replaced(action: Value) -> Value {
    let mut s: Value = serde_json::from_str(&common::scenario_text(NAME)).unwrap();
    assert_eq!(s["timeline"][1]["action"]["command"]["command"], json!("patroni_stall"));
    s["timeline"][1]["action"] = action;
    s
}

fn run_value(s: &Value, sets: &[(&str, OverrideValue)], seed: u64) -> Replay {
    let o: Overrides = sets.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    replay("patroni-watchdog.json", &s.to_string(), &o, seed).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_leader_cut_from_the_dcs_demotes_itself_within_retry_timeout_before_the_key_expires() {
    let s = with_stall_replaced(json!({"cut": {"from": "pg1", "to": "etcd", "both_ways": true}}));
    for retry in [3.0, 10.0] {
        for seed in 1..=SEEDS {
            let r = run_value(&s, &[num("retry_timeout", retry)], seed);
            let pg1 = node(&r, "pg1");
            let demoted = r.run.trace.events.iter().find_map(|e| match *e {
                TraceEvent::Role { at_us, node, role: Role::Passive, .. } if node.0 == pg1 && at_us > 60_000_000 => Some(at_us as f64 / 1e6),
                _ => None,
            });
            let after = demoted.unwrap() - STALL_AT_S;
            // Its next cycle (0 to loop_wait away) gets no answer for retry_timeout.
            assert!(after >= retry && after <= 10.1 + retry, "seed {seed} retry {retry}: demoted {after} s after the cut");
            assert_eq!(r.outcome.split_brain_s, 0.0, "seed {seed}: Patroni's own demotion is enough here");
            assert!(promoted_at_s(&r, "pg2").unwrap() > demoted.unwrap());
        }
    }
}

#[test]
fn maximum_lag_on_failover_keeps_the_lagging_replica_from_promoting() {
    // pg2 fails with pg1: only pg3, more than 1 MiB behind, is left.
    let mut s = with_stall_replaced(json!({"command": {"nodes": ["pg1"], "command": "patroni_stall"}}));
    let crash = json!({"at": "$stall_at", "title": "pg2 fails too", "action": {"crash": {"node": "pg2"}}, "source": "assumption", "narration": "test"});
    s["timeline"].as_array_mut().unwrap().insert(2, crash);
    for seed in 1..=SEEDS {
        let kept_out = run_value(&s, &[], seed);
        assert_eq!(promoted_at_s(&kept_out, "pg3"), None, "seed {seed}: 1 MiB keeps pg3 out");
        let let_in = run_value(&s, &[num("maximum_lag_on_failover", 1e9)], seed);
        assert!(promoted_at_s(&let_in, "pg3").is_some(), "seed {seed}: with 1 GB pg3 takes over");
        // What pg3 never received of pg1's acknowledged writes is gone.
        let (a, b) = (kept_out.outcome.lost_writes, let_in.outcome.lost_writes);
        assert!(b > a + 100, "seed {seed}: lost {a} kept out, {b} let in");
    }
}

#[test]
fn runs_are_deterministic() {
    let a = run_with(NAME, &[num("watchdog_mode", 2.0)], 7);
    let b = run_with(NAME, &[num("watchdog_mode", 2.0)], 7);
    assert_eq!(a.outcome.digest, b.outcome.digest);
}

// ----- bad input -----------------------------------------------------------

fn error_with(edit: impl FnOnce(&mut Value), sets: &[(&str, OverrideValue)]) -> String {
    let mut s: Value = serde_json::from_str(&common::scenario_text(NAME)).unwrap();
    edit(&mut s);
    let o: Overrides = sets.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    match replay("patroni-watchdog.json", &s.to_string(), &o, 1) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

fn pg1(s: &mut Value) -> &mut Value {
    &mut s["nodes"][1]["model"]["patroni"]
}

fn etcd(s: &mut Value) -> &mut Value {
    &mut s["nodes"][0]["model"]["lease_store"]
}

#[test]
fn patronis_rule_is_checked_and_names_the_fields() {
    let e = error_with(|_| {}, &[num("loop_wait", 15.0)]);
    assert_eq!(
        e,
        "patroni-watchdog.json: parameters.ttl: parameters.loop_wait (15 s) + 2 x parameters.retry_timeout (10 s) = 35 s is more than ttl (30 s): Patroni requires loop_wait + 2 x retry_timeout <= ttl"
    );
    let e = error_with(|s| pg1(s)["retry_timeout"] = json!("12s"), &[]);
    assert!(e.starts_with("patroni-watchdog.json: parameters.ttl: parameters.loop_wait (10 s) + 2 x nodes[1].model.patroni.retry_timeout (12 s) = 34 s"), "{e}");
    // At equality the rule holds.
    assert!(replay("p.json", &common::scenario_text(NAME), &[("loop_wait".to_string(), OverrideValue::Number(10.0))].into_iter().collect(), 1).is_ok());
}

#[test]
fn every_new_field_refuses_bad_values_with_its_path() {
    let cases: Vec<(Box<dyn Fn(&mut Value)>, &str)> = vec![
        (Box::new(|s| pg1(s)["ttl"] = json!("10s")), "nodes[1].model.patroni.ttl: Patroni's minimum is 20 s"),
        (Box::new(|s| pg1(s)["loop_wait"] = json!("500ms")), "nodes[1].model.patroni.loop_wait: Patroni's minimum is 1 s"),
        (Box::new(|s| pg1(s)["retry_timeout"] = json!("2s")), "nodes[1].model.patroni.retry_timeout: Patroni's minimum is 3 s"),
        (Box::new(|s| pg1(s)["watchdog"]["mode"] = json!(3)), "nodes[1].model.patroni.watchdog.mode: 3 is not a mode: 0 off, 1 automatic, 2 required"),
        (Box::new(|s| pg1(s)["watchdog"]["mode"] = json!(1.5)), "nodes[1].model.patroni.watchdog.mode: 1.5 is not a whole number"),
        (Box::new(|s| pg1(s)["watchdog"]["safety_margin"] = json!("30s")), "nodes[1].model.patroni.watchdog.safety_margin: must be less than ttl"),
        (Box::new(|s| pg1(s)["watchdog"]["boot_time"] = json!("-1s")), "nodes[1].model.patroni.watchdog.boot_time:"),
        (Box::new(|s| pg1(s)["watchdog"]["device"] = json!("$nope")), "nodes[1].model.patroni.watchdog.device:"),
        (Box::new(|s| pg1(s)["watchdog"]["half_ttl"] = json!(3)), "nodes[1].model.patroni.watchdog.half_ttl:"),
        (Box::new(|s| pg1(s)["wal_record_bytes"] = json!("0B")), "nodes[1].model.patroni.wal_record_bytes: 0 B is outside"),
        (Box::new(|s| pg1(s)["maximum_lag_on_failover"] = json!("5s")), "nodes[1].model.patroni.maximum_lag_on_failover:"),
        (Box::new(|s| pg1(s)["promote_time"] = json!("fast")), "nodes[1].model.patroni.promote_time:"),
        (Box::new(|s| pg1(s)["stall"] = json!(5)), "nodes[1].model.patroni.stall: 5 needs a unit"),
        (Box::new(|s| pg1(s)["store"] = json!("zk")), "nodes[1].model.patroni.store: no node named `zk`"),
        (Box::new(|s| pg1(s)["members"] = json!(["pg1", "pg1"])), "nodes[1].model.patroni.members"),
        (Box::new(|s| pg1(s)["synchronous_mode"] = json!("$nope")), "nodes[1].model.patroni.synchronous_mode:"),
        (Box::new(|s| pg1(s)["plane"] = json!("wan")), "nodes[1].model.patroni.plane: no plane named `wan`"),
        (Box::new(|s| pg1(s)["client_plane"] = json!("wan")), "nodes[1].model.patroni.client_plane: no plane named `wan`"),
        (Box::new(|s| pg1(s)["bootstrap"] = json!("yes")), "nodes[1].model.patroni.bootstrap"),
        (Box::new(|s| pg1(s)["leads_gauge"] = json!(3)), "nodes[1].model.patroni.leads_gauge"),
        (Box::new(|s| pg1(s)["ttl_s"] = json!(30)), "nodes[1].model.patroni.ttl_s: unknown field"),
        (Box::new(|s| etcd(s)["tick"] = json!("0s")), "nodes[0].model.lease_store.tick: must be above zero"),
        (Box::new(|s| etcd(s)["tick"] = json!("10us")), "nodes[0].model.lease_store.tick: must be at least 1 ms"),
        (Box::new(|s| etcd(s)["gauge_key"] = json!(16)), "nodes[0].model.lease_store.gauge_key: 16 is outside 0..=15"),
        (Box::new(|s| etcd(s)["gauge_key"] = json!(-1)), "nodes[0].model.lease_store.gauge_key"),
        (Box::new(|s| etcd(s)["plane"] = json!("wan")), "nodes[0].model.lease_store.plane: no plane named `wan`"),
        (Box::new(|s| etcd(s)["ttl"] = json!("1s")), "nodes[0].model.lease_store.ttl: unknown field"),
    ];
    for (edit, expected) in cases {
        let e = error_with(edit, &[]);
        assert!(e.starts_with(&format!("patroni-watchdog.json: {expected}")), "expected `{expected}`, got `{e}`");
        assert!(!e.contains('\n'), "one line: {e}");
    }
    // Parameters out of their ranges name the parameter.
    let e = error_with(|_| {}, &[num("watchdog_mode", 3.0)]);
    assert!(e.starts_with("patroni-watchdog.json: parameters.watchdog_mode:"), "{e}");
    let e = error_with(|_| {}, &[num("safety_margin", 25.0)]);
    assert!(e.starts_with("patroni-watchdog.json: parameters.safety_margin:"), "{e}");
}

/// Samples of the gauge `name`, as (seconds, value).
fn gauge_samples(r: &Replay, name: &str) -> Vec<(f64, i64)> {
    let id = r.gauges.iter().position(|g| g == name).unwrap_or_else(|| panic!("no gauge {name}")) as u16;
    r.run.trace.events.iter().filter_map(|e| match *e {
        TraceEvent::Gauge { at_us, gauge, value, .. } if gauge == id => Some((at_us as f64 / 1e6, value)),
        _ => None,
    }).collect()
}

#[test]
fn a_watchdog_that_is_not_armed_reports_no_time_left_at_all() {
    // History: watchdog mode off, so no host arms one: the gauges have no
    // samples (no `-1 ms` sentinel), and their summaries say so by being empty.
    let r = run_with(NAME, &[], 1);
    for name in ["pg1_watchdog_ms", "pg2_watchdog_ms", "pg3_watchdog_ms"] {
        assert_eq!(gauge_samples(&r, name), vec![], "{name}");
        let g = r.outcome.gauges.iter().find(|g| g.name == name).unwrap();
        assert_eq!((g.min, g.max, g.last), (0, 0, 0), "{name}");
    }
    // Mode required: pg1 arms its watchdog, so its gauge counts down from at most
    // ttl - safety_margin (25 s) and never reads below zero; standbys never arm one.
    let r = run_with(NAME, &[num("watchdog_mode", 2.0)], 1);
    let pg1 = gauge_samples(&r, "pg1_watchdog_ms");
    assert!(pg1.len() > 60, "armed for the run's first minutes: {} samples", pg1.len());
    assert!(pg1.iter().all(|&(_, v)| (0..=25_000).contains(&v)), "{pg1:?}");
    assert_eq!(gauge_samples(&r, "pg3_watchdog_ms"), vec![], "pg3 never leads, never arms");
}
