//! The JSON Schema of the scenario format, generated from the Rust types so it
//! can never drift from what the parser accepts. Checked in as
//! `scenarios/schema.json`; a test fails when the checked-in copy is stale.

use super::format::Scenario;

pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Scenario);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
