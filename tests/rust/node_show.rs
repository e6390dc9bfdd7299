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

// ----- the systems added in the second session: facts read from each model's state -----

/// Every node's value of fact `key` at `t_us`, read from the recorded changes
/// (None: the node does not declare it or has no value).
struct Facts<'a> {
    r: &'a Replay,
}

impl Facts<'_> {
    fn index(&self, name: &str) -> usize {
        self.r.run.node_names.iter().position(|n| n == name).unwrap_or_else(|| panic!("node {name}"))
    }
    fn at(&self, name: &str, key: &str, t_us: u64) -> Option<i64> {
        let node = self.index(name);
        let slot = self.r.run.shows[node].facts.iter().position(|f| f.key == key)? as u8;
        let last = self.r.run.trace.facts.iter().filter(|c| c.node.index() == node && c.fact == slot && c.at_us <= t_us).last()?;
        (last.value != incident_replay::model::show::FACT_NONE).then_some(last.value)
    }
    fn node(&self, name: &str) -> i64 {
        self.index(name) as i64
    }
    /// Sample times over the run.
    fn times(&self, samples: u64) -> impl Iterator<Item = u64> {
        let end = self.r.run.trace.end_us;
        (1..=samples).map(move |k| end / samples * k)
    }
}

#[test]
fn aistore_nodes_show_the_smap_they_hold_and_two_islands_show_two_primaries() {
    let r = run_with("aistore-2025", &[], 1);
    let f = Facts { r: &r };
    // The proxies that run AIStore in this run (the scenario sizes the cluster by a parameter).
    let runs_aistore = |p: &str| r.run.shows[f.index(p)].facts.iter().any(|x| x.key == "smap_version");
    let proxies = ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"].into_iter().filter(|p| runs_aistore(p)).collect::<Vec<_>>();
    assert!(proxies.len() >= 3, "{proxies:?}");
    for p in &proxies {
        assert_eq!(f.at(p, "smap_version", 1), Some(1), "{p} starts with the deployment's map");
        assert_eq!(f.at(p, "believed_primary", 1), Some(f.node("p1")), "{p}'s map names p1");
    }
    // Two islands: two proxies whose own maps name themselves, with different versions.
    let split = f.times(600).find_map(|t| {
        let own: Vec<&str> = proxies.iter().copied().filter(|p| f.at(p, "believed_primary", t) == Some(f.node(p))).collect();
        (own.len() >= 2).then(|| (t, own))
    });
    let (t, own) = split.expect("the history run ends in two islands with a primary each");
    let versions: Vec<_> = own.iter().map(|p| f.at(p, "smap_version", t)).collect();
    assert!(versions.windows(2).any(|w| w[0] != w[1]), "the islands' maps differ: {own:?} {versions:?}");
    let members = |p: &str| f.at(p, "smap_members", t).unwrap();
    assert_ne!(members(own[0]), members(own[1]), "each island's map lists its own side");
}

#[test]
fn kafka_shows_the_zombie_controller_acting_in_an_older_epoch_than_zookeeper_holds() {
    let r = run_with("kafka-zombie-controller", &[], 1);
    let f = Facts { r: &r };
    // Once the brokers have heard from ZooKeeper (they start within a second).
    let first = 2_000_000;
    let start = f.at("zk", "controller_epoch", first).expect("ZooKeeper holds an epoch");
    assert_eq!(f.at("b1", "controller_epoch_acting", first), Some(start), "b1 is the controller at the start");
    assert_eq!(f.at("zk", "controller", first), Some(f.node("b1")));
    let zombie = f.times(2_000).find(|&t| {
        let zk = f.at("zk", "controller_epoch", t).unwrap();
        let b1 = f.at("b1", "controller_epoch_acting", t);
        b1.is_some_and(|e| e < zk) && f.at("zk", "controller", t) != Some(f.node("b1"))
    });
    let t = zombie.expect("b1 acts as controller after ZooKeeper moved /controller to a newer epoch");
    let newer = ["b2", "b3"].iter().filter_map(|b| f.at(b, "controller_epoch_acting", t)).max();
    assert_eq!(newer, f.at("zk", "controller_epoch", t), "the new controller acts in ZooKeeper's epoch");
    assert!(f.at("b2", "controller_alive", first).is_none(), "a broker that is not controller lists no live brokers");
}

#[test]
fn kafka_after_the_zombie_wakes_the_two_leaders_show_which_controller_epoch_made_them() {
    let r = run_with("kafka-zombie-controller", &[], 1);
    let f = Facts { r: &r };
    // The pause runs from pause_at (63 s) for pause_length (30 s): b1 wakes at 93 s
    // still acting in epoch 10, the moment the chapter 'The zombie wakes up' shows.
    assert_eq!(f.at("b1", "controller_epoch_acting", 93_000_001), Some(10));
    // A second later it has resigned, but it still leads by its own epoch-10
    // decision while b2 leads by epoch 11's, in the same leader epoch.
    let t = 94_000_000;
    assert_eq!(f.at("b1", "controller_epoch_acting", t), None);
    assert_eq!(f.at("b1", "leader_epoch", t), f.at("b2", "leader_epoch", t));
    assert_eq!(f.at("b1", "decision_controller_epoch", t), Some(10));
    assert_eq!(f.at("b2", "decision_controller_epoch", t), Some(11));
}

#[test]
fn mongodb_members_show_two_primaries_in_different_terms_and_the_rollback() {
    let r = run_with("mongodb-rollback", &[], 1);
    let f = Facts { r: &r };
    let primary = 3;
    assert_eq!(f.at("m1", "state", 1), Some(primary));
    assert_eq!(f.at("m2", "believed_primary", 1).or(f.at("m2", "believed_primary", 3_000_000)), Some(f.node("m1")));
    let both = f.times(3_000).find(|&t| f.at("m1", "state", t) == Some(primary) && ["m2", "m3"].iter().any(|m| f.at(m, "state", t) == Some(primary)));
    let t = both.expect("two members believe they are primary for a while");
    let terms: Vec<_> = ["m1", "m2", "m3"].iter().filter(|m| f.at(m, "state", t) == Some(primary)).map(|m| f.at(m, "term", t).unwrap()).collect();
    assert!(terms[0] != terms[1], "in different terms: {terms:?}");
    let end = r.run.trace.end_us;
    let rolled: i64 = ["m1", "m2", "m3"].iter().filter_map(|m| f.at(m, "rolled_back", end)).sum();
    assert!(rolled > 0, "the old primary rolled back its writes of the cut-off term");
    assert!(rolled as u64 >= r.outcome.lost_writes, "lost acknowledged writes are among the rolled back ones");
}

#[test]
fn patroni_shows_the_stalled_leader_counting_down_its_ttl_while_postgres_stays_primary() {
    let r = run_with("patroni-watchdog", &[], 1);
    let f = Facts { r: &r };
    let stall = step_at(&r, 1);
    let (a, b) = (stall + 2_000_000, stall + 12_000_000);
    assert_eq!(f.at("pg1", "process", a), Some(1), "Patroni on pg1 is stopped");
    assert_eq!(f.at("pg1", "db_role", a), Some(0), "its PostgreSQL is still primary");
    assert_eq!(f.at("pg1", "believes_leader", a), Some(1));
    let (ta, tb) = (f.at("pg1", "ttl_left_us", a).expect("a TTL left"), f.at("pg1", "ttl_left_us", b).expect("a TTL left"));
    assert!(tb < ta, "the TTL it counts runs down while stopped: {ta} then {tb}");
    assert_eq!(f.at("pg1", "key_holder_seen", a), Some(f.node("pg1")));
    let end = r.run.trace.end_us;
    let took = f.times(2_000).find(|&t| f.at("pg2", "believes_leader", t) == Some(1) || f.at("pg3", "believes_leader", t) == Some(1));
    let t = took.expect("another member takes the key");
    assert!(t > stall && t < end);
    let winner = if f.at("pg2", "believes_leader", t) == Some(1) { "pg2" } else { "pg3" };
    assert_eq!(f.at(winner, "key_holder_seen", t), Some(f.node(winner)));
}

#[test]
fn redis_nodes_show_fail_marks_the_new_configepoch_and_the_old_master_following_the_winner() {
    let r = run_with("redis-cluster-failover", &[], 1);
    let f = Facts { r: &r };
    let m1 = r.run.node_names.iter().position(|n| n == "m1").unwrap();
    let bit_of = |name: &str, peer: usize| {
        let i = f.index(name);
        1i64 << r.run.shows[i].peers.iter().position(|&p| p as usize == peer).unwrap()
    };
    assert_eq!(f.at("m1", "replicates", 1), Some(f.node("m1")), "m1 is a master");
    assert_eq!(f.at("r1", "replicates", 1), Some(f.node("m1")), "r1 replicates m1");
    let epoch_before = f.at("m1", "config_epoch", 1).unwrap();
    let marked = f.times(3_000).find(|&t| f.at("m2", "fail", t).is_some_and(|mask| mask & bit_of("m2", m1) != 0));
    let t = marked.expect("the majority side marks m1 FAIL");
    assert_eq!(f.at("m2", "hears", t).unwrap_or(0) & bit_of("m2", m1), 0, "and does not hear from it");
    let end = r.run.trace.end_us;
    let follows = f.at("m1", "replicates", end).unwrap();
    assert_ne!(follows, f.node("m1"), "after the heal m1 is a replica of the winner");
    let winner = &r.run.node_names[follows as usize];
    assert!(f.at(winner, "config_epoch", end).unwrap() > epoch_before, "{winner} claims m1's slots with a higher configEpoch");
    assert!(f.at(winner, "slots", end).unwrap() > 0);
}

#[test]
fn data_is_destroyed_at_gitlabs_rm_rf_not_at_the_backup_the_lost_window_starts_from() {
    let r = run_with("gitlab-2017", &[], 1);
    let deletion = step_at(&r, 9);
    let destroyed = incident_replay::replay::data_destroyed_at_us(&r.run.trace.events).expect("gitlab loses data");
    assert_eq!(destroyed, deletion, "the moment data goes is the rm -rf step");
    let shades = r.shades();
    let window_start = shades.chunks(3).find(|s| s[0] == 3.0).map(|s| s[1] as u64).expect("a lost-data window");
    assert!(window_start < destroyed, "the window of lost writes starts hours before the deletion");
    assert!(shades.chunks(3).any(|s| s[0] == 5.0 && s[1] as u64 == destroyed), "the timeline marks the instant");
    let none = run_with("demo-partition", &[], 1);
    assert_eq!(none.outcome.lost_writes == 0, incident_replay::replay::data_destroyed_at_us(&none.run.trace.events).is_none());
}
