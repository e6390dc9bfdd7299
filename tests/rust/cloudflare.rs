//! The Cloudflare 2020 replay: the historical run's outcome, and each
//! mitigation toggle moving it in the direction its mechanism predicts.

mod common;

use common::{num, on, run_with};
use incident_replay::replay::Replay;
use incident_replay::scenario::OverrideValue;

const NAME: &str = "cloudflare-2020";

fn off(name: &str) -> (&str, OverrideValue) {
    (name, OverrideValue::Flag(false))
}

fn metric(r: &Replay, m: &str) -> f64 {
    r.outcome.metric(m).unwrap_or_else(|| panic!("no metric {m}"))
}

/// Prints the per-bucket request series (for calibration notes): `cargo test --release --test cloudflare -- --ignored --nocapture`.
#[test]
#[ignore]
fn print_buckets() {
    let r = run_with(NAME, &[], 1);
    for (i, b) in r.run.trace.buckets.iter().enumerate() {
        let total = b.ok + b.failed;
        let mean = if b.ok > 0 { b.latency_sum_us as f64 / f64::from(b.ok) / 1e3 } else { 0.0 };
        println!("{:>4} min  ok {:>4} failed {:>4}  success {:>5.1}%  mean {:>7.0} ms", i * 5, b.ok, b.failed, 100.0 * f64::from(b.ok) / f64::from(total.max(1)), mean);
    }
}
