//! Properties for every model on the real engine: random faults (crash and
//! restart, process pause, a forward clock step, a two-way cut, a partition,
//! a device dropping traffic) are added to each scenario's own timeline, and
//! every invariant the scenario declares (`invariants` in its file) must hold.
//!
//! `FAULT_CASES` sets the runs per scenario and toggle setting (default 2;
//! e.g. `FAULT_CASES=50 cargo test --release --test fault_properties`);
//! `FAULT_ONLY=NAME` runs only scenario NAME.
//! Clock steps are forward only and no clock is skewed: a lease (the HA
//! quorum's self-demotion) assumes bounded drift, so a backward step breaks it
//! by design; that is a fault outside what those mechanisms promise.

mod common;

use incident_replay::engine::action::{Action, Origin, TimedAction};
use incident_replay::engine::rng::Rng;
use incident_replay::engine::run::Run;
use incident_replay::ids::{DeviceId, NodeId};
use incident_replay::monitor::invariants;
use incident_replay::net::cut::Planes;
use incident_replay::net::DeviceFault;
use incident_replay::scenario::{self, OverrideValue, Overrides};

const FAULTS_PER_RUN: usize = 8;

fn cases() -> u64 {
    std::env::var("FAULT_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2)
}

/// Random faults over `[0, end_us)`, each undone (restart, heal) a while later.
fn random_faults(rng: &mut Rng, end_us: u64, nodes: u32, devices: u16, origin: Origin) -> Vec<TimedAction> {
    let mut out = vec![];
    let mut push = |at_us: u64, action: Action| out.push(TimedAction { at_us: at_us.min(end_us), action, origin });
    for _ in 0..FAULTS_PER_RUN {
        let at = rng.below(end_us);
        let lasting = rng.between(end_us / 400 + 1, end_us / 20 + 2);
        let node = NodeId(rng.below(u64::from(nodes)) as u32);
        match rng.below(6) {
            0 => {
                push(at, Action::Crash(node));
                push(at + lasting, Action::Restart(node));
            }
            1 => push(at, Action::Pause { node, duration_us: lasting }),
            2 => push(at, Action::ClockStep { node, by_us: lasting as i64 }),
            3 => {
                let to = NodeId(rng.below(u64::from(nodes)) as u32);
                if to != node {
                    push(at, Action::Cut { from: node, to, planes: Planes::All, both_ways: true, cut: true });
                    push(at + lasting, Action::Cut { from: node, to, planes: Planes::All, both_ways: true, cut: false });
                }
            }
            4 => {
                let (mut a, mut b) = (vec![], vec![]);
                for n in 0..nodes {
                    if rng.below(2) == 0 { a.push(NodeId(n)) } else { b.push(NodeId(n)) }
                }
                push(at, Action::Partition { groups: vec![a, b], planes: Planes::All, cut: true });
                push(at + lasting, Action::HealAll);
            }
            _ if devices > 0 => {
                let device = DeviceId(rng.below(u64::from(devices)) as u16);
                let fault = DeviceFault { drop_ppm: rng.between(100_000, 1_000_000) as u32, plane_mask: u64::MAX, pairs: vec![], carrier_up: rng.below(2) == 0 };
                push(at, Action::DeviceFault { device, fault: Some(fault) });
                push(at + lasting, Action::DeviceFault { device, fault: None });
            }
            _ => push(at, Action::Pause { node, duration_us: lasting }),
        }
    }
    out
}

/// Run `name` with `overrides` plus random faults; `Err` names each broken invariant.
fn run_with_faults(name: &str, overrides: &Overrides, seed: u64) -> Result<usize, String> {
    let file = format!("{name}.json");
    let mut loaded = scenario::load(&file, &common::scenario_text(name), overrides, seed).map_err(|e| e.to_string())?;
    let setup = &mut loaded.resolved.setup;
    let mut rng = Rng::for_component(seed, 0xFA17);
    let steps = setup.actions.len() as u32;
    let faults = random_faults(&mut rng, setup.end_us, setup.node_names.len() as u32, setup.network.devices.len() as u16, Origin::Step(steps.saturating_sub(1)));
    setup.actions.extend(faults);
    // Faults can make a run busier (retries, elections): allow for it.
    setup.events_max = setup.events_max.saturating_mul(2);
    let mut run = Run::new(loaded.resolved.setup);
    run.run_to_end().map_err(|e| format!("{name} seed {seed}: {e}"))?;
    let broken: Vec<String> = loaded
        .resolved
        .invariants
        .iter()
        .filter_map(|&inv| invariants::check(inv, &run.trace, &run.node_names, &loaded.resolved.groups).err())
        .collect();
    if broken.is_empty() {
        Ok(loaded.resolved.invariants.len())
    } else {
        Err(format!("{name} seed {seed} {overrides:?}: {}", broken.join("; ")))
    }
}

/// Each toggle an invariant is conditioned on, switched on (and each parameter
/// threshold, reached), so the invariant is in force; and the historical setting.
fn settings(name: &str) -> Vec<Overrides> {
    let s = scenario::parse(name, &common::scenario_text(name)).unwrap();
    let mut on = Overrides::new();
    for inv in &s.invariants {
        if let scenario::format::Flag::Ref(r) = &inv.when {
            // `"$a&!$b"`: each `$toggle` term on, each `!$toggle` term off.
            for term in r.split('&').map(str::trim) {
                let (value, name) = match term.strip_prefix('!') {
                    Some(rest) => (false, rest),
                    None => (true, term),
                };
                if let Some(t) = name.strip_prefix('$').filter(|t| s.toggles.contains_key(*t)) {
                    on.insert(t.to_string(), OverrideValue::Flag(value));
                }
            }
            // `"$parameter>=N"`: the parameter at N.
            if let Some((p, n)) = r.strip_prefix('$').and_then(|b| b.split_once(">=")) {
                if let (true, Ok(n)) = (s.parameters.contains_key(p), n.trim().parse::<f64>()) {
                    on.insert(p.to_string(), OverrideValue::Number(n));
                }
            }
        }
    }
    vec![Overrides::new(), on]
}

#[test]
fn every_declared_invariant_holds_under_random_faults() {
    let mut failures = vec![];
    let mut checked = 0;
    // `FAULT_ONLY=name` runs one scenario (when looking into one model).
    let only = std::env::var("FAULT_ONLY").ok();
    for name in common::scenario_names().into_iter().filter(|n| only.as_ref().is_none_or(|o| o == n)) {
        for overrides in settings(&name) {
            for seed in 1..=cases() {
                match run_with_faults(&name, &overrides, seed) {
                    Ok(n) => checked += n,
                    Err(e) => failures.push(e),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 0, "no scenario declares an invariant");
}

#[test]
fn every_scenario_declares_an_invariant() {
    for name in common::scenario_names() {
        let s = scenario::parse(&name, &common::scenario_text(&name)).unwrap();
        assert!(!s.invariants.is_empty(), "{name} declares no invariant");
    }
}

/// Diagnostics for a failing case: prints its faults and trace, e.g.
/// `FAULT_SCENARIO=demo-partition FAULT_SEED=5 FAULT_SET=quorum FAULT_FROM=100000000 FAULT_TO=111000000
/// cargo test --release --test fault_properties show_a_case -- --ignored --nocapture`.
#[test]
#[ignore]
fn show_a_case() {
    let name = std::env::var("FAULT_SCENARIO").unwrap();
    let seed: u64 = std::env::var("FAULT_SEED").unwrap().parse().unwrap();
    let file = format!("{name}.json");
    let mut o = Overrides::new();
    for kv in std::env::var("FAULT_SET").unwrap_or_default().split(',').filter(|s| !s.is_empty()) {
        o.insert(kv.to_string(), OverrideValue::Flag(true));
    }
    let loaded = scenario::load(&file, &common::scenario_text(&name), &o, seed).unwrap();
    let setup = &loaded.resolved.setup;
    let mut rng = Rng::for_component(seed, 0xFA17);
    for f in random_faults(&mut rng, setup.end_us, setup.node_names.len() as u32, setup.network.devices.len() as u16, Origin::Step(0)) {
        println!("{} {:?}", f.at_us, f.action);
    }
    println!("{:?}", setup.node_names);
    let mut loaded = loaded;
    let node_count = loaded.resolved.setup.node_names.len() as u32;
    let faults = random_faults(&mut Rng::for_component(seed, 0xFA17), loaded.resolved.setup.end_us, node_count, loaded.resolved.setup.network.devices.len() as u16, Origin::Step(0));
    loaded.resolved.setup.actions.extend(faults);
    let mut run = Run::new(loaded.resolved.setup);
    run.run_to_end().unwrap();
    let from: u64 = std::env::var("FAULT_FROM").map(|v| v.parse().unwrap()).unwrap_or(0);
    let to: u64 = std::env::var("FAULT_TO").map(|v| v.parse().unwrap()).unwrap_or(u64::MAX);
    for e in &run.trace.events {
        if (from..to).contains(&e.at_us()) && !matches!(e, incident_replay::trace::event::TraceEvent::Acked { .. } | incident_replay::trace::event::TraceEvent::Gauge { .. }) {
            println!("{:?}", e);
        }
    }
}
