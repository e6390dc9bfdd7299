//! `run --seeds N`: one scenario over many seeds, as a per-seed table and every
//! figure's median and range (or JSON).

use incident_replay::monitor::spread;
use incident_replay::monitor::Outcome;
use incident_replay::replay::outcome;
use incident_replay::scenario::inject::InjectedAction;
use incident_replay::scenario::{self, Overrides};

use crate::run::{kind_word, RunFormat};

/// Run `count` seeds from `first` on, in parallel, in seed order.
fn outcomes_over_seeds(name: &str, text: &str, first: u64, count: u64, o: &Overrides, injected: &[InjectedAction]) -> Result<Vec<Outcome>, String> {
    let seeds: Vec<u64> = (0..count).map(|i| first.saturating_add(i)).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(seeds.len().max(1));
    let chunk = seeds.len().div_ceil(threads).max(1);
    let results: Vec<Result<Outcome, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = seeds
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|&s| outcome(name, text, o, s, injected).map_err(|e| e.to_string())).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|_| vec![Err("a worker thread panicked".into())])).collect()
    });
    results.into_iter().collect()
}

pub fn run_seeds(name: &str, text: &str, first: u64, count: u64, o: &Overrides, injected: &[InjectedAction], format: RunFormat) -> Result<(), String> {
    if count == 0 || count > 10_000 {
        return Err(format!("--seeds {count}: must be 1..=10000"));
    }
    let outcomes = outcomes_over_seeds(name, text, first, count, o, injected)?;
    let summary = spread::spread(&outcomes);
    match format {
        RunFormat::Json => {
            let per_seed: Vec<serde_json::Value> = outcomes
                .iter()
                .map(|out| {
                    let mut row = serde_json::Map::new();
                    row.insert("seed".into(), serde_json::json!(out.seed));
                    for m in spread::figure_names(out) {
                        row.insert(m.clone(), serde_json::json!(out.metric(&m)));
                    }
                    row.insert("checks_within".into(), serde_json::json!(out.checks.iter().map(|c| c.within).collect::<Vec<_>>()));
                    serde_json::Value::Object(row)
                })
                .collect();
            let doc = serde_json::json!({ "spread": summary, "per_seed": per_seed });
            println!("{}", serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?);
        }
        RunFormat::Timeline | RunFormat::Actions | RunFormat::Fingerprints => return Err("--seeds: use --format text or json (a timeline, an action list or fingerprints are one seed's)".into()),
        RunFormat::Text => {
            let title = scenario::parse(name, text).map(|s| s.meta.title).unwrap_or_default();
            print_seed_table(&title, &outcomes);
            print_spread(&summary);
        }
    }
    Ok(())
}

/// Figures worth a column: the checks' metrics first, then the headline ones.
fn table_columns(o: &Outcome) -> Vec<String> {
    let mut cols: Vec<String> = o.checks.iter().map(|c| c.metric.clone()).collect();
    for m in ["split_brain_s", "groups_all_down", "unavailable_s", "lost_writes", "success_rate_pct", "rpo_s", "rto_s"] {
        if !cols.iter().any(|c| c == m) {
            cols.push(m.to_string());
        }
    }
    cols
}

fn print_seed_table(title: &str, outcomes: &[Outcome]) {
    let Some(first) = outcomes.first() else { return };
    let cols = table_columns(first);
    println!("{title}: {} seeds", outcomes.len());
    println!("| seed | {} | checks held |", cols.join(" | "));
    println!("|---|{}---|", "---|".repeat(cols.len()));
    for o in outcomes {
        let cells: Vec<String> = cols
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let v = o.metric(m).map_or("?".to_string(), short);
                // A mark on the columns that are checks: inside the band or not.
                match o.checks.get(i) {
                    Some(c) if i < o.checks.len() => format!("{v} {}", if c.within { "✓" } else { "✗" }),
                    _ => v,
                }
            })
            .collect();
        let held = o.checks.iter().filter(|c| c.within).count();
        println!("| {} | {} | {held}/{} |", o.seed, cells.join(" | "), o.checks.len());
    }
}

/// A figure for a table: whole numbers without decimals, others to 3 significant places.
fn short(v: f64) -> String {
    if v.fract() == 0.0 || v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn print_spread(s: &spread::Spread) {
    let n = s.seeds.len();
    println!();
    println!("over seeds {}..={}: median (min-max); in how many seeds above zero", s.seeds.first().unwrap_or(&0), s.seeds.last().unwrap_or(&0));
    for f in &s.figures {
        if f.max == 0.0 && f.min == 0.0 {
            continue; // zero in every seed: nothing to say
        }
        // A gauge's largest value, when it says no more than its last one.
        let same_as_last = f.metric.strip_suffix("_max").and_then(|base| s.figures.iter().find(|g| g.metric == base)).is_some_and(|g| (g.median, g.min, g.max) == (f.median, f.min, f.max));
        if same_as_last {
            continue;
        }
        let unit = f.unit.suffix();
        let value = format!("{} {unit}", short(f.median));
        println!("  {:<24} {:>14} ({}-{})  above zero in {} of {n} seeds", f.metric, value.trim_end(), short(f.min), short(f.max), f.seeds_above_zero);
    }
    for c in &s.checks {
        println!(
            "  {} {:<22} expected {} ± {}: holds in {} of {} seeds (median {}, range {}-{})",
            kind_word(c.kind),
            c.metric,
            c.expected,
            c.tolerance,
            c.held,
            c.seeds,
            short(c.median),
            short(c.min),
            short(c.max)
        );
    }
}
