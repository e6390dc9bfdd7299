//! `run`: one scenario, one seed (or `--seeds N`, see `seeds`), printed as
//! text, JSON or the golden text timeline; `--until` stops early.

use std::path::PathBuf;

use clap::ValueEnum;
use incident_replay::replay::replay;
use incident_replay::scenario::format::CheckKind;
use incident_replay::scenario::units::{parse_literal, Kind};
use incident_replay::scenario::{self, Overrides, ScenarioError};

use crate::input::{overrides, read, seed_of};

#[derive(Clone, Copy, ValueEnum)]
pub enum RunFormat {
    Text,
    Json,
    Timeline,
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
}

pub fn run(args: RunArgs) -> Result<(), String> {
    let RunArgs { file, seed, seeds, sets, until, format } = args;
    if let Some(count) = seeds {
        if until.is_some() {
            return Err("--seeds and --until cannot be combined".into());
        }
        let (name, text) = read(&file)?;
        return crate::seeds::run_seeds(&name, &text, seed_of(&seed)?, count, &overrides(&sets)?, format);
    }
    let (name, text) = read(&file)?;
    let seed = seed_of(&seed)?;
    let o = overrides(&sets)?;
    let result = match until {
        None => replay(&name, &text, &o, seed),
        Some(u) => {
            let until_us = until_of(&name, &text, &u)?;
            replay_until(&name, &text, &o, seed, until_us)
        }
    };
    let r = result.map_err(|e| e.to_string())?;
    match format {
        RunFormat::Json => println!("{}", serde_json::to_string_pretty(&r.outcome).map_err(|e| e.to_string())?),
        RunFormat::Timeline => print!("{}", r.timeline_text()),
        RunFormat::Text => print_text(&r.scenario.meta.title, &r.outcome),
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

fn replay_until(
    name: &str,
    text: &str,
    o: &Overrides,
    seed: u64,
    until_us: u64,
) -> Result<incident_replay::replay::Replay, ScenarioError> {
    // Shorten the scenario's duration; the replay then stops there.
    let mut value: serde_json::Value = serde_json::from_str(text).map_err(|e| ScenarioError::shape(name, String::new(), e))?;
    value["meta"]["duration"] = serde_json::Value::String(format!("{until_us}us"));
    let shortened: Vec<_> = value["timeline"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|step| {
            step["at"].as_str().and_then(|a| parse_literal(a, Kind::Duration).ok()).is_none_or(|at| at as u64 <= until_us)
        })
        .collect();
    value["timeline"] = serde_json::Value::Array(shortened);
    replay(name, &value.to_string(), o, seed)
}

fn print_text(title: &str, o: &incident_replay::monitor::Outcome) {
    println!("{title}");
    println!("  seed {}  events {}  simulated {:.1} s  digest {}", o.seed, o.events, o.end_s, o.digest);
    println!("  split brain      {:>12.1} s  ({} groups)", o.split_brain_s, o.groups_split);
    println!("  all members down {:>12.1} s  ({} groups)", o.all_down_s, o.groups_all_down);
    println!("  unavailable      {:>12.1} group-s", o.unavailable_s);
    println!("  degraded         {:>12.1} s", o.degraded_s);
    println!("  leader changes   {:>12}", o.leader_changes);
    println!("  writes acked     {:>12}  lost {}  divergent {}", o.acked_writes, o.lost_writes, o.divergent_writes);
    println!("  requests ok      {:>12}  failed {}  success {:.2}%  mean latency {:.1} ms", o.requests_ok, o.requests_failed, o.success_rate_pct, o.latency_mean_ms);
    println!("  RPO {:.1} s   RTO {:.1} s", o.rpo_s, o.rto_s);
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
