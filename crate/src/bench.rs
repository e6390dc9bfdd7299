//! A generated large scenario for benchmarks: `servers` HA members in groups of
//! three plus `clients` clients with heavy load, on one data and one cluster
//! plane. Used by `incident-replay bench`, the criterion bench and the browser
//! benchmark, so all three measure the same thing.

use serde_json::json;

pub fn large_scenario(servers: u32, clients: u32, rate_per_client: u32, duration_s: u32) -> String {
    let group_size = 3;
    let mut nodes = vec![];
    let mut names = vec![];
    for i in 0..servers {
        let g = i / group_size;
        let peers: Vec<String> = (g * group_size..((g + 1) * group_size).min(servers)).filter(|&j| j != i).map(|j| format!("s{j}")).collect();
        names.push(format!("s{i}"));
        nodes.push(json!({
            "name": format!("s{i}"),
            "model": { "ha_member": {
                "group": format!("g{g}"), "peers": peers, "initially_active": i % group_size == 0,
                "heartbeat_interval": "100ms", "dead_time": "1s",
                "heartbeat_plane": "cluster", "data_plane": "data", "quorum": true
            }}
        }));
    }
    for c in 0..clients {
        let g = c % (servers / group_size).max(1);
        let targets: Vec<String> = (g * group_size..((g + 1) * group_size).min(servers)).map(|j| format!("s{j}")).collect();
        names.push(format!("c{c}"));
        nodes.push(json!({
            "name": format!("c{c}"),
            "model": { "client": {
                "targets": targets, "plane": "data", "rate": rate_per_client, "writes": "50%",
                "timeout": "500ms", "retries": 3,
                "backoff": { "enabled": true, "base": "20ms", "cap": "1s" }
            }}
        }));
    }
    let scenario = json!({
        "meta": {
            "title": "Benchmark: large cluster under heavy load",
            "date": "2026-01-01",
            "summary": "Generated load for measuring events per second.",
            "start": "2026-01-01T00:00:00Z",
            "time_zone": "UTC",
            "duration": format!("{duration_s}s"),
            "sources": []
        },
        "planes": ["data", "cluster"],
        "nodes": nodes,
        "links": [{ "nodes": names, "planes": ["data", "cluster"], "latency": "500us", "jitter": "200us" }],
        "timeline": [
            { "at": format!("{}s", duration_s / 3), "title": "Crash", "action": { "crash": { "node": "s0" } }, "narration": "A server crashes.", "source": "assumption" },
            { "at": format!("{}s", 2 * duration_s / 3), "title": "Restart", "action": { "restart": { "node": "s0" } }, "narration": "It comes back.", "source": "assumption" }
        ],
        "limits": { "events_max": crate::scenario::cost::EVENTS_MAX, "bucket": "1s", "messages_recorded_max": 0 }
    });
    scenario.to_string()
}

/// The generated scenario loaded and ready to run, so callers time `run_to_end`
/// alone (parsing and resolving are not part of the events-per-second figure).
pub fn load_large(servers: u32, clients: u32, rate_per_client: u32, duration_s: u32) -> Result<crate::engine::run::Run, String> {
    let text = large_scenario(servers, clients, rate_per_client, duration_s);
    let loaded = crate::scenario::load("bench", &text, &crate::scenario::Overrides::new(), 1).map_err(|e| e.to_string())?;
    Ok(crate::engine::run::Run::new(loaded.resolved.setup))
}

/// Run a loaded benchmark to its end; returns the number of events processed.
pub fn run_large(run: &mut crate::engine::run::Run) -> Result<u64, String> {
    run.run_to_end().map_err(|e| e.to_string())?;
    Ok(run.trace.event_count)
}
