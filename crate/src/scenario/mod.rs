//! Owns the JSON scenario format and every input error. Two passes, one error
//! type: serde (through `serde_path_to_error`, for field paths) checks shape;
//! `validate` and `resolve` check meaning.

pub mod error;
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
    let scenario = parse(file, text)?;
    let values = params::Values::new(file, &scenario, overrides)?;
    let resolved = resolve::resolve(file, &scenario, &values, seed)?;
    Ok(Loaded { file: file.to_string(), scenario, resolved })
}
