//! The checked-in JSON Schema is the one generated from the Rust types, and
//! every scenario file validates against it.

mod common;

use incident_replay::scenario::schema::schema_json;

#[test]
fn checked_in_schema_is_current() {
    let path = common::repo().join("scenarios/schema.json");
    let generated = schema_json();
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(checked_in == generated, "scenarios/schema.json is stale: run `BLESS=1 cargo test --test schema` or `incident-replay schema > scenarios/schema.json`");
}

#[test]
fn every_scenario_validates_against_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(&schema_json()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for name in common::scenario_names() {
        let doc: serde_json::Value = serde_json::from_str(&common::scenario_text(&name)).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path)).collect();
        assert!(errors.is_empty(), "{name}: {}", errors.join("; "));
    }
}

#[test]
fn schema_rejects_what_the_parser_rejects() {
    let schema: serde_json::Value = serde_json::from_str(&schema_json()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&common::scenario_text("demo-partition")).unwrap();
    doc["meta"]["typo"] = serde_json::json!(1);
    assert!(!validator.is_valid(&doc));
}
