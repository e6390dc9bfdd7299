//! The sandboxes: healthy scenarios with nothing scripted, broken by injected
//! actions. Each toggle's direction over 10 seeds, under the fault it is for.

mod common;

use incident_replay::replay::{replay_with, Replay};
use incident_replay::scenario::inject;
use incident_replay::scenario::{OverrideValue, Overrides};

fn run(name: &str, sets: &[(&str, OverrideValue)], seed: u64, lines: &[&str]) -> Replay {
    let o: Overrides = sets.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let actions = lines.iter().map(|l| inject::parse_text(l).unwrap()).collect();
    replay_with(&format!("{name}.json"), &common::scenario_text(name), &o, seed, actions).unwrap_or_else(|e| panic!("{e}"))
}

fn gauge_max(r: &Replay, name: &str) -> i64 {
    r.outcome.gauges.iter().find(|g| g.name == name).map(|g| g.max).unwrap_or_else(|| panic!("no gauge {name}"))
}

#[test]
fn left_alone_the_raft_sandbox_keeps_its_first_leader_in_every_seed() {
    for seed in 1..=10 {
        let r = run("sandbox-raft", &[], seed, &[]);
        assert_eq!(r.outcome.leader_changes, 0, "seed {seed}");
        assert_eq!(r.outcome.requests_failed, 0, "seed {seed}");
        assert!(r.outcome.acked_writes > 500, "seed {seed}");
    }
}

/// A follower cut off for 30 s keeps timing out. Without PreVote it raises its
/// term each time (and the heal carries that term back to the cluster); with
/// PreVote it asks first, gets no majority, and its term stays where it was.
#[test]
fn pre_vote_keeps_an_isolated_followers_term_from_running_away() {
    let isolate = ["30s partition s3/s1,s2,s4,s5,client", "60s heal_all"];
    for seed in 1..=10 {
        let plain = gauge_max(&run("sandbox-raft", &[], seed, &isolate), "term");
        let pre_vote = gauge_max(&run("sandbox-raft", &[common::on("pre_vote")], seed, &isolate), "term");
        assert!(plain > 50, "seed {seed}: {plain}");
        assert!(pre_vote <= 2, "seed {seed}: {pre_vote}");
    }
}

/// The leader cut off from the majority (and from the client) for 30 s: without
/// CheckQuorum it still believes it leads while the others elect a new leader
/// (two actives for the whole partition); with it, it steps down within an
/// election timeout or two.
#[test]
fn check_quorum_makes_a_cut_off_leader_step_down() {
    let isolate = ["30s partition s1/s2,s3,s4,s5,client", "60s heal_all"];
    for seed in 1..=10 {
        let plain = run("sandbox-raft", &[], seed, &isolate).outcome.split_brain_s;
        let quorum = run("sandbox-raft", &[common::on("check_quorum")], seed, &isolate).outcome.split_brain_s;
        assert!(plain > 29.0, "seed {seed}: {plain}");
        assert!(quorum < 1.0, "seed {seed}: {quorum}");
    }
}

const HEARTBEAT_CUT: [&str; 1] = ["10min cut fs01a fs01b both planes=cluster"];
/// Both aggregation switches freeze for two minutes with their links still up
/// (GitHub's 2012 failure mode), then recover.
const SWITCH_FREEZE: [&str; 4] = ["10min device_fault agg-1 100% carrier_up", "10min device_fault agg-2 100% carrier_up", "12min device_heal agg-1", "12min device_heal agg-2"];

#[test]
fn left_alone_the_ha_pair_keeps_one_writer_in_every_seed() {
    for seed in 1..=10 {
        let o = run("sandbox-ha-pair", &[], seed, &[]).outcome;
        assert_eq!((o.split_brain_s, o.unavailable_s, o.leader_changes, o.requests_failed), (0.0, 0.0, 0, 0), "seed {seed}");
        // A healthy run at 0.1 requests/s: the spread between a lone local read
        // and a lone replicated write is not an impairment (it was 28 to 30 min).
        assert_eq!(o.request_impact_s, 0.0, "seed {seed}: clients impaired in a healthy run");
    }
}

/// The heartbeat cut both ways: by default the passive promotes before its
/// STONITH is confirmed (a moment of two writers); with fence_before_promote it
/// waits for the fence. With the witness, only the member the witness votes for
/// promotes, so the two do not power each other off and the pair stays up.
#[test]
fn a_heartbeat_cut_splits_the_pair_unless_promotion_waits_for_the_fence_and_the_witness_keeps_it_up() {
    let mut both_off = 0;
    for seed in 1..=10 {
        let plain = run("sandbox-ha-pair", &[], seed, &HEARTBEAT_CUT).outcome;
        let fenced = run("sandbox-ha-pair", &[common::on("fence_before_promote")], seed, &HEARTBEAT_CUT).outcome;
        let witness = run("sandbox-ha-pair", &[common::on("quorum_witness")], seed, &HEARTBEAT_CUT).outcome;
        assert!(plain.split_brain_s > 0.5, "seed {seed}: {}", plain.split_brain_s);
        assert_eq!(fenced.split_brain_s, 0.0, "seed {seed}");
        // Each side fences the other; in most seeds both shots land (nobody serves after).
        both_off += u32::from(plain.unavailable_s > 600.0);
        assert!(witness.unavailable_s < 10.0, "seed {seed}: {}", witness.unavailable_s);
    }
    assert!(both_off >= 8, "both powered off in {both_off} of 10 seeds");
}

/// A two-minute switch freeze: a dedicated cluster network keeps the
/// heartbeats (nothing happens); a second fence path (PDUs, off the switches)
/// lets STONITH finish sooner (a shorter split brain; whether both nodes end up
/// off then depends on the seed); the generation check refuses the stale node
/// at the heal, so the pair is not left with nobody serving.
#[test]
fn a_switch_freeze_and_the_mitigations_for_it() {
    let mut nobody_serving = 0;
    for seed in 1..=10 {
        let plain = run("sandbox-ha-pair", &[], seed, &SWITCH_FREEZE).outcome;
        assert!(plain.split_brain_s > 100.0, "seed {seed}: {}", plain.split_brain_s);
        nobody_serving += u32::from(plain.unavailable_s > 600.0);
        let dedicated = run("sandbox-ha-pair", &[common::on("dedicated_cluster_network")], seed, &SWITCH_FREEZE).outcome;
        assert_eq!((dedicated.split_brain_s, dedicated.unavailable_s), (0.0, 0.0), "seed {seed}");
        let pdu = run("sandbox-ha-pair", &[common::on("second_fence_method")], seed, &SWITCH_FREEZE).outcome;
        assert!(pdu.split_brain_s < plain.split_brain_s - 30.0, "seed {seed}: {} vs {}", pdu.split_brain_s, plain.split_brain_s);
        let generation = run("sandbox-ha-pair", &[common::on("generation_check")], seed, &SWITCH_FREEZE).outcome;
        assert!(generation.unavailable_s < 1.0, "seed {seed}: {}", generation.unavailable_s);
    }
    assert!(nobody_serving >= 8, "nobody serving after the heal in {nobody_serving} of 10 seeds");
}

fn gauge(r: &Replay, name: &str) -> i64 {
    gauge_max(r, name)
}

#[test]
fn left_alone_the_postgres_sandbox_keeps_streaming() {
    for seed in 1..=10 {
        let r = run("sandbox-postgres", &[], seed, &[]);
        assert_eq!(r.outcome.unavailable_s, 0.0, "seed {seed}");
        assert_eq!(gauge(&r, "replication_broken_at_s"), 0, "seed {seed}");
    }
}

/// rm -rf of the primary's data directory: it stops serving, unless the
/// destructive-command guard refuses it on a primary (and counts the refusal).
#[test]
fn the_destructive_command_guard_refuses_rm_on_the_primary() {
    let rm = ["10min command db1 delete_data_directory"];
    for seed in 1..=10 {
        let plain = run("sandbox-postgres", &[], seed, &rm);
        let guarded = run("sandbox-postgres", &[common::on("destructive_command_guard")], seed, &rm);
        assert!(plain.outcome.unavailable_s > 3600.0, "seed {seed}");
        assert_eq!(guarded.outcome.unavailable_s, 0.0, "seed {seed}");
        assert_eq!(gauge(&guarded, "db1_delete_refused"), 1, "seed {seed}");
    }
}

/// The replication link cut for 80 minutes: without a slot the primary
/// recycles WAL the replica still needs (replication breaks); a slot keeps it,
/// at the cost of disk.
#[test]
fn a_replication_slot_keeps_the_wal_a_cut_off_replica_needs() {
    let cut = ["10min cut db1 db2 both", "90min heal db1 db2 both"];
    for seed in 1..=10 {
        let plain = run("sandbox-postgres", &[], seed, &cut);
        let slot = run("sandbox-postgres", &[common::on("replication_slot")], seed, &cut);
        assert!(gauge(&plain, "replication_broken_at_s") > 0, "seed {seed}");
        assert_eq!(gauge(&slot, "replication_broken_at_s"), 0, "seed {seed}");
        assert!(gauge(&slot, "db1_wal_kept_bytes") > gauge(&plain, "db1_wal_kept_bytes"), "seed {seed}");
    }
}

/// A slow replication link (netem delay): with synchronous commit the primary's
/// commits wait for the replica (writes delayed), without it they do not.
#[test]
fn synchronous_commit_makes_commits_wait_for_a_slow_replica() {
    let slow = ["10min netem db1 db2 both delay=2s"];
    for seed in 1..=10 {
        let plain = run("sandbox-postgres", &[], seed, &slow);
        let sync = run("sandbox-postgres", &[common::on("synchronous_commit")], seed, &slow);
        assert_eq!(gauge(&plain, "db1_writes_delayed_bytes"), 0, "seed {seed}");
        assert!(gauge(&sync, "db1_writes_delayed_bytes") > 0 && gauge(&sync, "db1_commit_wait_ms") > 0, "seed {seed}");
    }
}

/// What the gallery calls a sandbox (`meta.kind`) starts healthy: its timeline
/// scripts nothing but narration, and nothing goes wrong left alone. A file that
/// does not say what it is is a replay.
#[test]
fn every_sandbox_scripts_only_narration_and_a_file_without_a_kind_is_a_replay() {
    use incident_replay::scenario::format::{ActionSpec, ScenarioKind};
    let mut sandboxes = vec![];
    for name in common::scenario_names() {
        let s = incident_replay::scenario::parse(&format!("{name}.json"), &common::scenario_text(&name)).unwrap();
        if s.meta.kind != ScenarioKind::Sandbox {
            continue;
        }
        for (i, step) in s.timeline.iter().enumerate() {
            assert!(matches!(step.action, ActionSpec::Note | ActionSpec::End), "{name}: timeline[{i}] scripts {:?}", step.action);
        }
        let r = run(&name, &[], 1, &[]);
        assert_eq!(r.outcome.lost_writes + r.outcome.divergent_writes, 0, "{name}: nothing lost left alone");
        sandboxes.push(name);
    }
    assert!(sandboxes.len() >= 3, "{sandboxes:?}");
    let mut untold = common::scenario_json("demo-partition");
    untold["meta"].as_object_mut().unwrap().remove("kind");
    let s = incident_replay::scenario::parse("demo.json", &untold.to_string()).unwrap();
    assert_eq!(s.meta.kind, ScenarioKind::Replay);
}
