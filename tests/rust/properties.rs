//! Property tests: any in-range parameter values and any seed give a run that
//! neither panics nor overruns its budget. The only refusal accepted is the
//! up-front projection naming a parameter or field; a run that starts and then
//! overruns `limits` fails the property.

mod common;

use incident_replay::replay::replay;
use incident_replay::scenario::{self, OverrideValue, Overrides};
use proptest::prelude::*;

fn random_overrides(name: &str) -> impl Strategy<Value = (Overrides, u64)> {
    let s = scenario::parse(name, &common::scenario_text(name)).unwrap();
    let params: Vec<(String, f64, f64, f64)> = s.parameters.iter().map(|(k, p)| (k.clone(), p.min, p.max, p.step)).collect();
    let toggles: Vec<String> = s.toggles.keys().cloned().collect();
    let n = params.len();
    let t = toggles.len();
    (proptest::collection::vec(0.0f64..=1.0, n), proptest::collection::vec(any::<bool>(), t), any::<u64>()).prop_map(
        move |(fractions, flags, seed)| {
            let mut o = Overrides::new();
            for ((name, min, max, step), f) in params.iter().zip(fractions) {
                let steps = ((max - min) / step).floor();
                let v = (min + (f * steps).round() * step).min(*max);
                o.insert(name.clone(), OverrideValue::Number(v));
            }
            for (name, b) in toggles.iter().zip(flags) {
                o.insert(name.clone(), OverrideValue::Flag(b));
            }
            (o, seed >> 11)
        },
    )
}

/// Refused before running, because the projected event count is over budget.
fn refused_up_front(e: &scenario::ScenarioError) -> bool {
    e.reason.contains("would need about") && !e.path.starts_with("limits")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn demo_never_panics_and_stays_in_budget((overrides, seed) in random_overrides("demo-partition")) {
        let text = common::scenario_text("demo-partition");
        match replay("demo-partition.json", &text, &overrides, seed) {
            Ok(r) => prop_assert!(r.outcome.events > 0),
            // The only acceptable refusal is the up-front budget projection.
            Err(e) => prop_assert!(refused_up_front(&e), "seed {seed}: {e}"),
        }
    }

    #[test]
    fn github_2012_never_panics_and_stays_in_budget((overrides, seed) in random_overrides("github-2012")) {
        let text = common::scenario_text("github-2012");
        match replay("github-2012.json", &text, &overrides, seed) {
            Ok(r) => prop_assert!(r.outcome.events > 0),
            Err(e) => prop_assert!(refused_up_front(&e), "seed {seed}: {e}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn gitlab_never_panics_and_stays_in_budget((overrides, seed) in random_overrides("gitlab-2017")) {
        let text = common::scenario_text("gitlab-2017");
        match replay("gitlab-2017.json", &text, &overrides, seed) {
            Ok(r) => prop_assert!(r.outcome.events > 0),
            Err(e) => prop_assert!(refused_up_front(&e), "seed {seed}: {e}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn raft_lab_never_panics_and_stays_in_budget((overrides, seed) in random_overrides("raft-elections")) {
        let text = common::scenario_text("raft-elections");
        match replay("raft-elections.json", &text, &overrides, seed) {
            Ok(r) => prop_assert!(r.outcome.events > 0),
            Err(e) => prop_assert!(refused_up_front(&e) || e.reason.contains("at least election_timeout_min"), "seed {seed}: {e}"),
        }
    }
}

proptest! {
    // Each run simulates seven hours; a few cases keep the suite quick.
    #![proptest_config(ProptestConfig { cases: 6, .. ProptestConfig::default() })]

    #[test]
    fn cloudflare_never_panics_and_stays_in_budget((overrides, seed) in random_overrides("cloudflare-2020")) {
        let text = common::scenario_text("cloudflare-2020");
        match replay("cloudflare-2020.json", &text, &overrides, seed) {
            Ok(r) => prop_assert!(r.outcome.events > 0),
            Err(e) => prop_assert!(
                refused_up_front(&e) || e.reason.contains("at least election_timeout_min"),
                "seed {seed}: {e}"
            ),
        }
    }
}
