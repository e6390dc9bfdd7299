//! Checks of meaning that serde cannot make: ranges, references to sources,
//! unique names. References to nodes, planes and devices are checked where they
//! are resolved (`resolve.rs`), with the same error type.

use std::collections::BTreeSet;

use super::cost;
use super::error::{number, ScenarioError};
use super::format::Scenario;
use super::params::{check_range, check_whole};

pub const ASSUMPTION: &str = "assumption";

pub fn check(file: &str, s: &Scenario) -> Result<(), ScenarioError> {
    let err = |path: String, reason: String| Err(ScenarioError::new(file, path, reason));
    let mut source_ids = BTreeSet::new();
    source_ids.extend(s.meta.sources.iter().map(|x| x.id.as_str()));
    let check_source = |path: String, source: &str| -> Result<(), ScenarioError> {
        // A source may list several ids separated by `;` or `,` and free text after a `:`.
        for part in source.split([';', ',']) {
            let id = part.split(':').next().unwrap_or("").trim();
            if id != ASSUMPTION && !source_ids.contains(id) {
                return Err(ScenarioError::new(
                    file,
                    path,
                    format!("source `{id}` is not in meta.sources (use a source id or `assumption`)"),
                ));
            }
        }
        Ok(())
    };
    let mut ids = BTreeSet::new();
    for (i, src) in s.meta.sources.iter().enumerate() {
        if !ids.insert(src.id.as_str()) {
            return err(format!("meta.sources[{i}].id"), format!("`{}` is listed twice", src.id));
        }
        if !src.url.starts_with("https://") {
            return err(format!("meta.sources[{i}].url"), "must start with https://".into());
        }
    }
    if s.planes.is_empty() {
        return err("planes".into(), "at least one plane is needed".into());
    }
    let mut seen = BTreeSet::new();
    for (i, p) in s.planes.iter().enumerate() {
        if !seen.insert(p) {
            return err(format!("planes[{i}]"), format!("`{p}` is listed twice"));
        }
    }
    let mut devices = BTreeSet::new();
    for (i, d) in s.devices.iter().enumerate() {
        if d.name.is_empty() || !devices.insert(d.name.as_str()) {
            return err(format!("devices[{i}].name"), format!("`{}` is empty or used twice", d.name));
        }
    }
    let mut names = BTreeSet::new();
    for (i, n) in s.nodes.iter().enumerate() {
        if n.name.is_empty() || !names.insert(n.name.as_str()) {
            return err(format!("nodes[{i}].name"), format!("`{}` is empty or used twice", n.name));
        }
        for (axis, v) in [("x", n.x), ("y", n.y)] {
            if let Some(v) = v {
                if !(0.0..=1.0).contains(&v) {
                    return err(format!("nodes[{i}].{axis}"), format!("{} is outside 0..1", number(v)));
                }
            }
        }
    }
    cost::check_sizes(file, s)?;
    for (name, p) in &s.parameters {
        let path = format!("parameters.{name}");
        if p.min > p.max {
            return err(format!("{path}.min"), format!("{} is above max {}", number(p.min), number(p.max)));
        }
        for (field, v) in [("min", p.min), ("max", p.max)] {
            if !v.is_finite() {
                return err(format!("{path}.{field}"), format!("{} is not a finite number", number(v)));
            }
        }
        if !(p.step > 0.0) {
            return err(format!("{path}.step"), "must be above zero".into());
        }
        check_range(file, &format!("{path}.default"), p.default, p.min, p.max, p.unit)?;
        check_whole(file, &format!("{path}.default"), p.default, p.unit)?;
        check_source(format!("{path}.source"), &p.source)?;
        if s.toggles.contains_key(name) {
            return err(path, "a toggle has the same name".into());
        }
    }
    for (name, t) in &s.toggles {
        check_source(format!("toggles.{name}.source"), &t.source)?;
    }
    for (i, step) in s.timeline.iter().enumerate() {
        check_source(format!("timeline[{i}].source"), &step.source)?;
        if step.details.as_deref().is_some_and(|d| d.trim().is_empty()) {
            return err(format!("timeline[{i}].details"), "is empty: leave it out, or say what the narration leaves out".into());
        }
    }
    for (i, o) in s.outcomes.iter().enumerate() {
        check_source(format!("outcomes[{i}].source"), &o.source)?;
        if !(o.tolerance >= 0.0) {
            return err(format!("outcomes[{i}].tolerance"), "must be zero or more".into());
        }
    }
    Ok(())
}
