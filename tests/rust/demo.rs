//! The demo scenario exercises the whole engine: a partition makes a split brain
//! and loses acknowledged writes; a quorum removes both at the cost of availability.

mod common;
use common::{num, on, run_with};

#[test]
fn historical_run_splits_the_brain_and_loses_acknowledged_writes() {
    let o = run_with("demo-partition", &[], 1).outcome;
    assert!(o.split_brain_s > 100.0, "{}", o.split_brain_s);
    assert!(o.lost_writes > 0);
    assert!(o.leader_changes >= 1);
    assert!(o.rpo_s > 60.0);
}

#[test]
fn quorum_removes_split_brain_and_lost_writes_but_costs_availability() {
    let before = run_with("demo-partition", &[], 1).outcome;
    let after = run_with("demo-partition", &[on("quorum")], 1).outcome;
    assert_eq!(after.split_brain_s, 0.0);
    assert_eq!(after.lost_writes, 0);
    assert!(after.success_rate_pct < before.success_rate_pct, "the cut-off side stops serving");
}

#[test]
fn longer_dead_time_fails_over_later() {
    let fast = run_with("demo-partition", &[num("dead_time", 2.0)], 1).outcome;
    let slow = run_with("demo-partition", &[num("dead_time", 30.0)], 1).outcome;
    assert!(slow.split_brain_s < fast.split_brain_s);
    assert!(slow.rto_s > fast.rto_s);
}

#[test]
fn gray_switch_failure_drops_requests_without_any_failover() {
    use incident_replay::trace::event::TraceEvent;
    let r = run_with("demo-partition", &[], 1);
    let t = &r.run.trace;
    // Steps 4 and 5: the core switch drops 60% of east-side data traffic from 240 s to 270 s.
    let during: u32 = t.buckets[48..54].iter().map(|b| b.failed).sum();
    let before: u32 = t.buckets[40..46].iter().map(|b| b.failed).sum();
    assert!(during > before + 5, "failures during the gray failure: {during}, before: {before}");
    let role_changes = t.events.iter().filter(|e| matches!(e, TraceEvent::Role { at_us, .. } if (240_000_000..270_000_000).contains(at_us))).count();
    assert_eq!(role_changes, 0, "links look up, heartbeats flow: nothing fails over");
}

#[test]
fn challenges_are_checked_against_the_run() {
    let history = common::run_with("demo-partition", &[], 1).outcome;
    assert_eq!(history.challenges.len(), 2);
    assert!(history.challenges.iter().all(|c| !c.met), "history meets no challenge: {:?}", history.challenges);
    let quorum = common::run_with("demo-partition", &[common::on("quorum")], 1).outcome;
    assert!(quorum.challenges[0].met, "{:?}", quorum.challenges[0]);
    assert!(quorum.challenges[0].goals.iter().all(|g| g.measured.is_some()));
}
