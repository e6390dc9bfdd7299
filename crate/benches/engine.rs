//! Criterion benchmark of the whole engine on the generated large scenario.
//! `cargo bench -p incident-replay` runs it; `incident-replay bench` prints the
//! events-per-second figure the README reports.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use incident_replay::bench::large_scenario;
use incident_replay::engine::run::Run;
use incident_replay::scenario::{self, Overrides};

fn engine(c: &mut Criterion) {
    let text = large_scenario(100, 100, 2_000, 5);
    let events = {
        let loaded = scenario::load("bench", &text, &Overrides::new(), 1).expect("valid");
        let mut run = Run::new(loaded.resolved.setup);
        run.run_to_end().expect("within budget");
        run.trace.event_count
    };
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events));
    group.bench_function("100 servers, 100 clients x 2000 req/s, 5 s", |b| {
        b.iter(|| {
            let loaded = scenario::load("bench", &text, &Overrides::new(), 1).expect("valid");
            let mut run = Run::new(loaded.resolved.setup);
            run.run_to_end().expect("within budget");
            run.trace.event_count
        })
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
