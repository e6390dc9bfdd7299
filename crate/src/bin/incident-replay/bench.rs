//! `bench`: events per second on a generated large scenario (wall clock).

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
}

pub fn bench(args: BenchArgs) -> Result<(), String> {
    let BenchArgs { servers, clients, rate, seconds, repeats } = args;
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
