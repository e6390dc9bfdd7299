//! `sweep`: a grid of parameter values × seeds, one row per run (CSV, JSON or
//! JSON lines), run on every core and printed in grid order as rows come in.
//! `--shard i/n` runs the i-th of n contiguous slices of the grid, so a long
//! sweep can be spread over machines and the pieces concatenated in shard order
//! (only shard 1 prints the CSV header): `cat shard-*.csv` equals the whole sweep.

use std::path::PathBuf;

use clap::ValueEnum;
use incident_replay::monitor::METRICS;
use incident_replay::replay::{outcome, replay};
use incident_replay::scenario::{self, OverrideValue};

use crate::input::{overrides, read};

#[derive(Clone, Copy, ValueEnum)]
pub enum SweepFormat {
    Csv,
    /// One JSON array of row objects.
    Json,
    /// One row object per line (concatenates across shards).
    Jsonl,
}

#[derive(clap::Args)]
pub struct SweepArgs {
    file: PathBuf,
    /// `name=FROM..TO:STEPS` (inclusive, evenly spaced); give it once or twice.
    #[arg(long, value_name = "NAME=FROM..TO:STEPS", required = true)]
    vary: Vec<String>,
    /// Seeds 1..=K for every grid point.
    #[arg(long, default_value_t = 1)]
    seeds: u64,
    #[arg(long = "set", value_name = "NAME=VALUE")]
    sets: Vec<String>,
    /// Comma-separated outcome metrics to print (default: all).
    #[arg(long)]
    metrics: Option<String>,
    #[arg(long, value_enum, default_value = "csv")]
    format: SweepFormat,
    /// Run only slice I of N of the grid (1-based), e.g. `--shard 2/8`.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
}

/// The slice `[start, end)` of `count` grid points that shard `i` of `n` runs:
/// contiguous, in grid order, sizes differing by at most one.
fn shard_range(text: &str, count: u64) -> Result<(u64, u64), String> {
    let bad = || format!("--shard {text}: expected I/N with 1 <= I <= N <= 100000, e.g. 2/8");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let i: u64 = i.trim().parse().map_err(|_| bad())?;
    let n: u64 = n.trim().parse().map_err(|_| bad())?;
    if !(1..=100_000).contains(&n) || !(1..=n).contains(&i) {
        return Err(bad());
    }
    let at = |k: u64| (u128::from(count) * u128::from(k) / u128::from(n)) as u64;
    Ok((at(i - 1), at(i)))
}

struct Axis {
    name: String,
    values: Vec<f64>,
}

fn parse_vary(text: &str) -> Result<Axis, String> {
    let bad = || format!("--vary {text}: expected NAME=FROM..TO:STEPS, e.g. dead_time=5..120:12");
    let (name, range) = text.split_once('=').ok_or_else(bad)?;
    let (span, steps) = range.split_once(':').ok_or_else(bad)?;
    let (from, to) = span.split_once("..").ok_or_else(bad)?;
    let from: f64 = from.trim().parse().map_err(|_| bad())?;
    let to: f64 = to.trim().parse().map_err(|_| bad())?;
    let steps: u32 = steps.trim().parse().map_err(|_| bad())?;
    if !(1..=10_000).contains(&steps) {
        return Err(format!("--vary {text}: STEPS must be 1..=10000"));
    }
    let values = (0..steps)
        .map(|i| if steps == 1 { from } else { from + (to - from) * f64::from(i) / f64::from(steps - 1) })
        .collect();
    Ok(Axis { name: name.trim().to_string(), values })
}

pub fn sweep(args: SweepArgs) -> Result<(), String> {
    let SweepArgs { file, vary, seeds, sets, metrics, format, shard } = args;
    let (vary, sets) = (vary.as_slice(), sets.as_slice());
    let (name, text) = read(&file)?;
    if vary.len() > 2 {
        return Err("--vary: at most two parameters".into());
    }
    let axes: Vec<Axis> = vary.iter().map(|v| parse_vary(v)).collect::<Result<_, _>>()?;
    if let [a, b] = axes.as_slice() {
        if a.name == b.name {
            return Err(format!("--vary: `{}` is varied twice; vary two different parameters", scenario::error::quote(&a.name)));
        }
    }
    let metrics: Vec<String> = match metrics {
        Some(m) => m.split(',').map(|s| s.trim().to_string()).collect(),
        None => METRICS.iter().map(|s| s.to_string()).collect(),
    };
    if seeds == 0 || seeds > 100_000 {
        return Err("--seeds must be 1..=100000".into());
    }
    let base = overrides(sets)?;
    if let Some(axis) = axes.iter().find(|a| base.contains_key(&a.name)) {
        return Err(format!("--vary {0} and --set {0}: give a parameter one or the other", scenario::error::quote(&axis.name)));
    }
    // Check the file once up front so a bad file gives one error, not one per run;
    // every value of every axis too, so a bad range fails before the first row.
    let parsed = scenario::load(&name, &text, &base, 1).map_err(|e| e.to_string())?.scenario;
    for axis in &axes {
        for v in &axis.values {
            let mut o = base.clone();
            o.insert(axis.name.clone(), OverrideValue::Number(*v));
            // Ranges and whole counts only: cheap enough for 10,000 values an axis.
            scenario::params::Values::new(&name, &parsed, &o).map_err(|e| e.to_string())?;
        }
    }
    // Model gauges (`NAME`, `NAME_max`) are metrics too; they exist only once the scenario is resolved.
    if metrics.iter().any(|m| !METRICS.contains(&m.as_str())) {
        let probe = replay(&name, &text, &base, 1).map_err(|e| e.to_string())?;
        if let Some(bad) = metrics.iter().find(|m| probe.outcome.metric(m).is_none()) {
            let gauges: Vec<&str> = probe.gauges.iter().map(String::as_str).collect();
            return Err(format!("--metrics: unknown metric `{}` (known: {}; gauges: {})", scenario::error::quote(bad), METRICS.join(", "), gauges.join(", ")));
        }
    }
    let grid = Grid { axes: &axes, seeds };
    let (first, end) = match &shard {
        Some(text) if matches!(format, SweepFormat::Json) => {
            return Err(format!("--shard {text} with --format json: JSON arrays do not concatenate; use --format csv or jsonl"));
        }
        Some(text) => shard_range(text, grid.len())?,
        None => (0, grid.len()),
    };
    let header: Vec<String> = axes.iter().map(|a| a.name.clone()).chain(["seed".to_string()]).chain(metrics.iter().cloned()).collect();
    let mut out = std::io::stdout().lock();
    let mut print = |line: std::fmt::Arguments| {
        use std::io::Write;
        // A closed pipe (`| head`) ends the sweep quietly.
        out.write_fmt(line).map_err(|e| format!("writing the sweep: {e}"))
    };
    match format {
        SweepFormat::Csv if first == 0 => print(format_args!("{}\n", header.join(",")))?,
        SweepFormat::Json => print(format_args!("["))?,
        _ => {}
    }
    let run_point = |offset: u64| -> Result<Vec<f64>, String> {
        let (values, seed) = grid.point(first + offset);
        let mut o = base.clone();
        for (axis, v) in axes.iter().zip(&values) {
            o.insert(axis.name.clone(), OverrideValue::Number(*v));
        }
        let r = outcome(&name, &text, &o, seed, &[]).map_err(|e| e.to_string())?;
        Ok(metrics.iter().map(|m| r.metric(m).unwrap_or(f64::NAN)).collect())
    };
    let row_object = |values: &[f64], seed: u64, figures: &[f64]| {
        let mut obj = serde_json::Map::new();
        for (a, v) in axes.iter().zip(values) {
            obj.insert(a.name.clone(), serde_json::json!(v));
        }
        obj.insert("seed".into(), serde_json::json!(seed));
        for (m, f) in metrics.iter().zip(figures) {
            obj.insert(m.clone(), serde_json::json!(f));
        }
        serde_json::Value::Object(obj)
    };
    stream_in_order(end - first, run_point, |offset, figures| {
        let index = first + offset;
        let (values, seed) = grid.point(index);
        match format {
            SweepFormat::Csv => {
                let cells: Vec<String> = values.iter().map(|v| v.to_string()).chain([seed.to_string()]).chain(figures.iter().map(|f| f.to_string())).collect();
                print(format_args!("{}\n", cells.join(",")))
            }
            SweepFormat::Jsonl => print(format_args!("{}\n", row_object(&values, seed, &figures))),
            SweepFormat::Json => {
                // The same text as pretty-printing the whole array at once.
                let pretty = serde_json::to_string_pretty(&row_object(&values, seed, &figures)).map_err(|e| e.to_string())?;
                let indented = pretty.replace('\n', "\n  ");
                print(format_args!("{}\n  {indented}", if index == 0 { "" } else { "," }))
            }
        }
    })?;
    if matches!(format, SweepFormat::Json) {
        print(format_args!("\n]\n"))?;
    }
    Ok(())
}

/// The sweep's grid, never built: point `i` is computed from its index (seeds
/// vary fastest, then the second axis, then the first).
struct Grid<'a> {
    axes: &'a [Axis],
    seeds: u64,
}

impl Grid<'_> {
    fn len(&self) -> u64 {
        self.axes.iter().fold(self.seeds, |n, a| n.saturating_mul(a.values.len() as u64))
    }

    fn point(&self, index: u64) -> (Vec<f64>, u64) {
        let seed = index % self.seeds + 1;
        let mut rest = index / self.seeds;
        let mut values = vec![0.0; self.axes.len()];
        for (slot, axis) in values.iter_mut().zip(self.axes).rev() {
            let n = axis.values.len() as u64;
            *slot = axis.values[(rest % n) as usize];
            rest /= n;
        }
        (values, seed)
    }
}

/// Run `job(0..count)` on every core and hand each result to `emit` in index
/// order, as soon as all earlier ones are out. Workers stay at most `AHEAD` jobs
/// ahead of the output, so memory stays flat however large the grid. The first
/// error stops the sweep and is returned.
fn stream_in_order(
    count: u64,
    job: impl Fn(u64) -> Result<Vec<f64>, String> + Sync,
    mut emit: impl FnMut(u64, Vec<f64>) -> Result<(), String>,
) -> Result<(), String> {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::mpsc;
    const AHEAD: u64 = 256;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(count.max(1) as usize);
    let next = AtomicU64::new(0);
    let emitted = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<(u64, Result<Vec<f64>, String>)>();
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, emitted, stop, job) = (&next, &emitted, &stop, &job);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= count || stop.load(Ordering::SeqCst) {
                    return;
                }
                while i >= emitted.load(Ordering::SeqCst) + AHEAD && !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(i))).unwrap_or_else(|_| Err("a sweep run panicked".into()));
                if tx.send((i, result)).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        let mut waiting = std::collections::BTreeMap::new();
        let mut outcome = Ok(());
        for (i, result) in rx {
            waiting.insert(i, result);
            while let Some(result) = waiting.remove(&emitted.load(Ordering::SeqCst)) {
                let i = emitted.load(Ordering::SeqCst);
                if let Err(e) = result.and_then(|figures| emit(i, figures)) {
                    stop.store(true, Ordering::SeqCst);
                    outcome = Err(e);
                    break;
                }
                emitted.store(i + 1, Ordering::SeqCst);
            }
            if outcome.is_err() {
                break;
            }
        }
        outcome
    })
}
