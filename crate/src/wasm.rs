//! The browser face (wasm32 only): convert, call the core, convert back. The only
//! file that sees `JsValue`. Small structured data crosses as plain objects via
//! serde-wasm-bindgen; frames cross as `Float32Array`s.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::replay;
use crate::scenario::inject::{self, InjectedAction};
use crate::scenario::{self, chaos, Overrides, ScenarioError};

/// Where the panic hook leaves the message of a panic, for the worker to read
/// after the trap: `globalThis.__incidentReplayPanic`.
const PANIC_SLOT: &str = "__incidentReplayPanic";

/// Installed once when the module starts: a panic would otherwise reach the
/// page as the bare word "unreachable". The hook writes the panic's file, line
/// and reason where the worker finds it after the trap (no state of the
/// simulation is involved; this is the browser face's edge).
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let reason = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_string());
        let place = info.location().map_or(String::new(), |l| format!(" at {}:{}", l.file(), l.line()));
        let message = scenario::error::quote(&format!("{reason}{place}"));
        let _ = js_sys::Reflect::set(&js_sys::global(), &PANIC_SLOT.into(), &JsValue::from(message));
    }));
}

fn js_error(e: &ScenarioError) -> JsValue {
    let error = js_sys::Error::new(&e.to_string());
    error.set_name("ScenarioError");
    let line = e.line.map_or(JsValue::NULL, |l| JsValue::from(l));
    for (key, value) in [
        ("file", JsValue::from(e.file.as_str())),
        ("path", JsValue::from(e.path.as_str())),
        ("reason", JsValue::from(e.reason.as_str())),
        ("line", line),
    ] {
        let _ = js_sys::Reflect::set(&error, &key.into(), &value);
    }
    error.into()
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))
}

fn seed_of(file: &str, seed: f64) -> Result<u64, JsValue> {
    if !(seed.is_finite() && seed >= 0.0 && seed.fract() == 0.0 && seed <= 9_007_199_254_740_991.0) {
        return Err(js_error(&ScenarioError::new(file, "seed", format!("{seed} is not a whole number from 0 to 2^53-1"))));
    }
    Ok(seed as u64)
}

fn overrides_of(file: &str, overrides: JsValue) -> Result<Overrides, JsValue> {
    if overrides.is_undefined() || overrides.is_null() {
        return Ok(Overrides::new());
    }
    serde_wasm_bindgen::from_value(overrides)
        .map_err(|e| js_error(&ScenarioError::new(file, "parameters", format!("overrides must map names to numbers or booleans: {e}"))))
}

/// Injected actions from the page: an array whose items are the text form
/// (`"30s crash s1"`) or the JSON form (`{at, action}`); `undefined`/`null`: none.
fn actions_of(file: &str, actions: JsValue) -> Result<Vec<InjectedAction>, JsValue> {
    if actions.is_undefined() || actions.is_null() {
        return Ok(vec![]);
    }
    let items: Vec<serde_json::Value> = serde_wasm_bindgen::from_value(actions)
        .map_err(|e| js_error(&ScenarioError::new(file, "actions", format!("expected an array of actions: {e}"))))?;
    inject::check_count(file, items.len()).map_err(|e| js_error(&e))?;
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let path = format!("actions[{i}]");
            match item {
                serde_json::Value::String(line) => inject::parse_text(&line).map_err(|r| ScenarioError::new(file, path, r)),
                // Back to text and through the same path-tracking parser as an
                // actions file: errors name the field (`actions[2].action.crash.node`),
                // and the WASM holds one deserializer for actions instead of two.
                other => {
                    let text = other.to_string();
                    let mut json = serde_json::Deserializer::from_str(&text);
                    serde_path_to_error::deserialize(&mut json).map_err(|e| {
                        let inner = e.path().to_string();
                        let at = if inner == "." { path.clone() } else { format!("{path}.{inner}") };
                        ScenarioError::shape(file, at, e.into_inner())
                    })
                }
            }
            .map_err(|e| js_error(&e))
        })
        .collect()
}

/// The chaos monkey's faults for a scenario (`scenario/chaos.rs`), in the text
/// form, time order: `settings` as on the command line (`seed=7,rate=6`).
#[wasm_bindgen]
pub fn chaos_actions(file: &str, json: &str, settings: &str) -> Result<Vec<String>, JsValue> {
    let config = chaos::parse_config(settings).map_err(|r| js_error(&ScenarioError::new(file, "chaos", r)))?;
    let s = scenario::parse(file, json).map_err(|e| js_error(&e))?;
    let actions = chaos::for_scenario(file, &s, &config).map_err(|e| js_error(&e))?;
    Ok(actions.iter().map(inject::to_text).collect())
}

/// The parsed scenario (metadata, parameters, toggles, timeline) as a plain
/// object, without its nodes, links and devices: the page draws those from a
/// run's `topology`, and leaving them out keeps every model spec's serializer
/// out of the WASM (README "Size").
#[wasm_bindgen]
pub fn describe(file: &str, json: &str) -> Result<JsValue, JsValue> {
    let s = scenario::parse(file, json).map_err(|e| js_error(&e))?;
    to_js(&Described {
        meta: &s.meta,
        parameters: &s.parameters,
        toggles: &s.toggles,
        planes: &s.planes,
        timeline: &s.timeline,
        outcomes: &s.outcomes,
        challenges: &s.challenges,
        invariants: &s.invariants,
        limits: &s.limits,
    })
}

/// `describe`'s answer: the `Scenario`'s fields under the same names, less
/// `nodes`, `links` and `devices`.
#[derive(Serialize)]
struct Described<'a> {
    meta: &'a scenario::format::Meta,
    parameters: &'a std::collections::BTreeMap<String, scenario::format::Parameter>,
    toggles: &'a std::collections::BTreeMap<String, scenario::format::Toggle>,
    planes: &'a [String],
    timeline: &'a [scenario::format::Step],
    outcomes: &'a [scenario::format::ExpectedOutcome],
    challenges: &'a [scenario::format::Challenge],
    invariants: &'a [scenario::format::InvariantSpec],
    limits: &'a scenario::format::Limits,
}

/// The outcome metrics (`monitor::metrics::METRIC_TABLE`): key, label, unit,
/// which way is better, what the number means, headline row or not.
#[wasm_bindgen]
pub fn metric_table() -> Result<JsValue, JsValue> {
    to_js(&crate::monitor::METRIC_TABLE)
}

/// Check a scenario with overrides without running it.
#[wasm_bindgen]
pub fn validate(file: &str, json: &str, overrides: JsValue) -> Result<(), JsValue> {
    let o = overrides_of(file, overrides)?;
    scenario::load(file, json, &o, 1).map(|_| ()).map_err(|e| js_error(&e))
}

/// Each parameter's range the core accepts with the other settings in
/// `overrides` (the event budget included): `[{ name, lo, hi }]`, for sliders.
#[wasm_bindgen]
pub fn parameter_fits(file: &str, json: &str, overrides: JsValue) -> Result<JsValue, JsValue> {
    let o = overrides_of(file, overrides)?;
    let s = scenario::parse(file, json).map_err(|e| js_error(&e))?;
    to_js(&scenario::fit::parameter_fits(file, &s, &o))
}

/// Run a scenario and return only its outcome (for sweeps: nothing is kept).
#[wasm_bindgen]
pub fn run_outcome(file: &str, json: &str, overrides: JsValue, seed: f64, actions: JsValue) -> Result<JsValue, JsValue> {
    let seed = seed_of(file, seed)?;
    let o = overrides_of(file, overrides)?;
    let injected = actions_of(file, actions)?;
    let outcome = replay::outcome(file, json, &o, seed, &injected).map_err(|e| js_error(&e))?;
    to_js(&outcome)
}

/// Outcomes of one setting over several seeds (an array of `run_outcome`
/// results) summed up: every figure's median and range, in how many seeds it
/// was above zero, in how many seeds each check held (`monitor::spread`).
#[wasm_bindgen]
pub fn spread(outcomes: JsValue) -> Result<JsValue, JsValue> {
    let list: Vec<crate::monitor::Outcome> =
        serde_wasm_bindgen::from_value(outcomes).map_err(|e| JsValue::from(js_sys::Error::new(&format!("spread: expected an array of outcomes: {e}"))))?;
    to_js(&crate::monitor::spread::spread(&list))
}

/// History's spread vs the viewer's, figure by figure: `changed` only where the
/// distributions differ (ranges apart, or above zero in a different number of seeds).
#[wasm_bindgen]
pub fn compare_spreads(history: JsValue, yours: JsValue) -> Result<JsValue, JsValue> {
    let read = |v: JsValue| -> Result<crate::monitor::spread::Spread, JsValue> {
        serde_wasm_bindgen::from_value(v).map_err(|e| JsValue::from(js_sys::Error::new(&format!("compare_spreads: expected two spreads: {e}"))))
    };
    to_js(&crate::monitor::spread::compare(&read(history)?, &read(yours)?))
}

// The JSON Schema is a static file (`scenarios/schema.json`, checked against
// the generator by `tests/rust/schema.rs`), so the shipped module does not
// carry its generator. The benchmark entry points below are compiled only
// into the benchmark build (`--features wasm-bench`, see `make bench`).

/// The generated benchmark scenario (same as `incident-replay bench`).
#[cfg(feature = "wasm-bench")]
#[wasm_bindgen]
pub fn bench_scenario(servers: u32, clients: u32, rate: u32, seconds: u32) -> String {
    crate::bench::large_scenario(servers, clients, rate, seconds)
}

/// The benchmark scenario loaded and ready, so JS can time `run` alone, as
/// `incident-replay bench` does natively.
#[cfg(feature = "wasm-bench")]
#[wasm_bindgen]
pub struct BenchRun {
    run: crate::engine::run::Run,
}

#[cfg(feature = "wasm-bench")]
#[wasm_bindgen]
impl BenchRun {
    #[wasm_bindgen(constructor)]
    pub fn new(servers: u32, clients: u32, rate: u32, seconds: u32) -> Result<BenchRun, JsValue> {
        let run = crate::bench::load_large(servers, clients, rate, seconds).map_err(|e| JsValue::from(js_sys::Error::new(&e)))?;
        Ok(BenchRun { run })
    }

    /// Run to the end; returns the number of events processed.
    pub fn run(&mut self) -> Result<f64, JsValue> {
        crate::bench::run_large(&mut self.run).map(|n| n as f64).map_err(|e| JsValue::from(js_sys::Error::new(&e)))
    }
}

#[derive(Serialize)]
struct NodeInfo<'a> {
    name: &'a str,
    label: &'a str,
    x: Option<f64>,
    y: Option<f64>,
    model: &'static str,
    /// The operator commands the node's model takes, with their arguments.
    commands: &'static [crate::model::command::CommandInfo],
    /// Role words, declared facts and watched peers (`model/show.rs`).
    show: &'a crate::model::show::NodeShow,
    /// Roles, healths and role words it took in this run (for the legend).
    taken: crate::replay::StatesTaken,
}

#[derive(Serialize)]
struct Topology<'a> {
    nodes: Vec<NodeInfo<'a>>,
    /// Flat [from, to, plane] per link, in link-id order.
    links: Vec<u32>,
    /// Device indices each link passes through.
    link_via: Vec<Vec<u16>>,
    planes: &'a [String],
    devices: Vec<&'a str>,
    groups: &'a [String],
}

#[wasm_bindgen]
pub struct Replay {
    inner: replay::Replay,
}

#[wasm_bindgen]
impl Replay {
    /// Load, check and run a scenario to its end. Throws a `ScenarioError`
    /// carrying `file`, `path` and `reason` on bad input or a budget overrun.
    #[wasm_bindgen(constructor)]
    pub fn new(file: &str, json: &str, overrides: JsValue, seed: f64, actions: JsValue) -> Result<Replay, JsValue> {
        let seed = seed_of(file, seed)?;
        let o = overrides_of(file, overrides)?;
        let injected = actions_of(file, actions)?;
        let inner = replay::replay_with(file, json, &o, seed, injected).map_err(|e| js_error(&e))?;
        Ok(Replay { inner })
    }

    /// `new`, stopped at `until_us` of simulated time: the page shows the
    /// start of an injected action's future while `advance` simulates the rest.
    pub fn start(file: &str, json: &str, overrides: JsValue, seed: f64, actions: JsValue, until_us: f64) -> Result<Replay, JsValue> {
        let seed = seed_of(file, seed)?;
        let o = overrides_of(file, overrides)?;
        let injected = actions_of(file, actions)?;
        let until = if until_us.is_finite() && until_us > 0.0 { until_us as u64 } else { 0 };
        let inner = replay::replay_until(file, json, &o, seed, Some(until), injected).map_err(|e| js_error(&e))?;
        Ok(Replay { inner })
    }

    /// Run on to `until_us` (`replay::Replay::advance`: the same trace as one
    /// run to the end); the outcome is measured again once `finished`.
    pub fn advance(&mut self, until_us: f64) -> Result<(), JsValue> {
        let until = if until_us.is_finite() && until_us > 0.0 { until_us as u64 } else { 0 };
        self.inner.advance(until).map_err(|e| js_error(&e))
    }

    /// Simulated time reached (µs); the end once `finished`.
    pub fn reached_us(&self) -> f64 {
        self.inner.reached_us() as f64
    }

    pub fn finished(&self) -> bool {
        self.inner.finished()
    }

    pub fn outcome(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.outcome)
    }

    pub fn digest(&self) -> String {
        self.inner.outcome.digest.clone()
    }

    pub fn end_us(&self) -> f64 {
        self.inner.run.end_us() as f64
    }

    pub fn events(&self) -> f64 {
        self.inner.outcome.events as f64
    }

    /// Every 1,000 events: flat `[at_us, hash as 16 hex digits]` pairs
    /// (`Trace::fingerprints`; the hash as text, since a u64 is not a JS number).
    pub fn fingerprints(&self) -> Vec<String> {
        self.inner.run.trace.fingerprints.iter().flat_map(|(at, h)| [at.to_string(), format!("{h:016x}")]).collect()
    }

    pub fn topology(&self) -> Result<JsValue, JsValue> {
        let s = &self.inner.scenario;
        let net = &self.inner.run.network;
        let taken = self.inner.states_taken();
        let topology = Topology {
            nodes: s
                .nodes
                .iter()
                .zip(&self.inner.run.shows)
                .zip(taken)
                .map(|((n, show), taken)| NodeInfo {
                    name: &n.name,
                    label: &n.label,
                    x: n.x,
                    y: n.y,
                    model: n.model.name(),
                    commands: n.model.commands(),
                    show,
                    taken,
                })
                .collect(),
            links: net.links.iter().flat_map(|l| [l.from.0, l.to.0, u32::from(l.plane.0)]).collect(),
            link_via: net.links.iter().map(|l| l.via.iter().map(|d| d.0).collect()).collect(),
            planes: &net.planes,
            devices: net.devices.iter().map(|d| d.name.as_str()).collect(),
            groups: &self.inner.groups,
        };
        to_js(&topology)
    }

    /// The frame at `t_us` (layout in `trace/frame.rs`), copied out so it
    /// can be posted from a worker.
    pub fn frame(&mut self, t_us: f64) -> js_sys::Float32Array {
        let t = if t_us.is_finite() && t_us > 0.0 { t_us as u64 } else { 0 };
        js_sys::Float32Array::from(self.inner.frame(t))
    }

    /// Start times (µs) of the timeline steps that ran, in order, with their index.
    pub fn step_times(&self) -> js_sys::Float64Array {
        self.marks(|e| match e {
            crate::trace::event::TraceEvent::Step { at_us, index } => Some((*at_us, *index)),
            _ => None,
        })
    }

    /// The injected actions that ran: flat `[at_us, index]`, and their text
    /// form by index (`injected_texts`), for the timeline's marks and the list.
    pub fn injected_times(&self) -> js_sys::Float64Array {
        self.marks(|e| match e {
            crate::trace::event::TraceEvent::Injected { at_us, index } => Some((*at_us, *index)),
            _ => None,
        })
    }

    pub fn injected_texts(&self) -> Vec<String> {
        self.inner.injected.iter().map(inject::to_text).collect()
    }

    /// Request counters per bucket: flat [ok, failed, latency_mean_ms] per bucket.
    pub fn request_series(&self) -> js_sys::Float64Array {
        let data: Vec<f64> = self
            .inner
            .run
            .trace
            .buckets
            .iter()
            .flat_map(|b| {
                let mean = if b.ok == 0 { 0.0 } else { b.latency_sum_us as f64 / f64::from(b.ok) / 1e3 };
                [f64::from(b.ok), f64::from(b.failed), mean]
            })
            .collect();
        js_sys::Float64Array::from(&data[..])
    }

    /// Shaded stretches for the timeline: flat `[shade, start_us, end_us]`.
    pub fn shades(&self) -> js_sys::Float64Array {
        js_sys::Float64Array::from(&self.inner.shades()[..])
    }

    /// Sorted times of state changes and timeline steps (for "next event" and time-warp).
    pub fn moments(&self) -> js_sys::Float64Array {
        js_sys::Float64Array::from(&self.inner.moments()[..])
    }

    /// Names of the model gauges, by id.
    pub fn gauge_names(&self) -> Vec<String> {
        self.inner.gauges.clone()
    }

    /// Reports of one gauge: flat `[t_us, node, value]`.
    pub fn gauge_series(&self, gauge: u16) -> js_sys::Float64Array {
        js_sys::Float64Array::from(&self.inner.gauge_series(gauge)[..])
    }

    /// Messages in the air during `[from_us, to_us]`, at most `max`:
    /// flat `[sent_us, end_us, from, to, plane, kind, fate]`.
    pub fn messages(&self, from_us: f64, to_us: f64, max: u32) -> js_sys::Float64Array {
        let clamp = |t: f64| if t.is_finite() && t > 0.0 { t as u64 } else { 0 };
        js_sys::Float64Array::from(&self.inner.messages(clamp(from_us), clamp(to_us), max as usize)[..])
    }

    /// Names of message kinds by code, for legends.
    pub fn kind_names(&self) -> Vec<String> {
        crate::model::msg::kind_codes().map(|c| format!("{c}:{}", crate::model::msg::kind_name(c))).collect()
    }

    pub fn bucket_us(&self) -> f64 {
        self.inner.run.trace.bucket_us as f64
    }

    /// The golden text timeline (same text as `incident-replay run --format timeline`).
    pub fn timeline_text(&self) -> String {
        self.inner.timeline_text()
    }
}

impl Replay {
    /// Flat `[at_us, index]` pairs of the trace events `pick` selects, in trace order.
    fn marks(&self, pick: impl Fn(&crate::trace::event::TraceEvent) -> Option<(u64, u32)>) -> js_sys::Float64Array {
        let times: Vec<f64> = self.inner.run.trace.events.iter().filter_map(pick).flat_map(|(at_us, index)| [at_us as f64, f64::from(index)]).collect();
        js_sys::Float64Array::from(&times[..])
    }
}
