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

/// An edit in the page asks only for the outcome (`replay::outcome`, which
/// skips the shown facts, keyframes and fact frames playback reads): it must be
/// the full replay's outcome, digest included, for every scenario.
#[test]
fn the_outcome_alone_is_the_full_replays_outcome() {
    use incident_replay::replay::{outcome, replay_with};
    use incident_replay::scenario::Overrides;
    for name in common::scenario_names() {
        let text = common::scenario_text(&name);
        let file = format!("{name}.json");
        let full = replay_with(&file, &text, &Overrides::new(), 5, vec![]).unwrap_or_else(|e| panic!("{e}"));
        assert!(!full.run.trace.facts.is_empty(), "{name}: the full replay records shown facts");
        let alone = outcome(&file, &text, &Overrides::new(), 5, &[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(alone, full.outcome, "{name}");
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

/// The page shows an injected action's future while the rest is still being
/// simulated (`Replay::advance`, sim/worker.js): a run continued part by part
/// must be the run from zero, event for event.
#[test]
fn a_run_continued_part_by_part_is_the_run_to_the_end() {
    use incident_replay::replay::{replay_until, replay_with};
    use incident_replay::scenario::{inject, Overrides};
    for (name, action) in [("github-2012", "40min crash fs05a"), ("cloudflare-2020", "2min crash etcd1"), ("demo-partition", "20s crash n1")] {
        let text = common::scenario_text(name);
        let file = format!("{name}.json");
        let injected = vec![inject::parse_text(action).expect(action)];
        let whole = replay_with(&file, &text, &Overrides::new(), 3, injected.clone()).unwrap_or_else(|e| panic!("{e}"));
        let end = whole.run.end_us();
        let mut parts = replay_until(&file, &text, &Overrides::new(), 3, Some(end / 7), injected).unwrap_or_else(|e| panic!("{e}"));
        assert!(!parts.finished(), "{name}: stopped part-way");
        for k in [2, 3, 5, 11] {
            parts.advance(end * k / 11).unwrap_or_else(|e| panic!("{e}"));
        }
        assert!(parts.finished(), "{name}");
        assert_eq!(parts.outcome, whole.outcome, "{name}");
        assert_eq!(parts.timeline_text(), whole.timeline_text(), "{name}");
        let mut whole = whole;
        for t in [0, end / 3, end / 2, end] {
            assert_eq!(parts.frame(t).to_vec(), whole.frame(t).to_vec(), "{name} at {t} µs");
        }
    }
}
