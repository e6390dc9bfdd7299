//! Every kind of bad input gets a one-line error naming the file, the field and
//! the reason — through the library and through the CLI, with no panic.

mod common;

use std::process::Command;

use incident_replay::replay::replay;
use incident_replay::scenario::{self, OverrideValue, Overrides};
use serde_json::{json, Value};

fn demo() -> Value {
    serde_json::from_str(&common::scenario_text("demo-partition")).unwrap()
}

fn error_of(v: &Value, overrides: &Overrides) -> String {
    match replay("demo.json", &v.to_string(), overrides, 1) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

fn mutated(edit: impl FnOnce(&mut Value)) -> String {
    let mut v = demo();
    edit(&mut v);
    error_of(&v, &Overrides::new())
}

#[test]
fn syntax_errors_give_line_and_column() {
    let e = scenario::parse("demo.json", "{\n  \"meta\": {\"title\": \"x\",, }").unwrap_err();
    assert_eq!((e.line, e.column), (Some(2), Some(25)));
    assert!(e.to_string().starts_with("demo.json:2:25: meta.?: key must be a string"), "{e}");
}

#[test]
fn truncated_file_is_refused() {
    let text = std::fs::read_to_string(common::repo().join("tests/fixtures/bad/truncated.json")).unwrap();
    let e = scenario::parse("truncated.json", &text).unwrap_err().to_string();
    assert!(e.starts_with("truncated.json:"), "{e}");
    assert!(e.contains("EOF"), "{e}");
}

#[test]
fn trailing_garbage_is_refused() {
    let text = common::scenario_text("demo-partition") + "}";
    let e = scenario::parse("demo.json", &text).unwrap_err().to_string();
    assert!(e.contains("trailing characters"), "{e}");
}

#[test]
fn unknown_fields_are_refused_with_their_path() {
    let e = mutated(|v| v["nodes"][0]["model"]["ha_member"]["deadtime"] = json!("5s"));
    assert!(e.starts_with("demo.json: nodes[0].model.ha_member.deadtime: unknown field `deadtime`, expected one of"), "{e}");
    let e = mutated(|v| v["timeline"][2]["narative"] = json!("x"));
    assert!(e.contains("timeline[2].narative: unknown field `narative`"), "{e}");
}

#[test]
fn unknown_scenario_kind_is_refused_with_the_kinds_it_knows() {
    let e = mutated(|v| v["meta"]["kind"] = json!("historical"));
    assert!(e.starts_with("demo.json: meta.kind: unknown variant `historical`, expected one of `replay`, `lab`, `demo`, `sandbox`"), "{e}");
}

#[test]
fn wrong_types_name_the_field() {
    let e = mutated(|v| v["limits"]["events_max"] = json!("lots"));
    assert!(e.starts_with("demo.json: limits.events_max: invalid type"), "{e}");
}

#[test]
fn unknown_references_are_refused() {
    let e = mutated(|v| v["nodes"][3]["model"]["client"]["targets"][0] = json!("n9"));
    assert_eq!(e, "demo.json: nodes[3].model.client.targets[0]: no node named `n9`");
    let e = mutated(|v| v["links"][0]["via"][0] = json!("spine"));
    assert_eq!(e, "demo.json: links[0].via[0]: no device named `spine`");
    let e = mutated(|v| v["nodes"][0]["model"]["ha_member"]["dead_time"] = json!("$dead"));
    assert_eq!(e, "demo.json: nodes[0].model.ha_member.dead_time: refers to unknown parameter `dead`");
    let e = mutated(|v| v["timeline"][0]["source"] = json!("wikipedia"));
    assert!(e.starts_with("demo.json: timeline[0].source: source `wikipedia` is not in meta.sources"), "{e}");
}

#[test]
fn narration_details_must_say_something() {
    let e = mutated(|v| v["timeline"][2]["details"] = json!(""));
    assert_eq!(e, "demo.json: timeline[2].details: is empty: leave it out, or say what the narration leaves out");
    let e = mutated(|v| v["timeline"][2]["details"] = json!(7));
    assert!(e.starts_with("demo.json: timeline[2].details: invalid type"), "{e}");
    // Details with text are accepted.
    let mut v = demo();
    v["timeline"][2]["details"] = json!("An assumption of this replay.");
    assert!(replay("demo.json", &v.to_string(), &Overrides::new(), 1).is_ok());
}

#[test]
fn units_are_checked() {
    let e = mutated(|v| v["links"][0]["latency"] = json!("1GB"));
    assert!(e.starts_with("demo.json: links[0].latency: `1GB` is a size, expected a duration"), "{e}");
    let e = mutated(|v| v["links"][0]["latency"] = json!(5));
    assert!(e.contains("links[0].latency: 5 needs a unit"), "{e}");
}

#[test]
fn defaults_out_of_range_are_refused() {
    let e = mutated(|v| v["parameters"]["dead_time"]["default"] = json!(500));
    assert_eq!(e, "demo.json: parameters.dead_time.default: 500 is above max 120 (s)");
}

#[test]
fn timeline_out_of_order_is_refused() {
    let e = mutated(|v| v["timeline"][3]["at"] = json!("10s"));
    assert_eq!(e, "demo.json: timeline[3].at: 10.0s is before the previous step (1m 00s)");
}

#[test]
fn sums_of_durations_resolve_and_follow_the_parameters() {
    // Step 4 at `$dead_time + 235s` is 240 s at the default dead_time of 5 s,
    // where the file has it; the trace puts it there.
    let mut v = demo();
    v["timeline"][4]["at"] = json!("$dead_time + 235s");
    let at = |v: &Value, o: &Overrides| {
        let r = replay("demo.json", &v.to_string(), o, 1).unwrap();
        r.run.trace.events.iter().find_map(|e| match e {
            incident_replay::trace::event::TraceEvent::Step { at_us, index: 4 } => Some(*at_us),
            _ => None,
        })
    };
    assert_eq!(at(&v, &Overrides::new()), Some(240_000_000));
    let mut o = Overrides::new();
    o.insert("dead_time".into(), OverrideValue::Number(10.0));
    assert_eq!(at(&v, &o), Some(245_000_000));
    // A setting that moves a sum past its neighbour plays the steps in time order
    // rather than refusing the run: dead_time 40 s puts step 4 at 275 s, after step 5.
    o.insert("dead_time".into(), OverrideValue::Number(40.0));
    assert_eq!(at(&v, &o), Some(275_000_000));
}

#[test]
fn bad_sums_are_refused_with_the_term_and_the_reason() {
    let e = mutated(|v| v["timeline"][4]["at"] = json!("$dead_time + $dead_tme"));
    assert_eq!(e, "demo.json: timeline[4].at: refers to unknown parameter `dead_tme`");
    // (sum, how its error begins)
    for (sum, begins) in [
        ("$dead_time + 2GB", "demo.json: timeline[4].at: `2GB` is a size, expected a duration"),
        ("$dead_time + $client_rate", "demo.json: timeline[4].at: parameter `client_rate` is in "),
        ("$dead_time +", "demo.json: timeline[4].at: `$dead_time +` is not a sum: term 2 is empty"),
        ("240s + + 1s", "demo.json: timeline[4].at: `240s + + 1s` is not a sum: term 2 is empty"),
        ("$dead_time 235s", "demo.json: timeline[4].at: "),
    ] {
        let e = mutated(|v| v["timeline"][4]["at"] = json!(sum));
        assert!(e.starts_with(begins), "{sum}: {e}");
    }
    // A sum that lands before the previous step at the file's defaults is an authoring error.
    let e = mutated(|v| v["timeline"][4]["at"] = json!("$dead_time + 100s"));
    assert_eq!(e, "demo.json: timeline[4].at: 1m 45s is before the previous step (3m 00s)");
    let e = mutated(|v| v["timeline"][4]["at"] = json!("$dead_time + 400d"));
    assert_eq!(e, "demo.json: timeline[4].at: `d` in `400d` is not a known unit");
    // A sum past a year names where it came from.
    let e = mutated(|v| v["timeline"][4]["at"] = json!("$dead_time + 9000h"));
    assert!(e.starts_with("demo.json: timeline[4].at: ") && e.contains("(from the sum `$dead_time + 9000h`)"), "{e}");
}

#[test]
fn unknown_parameter_override_is_refused() {
    let mut o = Overrides::new();
    o.insert("no_such_parameter".into(), OverrideValue::Number(1.0));
    let e = error_of(&demo(), &o);
    assert!(e.starts_with("demo.json: parameters.no_such_parameter: no such parameter or toggle (known: "), "{e}");
}

#[test]
fn override_out_of_range_is_refused() {
    let mut o = Overrides::new();
    o.insert("dead_time".into(), OverrideValue::Number(0.0));
    assert_eq!(error_of(&demo(), &o), "demo.json: parameters.dead_time: 0 is below min 0.5 (s)");
    o.insert("dead_time".into(), OverrideValue::Flag(true));
    assert_eq!(error_of(&demo(), &o), "demo.json: parameters.dead_time: expects a number in s");
}

#[test]
fn absurd_interval_is_refused_before_running() {
    // 1 µs heartbeats over 7 minutes would be billions of events: refused up front, naming the parameter.
    let e = mutated(|v| v["parameters"]["heartbeat_interval"] = json!({
        "unit": "us", "default": 1, "min": 1, "max": 1000, "step": 1, "description": "x", "source": "assumption"
    }));
    assert!(e.starts_with("demo.json: parameters.heartbeat_interval: this value would need about"), "{e}");
    assert!(e.contains("more than limits.events_max (5000000)"), "{e}");
}

#[test]
fn budget_overrun_while_running_is_an_error_not_a_hang() {
    // The projection is an upper bound, so the run-time budget is the backstop:
    // shrink it below what the run needs and the run stops with an error.
    let mut loaded = scenario::load("demo.json", &common::scenario_text("demo-partition"), &Overrides::new(), 1).unwrap();
    loaded.resolved.setup.events_max = 10_000;
    let mut run = incident_replay::engine::run::Run::new(loaded.resolved.setup);
    let e = run.run_to_end().unwrap_err();
    let e = incident_replay::replay::budget_error("demo.json", &e).to_string();
    assert!(e.starts_with("demo.json: limits.events_max: the run needed more than 10000 events (stopped at 00:00:"), "{e}");
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_incident-replay")).args(args).current_dir(common::repo()).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn cli_refuses_bad_input_with_one_line_and_exit_2() {
    let (code, _, err) = cli(&["validate", "tests/fixtures/bad/truncated.json"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: truncated.json:"), "{err}");
    let (code, _, err) = cli(&["run", "scenarios/demo-partition.json", "--set", "no_such_parameter=1"]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("parameters.no_such_parameter: no such parameter"), "{err}");
    let (code, _, err) = cli(&["run", "scenarios/demo-partition.json", "--set", "dead_time"]);
    assert_eq!(code, 2);
    assert!(err.contains("expected name=value"), "{err}");
    let (code, _, err) = cli(&["run", "no/such/file.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn cli_run_json_is_deterministic_and_seeded() {
    let (c1, a, _) = cli(&["run", "scenarios/demo-partition.json", "--format", "json"]);
    let (c2, b, _) = cli(&["run", "scenarios/demo-partition.json", "--format", "json"]);
    let (c3, c, _) = cli(&["run", "scenarios/demo-partition.json", "--format", "json", "--seed", "2"]);
    assert_eq!((c1, c2, c3), (0, 0, 0));
    let digest = |s: &str| serde_json::from_str::<Value>(s).unwrap()["digest"].as_str().unwrap().to_string();
    assert_eq!(digest(&a), digest(&b));
    assert_ne!(digest(&a), digest(&c));
}

#[test]
fn cli_sweep_prints_one_row_per_run() {
    let (code, out, err) = cli(&["sweep", "scenarios/demo-partition.json", "--vary", "dead_time=2..20:3", "--seeds", "2", "--metrics", "split_brain_s,lost_writes"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "dead_time,seed,split_brain_s,lost_writes");
    assert_eq!(lines.len(), 1 + 3 * 2);
    let (code, _, err) = cli(&["sweep", "scenarios/demo-partition.json", "--vary", "dead_time=0..20:3"]);
    assert_eq!(code, 2);
    assert!(err.contains("parameters.dead_time: 0 is below min 0.5 (s)"), "{err}");
}

#[test]
fn cli_sweep_shards_concatenate_to_the_whole_sweep() {
    let args = ["sweep", "scenarios/demo-partition.json", "--vary", "dead_time=2..20:4", "--seeds", "3", "--metrics", "split_brain_s,lost_writes"];
    let (code, whole, err) = cli(&args);
    assert_eq!(code, 0, "{err}");
    let mut pieces = String::new();
    for shard in ["1/5", "2/5", "3/5", "4/5", "5/5"] {
        let (code, out, err) = cli(&[&args[..], &["--shard", shard]].concat());
        assert_eq!(code, 0, "{err}");
        pieces.push_str(&out);
    }
    assert_eq!(pieces, whole, "shards 1..5 of 5 in order give the whole sweep, header once");
    // JSON lines: one object per run, and they concatenate too.
    let (code, out, err) = cli(&[&args[..], &["--format", "jsonl", "--shard", "2/2"]].concat());
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 6, "{out}");
    assert!(out.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok_and(|v| v["seed"].is_number())), "{out}");
    for bad in ["0/4", "5/4", "2", "a/b", "1/0"] {
        let (code, _, err) = cli(&[&args[..], &["--shard", bad]].concat());
        assert_eq!(code, 2, "--shard {bad}");
        assert!(err.contains(&format!("--shard {bad}: expected I/N")), "{err}");
    }
    let (code, _, err) = cli(&[&args[..], &["--format", "json", "--shard", "1/2"]].concat());
    assert_eq!(code, 2);
    assert!(err.contains("JSON arrays do not concatenate"), "{err}");
}

#[test]
fn challenges_name_known_metrics_and_sensible_limits() {
    let e = mutated(|v| v["challenges"][0]["goals"][0]["metric"] = "split_brain_seconds".into());
    assert!(e.contains("challenges[0].goals[0].metric") && e.contains("no metric named `split_brain_seconds`"), "{e}");
    let e = mutated(|v| {
        v["challenges"][0]["goals"][0] = serde_json::json!({ "metric": "split_brain_s" });
    });
    assert!(e.contains("challenges[0].goals[0]") && e.contains("at_most"), "{e}");
    let e = mutated(|v| v["outcomes"] = serde_json::json!([{ "metric": "nope", "kind": "predicted", "value": 1, "tolerance": 0, "source": "assumption" }]));
    assert!(e.contains("outcomes[0].metric"), "{e}");
    // Every historical check says whether an input was fitted to it.
    let e = mutated(|v| v["outcomes"] = serde_json::json!([{ "metric": "rpo_s", "value": 1, "tolerance": 0, "source": "assumption" }]));
    assert!(e.contains("outcomes[0]") && e.contains("kind"), "{e}");
    let e = mutated(|v| v["outcomes"] = serde_json::json!([{ "metric": "rpo_s", "kind": "guessed", "value": 1, "tolerance": 0, "source": "assumption" }]));
    assert!(e.contains("outcomes[0].kind") && e.contains("fitted"), "{e}");
}

#[test]
fn run_over_seeds_reports_spreads_and_how_often_each_check_held() {
    let (code, out, err) = cli(&["run", "scenarios/demo-partition.json", "--seeds", "3"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("| seed |") && out.lines().filter(|l| l.starts_with("| 1 |") || l.starts_with("| 3 |")).count() == 2, "{out}");
    assert!(out.contains("check  lost_writes") && out.contains("holds in 3 of 3 seeds"), "{out}");
    assert!(out.contains("split_brain_s") && out.contains("above zero in 3 of 3 seeds"), "{out}");
    let (code, out, _) = cli(&["run", "scenarios/demo-partition.json", "--seeds", "2", "--format", "json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["spread"]["seeds"], serde_json::json!([1, 2]));
    assert_eq!(doc["per_seed"].as_array().unwrap().len(), 2);
    let (code, _, err) = cli(&["run", "scenarios/demo-partition.json", "--seeds", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("--seeds 0"), "{err}");
}
