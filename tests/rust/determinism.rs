//! A run is a pure function of (scenario, parameters, seed).

mod common;

#[test]
fn same_seed_same_digest_for_every_scenario() {
    for name in common::scenario_names() {
        let a = common::run_with(&name, &[], 7);
        let b = common::run_with(&name, &[], 7);
        assert_eq!(a.outcome.digest, b.outcome.digest, "{name}");
        assert_eq!(a.outcome, b.outcome, "{name}");
    }
}

#[test]
fn another_seed_gives_another_trace() {
    let a = common::run_with("demo-partition", &[], 1);
    let b = common::run_with("demo-partition", &[], 2);
    assert_ne!(a.outcome.digest, b.outcome.digest);
}

#[test]
fn frames_can_be_read_at_any_time_and_agree_with_each_other() {
    let mut r = common::run_with("demo-partition", &[], 1);
    let end = r.run.end_us();
    let mid = r.frame(end / 2).to_vec();
    let _ = r.frame(end);
    assert_eq!(r.frame(end / 2), &mid[..], "seeking back gives the same frame");
    let nodes = mid[0] as usize;
    assert_eq!(nodes, 5);
    let messages = mid[2] as usize;
    assert!(messages > 0, "messages in flight mid-run");
}
