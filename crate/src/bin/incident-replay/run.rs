//! `run`: one scenario, one seed (or `--seeds N`, see `seeds`), printed as
//! text, JSON or the golden text timeline; `--until` stops early.

use std::path::PathBuf;

use clap::ValueEnum;
use incident_replay::monitor::metrics::Unit;
use incident_replay::monitor::METRIC_TABLE;
use incident_replay::replay::{replay_until, replay_with};
use incident_replay::scenario::chaos;
use incident_replay::scenario::inject::{self, InjectedAction};
use incident_replay::scenario::format::CheckKind;
use incident_replay::scenario::units::{parse_literal, Kind};
use incident_replay::scenario;

use crate::input::{overrides, read, seed_of};

#[derive(Clone, Copy, ValueEnum)]
pub enum RunFormat {
    Text,
    Json,
    Timeline,
    /// The injected actions (from `--actions`, `--inject` and `--chaos`) in the
    /// text form, one a line: what a chaos run did, to edit or pass back with `--inject`.
    Actions,
    /// One line per 1,000 events: simulated µs and the hash of every event so far (hex).
    Fingerprints,
}

#[derive(clap::Args)]
pub struct RunArgs {
    file: PathBuf,
    /// Run seed; `random` draws one (and prints it).
    #[arg(long, default_value = "1")]
    seed: String,
    /// Run N seeds (from `--seed` on; 10 when given without a number) and
    /// report every figure's median and range, and in how many seeds each
    /// check held.
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "10")]
    seeds: Option<u64>,
    /// Override a parameter or toggle: `--set dead_time=120 --set fencing_confirmed=on`.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    sets: Vec<String>,
    /// Stop early at this simulated time, e.g. `90min`.
    #[arg(long)]
    until: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: RunFormat,
    #[command(flatten)]
    actions: ActionArgs,
}

/// Actions added to the scenario's timeline (`scenario/inject.rs`), checked like its steps.
#[derive(clap::Args, Default)]
pub struct ActionArgs {
    /// An injected action, e.g. `--inject "30s crash s1"` or
    /// `--inject "11h30min cut fs1a fs1b both planes=cluster"` (repeatable). Forms:
    /// crash|restart|power_off|power_on NODE; pause NODE DURATION; clock_skew NODE PPM;
    /// clock_step NODE [-]DURATION; cut|heal FROM TO [both] [planes=P,Q];
    /// netem FROM TO [both] [loss=5%] [delay=50ms]; partition A,B/C,D; heal_partition A,B/C,D; heal_all;
    /// device_fault DEVICE DROP [carrier_up]; device_heal DEVICE;
    /// command NODE[,NODE] NAME [ARG=VALUE ...]
    #[arg(long = "inject", value_name = "ACTION")]
    pub inject: Vec<String>,
    /// A JSON file holding a list of `{"at": "30s", "action": {"crash": {"node": "s1"}}}`.
    #[arg(long = "actions", value_name = "FILE")]
    pub actions_file: Option<PathBuf>,
    /// A seeded chaos monkey whose faults join the actions, e.g.
    /// `--chaos seed=7,rate=6` (faults per simulated hour of crash, pause and cut).
    /// Keys: seed, rate, crash|pause|cut|netem|clock_step=PER_HOUR, targets=A+B,
    /// duration=10s..2min, max=N (at once), from=TIME, until=TIME, loss=20%, delay=200ms.
    #[arg(long = "chaos", value_name = "SETTINGS")]
    pub chaos: Option<String>,
}

impl ActionArgs {
    /// Every injected action: the file's, then `--inject`'s, then the monkey's.
    pub fn gather(&self, name: &str, text: &str) -> Result<Vec<InjectedAction>, String> {
        let mut all = vec![];
        if let Some(path) = &self.actions_file {
            let (file, body) = read(path)?;
            all.extend(inject::parse_file(&file, &body).map_err(|e| e.to_string())?);
        }
        all.extend(inject::parse_lines("--inject", &self.inject).map_err(|e| e.to_string())?);
        if let Some(settings) = &self.chaos {
            let config = chaos::parse_config(settings).map_err(|e| scenario::error::quote(&e))?;
            let parsed = scenario::parse(name, text).map_err(|e| e.to_string())?;
            all.extend(chaos::for_scenario(name, &parsed, &config).map_err(|e| e.to_string())?);
        }
        Ok(all)
    }
}

pub fn run(args: RunArgs) -> Result<(), String> {
    let RunArgs { file, seed, seeds, sets, until, format, actions } = args;
    if let Some(count) = seeds {
        if until.is_some() {
            return Err("--seeds and --until cannot be combined".into());
        }
        let (name, text) = read(&file)?;
        let injected = actions.gather(&name, &text)?;
        return crate::seeds::run_seeds(&name, &text, seed_of(&seed)?, count, &overrides(&sets)?, &injected, format);
    }
    let (name, text) = read(&file)?;
    let seed = seed_of(&seed)?;
    let o = overrides(&sets)?;
    let injected = actions.gather(&name, &text)?;
    let result = match until {
        None => replay_with(&name, &text, &o, seed, injected),
        Some(u) => {
            let until_us = until_of(&name, &text, &u)?;
            replay_until(&name, &text, &o, seed, Some(until_us), injected)
        }
    };
    let r = result.map_err(|e| e.to_string())?;
    match format {
        RunFormat::Json => println!("{}", serde_json::to_string_pretty(&r.outcome).map_err(|e| e.to_string())?),
        RunFormat::Timeline => print!("{}", r.timeline_text()),
        RunFormat::Fingerprints => {
            for (at_us, hash) in &r.run.trace.fingerprints {
                println!("{at_us} {hash:016x}");
            }
        }
        RunFormat::Text => print_text(&r.scenario.meta.title, &r.outcome),
        RunFormat::Actions => r.injected.iter().for_each(|a| println!("{}", inject::to_text(a))),
    }
    Ok(())
}

/// `--until`: a duration literal (`90min`, `1h30min`) above zero and not after
/// the scenario's own end, checked against the file before anything runs.
fn until_of(name: &str, text: &str, until: &str) -> Result<u64, String> {
    let shown = scenario::error::quote(until);
    let until_us = parse_literal(until, Kind::Duration).map_err(|e| format!("--until: {}", scenario::error::quote(&e)))?.round();
    let parsed = scenario::parse(name, text).map_err(|e| e.to_string())?;
    let end_us = parse_literal(&parsed.meta.duration, Kind::Duration).map_err(|e| format!("{name}: meta.duration: {e}"))?.round();
    if !(until_us > 0.0 && until_us <= end_us) {
        return Err(format!(
            "--until {shown}: must be above zero and not after the scenario's end ({})",
            incident_replay::engine::time::format_duration(end_us as u64)
        ));
    }
    Ok(until_us as u64)
}

/// The text outcome: the metric table's headline rows (request figures only
/// when clients sent requests, zero rows left out as on the page), then the checks.
fn print_text(title: &str, o: &incident_replay::monitor::Outcome) {
    println!("{title}");
    println!("  seed {}  events {}  simulated {:.1} s  digest {}", o.seed, o.events, o.end_s, o.digest);
    let requests = o.requests_ok + o.requests_failed > 0;
    for m in METRIC_TABLE.iter().filter(|m| m.headline && (requests || !m.needs_requests)) {
        let v = (m.read)(o);
        if v == 0.0 && m.unit != Unit::Percent {
            continue;
        }
        let value = match m.unit {
            Unit::Count => format!("{v:.0}"),
            _ => format!("{v:.1}"),
        };
        let line = format!("  {:<36} {:>12} {}", m.label, value, m.unit.suffix());
        println!("{}", line.trim_end());
    }
    for c in &o.checks {
        let m = c.measured.map_or("unknown metric".to_string(), |m| format!("{m:.1}"));
        println!("  {} {:<22} expected {} ± {}  measured {}  {}", kind_word(c.kind), c.metric, c.expected, c.tolerance, m, if c.within { "ok" } else { "OUT OF TOLERANCE" });
    }
}

/// "fitted" for a figure an input was calibrated to, "check" for a prediction.
pub fn kind_word(kind: CheckKind) -> &'static str {
    match kind {
        CheckKind::Fitted => "fitted",
        CheckKind::Predicted => "check ",
    }
}
