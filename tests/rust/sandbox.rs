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
