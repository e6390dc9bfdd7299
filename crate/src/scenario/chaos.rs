//! The chaos monkey: a seeded generator of faults for any scenario, whose output
//! is ordinary injected actions (`inject.rs`), so a chaos run can be replayed,
//! edited and shared like a hand-made one.
//!
//! Each fault kind arrives as a Bernoulli process with one trial per simulated
//! second at `rate_per_hour / 3600` (integer draws only, so native and WASM make
//! the same faults), from its own stream `chaos monkey KIND` keyed by the
//! monkey's seed: changing one kind's rate leaves the other kinds' faults where
//! they were. A fault lasts a duration drawn from `duration_min..=duration_max`
//! and is then undone (restart, heal, netem removed; a pause thaws by itself,
//! a clock step stays). At most `concurrent_max` faults run at once, and a target
//! already under a fault is not chosen again until it is over; a fault that finds
//! no free target is skipped.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::format::{ActionSpec, Quantity, Scenario};
use super::inject::InjectedAction;
use super::units::{parse_literal, Kind};
use crate::engine::rng::Rng;
use crate::engine::time::US_PER_S;

/// What the monkey can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Crash a node; restart it after the duration.
    Crash,
    /// Freeze a node's process for the duration (a GC pause, a stalled VM).
    Pause,
    /// Cut both directions between two linked nodes; heal after the duration.
    Cut,
    /// Loss and delay between two linked nodes (`tc netem`); removed after the duration.
    Netem,
    /// Step a node's clock forward by the duration (an NTP step); not undone.
    ClockStep,
}

impl FaultKind {
    pub const ALL: [FaultKind; 5] = [FaultKind::Crash, FaultKind::Pause, FaultKind::Cut, FaultKind::Netem, FaultKind::ClockStep];

    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Crash => "crash",
            FaultKind::Pause => "pause",
            FaultKind::Cut => "cut",
            FaultKind::Netem => "netem",
            FaultKind::ClockStep => "clock_step",
        }
    }

    fn on_links(self) -> bool {
        matches!(self, FaultKind::Cut | FaultKind::Netem)
    }
}

/// The monkey's settings. Durations and times in microseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChaosConfig {
    pub seed: u64,
    /// Faults per simulated hour, by kind; a kind not listed does not happen.
    pub rates_per_hour: BTreeMap<FaultKind, f64>,
    /// Nodes the monkey may hit; empty: every node except clients and the people
    /// models (`ops_team`) and the backup catalog, which are not machines in the cluster.
    pub targets: Vec<String>,
    pub duration_min_us: u64,
    pub duration_max_us: u64,
    pub concurrent_max: u32,
    /// Faults start within `[from_us, until_us]` (until: the end of the run when 0).
    pub from_us: u64,
    pub until_us: u64,
    /// A netem fault's loss and delay (assumptions: a badly congested path).
    pub netem_loss: String,
    pub netem_delay: String,
}

/// Kinds `rate=` sets when no kind is named.
const DEFAULT_KINDS: [FaultKind; 3] = [FaultKind::Crash, FaultKind::Pause, FaultKind::Cut];

/// Models that are not machines a monkey should hit by default.
const NOT_MACHINES: [&str; 3] = ["client", "ops_team", "backup_catalog"];

impl Default for ChaosConfig {
    fn default() -> Self {
        ChaosConfig {
            seed: 1,
            rates_per_hour: BTreeMap::new(),
            targets: vec![],
            duration_min_us: 10 * US_PER_S,
            duration_max_us: 120 * US_PER_S,
            concurrent_max: 1,
            from_us: 0,
            until_us: 0,
            netem_loss: "20%".into(),
            netem_delay: "200ms".into(),
        }
    }
}

/// The text form's keys, for errors and `--help`.
pub const CONFIG_FORM: &str = "seed=N, rate=PER_HOUR (crash, pause and cut), crash|pause|cut|netem|clock_step=PER_HOUR, \
targets=A+B+C, duration=10s..2min, max=N (at once), from=TIME, until=TIME, loss=20%, delay=200ms";

/// Parse `seed=7,rate=6,duration=10s..1min,max=2` (the CLI's `--chaos` and the URL).
pub fn parse_config(text: &str) -> Result<ChaosConfig, String> {
    let mut c = ChaosConfig::default();
    let mut rate_all = None;
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').ok_or_else(|| format!("chaos `{part}`: expected key=value ({CONFIG_FORM})"))?;
        let bad = |what: &str| format!("chaos {key}: `{value}` is not {what}");
        let duration = |v: &str| parse_literal(v, Kind::Duration).map(|us| us.round() as u64).map_err(|e| format!("chaos {key}: {e}"));
        let rate = |v: &str| match v.parse::<f64>() {
            Ok(r) if r.is_finite() && (0.0..=3600.0).contains(&r) => Ok(r),
            _ => Err(bad("a rate from 0 to 3600 per hour")),
        };
        match key {
            "seed" => c.seed = value.parse().map_err(|_| bad("a whole number"))?,
            "rate" => rate_all = Some(rate(value)?),
            "targets" => c.targets = value.split('+').map(str::to_string).collect(),
            "duration" => {
                let (lo, hi) = value.split_once("..").unwrap_or((value, value));
                (c.duration_min_us, c.duration_max_us) = (duration(lo)?, duration(hi)?);
                if c.duration_min_us > c.duration_max_us || c.duration_min_us == 0 {
                    return Err(format!("chaos duration: `{value}` must be MIN..MAX with 0 < MIN <= MAX"));
                }
            }
            "max" => c.concurrent_max = value.parse().ok().filter(|&n| n >= 1).ok_or_else(|| bad("a whole number of at least 1"))?,
            "from" => c.from_us = duration(value)?,
            "until" => c.until_us = duration(value)?,
            "loss" => c.netem_loss = value.to_string(),
            "delay" => c.netem_delay = value.to_string(),
            kind => {
                let k = FaultKind::ALL.into_iter().find(|k| k.name() == kind).ok_or_else(|| format!("chaos: no setting `{kind}` ({CONFIG_FORM})"))?;
                c.rates_per_hour.insert(k, rate(value)?);
            }
        }
    }
    if let Some(r) = rate_all {
        for k in DEFAULT_KINDS {
            c.rates_per_hour.entry(k).or_insert(r);
        }
    }
    Ok(c)
}

/// The text form of a configuration (the inverse of `parse_config`).
pub fn config_text(c: &ChaosConfig) -> String {
    let mut parts = vec![format!("seed={}", c.seed)];
    for (k, r) in &c.rates_per_hour {
        parts.push(format!("{}={r}", k.name()));
    }
    if !c.targets.is_empty() {
        parts.push(format!("targets={}", c.targets.join("+")));
    }
    parts.push(format!("duration={}..{}", time_text(c.duration_min_us), time_text(c.duration_max_us)));
    parts.push(format!("max={}", c.concurrent_max));
    if c.from_us > 0 {
        parts.push(format!("from={}", time_text(c.from_us)));
    }
    if c.until_us > 0 {
        parts.push(format!("until={}", time_text(c.until_us)));
    }
    parts.push(format!("loss={}", c.netem_loss));
    parts.push(format!("delay={}", c.netem_delay));
    parts.join(",")
}

/// One fault the kinds' streams proposed, before admission.
struct Proposal {
    at_us: u64,
    kind: FaultKind,
    duration_us: u64,
    /// Picks among the targets free at `at_us`.
    pick: u64,
}

/// The monkey's faults for `s` as injected actions, in time order. `end_us` is
/// the run's length (`meta.duration`). Errors name the setting.
pub fn generate(s: &Scenario, end_us: u64, c: &ChaosConfig) -> Result<Vec<InjectedAction>, String> {
    let nodes = targets(s, c)?;
    let pairs = linked_pairs(s, &nodes);
    let until_us = if c.until_us == 0 { end_us } else { c.until_us.min(end_us) };
    let mut proposals = vec![];
    for (&kind, &rate) in &c.rates_per_hour {
        let ppm = (rate / 3600.0 * 1e6).round().clamp(0.0, 1e6) as u32;
        let mut rng = Rng::for_name(c.seed, &format!("chaos monkey {}", kind.name()));
        let mut second = c.from_us / US_PER_S;
        while second * US_PER_S < until_us {
            if rng.chance_ppm(ppm) {
                // Whole milliseconds, so the text form (`12.345s`) is exact.
                let at_us = (second * US_PER_S + rng.below(1_000) * 1_000).min(until_us);
                let duration_us = rng.between(c.duration_min_us / 1_000, c.duration_max_us.div_ceil(1_000)).max(1) * 1_000;
                proposals.push(Proposal { at_us, kind, duration_us, pick: rng.next_u64() });
            }
            second += 1;
        }
    }
    // By time, then kind (declaration order); equal ones in the order proposed.
    let keys: Vec<(u64, u64)> = proposals.iter().map(|p| (p.at_us, p.kind as u64)).collect();
    let proposals = crate::order::permute(proposals, &crate::order::order_by(&keys));
    Ok(admit(&proposals, &nodes, &pairs, end_us, c))
}

/// Admit proposals in time order within the concurrency limit, each on a free target.
fn admit(proposals: &[Proposal], nodes: &[String], pairs: &[(String, String)], end_us: u64, c: &ChaosConfig) -> Vec<InjectedAction> {
    let mut out: Vec<(u64, usize, InjectedAction)> = vec![];
    // (ends at, the nodes it holds) for faults still running.
    let mut running: Vec<(u64, Vec<String>)> = vec![];
    for p in proposals {
        running.retain(|(ends, _)| *ends > p.at_us);
        if running.len() >= c.concurrent_max as usize {
            continue;
        }
        let mut busy = BTreeSet::new();
        busy.extend(running.iter().flat_map(|(_, held)| held.iter().map(String::as_str)));
        let ends_us = p.at_us.saturating_add(p.duration_us);
        let (held, start, undo) = if p.kind.on_links() {
            let free: Vec<&(String, String)> = pairs.iter().filter(|(a, b)| !busy.contains(a.as_str()) && !busy.contains(b.as_str())).collect();
            if free.is_empty() {
                continue;
            }
            let (a, b) = free[(p.pick % free.len() as u64) as usize].clone();
            let (start, undo) = link_fault(p.kind, &a, &b, c);
            (vec![a, b], start, Some(undo))
        } else {
            let free: Vec<&String> = nodes.iter().filter(|n| !busy.contains(n.as_str())).collect();
            if free.is_empty() {
                continue;
            }
            let n = free[(p.pick % free.len() as u64) as usize].clone();
            let (start, undo) = node_fault(p.kind, &n, p.duration_us);
            (vec![n], start, undo)
        };
        let seq = out.len();
        out.push((p.at_us, seq, at(p.at_us, start)));
        if let Some(undo) = undo.filter(|_| ends_us <= end_us) {
            out.push((ends_us, seq + 1, at(ends_us, undo)));
        }
        running.push((ends_us, held));
    }
    let keys: Vec<(u64, u64)> = out.iter().map(|&(t, seq, _)| (t, seq as u64)).collect();
    crate::order::permute(out, &crate::order::order_by(&keys)).into_iter().map(|(_, _, a)| a).collect()
}

fn at(at_us: u64, action: ActionSpec) -> InjectedAction {
    InjectedAction { at: Quantity::Text(time_text(at_us)), action }
}

/// Whole milliseconds as seconds: `12s`, `12.345s`.
pub fn time_text(us: u64) -> String {
    let (s, ms) = (us / US_PER_S, us % US_PER_S / 1_000);
    if us % 1_000 != 0 {
        format!("{us}us")
    } else if ms == 0 {
        format!("{s}s")
    } else {
        format!("{s}.{ms:03}s")
    }
}

fn node_fault(kind: FaultKind, n: &str, duration_us: u64) -> (ActionSpec, Option<ActionSpec>) {
    let node = n.to_string();
    match kind {
        FaultKind::Crash => (ActionSpec::Crash { node: node.clone() }, Some(ActionSpec::Restart { node })),
        FaultKind::Pause => (ActionSpec::Pause { node, duration: Quantity::Text(time_text(duration_us)) }, None),
        FaultKind::ClockStep => (ActionSpec::ClockStep { node, by: Quantity::Text(time_text(duration_us)), backwards: false }, None),
        FaultKind::Cut | FaultKind::Netem => unreachable!("link faults are made by link_fault"),
    }
}

fn link_fault(kind: FaultKind, a: &str, b: &str, c: &ChaosConfig) -> (ActionSpec, ActionSpec) {
    let (from, to) = (a.to_string(), b.to_string());
    match kind {
        FaultKind::Cut => (
            ActionSpec::Cut { from: from.clone(), to: to.clone(), planes: vec![], both_ways: true },
            ActionSpec::Heal { from, to, planes: vec![], both_ways: true },
        ),
        _ => (
            ActionSpec::Netem {
                from: from.clone(),
                to: to.clone(),
                planes: vec![],
                both_ways: true,
                loss: Some(Quantity::Text(c.netem_loss.clone())),
                delay: Some(Quantity::Text(c.netem_delay.clone())),
            },
            ActionSpec::Netem { from, to, planes: vec![], both_ways: true, loss: None, delay: None },
        ),
    }
}

/// The monkey's faults for a parsed scenario file; errors name the file and `chaos`.
pub fn for_scenario(file: &str, s: &Scenario, c: &ChaosConfig) -> Result<Vec<InjectedAction>, super::ScenarioError> {
    let end_us = parse_literal(&s.meta.duration, Kind::Duration).map_err(|r| super::ScenarioError::new(file, "meta.duration", r))?.round() as u64;
    let actions = generate(s, end_us, c).map_err(|r| super::ScenarioError::new(file, "chaos", r))?;
    super::inject::check_count(file, actions.len()).map_err(|_| {
        super::ScenarioError::new(file, "chaos", format!("{} faults; at most {} injected actions (a lower rate)", actions.len(), super::inject::INJECTED_MAX))
    })?;
    Ok(actions)
}

fn targets(s: &Scenario, c: &ChaosConfig) -> Result<Vec<String>, String> {
    if c.targets.is_empty() {
        return Ok(s.nodes.iter().filter(|n| !NOT_MACHINES.contains(&n.model.name())).map(|n| n.name.clone()).collect());
    }
    for t in &c.targets {
        if !s.nodes.iter().any(|n| &n.name == t) {
            return Err(format!("chaos targets: no node named `{t}`"));
        }
    }
    Ok(c.targets.clone())
}

/// Unordered pairs of targets that some link spec connects, in name order.
fn linked_pairs(s: &Scenario, targets: &[String]) -> Vec<(String, String)> {
    let mut is_target = BTreeSet::new();
    is_target.extend(targets.iter().map(String::as_str));
    let mut pairs = BTreeSet::new();
    for l in &s.links {
        let ends: Vec<&String> = l.nodes.iter().filter(|n| is_target.contains(n.as_str())).collect();
        for (i, a) in ends.iter().enumerate() {
            for b in &ends[i + 1..] {
                pairs.insert(if a < b { ((*a).clone(), (*b).clone()) } else { ((*b).clone(), (*a).clone()) });
            }
        }
    }
    pairs.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_sets_the_default_kinds_and_a_named_kind_its_own() {
        let c = parse_config("seed=7,rate=6,netem=2,crash=1,duration=5s..1min,max=2").unwrap();
        assert_eq!(c.seed, 7);
        assert_eq!(c.rates_per_hour.get(&FaultKind::Crash), Some(&1.0));
        assert_eq!(c.rates_per_hour.get(&FaultKind::Pause), Some(&6.0));
        assert_eq!(c.rates_per_hour.get(&FaultKind::Netem), Some(&2.0));
        assert_eq!(c.rates_per_hour.get(&FaultKind::ClockStep), None);
        assert_eq!((c.duration_min_us, c.duration_max_us, c.concurrent_max), (5_000_000, 60_000_000, 2));
        assert_eq!(parse_config(&config_text(&c)).unwrap(), c);
    }

    #[test]
    fn bad_settings_name_the_key() {
        assert!(parse_config("seed=x").unwrap_err().contains("chaos seed"));
        assert!(parse_config("rate=-1").unwrap_err().contains("chaos rate"));
        assert!(parse_config("monkeys=3").unwrap_err().contains("no setting `monkeys`"));
        assert!(parse_config("duration=1min..5s").unwrap_err().contains("MIN..MAX"));
        assert!(parse_config("max=0").unwrap_err().contains("chaos max"));
    }
}
