//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use incident_replay::replay::{replay, Replay};
use incident_replay::scenario::{OverrideValue, Overrides};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn scenario_text(name: &str) -> String {
    std::fs::read_to_string(repo().join("scenarios").join(format!("{name}.json"))).expect("scenario file")
}

/// Every scenario name in `scenarios/` (without `.json`), schema excluded, sorted.
pub fn scenario_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("scenarios"))
        .expect("scenarios dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && n != "schema.json")
        .map(|n| n.trim_end_matches(".json").to_string())
        .collect();
    names.sort();
    names
}

pub fn run_with(name: &str, sets: &[(&str, OverrideValue)], seed: u64) -> Replay {
    let overrides: Overrides = sets.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    replay(&format!("{name}.json"), &scenario_text(name), &overrides, seed).unwrap_or_else(|e| panic!("{e}"))
}

pub fn on(name: &str) -> (&str, OverrideValue) {
    (name, OverrideValue::Flag(true))
}

pub fn num(name: &str, v: f64) -> (&str, OverrideValue) {
    (name, OverrideValue::Number(v))
}

/// A built-in scenario as JSON, to edit for bad-input tests.
pub fn scenario_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&scenario_text(name)).unwrap()
}

/// The error a built-in scenario gives after `edit` (it must give one).
pub fn error_after(name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v = scenario_json(name);
    edit(&mut v);
    match replay("x.json", &v.to_string(), &Overrides::new(), 1) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

pub fn off(name: &str) -> (&str, OverrideValue) {
    (name, OverrideValue::Flag(false))
}

/// How many seeds a "holds over seeds" test runs: the page's and `run --seeds 10`'s count.
pub const SEEDS: u64 = 10;

/// Scenario `name` with these settings, once per seed 1..=SEEDS.
pub fn over_seeds(name: &str, sets: &[(&str, OverrideValue)]) -> Vec<Replay> {
    (1..=SEEDS).map(|s| run_with(name, sets, s)).collect()
}

/// The mean of `f` over runs (e.g. over the seeds of `over_seeds`).
pub fn mean(runs: &[Replay], f: impl Fn(&Replay) -> f64) -> f64 {
    runs.iter().map(f).sum::<f64>() / runs.len() as f64
}
