//! The command-line face: run, sweep, validate, schema, bench. The only code that
//! reads argv, files and the clock, and writes to stdout.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use incident_replay::monitor::spread;
use incident_replay::monitor::{Outcome, METRICS};
use incident_replay::scenario::format::CheckKind;
use incident_replay::replay::replay;
use incident_replay::scenario::params::parse_set;
use incident_replay::scenario::units::{parse_literal, Kind};
use incident_replay::scenario::{self, schema, OverrideValue, Overrides, ScenarioError};

#[derive(Parser)]
#[command(name = "incident-replay", version, about = "Replay distributed-systems outages deterministically.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum RunFormat {
    Text,
    Json,
    Timeline,
}

#[derive(Clone, Copy, ValueEnum)]
enum SweepFormat {
    Csv,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run one scenario and print its outcome.
    Run {
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
    },
    /// Run a grid of parameter values × seeds; one row per run.
    Sweep {
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
    },
    /// Check scenario files; prints one line per file.
    Validate { files: Vec<PathBuf> },
    /// Print the JSON Schema of the scenario format.
    Schema,
    /// Measure events per second on a generated large scenario.
    Bench {
        #[arg(long, default_value_t = 100)]
        servers: u32,
        #[arg(long, default_value_t = 100)]
        clients: u32,
        #[arg(long, default_value_t = 2_000)]
        rate: u32,
        #[arg(long, default_value_t = 5)]
        seconds: u32,
        #[arg(long, default_value_t = 3)]
        repeats: u32,
    },
}

fn main() -> ExitCode {
    match run_cli(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Read a scenario file: only a regular file (a FIFO would block, `/dev/zero`
/// never ends), refused by its size before reading, and read through a cap in
/// case it grows meanwhile. Returns (file name for messages, text).
fn read(path: &Path) -> Result<(String, String), String> {
    use std::io::Read;
    let shown = scenario::error::quote(&path.display().to_string());
    let name = path.file_name().map_or_else(|| shown.clone(), |n| scenario::error::quote(&n.to_string_lossy()));
    let cannot = |e: std::io::Error| format!("{shown}: cannot read: {e}");
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(format!("{shown}: cannot read: not a regular file"));
    }
    let max = scenario::TEXT_BYTES_MAX as u64;
    if meta.len() > max {
        return Err(format!("{name}: file is larger than {max} bytes"));
    }
    let mut text = String::new();
    std::fs::File::open(path).map_err(cannot)?.take(max + 1).read_to_string(&mut text).map_err(cannot)?;
    if text.len() as u64 > max {
        return Err(format!("{name}: file is larger than {max} bytes"));
    }
    Ok((name, text))
}

fn overrides(sets: &[String]) -> Result<Overrides, String> {
    let mut o = Overrides::new();
    for s in sets {
        let (k, v) = parse_set(s)?;
        o.insert(k, v);
    }
    Ok(o)
}

fn seed_of(text: &str) -> Result<u64, String> {
    if text == "random" {
        let mut bytes = [0u8; 8];
        getrandom::getrandom(&mut bytes).map_err(|e| format!("--seed random: {e}"))?;
        let seed = u64::from_le_bytes(bytes) >> 11; // stays exact as a JS number
        eprintln!("seed: {seed}");
        return Ok(seed);
    }
    text.parse().map_err(|_| format!("--seed {text}: expected a whole number or `random`"))
}

fn run_cli(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Run { file, seed, seeds: Some(count), sets, until, format } => {
            if until.is_some() {
                return Err("--seeds and --until cannot be combined".into());
            }
            let (name, text) = read(&file)?;
            run_seeds(&name, &text, seed_of(&seed)?, count, &overrides(&sets)?, format)
        }
        Command::Run { file, seed, seeds: None, sets, until, format } => {
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
        Command::Sweep { file, vary, seeds, sets, metrics, format } => sweep(&file, &vary, seeds, &sets, metrics, format),
        Command::Validate { files } => {
            if files.is_empty() {
                return Err("validate: name at least one scenario file".into());
            }
            let mut failed = 0;
            for f in &files {
                match read(f).and_then(|(name, text)| {
                    scenario::load(&name, &text, &Overrides::new(), 1).map(|_| ()).map_err(|e| e.to_string())
                }) {
                    Ok(()) => println!("ok: {}", f.display()),
                    Err(e) => {
                        eprintln!("error: {e}");
                        failed += 1;
                    }
                }
            }
            if failed > 0 {
                return Err(format!("{failed} of {} files did not validate", files.len()));
            }
            Ok(())
        }
        Command::Schema => {
            print!("{}", schema::schema_json());
            Ok(())
        }
        Command::Bench { servers, clients, rate, seconds, repeats } => bench(servers, clients, rate, seconds, repeats),
    }
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
fn kind_word(kind: CheckKind) -> &'static str {
    match kind {
        CheckKind::Fitted => "fitted",
        CheckKind::Predicted => "check ",
    }
}

/// Run `count` seeds from `first` on, in parallel, in seed order.
fn outcomes_over_seeds(name: &str, text: &str, first: u64, count: u64, o: &Overrides) -> Result<Vec<Outcome>, String> {
    let seeds: Vec<u64> = (0..count).map(|i| first.saturating_add(i)).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(seeds.len().max(1));
    let chunk = seeds.len().div_ceil(threads).max(1);
    let results: Vec<Result<Outcome, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = seeds
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|&s| replay(name, text, o, s).map(|r| r.outcome).map_err(|e| e.to_string())).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|_| vec![Err("a worker thread panicked".into())])).collect()
    });
    results.into_iter().collect()
}

fn run_seeds(name: &str, text: &str, first: u64, count: u64, o: &Overrides, format: RunFormat) -> Result<(), String> {
    if count == 0 || count > 10_000 {
        return Err(format!("--seeds {count}: must be 1..=10000"));
    }
    let outcomes = outcomes_over_seeds(name, text, first, count, o)?;
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
        RunFormat::Timeline => return Err("--seeds: use --format text or json (a timeline is one seed's)".into()),
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
        println!("  {:<24} {:>12} ({}-{})  above zero in {} of {n} seeds", f.metric, short(f.median), short(f.min), short(f.max), f.seeds_above_zero);
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

fn sweep(file: &Path, vary: &[String], seeds: u64, sets: &[String], metrics: Option<String>, format: SweepFormat) -> Result<(), String> {
    let (name, text) = read(file)?;
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
    let header: Vec<String> = axes.iter().map(|a| a.name.clone()).chain(["seed".to_string()]).chain(metrics.iter().cloned()).collect();
    let mut out = std::io::stdout().lock();
    let mut print = |line: std::fmt::Arguments| {
        use std::io::Write;
        // A closed pipe (`| head`) ends the sweep quietly.
        out.write_fmt(line).map_err(|e| format!("writing the sweep: {e}"))
    };
    if matches!(format, SweepFormat::Csv) {
        print(format_args!("{}\n", header.join(",")))?;
    } else {
        print(format_args!("["))?;
    }
    let run_point = |index: u64| -> Result<Vec<f64>, String> {
        let (values, seed) = grid.point(index);
        let mut o = base.clone();
        for (axis, v) in axes.iter().zip(&values) {
            o.insert(axis.name.clone(), OverrideValue::Number(*v));
        }
        let r = replay(&name, &text, &o, seed).map_err(|e| e.to_string())?;
        Ok(metrics.iter().map(|m| r.outcome.metric(m).unwrap_or(f64::NAN)).collect())
    };
    stream_in_order(grid.len(), run_point, |index, figures| {
        let (values, seed) = grid.point(index);
        match format {
            SweepFormat::Csv => {
                let cells: Vec<String> = values.iter().map(|v| v.to_string()).chain([seed.to_string()]).chain(figures.iter().map(|f| f.to_string())).collect();
                print(format_args!("{}\n", cells.join(",")))
            }
            SweepFormat::Json => {
                let mut obj = serde_json::Map::new();
                for (a, v) in axes.iter().zip(&values) {
                    obj.insert(a.name.clone(), serde_json::json!(v));
                }
                obj.insert("seed".into(), serde_json::json!(seed));
                for (m, f) in metrics.iter().zip(&figures) {
                    obj.insert(m.clone(), serde_json::json!(f));
                }
                // The same text as pretty-printing the whole array at once.
                let pretty = serde_json::to_string_pretty(&serde_json::Value::Object(obj)).map_err(|e| e.to_string())?;
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

fn bench(servers: u32, clients: u32, rate: u32, seconds: u32, repeats: u32) -> Result<(), String> {
    let mut best = f64::MAX;
    let mut events = 0;
    for _ in 0..repeats.max(1) {
        let mut run = incident_replay::bench::load_large(servers, clients, rate, seconds)?;
        let start = Instant::now();
        events = incident_replay::bench::run_large(&mut run)?;
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "bench: {servers} servers, {clients} clients x {rate} req/s, {seconds} s simulated: {events} events in {best:.3} s = {:.2} M events/s (best of {}, {:.1}x real time)",
        events as f64 / best / 1e6,
        repeats.max(1),
        f64::from(seconds) / best
    );
    Ok(())
}
