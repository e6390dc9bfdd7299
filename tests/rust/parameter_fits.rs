//! The ranges `parameter_fits` reports (the page's slider limits) are exact:
//! each end loads, and one step past an end that is narrower than the
//! parameter's own range is refused. Checked for every parameter of every
//! built-in scenario, with the historical settings and with a short heartbeat.

use incident_replay::scenario::{self, fit::parameter_fits, OverrideValue, Overrides};
use std::fs;

fn scenarios() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
    let mut out: Vec<(String, String)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && !p.ends_with("schema.json"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), fs::read_to_string(&p).unwrap()))
        .collect();
    out.sort();
    out
}

fn loads(file: &str, text: &str, overrides: &Overrides, name: &str, v: f64) -> bool {
    let mut o = overrides.clone();
    o.insert(name.to_string(), OverrideValue::Number(v));
    scenario::load(file, text, &o, 1).is_ok()
}

fn check(file: &str, text: &str, overrides: &Overrides) -> usize {
    let s = scenario::parse(file, text).unwrap();
    let mut narrowed = 0;
    for fit in parameter_fits(file, &s, overrides) {
        let p = &s.parameters[&fit.name];
        assert!(fit.lo >= p.min && fit.hi <= p.max && fit.lo <= fit.hi, "{file}: {fit:?} within {}..{}", p.min, p.max);
        assert!(loads(file, text, overrides, &fit.name, fit.lo), "{file}: {} = {} (lo) loads", fit.name, fit.lo);
        assert!(loads(file, text, overrides, &fit.name, fit.hi), "{file}: {} = {} (hi) loads", fit.name, fit.hi);
        if fit.hi < p.max {
            narrowed += 1;
            assert!(!loads(file, text, overrides, &fit.name, fit.hi + p.step), "{file}: {} one step above {} is refused", fit.name, fit.hi);
        }
        if fit.lo > p.min {
            narrowed += 1;
            assert!(!loads(file, text, overrides, &fit.name, fit.lo - p.step), "{file}: {} one step below {} is refused", fit.name, fit.lo);
        }
    }
    narrowed
}

#[test]
fn every_reported_range_is_exact() {
    let mut narrowed = 0;
    for (file, text) in scenarios() {
        narrowed += check(&file, &text, &Overrides::new());
    }
    // Cloudflare's API rate is limited by the event budget at the historical settings.
    assert!(narrowed > 0, "some range is narrower than the parameter's own");
}

#[test]
fn a_short_heartbeat_narrows_the_client_rate() {
    let (file, text) = scenarios().into_iter().find(|(f, _)| f == "demo-partition.json").unwrap();
    let mut o = Overrides::new();
    o.insert("heartbeat_interval".into(), OverrideValue::Number(20.0));
    let s = scenario::parse(&file, &text).unwrap();
    let fit = parameter_fits(&file, &s, &o).into_iter().find(|f| f.name == "client_rate").unwrap();
    assert!(fit.hi < s.parameters["client_rate"].max, "{fit:?}");
    check(&file, &text, &o);
}
