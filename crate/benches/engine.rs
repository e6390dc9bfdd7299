//! Criterion benchmark of the whole engine on the generated large scenario.
//! `cargo bench -p incident-replay` runs it; `incident-replay bench` prints the
//! events-per-second figure the README reports.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use incident_replay::bench::{load_large, run_large};

fn engine(c: &mut Criterion) {
    let events = run_large(&mut load_large(100, 100, 2_000, 5).expect("valid")).expect("within budget");
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events));
    group.bench_function("100 servers, 100 clients x 2000 req/s, 5 s", |b| {
        b.iter_batched(
            || load_large(100, 100, 2_000, 5).expect("valid"),
            |mut run| run_large(&mut run).expect("within budget"),
            criterion::BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
