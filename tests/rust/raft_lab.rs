//! The Raft election lab (`scenarios/raft-elections.json`): the shape of the
//! Raft paper's Figure 16, and bad Raft / database-manager input refused with
//! a path and a reason.

mod common;

use common::{num, on, run_with};
use incident_replay::replay::replay;
use incident_replay::scenario::Overrides;
use serde_json::Value;

const NAME: &str = "raft-elections";

/// Election times (ms) over seeds 1..=seeds, sorted; `disk`: (one-way latency, disk write) in ms.
fn election_ms_with(min: f64, max: f64, heartbeat: f64, seeds: u64, disk: Option<(f64, f64)>) -> Vec<f64> {
    let mut v: Vec<f64> = (1..=seeds)
        .map(|s| {
            let mut sets = vec![num("election_timeout_min", min), num("election_timeout_max", max), num("heartbeat_interval", heartbeat)];
            if let Some((one_way, write)) = disk {
                sets.extend([num("one_way_latency", one_way), num("disk_write", write)]);
            }
            let r = run_with(NAME, &sets, s);
            r.outcome.rto_s * 1e3
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v
}

fn election_ms(min: f64, max: f64, heartbeat: f64, seeds: u64) -> Vec<f64> {
    election_ms_with(min, max, heartbeat, seeds, None)
}

#[test]
fn no_randomness_means_repeated_split_votes() {
    let t = election_ms(150.0, 150.0, 75.0, 20);
    // The trial window is 12 s; the paper saw "consistently over 10 s".
    assert!(t[10] >= 10_000.0, "median {} ms", t[10]);
}

#[test]
fn more_randomness_means_faster_elections() {
    let narrow = election_ms(150.0, 155.0, 75.0, 100);
    let wide = election_ms(150.0, 300.0, 75.0, 100);
    assert!(wide[50] < narrow[50], "median {} vs {}", wide[50], narrow[50]);
    // The paper's worst of 1,000 with 50 ms of randomness was 513 ms; the
    // recommended range at the matched setting stays under 1 s.
    assert!(wide[99] < 1000.0, "worst {}", wide[99]);
    // Never faster than the heartbeat gap plus a timeout allows.
    assert!(wide[0] >= 75.0, "best {}", wide[0]);
}

#[test]
fn a_disk_write_on_the_vote_path_turns_narrow_ranges_into_split_votes() {
    // Same broadcast time (about 15 ms), split differently: a 7 ms one-way
    // delay with no disk, or a 0.1 ms one-way delay with a 14.8 ms write before
    // every vote request and grant. With 5 ms of randomness the write keeps
    // every candidate's request from arriving before the others time out too.
    let network = election_ms_with(150.0, 155.0, 75.0, 40, Some((7.0, 0.0)));
    let disk = election_ms_with(150.0, 155.0, 75.0, 40, Some((0.1, 14.8)));
    assert!(disk[20] > 2.0 * network[20], "median {} vs {}", disk[20], network[20]);
    // With 150 ms of randomness the write costs little.
    let network = election_ms_with(150.0, 300.0, 75.0, 40, Some((7.0, 0.0)));
    let disk = election_ms_with(150.0, 300.0, 75.0, 40, Some((0.1, 14.8)));
    assert!(disk[20] < network[20] + 50.0, "median {} vs {}", disk[20], network[20]);
}

#[test]
fn prevote_adds_a_round_trip_but_still_elects() {
    let r = run_with(NAME, &[on("pre_vote"), on("check_quorum")], 1);
    assert_eq!(r.outcome.leader_changes, 1);
    assert!(r.outcome.rto_s < 1.0);
}

fn error_of(edit: impl FnOnce(&mut Value), name: &str) -> String {
    let mut v: Value = serde_json::from_str(&common::scenario_text(name)).unwrap();
    edit(&mut v);
    match replay("x.json", &v.to_string(), &Overrides::new(), 1) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_raft_and_manager_input_is_refused_with_a_path() {
    let e = error_of(|v| v["nodes"][0]["model"]["raft"]["election_timeout_max"] = "100ms".into(), NAME);
    assert!(e.contains("nodes[0].model.raft.election_timeout_max") && e.contains("at least"), "{e}");
    let e = error_of(|v| v["nodes"][0]["model"]["raft"]["peers"][0] = "s1".into(), NAME);
    assert!(e.contains("nodes[0].model.raft.peers[0]"), "{e}");
    let e = error_of(|v| v["nodes"][1]["model"]["raft"]["initial_leader"] = "nobody".into(), NAME);
    assert!(e.contains("initial_leader"), "{e}");
    let e = error_of(|v| v["nodes"][3]["model"]["db_manager"]["members"] = serde_json::json!(["auth1"]), "cloudflare-2020");
    assert!(e.contains("nodes[3].model.db_manager.members"), "{e}");
    let e = error_of(|v| v["nodes"][4]["model"]["db_member"]["capacity"] = 0.into(), "cloudflare-2020");
    assert!(e.contains("nodes[4].model.db_member.capacity"), "{e}");
    let e = error_of(|v| v["nodes"][4]["model"]["db_member"]["copy_bandwidth"] = "0MB/s".into(), "cloudflare-2020");
    assert!(e.contains("copy_bandwidth"), "{e}");
}
