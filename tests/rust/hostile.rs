//! Hostile input: files, overrides and command lines made to hurt. Each case is
//! refused with one line naming the file and the field, or runs within 2 s (the
//! memory side is bounded by the same cost model; the README gives the measured
//! figures). The last test is a fuzz test over mutated copies of the real
//! scenario files: a bounded count by default, `FUZZ_CASES=N` for a long run.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use incident_replay::engine::run::Run;
use incident_replay::replay::{budget_error, replay};
use incident_replay::scenario::{self, OverrideValue, Overrides};
use serde_json::{json, Value};

/// The time a case may take: 2 s measured alone (the README's figures), with
/// room for a shared, loaded test machine. The cases this suite guards against
/// took 8 s to minutes, so a regression still fails.
fn time_limit() -> Duration {
    Duration::from_secs(std::env::var("HOSTILE_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10))
}

fn scenario_value(name: &str) -> Value {
    serde_json::from_str(&common::scenario_text(name)).unwrap()
}

/// The error of running `v` (as `h.json`) with `overrides`; fails the test if it runs.
fn refused_with(v: &Value, overrides: &Overrides) -> String {
    let started = Instant::now();
    let result = replay("h.json", &v.to_string(), overrides, 1);
    assert!(started.elapsed() < time_limit(), "took {:?}", started.elapsed());
    match result {
        Ok(_) => panic!("expected an error"),
        Err(e) => {
            let text = e.to_string();
            assert_eq!(text.lines().count(), 1, "{text}");
            assert!(text.starts_with("h.json: "), "{text}");
            text
        }
    }
}

fn refused(v: &Value) -> String {
    refused_with(v, &Overrides::new())
}

fn demo_with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut v = scenario_value("demo-partition");
    edit(&mut v);
    v
}

/// A node that runs nothing that costs: a client at rate 0.
fn idle(name: &str) -> Value {
    json!({ "name": name, "model": { "client": { "targets": [name], "plane": "data", "rate": 0, "writes": "0%", "timeout": "1s", "retries": 0 } } })
}

fn step(action: Value) -> Value {
    json!({ "at": "1s", "title": "t", "action": action, "narration": "n", "source": "assumption" })
}

/// A bare scenario around `nodes`, `links` and `timeline`.
fn skeleton(nodes: Vec<Value>, links: Vec<Value>, timeline: Vec<Value>, planes: Vec<String>, devices: &[&str]) -> Value {
    let mut v = scenario_value("demo-partition");
    v["parameters"] = json!({});
    v["toggles"] = json!({});
    v["outcomes"] = json!([]);
    v["challenges"] = json!([]);
    v["invariants"] = json!([]);
    v["planes"] = json!(planes);
    v["devices"] = devices.iter().map(|d| json!({ "name": d })).collect();
    v["nodes"] = Value::Array(nodes);
    v["links"] = Value::Array(links);
    v["timeline"] = Value::Array(timeline);
    v["limits"] = json!({ "events_max": 100_000_000, "bucket": "10s" });
    v
}

fn names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

// ------------------------------------------------------------------ 1. cost

#[test]
fn a_link_spec_naming_a_node_twice_is_refused() {
    // Was: 13 KB, 12.7 s and 7.9 GB (the two nodes 500 times: 998,000 links).
    let v = demo_with(|v| v["links"][0]["nodes"] = json!(["n1", "n2"].repeat(500)));
    let e = refused(&v);
    assert!(e.contains("links[0].nodes[2]: `n1` is listed twice"), "{e}");
}

#[test]
fn a_mesh_with_more_links_than_the_limit_is_refused_before_anything_is_built() {
    // Was: 1,000 idle nodes behind one device, four device steps: 40.8 s and 15.7 GB.
    let n = names("x", 1_000);
    let fault = step(json!({ "device_fault": { "device": "sw", "drop": "50%", "carrier_up": true } }));
    let heal = step(json!({ "device_heal": { "device": "sw" } }));
    let v = skeleton(
        n.iter().map(|x| idle(x)).collect(),
        vec![json!({ "nodes": n, "planes": ["data"], "latency": "1ms", "via": ["sw"] })],
        vec![fault.clone(), heal.clone(), fault, heal],
        vec!["data".into()],
        &["sw"],
    );
    let e = refused(&v);
    assert!(e.contains("links[0].nodes: this spec makes 999000 links") && e.contains("at most 100000"), "{e}");
}

#[test]
fn many_steps_over_many_links_are_refused_by_the_step_that_crosses_the_limit() {
    // Was: 20,000 note steps on a 1,000-node mesh, 180 s. Within the link limit
    // (300 nodes: 89,700 links) the steps × links check names the step.
    let n = names("m", 300);
    let v = skeleton(
        n.iter().map(|x| idle(x)).collect(),
        vec![json!({ "nodes": n, "planes": ["data"], "latency": "1ms" })],
        vec![step(json!("note")); 20_000],
        vec!["data".into()],
        &[],
    );
    let e = refused(&v);
    assert!(e.contains("timeline[111]: 112 steps over 89700 links"), "{e}");
}

#[test]
fn the_largest_topologies_accepted_run_within_two_seconds() {
    // Was: 10,000 nodes on 64 planes passed the validator, then asked for 51 GB of routing.
    let n = names("y", 10_000);
    let mut nodes: Vec<Value> = n.iter().map(|x| idle(x)).collect();
    for node in &mut nodes {
        node["model"]["client"]["plane"] = json!("p0");
    }
    let v = skeleton(nodes, vec![json!({ "nodes": ["y0", "y1"], "planes": ["p0"], "latency": "1ms" })], vec![], names("p", 64), &[]);
    let started = Instant::now();
    replay("h.json", &v.to_string(), &Overrides::new(), 1).unwrap();
    assert!(started.elapsed() < time_limit(), "{:?}", started.elapsed());

    // A mesh just under the link limit behind a device, with as many device steps as the scan limit allows.
    let n = names("m", 316);
    let steps = (0..100)
        .map(|i| if i % 2 == 0 { step(json!({ "device_fault": { "device": "sw", "drop": "50%", "carrier_up": true } })) } else { step(json!({ "device_heal": { "device": "sw" } })) })
        .collect();
    let v = skeleton(n.iter().map(|x| idle(x)).collect(), vec![json!({ "nodes": n, "planes": ["data"], "latency": "1ms", "via": ["sw"] })], steps, vec!["data".into()], &["sw"]);
    let started = Instant::now();
    let r = replay("h.json", &v.to_string(), &Overrides::new(), 1).unwrap();
    assert_eq!(r.run.network.links.len(), 99_540);
    assert!(started.elapsed() < time_limit(), "{:?}", started.elapsed());
}

#[test]
fn events_scheduled_faster_than_they_happen_stop_the_run_cleanly() {
    // Was: a panic, `more than 16777216 events pending`, exit 101.
    let v = demo_with(|v| {
        v["limits"]["events_max"] = json!(100_000_000);
        for n in v["nodes"].as_array_mut().unwrap() {
            if let Some(c) = n["model"].get_mut("client") {
                c["rate"] = json!(25_000);
                c["timeout"] = json!("1us");
                c["retries"] = json!(0);
            }
        }
        for l in v["links"].as_array_mut().unwrap() {
            l["latency"] = json!("1h");
            l.as_object_mut().unwrap().remove("jitter");
        }
    });
    let e = refused(&v);
    assert!(e.contains("h.json: limits: more than 1048576 events were waiting at once"), "{e}");
}

#[test]
fn limits_a_file_cannot_raise() {
    let e = refused(&demo_with(|v| v["limits"]["events_max"] = json!(2_000_000_000u64)));
    assert!(e.contains("limits.events_max: 2000000000 is not between 1 and 100000000"), "{e}");
    let e = refused(&demo_with(|v| v["limits"]["messages_recorded_max"] = json!(1u64 << 40)));
    assert!(e.contains("limits.messages_recorded_max"), "{e}");
    let pairs: Vec<Value> = (0..1_025).map(|_| json!(["n1", "n2"])).collect();
    let e = refused(&demo_with(|v| v["timeline"][1]["action"] = json!({ "device_fault": { "device": "core", "drop": "1%", "pairs": pairs, "carrier_up": true } })));
    assert!(e.contains("timeline[1].action.device_fault.pairs: 1025 pairs; at most 1024"), "{e}");
    let e = refused(&skeleton(vec![], vec![], vec![], names("p", 65), &[]));
    assert!(e.contains("h.json: planes: 65 planes; at most 64"), "{e}");
}

// ------------------------------------------------------------------ 2. arithmetic

#[test]
fn durations_too_long_for_any_run_are_refused_naming_the_parameter() {
    // Was: a client timeout of 5,124,095,577 h saturated and wrapped: 0 % success.
    let v = demo_with(|v| v["parameters"]["client_timeout"]["max"] = json!(1e300));
    let o: Overrides = [("client_timeout".to_string(), OverrideValue::Number(18_446_744_073_709_551.0))].into();
    let e = refused_with(&v, &o);
    assert!(e.contains("nodes[3].model.client.timeout: 5124095576.030431 h is more than a run can use (from parameters.client_timeout)"), "{e}");
    // 700 h is within a year: accepted.
    let o: Overrides = [("client_timeout".to_string(), OverrideValue::Number(700.0 * 3600e3))].into();
    replay("h.json", &v.to_string(), &o, 1).unwrap();

    let e = refused(&demo_with(|v| v["links"][0]["jitter"] = json!("99999999999h")));
    assert!(e.contains("links[0].jitter: 99999999999 h is more than a run can use"), "{e}");
    let e = refused(&demo_with(|v| v["links"][0]["bandwidth"] = json!("1e9MB/s")));
    assert!(e.contains("links[0].bandwidth"), "{e}");
    let e = refused(&demo_with(|v| v["links"][0]["bandwidth"] = json!("99999999999999MB/s")));
    assert!(e.contains("links[0].bandwidth: 9.9999999999999e19 bytes/s is more than a run can use"), "{e}");
}

#[test]
fn a_huge_fence_delay_is_refused_not_wrapped() {
    let mut v = scenario_value("github-2012");
    v["parameters"]["ipmi_delay"]["max"] = json!(1e300);
    let o: Overrides = [("ipmi_delay".to_string(), OverrideValue::Number(1e17))].into();
    let e = refused_with(&v, &o);
    assert!(e.contains("is more than a run can use (from parameters.ipmi_delay)"), "{e}");
}

// ------------------------------------------------------------------ 3. silent acceptance

#[test]
fn names_given_twice_are_refused() {
    // Was: duplicate peers took unavailability from 5.5 to 125 group-s.
    let e = refused(&demo_with(|v| v["nodes"][0]["model"]["ha_member"]["peers"] = json!(["n2", "n2", "n3"])));
    assert!(e.contains("nodes[0].model.ha_member.peers[1]: `n2` is listed twice"), "{e}");
    let e = refused(&demo_with(|v| v["nodes"][3]["model"]["client"]["targets"] = json!(["n1", "n2", "n1"])));
    assert!(e.contains("nodes[3].model.client.targets[2]: `n1` is listed twice"), "{e}");
    let e = refused(&demo_with(|v| v["devices"] = json!([{ "name": "core" }, { "name": "core" }])));
    assert!(e.contains("devices[1].name: `core` is empty or used twice"), "{e}");
    let e = refused(&demo_with(|v| v["links"][0]["planes"] = json!(["data", "data"])));
    assert!(e.contains("links[0].planes[1]: `data` is listed twice"), "{e}");
    let e = refused(&demo_with(|v| {
        let first = v["meta"]["sources"][0].clone();
        v["meta"]["sources"].as_array_mut().unwrap().push(first);
    }));
    assert!(e.contains("meta.sources[1].id: `pacemaker-docs` is listed twice"), "{e}");
    let e = refused(&demo_with(|v| v["nodes"][1]["name"] = json!("n1")));
    assert!(e.contains("nodes[1].name: `n1` is empty or used twice"), "{e}");
    // The same pair on the same plane from two specs.
    let e = refused(&demo_with(|v| {
        let again = json!({ "nodes": ["n1", "n2"], "planes": ["data"], "latency": "9ms" });
        v["links"].as_array_mut().unwrap().push(again);
    }));
    assert!(e.contains("`n1` -> `n2` on plane `data` is also made by links[0]"), "{e}");
    let e = refused(&demo_with(|v| v["timeline"][1]["action"] = json!({ "partition": { "groups": [["n1", "c1"], ["n2", "n1"]] } })));
    assert!(e.contains("partition.groups[1][1]: `n1` is in two groups"), "{e}");
}

#[test]
fn duplicate_json_keys_are_refused_with_their_path() {
    // serde_json keeps the last of two equal keys; a reader sees the first.
    let text = common::scenario_text("demo-partition");
    let doubled = text.replacen("\"parameters\": {", "\"parameters\": {\n  \"dead_time\": {\"unit\": \"s\", \"default\": 1, \"min\": 0, \"max\": 2, \"step\": 1, \"description\": \"x\", \"source\": \"assumption\"},", 1);
    assert_ne!(doubled, text);
    let e = scenario::parse("h.json", &doubled).unwrap_err().to_string();
    assert_eq!(e, "h.json: parameters.dead_time: the key `dead_time` appears twice in one object (JSON readers keep only one of them)");
    let e = scenario::parse("h.json", &text.replacen("\"quorum\": {", "\"quorum\": {\"default\": true, ", 1)).unwrap_err().to_string();
    assert!(e.contains("toggles.quorum") && e.contains("duplicate field `default`"), "{e}");
}

#[test]
fn counts_are_whole_numbers() {
    // Was: pairs=1.5 ran as 1.
    let v = scenario_value("github-2012");
    let e = refused_with(&v, &[("pairs".to_string(), OverrideValue::Number(1.5))].into());
    assert!(e.contains("parameters.pairs: 1.5 is not a whole number (a count)"), "{e}");
    let e = refused(&demo_with(|v| v["nodes"][3]["model"]["client"]["retries"] = json!(2.5)));
    assert!(e.contains("nodes[3].model.client.retries: 2.5 is not a whole number"), "{e}");
}

#[test]
fn chained_durations_name_each_unit_once() {
    let e = refused(&demo_with(|v| v["meta"]["duration"] = json!("1h1h")));
    assert!(e.contains("meta.duration: `1h1h` repeats a unit"), "{e}");
}

// ------------------------------------------------------------------ 7. messages

#[test]
fn text_from_a_file_cannot_forge_lines_or_clear_the_screen() {
    let e = refused(&demo_with(|v| v["nodes"][0]["model"]["ha_member"]["peers"] = json!(["n2\nok: all fine\u{1b}[2J"])));
    assert!(!e.contains('\n') && !e.contains('\u{1b}'), "{e}");
    assert!(e.contains("no node named `n2\\nok: all fine\\u{1b}[2J`"), "{e}");
}

#[test]
fn huge_numbers_are_printed_short() {
    let e = refused_with(&scenario_value("demo-partition"), &[("dead_time".to_string(), OverrideValue::Number(1e308))].into());
    assert_eq!(e, "h.json: parameters.dead_time: 1e308 is above max 120 (s)");
    let e = refused(&demo_with(|v| v["nodes"][0]["x"] = json!(1e300)));
    assert!(e.contains("nodes[0].x: 1e300 is outside 0..1"), "{e}");
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_incident-replay")).args(args).current_dir(common::repo()).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn one_line_error(args: &[&str]) -> String {
    let started = Instant::now();
    let (code, _, err) = cli(args);
    assert!(started.elapsed() < Duration::from_secs(5), "{args:?} took {:?}", started.elapsed());
    assert_eq!(code, 2, "{args:?}: {err}");
    err.lines().next().unwrap_or("").to_string()
}

#[test]
fn the_cli_refuses_what_it_cannot_read_safely() {
    let e = one_line_error(&["validate"]);
    assert_eq!(e, "error: validate: name at least one scenario file");
    // /dev/zero never ends: refused by kind before a byte is read.
    let e = one_line_error(&["validate", "/dev/zero"]);
    assert_eq!(e, "error: /dev/zero: cannot read: not a regular file");
    let dir = std::env::temp_dir().join(format!("hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A FIFO would block the reader forever.
    let fifo = dir.join("pipe.json");
    let _ = std::fs::remove_file(&fifo);
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let e = one_line_error(&["validate", fifo.to_str().unwrap()]);
    assert!(e.ends_with("pipe.json: cannot read: not a regular file"), "{e}");
    // 9 MB (sparse): refused from its size.
    let big = dir.join("big.json");
    std::fs::File::create(&big).unwrap().set_len(9 << 20).unwrap();
    let e = one_line_error(&["run", big.to_str().unwrap()]);
    assert_eq!(e, "error: big.json: file is larger than 8388608 bytes");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn until_is_a_strict_time_within_the_scenario() {
    // Was: `--until 1h1h` simulated 2 h of a 7-minute scenario.
    let e = one_line_error(&["run", "scenarios/demo-partition.json", "--until", "1h1h"]);
    assert!(e.contains("--until: `1h1h` repeats a unit"), "{e}");
    let e = one_line_error(&["run", "scenarios/demo-partition.json", "--until", "2h"]);
    assert!(e.contains("--until 2h: must be above zero and not after the scenario's end (7m 00s)"), "{e}");
    let (code, out, err) = cli(&["run", "scenarios/demo-partition.json", "--until", "3min"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("simulated 180.0 s"), "{out}");
}

#[test]
fn a_sweep_varies_each_parameter_once() {
    let e = one_line_error(&["sweep", "scenarios/demo-partition.json", "--vary", "dead_time=1..5:2", "--vary", "dead_time=1..3:2"]);
    assert_eq!(e, "error: --vary: `dead_time` is varied twice; vary two different parameters");
    let e = one_line_error(&["sweep", "scenarios/demo-partition.json", "--vary", "dead_time=1..5:2", "--set", "dead_time=3"]);
    assert!(e.contains("give a parameter one or the other"), "{e}");
}

#[test]
fn a_huge_sweep_streams_rows_without_building_its_grid() {
    // 10,000 × 10,000 points × 100,000 seeds: the first rows come out at once.
    let mut child = Command::new(env!("CARGO_BIN_EXE_incident-replay"))
        .args(["sweep", "scenarios/raft-elections.json", "--vary", "election_timeout_min=150..300:10000", "--vary", "one_way_latency=1..5:10000", "--seeds", "100000", "--metrics", "rto_s"])
        .current_dir(common::repo())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "election_timeout_min,one_way_latency,seed,rto_s");
    assert!(lines.next().unwrap().unwrap().starts_with("150,1,1,"));
    assert!(lines.next().unwrap().unwrap().starts_with("150,1,2,"));
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    child.kill().unwrap();
    child.wait().unwrap();
}

// ------------------------------------------------------------------ fuzz

mod fuzz {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    /// Values that have broken parsers before: extremes, wrong kinds, escapes.
    fn extremes() -> Vec<Value> {
        vec![
            json!(0), json!(-1), json!(1.5), json!(1e308), json!(-1e308), json!(18_446_744_073_709_551_615u64),
            json!(4_294_967_296u64), json!(9_007_199_254_740_993u64), json!(""), json!("1h1h"), json!("$nope"),
            json!("!$nope"), json!("0us"), json!("99999999999999999999h"), json!("1e308s"), json!("1.5"),
            json!("n1\nok: \u{1b}[2J"), json!("constructor"), json!(true), json!(null), json!([]), json!({}),
            json!(["n1", "n1"]), json!("100%"), json!("101%"), json!("0.0000001us"), json!("$pairs>=1e308"),
        ]
    }

    /// Every location in the tree, as JSON Pointers, in document order.
    fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                    out.push(p.clone());
                    pointers(child, p, out);
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    let p = format!("{at}/{i}");
                    out.push(p.clone());
                    pointers(child, p, out);
                }
            }
            _ => {}
        }
    }

    #[derive(Clone, Debug)]
    enum Mutation {
        Delete(usize),
        Duplicate(usize, usize),
        Replace(usize, usize),
        /// A number (or the number in `"90s"`) times one of `SCALES`: keeps the
        /// file's shape, so more cases get past parsing into a run.
        Scale(usize, usize),
    }

    const SCALES: [f64; 7] = [0.0, 1e-3, 0.5, 2.0, 10.0, 1e3, 1e6];

    fn scaled(v: &Value, factor: f64) -> Option<Value> {
        match v {
            Value::Number(n) => Some(json!(n.as_f64()? * factor)),
            Value::String(s) => {
                let digits = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
                let n: f64 = s[..digits].parse().ok()?;
                Some(json!(format!("{}{}", n * factor, &s[digits..])))
            }
            _ => None,
        }
    }

    fn apply(v: &mut Value, m: &Mutation) {
        let mut all = vec![];
        pointers(v, String::new(), &mut all);
        if all.is_empty() {
            return;
        }
        let (at, what) = match *m {
            Mutation::Delete(at) | Mutation::Duplicate(at, _) | Mutation::Replace(at, _) | Mutation::Scale(at, _) => (all[at % all.len()].clone(), m),
        };
        let (parent, last) = at.rsplit_once('/').unwrap();
        let Some(container) = v.pointer_mut(parent) else { return };
        match (what, container) {
            (Mutation::Delete(_), Value::Object(map)) => {
                map.remove(&last.replace("~1", "/").replace("~0", "~"));
            }
            (Mutation::Delete(_), Value::Array(list)) => {
                let i: usize = last.parse().unwrap();
                list.remove(i);
            }
            (Mutation::Duplicate(_, times), Value::Array(list)) => {
                let i: usize = last.parse().unwrap();
                let item = list[i].clone();
                for _ in 0..(1 + times % 40) {
                    list.insert(i, item.clone());
                }
            }
            (Mutation::Duplicate(_, _), Value::Object(map)) => {
                // Objects cannot hold a key twice here; copy the value under a new key.
                let key = last.replace("~1", "/").replace("~0", "~");
                if let Some(item) = map.get(&key).cloned() {
                    map.insert(format!("{key}2"), item);
                }
            }
            (Mutation::Scale(_, which), container) => {
                if let Some(slot) = container.pointer_mut(&format!("/{last}")) {
                    if let Some(value) = scaled(slot, SCALES[which % SCALES.len()]) {
                        *slot = value;
                    }
                }
            }
            (Mutation::Replace(_, which), container) => {
                let extremes = extremes();
                let value = extremes[which % extremes.len()].clone();
                if let Some(slot) = container.pointer_mut(&format!("/{last}")) {
                    *slot = value;
                }
            }
            _ => {}
        }
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            1 => any::<usize>().prop_map(Mutation::Delete),
            1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Duplicate(a, b)),
            2 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Replace(a, b)),
            3 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Scale(a, b)),
        ]
    }

    /// What one case did.
    #[derive(Default)]
    struct Tally {
        cases: u64,
        refused: u64,
        ran: u64,
        budget: u64,
        slowest_ms: u128,
    }

    /// Load, then run with the engine budget capped at 300,000 events (a fuzz
    /// case must stay quick; the budget error is an outcome like any other).
    fn check(text: &str, overrides: &Overrides, tally: &mut Tally) -> Result<(), String> {
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(|| match scenario::load("f.json", text, overrides, 1) {
            Err(e) => Err(e.to_string()),
            Ok(mut loaded) => {
                loaded.resolved.setup.events_max = loaded.resolved.setup.events_max.min(300_000);
                let mut run = Run::new(loaded.resolved.setup);
                match run.run_to_end() {
                    Ok(()) => {
                        let _ = incident_replay::trace::keyframe::Keyframes::build(&run.trace.events, run.node_count(), run.network.links.len());
                        Ok(true)
                    }
                    Err(e) => {
                        let _ = budget_error("f.json", &e);
                        Ok(false)
                    }
                }
            }
        });
        let ms = started.elapsed().as_millis();
        tally.cases += 1;
        tally.slowest_ms = tally.slowest_ms.max(ms);
        match outcome {
            Err(_) => Err("panicked".into()),
            Ok(Err(message)) => {
                tally.refused += 1;
                if message.lines().count() != 1 || !message.starts_with("f.json") {
                    return Err(format!("not a one-line error naming the file: {message:?}"));
                }
                Ok(())
            }
            Ok(Ok(completed)) => {
                if completed {
                    tally.ran += 1;
                } else {
                    tally.budget += 1;
                }
                if ms > 5_000 {
                    return Err(format!("took {ms} ms"));
                }
                Ok(())
            }
        }
    }

    #[test]
    fn mutated_scenarios_never_panic_and_fail_in_one_line() {
        let cases: u32 = std::env::var("FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(200);
        let files: Vec<(String, Value)> = common::scenario_names().into_iter().map(|n| { let v = scenario_value(&n); (n, v) }).collect();
        let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
        let tally = std::cell::RefCell::new(Tally::default());
        let strategy = (0..files.len(), proptest::collection::vec(mutation(), 1..4));
        let result = runner.run(&strategy, |(file, mutations)| {
            let mut v = files[file].1.clone();
            for m in &mutations {
                apply(&mut v, m);
            }
            check(&v.to_string(), &Overrides::new(), &mut tally.borrow_mut()).map_err(|e| TestCaseError::fail(format!("{}: {mutations:?}: {e}", files[file].0)))
        });
        let t = tally.borrow();
        println!(
            "fuzz: {} cases ({} refused with an error, {} ran to the end, {} stopped by the event budget), slowest {} ms",
            t.cases, t.refused, t.ran, t.budget, t.slowest_ms
        );
        if let Err(e) = result {
            panic!("{e}");
        }
    }
}
