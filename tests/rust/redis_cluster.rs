//! Redis Cluster (`scenarios/redis-cluster-failover.json`): the history over
//! ten seeds, every toggle and parameter moving the outcome the way its
//! mechanism says, the seed's quorum example, bad input refused with a path,
//! determinism, and the safety claim under random partitions: no two masters
//! of one slot range are ever elected with the same configEpoch.

mod common;

use std::collections::BTreeMap;

use common::{SEEDS, mean, num, off, over_seeds, run_with};
use incident_replay::model::effect::Role;
use incident_replay::model::msg::kind_name;
use incident_replay::replay::{replay, Replay};
use incident_replay::scenario::{OverrideValue, Overrides};
use incident_replay::trace::event::TraceEvent;
use serde_json::{json, Value};

const NAME: &str = "redis-cluster-failover";
fn over_seeds_edited(edit: impl Fn(&mut Value), sets: &[(&str, OverrideValue)]) -> Vec<Replay> {
    let mut v = scenario();
    edit(&mut v);
    let o: Overrides = sets.iter().map(|(k, x)| (k.to_string(), x.clone())).collect();
    (1..=SEEDS).map(|s| replay("x.json", &v.to_string(), &o, s).unwrap_or_else(|e| panic!("{e}"))).collect()
}

fn gauge(r: &Replay, name: &str) -> (i64, i64) {
    r.outcome.gauges.iter().find(|g| g.name == name).map_or((0, 0), |g| (g.last, g.max))
}

fn lost(r: &Replay) -> f64 {
    r.outcome.lost_writes as f64
}

#[test]
fn the_cut_off_master_loses_its_writes_and_its_replica_takes_over() {
    let runs = over_seeds(NAME, &[]);
    let held = runs.iter().filter(|r| r.outcome.checks.iter().all(|c| c.within)).count();
    assert!(held >= 9, "checks hold in {held} of 10 seeds");
    for r in &runs {
        let o = &r.outcome;
        // m1 acknowledges its slots' writes for one to one and a half node timeouts.
        assert!((40..=95).contains(&o.lost_writes), "seed {}: lost {}", o.seed, o.lost_writes);
        assert!(o.rpo_s > 4.5 && o.rpo_s < 8.0, "seed {}: rpo {}", o.seed, o.rpo_s);
        let (_, failover_ms) = gauge(r, "failover_ms");
        assert!((5_500..=9_500).contains(&failover_ms), "seed {}: failover {failover_ms}", o.seed);
        assert_eq!(o.leader_changes, 1, "seed {}: one failover", o.seed);
        // Side B refuses everything only between m1's FAIL and r1's election (full coverage).
        let (b_down, _) = gauge(r, "down_ms_side_b");
        assert!(b_down > 0 && b_down < 3_000, "seed {}: side B down {b_down} ms", o.seed);
    }
}

#[test]
fn the_seeds_quorum_example_promotes_nobody_and_stops_the_cluster() {
    // Shape 1: m1 with its replica r1 on side A. No replica of m1 on side B
    // can stand, r1 cannot reach a majority of masters, so nobody takes m1's
    // slots; with full coverage the whole of side B refuses queries.
    for r in over_seeds(NAME, &[num("shape", 1.0)]) {
        let o = &r.outcome;
        assert_eq!((o.lost_writes, o.split_brain_s, o.leader_changes), (0, 0.0, 0), "seed {}", o.seed);
        assert_eq!(gauge(&r, "failover_ms").1, 0, "seed {}: nobody promoted", o.seed);
        let (b_down, _) = gauge(&r, "down_ms_side_b");
        assert!(b_down > 50_000, "seed {}: side B down {b_down} ms of the 60 s partition", o.seed);
        assert_eq!(gauge(&r, "state_side_b").0, 0, "seed {}: ok again after the heal", o.seed);
    }
    // Without full coverage side B keeps serving m2's and m3's slots.
    for r in over_seeds(NAME, &[num("shape", 1.0), off("require_full_coverage")]) {
        assert_eq!(gauge(&r, "down_ms_side_b").0, 0, "seed {}", r.outcome.seed);
        assert_eq!(r.outcome.lost_writes, 0);
    }
}

#[test]
fn full_coverage_decides_whether_an_uncovered_range_stops_the_rest() {
    let with = over_seeds(NAME, &[num("shape", 1.0)]);
    let without = over_seeds(NAME, &[num("shape", 1.0), off("require_full_coverage")]);
    let ok = |runs: &[Replay]| mean(runs, |r| r.outcome.requests_ok as f64);
    assert!(ok(&without) > ok(&with) * 1.15, "{} -> {}", ok(&with), ok(&without));
    let unavailable = |runs: &[Replay]| mean(runs, |r| r.outcome.unavailable_s);
    // Three ranges stopped vs the one nobody serves.
    assert!(unavailable(&with) > 2.5 * unavailable(&without), "{} vs {}", unavailable(&with), unavailable(&without));
}

#[test]
fn two_masters_cut_off_are_the_majority() {
    // Shape 2: m1 and m2 (two of three masters) on side A: m3 is the minority.
    // Side A marks m3 FAIL, but m3's replica on side B cannot get votes.
    for r in over_seeds(NAME, &[num("shape", 2.0), off("require_full_coverage")]) {
        let o = &r.outcome;
        assert_eq!((o.lost_writes, o.leader_changes), (0, 0), "seed {}", o.seed);
        assert!(gauge(&r, "down_ms_side_b").0 > 50_000, "seed {}: m3 refuses while in the minority", o.seed);
        assert_eq!(gauge(&r, "down_ms_side_a").0, 0, "seed {}: m1 keeps serving with m2", o.seed);
    }
}

#[test]
fn a_second_replica_on_the_majority_side_takes_over() {
    for r in over_seeds(NAME, &[num("shape", 1.0), num("replicas_per_master", 2.0)]) {
        let o = &r.outcome;
        assert_eq!(o.leader_changes, 1, "seed {}: r1b is elected", o.seed);
        assert!(o.lost_writes > 30, "seed {}: m1's writes go: {}", o.seed, o.lost_writes);
    }
}

#[test]
fn the_node_timeout_sets_the_window_of_lost_writes_and_the_failover_time() {
    let failover = |runs: &[Replay]| mean(runs, |r| gauge(r, "failover_ms").1 as f64);
    let short = over_seeds(NAME, &[num("node_timeout", 2.0)]);
    let default = over_seeds(NAME, &[]);
    let long = over_seeds(NAME, &[num("node_timeout", 15.0), num("report_at", 60.0)]);
    let (ls, ld, ll) = (mean(&short, lost), mean(&default, lost), mean(&long, lost));
    assert!(ls < ld * 0.6 && ll > ld * 2.0, "lost {ls} / {ld} / {ll}");
    let (fs, fd, fl) = (failover(&short), failover(&default), failover(&long));
    assert!(fs < fd - 2_000.0 && fl > fd + 8_000.0, "failover {fs} / {fd} / {fl}");
}

#[test]
fn min_replicas_to_write_stops_the_cut_off_master_sooner() {
    let default = mean(&over_seeds(NAME, &[]), lost);
    // A replica acknowledges every second: with a 2 s lag m1 stops within about 2 s.
    let tight = mean(&over_seeds(NAME, &[num("min_replicas_to_write", 1.0), num("min_replicas_max_lag", 2.0)]), lost);
    assert!(tight < default * 0.5, "{default} -> {tight}");
    // With the default 10 s lag the node timeout (5 s) stops it first.
    let loose = mean(&over_seeds(NAME, &[num("min_replicas_to_write", 1.0)]), lost);
    assert!((loose - default).abs() < default * 0.1, "{default} -> {loose}");
    // With redis.conf's 15 s node timeout the 10 s lag stops it first.
    let nt15 = [num("node_timeout", 15.0), num("report_at", 60.0)];
    let long = mean(&over_seeds(NAME, &nt15), lost);
    let long_min = mean(&over_seeds(NAME, &[nt15[0].clone(), nt15[1].clone(), num("min_replicas_to_write", 1.0)]), lost);
    assert!(long_min < long * 0.85, "{long} -> {long_min}");
    // Asking for two replicas of a master that has one refuses every write.
    let none = over_seeds(NAME, &[num("min_replicas_to_write", 2.0)]);
    assert!(none.iter().all(|r| r.outcome.lost_writes == 0 && r.outcome.requests_ok < r.outcome.requests_failed));
}

/// When another node than the first writable master of m1's range (group 0) became writable, if before `until_us`.
fn failover_before(r: &Replay, until_us: u64) -> Option<u64> {
    let mut first = None;
    for e in &r.run.trace.events {
        if let TraceEvent::Role { at_us, node, group, role: Role::Active, .. } = *e {
            if group.0 != 0 || at_us >= until_us {
                continue;
            }
            match first {
                None => first = Some(node),
                Some(n) if n != node => return Some(at_us),
                _ => {}
            }
        }
    }
    None
}

/// r1 loses its replication link (and bus link) to m1 at 10 s, long before
/// the partition: its data is old when m1 fails.
fn replica_cut_early(v: &mut Value) {
    let steps = v["timeline"].as_array_mut().unwrap();
    steps.insert(1, json!({"at": "10s", "title": "r1 loses m1", "action": {"cut": {"from": "m1", "to": "r1", "both_ways": true}}, "narration": "", "source": "assumption"}));
}

#[test]
fn the_validity_factor_keeps_a_stale_replica_from_standing() {
    // Data age at the failover: about 27 s, minus the 5 s node timeout = 22 s.
    // Factor 1: limit 5 s x 1 + 10 s = 15 s, so r1 never stands and m1's slots stay uncovered.
    for r in over_seeds_edited(replica_cut_early, &[num("replica_validity_factor", 1.0)]) {
        // (After the heal r1 hears m1 again and may still replace it while m1's FAIL flag lingers.)
        assert_eq!(failover_before(&r, 90_000_000), None, "seed {}", r.outcome.seed);
        assert!(gauge(&r, "down_ms_side_b").0 > 50_000, "seed {}: full coverage stops side B", r.outcome.seed);
    }
    // Factor 10 (limit 60 s) and 0 (always try): r1 takes over, with the writes it missed gone too.
    for factor in [10.0, 0.0] {
        for r in over_seeds_edited(replica_cut_early, &[num("replica_validity_factor", factor)]) {
            assert!(failover_before(&r, 90_000_000).is_some(), "factor {factor} seed {}", r.outcome.seed);
            assert!(r.outcome.lost_writes > 200, "factor {factor}: 27 s of m1's writes: {}", r.outcome.lost_writes);
        }
    }
}

#[test]
fn more_masters_spread_the_loss_thinner_and_no_traffic_loses_nothing() {
    let three = mean(&over_seeds(NAME, &[]), lost);
    let five = mean(&over_seeds(NAME, &[num("masters", 5.0)]), lost);
    assert!(five < three * 0.8 && five > 0.0, "{three} -> {five}");
    assert!(over_seeds(NAME, &[num("masters", 5.0)]).iter().all(|r| r.outcome.leader_changes == 1));
    let idle = over_seeds(NAME, &[num("client_rate", 0.0)]);
    assert!(idle.iter().all(|r| r.outcome.acked_writes == 0 && r.outcome.lost_writes == 0 && r.outcome.leader_changes == 1));
    let early = mean(&over_seeds(NAME, &[num("report_at", 32.0), num("heal_at", 33.0)]), lost);
    assert_eq!(early, 0.0, "healed before the node timeout: no failover, nothing lost");
}

#[test]
fn same_seed_same_digest() {
    let a = run_with(NAME, &[], 4);
    let b = run_with(NAME, &[], 4);
    assert_eq!(a.outcome.digest, b.outcome.digest);
    assert_ne!(a.outcome.digest, run_with(NAME, &[], 5).outcome.digest);
    assert!(a.run.trace.messages.iter().any(|m| kind_name(m.kind) == "rc-auth-request"));
}

fn scenario() -> Value {
    common::scenario_json(NAME)
}

fn error_of(edit: impl FnOnce(&mut Value)) -> String {
    common::error_after(NAME, edit)
}

#[test]
fn bad_redis_cluster_input_is_refused_with_a_path() {
    fn rc(v: &mut Value) -> &mut Value {
        &mut v["nodes"][0]["model"]["redis_cluster"]
    }
    let e = error_of(|v| rc(v)["shards"] = json!([]));
    assert!(e.contains("nodes[0].model.redis_cluster.shards") && e.contains("1 to 16"), "{e}");
    let e = error_of(|v| rc(v)["shards"][1]["nodes"][0] = "nobody".into());
    assert!(e.contains("nodes[0].model.redis_cluster.shards[1].nodes[0]") && e.contains("nobody"), "{e}");
    let e = error_of(|v| rc(v)["shards"][1]["nodes"][2] = "m1".into());
    assert!(e.contains("redis_cluster.shards") && e.contains("`m1`") && e.contains("more than one shard"), "{e}");
    let e = error_of(|v| rc(v)["shards"][0]["nodes"][1] = "m2".into());
    assert!(e.contains("more than one shard") || e.contains("twice"), "{e}");
    let e = error_of(|v| rc(v)["replica_validity_factor"] = 2000.into());
    assert!(e.contains("replica_validity_factor") && e.contains("0..=1000"), "{e}");
    let e = error_of(|v| rc(v)["min_replicas_to_write"] = 16.into());
    assert!(e.contains("min_replicas_to_write") && e.contains("outside"), "{e}");
    let e = error_of(|v| rc(v)["node_timeout"] = "0s".into());
    assert!(e.contains("redis_cluster.node_timeout") && e.contains("above zero"), "{e}");
    let e = error_of(|v| rc(v)["repl_ping_replica_period"] = "10".into());
    assert!(e.contains("repl_ping_replica_period") && e.contains("unit"), "{e}");
    let e = error_of(|v| rc(v)["require_full_coverage"] = "$nope".into());
    assert!(e.contains("require_full_coverage") && e.contains("nope"), "{e}");
    let e = error_of(|v| rc(v)["plane"] = "nowhere".into());
    assert!(e.contains("redis_cluster.plane") && e.contains("nowhere"), "{e}");
    let e = error_of(|v| rc(v)["shards"][0]["typo"] = 1.into());
    assert!(e.contains("typo"), "{e}");
    // A node that is in no shard.
    let e = error_of(|v| {
        for s in rc(v)["shards"].as_array_mut().unwrap() {
            s["nodes"].as_array_mut().unwrap().retain(|n| n != "m1");
        }
    });
    assert!(e.contains("nodes[0].model.redis_cluster.shards") && e.contains("in no shard"), "{e}");
    // Seventeen nodes in one cluster.
    let e = error_of(|v| {
        v["parameters"]["masters"]["default"] = 5.into();
        v["parameters"]["replicas_per_master"]["default"] = 2.into();
        v["parameters"]["five_with_two_replicas"]["default"] = 1.into();
        // 5 masters + 10 replicas running, plus two more: 17.
        for extra in ["r6", "r7"] {
            let node = json!({"name": extra, "model": {"redis_cluster": rc(v).clone()}});
            v["nodes"].as_array_mut().unwrap().push(node);
            for n in v["nodes"].as_array_mut().unwrap() {
                if let Some(m) = n["model"].get_mut("redis_cluster") {
                    m["shards"][2]["nodes"].as_array_mut().unwrap().push(extra.into());
                }
            }
        }
    });
    assert!(e.contains("at most 16 nodes"), "{e}");
    // The event budget: the cluster bus's cron and pings are counted before the run, named by the node timeout.
    let e = error_of(|v| {
        v["limits"]["events_max"] = 5_000.into();
        v["parameters"]["client_rate"]["default"] = 0.into();
    });
    assert!(e.contains("parameters.node_timeout") && e.contains("limits.events_max"), "{e}");
    // Out-of-range parameters are refused before anything runs.
    let bad = replay("x.json", &scenario().to_string(), &[("shape".to_string(), OverrideValue::Number(3.0))].into_iter().collect(), 1);
    assert!(bad.is_err_and(|e| e.to_string().contains("shape")));
}

// ---- safety under random partitions ------------------------------------------

/// A small deterministic generator for fault schedules (the run has its own streams).
struct Gen(u64);
impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const RUNNING: [&str; 8] = ["m1", "m2", "m3", "r1", "r2", "r3", "client_a", "client_b"];

/// Random partitions into two or three groups, one-way and two-way cuts, crashes, restarts and heals.
fn random_timeline(g: &mut Gen) -> Vec<Value> {
    let mut steps = vec![json!({"at": "0s", "title": "start", "action": "note", "narration": "", "source": "assumption"})];
    let mut t = 5 + g.below(20);
    while t < 110 {
        let node = RUNNING[g.below(6) as usize];
        let action = match g.below(6) {
            0 => json!("heal_all"),
            1 => json!({"crash": {"node": node}}),
            2 => json!({"restart": {"node": node}}),
            3 => {
                let other = RUNNING[g.below(6) as usize];
                if other == node {
                    json!("heal_all")
                } else {
                    json!({"cut": {"from": node, "to": other, "both_ways": g.below(2) == 0}})
                }
            }
            _ => {
                let k = 2 + g.below(2) as usize;
                let mut groups = vec![vec![]; k];
                for n in RUNNING {
                    groups[g.below(k as u64) as usize].push(n);
                }
                groups.retain(|gr| !gr.is_empty());
                json!({"partition": {"groups": groups}})
            }
        };
        steps.push(json!({"at": format!("{t}s"), "title": "fault", "action": action, "narration": "", "source": "assumption"}));
        t += 3 + g.below(25);
    }
    steps
}

/// (group, configEpoch) pairs claimed as writable master by two different nodes.
fn epochs_elected_twice(r: &Replay) -> Vec<(u16, u32)> {
    let mut by: BTreeMap<(u16, u32), u32> = BTreeMap::new();
    let mut twice = vec![];
    for e in &r.run.trace.events {
        if let TraceEvent::Role { node, group, role: Role::Active, epoch, .. } = *e {
            match by.get(&(group.0, epoch.term)) {
                Some(&other) if other != node.0 => twice.push((group.0, epoch.term)),
                _ => {
                    by.insert((group.0, epoch.term), node.0);
                }
            }
        }
    }
    twice
}

#[test]
fn no_two_masters_of_a_range_are_elected_in_one_epoch() {
    let cases: u64 = std::env::var("RC_SCHEDULES").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let (mut violating, mut failovers) = (0, 0);
    for case in 1..=cases {
        let mut g = Gen(0x9e37_79b9_7f4a_7c15 ^ case.wrapping_mul(0x2545_f491_4f6c_dd1d));
        let mut v = scenario();
        v["timeline"] = Value::Array(random_timeline(&mut g));
        let timeout = [1.0, 2.0, 5.0][g.below(3) as usize];
        let o: Overrides = [("node_timeout".to_string(), OverrideValue::Number(timeout))].into_iter().collect();
        let r = replay("x.json", &v.to_string(), &o, case).unwrap_or_else(|e| panic!("case {case}: {e}"));
        failovers += u64::from(r.outcome.leader_changes);
        let twice = epochs_elected_twice(&r);
        if !twice.is_empty() {
            violating += 1;
            eprintln!("case {case}: (group, configEpoch) elected twice: {twice:?}");
        }
    }
    eprintln!("{violating} of {cases} schedules with an epoch elected twice; {failovers} failovers");
    assert_eq!(violating, 0);
    assert!(failovers > cases / 2, "the schedules must actually fail over: {failovers}");
}
