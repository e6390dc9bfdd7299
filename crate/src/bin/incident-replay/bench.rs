//! `bench`: events per second on a generated large scenario (wall clock), and
//! on each scenario file given (`incident-replay bench scenarios/*.json`).

use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct BenchArgs {
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
    /// Scenario files to time too, each with its defaults and seed 1, as an edit
    /// costs the page's worker (`replay::outcome`: parse, resolve, run, outcome),
    /// best of `--repeats`.
    files: Vec<PathBuf>,
}

pub fn bench(args: BenchArgs) -> Result<(), String> {
    let BenchArgs { servers, clients, rate, seconds, repeats, files } = args;
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
    for path in &files {
        bench_file(path, repeats.max(1))?;
    }
    Ok(())
}

/// Time one scenario file's re-simulation as an edit costs it (`replay::outcome`,
/// what `wasm::run_outcome` runs), best of `repeats`.
fn bench_file(path: &std::path::Path, repeats: u32) -> Result<(), String> {
    let (file, text) = crate::input::read(path)?;
    let mut best = f64::MAX;
    let mut events = 0;
    for _ in 0..repeats {
        let start = Instant::now();
        let outcome = incident_replay::replay::outcome(&file, &text, &incident_replay::scenario::Overrides::new(), 1, &[]).map_err(|e| e.to_string())?;
        best = best.min(start.elapsed().as_secs_f64());
        events = outcome.events;
    }
    println!("bench: {file}: {events} events, edit -> outcome in {:.1} ms = {:.2} M events/s (best of {repeats})", best * 1e3, events as f64 / best / 1e6);
    Ok(())
}
