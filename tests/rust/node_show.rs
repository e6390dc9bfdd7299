//! The per-node state the stage shows (`model/show.rs`), read back from the
//! frames the page draws: role words from the model, GitLab's data directory
//! and backups, fencing, Raft's view, and that facts leave the digest alone.

mod common;

use common::{on, run_with};
use incident_replay::replay::Replay;
use incident_replay::trace::frame::{GROUP_STRIDE, HEADER, LINK_STRIDE, MSG_STRIDE, NODE_STRIDE};

/// Node `name`'s fact `key` in the frame at `t_us` (None: no value).
fn fact_at(r: &mut Replay, name: &str, key: &str, t_us: u64) -> Option<f64> {
    let node = r.run.node_names.iter().position(|n| n == name).expect("node");
    let slot = r.run.shows[node].facts.iter().position(|f| f.key == key).expect("fact");
    let (nodes, links) = (r.run.node_count(), r.run.network.links.len());
    let groups = r.groups.len();
    let frame = r.frame(t_us).to_vec();
    let (msgs, slots) = (frame[2] as usize, frame[4] as usize);
    let at = HEADER + nodes * NODE_STRIDE + links * LINK_STRIDE + msgs * MSG_STRIDE + groups * GROUP_STRIDE + node * slots + slot;
    assert_eq!(frame.len(), HEADER + nodes * NODE_STRIDE + links * LINK_STRIDE + msgs * MSG_STRIDE + groups * GROUP_STRIDE + nodes * slots);
    let v = frame[at];
    (v != -1.0).then_some(f64::from(v))
}

fn step_at(r: &Replay, index: u32) -> u64 {
    r.run
        .trace
        .events
        .iter()
        .find_map(|e| match *e {
            incident_replay::trace::event::TraceEvent::Step { at_us, index: i } if i == index => Some(at_us),
            _ => None,
        })
        .expect("step ran")
}

fn words(r: &Replay, name: &str, key: &str) -> Vec<&'static str> {
    let node = r.run.node_names.iter().position(|n| n == name).unwrap();
    match &r.run.shows[node].facts.iter().find(|f| f.key == key).unwrap().unit {
        incident_replay::model::show::Unit::Choice(w) => w.clone(),
        u => panic!("{key} is {u:?}"),
    }
}

#[test]
fn gitlab_shows_the_data_directory_shrinking_and_every_backup_method_unusable() {
    let mut r = run_with("gitlab-2017", &[], 1);
    // Just after the deletion is stopped (timeline step 10) and before the restore.
    let stopped = step_at(&r, 10) + 1_000_000;
    let start = fact_at(&mut r, "db1", "data_bytes", 1).unwrap();
    let after = fact_at(&mut r, "db1", "data_bytes", stopped).unwrap();
    assert!((start - 300e9).abs() < 1e9, "db1 starts with 300 GB, shows {start}");
    assert!((after - 4.5e9).abs() < 0.2e9, "db1 ends with about 4.5 GB, shows {after}");
    let status = words(&r, "backups", "pg_dump");
    // At the deletion: each method the postmortem lists is not "ok".
    for key in ["pg_dump", "disk_snapshots", "replication", "automated_backups"] {
        let v = fact_at(&mut r, "backups", key, stopped).unwrap() as usize;
        assert_ne!(status[v], "ok", "{key} should not be usable after the deletion in the history run");
    }
}

#[test]
fn raft_nodes_report_their_state_in_rafts_words_with_term_and_leader() {
    let mut r = run_with("raft-elections", &[], 1);
    let node = r.run.node_names.iter().position(|n| n == "s1").unwrap();
    assert_eq!(r.run.shows[node].role_words[3], "leader");
    let state_words = words(&r, "s1", "state");
    assert!(state_words.contains(&"pre-candidate"));
    let end = r.run.trace.end_us;
    let leaders: Vec<f64> = ["s1", "s2", "s3", "s4", "s5"].iter().filter_map(|n| fact_at(&mut r, n, "believed_leader", end)).collect();
    assert!(!leaders.is_empty(), "someone believes in a leader at the end");
    assert!(fact_at(&mut r, "s2", "term", end).unwrap() >= 1.0);
}

#[test]
fn github_fileservers_report_their_fencing_attempts() {
    let r = run_with("github-2012", &[], 1);
    let node = r.run.node_names.iter().position(|n| n.starts_with("fs")).unwrap();
    let requests = r.run.shows[node].facts.iter().position(|f| f.key == "fence_requests").unwrap() as u8;
    let sent = r.run.trace.facts.iter().filter(|c| c.fact == requests && r.run.node_names[c.node.index()].starts_with("fs")).count();
    assert!(sent > 0, "fileservers sent fence requests in the history run");
}

#[test]
fn facts_do_not_change_the_digest() {
    let a = run_with("demo-partition", &[], 3);
    let mut b = run_with("demo-partition", &[], 3);
    b.run.trace.facts.clear();
    assert!(!a.run.trace.facts.is_empty());
    assert_eq!(a.outcome.digest, incident_replay::trace::digest::digest(&b.run.trace));
}

#[test]
fn split_brain_is_in_the_frame_while_it_lasts_and_not_with_fencing_first() {
    let writable_max = |r: &mut Replay| {
        let (nodes, links, groups) = (r.run.node_count(), r.run.network.links.len(), r.groups.len());
        let end = r.run.trace.end_us;
        let mut most = 0.0f32;
        for k in 0..2_000u64 {
            let f = r.frame(end / 2_000 * k).to_vec();
            let at = HEADER + nodes * NODE_STRIDE + links * LINK_STRIDE + f[2] as usize * MSG_STRIDE;
            most = f[at..at + groups].iter().copied().fold(most, f32::max);
        }
        most
    };
    let mut history = run_with("github-2012", &[], 1);
    assert!(history.outcome.split_brain_s > 0.0);
    assert!(writable_max(&mut history) >= 2.0);
    let mut fenced = run_with("github-2012", &[on("fence_before_promote")], 1);
    assert_eq!(fenced.outcome.split_brain_s, 0.0);
    assert!(writable_max(&mut fenced) < 2.0);
}
