//! GitLab 2017: the historical run reproduces the sheet's figures, and every
//! mitigation changes the outcome in the expected direction through the model.
//! Gauges: `usable_restore_points`, `lost_*`, `replication_broken_at_s`,
//! `db1_data_left_bytes`, `db1_disk_used_bytes`, `db1_state`, `state_*`.

mod common;
use common::{num, on, run_with};
use incident_replay::monitor::outcome::Outcome;
use incident_replay::scenario::OverrideValue;

const NAME: &str = "gitlab-2017";
const HOUR: f64 = 3600.0;

fn run(sets: &[(&str, OverrideValue)]) -> Outcome {
    run_with(NAME, sets, 1).outcome
}

fn m(o: &Outcome, name: &str) -> f64 {
    o.metric(name).unwrap_or_else(|| panic!("no metric {name}"))
}

#[test]
fn historical_run_matches_the_record() {
    let o = run(&[]);
    for c in &o.checks {
        assert!(c.within, "{} expected {} ± {} measured {:?}", c.metric, c.expected, c.tolerance, c.measured);
    }
    // Replication broke before the deletion started (23:26:58 = 23,218 s).
    let broken = m(&o, "replication_broken_at_s");
    assert!(broken > 0.0 && broken < 23_218.0, "{broken}");
    // A small part of the data is left.
    assert!(m(&o, "db1_data_left_bytes") < 0.05 * 300e9);
    // Every path but the manual snapshot is unusable.
    assert_eq!(m(&o, "usable_restore_points"), 1.0);
    assert_eq!(m(&o, "restore_choice"), 2.0, "LVM snapshot in staging");
    assert_eq!(m(&o, "state_pg_dump"), 1.0, "empty dumps");
    assert_eq!(m(&o, "state_object_storage"), 0.0, "empty bucket");
    assert_eq!(m(&o, "state_cloud_snapshots"), 0.0, "not enabled for DB hosts");
    assert_eq!(m(&o, "db2_state"), 4.0, "db2 wiped and still rebuilding");
    assert!(o.events < 400_000, "{}", o.events);
}

#[test]
fn wal_archiving_gives_point_in_time_recovery() {
    let (before, after) = (run(&[]), run(&[on("wal_archiving")]));
    assert!(after.rpo_s < 60.0, "{}", after.rpo_s);
    assert!(after.rpo_s < before.rpo_s);
    assert!(after.rto_s < before.rto_s);
    assert!(m(&after, "lost_projects") < m(&before, "lost_projects"));
    assert_eq!(m(&after, "replication_broken_at_s"), 0.0, "the replica reads missed WAL from the archive");
    assert_eq!(m(&after, "state_wal_archive"), 3.0);
}

#[test]
fn replication_slot_keeps_the_replica_but_grows_the_primary_disk() {
    let (before, after) = (run(&[]), run(&[on("replication_slot")]));
    assert_eq!(m(&after, "replication_broken_at_s"), 0.0);
    assert!(after.rpo_s < before.rpo_s && after.rto_s < before.rto_s);
    assert!(m(&after, "db1_disk_used_bytes_max") > m(&before, "db1_disk_used_bytes_max"));
    // The risk: on a disk with little headroom the retained WAL fills it and the primary stops.
    let tight = run(&[on("replication_slot"), num("disk_size", 306.0)]);
    let tight_without = run(&[num("disk_size", 306.0)]);
    assert!(tight.unavailable_s > after.unavailable_s, "disk full stops db1 before the deletion");
    assert!(tight_without.unavailable_s <= before.unavailable_s + 1.0);
}

#[test]
fn larger_wal_keep_segments_keeps_the_replica() {
    let (before, after) = (run(&[]), run(&[num("wal_keep_segments", 1024.0)]));
    assert_eq!(m(&after, "replication_broken_at_s"), 0.0);
    assert!(after.rpo_s < before.rpo_s && after.rto_s < before.rto_s);
    assert!(m(&after, "db1_wal_kept_bytes_max") > m(&before, "db1_wal_kept_bytes_max"));
}

#[test]
fn synchronous_commit_bounds_the_lag_at_a_latency_cost() {
    let (before, after) = (run(&[]), run(&[on("synchronous_commit")]));
    assert!(m(&after, "db2_lag_bytes_max") < m(&before, "db2_lag_bytes_max") / 10.0);
    assert!(after.rpo_s < 60.0 && after.rto_s < before.rto_s);
    assert!(m(&after, "db1_commit_wait_ms_max") > 0.0, "commits wait for the replica");
    assert!(m(&after, "db1_writes_delayed_bytes") > 0.0, "writes beyond the link's rate are held back");
}

#[test]
fn verified_backups_find_the_empty_dumps_before_the_incident() {
    let (before, after) = (run(&[]), run(&[on("backup_verification")]));
    assert_eq!(m(&before, "state_pg_dump"), 1.0);
    assert_eq!(m(&after, "state_pg_dump"), 3.0);
    assert!(m(&after, "usable_restore_points") > m(&before, "usable_restore_points"));
    // The daily dump (01:00) is older than the 17:20 snapshot, so the choice stays the snapshot.
    assert!(after.rpo_s <= before.rpo_s);
}

#[test]
fn cloud_snapshots_add_a_restore_point_and_hourly_ones_cut_the_loss() {
    let before = run(&[]);
    let daily = run(&[on("cloud_snapshots")]);
    let hourly = run(&[on("cloud_snapshots"), num("cloud_snapshot_interval", 1.0)]);
    assert!(m(&daily, "usable_restore_points") > m(&before, "usable_restore_points"));
    assert_eq!(m(&daily, "state_cloud_snapshots"), 3.0);
    assert!(hourly.rpo_s <= HOUR, "{}", hourly.rpo_s);
    assert!(hourly.rto_s < before.rto_s);
    assert!(m(&hourly, "lost_projects") < m(&before, "lost_projects"));
}

#[test]
fn a_delayed_replica_survives_the_rebuild_and_is_promoted() {
    let before = run(&[]);
    let after = run(&[on("delayed_replica")]);
    assert_eq!(m(&after, "restore_choice"), 1.0, "a replica is promoted");
    assert!(after.rpo_s < before.rpo_s && after.rto_s < before.rto_s);
    // A longer delay leaves more received WAL to replay before promotion.
    let longer = run(&[on("delayed_replica"), num("replica_delay", 8.0)]);
    assert!(longer.rto_s > after.rto_s);
}

#[test]
fn a_guard_on_destructive_commands_prevents_the_deletion() {
    let after = run(&[on("destructive_command_guard")]);
    assert_eq!(m(&after, "db1_data_left_bytes"), 300e9);
    assert_eq!(after.rpo_s, 0.0);
    assert_eq!(after.rto_s, 0.0);
}

#[test]
fn hourly_lvm_snapshots_cut_the_loss_but_not_the_copy() {
    let (before, after) = (run(&[]), run(&[num("lvm_snapshot_interval", 1.0)]));
    assert!(after.rpo_s <= HOUR && after.rpo_s < before.rpo_s);
    assert!((after.rto_s - before.rto_s).abs() < 60.0, "same slow copy from staging");
    let faster = run(&[num("staging_bandwidth", 1000.0)]);
    assert!(faster.rto_s < before.rto_s / 2.0);
}

fn error_of(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&common::scenario_text(NAME)).unwrap();
    edit(&mut v);
    match incident_replay::replay::replay("gitlab.json", &v.to_string(), &Default::default(), 1) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn an_absurd_tick_is_refused_before_running_naming_the_parameter() {
    let e = error_of(|v| {
        v["parameters"]["tick"]["min"] = 0.001.into();
        v["parameters"]["tick"]["default"] = 0.001.into();
    });
    assert!(e.contains("parameters.tick") && e.contains("events_max"), "{e}");
}

#[test]
fn bad_model_fields_name_their_path() {
    let e = error_of(|v| {
        v["nodes"][1]["model"]["postgres"].as_object_mut().unwrap().remove("apply_rate");
    });
    assert!(e.contains("nodes[1].model.postgres.apply_rate") && e.contains("required on a replica"), "{e}");
    let e = error_of(|v| v["nodes"][0]["model"]["postgres"]["primary"] = "db1".into());
    assert!(e.contains("nodes[0].model.postgres.primary"), "{e}");
    let e = error_of(|v| v["nodes"][3]["model"]["backup_catalog"]["staging_bandwidth"] = "0Mbit/s".into());
    assert!(e.contains("staging_bandwidth") && e.contains("above zero"), "{e}");
    let e = error_of(|v| v["nodes"][3]["model"]["backup_catalog"]["records"][0]["name"] = "two words".into());
    assert!(e.contains("records[0].name"), "{e}");
}

#[test]
fn the_guard_refuses_the_slip_on_the_primary_but_the_slip_still_happens() {
    use incident_replay::trace::event::TraceEvent;
    let r = common::run_with(NAME, &[on("destructive_command_guard")], 1);
    let step = r.scenario.timeline.iter().position(|s| s.title.contains("rm -rf on the wrong host")).expect("the slip is in the timeline");
    assert!(r.run.trace.events.iter().any(|e| matches!(e, TraceEvent::Step { index, .. } if *index as usize == step)), "the rm step still runs");
    assert_eq!(m(&r.outcome, "db1_delete_refused"), 1.0, "db1's guard refused it");
    assert_eq!(m(&r.outcome, "db1_data_left_bytes"), 300e9);
    // Without the guard nothing is refused.
    assert_eq!(m(&run(&[]), "db1_delete_refused"), 0.0);
    // The guard reads the host's role: the same command typed on db2, a broken
    // replica still holding its stale copy (no rebuild in this variant), runs.
    let mut v: serde_json::Value = serde_json::from_str(&common::scenario_text(NAME)).unwrap();
    let tl = v["timeline"].as_array_mut().unwrap();
    let rm = tl.iter_mut().find(|s| s["title"].as_str().unwrap().contains("rm -rf on the wrong host")).unwrap();
    rm["action"]["command"]["nodes"] = serde_json::json!(["db2"]);
    let rebuild = tl.iter_mut().find(|s| s["action"]["command"]["command"] == serde_json::json!("rebuild_replica")).unwrap();
    rebuild["action"] = serde_json::json!("note");
    let o: incident_replay::scenario::Overrides = [("destructive_command_guard".to_string(), incident_replay::scenario::OverrideValue::Flag(true))].into_iter().collect();
    let on_db2 = incident_replay::replay::replay("gitlab-2017.json", &v.to_string(), &o, 1).unwrap().outcome;
    assert_eq!(m(&on_db2, "db2_delete_refused"), 0.0);
    assert_eq!(m(&on_db2, "db2_state"), 5.0, "db2's data directory is deleted (state 5)");
    assert_eq!(m(&on_db2, "db1_data_left_bytes"), 300e9);
}
