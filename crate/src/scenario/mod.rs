//! Owns the JSON scenario format and every input error. Two passes, one error
//! type: serde (through `serde_path_to_error`, for field paths) checks shape;
//! `validate` and `resolve` check meaning.

pub mod chaos;
pub mod command;
pub mod cost;
pub mod duplicate_keys;
pub mod error;
pub mod field_path;
pub mod fit;
pub mod inject;
pub mod format;
pub mod models;
pub mod params;
pub mod resolve;
pub mod schema;
pub mod units;
pub mod validate;

pub use error::ScenarioError;
pub use format::Scenario;
pub use params::{OverrideValue, Overrides};

/// Largest scenario text accepted; bigger input is refused before parsing.
pub const TEXT_BYTES_MAX: usize = 8 * 1024 * 1024;

/// Parse and check a scenario's text. `file` is only used in error messages.
pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    if text.len() > TEXT_BYTES_MAX {
        return Err(ScenarioError::new(file, "", format!("file is larger than {TEXT_BYTES_MAX} bytes")));
    }
    let mut json = serde_json::Deserializer::from_str(text);
    let scenario: Scenario = serde_path_to_error::deserialize(&mut json)
        .map_err(|e| ScenarioError::shape(file, e.path().to_string(), e.into_inner()))?;
    json.end().map_err(|e| ScenarioError::shape(file, String::new(), e))?;
    if let Some((path, key)) = duplicate_keys::find(text) {
        return Err(ScenarioError::new(file, path, format!("the key `{key}` appears twice in one object (JSON readers keep only one of them)")));
    }
    validate::check(file, &scenario)?;
    Ok(scenario)
}

/// A scenario ready to run: parsed, with its overrides checked and resolved.
pub struct Loaded {
    pub file: String,
    pub scenario: Scenario,
    pub resolved: resolve::Resolved,
}

pub fn load(file: &str, text: &str, overrides: &Overrides, seed: u64) -> Result<Loaded, ScenarioError> {
    load_with(file, text, overrides, seed, &[])
}

/// `load` with injected actions (`inject.rs`), checked like timeline steps.
pub fn load_with(file: &str, text: &str, overrides: &Overrides, seed: u64, injected: &[inject::InjectedAction]) -> Result<Loaded, ScenarioError> {
    let scenario = parse(file, text)?;
    let values = params::Values::new(file, &scenario, overrides)?;
    let resolved = resolve::resolve(file, &scenario, &values, seed, injected)?;
    check_metrics(file, &scenario, &resolved.gauges)?;
    Ok(Loaded { file: file.to_string(), scenario, resolved })
}

/// Metric names in `outcomes` and `challenges` must be ones a run reports: the
/// monitors' figures or the model gauges (`NAME`, `NAME_max`, `NAME_min`, `NAME_total`).
fn check_metrics(file: &str, scenario: &Scenario, gauges: &[String]) -> Result<(), ScenarioError> {
    let known = |m: &str| {
        crate::monitor::METRICS.contains(&m)
            || gauges.iter().any(|g| m == g || m.strip_prefix(g.as_str()).is_some_and(|rest| rest == "_max" || rest == "_min" || rest == "_total"))
    };
    let unknown = |path: String, m: &str| {
        ScenarioError::new(file, path, format!("no metric named `{m}` (metrics: {}; gauges: {})", crate::monitor::METRICS.join(", "), gauges.join(", ")))
    };
    for (i, o) in scenario.outcomes.iter().enumerate() {
        if !known(&o.metric) {
            return Err(unknown(format!("outcomes[{i}].metric"), &o.metric));
        }
    }
    for (i, c) in scenario.challenges.iter().enumerate() {
        if c.goals.is_empty() {
            return Err(ScenarioError::new(file, format!("challenges[{i}].goals"), "a challenge needs at least one goal"));
        }
        for (j, g) in c.goals.iter().enumerate() {
            let path = format!("challenges[{i}].goals[{j}]");
            if !known(&g.metric) {
                return Err(unknown(format!("{path}.metric"), &g.metric));
            }
            match (g.at_most, g.at_least) {
                (None, None) => return Err(ScenarioError::new(file, path, "give `at_most`, `at_least` or both")),
                (Some(hi), Some(lo)) if lo > hi => {
                    return Err(ScenarioError::new(file, format!("{path}.at_least"), format!("{lo} is above at_most {hi}")))
                }
                _ => {}
            }
        }
    }
    Ok(())
}
